using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using EventSnn.EventQueue;

namespace EventSnn.Benchmarks.EventQueue;

/// <summary>
/// Engine-like batches: time advances in 100 µs steps; each step delivers every event due with
/// <c>DequeueUntil</c>, and the visitor re-schedules each delivered event (re-entrant enqueue) at its time plus an
/// exponential increment (mean 1 ms). One invocation advances 1 ms, which by Little's law delivers about N events,
/// so the reported time per operation is per delivered event. The PriorityQueue baseline runs the same loop with
/// peek/dequeue/enqueue.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Throughput, launchCount: 1, warmupCount: 3, iterationCount: 8)]
public class DequeueUntilBenchmarks
{
    private const long StepTicks = 100_000;
    private const int StepsPerInvoke = 10;
    private const long RingStep = 1_000;

    private long[] _increments = [];
    private long[] _gridIncrements = [];
    private long _cursor;
    private long _seq;
    private long _nowPq;
    private long _nowRadix;
    private long _nowRing;
    private PriorityQueue<long, (long Time, long Seq)> _priorityQueue = new();
    private RadixHeapQueue<long> _radix = new();
    private BucketRingQueue<long> _ring = new(SimDuration.FromTicks(RingStep));

    /// <summary>Number of pending events (also about the events delivered per invocation).</summary>
    [Params(1_000, 100_000, 1_000_000)]
    public int Pending { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _increments = QueueWorkload.Increments(2);
        _gridIncrements = QueueWorkload.Increments(2, RingStep);
        _priorityQueue = new PriorityQueue<long, (long, long)>(Pending);
        _radix = new RadixHeapQueue<long>();
        _ring = new BucketRingQueue<long>(SimDuration.FromTicks(RingStep));
        for (int i = 0; i < Pending; i++)
        {
            long t = _increments[i & QueueWorkload.TableMask];
            _priorityQueue.Enqueue(i, (t, _seq++));
            _radix.Enqueue(SimTime.FromTicks(t), i);
            _ring.Enqueue(SimTime.FromTicks(_gridIncrements[i & QueueWorkload.TableMask]), i);
        }

        for (int k = 0; k < 5; k++)
        {
            PriorityQueueBatches();
            RadixHeapBatches();
            BucketRingBatches();
        }
    }

    [Benchmark(Baseline = true)]
    public long PriorityQueueBatches()
    {
        var q = _priorityQueue;
        long delivered = 0;
        for (int s = 0; s < StepsPerInvoke; s++)
        {
            _nowPq += StepTicks;
            while (q.TryPeek(out long payload, out var key) && key.Time <= _nowPq)
            {
                q.Dequeue();
                q.Enqueue(payload, (key.Time + _increments[(int)(_cursor++ & QueueWorkload.TableMask)], _seq++));
                delivered++;
            }
        }

        return delivered;
    }

    [Benchmark]
    public long RadixHeapBatches()
    {
        var visitor = new Rescheduler<RadixHeapQueue<long>>(_radix, _increments, _cursor);
        long delivered = 0;
        for (int s = 0; s < StepsPerInvoke; s++)
        {
            _nowRadix += StepTicks;
            delivered += _radix.DequeueUntil(SimTime.FromTicks(_nowRadix), ref visitor);
        }

        _cursor = visitor.Cursor;
        return delivered;
    }

    [Benchmark]
    public long BucketRingBatches()
    {
        var visitor = new Rescheduler<BucketRingQueue<long>>(_ring, _gridIncrements, _cursor);
        long delivered = 0;
        for (int s = 0; s < StepsPerInvoke; s++)
        {
            _nowRing += StepTicks;
            delivered += _ring.DequeueUntil(SimTime.FromTicks(_nowRing), ref visitor);
        }

        _cursor = visitor.Cursor;
        return delivered;
    }

    private struct Rescheduler<TQueue>(TQueue queue, long[] increments, long cursor) : IEventVisitor<long>
        where TQueue : class, IEventQueue<long>
    {
        public long Cursor = cursor;

        public void Visit(SimTime time, in long payload) =>
            queue.Enqueue(time + SimDuration.FromTicks(increments[(int)(Cursor++ & QueueWorkload.TableMask)]), payload);
    }
}
