using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EventSnn.Fuzz;

/// <summary>
/// <c>dotnet run -c Release --project Tests/EventSnn.Fuzz -- [--iterations N] [--readers evt2,evt3,...] [--seed S]
/// [--max-input BYTES] [--hang-ms MS] [--findings DIR] [--data DIR] [--replay FILE]</c>: mutation fuzzing of every event-file reader
/// over the real samples in <c>../shared/data</c>, in-process. Prints one JSON object (executions, decoded inputs,
/// format errors, crashes, hangs, allocation-bound violations, peak allocation per input, slowest input, peak working
/// set) and exits 0 when nothing was found, 1 when something was, 2 for bad arguments, 3 when a reader hung inside one
/// call (the input is saved under --findings). <c>--replay FILE</c> reads one saved input with the chosen readers.
/// </summary>
internal static class Program
{
    private static string? s_replay;

    public static int Main(string[] args)
    {
        FuzzOptions options;
        try
        {
            options = Parse(args);
        }
        catch (ArgumentException ex)
        {
            Console.Error.WriteLine($"eventsnn-fuzz: error: {ex.Message}");
            return 2;
        }

        if (s_replay is string replay)
        {
            foreach (string line in FuzzCampaign.Replay(options, File.ReadAllBytes(replay)))
            {
                Console.Out.WriteLine(line);
            }

            return 0;
        }

        var clock = Stopwatch.StartNew();
        using var done = new ManualResetEventSlim();
        var watchdog = new Thread(() => Watch(options, done)) { IsBackground = true, Name = "fuzz watchdog" };
        watchdog.Start();
        List<ReaderResult> results = FuzzCampaign.Run(options, line => Console.Error.WriteLine($"eventsnn-fuzz: {line}"));
        done.Set();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        Console.Out.WriteLine(ToJson(options, results, clock.Elapsed.TotalSeconds, process.PeakWorkingSet64));
        return results.Any(r => r.Crashes > 0 || r.Hangs > 0 || r.AllocationViolations > 0) ? 1 : 0;
    }

    /// <summary>Ends the process when one reader call has run for max(10 s, 5 × the hang limit).</summary>
    private static void Watch(FuzzOptions options, ManualResetEventSlim done)
    {
        double limit = Math.Max(10, 5 * options.HangLimit.TotalSeconds);
        while (!done.Wait(500))
        {
            if (FuzzCampaign.Current is { } current && Stopwatch.GetElapsedTime(current.Start).TotalSeconds > limit)
            {
                string? finding = FuzzCampaign.SaveStuck(options);
                Console.Error.WriteLine($"eventsnn-fuzz: hang: {finding}");
                Console.Out.WriteLine(JsonSerializer.Serialize(new { hang = finding }));
                Environment.Exit(3);
            }
        }
    }

    internal static string ToJson(FuzzOptions options, IReadOnlyList<ReaderResult> results, double seconds, long peakWorkingSet)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("seed", options.Seed);
            w.WriteNumber("iterations_per_reader", options.Iterations);
            w.WriteNumber("max_input_bytes", options.MaxInputBytes);
            w.WriteNumber("hang_limit_ms", options.HangLimit.TotalMilliseconds);
            w.WriteNumber("processors", Environment.ProcessorCount);
            w.WriteNumber("elapsed_s", Math.Round(seconds, 1));
            w.WriteNumber("peak_working_set_bytes", peakWorkingSet);
            w.WriteStartArray("readers");
            foreach (ReaderResult r in results)
            {
                w.WriteStartObject();
                w.WriteString("reader", r.Reader);
                w.WriteNumber("executions", r.Executions);
                w.WriteNumber("decoded", r.Decoded);
                w.WriteNumber("format_errors", r.FormatErrors);
                w.WriteNumber("crashes", r.Crashes);
                w.WriteNumber("hangs", r.Hangs);
                w.WriteNumber("allocation_bound_violations", r.AllocationViolations);
                w.WriteNumber("peak_allocated_bytes_per_input", r.PeakAllocatedBytes);
                w.WriteNumber("slowest_input_ms", Math.Round(r.SlowestInputMs, 2));
                w.WriteNumber("executions_per_s", Math.Round(r.Executions / Math.Max(r.Seconds, 1e-9)));
                w.WriteStartArray("findings");
                foreach (string f in r.Findings)
                {
                    w.WriteStringValue(f);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(stream.ToArray());
    }

    private static FuzzOptions Parse(string[] args)
    {
        long iterations = 1_000_000;
        string[] readers = FuzzTargets.Names;
        int seed = 1;
        int maxInput = 64 * 1024;
        int hangMs = 2000;
        string? findings = null;
        string? data = null;
        for (int i = 0; i < args.Length; i++)
        {
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--iterations":
                    iterations = long.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--readers":
                    readers = Value().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                    break;
                case "--seed":
                    seed = int.Parse(Value(), NumberStyles.Integer, CultureInfo.InvariantCulture);
                    break;
                case "--max-input":
                    maxInput = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--hang-ms":
                    hangMs = int.Parse(Value(), NumberStyles.None, CultureInfo.InvariantCulture);
                    break;
                case "--findings":
                    findings = Value();
                    break;
                case "--data":
                    data = Value();
                    break;
                case "--replay":
                    s_replay = Value();
                    break;
                case "--help" or "-h":
                    throw new ArgumentException("usage: eventsnn-fuzz [--iterations N] [--readers " + string.Join(',', FuzzTargets.Names) + "] [--seed S] [--max-input BYTES] [--hang-ms MS] [--findings DIR] [--data DIR] [--replay FILE]");
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}' (see --help)");
            }
        }

        foreach (string r in readers)
        {
            if (!FuzzTargets.Names.Contains(r))
            {
                throw new ArgumentException($"unknown reader '{r}'; known: {string.Join(", ", FuzzTargets.Names)}");
            }
        }

        if (iterations < 1 || maxInput < 16 || hangMs < 1)
        {
            throw new ArgumentException("--iterations, --max-input (at least 16) and --hang-ms must be positive");
        }

        data ??= FindData() ?? throw new ArgumentException("../shared/data not found above the current folder or the program; pass --data DIR");
        return new FuzzOptions
        {
            Iterations = iterations,
            Readers = readers,
            Seed = seed,
            MaxInputBytes = maxInput,
            HangLimit = TimeSpan.FromMilliseconds(hangMs),
            FindingsDirectory = findings,
            DataDirectory = data,
        };
    }

    /// <summary>Finds <c>../shared/data</c> beside the folder holding <c>EventSnn.sln</c>, above the current folder or the program.</summary>
    internal static string? FindData()
    {
        foreach (string start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
                {
                    string data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                    if (Directory.Exists(data))
                    {
                        return data;
                    }
                }
            }
        }

        return null;
    }
}
