using System.Buffers;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using EventSnn.EventQueue;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn bench queue</c>: the classic hold model (pop the earliest event, push it back at its time plus an
/// exponential increment) on the radix heap queue and on .NET's PriorityQueue, same increments, same process.
/// </summary>
internal static class BenchQueueCommand
{
    /// <summary>Mean hold increment in ticks (1 ms).</summary>
    internal const long MeanIncrementTicks = 1_000_000;

    private const int IncrementTableSize = 1 << 20;

    /// <summary>Timed chunks per queue, alternating between the two.</summary>
    private const int Rounds = 10;

    /// <summary>Creates the <c>queue</c> subcommand.</summary>
    public static Command Create()
    {
        var pending = new Option<int>("--pending") { Description = "Number of pending events N (at least 1).", DefaultValueFactory = _ => 1_000_000 }
            .InRange(1, int.MaxValue, "at least 1");
        var ops = new Option<long>("--ops") { Description = "Timed hold operations M (at least 1), after a warm-up of min(N, M) operations.", DefaultValueFactory = _ => 5_000_000 }
            .InRange(1, long.MaxValue, "at least 1");
        var seed = new Option<int>("--seed") { Description = "Seed for the exponential increments.", DefaultValueFactory = _ => 1 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of a table." };
        var clock = new Option<string>("--clock")
        {
            Description = "What to time: 'wall' (elapsed time) or 'cpu' (process CPU time, steadier on a shared, loaded machine).",
            DefaultValueFactory = _ => "wall",
        };
        clock.AcceptOnlyFromAmong("wall", "cpu");
        var command = new Command("queue", "Hold-model throughput of the EventSnn radix heap queue vs .NET PriorityQueue<T,(long time,long seq)>.")
        {
            pending, ops, seed, json, clock,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            int n = parse.GetValue(pending);
            long m = parse.GetValue(ops);
            if (n < 1)
            {
                throw new ArgumentException($"--pending must be at least 1 (got {n}).");
            }

            if (m < 1)
            {
                throw new ArgumentException($"--ops must be at least 1 (got {m}).");
            }

            var result = Run(n, m, parse.GetValue(seed), parse.GetValue(clock) == "cpu");
            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                output.WriteLine(ToJson(result));
            }
            else
            {
                WriteTable(output, result);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Throughputs measured by one run.</summary>
    internal readonly record struct HoldResult(int Pending, long Ops, double EventSnnMops, double PriorityQueueMops)
    {
        public double Ratio => EventSnnMops / PriorityQueueMops;
    }

    /// <summary>
    /// Runs the hold model on both queues with identical increments. Both are built and warmed up first; the timed
    /// operations then alternate between them in <see cref="Rounds"/> chunks, so a change in machine load during the
    /// run affects both alike.
    /// </summary>
    internal static HoldResult Run(int pending, long ops, int seed, bool cpuClock = false)
    {
        Func<TimeSpan> now = cpuClock ? () => Environment.CpuUsage.TotalTime : () => Stopwatch.GetElapsedTime(0);
        long[] increments = MakeIncrements(seed);
        long warmup = Math.Min(pending, ops);

        var radix = new RadixHeapQueue<long>();
        var priorityQueue = new PriorityQueue<long, (long Time, long Seq)>(pending);
        long seq = 0;
        for (int i = 0; i < pending; i++)
        {
            long t = increments[i & (IncrementTableSize - 1)];
            radix.Enqueue(SimTime.FromTicks(t), i);
            priorityQueue.Enqueue(i, (t, seq++));
        }

        long checkA = HoldRadix(radix, warmup, increments, pending);
        long checkB = HoldPriorityQueue(priorityQueue, warmup, increments, pending, ref seq);
        Collect();

        long offset = pending + warmup;
        var radixTime = TimeSpan.Zero;
        var priorityQueueTime = TimeSpan.Zero;
        for (int r = 0; r < Rounds; r++)
        {
            long chunk = (ops / Rounds) + (r < ops % Rounds ? 1 : 0);
            TimeSpan start = now();
            checkA += HoldRadix(radix, chunk, increments, offset);
            radixTime += now() - start;
            start = now();
            checkB += HoldPriorityQueue(priorityQueue, chunk, increments, offset, ref seq);
            priorityQueueTime += now() - start;
            offset += chunk;
        }

        // Both queues see the same increments in the same order, so they pop the same sequence of times.
        if (checkA != checkB || radix.Count != priorityQueue.Count)
        {
            throw new InvalidOperationException($"Queue results differ (checksum {checkA} vs {checkB}): the benchmark is not measuring equal work.");
        }

        return new HoldResult(pending, ops, ops / radixTime.TotalSeconds / 1e6, ops / priorityQueueTime.TotalSeconds / 1e6);
    }

    private static void Collect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    private static long[] MakeIncrements(int seed)
    {
        var rng = new Random(seed);
        var increments = new long[IncrementTableSize];
        for (int i = 0; i < increments.Length; i++)
        {
            increments[i] = (long)Math.Round(-Math.Log(1.0 - rng.NextDouble()) * MeanIncrementTicks);
        }

        return increments;
    }

    private static void Fill(RadixHeapQueue<long> queue, int pending, long[] increments)
    {
        for (int i = 0; i < pending; i++)
        {
            queue.Enqueue(SimTime.FromTicks(increments[i & (IncrementTableSize - 1)]), i);
        }
    }

    // Fully optimised from the first call (no tiering), so the timed loop never runs unoptimised code.
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long HoldRadix(RadixHeapQueue<long> queue, long ops, long[] increments, long offset)
    {
        long checksum = 0;
        for (long i = 0; i < ops; i++)
        {
            queue.TryDequeue(out SimTime time, out long payload);
            checksum += time.Ticks;
            long next = time.Ticks + increments[(int)((offset + i) & (IncrementTableSize - 1))];
            queue.Enqueue(SimTime.FromTicks(next), payload);
        }

        return checksum;
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static long HoldPriorityQueue(PriorityQueue<long, (long Time, long Seq)> queue, long ops, long[] increments, long offset, ref long seq)
    {
        long checksum = 0;
        for (long i = 0; i < ops; i++)
        {
            queue.TryPeek(out long payload, out var key);
            checksum += key.Time;
            long next = key.Time + increments[(int)((offset + i) & (IncrementTableSize - 1))];
            queue.DequeueEnqueue(payload, (next, seq++)); // one sift instead of two: the fastest hold on a binary heap
        }

        return checksum;
    }

    internal static string ToJson(HoldResult r)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            WriteJson(writer, r);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static void WriteJson(Utf8JsonWriter writer, HoldResult r)
    {
        writer.WriteStartObject();
        writer.WriteNumber("pending", r.Pending);
        writer.WriteNumber("ops", r.Ops);
        writer.WriteNumber("eventsnn_mops", Math.Round(r.EventSnnMops, 3));
        writer.WriteNumber("priorityqueue_mops", Math.Round(r.PriorityQueueMops, 3));
        writer.WriteNumber("ratio", Math.Round(r.Ratio, 3));
        writer.WriteEndObject();
    }

    private static void WriteTable(TextWriter output, HoldResult r)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        var table = new Table().AddColumn("queue").AddColumn(new TableColumn("Mops/s").RightAligned());
        table.AddRow("EventSnn RadixHeapQueue", r.EventSnnMops.ToString("F3", CultureInfo.InvariantCulture));
        table.AddRow("PriorityQueue<T,(long,long)>", r.PriorityQueueMops.ToString("F3", CultureInfo.InvariantCulture));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Hold model: {r.Pending} pending, {r.Ops} timed ops, exponential increments with mean {MeanIncrementTicks / 1e6} ms"));
        console.Write(table);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio: {r.Ratio:F2}x"));
    }
}
