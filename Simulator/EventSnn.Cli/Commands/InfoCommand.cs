using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSnn.Events;
using EventSnn.Datasets.Formats;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn info FILE [--layout dvs128|davis] [--json]</c>: format, sensor size, event count, ON/OFF counts and
/// first/last events of an event file (streamed, bounded memory).
/// </summary>
/// <remarks>ON counts events with polarity 1, OFF events with polarity 0 (DAT files may store other values: they count in neither).</remarks>
internal static class InfoCommand
{
    /// <summary>Creates the <c>info</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File();
        var layout = EventFileOptions.Layout();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("info", "Show the format, sensor size, event counts and first/last events of an event file.")
        {
            file,
            layout,
            json,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            FileInfo path = parse.GetValue(file)!;
            Summary s = Summarize(path.FullName, EventFileOptions.ReaderOptions(parse.GetValue(layout)));
            if (parse.GetValue(json))
            {
                WriteJson(Console.Out, s);
            }
            else
            {
                WriteText(Console.Out, s);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>What <c>info</c> reports about one file.</summary>
    internal sealed record Summary(
        EventStreamInfo Info,
        long Events,
        long On,
        long Off,
        DvsEvent? First,
        DvsEvent? Last,
        ReaderDiagnostics Diagnostics);

    /// <summary>Reads the whole file once and summarises it.</summary>
    internal static Summary Summarize(string path, EventReaderOptions options)
    {
        using IEventReader reader = EventFile.Open(path, options);
        using var batch = new EventBatch();
        long events = 0, on = 0, off = 0;
        DvsEvent? first = null, last = null;
        while (true)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            if (n == 0)
            {
                break;
            }

            first ??= batch[0];
            last = batch[n - 1];
            events += n;
            foreach (byte p in batch.P)
            {
                on += p == 1 ? 1 : 0;
                off += p == 0 ? 1 : 0;
            }
        }

        return new Summary(reader.Info, events, on, off, first, last, reader.Diagnostics);
    }

    private static void WriteJson(TextWriter output, Summary s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("format", EventFileOptions.FormatName(s.Info.Format));
            WriteNullable(w, "width", s.Info.Sensor?.Width);
            WriteNullable(w, "height", s.Info.Sensor?.Height);
            w.WriteNumber("events", s.Events);
            w.WriteNumber("on", s.On);
            w.WriteNumber("off", s.Off);
            WriteNullable(w, "t_first_us", s.First?.T);
            WriteNullable(w, "t_last_us", s.Last?.T);
            WriteEvent(w, "first", s.First);
            WriteEvent(w, "last", s.Last);
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is long v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteEvent(Utf8JsonWriter w, string name, DvsEvent? e)
    {
        if (e is not DvsEvent ev)
        {
            w.WriteNull(name);
            return;
        }

        w.WriteStartArray(name);
        w.WriteNumberValue(ev.T);
        w.WriteNumberValue(ev.X);
        w.WriteNumberValue(ev.Y);
        w.WriteNumberValue(ev.P);
        w.WriteEndArray();
    }

    private static void WriteText(TextWriter o, Summary s)
    {
        var c = CultureInfo.InvariantCulture;
        o.WriteLine($"file:      {s.Info.SourceName}");
        o.WriteLine($"format:    {s.Info.Format}");
        o.WriteLine($"sensor:    {(s.Info.Sensor is SensorSize size ? size.ToString() : "unknown")}");
        if (s.Info.Source is not null)
        {
            o.WriteLine($"source:    {s.Info.Source}");
        }

        o.WriteLine(string.Create(c, $"events:    {s.Events:N0} (on {s.On:N0}, off {s.Off:N0})"));
        if (s.First is DvsEvent first && s.Last is DvsEvent last)
        {
            o.WriteLine(string.Create(c, $"time:      {first.T} .. {last.T} us (span {last.T - first.T} us)"));
            o.WriteLine($"first:     {first}");
            o.WriteLine($"last:      {last}");
        }

        foreach (string note in s.Info.Notes)
        {
            o.WriteLine($"note:      {note}");
        }

        var d = s.Diagnostics;
        if (d.SkippedRecords > 0 || d.DroppedEvents > 0 || d.TrailingBytesIgnored > 0 || d.WarningCount > 0)
        {
            o.WriteLine(string.Create(c, $"skipped:   {d.SkippedRecords} record(s); dropped {d.DroppedEvents} event(s); {d.TrailingBytesIgnored} trailing byte(s) ignored"));
            foreach (string warning in d.Warnings.Take(5))
            {
                o.WriteLine($"warning:   {warning}");
            }

            if (d.WarningCount > 5)
            {
                o.WriteLine(string.Create(c, $"warning:   ... {d.WarningCount - 5} more"));
            }
        }
    }
}
