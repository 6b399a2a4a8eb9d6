using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSnn.Cli.Commands.Run;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using EventSnn.Simulator.Replay;
using Microsoft.Extensions.FileSystemGlobbing;
using Microsoft.Extensions.FileSystemGlobbing.Abstractions;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn replay NET --dataset ID --root DIR | --files GLOB [--out DIR] [--json]</c>: streams every sample of a
/// dataset, or every file a pattern matches, event by event into a network file's external input, resets state
/// between samples, decodes the output population, and reports predictions, accuracy where labels exist, and
/// throughput (samples/s, events/s) with a progress bar (<see cref="OfflineReplay"/>).
/// </summary>
internal static class ReplayCommand
{
    /// <summary>Creates the <c>replay</c> command.</summary>
    public static Command Create()
    {
        var net = new Argument<string>("NET") { Description = "Network file (JSON; docs/NetworkFiles.md) or saved layer model (docs/Layers.md) with an external input population (shape [2, height, width] for a camera)." };
        var dataset = new Option<string?>("--dataset") { Description = $"Dataset identifier: {string.Join(", ", DatasetCatalog.All.Select(d => d.Id))} (with --root)." };
        var root = new Option<string?>("--root") { Description = "The dataset's folder (as eventsnn datasets info describes its layout)." };
        var split = new Option<string?>("--split") { Description = "The dataset's split (default: its first, e.g. train)." };
        var files = new Option<string?>("--files") { Description = "Event files to replay: a path or a pattern (*, ?, ** for any folders), e.g. 'data/Test/*/*.bin'; labels come from folder layouts the datasets define (N-MNIST digit folders, N-CARS cars|background)." };
        var outDir = new Option<string?>("--out") { Description = "Folder for predictions.csv and summary.json." };
        var json = new Option<bool>("--json") { Description = "Print the summary as one JSON object (no progress bar)." };
        var input = new Option<string?>("--input") { Description = "The external population to feed (default: the network's only one)." };
        var output = new Option<string?>("--output") { Description = "The neuron population to decode (default: the network's last)." };
        var decode = new Option<string>("--decode") { Description = "count: most spikes wins (snnTorch accuracy_rate); first-spike: earliest spike wins (accuracy_temporal).", DefaultValueFactory = _ => "count" };
        decode.AcceptOnlyFromAmong("count", "first-spike");
        var align = new Option<string>("--align") { Description = "first-event: a sample's first event lands at its start; sample-time: event time 0 does.", DefaultValueFactory = _ => "first-event" };
        align.AcceptOnlyFromAmong("first-event", "sample-time");
        var tail = new Option<double>("--tail") { Description = "Milliseconds simulated after a sample's last event.", DefaultValueFactory = _ => 10.0 };
        tail.InRange(0.0, 1e6);
        var maxDuration = new Option<double?>("--max-duration") { Description = "Feed only the first MS milliseconds of each sample." };
        maxDuration.Check(v => v is double d && (!double.IsFinite(d) || d <= 0 || d > 1e9) ? $"must be a positive number of milliseconds (got {d.ToString(CultureInfo.InvariantCulture)})" : null);
        var limit = new Option<int?>("--limit") { Description = "Replay at most N samples." };
        limit.Check(v => v is < 1 ? $"must be 1 or more (got {v})" : null);
        var execution = new Option<string>("--execution") { Description = "as-declared, event or clock (every population).", DefaultValueFactory = _ => "as-declared" };
        execution.AcceptOnlyFromAmong("as-declared", "event", "clock");
        var threads = new Option<int>("--threads") { Description = "Worker threads for clock-driven steps and for the samples of a batch (--batch).", DefaultValueFactory = _ => 1 };
        threads.InRange(1, 256);
        var batch = new Option<int>("--batch") { Description = "Samples run B at a time over the threads: a clock-driven network as one batch (one dt, static projections), any other on one engine copy per thread (static projections, external inputs only); each result equals the one-by-one replay's.", DefaultValueFactory = _ => 1 };
        batch.InRange(1, 4096);

        var command = new Command("replay", "Replay a dataset or event files through a network: predictions, accuracy and throughput.") { net };
        foreach (Option o in (Option[])[dataset, root, split, files, outDir, json, input, output, decode, align, tail, maxDuration, limit, execution, threads, batch])
        {
            command.Options.Add(o);
        }

        command.SetAction(parse => CliAction.Run(() =>
        {
            var args = new Args(
                parse.GetValue(net)!,
                parse.GetValue(dataset),
                parse.GetValue(root),
                parse.GetValue(split),
                parse.GetValue(files),
                parse.GetValue(outDir),
                parse.GetValue(json),
                parse.GetValue(input),
                parse.GetValue(output),
                parse.GetValue(decode) == "first-spike" ? ReplayDecoding.FirstSpike : ReplayDecoding.SpikeCount,
                parse.GetValue(align) == "sample-time" ? ReplayAlignment.SampleTime : ReplayAlignment.FirstEvent,
                parse.GetValue(tail),
                parse.GetValue(maxDuration),
                parse.GetValue(limit),
                parse.GetValue(execution) ?? "as-declared",
                parse.GetValue(threads),
                parse.GetValue(batch));
            return Run(args, parse.InvocationConfiguration.Output);
        }));
        return command;
    }

    private static int Run(Args a, TextWriter stdout)
    {
        if ((a.Dataset is null) == (a.Files is null))
        {
            throw new CliUsageException("give the samples with either --dataset ID --root DIR or --files GLOB");
        }

        if (a.Dataset is not null && a.Root is null)
        {
            throw new CliUsageException("--dataset needs --root DIR (the dataset's folder)");
        }

        if (a.Files is not null && (a.Root is not null || a.Split is not null))
        {
            throw new CliUsageException($"{(a.Root is not null ? "--root" : "--split")} goes with --dataset, not --files");
        }

        string netPath = CliPaths.RequireInputFile(a.Net, "NET");
        string? outFolder = a.Out is null ? null : CliPaths.RequireOutputFolder(a.Out, "--out");
        NetworkSpec network = LayerGraph.IsModelFile(netPath) ? LayerGraph.Load(netPath).Build() : NetworkFile.Load(netPath).Network;
        Samples samples = a.Dataset is not null ? FromDataset(a.Dataset, a.Root!, a.Split) : FromFiles(a.Files!);
        try
        {
            int total = a.Limit is int l ? Math.Min(l, samples.Count) : samples.Count;
            RunExecution exec = a.Execution switch { "event" => RunExecution.Event, "clock" => RunExecution.Clock, _ => RunExecution.AsDeclared };
            using RunEngine run = RunEngineFactory.Create(network, exec, a.Threads, RunCommand.DefaultDt);
            var options = new ReplayOptions
            {
                Input = a.Input,
                Output = a.Output,
                Decoding = a.Decoding,
                Alignment = a.Alignment,
                Tail = SimDuration.FromMilliseconds(a.TailMs),
                MaxDuration = a.MaxDurationMs is double md ? SimDuration.FromMilliseconds(md) : null,
                Batch = a.Batch,
            };
            OfflineReplay replay;
            try
            {
                replay = new OfflineReplay((Simulator.Engines.SimulationEngine)run.Engine, options);
            }
            catch (ArgumentException ex)
            {
                string message = Plain(ex);
                if (a.Batch > 1 && message.StartsWith("Batched replay", StringComparison.Ordinal))
                {
                    throw new CliUsageException($"--batch: {message}");
                }

                string flag = message.Contains("to feed", StringComparison.Ordinal) || message.Contains("external", StringComparison.Ordinal) ? "--input" : "--output";
                bool named = flag == "--input" ? a.Input is not null : a.Output is not null;
                throw named ? new CliUsageException($"{flag}: {message}") : new InvalidDataException($"{netPath}: {message}");
            }

            using (replay)
            {
                IEnumerable<ReplayItem> items = samples.Items.Take(total);
                ReplaySummary summary = a.Json || Console.IsErrorRedirected
                    ? replay.Run(items, total)
                    : RunWithBar(replay, items, total);
                string? predictionsCsv = null, summaryJson = null;
                if (outFolder is not null)
                {
                    predictionsCsv = Path.Combine(outFolder, "predictions.csv");
                    summaryJson = Path.Combine(outFolder, "summary.json");
                    AtomicFile.Write(predictionsCsv, "--out", s => WritePredictions(s, summary));
                }

                PopulationSpec inPop = network.Populations[replay.InputPopulation];
                PopulationSpec outPop = network.Populations[replay.OutputPopulation];
                var report = new Report(netPath, samples.Description, run.Execution, a.Decoding, inPop.Name, outPop.Name, summary, predictionsCsv, summaryJson);
                string jsonText = ToJson(report);
                if (summaryJson is not null)
                {
                    AtomicFile.Write(summaryJson, "--out", s => s.Write(Encoding.UTF8.GetBytes(jsonText + "\n")));
                }

                if (a.Json)
                {
                    stdout.WriteLine(jsonText);
                }
                else
                {
                    WriteText(stdout, report, samples.Classes);
                }
            }

            return CliAction.Success;
        }
        finally
        {
            samples.Owner?.Dispose();
        }
    }

    /// <summary>An argument exception's message without the parameter name and the final full stop.</summary>
    private static string Plain(ArgumentException ex) =>
        (ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal)).TrimEnd('.');

    private static Samples FromDataset(string id, string root, string? split)
    {
        DatasetDescription d;
        try
        {
            d = DatasetCatalog.Describe(id);
        }
        catch (ArgumentException ex)
        {
            throw new CliUsageException($"--dataset: {Plain(ex)}");
        }

        if (split is not null && !d.Splits.Contains(split.Trim().ToLowerInvariant()))
        {
            throw new CliUsageException($"--split: {d.Title} has no split '{split}'; it has: {string.Join(", ", d.Splits)}");
        }

        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"--root {Path.GetFullPath(root)}: no such folder");
        }

        IEventDataset ds = DatasetCatalog.Open(d.Id, root, split);
        if (ds.Count == 0)
        {
            (ds as IDisposable)?.Dispose();
            throw new InvalidDataException($"{ds.Name} under {Path.GetFullPath(root)} has no samples");
        }

        IEnumerable<ReplayItem> Items()
        {
            for (int i = 0; i < ds.Count; i++)
            {
                int index = i;
                yield return new ReplayItem(ds.GetSourceName(index), ds.GetLabel(index), () => ds.OpenSample(index));
            }
        }

        return new Samples($"{ds.Name} from {ds.Root}", ds.Count, Items(), ds.Classes, ds as IDisposable);
    }

    private static Samples FromFiles(string pattern)
    {
        string[] paths = Expand(pattern);
        var items = new List<ReplayItem>(paths.Length);
        IReadOnlyList<string>? classes = null;
        foreach (string path in paths)
        {
            EventFormat format = EventFile.Detect(path);
            (int? label, IReadOnlyList<string>? names) = LabelOf(path, format);
            classes ??= names;
            items.Add(new ReplayItem(path, label, () => EventFile.Open(path, format)));
        }

        return new Samples($"{paths.Length} file(s) matching {pattern}", items.Count, items, classes, null);
    }

    /// <summary>The label a dataset's folder layout gives a file: N-MNIST's digit folder, N-CARS's cars|background.</summary>
    internal static (int? Label, IReadOnlyList<string>? Classes) LabelOf(string path, EventFormat format)
    {
        DatasetDescription? d = DatasetCatalog.FindByFilePath(path, format);
        string? parent = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)));
        return d?.Id switch
        {
            "nmnist" => (parent![0] - '0', NMnistDataset.ClassNames),
            "ncars" => (string.Equals(parent, "cars", StringComparison.OrdinalIgnoreCase) ? 1 : 0, NCarsDataset.ClassNames),
            _ => (null, null),
        };
    }

    /// <summary>The files a path or pattern names, ordinal-sorted; a pattern's fixed leading folders are its root.</summary>
    internal static string[] Expand(string pattern)
    {
        if (pattern.IndexOfAny(['*', '?', '[']) < 0)
        {
            return [CliPaths.RequireInputFile(pattern, "--files")];
        }

        string normalized = pattern.Replace('\\', '/');
        string[] parts = normalized.Split('/');
        int firstWild = Array.FindIndex(parts, p => p.IndexOfAny(['*', '?', '[']) >= 0);
        string rootText = string.Join('/', parts[..firstWild]);
        string root = Path.GetFullPath(rootText.Length == 0 ? (normalized.StartsWith('/') ? "/" : ".") : rootText);
        if (!Directory.Exists(root))
        {
            throw new DirectoryNotFoundException($"--files {pattern}: folder {root} does not exist");
        }

        var matcher = new Matcher(StringComparison.Ordinal);
        matcher.AddInclude(string.Join('/', parts[firstWild..]));
        string[] found = [.. matcher.Execute(new DirectoryInfoWrapper(new DirectoryInfo(root))).Files
            .Select(f => Path.GetFullPath(Path.Combine(root, f.Path)))
            .Order(StringComparer.Ordinal)];
        return found.Length > 0 ? found : throw new FileNotFoundException($"--files {pattern}: no file matches (looked under {root})");
    }

    private static ReplaySummary RunWithBar(OfflineReplay replay, IEnumerable<ReplayItem> items, int total)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        ReplaySummary? summary = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask("replay", maxValue: Math.Max(1, total));
                var progress = new SyncProgress(p =>
                {
                    task.Value = p.Done;
                    string acc = double.IsNaN(p.Accuracy) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{p.Accuracy * 100:F1} %");
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Done}/{total} samples, {p.SamplesPerSecond:F1} samples/s, {p.EventsPerSecond:F0} events/s, accuracy {acc}");
                });
                summary = replay.Run(items, total, progress);
            });
        return summary!;
    }

    private static void WritePredictions(Stream stream, ReplaySummary summary)
    {
        using var w = new StreamWriter(stream, new UTF8Encoding(false), 1 << 16, leaveOpen: true);
        w.WriteLine("sample,source,label,prediction,correct,events,injected,skipped,output_spikes,duration_ns");
        foreach (ReplaySampleResult r in summary.Results)
        {
            w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Index},{Csv(r.Source)},{(r.Label is int l ? l.ToString(CultureInfo.InvariantCulture) : string.Empty)},{r.Prediction},{(r.Label is null ? string.Empty : r.Correct ? "1" : "0")},{r.Events},{r.Injected},{r.Skipped},{r.OutputSpikes},{r.Duration.Ticks}"));
        }
    }

    private static string Csv(string text) => text.IndexOfAny([',', '"', '\n', '\r']) < 0 ? text : $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"";

    private static string ToJson(Report r)
    {
        ReplaySummary s = r.Summary;
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("network", r.Network);
            w.WriteString("samples_from", r.From);
            w.WriteString("execution", r.Execution);
            w.WriteString("decode", r.Decoding == ReplayDecoding.FirstSpike ? "first-spike" : "count");
            w.WriteString("input", r.Input);
            w.WriteString("output", r.Output);
            w.WriteNumber("samples", s.Samples);
            w.WriteNumber("labelled", s.Labelled);
            w.WriteNumber("correct", s.Correct);
            if (double.IsNaN(s.Accuracy))
            {
                w.WriteNull("accuracy");
            }
            else
            {
                w.WriteNumber("accuracy", s.Accuracy);
            }

            w.WriteNumber("silent", s.Results.Count(x => x.Prediction < 0));
            w.WriteNumber("events", s.Events);
            w.WriteNumber("injected", s.Injected);
            w.WriteNumber("skipped", s.Results.Sum(x => x.Skipped));
            w.WriteNumber("output_spikes", s.Results.Sum(x => x.OutputSpikes));
            w.WriteNumber("loop_s", Math.Round(s.Elapsed.TotalSeconds, 6));
            w.WriteNumber("samples_per_s", Math.Round(s.SamplesPerSecond, 3));
            w.WriteNumber("events_per_s", Math.Round(s.EventsPerSecond, 1));
            w.WriteStartArray("predictions");
            foreach (ReplaySampleResult x in s.Results.Take(MaxJsonPredictions))
            {
                w.WriteStartObject();
                w.WriteString("source", x.Source);
                if (x.Label is int l)
                {
                    w.WriteNumber("label", l);
                }
                else
                {
                    w.WriteNull("label");
                }

                w.WriteNumber("prediction", x.Prediction);
                w.WriteNumber("events", x.Events);
                w.WriteNumber("output_spikes", x.OutputSpikes);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("predictions_truncated", s.Samples > MaxJsonPredictions);
            if (r.PredictionsCsv is null)
            {
                w.WriteNull("predictions_csv");
            }
            else
            {
                w.WriteString("predictions_csv", r.PredictionsCsv);
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>The JSON summary lists at most this many predictions (all of them are in predictions.csv).</summary>
    private const int MaxJsonPredictions = 1000;

    private static void WriteText(TextWriter output, Report r, IReadOnlyList<string>? classes)
    {
        ReplaySummary s = r.Summary;
        if (s.Samples <= 20)
        {
            IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors });
            var table = new Table().AddColumns("Sample", "Label", "Prediction", "Events", "Output spikes");
            foreach (ReplaySampleResult x in s.Results)
            {
                table.AddRow(
                    Markup.Escape(Path.GetFileName(x.Source)),
                    x.Label is int l ? Markup.Escape(ClassName(l, classes)) : "–",
                    x.Prediction < 0 ? "(silent)" : Markup.Escape(ClassName(x.Prediction, classes)),
                    x.Events.ToString(CultureInfo.InvariantCulture),
                    x.OutputSpikes.ToString(CultureInfo.InvariantCulture));
            }

            console.Write(table);
        }

        output.WriteLine($"network: {r.Network} ({r.Execution}-driven), input '{r.Input}', output '{r.Output}', decode {(r.Decoding == ReplayDecoding.FirstSpike ? "first-spike" : "count")}");
        output.WriteLine($"samples: {s.Samples} from {r.From}");
        string acc = double.IsNaN(s.Accuracy)
            ? "no labels"
            : string.Create(CultureInfo.InvariantCulture, $"{s.Accuracy * 100:F2} % ({s.Correct} of {s.Labelled} labelled)");
        output.WriteLine($"accuracy: {acc}; {s.Results.Count(x => x.Prediction < 0)} silent");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput: {s.SamplesPerSecond:F2} samples/s, {s.EventsPerSecond:F0} events/s ({s.Events} events in {s.Elapsed.TotalSeconds:F3} s)"));
        if (r.PredictionsCsv is not null)
        {
            output.WriteLine($"predictions: {r.PredictionsCsv}");
            output.WriteLine($"summary: {r.SummaryJson}");
        }
    }

    private static string ClassName(int label, IReadOnlyList<string>? classes) =>
        classes is not null && label < classes.Count ? $"{label} ({classes[label]})" : label.ToString(CultureInfo.InvariantCulture);

    private sealed record Args(
        string Net,
        string? Dataset,
        string? Root,
        string? Split,
        string? Files,
        string? Out,
        bool Json,
        string? Input,
        string? Output,
        ReplayDecoding Decoding,
        ReplayAlignment Alignment,
        double TailMs,
        double? MaxDurationMs,
        int? Limit,
        string Execution,
        int Threads,
        int Batch);

    private sealed record Samples(string Description, int Count, IEnumerable<ReplayItem> Items, IReadOnlyList<string>? Classes, IDisposable? Owner);

    private sealed record Report(string Network, string From, string Execution, ReplayDecoding Decoding, string Input, string Output, ReplaySummary Summary, string? PredictionsCsv, string? SummaryJson);

    /// <summary>Reports progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }
}
