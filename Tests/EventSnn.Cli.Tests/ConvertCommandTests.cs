using System.CommandLine;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Cli.Tests;

public sealed class ConvertCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-convert-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("jaer_MovingDarkBox.aedat", "lz4", Aedat4Compression.Lz4)]
    [InlineData("jaer_MovingDarkBox.aedat", "zstd", Aedat4Compression.Zstd)]
    [InlineData("tonic_sample.aedat4", "none", Aedat4Compression.None)]
    [InlineData("faery_evt2.raw", "lz4", Aedat4Compression.Lz4)]
    public void Convert_writes_an_aedat4_file_with_the_same_events(string sample, string compression, Aedat4Compression expected)
    {
        string input = SharedData(sample);
        string output = Path.Combine(_dir, "out.aedat4");
        var (code, stdout) = Run("convert", input, output, "--compression", compression);

        Assert.Equal(0, code);
        using var original = ConvertCommandOpen(input);
        var originalEvents = ReadAll(original);
        using var converted = Aedat4Reader.Open(output);
        Assert.Equal(expected, converted.Compression);
        Assert.Equal(original.Info.Sensor, converted.Info.Sensor);
        Assert.Equal(originalEvents, ReadAll(converted));

        string line = Assert.Single(stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"{originalEvents.Count} events written to {output} ({new FileInfo(output).Length} bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Convert_with_forced_layout_and_bad_inputs()
    {
        string output = Path.Combine(_dir, "forced.aedat4");
        var (code, _) = Run("convert", SharedData("jaer_MovingDarkBox.aedat"), output, "--layout", "dvs128");
        Assert.Equal(0, code);

        string notAedat = Path.Combine(_dir, "x.bin");
        File.WriteAllBytes(notAedat, [1, 2, 3, 4]);
        (code, _) = Run("convert", notAedat, Path.Combine(_dir, "y.aedat4"));
        Assert.Equal(1, code);
        Assert.False(File.Exists(Path.Combine(_dir, "y.aedat4")));

        (code, _) = Run("convert", Path.Combine(_dir, "missing.aedat"), Path.Combine(_dir, "z.aedat4"));
        Assert.Equal(1, code);

        (code, _) = Run("convert", SharedData("jaer_MovingDarkBox.aedat"), output, "--compression", "brotli");
        Assert.NotEqual(0, code);

        (code, _) = Run("convert", SharedData("jaer_MovingDarkBox.aedat"), output, "--sensor", "12by7");
        Assert.Equal(2, code);

        // N-CARS DAT states no sensor size: the data's extent (with a note), or the size given.
        string ncars = Path.Combine(_dir, "ncars.aedat4");
        using var original = EventFile.Open(SharedData("tonic_sample_ncars.dat"));
        List<DvsEvent> events = ReadAll(original);
        string text;
        (code, text) = Run("convert", SharedData("tonic_sample_ncars.dat"), ncars);
        Assert.Equal(0, code);
        Assert.Contains("note: sensor size", text, StringComparison.Ordinal);
        using (var fromExtent = Aedat4Reader.Open(ncars))
        {
            Assert.Equal(new SensorSize(events.Max(e => e.X) + 1, events.Max(e => e.Y) + 1), fromExtent.Info.Sensor);
        }

        (code, _) = Run("convert", SharedData("tonic_sample_ncars.dat"), ncars, "--sensor", "120x100");
        Assert.Equal(0, code);
        using var converted = Aedat4Reader.Open(ncars);
        Assert.Equal(new SensorSize(120, 100), converted.Info.Sensor);
        Assert.Equal(events, ReadAll(converted));
    }

    [Fact]
    public void Bench_aedat_prints_json_for_each_compression()
    {
        var (code, stdout) = Run("bench", "aedat", SharedData("tonic_sample.aedat4"), "--min-events", "200000", "--runs", "1", "--json");
        Assert.Equal(0, code);
        using var doc = System.Text.Json.JsonDocument.Parse(stdout);
        long events = doc.RootElement.GetProperty("events").GetInt64();
        Assert.Equal(111_954 * 2, events); // two copies of the sample reach 200,000 events
        var results = doc.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(["none", "lz4", "zstd"], results.Select(r => r.GetProperty("compression").GetString()));
        Assert.All(results, r => Assert.True(r.GetProperty("mev_per_s_wall").GetDouble() > 0));
        long none = results[0].GetProperty("bytes").GetInt64();
        Assert.True(none > events * 16, "uncompressed AEDAT 4.0 stores 16 bytes per event plus headers");
        Assert.True(results[1].GetProperty("bytes").GetInt64() < none);

        (code, _) = Run("bench", "aedat", SharedData("tonic_sample.aedat4"), "--runs", "0");
        Assert.Equal(2, code);
    }

    private static IEventReader ConvertCommandOpen(string path) => EventFile.Open(path);

    private static List<DvsEvent> ReadAll(IEventReader reader)
    {
        var list = new List<DvsEvent>();
        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                return list;
            }

            for (int i = 0; i < batch.Count; i++)
            {
                list.Add(batch[i]);
            }
        }
    }

    private static (int Code, string Output) Run(params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(args);
        return (code, stdout + stderr);
    }

    private static string SharedData(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
    }
}
