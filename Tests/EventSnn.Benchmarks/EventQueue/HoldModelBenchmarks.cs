using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EventSnn.EventQueue;

namespace EventSnn.Benchmarks.EventQueue;

/// <summary>
/// Classic hold model: with N events pending, pop the earliest and push it back at its time plus an exponential
/// increment (mean 1 ms). Steady state is kept across invocations. Compared against .NET PriorityQueue keyed by
/// (time, sequence), used at its best (peek + DequeueEnqueue, one sift per hold).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class HoldModelBenchmarks
{
    private const int OpsPerInvoke = 100_000;
    private const long RingStep = 1_000; // 1 µs grid for the ring queue

    private long[] _increments = [];
    private long[] _gridIncrements = [];
    private long _cursor;
    private long _seq;
    private PriorityQueue<long, (long Time, long Seq)> _priorityQueue = new();
    private RadixHeapQueue<long> _radix = new();
    private BinaryRadixHeapQueue<long> _binaryRadix = new();
    private BucketRingQueue<long> _ring = new(SimDuration.FromTicks(RingStep));

    /// <summary>Number of pending events.</summary>
    [Params(1_000, 100_000, 1_000_000)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _increments = QueueWorkload.Increments(1);
        _gridIncrements = QueueWorkload.Increments(1, RingStep);
        _priorityQueue = new PriorityQueue<long, (long, long)>(Pending);
        _radix = new RadixHeapQueue<long>();
        _binaryRadix = new BinaryRadixHeapQueue<long>();
        _ring = new BucketRingQueue<long>(SimDuration.FromTicks(RingStep));
        for (int i = 0; i < Pending; i++)
        {
            long t = _increments[i & QueueWorkload.TableMask];
            _priorityQueue.Enqueue(i, (t, _seq++));
            _radix.Enqueue(SimTime.FromTicks(t), i);
            _binaryRadix.Enqueue(SimTime.FromTicks(t), i);
            _ring.Enqueue(SimTime.FromTicks(_gridIncrements[i & QueueWorkload.TableMask]), i);
        }

        // Reach the steady state before measuring.
        for (int k = 0; k < Math.Max(1, Pending / OpsPerInvoke); k++)
        {
            PriorityQueueHold();
            RadixHeap();
            BinaryRadixHeap();
            BucketRing();
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = OpsPerInvoke)]
    public long PriorityQueueHold()
    {
        var q = _priorityQueue;
        long sum = 0;
        for (int i = 0; i < OpsPerInvoke; i++)
        {
            q.TryPeek(out long payload, out var key);
            q.DequeueEnqueue(payload, (key.Time + _increments[(int)(_cursor++ & QueueWorkload.TableMask)], _seq++));
            sum += key.Time;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public long RadixHeap()
    {
        var q = _radix;
        long sum = 0;
        for (int i = 0; i < OpsPerInvoke; i++)
        {
            q.TryDequeue(out var time, out long payload);
            q.Enqueue(time + SimDuration.FromTicks(_increments[(int)(_cursor++ & QueueWorkload.TableMask)]), payload);
            sum += time.Ticks;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public long BinaryRadixHeap()
    {
        var q = _binaryRadix;
        long sum = 0;
        for (int i = 0; i < OpsPerInvoke; i++)
        {
            q.TryDequeue(out var time, out long payload);
            q.Enqueue(time + SimDuration.FromTicks(_increments[(int)(_cursor++ & QueueWorkload.TableMask)]), payload);
            sum += time.Ticks;
        }

        return sum;
    }

    [Benchmark(OperationsPerInvoke = OpsPerInvoke)]
    public long BucketRing()
    {
        var q = _ring;
        long sum = 0;
        for (int i = 0; i < OpsPerInvoke; i++)
        {
            q.TryDequeue(out var time, out long payload);
            q.Enqueue(time + SimDuration.FromTicks(_gridIncrements[(int)(_cursor++ & QueueWorkload.TableMask)]), payload);
            sum += time.Ticks;
        }

        return sum;
    }
}
