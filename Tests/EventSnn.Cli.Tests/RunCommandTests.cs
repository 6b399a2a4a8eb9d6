using System.Globalization;
using System.Text.Json;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Tests;

/// <summary>Runs <c>eventsnn run</c> in-process on small network files, the Brette samples and a real event file.</summary>
[Collection(EventFileCliGroup.Name)]
public sealed class RunCommandTests : IDisposable
{
    /// <summary>A spike source (1 ms, 1.5 ms, 4 ms) drives two LIF neurons over 1 ms; one input is enough to fire (10 mV over a 5 mV gap).</summary>
    private const string Tiny = """
        {
          "name": "tiny",
          "duration_ms": 10,
          "populations": [
            { "name": "stim", "kind": "spike_source", "spike_times_ms": [[1, 1.5, 4]] },
            { "name": "cells", "model": "lif", "size": 2,
              "params": { "tau_m_ms": 10, "v_rest_mV": -65, "v_thresh_mV": -60, "v_reset_mV": -65, "t_ref_ms": 2 } }
          ],
          "projections": [
            { "pre": "stim", "post": "cells", "weight": 10, "delay_ms": 1, "connectivity": { "rule": "all_to_all" } }
          ]
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"eventsnn-run-{Guid.NewGuid():N}");

    public RunCommandTests() => Directory.CreateDirectory(_dir);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static string Repo()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return dir.FullName;
    }

    private static string SharedData(string file)
    {
        string path = Path.GetFullPath(Path.Combine(Repo(), "..", "shared", "data", file));
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
            int code = Program.Run(args, new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    private static JsonElement Json(string stdout)
    {
        // Exactly one JSON object and nothing else on standard output.
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(stdout.Trim()));
        using var doc = JsonDocument.ParseValue(ref reader);
        Assert.False(reader.Read());
        Assert.Equal(JsonValueKind.Object, doc.RootElement.ValueKind);
        return doc.RootElement.Clone();
    }

    private static List<(long TimeNs, string Population, int Neuron)> Spikes(string folder)
    {
        string[] lines = File.ReadAllLines(Path.Combine(folder, "spikes.csv"));
        Assert.Equal("time_ns,population,neuron", lines[0]);
        return [.. lines.Skip(1).Select(l => l.Split(',')).Select(f => (long.Parse(f[0], CultureInfo.InvariantCulture), f[1], int.Parse(f[2], CultureInfo.InvariantCulture)))];
    }

    private static JsonElement Population(JsonElement summary, string name)
        => summary.GetProperty("populations").EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);

    [Fact]
    public void TinyNetworkWritesExactSpikeTimesByPopulationNameAndAJsonSummary()
    {
        string net = Write("tiny.json", Tiny);
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("run", net, "--execution", "event", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        JsonElement s = Json(stdout);
        Assert.Equal("event", s.GetProperty("execution").GetString());
        Assert.Equal(0.01, s.GetProperty("duration_s").GetDouble());
        Assert.True(s.GetProperty("loop_s").GetDouble() >= 0);
        Assert.True(s.GetProperty("loop_cpu_s").GetDouble() >= 0);

        // The source fires at 1, 1.5 and 4 ms; each cell fires 1 ms later unless refractory (2 ms): at 2 ms and 5 ms, not 2.5 ms.
        long Ms(double ms) => (long)Math.Round(ms * 1_000_000);
        List<(long, string, int)> spikes = Spikes(outDir);
        Assert.Equal([Ms(1), Ms(1.5), Ms(4)], spikes.Where(x => x.Item2 == "stim").Select(x => x.Item1));
        foreach (int cell in new[] { 0, 1 })
        {
            Assert.Equal([Ms(2), Ms(5)], spikes.Where(x => x.Item2 == "cells" && x.Item3 == cell).Select(x => x.Item1));
        }

        Assert.Equal(spikes.OrderBy(x => x.Item1), spikes);
        Assert.Equal(3, Population(s, "stim").GetProperty("spikes").GetInt64());
        Assert.Equal(4, Population(s, "cells").GetProperty("spikes").GetInt64());
        Assert.Equal(4 / (2 * 0.01), Population(s, "cells").GetProperty("rate_hz").GetDouble(), 9);
        Assert.Equal(spikes.Count, s.GetProperty("spikes").GetInt64());
        Assert.Equal(spikes.Count, s.GetProperty("outputs").GetProperty("spikes_written").GetInt32());
        Assert.Equal(1 * 2, s.GetProperty("synapses").GetInt64()); // one source to two cells

        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "raster.png"));
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
    }

    [Fact]
    public void ExecutionFollowsTheDeclarationsUnlessOverridden()
    {
        string declared = Write("clock.json", Tiny.Replace("\"size\": 2,", "\"size\": 2, \"execution\": { \"mode\": \"clock\", \"dt_us\": 50 },", StringComparison.Ordinal));
        JsonElement asDeclared = Json(Run("run", declared, "--out", Path.Combine(_dir, "a"), "--json").Out);
        Assert.Equal("clock", asDeclared.GetProperty("execution").GetString());
        Assert.Equal(50_000, asDeclared.GetProperty("dt_ns").GetInt64());

        JsonElement forcedEvent = Json(Run("run", declared, "--execution", "event", "--out", Path.Combine(_dir, "b"), "--json").Out);
        Assert.Equal("event", forcedEvent.GetProperty("execution").GetString());
        Assert.Equal(JsonValueKind.Null, forcedEvent.GetProperty("dt_ns").ValueKind);

        string undeclared = Write("event.json", Tiny);
        Assert.Equal("event", Json(Run("run", undeclared, "--out", Path.Combine(_dir, "c"), "--json").Out).GetProperty("execution").GetString());
        JsonElement forcedClock = Json(Run("run", undeclared, "--execution", "clock", "--threads", "2", "--out", Path.Combine(_dir, "d"), "--json").Out);
        Assert.Equal("clock", forcedClock.GetProperty("execution").GetString());
        Assert.Equal(100_000, forcedClock.GetProperty("dt_ns").GetInt64());
        Assert.Equal(2, forcedClock.GetProperty("threads").GetInt32());

        // Grid-aligned input: the clock run sees the same source spikes and the same number of cell spikes.
        Assert.Equal(Spikes(Path.Combine(_dir, "c")).Count(x => x.Population == "stim"), Spikes(Path.Combine(_dir, "d")).Count(x => x.Population == "stim"));
        Assert.Equal(Population(Json(Run("run", undeclared, "--out", Path.Combine(_dir, "e"), "--json").Out), "cells").GetProperty("spikes").GetInt64(), Population(forcedClock, "cells").GetProperty("spikes").GetInt64());
    }

    [Fact]
    public void DurationComesFromTheFlagOrTheFile()
    {
        string net = Write("tiny.json", Tiny);
        Assert.Equal(0.003, Json(Run("run", net, "--duration", "0.003", "--out", Path.Combine(_dir, "a"), "--json").Out).GetProperty("duration_s").GetDouble());
        List<(long TimeNs, string, int)> spikes = Spikes(Path.Combine(_dir, "a"));
        Assert.All(spikes, x => Assert.True(x.TimeNs <= 3_000_000));

        string noDuration = Write("nodur.json", Tiny.Replace("\"duration_ms\": 10,", string.Empty, StringComparison.Ordinal));
        var (code, stdout, stderr) = Run("run", noDuration, "--out", Path.Combine(_dir, "b"));
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Contains("gives no duration: pass --duration SECONDS", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void SpikeMonitorsChooseWhatSpikesCsvHoldsAndStateMonitorsWriteCsvs()
    {
        string net = Write("mon.json", Tiny.Replace("\"projections\"", """
            "monitors": [
              { "kind": "spikes", "population": "cells", "neurons": [1] },
              { "kind": "state", "population": "cells", "variable": "v", "interval_ms": 1 }
            ],
            "projections"
            """, StringComparison.Ordinal));
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("run", net, "--execution", "event", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        List<(long, string Population, int Neuron)> spikes = Spikes(outDir);
        Assert.All(spikes, x => Assert.Equal(("cells", 1), (x.Population, x.Neuron)));
        Assert.Equal(2, spikes.Count);

        // The summary still counts every population.
        Assert.Equal(3, Population(s, "stim").GetProperty("spikes").GetInt64());
        string state = Assert.Single(s.GetProperty("outputs").GetProperty("state_csv").EnumerateArray()).GetString()!;
        Assert.Equal(Path.Combine(Path.GetFullPath(outDir), "state_cells_v.csv"), state);
        string[] lines = File.ReadAllLines(state);
        Assert.Equal("time_ns,population,neuron,v", lines[0]);
        Assert.Equal(2 * 11, lines.Length - 1); // samples at 0, 1, …, 10 ms for 2 neurons
        Assert.Equal(
            [.. Enumerable.Range(0, 11).SelectMany(ms => new[] { $"{ms * 1_000_000},cells,0", $"{ms * 1_000_000},cells,1" })],
            lines.Skip(1).Select(l => string.Join(',', l.Split(',').Take(3))).ToArray());
    }

    [Fact]
    public void TextSummaryListsPopulations()
    {
        string net = Write("tiny.json", Tiny);
        var (code, stdout, stderr) = Run("run", net, "--out", Path.Combine(_dir, "out"));
        Assert.True(code == 0, stderr);
        Assert.Contains("cells", stdout, StringComparison.Ordinal);
        Assert.Contains("stim", stdout, StringComparison.Ordinal);
        Assert.Contains("loop", stdout, StringComparison.Ordinal);
        Assert.Contains("spikes.csv", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("brette-cuba.json", "as-declared")]
    [InlineData("brette-coba.json", "as-declared")]
    [InlineData("brette-cuba.json", "event")]
    public void BretteSamplesRunBriefly(string sample, string execution)
    {
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("run", Path.Combine(Repo(), "Samples", "networks", sample), "--duration", "0.01", "--execution", execution, "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        Assert.Equal(execution == "event" ? "event" : "clock", s.GetProperty("execution").GetString());
        Assert.Equal(4000, s.GetProperty("neurons").GetInt64());
        Assert.InRange(s.GetProperty("synapses").GetInt64(), 300_000, 340_000);
        Assert.True(Population(s, "exc").GetProperty("spikes").GetInt64() > 0);
        Assert.Equal(s.GetProperty("spikes").GetInt64(), Spikes(outDir).Count);
    }

    [Fact]
    public void HybridDvsExampleGivesTheAllClockSpikes()
    {
        // Samples/networks/hybrid-dvs.json: a real DVS128 recording → clock-driven conv + LIF → event-driven readout. The
        // readout's inputs arrive on the 0.1 ms grid, so the hybrid run and the all-clock run give the same spikes (within a
        // tick, event-driven spikes are emitted before clock-driven ones, so compare as sets per tick).
        string net = Path.Combine(Repo(), "Samples", "networks", "hybrid-dvs.json");
        var (code, stdout, stderr) = Run("run", net, "--duration", "1", "--out", Path.Combine(_dir, "hybrid"), "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal("hybrid", Json(stdout).GetProperty("execution").GetString());
        (code, _, stderr) = Run("run", net, "--duration", "1", "--execution", "clock", "--out", Path.Combine(_dir, "clock"));
        Assert.True(code == 0, stderr);
        var hybrid = Spikes(Path.Combine(_dir, "hybrid")).Order().ToList();
        var clock = Spikes(Path.Combine(_dir, "clock")).Order().ToList();
        Assert.True(hybrid.Count(x => x.Population == "readout") > 20, $"{hybrid.Count(x => x.Population == "readout")} readout spikes");
        Assert.Equal(clock, hybrid);
    }

    [Fact]
    public void EventFileInputsFeedTheExternalPopulation()
    {
        string nmnist = SharedData("tonic_sample_nmnist.bin");
        const long WindowUs = 100_000;

        // Independent count: events in the first 100 ms, and those with x < 20.
        long inWindow = 0, narrow = 0;
        using (IEventReader reader = EventFile.Open(nmnist))
        using (var batch = new EventBatch())
        {
            while (reader.ReadBatch(batch) > 0)
            {
                for (int i = 0; i < batch.Count; i++)
                {
                    if (batch.T[i] <= WindowUs)
                    {
                        inWindow++;
                        narrow += batch.X[i] < 20 ? 1 : 0;
                    }
                }

                batch.Clear();
            }
        }

        Assert.True(inWindow > 100);
        Assert.True(narrow < inWindow);
        foreach ((int width, long expected) in new[] { (34, inWindow), (20, narrow) })
        {
            string net = Write($"dvs{width}.json", $$"""
                {
                  "populations": [
                    { "name": "dvs", "kind": "external", "shape": [2, 34, {{width}}] },
                    { "name": "cells", "model": "lif", "size": 8 }
                  ],
                  "projections": [{ "pre": "dvs", "post": "cells", "weight": 2, "delay_ms": 1, "connectivity": { "rule": "fixed_probability", "p": 0.05, "seed": 1 } }],
                  "event_inputs": [{ "population": "dvs", "path": "{{nmnist.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "format": "nmnist" }]
                }
                """);
            string outDir = Path.Combine(_dir, $"out{width}");
            var (code, stdout, stderr) = Run("run", net, "--duration", "0.1", "--out", outDir, "--json");
            Assert.True(code == 0, stderr);
            JsonElement input = Assert.Single(Json(stdout).GetProperty("event_inputs").EnumerateArray());
            Assert.Equal("nmnistbin", input.GetProperty("format").GetString());
            Assert.Equal(expected, input.GetProperty("injected").GetInt64());
            Assert.Equal(inWindow - expected, input.GetProperty("skipped_outside").GetInt64());
            Assert.Equal(0, input.GetProperty("skipped_late").GetInt64());
            Assert.Equal(expected, Spikes(outDir).Count(x => x.Population == "dvs"));
        }
    }

    [Fact]
    public void EventsOutsideTheShapeBeforeTimeZeroOrOutOfOrderAreSkippedAndCounted()
    {
        // N-MNIST records (x, y, p, t µs), written by hand; the run shifts them by -2 ms and reads in 10 ms chunks.
        static byte[] Record(int x, int y, int p, int t) => [(byte)x, (byte)y, (byte)((p << 7) | ((t >> 16) & 0x7F)), (byte)(t >> 8), (byte)t];
        (int X, int T)[] events = [(1, 1_000), (2, 25_000), (3, 8_000), (50, 30_000), (4, 32_000)];
        File.WriteAllBytes(Path.Combine(_dir, "crafted.bin"), [.. events.SelectMany(e => Record(e.X, 1, 1, e.T))]);
        string net = Write("crafted.json", """
            {
              "populations": [{ "name": "dvs", "kind": "external", "shape": [2, 34, 34] }],
              "event_inputs": [{ "population": "dvs", "path": "crafted.bin", "format": "nmnist", "time_offset_ms": -2 }]
            }
            """);
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("run", net, "--duration", "0.05", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        JsonElement input = Json(stdout).GetProperty("event_inputs")[0];

        // Source of (x, y = 1, p = 1) is (p·34 + y)·34 + x. (1, 1 ms) lands at -1 ms; (3, 8 ms) lands at 6 ms after (2, 25 ms) was injected in the 20–30 ms chunk; x = 50 is outside.
        Assert.Equal(
            (5L, 2L, 1L, 1L, 1L),
            (input.GetProperty("events_read").GetInt64(), input.GetProperty("injected").GetInt64(), input.GetProperty("skipped_before_zero").GetInt64(),
             input.GetProperty("skipped_late").GetInt64(), input.GetProperty("skipped_outside").GetInt64()));
        Assert.Equal([(23_000_000L, "dvs", (((1 * 34) + 1) * 34) + 2), (30_000_000L, "dvs", (((1 * 34) + 1) * 34) + 4)], Spikes(outDir).Select(x => (x.TimeNs, x.Population, x.Neuron)));
    }

    [Fact]
    public void FirstEventAlignmentStartsARecordingAtTheOffset()
    {
        string aedat = SharedData("tonic_sample.aedat4");
        string net = Write("aedat.json", $$"""
            {
              "populations": [{ "name": "dvs", "kind": "external", "shape": [2, 240, 320] }],
              "event_inputs": [{ "population": "dvs", "path": "{{aedat.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "align": "first_event", "time_offset_ms": 2 }]
            }
            """);
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("run", net, "--duration", "0.01", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        List<(long TimeNs, string, int)> spikes = Spikes(outDir);
        Assert.NotEmpty(spikes);
        Assert.Equal(2_000_000, spikes[0].TimeNs);
        Assert.All(spikes, x => Assert.InRange(x.TimeNs, 2_000_000, 10_000_000));
        Assert.Equal(spikes.Count, Json(stdout).GetProperty("event_inputs")[0].GetProperty("injected").GetInt64());
    }

    [Fact]
    public void BrokenNetworkFilesFailWithOneLineNamingFileAndPath()
    {
        string net = Write("broken.json", Tiny.Replace("\"tau_m_ms\": 10", "\"tau_m_ms\": -3", StringComparison.Ordinal));
        var (code, stdout, stderr) = Run("run", net, "--out", Path.Combine(_dir, "out"), "--json");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout);
        Assert.Equal($"eventsnn: error: {net}: $.populations[1].params.tau_m_ms: must be > 0 (got -3)", stderr.TrimEnd());
        Assert.False(Directory.Exists(Path.Combine(_dir, "out")));

        var missing = Run("run", Path.Combine(_dir, "none.json"));
        Assert.Equal(1, missing.Code);
        Assert.Single(missing.Err.TrimEnd().Split('\n'));
        Assert.Contains("none.json: $: file not found", missing.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreadableEventFilesFailWithOneLine()
    {
        string garbage = Write("garbage.raw", new string('x', 100));
        string net = Write("bad-input.json", """
            {
              "populations": [{ "name": "dvs", "kind": "external", "shape": [2, 8, 8] }],
              "event_inputs": [{ "population": "dvs", "path": "garbage.raw" }]
            }
            """);
        var (code, _, stderr) = Run("run", net, "--duration", "0.01", "--out", Path.Combine(_dir, "out"));
        Assert.Equal(1, code);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Contains("garbage.raw", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void PopulationsWithTheirOwnStepsAndAnEventDrivenOneRunTogether()
    {
        // One stimulus spike at 1 ms reaches three populations after 1 ms: a clock-driven one with dt 0.1 ms, one with
        // dt 0.3 ms (2 ms is not on its grid: the input lands in the step ending at 2.1 ms) and an event-driven one.
        string net = Write("mixed.json", """
            {
              "duration_ms": 5,
              "populations": [
                { "name": "stim", "kind": "spike_source", "size": 1, "spike_times_ms": [[1]] },
                { "name": "a", "model": "if", "size": 1, "execution": { "mode": "clock", "dt_ms": 0.1 } },
                { "name": "b", "model": "if", "size": 1, "execution": { "mode": "clock", "dt_ms": 0.3 } },
                { "name": "c", "model": "if", "size": 1, "execution": { "mode": "event" } }
              ],
              "projections": [
                { "pre": "stim", "post": "a", "connectivity": { "rule": "one_to_one" }, "weight": 20, "delay_ms": 1 },
                { "pre": "stim", "post": "b", "connectivity": { "rule": "one_to_one" }, "weight": 20, "delay_ms": 1 },
                { "pre": "stim", "post": "c", "connectivity": { "rule": "one_to_one" }, "weight": 20, "delay_ms": 1 }
              ]
            }
            """);
        string outDir = Path.Combine(_dir, "mixed");
        var (code, stdout, stderr) = Run("run", net, "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        Assert.Equal("hybrid", s.GetProperty("execution").GetString());
        Assert.Equal(JsonValueKind.Null, s.GetProperty("dt_ns").ValueKind);
        List<(long, string, int)> spikes = Spikes(outDir);
        Assert.Equal([2_000_000L], spikes.Where(x => x.Item2 == "a").Select(x => x.Item1));
        Assert.Equal([2_100_000L], spikes.Where(x => x.Item2 == "b").Select(x => x.Item1));
        Assert.Equal([2_000_000L], spikes.Where(x => x.Item2 == "c").Select(x => x.Item1));
    }

    [Fact]
    public void A_failing_run_leaves_earlier_outputs_untouched()
    {
        // A recording cut in the middle of a packet: the run fails part way, after its outputs were opened.
        byte[] whole = File.ReadAllBytes(SharedData("tonic_sample.aedat4"));
        string cut = Path.Combine(_dir, "cut.aedat4");
        File.WriteAllBytes(cut, whole[..(whole.Length / 3)]);
        string outDir = Path.Combine(_dir, "out");
        string good = Write("good.json", Tiny.Replace("\"projections\"", "\"monitors\": [{ \"kind\": \"state\", \"population\": \"cells\", \"variable\": \"v\", \"interval_ms\": 1 }], \"projections\"", StringComparison.Ordinal));
        var (goodCode, _, goodErr) = Run("run", good, "--out", outDir, "--json");
        Assert.True(goodCode == 0, goodErr);
        string[] files = [.. Directory.GetFiles(outDir).Order(StringComparer.Ordinal)];
        Assert.Equal(["raster.png", "spikes.csv", "state_cells_v.csv"], files.Select(Path.GetFileName));
        Dictionary<string, byte[]> before = files.ToDictionary(f => f, File.ReadAllBytes);

        string bad = Write("bad.json", $$"""
            {
              "populations": [
                { "name": "dvs", "kind": "external", "shape": [2, 8, 8] },
                { "name": "cells", "model": "lif", "size": 2 }
              ],
              "projections": [{ "pre": "dvs", "post": "cells", "connectivity": { "rule": "all_to_all" } }],
              "monitors": [{ "kind": "state", "population": "cells", "variable": "v", "interval_ms": 1 }],
              "event_inputs": [{ "population": "dvs", "path": "{{cut.Replace("\\", "\\\\", StringComparison.Ordinal)}}", "align": "first_event" }]
            }
            """);
        var (code, stdout, stderr) = Run("run", bad, "--duration", "1", "--out", outDir, "--json");
        Assert.Equal(1, code);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.StartsWith("eventsnn: error: ", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(files, Directory.GetFiles(outDir).Order(StringComparer.Ordinal));
        foreach (string f in files)
        {
            Assert.Equal(before[f], File.ReadAllBytes(f));
        }
    }

    [Fact]
    public void An_output_folder_that_is_a_file_fails_before_the_run()
    {
        string net = Write("tiny.json", Tiny);
        string notAFolder = Write("taken", "x");
        var (code, _, stderr) = Run("run", net, "--out", notAFolder);
        Assert.Equal(1, code);
        Assert.Contains("--out", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal("x", File.ReadAllText(notAFolder));
    }

    [Fact]
    public void Spikes_and_samples_stream_so_allocation_does_not_grow_with_the_duration()
    {
        // 100 Poisson sources at 500 Hz: 300,000 more spikes in the longer run (4.8 MB if they were kept as 16-byte records).
        string net = Write("noise.json", """
            {
              "populations": [
                { "name": "noise", "kind": "poisson", "size": 100, "rate_hz": 500, "seed": 3 },
                { "name": "cells", "model": "lif", "size": 2 }
              ],
              "projections": [{ "pre": "noise", "post": "cells", "weight": 0.1, "connectivity": { "rule": "all_to_all" } }],
              "monitors": [{ "kind": "state", "population": "cells", "variable": "v", "interval_ms": 1 }]
            }
            """);
        long Allocated(string seconds, string outDir)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            var (code, stdout, stderr) = Run("run", net, "--duration", seconds, "--execution", "event", "--out", Path.Combine(_dir, outDir), "--json");
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(code == 0, stderr);
            Assert.Equal(Json(stdout).GetProperty("spikes").GetInt64(), Json(stdout).GetProperty("outputs").GetProperty("spikes_written").GetInt64());
            return allocated;
        }

        _ = Allocated("0.5", "warm");
        long shortRun = Allocated("2", "short");
        long longRun = Allocated("8", "long");
        Assert.True(File.ReadAllLines(Path.Combine(_dir, "long", "spikes.csv")).Length - File.ReadAllLines(Path.Combine(_dir, "short", "spikes.csv")).Length > 250_000);
        Assert.True(longRun - shortRun < 1 << 20, $"2 s run allocated {shortRun} bytes, 8 s run {longRun}");
    }

    [Fact]
    public void Rewards_drive_reward_modulated_rules_as_the_engine_does_in_code()
    {
        const string Net = """
            {
              "populations": [
                { "name": "noise", "kind": "poisson", "size": 20, "rate_hz": 40, "seed": 5 },
                { "name": "cells", "model": "lif", "size": 4, "params": { "tau_m_ms": 10, "v_rest_mV": -65, "v_thresh_mV": -55, "v_reset_mV": -65, "t_ref_ms": 2 } }
              ],
              "projections": [{ "name": "learn", "pre": "noise", "post": "cells", "weight": 3, "connectivity": { "rule": "all_to_all" },
                "plasticity": { "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 2, "w_min": 0, "w_max": 12,
                  "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } } }]
              REWARDS
            }
            """;
        string with = Write("reward.json", Net.Replace("REWARDS", """, "rewards": [{ "at_ms": 0, "value": 1 }, { "at_ms": 150, "value": -1, "projection": "learn" }, { "at_ms": 250.5, "value": 3 }]""", StringComparison.Ordinal));
        string without = Write("noreward.json", Net.Replace("REWARDS", string.Empty, StringComparison.Ordinal));
        Assert.Equal(0, Run("run", with, "--duration", "0.4", "--execution", "event", "--out", Path.Combine(_dir, "with")).Code);
        Assert.Equal(0, Run("run", without, "--duration", "0.4", "--execution", "event", "--out", Path.Combine(_dir, "without")).Code);
        List<(long TimeNs, string Population, int Neuron)> run = Spikes(Path.Combine(_dir, "with"));

        // The same in code: stop at each step and set the reward.
        EventSnn.Simulator.NetworkFiles.NetworkFile file = EventSnn.Simulator.NetworkFiles.NetworkFile.Load(with);
        using var engine = new EventSnn.Simulator.Engines.SimulationEngine(file.Network, new EventSnn.Simulator.Engines.EngineOptions { Execution = EventSnn.Simulator.Engines.ExecutionChoice.Event });
        var spikes = new List<(long, string, int)>();
        engine.AddSpikeMonitor(new Recorder((t, p, n) => spikes.Add((t.Ticks, file.Network.Populations[p].Name, n))));
        foreach (EventSnn.Simulator.NetworkFiles.RewardInput r in file.Rewards)
        {
            engine.RunUntil(r.At);
            if (r.Projection is string projection)
            {
                engine.SetReward(projection, r.Value);
            }
            else
            {
                engine.SetReward(r.Value);
            }
        }

        engine.RunUntil(EventSnn.EventQueue.SimTime.FromMilliseconds(400L));
        Assert.True(run.Count(x => x.Population == "cells") > 10, $"{run.Count(x => x.Population == "cells")} cell spikes");
        Assert.Equal(spikes, run);
        Assert.NotEqual(Spikes(Path.Combine(_dir, "without")).Where(x => x.Population == "cells"), run.Where(x => x.Population == "cells"));
    }

    private sealed class Recorder(Action<EventSnn.EventQueue.SimTime, int, int> onSpike) : EventSnn.Simulator.Monitors.ISpikeMonitor
    {
        public void OnSpike(EventSnn.EventQueue.SimTime time, int population, int neuron) => onSpike(time, population, neuron);
    }

    [Theory]
    [InlineData("--execution", "fast")]
    [InlineData("--threads", "0")]
    [InlineData("--threads", "many")]
    [InlineData("--duration", "-1")]
    [InlineData("--duration", "0")]
    [InlineData("--bogus", "1")]
    public void UsageErrorsExitWithTwo(string option, string value)
    {
        string net = Write("tiny.json", Tiny);
        var (code, stdout, stderr) = Run("run", net, option, value, "--out", Path.Combine(_dir, "out"), "--json");
        Assert.Equal(2, code);
        Assert.DoesNotContain("{\"file\"", stdout, StringComparison.Ordinal);
        Assert.NotEqual(string.Empty, stderr);
    }

    [Fact]
    public void MissingArgumentIsAUsageError()
        => Assert.Equal(2, Run("run").Code);
}
