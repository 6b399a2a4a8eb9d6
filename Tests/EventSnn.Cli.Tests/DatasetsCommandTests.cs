using System.Text.Json;

namespace EventSnn.Cli.Tests;

/// <summary>Runs <c>eventsnn datasets</c> in-process (console-redirecting: not in parallel with the other CLI tests).</summary>
[Collection(EventFileCliGroup.Name)]
public sealed class DatasetsCommandTests
{
    private static (int Code, string Out, string Err) Run(params string[] args) => Cli.Run(args);

    private static string SharedSample(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
    }

    [Fact]
    public void List_json_names_every_dataset_with_its_archives()
    {
        var (code, stdout, stderr) = Run("datasets", "list", "--json");

        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        string[] ids = [.. doc.RootElement.EnumerateArray().Select(e => e.GetProperty("id").GetString()!)];
        Assert.Equal(["nmnist", "ncaltech101", "ncars", "dvsgesture", "cifar10dvs", "shd", "ssc"], ids);
        JsonElement nmnist = doc.RootElement[0];
        Assert.Equal(34, nmnist.GetProperty("width").GetInt32());
        Assert.Equal("md5:20959b8e626244a1b502305a9e6e2031", nmnist.GetProperty("archives")[0].GetProperty("checksum").GetString());
        Assert.Equal(JsonValueKind.Null, doc.RootElement[1].GetProperty("width").ValueKind);
    }

    [Fact]
    public void Info_reports_a_local_copy_and_one_sample()
    {
        string root = Path.Combine(Path.GetTempPath(), "eventsnn-cli-tests", Guid.NewGuid().ToString("N"));
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "Train", "3"));
            File.Copy(SharedSample("tonic_sample_nmnist.bin"), Path.Combine(root, "Train", "3", "a.bin"));

            var (code, stdout, stderr) = Run("datasets", "info", "nmnist", "--root", root, "--split", "train", "--sample", "0", "--json");

            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            JsonElement r = doc.RootElement;
            Assert.Equal("N-MNIST (train)", r.GetProperty("name").GetString());
            Assert.Equal(1, r.GetProperty("samples").GetInt32());
            Assert.Equal([0, 0, 0, 1, 0, 0, 0, 0, 0, 0], r.GetProperty("per_class").EnumerateArray().Select(e => e.GetInt32()));
            JsonElement s = r.GetProperty("sample");
            // SOURCES.md: 4,325 events from 654 to 311,175 µs.
            Assert.Equal(4325, s.GetProperty("events").GetInt32());
            Assert.Equal(654, s.GetProperty("t_first_us").GetInt64());
            Assert.Equal(311175, s.GetProperty("t_last_us").GetInt64());
            Assert.Equal(3, s.GetProperty("label").GetInt32());
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void Missing_data_is_one_error_line_naming_the_folder_and_the_download_option()
    {
        string root = Path.Combine(Path.GetTempPath(), "eventsnn-cli-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(root);
        try
        {
            var (code, stdout, stderr) = Run("datasets", "info", "shd", "--root", root);

            Assert.Equal(1, code);
            Assert.Empty(stdout);
            string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith("eventsnn: error: SHD (train) is not in the root folder", line, StringComparison.Ordinal);
            Assert.Contains(Path.Combine(root, "shd_train.h5"), line, StringComparison.Ordinal);
            Assert.Contains("--download", line, StringComparison.Ordinal);
            Assert.Equal(line, Cli.OneErrorLine(stderr));
            Assert.DoesNotContain("DatasetOptions", line, StringComparison.Ordinal);
            Assert.DoesNotContain(".Open", line, StringComparison.Ordinal);

            var (badCode, _, badErr) = Run("datasets", "info", "nope", "--root", root);
            Assert.Equal(1, badCode);
            Assert.Contains("Unknown dataset 'nope'", badErr, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
