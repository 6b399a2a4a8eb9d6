using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn bench aedat FILE [--min-events N] [--runs R] [--json]</c>: single-threaded AEDAT 4.0 decoding throughput
/// for each compression, on FILE's events replicated in memory.
/// </summary>
/// <remarks>
/// The events of FILE (any detected format) are repeated, each copy shifted in time past the previous one, until
/// there are at least <c>--min-events</c>; they are written with <see cref="Aedat4Writer"/> (8192-event packets) as
/// NONE, LZ4 and ZSTD into memory. Each buffer is decoded once to warm up, then <c>--runs</c> times with a fresh
/// <see cref="Aedat4Reader"/> and one reused batch. Reported: the best pass as wall-clock Mev/s and as process
/// CPU-time Mev/s (user + system time of the process), the latter being meaningful on a shared, oversubscribed
/// machine where wall time includes time spent waiting for a core.
/// </remarks>
internal static class BenchAedatCommand
{
    /// <summary>Creates the <c>bench aedat</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File("FILE", "Event file whose events are replicated (e.g. an AEDAT 4.0 recording)");
        var format = EventFileOptions.Format();
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var minEvents = new Option<long>("--min-events") { Description = "Replicate to at least this many events (1..100000000).", DefaultValueFactory = _ => 20_000_000 }
            .InRange(1, 100_000_000);
        var runs = new Option<int>("--runs") { Description = "Timed passes per compression, the best is reported (1..100).", DefaultValueFactory = _ => 5 }
            .InRange(1, 100);
        var command = new Command("aedat", "AEDAT 4.0 decoding throughput per compression (NONE, LZ4, ZSTD), data in memory, one thread.")
        {
            file, format, json, minEvents, runs,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            long min = parse.GetValue(minEvents);
            int r = parse.GetValue(runs);
            string path = CliPaths.RequireInputFile(parse.GetRequiredValue(file).FullName, "FILE");
            var results = Run(path, min, r, EventFileOptions.ParseFormat(parse.GetValue(format)));
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                using var stream = new MemoryStream();
                using (var w = new Utf8JsonWriter(stream))
                {
                    w.WriteStartObject();
                    w.WriteNumber("events", results[0].Events);
                    w.WriteStartArray("results");
                    foreach (var x in results)
                    {
                        w.WriteStartObject();
                        w.WriteString("compression", x.Compression.ToString().ToLowerInvariant());
                        w.WriteNumber("bytes", x.Bytes);
                        w.WriteNumber("mev_per_s_wall", Math.Round(x.WallMevPerSecond, 1));
                        w.WriteNumber("mev_per_s_cpu", Math.Round(x.CpuMevPerSecond, 1));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
            }
            else
            {
                foreach (var x in results)
                {
                    output.WriteLine(string.Create(
                        CultureInfo.InvariantCulture,
                        $"AEDAT4 {x.Compression}: {x.Events:N0} events, {x.Bytes:N0} bytes, best of {r}: {x.WallMevPerSecond:F1} Mev/s wall, {x.CpuMevPerSecond:F1} Mev/s CPU time"));
                }
            }

            return 0;
        }));
        return command;
    }

    /// <summary>One compression's measurement.</summary>
    internal sealed record Result(Aedat4Compression Compression, long Events, long Bytes, double WallMevPerSecond, double CpuMevPerSecond);

    /// <summary>Replicates the events of <paramref name="path"/>, writes and decodes them per compression.</summary>
    internal static List<Result> Run(string path, long minEvents, int runs, EventFormat format = EventFormat.Unknown)
    {
        var (t, x, y, p, sensor) = Load(path, format);
        if (t.Length == 0)
        {
            throw new EventFormatException(path, -1, "the file holds no events to replicate");
        }

        long span = Math.Max(1, t.Max() - t.Min() + 1);
        long copies = (minEvents + t.Length - 1) / t.Length;
        var results = new List<Result>();
        foreach (Aedat4Compression compression in new[] { Aedat4Compression.None, Aedat4Compression.Lz4, Aedat4Compression.Zstd })
        {
            byte[] data = Write(t, x, y, p, sensor, span, copies, compression);
            using var batch = new EventBatch();
            long events = Decode(data, batch);
            double bestWall = double.MaxValue;
            double bestCpu = double.MaxValue;
            using var process = Process.GetCurrentProcess();
            for (int i = 0; i < runs; i++)
            {
                process.Refresh();
                TimeSpan cpu0 = process.TotalProcessorTime;
                long start = Stopwatch.GetTimestamp();
                Decode(data, batch);
                double wall = Stopwatch.GetElapsedTime(start).TotalSeconds;
                process.Refresh();
                double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
                bestWall = Math.Min(bestWall, wall);
                bestCpu = Math.Min(bestCpu, Math.Max(cpu, 1e-6));
            }

            results.Add(new Result(compression, events, data.Length, events / bestWall / 1e6, events / bestCpu / 1e6));
        }

        return results;
    }

    private static long Decode(byte[] data, EventBatch batch)
    {
        using var reader = new Aedat4Reader(new MemoryStream(data, writable: false));
        long total = 0;
        int n;
        do
        {
            batch.Clear();
            n = reader.ReadBatch(batch);
            total += n;
        }
        while (n > 0);
        return total;
    }

    private static byte[] Write(long[] t, ushort[] x, ushort[] y, byte[] p, SensorSize sensor, long span, long copies, Aedat4Compression compression)
    {
        using var ms = new MemoryStream();
        using (var writer = new Aedat4Writer(ms, new Aedat4WriterOptions { Sensor = sensor, Compression = compression }))
        {
            long[] shifted = new long[t.Length];
            for (long c = 0; c < copies; c++)
            {
                for (int i = 0; i < t.Length; i++)
                {
                    shifted[i] = t[i] + (c * span);
                }

                writer.Write(shifted, x, y, p);
            }
        }

        return ms.ToArray();
    }

    private static (long[] T, ushort[] X, ushort[] Y, byte[] P, SensorSize Sensor) Load(string path, EventFormat format)
    {
        using IEventReader reader = EventFile.Open(path, format, EventReaderOptions.Default);
        var t = new List<long>();
        var x = new List<ushort>();
        var y = new List<ushort>();
        var p = new List<byte>();
        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            t.AddRange(batch.T);
            x.AddRange(batch.X);
            y.AddRange(batch.Y);
            p.AddRange(batch.P);
        }

        // Time-order the sample so that every replica is a valid AEDAT 4.0 stream (stable: equal times keep file order).
        int[] order = Enumerable.Range(0, t.Count).OrderBy(i => t[i]).ToArray();
        var extent = default(EventExtent);
        extent.Add(x.ToArray(), y.ToArray());
        SensorSize sensor = SensorRules.Choose(reader.Info, extent, path).Sensor ?? new SensorSize(1, 1);
        return (order.Select(i => t[i]).ToArray(), order.Select(i => x[i]).ToArray(), order.Select(i => y[i]).ToArray(), order.Select(i => p[i]).ToArray(), sensor);
    }
}
