using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSnn.Datasets.Download;
using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn datasets list [--json]</c> and <c>eventsnn datasets info ID --root DIR [--split S] [--download]
/// [--sample N] [--json]</c>: the neuromorphic datasets, their published archives, and what a local copy holds.
/// </summary>
internal static class DatasetsCommand
{
    /// <summary>Creates the <c>datasets</c> command.</summary>
    internal static Command Create()
    {
        var command = new Command("datasets", "List the neuromorphic datasets, or open one from a folder (downloading it when asked).");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateInfo());
        return command;
    }

    private static Command CreateList()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON array instead of text." };
        var list = new Command("list", "List the datasets with their splits and published archives (URL and checksum).") { json };
        list.SetAction(parse => CliAction.Run(() =>
        {
            if (parse.GetValue(json))
            {
                parse.InvocationConfiguration.Output.WriteLine(ListJson());
            }
            else
            {
                foreach (DatasetDescription d in DatasetCatalog.All)
                {
                    parse.InvocationConfiguration.Output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{d.Id,-12} {d.Title} — splits {string.Join('/', d.Splits)}, sensor {d.Sensor?.ToString() ?? "per sample"}, {d.ClassCount} classes"));
                    foreach (DatasetArchive a in d.Archives)
                    {
                        parse.InvocationConfiguration.Output.WriteLine($"             {a.Remote.FileName}  {a.Remote.Checksum}  {a.Remote.Url}");
                    }
                }
            }

            return 0;
        }));
        return list;
    }

    private static Command CreateInfo()
    {
        var id = new Argument<string>("id") { Description = "Dataset identifier (see 'eventsnn datasets list')." };
        var root = new Option<DirectoryInfo>("--root") { Description = "The dataset's root folder.", Required = true };
        var split = new Option<string?>("--split") { Description = "Split (train, test, valid, all); default: the dataset's first." };
        var download = new Option<bool>("--download") { Description = "Download, verify and extract the data when it is not in the root folder (progress on stderr)." };
        var retries = new Option<int>("--retries") { Description = "With --download: attempts after a failed one, each resuming the partial file (0..100).", DefaultValueFactory = _ => 3 }
            .InRange(0, 100);
        var sample = new Option<int?>("--sample") { Description = "Also read sample N and report its label, event count and time span." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var info = new Command("info", "Open a dataset from its root folder and show its size, classes and sensor.")
        {
            id,
            root,
            split,
            download,
            retries,
            sample,
            json,
        };
        info.SetAction(parse => CliAction.Run(() =>
        {
            string rootPath = parse.GetValue(root)!.FullName;
            if (File.Exists(rootPath))
            {
                throw new CliPathException($"--root {rootPath}: is a file; give the dataset's folder");
            }

            IEventDataset ds;
            using (var display = new DownloadDisplay(CliAction.Error))
            {
                var options = new DatasetOptions
                {
                    Download = parse.GetValue(download),
                    Progress = display,
                    DownloadOptions = new DownloadOptions { MaxAttempts = parse.GetValue(retries) + 1, RetryObserver = display },
                };
                ds = display.Run(() => DatasetCatalog.OpenAsync(parse.GetValue(id)!, rootPath, parse.GetValue(split), options).GetAwaiter().GetResult());
            }

            try
            {
                int? index = parse.GetValue(sample);
                if (index is int i && (i < 0 || i >= ds.Count))
                {
                    throw new ArgumentException($"--sample {i} is outside 0..{ds.Count - 1}.");
                }

                EventSample? s = index is int k ? ds.GetSample(k) : null;
                parse.InvocationConfiguration.Output.WriteLine(parse.GetValue(json) ? InfoJson(ds, s) : InfoText(ds, s));
                return 0;
            }
            finally
            {
                (ds as IDisposable)?.Dispose();
            }
        }));
        return info;
    }

    internal static string ListJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartArray();
            foreach (DatasetDescription d in DatasetCatalog.All)
            {
                w.WriteStartObject();
                w.WriteString("id", d.Id);
                w.WriteString("title", d.Title);
                w.WriteStartArray("splits");
                foreach (string s in d.Splits)
                {
                    w.WriteStringValue(s);
                }

                w.WriteEndArray();
                WriteSensor(w, d.Sensor);
                w.WriteNumber("classes", d.ClassCount);
                w.WriteStartArray("archives");
                foreach (DatasetArchive a in d.Archives)
                {
                    w.WriteStartObject();
                    w.WriteString("file", a.Remote.FileName);
                    w.WriteString("url", a.Remote.Url.ToString());
                    w.WriteString("checksum", a.Remote.Checksum.ToString());
                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string InfoJson(IEventDataset ds, EventSample? sample)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("name", ds.Name);
            w.WriteString("root", ds.Root);
            w.WriteNumber("samples", ds.Count);
            WriteSensor(w, ds.SensorSize);
            w.WriteStartArray("classes");
            foreach (string c in ds.Classes)
            {
                w.WriteStringValue(c);
            }

            w.WriteEndArray();
            w.WriteStartArray("per_class");
            foreach (int n in PerClass(ds))
            {
                w.WriteNumberValue(n);
            }

            w.WriteEndArray();
            if (sample is not null)
            {
                w.WriteStartObject("sample");
                w.WriteNumber("index", sample.Index);
                w.WriteNumber("label", sample.Label);
                w.WriteString("class", sample.ClassName);
                w.WriteString("source", sample.Source);
                w.WriteNumber("width", sample.Sensor.Width);
                w.WriteNumber("height", sample.Sensor.Height);
                w.WriteNumber("events", sample.Count);
                if (sample.Count > 0)
                {
                    w.WriteNumber("t_first_us", sample.T[0]);
                    w.WriteNumber("t_last_us", sample.T[^1]);
                }
                else
                {
                    w.WriteNull("t_first_us");
                    w.WriteNull("t_last_us");
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static string InfoText(IEventDataset ds, EventSample? sample)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"{ds.Name}: {ds.Count} samples, sensor {ds.SensorSize?.ToString() ?? "per sample"}, root {ds.Root}").AppendLine();
        int[] perClass = PerClass(ds);
        for (int c = 0; c < ds.Classes.Count; c++)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {c,3} {ds.Classes[c]}: {perClass[c]}").AppendLine();
        }

        if (sample is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"sample {sample.Index}: label {sample.Label} ({sample.ClassName}), {sample.Count} events, sensor {sample.Sensor}");
            if (sample.Count > 0)
            {
                text.Append(CultureInfo.InvariantCulture, $", t {sample.T[0]} → {sample.T[^1]} µs");
            }

            text.AppendLine().Append("  from ").Append(sample.Source);
        }

        return text.ToString().TrimEnd();
    }

    private static int[] PerClass(IEventDataset ds)
    {
        int[] counts = new int[ds.Classes.Count];
        for (int i = 0; i < ds.Count; i++)
        {
            counts[ds.GetLabel(i)]++;
        }

        return counts;
    }

    private static void WriteSensor(Utf8JsonWriter w, SensorSize? sensor)
    {
        if (sensor is SensorSize s)
        {
            w.WriteNumber("width", s.Width);
            w.WriteNumber("height", s.Height);
        }
        else
        {
            w.WriteNull("width");
            w.WriteNull("height");
        }
    }

    /// <summary>
    /// Shows downloads on standard error: a progress bar per file with bytes, rate and time left (Spectre.Console), and
    /// every failed attempt at once, with the retry plan (attempts left, pause, what is kept on disk).
    /// </summary>
    internal sealed class DownloadDisplay : IProgress<DownloadProgress>, IProgress<DownloadRetry>, IDisposable
    {
        private readonly TextWriter _error;
        private readonly IAnsiConsole _console;
        private readonly Dictionary<string, ProgressTask> _tasks = new(StringComparer.Ordinal);
        private readonly Lock _gate = new();
        private ProgressContext? _context;

        public DownloadDisplay(TextWriter error)
        {
            _error = error;
            _console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
        }

        /// <summary>Runs <paramref name="body"/> with the progress display live.</summary>
        public T Run<T>(Func<T> body)
        {
            T result = default!;
            _console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    _context = ctx;
                    try
                    {
                        result = body();
                    }
                    finally
                    {
                        lock (_gate)
                        {
                            foreach (ProgressTask task in _tasks.Values)
                            {
                                task.StopTask();
                            }

                            _context = null;
                        }
                    }
                });
            return result;
        }

        public void Report(DownloadProgress value)
        {
            lock (_gate)
            {
                if (_context is null)
                {
                    return;
                }

                if (!_tasks.TryGetValue(value.FileName, out ProgressTask? task))
                {
                    task = _context.AddTask(Markup.Escape(value.FileName), autoStart: true, maxValue: value.TotalBytes ?? 1);
                    _tasks[value.FileName] = task;
                }

                if (value.TotalBytes is long total && total > 0)
                {
                    task.IsIndeterminate = false;
                    task.MaxValue = total;
                    task.Value = Math.Min(value.BytesReceived, total);
                }
                else
                {
                    task.IsIndeterminate = true;
                    task.Value = 0;
                }
            }
        }

        public void Report(DownloadRetry value)
        {
            string line = $"eventsnn: {RetryLine(value)}";
            lock (_gate)
            {
                if (_context is not null && _console.Profile.Capabilities.Interactive)
                {
                    _console.MarkupLine(Markup.Escape(line));
                }
                else
                {
                    _error.WriteLine(line);
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _context = null;
            }
        }

        /// <summary>The sentence reporting a failed attempt and what happens next.</summary>
        internal static string RetryLine(DownloadRetry r)
        {
            var c = CultureInfo.InvariantCulture;
            string kept = r.PartialBytes > 0 ? string.Create(c, $"{r.PartialBytes} bytes are on disk") : "nothing is on disk yet";
            if (r.NextDelay is TimeSpan delay)
            {
                int left = r.MaxAttempts - r.Attempt;
                return string.Create(c, $"download of {r.FileName} failed (attempt {r.Attempt} of {r.MaxAttempts}): {r.Reason}; {kept}; retrying in {delay.TotalSeconds:0.#} s ({left} attempt(s) left; --retries sets how many)");
            }

            return string.Create(c, $"download of {r.FileName} failed (attempt {r.Attempt} of {r.MaxAttempts}, the last): {r.Reason}; {kept}");
        }
    }
}
