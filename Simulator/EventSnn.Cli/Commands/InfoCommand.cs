using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn info FILE [--format F] [--layout dvs128|davis] [--sensor WxH] [--stream N] [--json]</c>: format, sensor
/// size (chosen so that it holds every event, see <see cref="SensorRules"/>), event count, ON/OFF counts, first/last
/// events, and what the reader noted, warned, skipped and dropped (streamed, bounded memory).
/// </summary>
/// <remarks>ON counts events with polarity 1, OFF events with polarity 0 (DAT files may store other values: they count in neither).</remarks>
internal static class InfoCommand
{
    /// <summary>The most warnings listed (text and JSON); <c>warning_count</c> counts them all.</summary>
    public const int ListedWarnings = 20;

    /// <summary>Creates the <c>info</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File();
        var format = EventFileOptions.Format();
        var layout = EventFileOptions.Layout();
        var sensor = EventFileOptions.Sensor();
        var stream = EventFileOptions.Stream();
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var command = new Command("info", "Show the format, sensor size, event counts, first/last events and reader notes of an event file.")
        {
            file,
            format,
            layout,
            sensor,
            stream,
            json,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            string path = CliPaths.RequireInputFile(parse.GetValue(file)!.FullName, "FILE");
            EventReaderOptions options = EventFileOptions.ReaderOptions(parse.GetValue(layout), parse.GetValue(sensor), parse.GetValue(stream));
            Summary s = Summarize(path, options, EventFileOptions.ParseFormat(parse.GetValue(format)));
            if (parse.GetValue(json))
            {
                WriteJson(parse.InvocationConfiguration.Output, s);
            }
            else
            {
                WriteText(parse.InvocationConfiguration.Output, s);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>What <c>info</c> reports about one file.</summary>
    internal sealed record Summary(
        EventStreamInfo Info,
        SensorChoice Sensor,
        long Events,
        long On,
        long Off,
        DvsEvent? First,
        DvsEvent? Last,
        ReaderDiagnostics Diagnostics);

    /// <summary>Reads the whole file once and summarises it.</summary>
    internal static Summary Summarize(string path, EventReaderOptions options, EventFormat format = EventFormat.Unknown)
    {
        using IEventReader reader = EventFile.Open(path, format, options);
        using var batch = new EventBatch();
        long events = 0, on = 0, off = 0;
        DvsEvent? first = null, last = null;
        var extent = default(EventExtent);
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
            extent.Add(batch);
            foreach (byte p in batch.P)
            {
                on += p == 1 ? 1 : 0;
                off += p == 0 ? 1 : 0;
            }
        }

        SensorChoice sensor = EventFileOptions.ChooseSensor(reader.Info, extent, path);
        return new Summary(reader.Info, sensor, events, on, off, first, last, reader.Diagnostics);
    }

    /// <summary>The notes to show: the reader's (in the tool's words) and the sensor choice's.</summary>
    internal static IEnumerable<string> Notes(Summary s)
    {
        foreach (string note in s.Info.Notes)
        {
            yield return CliErrors.Translate(note);
        }

        if (s.Sensor.Note is string sensorNote)
        {
            yield return sensorNote;
        }
    }

    private static void WriteJson(TextWriter output, Summary s)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            var d = s.Diagnostics;
            w.WriteStartObject();
            w.WriteString("format", EventFileOptions.FormatName(s.Info.Format));
            WriteNullable(w, "width", s.Sensor.Sensor?.Width);
            WriteNullable(w, "height", s.Sensor.Sensor?.Height);
            w.WriteString("sensor_origin", EventFileOptions.OriginName(s.Sensor.Origin));
            w.WriteNumber("events", s.Events);
            w.WriteNumber("on", s.On);
            w.WriteNumber("off", s.Off);
            WriteNullable(w, "t_first_us", s.First?.T);
            WriteNullable(w, "t_last_us", s.Last?.T);
            WriteEvent(w, "first", s.First);
            WriteEvent(w, "last", s.Last);
            w.WriteStartArray("notes");
            foreach (string note in Notes(s))
            {
                w.WriteStringValue(note);
            }

            w.WriteEndArray();
            w.WriteNumber("warning_count", d.WarningCount);
            w.WriteStartArray("warnings");
            foreach (string warning in d.Warnings.Take(ListedWarnings))
            {
                w.WriteStringValue(warning);
            }

            w.WriteEndArray();
            w.WriteNumber("skipped_records", d.SkippedRecords);
            w.WriteNumber("dropped_events", d.DroppedEvents);
            w.WriteNumber("trailing_bytes_ignored", d.TrailingBytesIgnored);
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
        o.WriteLine(s.Sensor.Sensor is SensorSize size
            ? $"sensor:    {size} ({EventFileOptions.OriginName(s.Sensor.Origin)})"
            : "sensor:    unknown (no events, and the file states none)");
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

        foreach (string note in Notes(s))
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
