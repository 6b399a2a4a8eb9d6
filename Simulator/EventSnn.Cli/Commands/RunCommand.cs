using System.Collections.Immutable;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSnn.Cli.Commands.Run;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn run NET.json [--duration S] [--execution as-declared|event|clock] [--threads N] [--device D] [--out DIR] [--json]</c>:
/// loads a network file, feeds its event-file inputs, runs it, writes <c>spikes.csv</c> and <c>raster.png</c> (and state
/// CSVs) to the output folder and prints a summary (one JSON object with <c>--json</c>).
/// </summary>
/// <remarks>Exit codes: 0 success, 1 failure (bad network file, unreadable event file, engine error), 2 usage error.</remarks>
internal static class RunCommand
{
    /// <summary>Exit code of a usage error (bad option value, no duration).</summary>
    public const int UsageError = 2;

    /// <summary>The clock step used when clock-driven execution is asked for and no population declares one.</summary>
    public static readonly SimDuration DefaultDt = SimDuration.FromMicroseconds(100);

    private static readonly SimDuration Chunk = SimDuration.FromMilliseconds(10L);

    /// <summary>Creates the <c>run</c> command.</summary>
    public static Command Create()
    {
        var file = new Argument<string>("NET") { Description = "Network file (JSON; format in docs/NetworkFiles.md)." };
        var duration = new Option<double?>("--duration") { Description = "Simulated time in seconds (default: the file's duration_*)." };
        var execution = new Option<string>("--execution")
        {
            Description = "as-declared (each population as its file declares), event (every population event-driven) or clock (every population clock-driven).",
            DefaultValueFactory = _ => "as-declared",
        };
        execution.AcceptOnlyFromAmong("as-declared", "event", "clock");
        var threads = new Option<int>("--threads") { Description = "Worker threads for clock-driven steps (results do not depend on it).", DefaultValueFactory = _ => 1 };
        var output = new Option<string>("--out") { Description = "Output folder for spikes.csv, raster.png and state CSVs.", DefaultValueFactory = _ => "eventsnn-run" };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object." };
        Option<string> device = DeviceOption.Create();

        var command = new Command("run", "Run a network file and write spikes.csv, raster.png and a summary.")
        {
            file,
            duration,
            execution,
            threads,
            device,
            output,
            json,
        };
        command.SetAction(parse =>
        {
            try
            {
                return Run(
                    parse.GetValue(file)!,
                    parse.GetValue(duration),
                    parse.GetValue(execution) ?? "as-declared",
                    parse.GetValue(threads),
                    parse.GetValue(output) ?? "eventsnn-run",
                    parse.GetValue(json),
                    parse.GetValue(device));
            }
            catch (UsageException ex)
            {
                Console.Error.WriteLine($"eventsnn: error: {ex.Message}");
                return UsageError;
            }
            catch (Exception ex) when (CliAction.IsUserError(ex))
            {
                Console.Error.WriteLine($"eventsnn: error: {OneLine(ex.Message)}");
                return CliAction.UserError;
            }
            catch (OutOfMemoryException)
            {
                Console.Error.WriteLine("eventsnn: error: out of memory: the network (or its spike record) does not fit; run a smaller network or a shorter --duration");
                return CliAction.UserError;
            }
        });
        return command;
    }

    private static int Run(string path, double? seconds, string executionText, int threads, string outDir, bool json, string? deviceName)
    {
        if (seconds is double s && (!double.IsFinite(s) || s <= 0 || s > 1e6))
        {
            throw new UsageException($"--duration must be a positive number of seconds, at most 1e6 (got {s.ToString(CultureInfo.InvariantCulture)})");
        }

        if (threads is < 1 or > 256)
        {
            throw new UsageException($"--threads must be in 1..256 (got {threads})");
        }

        if (string.IsNullOrWhiteSpace(outDir))
        {
            throw new UsageException("--out must name a folder");
        }

        RunExecution execution = executionText switch
        {
            "event" => RunExecution.Event,
            "clock" => RunExecution.Clock,
            _ => RunExecution.AsDeclared,
        };

        var setup = Stopwatch.StartNew();
        NetworkFile file = NetworkFile.Load(path);
        SimDuration duration = seconds is double sec
            ? SimDuration.FromSeconds(sec)
            : file.Duration ?? throw new UsageException($"{path} gives no duration: pass --duration SECONDS or set \"duration_s\" in the file");
        if (duration.Ticks < 1)
        {
            throw new UsageException("--duration is below one tick (1 ns)");
        }

        NetworkSpec spec = file.Network;
        var feeds = new List<EventFileFeed>();
        try
        {
            foreach (EventFileInput input in file.EventInputs)
            {
                feeds.Add(EventFileFeed.Open(input, spec));
            }

            using DeviceSelection device = DeviceOption.Select(deviceName, RunEngineFactory.ClockNeurons(spec, execution, DefaultDt), Console.Error);
            using RunEngine run = RunEngineFactory.Create(spec, execution, threads, DefaultDt, device.Device);
            using var outputs = new RunOutputWriter(outDir, spec, duration);
            var counts = new SpikeCounter(spec.Populations.Length);
            run.Engine.AddSpikeMonitor(counts);
            outputs.Attach(run.Engine);

            setup.Stop();
            SimTime end = SimTime.Zero + duration;
            TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            var loop = Stopwatch.StartNew();
            int nextReward = ApplyRewards(run.Engine, file.Rewards, 0);
            while (run.Engine.Now < end)
            {
                // Run to the end, stopping at each reward step and, with event files, every chunk to inject their events.
                SimTime stop = feeds.Count > 0 && end - run.Engine.Now > Chunk ? run.Engine.Now + Chunk : end;
                if (nextReward < file.Rewards.Length && file.Rewards[nextReward].At < stop)
                {
                    stop = file.Rewards[nextReward].At;
                }

                foreach (EventFileFeed feed in feeds)
                {
                    feed.InjectUntil(run.Engine, stop);
                }

                run.Engine.RunUntil(stop);
                nextReward = ApplyRewards(run.Engine, file.Rewards, nextReward);
            }

            loop.Stop();
            double loopCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;

            outputs.Commit($"{file.Name ?? Path.GetFileNameWithoutExtension(path)} ({run.Execution}-driven, {duration})", end);
            long synapses = spec.Projections.Sum(pr => (long)run.Engine.GetSynapses(pr.Id).SynapseCount);
            var summary = new Summary(path, file.Name, executionText, run, duration, setup.Elapsed.TotalSeconds, loop.Elapsed.TotalSeconds, loopCpu, synapses, counts.Counts, outputs.SpikesWritten, feeds, outputs, outputs.StateFiles);
            if (json)
            {
                WriteJson(Console.Out, spec, summary);
            }
            else
            {
                WriteText(Console.Out, spec, summary);
            }

            return 0;
        }
        finally
        {
            foreach (EventFileFeed feed in feeds)
            {
                feed.Dispose();
            }
        }
    }

    /// <summary>Sets every reward step due by now (from <paramref name="next"/> on); returns the first one still ahead.</summary>
    private static int ApplyRewards(ISimulationEngine run, ImmutableArray<RewardInput> rewards, int next)
    {
        if (next >= rewards.Length)
        {
            return next;
        }

        // The run command builds a SimulationEngine (RunEngineFactory), the engine that carries reward inputs.
        var engine = (SimulationEngine)run;
        for (; next < rewards.Length && rewards[next].At <= engine.Now; next++)
        {
            RewardInput r = rewards[next];
            if (r.Projection is string projection)
            {
                engine.SetReward(projection, r.Value);
            }
            else
            {
                engine.SetReward(r.Value);
            }
        }

        return next;
    }

    private static void WriteJson(TextWriter output, NetworkSpec spec, Summary s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("file", s.Path);
            if (s.Name is null)
            {
                w.WriteNull("name");
            }
            else
            {
                w.WriteString("name", s.Name);
            }

            w.WriteString("execution", s.Run.Execution);
            w.WriteString("execution_requested", s.Requested);
            if (s.Run.Dt is SimDuration dt)
            {
                w.WriteNumber("dt_ns", dt.Ticks);
            }
            else
            {
                w.WriteNull("dt_ns");
            }

            w.WriteNumber("threads", s.Run.Threads);
            w.WriteString("device", s.Run.Device);
            w.WriteNumber("duration_s", s.Duration.TotalSeconds);
            w.WriteNumber("setup_s", Math.Round(s.SetupSeconds, 6));
            w.WriteNumber("loop_s", Math.Round(s.LoopSeconds, 6));
            w.WriteNumber("loop_cpu_s", Math.Round(s.LoopCpuSeconds, 6));
            w.WriteNumber("neurons", spec.Populations.Where(p => p.Kind == PopulationKind.Neurons).Sum(p => (long)p.Size));
            w.WriteNumber("synapses", s.Synapses);
            w.WriteNumber("spikes", s.Counts.Sum());
            w.WriteStartArray("populations");
            foreach (PopulationSpec p in spec.Populations)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Name);
                w.WriteString("kind", KindName(p.Kind));
                w.WriteNumber("size", p.Size);
                w.WriteNumber("spikes", s.Counts[p.Id]);
                w.WriteNumber("rate_hz", Rate(s, p));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("event_inputs");
            foreach (EventFileFeed f in s.Feeds)
            {
                w.WriteStartObject();
                w.WriteString("population", f.Input.Population);
                w.WriteString("path", f.Input.Path);
                w.WriteString("format", EventFileOptions.FormatName(f.Format));
                w.WriteNumber("events_read", f.Read);
                w.WriteNumber("injected", f.Injected);
                w.WriteNumber("skipped_outside", f.SkippedOutside);
                w.WriteNumber("skipped_before_zero", f.SkippedBeforeZero);
                w.WriteNumber("skipped_late", f.SkippedLate);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("outputs");
            w.WriteString("folder", s.Outputs.Folder);
            w.WriteString("spikes_csv", s.Outputs.SpikesCsv);
            w.WriteNumber("spikes_written", s.SpikesWritten);
            w.WriteString("raster_png", s.Outputs.RasterPng);
            w.WriteStartArray("state_csv");
            foreach (string f in s.StateFiles)
            {
                w.WriteStringValue(f);
            }

            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndObject();
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteText(TextWriter output, NetworkSpec spec, Summary s)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
        var table = new Table().AddColumns("Population", "Kind", "Size", "Spikes", "Rate (Hz)");
        foreach (PopulationSpec p in spec.Populations)
        {
            table.AddRow(Markup.Escape(p.Name), KindName(p.Kind), p.Size.ToString(CultureInfo.InvariantCulture), s.Counts[p.Id].ToString(CultureInfo.InvariantCulture), Rate(s, p).ToString("F3", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        string dt = s.Run.Dt is SimDuration d ? $", dt {d}" : string.Empty;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network: {s.Path}{(s.Name is null ? string.Empty : $" ({s.Name})")}, {spec.Populations.Length} populations, {s.Synapses} synapses"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"execution: {s.Run.Execution} (asked: {s.Requested}{dt}), threads {s.Run.Threads}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated {s.Duration.TotalSeconds} s: loop {s.LoopSeconds:F3} s ({s.LoopCpuSeconds:F3} s processor time), setup {s.SetupSeconds:F3} s, {s.Counts.Sum()} spikes"));
        foreach (EventFileFeed f in s.Feeds)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"events: {f.Input.Path} -> {f.Input.Population}: {f.Read} read, {f.Injected} injected, {f.SkippedOutside} outside the shape, {f.SkippedBeforeZero} before time 0, {f.SkippedLate} out of order"));
        }

        output.WriteLine($"spikes: {s.Outputs.SpikesCsv} ({s.SpikesWritten} spikes)");
        output.WriteLine($"raster: {s.Outputs.RasterPng}");
        foreach (string f in s.StateFiles)
        {
            output.WriteLine($"state: {f}");
        }
    }

    private static double Rate(Summary s, PopulationSpec p) => s.Counts[p.Id] / (p.Size * s.Duration.TotalSeconds);

    private static string KindName(PopulationKind kind) => kind switch
    {
        PopulationKind.Neurons => "neurons",
        PopulationKind.SpikeSource => "spike_source",
        PopulationKind.Poisson => "poisson",
        _ => "external",
    };

    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');

    private sealed record Summary(
        string Path,
        string? Name,
        string Requested,
        RunEngine Run,
        SimDuration Duration,
        double SetupSeconds,
        double LoopSeconds,
        double LoopCpuSeconds,
        long Synapses,
        long[] Counts,
        long SpikesWritten,
        IReadOnlyList<EventFileFeed> Feeds,
        RunOutputWriter Outputs,
        IReadOnlyList<string> StateFiles);

    /// <summary>Counts spikes per population.</summary>
    private sealed class SpikeCounter(int populations) : ISpikeMonitor
    {
        public long[] Counts { get; } = new long[populations];

        public void OnSpike(SimTime time, int population, int neuron) => Counts[population]++;
    }

    /// <summary>A usage error: the command line asks for something impossible (exit code 2).</summary>
    private sealed class UsageException(string message) : Exception(message);
}
