using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSnn.Datasets.Download;
using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;

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
                Console.Out.WriteLine(ListJson());
            }
            else
            {
                foreach (DatasetDescription d in DatasetCatalog.All)
                {
                    Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{d.Id,-12} {d.Title} — splits {string.Join('/', d.Splits)}, sensor {d.Sensor?.ToString() ?? "per sample"}, {d.ClassCount} classes"));
                    foreach (DatasetArchive a in d.Archives)
                    {
                        Console.Out.WriteLine($"             {a.Remote.FileName}  {a.Remote.Checksum}  {a.Remote.Url}");
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
        var download = new Option<bool>("--download") { Description = "Download, verify and extract the data when it is not in the root folder." };
        var sample = new Option<int?>("--sample") { Description = "Also read sample N and report its label, event count and time span." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var info = new Command("info", "Open a dataset from its root folder and show its size, classes and sensor.")
        {
            id,
            root,
            split,
            download,
            sample,
            json,
        };
        info.SetAction(parse => CliAction.Run(() =>
        {
            var options = new DatasetOptions
            {
                Download = parse.GetValue(download),
                Progress = new StderrProgress(),
            };
            IEventDataset ds = DatasetCatalog.OpenAsync(parse.GetValue(id)!, parse.GetValue(root)!.FullName, parse.GetValue(split), options)
                .GetAwaiter().GetResult();
            try
            {
                int? index = parse.GetValue(sample);
                if (index is int i && (i < 0 || i >= ds.Count))
                {
                    throw new ArgumentException($"--sample {i} is outside 0..{ds.Count - 1}.");
                }

                EventSample? s = index is int k ? ds.GetSample(k) : null;
                Console.Out.WriteLine(parse.GetValue(json) ? InfoJson(ds, s) : InfoText(ds, s));
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

    /// <summary>Reports download progress on standard error in 10 % steps (or every 64 MiB when the size is unknown).</summary>
    private sealed class StderrProgress : IProgress<DownloadProgress>
    {
        private string? _file;
        private long _next;

        public void Report(DownloadProgress value)
        {
            if (value.FileName != _file)
            {
                _file = value.FileName;
                _next = 0;
            }

            if (value.BytesReceived < _next)
            {
                return;
            }

            long step = value.TotalBytes is long total and > 0 ? Math.Max(total / 10, 1) : 64L << 20;
            _next = value.BytesReceived + step;
            string of = value.TotalBytes is long t ? string.Create(CultureInfo.InvariantCulture, $" of {t}") : string.Empty;
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"eventsnn: downloading {value.FileName}: {value.BytesReceived}{of} bytes"));
        }
    }
}
