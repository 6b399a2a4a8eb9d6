using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn bench decode FILE [--json] [--min-events N] [--runs R]</c>: single-threaded decoding throughput of an
/// event file held in memory.
/// </summary>
/// <remarks>
/// <para>The file is loaded into memory and its payload replicated to at least <c>--min-events</c> events
/// (default 50,000,000) so that the measurement is not dominated by start-up:</para>
/// <list type="bullet">
/// <item>EVT 2.0, EVT 3.0, DAT, N-MNIST: one header followed by the data section repeated k times (whole words or
/// records only). The result is a valid stream: at each seam time goes back, which the readers handle as they do in
/// real files (EVT 2.0: a 34-bit wrap; EVT 3.0: a time-base wrap or a counted TIME_HIGH step; DAT: a counted backward
/// step; N-MNIST: plain records).</item>
/// <item>AEDAT: the whole file is decoded from memory repeatedly (a fresh reader per pass) and the events counted.</item>
/// </list>
/// <para>One warm-up pass, then <c>--runs</c> timed passes through <see cref="EventFile.Open(Stream, EventFormat, EventReaderOptions?, string?)"/>
/// into one reused 64 Ki-event batch; the best pass is reported in millions of events per second.</para>
/// </remarks>
internal static class BenchDecodeCommand
{
    /// <summary>Creates the <c>bench decode</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File();
        var json = new Option<bool>("--json") { Description = "Print one JSON object: {\"format\",\"events\",\"mev_per_s\"}." };
        var minEvents = new Option<long>("--min-events")
        {
            Description = "Replicate the payload to at least this many events.",
            DefaultValueFactory = _ => 50_000_000,
        }.InRange(1, long.MaxValue, "at least 1");
        var runs = new Option<int>("--runs") { Description = "Timed passes, the best is reported (1..100).", DefaultValueFactory = _ => 3 }
            .InRange(1, 100);
        var layout = EventFileOptions.Layout();
        var format = EventFileOptions.Format();
        var command = new Command("decode", "Decoding throughput of an event file replicated in memory (single thread).")
        {
            file,
            json,
            minEvents,
            runs,
            format,
            layout,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            long min = parse.GetValue(minEvents);
            int r = parse.GetValue(runs);
            string path = CliPaths.RequireInputFile(parse.GetValue(file)!.FullName, "FILE");
            Result result = Run(path, min, r, EventFileOptions.ReaderOptions(parse.GetValue(layout)), EventFileOptions.ParseFormat(parse.GetValue(format)));
            if (parse.GetValue(json))
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteString("format", EventFileOptions.FormatName(result.Format));
                    w.WriteNumber("events", result.Events);
                    w.WriteNumber("mev_per_s", Math.Round(result.MevPerSecond, 2));
                    w.WriteEndObject();
                }

                parse.InvocationConfiguration.Output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            }
            else
            {
                parse.InvocationConfiguration.Output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{result.Format}: {result.Events:N0} events ({result.Method}), best of {r}: {result.MevPerSecond:F1} Mev/s wall clock, {result.CpuMevPerSecond:F1} Mev/s per CPU second"));
            }

            return 0;
        }));
        return command;
    }

    /// <summary>A measurement.</summary>
    /// <param name="Format">The detected format.</param>
    /// <param name="Events">Events decoded per pass.</param>
    /// <param name="MevPerSecond">Best wall-clock rate, millions of events per second.</param>
    /// <param name="CpuMevPerSecond">Best rate per second of process CPU time (less sensitive to other load on the machine).</param>
    /// <param name="Method">How the payload was replicated.</param>
    internal sealed record Result(EventFormat Format, long Events, double MevPerSecond, double CpuMevPerSecond, string Method);

    /// <summary>Loads, replicates and decodes <paramref name="path"/>.</summary>
    internal static Result Run(string path, long minEvents, int runs, EventReaderOptions options, EventFormat format = EventFormat.Unknown)
    {
        if (format == EventFormat.Unknown)
        {
            format = EventFile.Detect(path);
        }

        if (format == EventFormat.Unknown)
        {
            // Let EventFile.Open produce its error naming the file and its first bytes.
            EventFile.Open(path, options).Dispose();
        }

        byte[] file = File.ReadAllBytes(path);
        long perCopy = Decode(file, 1, format, options, path);
        if (perCopy == 0)
        {
            throw new EventFormatException(path, -1, "the file holds no events to decode");
        }

        long copies = (minEvents + perCopy - 1) / perCopy;
        byte[] data = file;
        int passes = 1;
        string method;
        if (TryDataSection(file, format, options, path, out int dataStart, out int dataLength))
        {
            long size = dataStart + (dataLength * copies);
            if (size > Array.MaxLength)
            {
                throw new ArgumentOutOfRangeException(nameof(minEvents), minEvents, "the replicated data would exceed 2 GiB; lower --min-events");
            }

            data = new byte[size];
            file.AsSpan(0, dataStart).CopyTo(data);
            for (long c = 0; c < copies; c++)
            {
                file.AsSpan(dataStart, dataLength).CopyTo(data.AsSpan((int)(dataStart + (c * dataLength))));
            }

            method = string.Create(CultureInfo.InvariantCulture, $"data section replicated {copies}x");
        }
        else
        {
            passes = (int)Math.Min(int.MaxValue, copies);
            method = string.Create(CultureInfo.InvariantCulture, $"file decoded {passes}x from memory");
        }

        long events = Decode(data, passes, format, options, path);
        double best = 0, bestCpu = 0;
        using var process = Process.GetCurrentProcess();
        for (int r = 0; r < runs; r++)
        {
            process.Refresh();
            TimeSpan cpu0 = process.TotalProcessorTime;
            long start = Stopwatch.GetTimestamp();
            long n = Decode(data, passes, format, options, path);
            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            process.Refresh();
            double cpuSeconds = (process.TotalProcessorTime - cpu0).TotalSeconds;
            if (n != events)
            {
                throw new InvalidOperationException("Decoding the same data gave different event counts.");
            }

            best = Math.Max(best, n / seconds / 1e6);
            bestCpu = Math.Max(bestCpu, n / Math.Max(cpuSeconds, 1e-9) / 1e6);
        }

        return new Result(format, events, best, bestCpu, method);
    }

    private static long Decode(byte[] data, int passes, EventFormat format, EventReaderOptions options, string name)
    {
        using var batch = new EventBatch();
        long events = 0;
        for (int pass = 0; pass < passes; pass++)
        {
            using IEventReader reader = EventFile.Open(new MemoryStream(data, 0, data.Length, writable: false, publiclyVisible: true), format, options, name);
            while (true)
            {
                batch.Clear();
                int n = reader.ReadBatch(batch);
                if (n == 0)
                {
                    break;
                }

                events += n;
            }
        }

        return events;
    }

    /// <summary>Where the repeatable data section lies (whole words/records), for formats that can be replicated.</summary>
    private static bool TryDataSection(byte[] file, EventFormat format, EventReaderOptions options, string name, out int start, out int length)
    {
        int record;
        long headerEnd;
        switch (format)
        {
            case EventFormat.Evt2:
                using (var r = new Evt2Reader(new MemoryStream(file), options, name))
                {
                    headerEnd = r.HeaderLength;
                }

                record = 4;
                break;
            case EventFormat.Evt3:
                using (var r = new Evt3Reader(new MemoryStream(file), options, name))
                {
                    headerEnd = r.HeaderLength;
                }

                record = 2;
                break;
            case EventFormat.Dat:
                using (var r = new DatReader(new MemoryStream(file), options, name))
                {
                    headerEnd = r.HeaderLength + 2;
                }

                record = 8;
                break;
            case EventFormat.NMnistBin:
                headerEnd = 0;
                record = 5;
                break;
            default:
                start = length = 0;
                return false;
        }

        start = (int)headerEnd;
        length = (file.Length - start) / record * record;
        return length > 0;
    }
}
