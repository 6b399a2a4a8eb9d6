using System.Buffers.Binary;
using System.Text;
using System.Text.Json;

namespace EventSnn.Cli.Tests;

/// <summary>Console-redirecting tests: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EventFileCliGroup
{
    public const string Name = "EventFileCli";
}

/// <summary>Runs <c>eventsnn info</c>, <c>view</c> and <c>bench decode</c> in-process on the shared samples.</summary>
[Collection(EventFileCliGroup.Name)]
public sealed class EventFileCommandsTests
{
    private static string Sample(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
        Assert.True(File.Exists(path), path);
        return path;
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Program.BuildRoot().Parse(args).Invoke();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void Info_json_reports_the_published_facts_of_the_evt2_sample()
    {
        var (code, stdout, stderr) = Run("info", Sample("faery_evt2.raw"), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(
            ["format", "width", "height", "sensor_origin", "events", "on", "off", "t_first_us", "t_last_us", "first", "last",
             "notes", "warning_count", "warnings", "skipped_records", "dropped_events", "trailing_bytes_ignored"],
            root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("file", root.GetProperty("sensor_origin").GetString());

        // Facts from ../shared/data/SOURCES.md.
        Assert.Equal("evt2", root.GetProperty("format").GetString());
        Assert.Equal(640, root.GetProperty("width").GetInt32());
        Assert.Equal(480, root.GetProperty("height").GetInt32());
        Assert.Equal(521_252, root.GetProperty("events").GetInt64());
        Assert.Equal(185_861, root.GetProperty("on").GetInt64());
        Assert.Equal(335_391, root.GetProperty("off").GetInt64());
        Assert.Equal(913_716_224, root.GetProperty("t_first_us").GetInt64());
        Assert.Equal(913_812_095, root.GetProperty("t_last_us").GetInt64());
        Assert.Equal([913_716_224L, 35, 443, 1], root.GetProperty("first").EnumerateArray().Select(e => e.GetInt64()));
        Assert.Equal([913_812_095L, 12, 471, 0], root.GetProperty("last").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void Info_json_gives_the_extent_for_dat_without_dimensions()
    {
        var (code, stdout, stderr) = Run("info", Sample("tonic_sample_ncars.dat"), "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        using (var reader = Datasets.Formats.EventFile.Open(Sample("tonic_sample_ncars.dat")))
        {
            Datasets.Formats.EventExtent extent = Datasets.Formats.EventExtent.Scan(reader);
            Assert.Equal(extent.MaxX + 1, doc.RootElement.GetProperty("width").GetInt32());
            Assert.Equal(extent.MaxY + 1, doc.RootElement.GetProperty("height").GetInt32());
        }

        Assert.Equal("extent", doc.RootElement.GetProperty("sensor_origin").GetString());
        Assert.Contains(doc.RootElement.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("extent", StringComparison.Ordinal));
        Assert.Equal(2_009, doc.RootElement.GetProperty("events").GetInt64());
        Assert.Equal([99_952L, 75, 28, 1], doc.RootElement.GetProperty("last").EnumerateArray().Select(e => e.GetInt64()));
    }

    [Fact]
    public void Info_text_names_format_and_counts()
    {
        var (code, stdout, _) = Run("info", Sample("expelliarmus_evt3_sample.raw"));
        Assert.Equal(0, code);
        Assert.Contains("Evt3", stdout, StringComparison.Ordinal);
        Assert.Contains("219,596", stdout, StringComparison.Ordinal);
        Assert.Contains("1280x720", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_layout_option_reads_aedat2_with_the_chosen_layout()
    {
        // MovingDarkBox has no AEChip line; SOURCES.md facts are for the DVS128 layout.
        var (code, stdout, stderr) = Run("info", Sample("jaer_MovingDarkBox.aedat"), "--layout", "dvs128", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal("aedat2", doc.RootElement.GetProperty("format").GetString());
        Assert.Equal(489_834, doc.RootElement.GetProperty("events").GetInt64());
        Assert.Equal([946_459_683L, 12, 19, 0], doc.RootElement.GetProperty("first").EnumerateArray().Select(e => e.GetInt64()));

        var (badCode, _, badErr) = Cli.Run("info", Sample("jaer_MovingDarkBox.aedat"), "--layout", "cochlea");
        Assert.Equal(2, badCode);
        Assert.Contains("cochlea", Cli.OneErrorLine(badErr), StringComparison.Ordinal);
    }

    [Fact]
    public void Corrupt_and_unknown_files_exit_non_zero_with_one_line()
    {
        string dir = Directory.CreateTempSubdirectory("eventsnn-cli-").FullName;
        try
        {
            // DAT header with an event size of 6 (must be 8).
            string bad = Path.Combine(dir, "bad.dat");
            File.WriteAllBytes(bad, [.. "% Data file containing CD events\n% Version 2\n"u8, 0x0C, 6, 1, 2, 3, 4, 5, 6]);
            string unknown = Path.Combine(dir, "notes.txt");
            File.WriteAllText(unknown, "hello world");
            foreach (string path in new[] { bad, unknown, Path.Combine(dir, "missing.raw") })
            {
                var (code, stdout, stderr) = Run("info", path, "--json");
                Assert.Equal(1, code);
                Assert.Equal(string.Empty, stdout);
                string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
                Assert.StartsWith("eventsnn: error: ", line, StringComparison.Ordinal);
                Assert.Contains(Path.GetFileName(path), line, StringComparison.Ordinal);
            }

            Assert.Contains("byte 46", Run("info", bad).Err, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static (int Width, int Height) PngSize(string path)
    {
        byte[] png = File.ReadAllBytes(path);
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, png[..8]);
        Assert.Equal("IHDR", Encoding.ASCII.GetString(png, 12, 4));
        return (BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16)), BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20)));
    }

    [Fact]
    public void View_writes_one_png_or_one_per_window()
    {
        string dir = Directory.CreateTempSubdirectory("eventsnn-view-").FullName;
        try
        {
            string single = Path.Combine(dir, "all.png");
            var (code, stdout, stderr) = Run("view", Sample("tonic_sample_nmnist.bin"), "--png", single);
            Assert.True(code == 0, stderr);
            // 34x34 sensor enlarged by ceil(256 / 34) = 8.
            Assert.Equal((272, 272), PngSize(single));
            Assert.Contains("4325 events", stdout, StringComparison.Ordinal);

            // Events span 654..311,175 us (SOURCES.md): 100 ms windows from the first event => 4 frames.
            string stem = Path.Combine(dir, "frame.png");
            (code, stdout, stderr) = Run("view", Sample("tonic_sample_nmnist.bin"), "--png", stem, "--window", "100");
            Assert.True(code == 0, stderr);
            string[] frames = Directory.GetFiles(dir, "frame_*.png").Order(StringComparer.Ordinal).ToArray();
            Assert.Equal(["frame_0000.png", "frame_0001.png", "frame_0002.png", "frame_0003.png"], frames.Select(Path.GetFileName));
            long total = stdout.Split('\n').Where(l => l.StartsWith("wrote", StringComparison.Ordinal))
                .Sum(l => long.Parse(l.Split(", ")[1].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(4325, total);

            (code, _, stderr) = Cli.Run("view", Sample("tonic_sample_nmnist.bin"), "--png", stem, "--window", "-3");
            Assert.Equal(2, code);
            Assert.Contains("--window", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Bench_decode_json_counts_whole_replicas()
    {
        var (code, stdout, stderr) = Run("bench", "decode", Sample("tonic_sample_nmnist.bin"), "--json", "--min-events", "100000", "--runs", "1");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(["format", "events", "mev_per_s"], root.EnumerateObject().Select(p => p.Name));
        Assert.Equal("nmnistbin", root.GetProperty("format").GetString());
        long events = root.GetProperty("events").GetInt64();
        Assert.Equal(4325 * ((100_000 + 4324) / 4325), events);
        double rate = root.GetProperty("mev_per_s").GetDouble();
        Assert.True(rate > 0 && double.IsFinite(rate));
    }
}
