using System.Buffers.Binary;
using System.CommandLine;
using System.Text;
using System.Text.Json;
using EventSnn.Cli.Commands;
using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Events;

namespace EventSnn.Cli.Tests;

/// <summary>
/// The tool a user can trust: outputs are never damaged by a failing command, sensor sizes hold every event, formats
/// are recognised from the content, and every error is one line with the right exit code.
/// </summary>
[Collection(EventFileCliGroup.Name)]
public sealed class TrustworthyCliTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-trust-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>An AEDAT 3.1 file: one valid polarity packet, then a packet whose event size is impossible.</summary>
    private static byte[] Aedat31BrokenAfterOnePacket()
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#!END-HEADER\r\n"));
        void Packet(short type, int size, int count, Func<int, (uint Data, int Ts)> ev)
        {
            byte[] h = new byte[28];
            BinaryPrimitives.WriteInt16LittleEndian(h, type);
            BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(2), 1);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), size);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 4);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(24), count);
            bytes.AddRange(h);
            for (int i = 0; i < count; i++)
            {
                byte[] e = new byte[Math.Max(size, 8)];
                var (data, ts) = ev(i);
                BinaryPrimitives.WriteUInt32LittleEndian(e, data);
                BinaryPrimitives.WriteInt32LittleEndian(e.AsSpan(4), ts);
                bytes.AddRange(e.AsSpan(0, size).ToArray());
            }
        }

        // POLARITY: valid | p << 1 | y << 2 | x << 17.
        Packet(1, 8, 5000, i => (1u | ((uint)(i & 1) << 1) | ((uint)(i % 128) << 2) | ((uint)(i % 100) << 17), i * 10));
        Packet(1, 7, 10, i => (1u, 60_000 + i));
        return [.. bytes];
    }

    [Fact]
    public void A_convert_that_fails_leaves_the_existing_output_byte_identical()
    {
        string broken = Write("broken.aedat", Aedat31BrokenAfterOnePacket());
        string output = Path.Combine(_dir, "existing.aedat4");
        var (code, _, stderr) = Cli.Run("convert", Cli.Sample("tonic_sample_nmnist.bin"), output);
        Assert.True(code == 0, stderr);
        byte[] before = File.ReadAllBytes(output);

        (code, _, stderr) = Cli.Run("convert", broken, output);

        Assert.Equal(1, code);
        Assert.Contains("broken.aedat", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(output));
        Assert.Equal(["existing.aedat4"], Directory.GetFiles(_dir, "*aedat4*").Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void A_view_that_fails_leaves_the_existing_png_and_no_temporary_file()
    {
        string png = Write("frame.png", [1, 2, 3]);
        string broken = Write("broken.aedat", Aedat31BrokenAfterOnePacket());
        var (code, _, stderr) = Cli.Run("view", broken, "--png", png);
        Assert.Equal(1, code);
        Cli.OneErrorLine(stderr);
        Assert.Equal([1, 2, 3], File.ReadAllBytes(png));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));
    }

    [Fact]
    public void Bench_spikes_are_written_atomically_and_path_errors_come_before_the_run()
    {
        string csv = Write("spikes.csv", [7, 7]);
        var (code, _, stderr) = Cli.Run("bench", "cuba", "--neurons", "200", "--duration", "0.05", "--spikes", csv);
        Assert.True(code == 0, stderr);
        Assert.StartsWith("time_us,population,neuron\n", File.ReadAllText(csv), StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));

        (code, _, stderr) = Cli.Run("bench", "cuba", "--neurons", "200", "--duration", "0.05", "--spikes", Path.Combine(_dir, "no-such-folder", "s.csv"));
        Assert.Equal(1, code);
        Assert.Contains("does not exist", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public void Atomic_file_replaces_the_target_only_when_complete()
    {
        string target = Write("out.bin", [9, 9, 9]);
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(target, "out", s =>
        {
            s.Write(new byte[100_000]);
            throw new InvalidOperationException("failed half way");
        }));
        Assert.Equal([9, 9, 9], File.ReadAllBytes(target));
        Assert.Empty(Directory.GetFiles(_dir, ".*.tmp"));

        Assert.Equal(4, AtomicFile.Write(target, "out", s => s.Write([1, 2, 3, 4])));
        Assert.Equal([1, 2, 3, 4], File.ReadAllBytes(target));
        Assert.Single(Directory.GetFiles(_dir));
    }

    [Theory]
    [InlineData("image_0001.bin")]
    [InlineData("image_0001.bs2")]
    [InlineData("recording.dat")]
    public void An_ncaltech101_layout_file_gets_a_sensor_holding_all_its_events_in_every_command(string name)
    {
        // N-Caltech101 layout: ATIS 40-bit records with x up to 150 and y up to 172 (the N-MNIST default is 34x34).
        byte[] data = Cli.AtisRecords(3000, 150, 172);
        string path = Write(Path.Combine("airplanes", name), data);
        int events = data.Length / 5;

        var (code, stdout, stderr) = Cli.Run("info", path, "--json");
        Assert.True(code == 0, stderr);
        using (var doc = JsonDocument.Parse(stdout))
        {
            JsonElement root = doc.RootElement;
            Assert.Equal("nmnistbin", root.GetProperty("format").GetString());
            Assert.Equal(151, root.GetProperty("width").GetInt32());
            Assert.Equal(173, root.GetProperty("height").GetInt32());
            Assert.Equal("extent", root.GetProperty("sensor_origin").GetString());
            Assert.Equal(events, root.GetProperty("events").GetInt64());
        }

        (code, stdout, stderr) = Cli.Run("info", path);
        Assert.True(code == 0, stderr);
        Assert.Contains("sensor:    151x173 (extent)", stdout, StringComparison.Ordinal);

        // view: every event drawn (151x173 enlarged by ceil(256 / 151) = 2).
        string png = Path.Combine(_dir, "view.png");
        (code, stdout, stderr) = Cli.Run("view", path, "--png", png);
        Assert.True(code == 0, stderr);
        Assert.Contains($"(302x346, {events} events)", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("not drawn", stdout, StringComparison.Ordinal);

        // convert: the declared sensor holds every event, and every event is there.
        string aedat4 = Path.Combine(_dir, "converted.aedat4");
        (code, stdout, stderr) = Cli.Run("convert", path, aedat4);
        Assert.True(code == 0, stderr);
        using var reader = Aedat4Reader.Open(aedat4);
        Assert.Equal(new SensorSize(151, 173), reader.Info.Sensor);
        EventExtent extent = EventExtent.Scan(reader);
        Assert.Equal(events, extent.Events);
        Assert.True(extent.FitsIn(reader.Info.Sensor!.Value));

        // A --sensor smaller than the data is an error naming the size needed; nothing is written.
        string small = Path.Combine(_dir, "small.aedat4");
        (code, _, stderr) = Cli.Run("convert", path, small, "--sensor", "10x10");
        Assert.Equal(1, code);
        Assert.Contains("151x173", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
        Assert.False(File.Exists(small));
        (code, _, stderr) = Cli.Run("info", path, "--sensor", "150x173");
        Assert.Equal(1, code);
        Assert.Contains("--sensor 150x173 does not hold", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public void A_stated_sensor_that_excludes_events_is_enlarged_by_convert()
    {
        // An AEDAT 4.0 file declaring 32x32 whose events reach x 40, y 50.
        string path = Path.Combine(_dir, "liar.aedat4");
        using (var writer = Aedat4Writer.Create(path, new Aedat4WriterOptions { Sensor = new SensorSize(32, 32), PacketEvents = 16 }))
        {
            for (int i = 0; i < 100; i++)
            {
                writer.Write(new DvsEvent(i, (ushort)(i == 70 ? 40 : i % 32), (ushort)(i == 90 ? 50 : i % 32), 1));
            }

            writer.Complete();
        }

        string output = Path.Combine(_dir, "fixed.aedat4");
        var (code, stdout, stderr) = Cli.Run("convert", path, output);
        Assert.True(code == 0, stderr);
        Assert.Contains("note: the file states sensor size 32x32", stdout, StringComparison.Ordinal);
        using var reader = Aedat4Reader.Open(output);
        Assert.Equal(new SensorSize(41, 51), reader.Info.Sensor);
        Assert.Equal(100, EventExtent.Scan(reader).Events);
    }

    [Fact]
    public void Bs2_and_misnamed_files_are_recognised_by_content_and_format_forces_a_reader()
    {
        byte[] nmnist = File.ReadAllBytes(Cli.Sample("tonic_sample_nmnist.bin"));
        foreach (string name in new[] { "digit.bs2", "digit.dat", "digit" })
        {
            var (code, stdout, stderr) = Cli.Run("info", Write(name, nmnist), "--json");
            Assert.True(code == 0, stderr);
            using var doc = JsonDocument.Parse(stdout);
            Assert.Equal("nmnistbin", doc.RootElement.GetProperty("format").GetString());
            Assert.Equal(4_325, doc.RootElement.GetProperty("events").GetInt64());
        }

        // Three records cannot be judged by content and ".txt" says nothing: unrecognised, unless --format says.
        string tiny = Write("tiny.txt", Cli.AtisRecords(3, 10, 10));
        var (failCode, _, failErr) = Cli.Run("info", tiny);
        Assert.Equal(1, failCode);
        Assert.Contains("unrecognised", Cli.OneErrorLine(failErr), StringComparison.Ordinal);
        var (okCode, okOut, okErr) = Cli.Run("info", tiny, "--format", "nmnist", "--json");
        Assert.True(okCode == 0, okErr);
        using var forced = JsonDocument.Parse(okOut);
        Assert.Equal(3, forced.RootElement.GetProperty("events").GetInt64());

        foreach (string[] args in new[]
        {
            new[] { "view", tiny, "--png", Path.Combine(_dir, "t.png"), "--format", "nmnist" },
            ["convert", tiny, Path.Combine(_dir, "t.aedat4"), "--format", "nmnist"],
            ["bench", "decode", tiny, "--format", "nmnist", "--min-events", "10", "--runs", "1", "--json"],
            ["bench", "aedat", tiny, "--format", "nmnist", "--min-events", "10", "--runs", "1", "--json"],
        })
        {
            var (code, _, stderr) = Cli.Run(args);
            Assert.True(code == 0, $"{string.Join(' ', args)}: {stderr}");
        }
    }

    [Theory]
    [InlineData(2, "demo", "--duration", "abc")]
    [InlineData(2, "demo", "--seed", "-1")]
    [InlineData(2, "bench", "cuba", "--neurons", "99999999999")]
    [InlineData(2, "bench", "queue", "--ops", "1e3")]
    [InlineData(2, "view", "x.bin", "--png", "x.png", "--window", "0")]
    [InlineData(2, "view", "x.bin", "--png", "x.jpg")]
    [InlineData(2, "view", "x.bin")]
    [InlineData(2, "convert", "a.bin", "b.txt")]
    [InlineData(2, "convert", "a.bin", "b.aedat4", "--packet-events", "0")]
    [InlineData(2, "info")]
    [InlineData(2, "info", "x.bin", "--format", "mp4")]
    [InlineData(2, "info", "x.bin", "--sensor", "12by7")]
    [InlineData(2, "datasets", "info", "nmnist", "--root", ".", "--retries", "-1")]
    [InlineData(2, "bogus")]
    [InlineData(2, "bench")]
    [InlineData(2)]
    [InlineData(1, "info", "/nonexistent-folder/x.bin")]
    public void Parse_and_range_errors_are_one_line_with_flag_names_and_the_right_exit_code(int expected, params string[] args)
    {
        var (code, stdout, stderr) = Cli.Run(args);
        Assert.Equal(expected, code);
        Assert.Empty(stdout);
        string line = Cli.OneErrorLine(stderr);
        Assert.DoesNotContain("Usage:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Double", line, StringComparison.Ordinal);
        Assert.DoesNotContain("Int32", line, StringComparison.Ordinal);
        string? flag = args.LastOrDefault(a => a.StartsWith("--", StringComparison.Ordinal));
        if (flag is not null)
        {
            Assert.Contains(flag, line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Help_still_shows_help()
    {
        var (code, stdout, _) = Cli.Run("info", "--help");
        Assert.Equal(0, code);
        Assert.Contains("--format", stdout, StringComparison.Ordinal);
        Assert.Contains(".bs2", stdout, StringComparison.Ordinal);
        var (convertCode, convertHelp, _) = Cli.Run("convert", "--help");
        Assert.Equal(0, convertCode);
        string flat(string text) => System.Text.RegularExpressions.Regex.Replace(text, @"\s+", " ");
        Assert.Contains(flat(EventFileOptions.FormatsText), flat(convertHelp), StringComparison.Ordinal);
        Assert.Contains(flat(EventFileOptions.FormatsText), flat(stdout), StringComparison.Ordinal);
    }

    [Fact]
    public void Path_errors_say_what_is_wrong()
    {
        string sample = Cli.Sample("tonic_sample_nmnist.bin");
        string folder = Directory.CreateDirectory(Path.Combine(_dir, "a-folder.png")).FullName;
        string file = Write("a-file", [1]);
        (string[] Args, string Expected)[] cases =
        [
            (["view", sample, "--png", folder], "is a folder"),
            (["view", sample, "--png", Path.Combine(_dir, "missing", "x.png")], "does not exist"),
            (["view", sample, "--png", Path.Combine(file, "x.png")], "is a file, not a folder"),
            (["info", _dir], "is a folder, not a file"),
            (["convert", sample, Path.Combine(_dir, "nope", "x.aedat4")], "does not exist"),
            (["demo", "--out", file, "--duration", "0.01"], "is a file; give a folder path"),
            (["datasets", "info", "nmnist", "--root", file], "is a file"),
        ];
        foreach (var (args, expected) in cases)
        {
            var (code, _, stderr) = Cli.Run(args);
            Assert.True(code == 1, $"{string.Join(' ', args)} gave {code}: {stderr}");
            Assert.Contains(expected, Cli.OneErrorLine(stderr), StringComparison.Ordinal);
        }

        if (Directory.Exists("/sys/kernel"))
        {
            var (code, _, stderr) = Cli.Run("view", sample, "--png", "/sys/x.png");
            Assert.Equal(1, code);
            Assert.Contains("not writable", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Out_of_memory_names_the_limits_to_lower_and_bugs_are_one_line()
    {
        RootCommand root = Program.BuildRoot();
        var neurons = new Option<int>("--neurons") { DefaultValueFactory = _ => 4000 };
        var duration = new Option<double>("--duration") { DefaultValueFactory = _ => 1 };
        var hungry = new Command("hungry") { neurons, duration };
        // What a too-large allocation throws (an array longer than the runtime allows would too, but slowly).
#pragma warning disable CA2201 // The runtime's exception is what the tool must report.
        hungry.SetAction(_ => CliAction.Run(() => throw new OutOfMemoryException()));
        var parallel = new Command("parallel") { neurons };
        parallel.SetAction(_ => CliAction.Run(() => throw new AggregateException(new InvalidOperationException("a worker stopped"), new OutOfMemoryException())));
        root.Subcommands.Add(parallel);
#pragma warning restore CA2201
        root.Subcommands.Add(hungry);
        var buggy = new Command("buggy");
        buggy.SetAction(_ => CliAction.Run(() => throw new InvalidOperationException("state broke\n   at Somewhere()")));
        root.Subcommands.Add(buggy);
        var full = new Command("full") { duration };
        full.SetAction(_ => CliAction.Run(() => throw new IOException("No space left on device : '/tmp/x'", 28)));
        root.Subcommands.Add(full);

        var stderr = new StringWriter();
        int code = Program.Run(root, ["hungry", "--neurons", "50000000"], new InvocationConfiguration { Output = new StringWriter(), Error = stderr });
        Assert.Equal(1, code);
        string line = Cli.OneErrorLine(stderr.ToString());
        Assert.Contains("out of memory", line, StringComparison.Ordinal);
        Assert.Contains("lower --neurons (50000000)", line, StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Program.Run(root, ["parallel", "--neurons", "7"], new InvocationConfiguration { Output = new StringWriter(), Error = stderr }));
        Assert.Contains("out of memory", Cli.OneErrorLine(stderr.ToString()), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Program.Run(root, ["hungry"], new InvocationConfiguration { Output = new StringWriter(), Error = stderr }));
        Assert.Contains("lower --neurons or --duration", Cli.OneErrorLine(stderr.ToString()), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Program.Run(root, ["full", "--duration", "600"], new InvocationConfiguration { Output = new StringWriter(), Error = stderr }));
        Assert.Contains("no space left on the device", Cli.OneErrorLine(stderr.ToString()), StringComparison.Ordinal);
        Assert.Contains("--duration (600)", stderr.ToString(), StringComparison.Ordinal);

        stderr = new StringWriter();
        Assert.Equal(1, Program.Run(root, ["buggy"], new InvocationConfiguration { Output = new StringWriter(), Error = stderr }));
        string bug = Assert.Single(stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("eventsnn: error: internal error", bug, StringComparison.Ordinal);
    }

    [Fact]
    public void Info_json_carries_warnings_notes_and_counts()
    {
        // EVT 3.0 with an unknown sensor: VECT_BASE_X 2040, then 300 VECT_12 words (all bits): events beyond x 2047 are
        // dropped with a warning per word; 6 IMU words are skipped.
        var words = new List<ushort> { 0x8001, 0x0005, 0x3000 | 2040 };
        words.AddRange(Enumerable.Repeat((ushort)0x4FFF, 300));
        words.AddRange(Enumerable.Repeat((ushort)0xD000, 6));
        byte[] data = [.. "% evt 3.0\n"u8, .. words.SelectMany(w => new[] { (byte)w, (byte)(w >> 8) })];
        string path = Write("vectors.raw", data);

        var (code, stdout, stderr) = Cli.Run("info", path, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(8, root.GetProperty("events").GetInt64());
        Assert.Equal((300 * 12) - 8, root.GetProperty("dropped_events").GetInt64());
        Assert.Equal(6, root.GetProperty("skipped_records").GetInt64());
        Assert.Equal(300, root.GetProperty("warning_count").GetInt64());
        Assert.Equal(InfoCommand.ListedWarnings, root.GetProperty("warnings").GetArrayLength());
        Assert.Contains("x base", root.GetProperty("warnings")[0].GetString(), StringComparison.Ordinal);
        Assert.Contains(root.GetProperty("notes").EnumerateArray(), n => n.GetString()!.Contains("sensor size", StringComparison.Ordinal));
        Assert.Equal(0, root.GetProperty("trailing_bytes_ignored").GetInt64());
    }

    [Fact]
    public void Retry_notices_state_the_plan_and_what_is_on_disk()
    {
        var url = new Uri("https://example.invalid/data.zip");
        string first = DatasetsCommand.DownloadDisplay.RetryLine(new DownloadRetry("data.zip", url, 1, 4, "connection refused", TimeSpan.FromSeconds(2), 0));
        Assert.Equal("download of data.zip failed (attempt 1 of 4): connection refused; nothing is on disk yet; retrying in 2 s (3 attempt(s) left; --retries sets how many)", first);
        string last = DatasetsCommand.DownloadDisplay.RetryLine(new DownloadRetry("data.zip", url, 4, 4, "stalled", null, 1234));
        Assert.Equal("download of data.zip failed (attempt 4 of 4, the last): stalled; 1234 bytes are on disk", last);

        var error = new StringWriter();
        using var display = new DatasetsCommand.DownloadDisplay(error);
        display.Run(() =>
        {
            ((IProgress<DownloadRetry>)display).Report(new DownloadRetry("data.zip", url, 1, 2, "refused", TimeSpan.FromSeconds(1), 0));
            Assert.Contains("attempt 1 of 2", error.ToString(), StringComparison.Ordinal);
            return 0;
        });
    }
}
