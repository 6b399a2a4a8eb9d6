using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>A temporary folder for network files and the CSV files they name; deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"eventsnn-netfile-{Guid.NewGuid():N}");
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Write(string relative, string text)
    {
        string full = System.IO.Path.Combine(Path, relative);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        File.WriteAllText(full, text);
        return full;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class NetworkFileTestSupport
{
    /// <summary>The repository root (the folder holding EventSnn.sln).</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    public static string Sample(string name) => System.IO.Path.Combine(RepoRoot(), "Samples", "networks", name);

    public static string SchemaPath => System.IO.Path.Combine(RepoRoot(), "docs", "network-file.schema.json");

    public static string FixturePath(string name) => System.IO.Path.Combine(RepoRoot(), "Tests", "EventSnn.Simulator.Tests", "NetworkFiles", "Fixtures", name);

    /// <summary>Parses <paramref name="json"/> as a file named net.json in <paramref name="folder"/> (or a fresh temp folder).</summary>
    public static NetworkFile Parse(string json, string? folder = null) => NetworkFile.Parse(json, folder ?? System.IO.Path.GetTempPath(), "net.json");

    /// <summary>The error of loading <paramref name="json"/>; asserts it is one line starting with the file name.</summary>
    public static NetworkFileException Fails(string json, string? folder = null)
    {
        var ex = Assert.Throws<NetworkFileException>(() => Parse(json, folder));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith("net.json: ", ex.Message, StringComparison.Ordinal);
        Assert.Equal($"net.json: {ex.JsonPath}: ", ex.Message[..($"net.json: {ex.JsonPath}: ".Length)]);
        return ex;
    }

    /// <summary>A minimal valid document with one 3-neuron LIF population 'a' and the given extra top-level members.</summary>
    public static string WithA(string extra = "", string popExtra = "")
        => $$$"""{"populations": [{"name": "a", "model": "lif", "size": 3{{{popExtra}}}}]{{{extra}}}}""";
}
