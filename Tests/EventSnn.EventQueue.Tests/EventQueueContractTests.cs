using CsCheck;
using EventSnn.EventQueue;

namespace EventSnn.EventQueue.Tests;

/// <summary>
/// The contract every <see cref="IEventQueue{TPayload}"/> implementation must meet. Each implementation derives
/// a class that supplies the factory and the time grid it accepts; all tests here then run against it.
/// </summary>
public abstract class EventQueueContractTests
{
    /// <summary>Ticks between admissible event times (1 for continuous time; the step for a grid queue).</summary>
    protected abstract long Quantum { get; }

    /// <summary>The furthest an event may be scheduled ahead of Now, in quanta.</summary>
    protected abstract long MaxAheadQuanta { get; }

    protected abstract IEventQueue<long> Create(SimTime start);

    protected IEventQueue<long> Create() => Create(SimTime.Zero);

    protected SimTime Q(long quanta) => SimTime.FromTicks(quanta * Quantum);

    internal static bool LongTests => Environment.GetEnvironmentVariable("EVENTSNN_LONG_TESTS") == "1";

    [Fact]
    public void Empty_queue_reports_nothing()
    {
        var q = Create(Q(7));
        Assert.Equal(0, q.Count);
        Assert.Equal(Q(7), q.Now);
        Assert.False(q.TryPeek(out _, out _));
        Assert.False(q.TryDequeue(out _, out _));
        var v = new LogVisitor(q);
        Assert.Equal(0, q.DequeueUntil(SimTime.MaxValue, ref v));
        Assert.Equal(Q(7), q.Now);
        Assert.Equal(0, q.CopyPendingTo([]));
    }

    [Fact]
    public void Equal_times_are_delivered_in_insertion_order()
    {
        var q = Create();
        const int n = 1000;
        for (int i = 0; i < n; i++)
        {
            // Interleave three times so equal-time runs are not contiguous in insertion order.
            q.Enqueue(Q(10 * (i % 3)), i);
        }

        var got = DrainAll(q);
        var expected = Enumerable.Range(0, n).OrderBy(i => i % 3).ThenBy(i => i).Select(i => (Q(10 * (i % 3)), (long)i)).ToList();
        Assert.Equal(expected, got);
    }

    [Fact]
    public void Dequeue_returns_sorted_order_and_advances_now()
    {
        var q = Create();
        var rng = new Random(1);
        var times = Enumerable.Range(0, 5000).Select(_ => (long)rng.Next(0, 2000)).ToList();
        for (int i = 0; i < times.Count; i++)
        {
            q.Enqueue(Q(times[i]), i);
        }

        var expected = times.Select((t, i) => (t, i)).OrderBy(x => x.t).ThenBy(x => x.i).ToList();
        foreach (var (t, i) in expected)
        {
            Assert.True(q.TryPeek(out var pt, out var pp));
            Assert.Equal((Q(t), (long)i), (pt, pp));
            Assert.True(q.TryDequeue(out var dt, out var dp));
            Assert.Equal((Q(t), (long)i), (dt, dp));
            Assert.Equal(Q(t), q.Now);
        }

        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Scheduling_into_the_past_throws_and_names_both_times()
    {
        var q = Create();
        q.Enqueue(Q(5), 1);
        q.Enqueue(Q(9), 2);
        Assert.True(q.TryDequeue(out _, out _));
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => q.Enqueue(Q(4), 3));
        Assert.Contains(Q(4).ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(Q(5).ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Equal("time", ex.ParamName);
        Assert.Equal(1, q.Count);
        Assert.Equal(Q(5), q.Now);
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Enqueue(SimTime.MinValue, 3));
    }

    [Fact]
    public void Zero_delay_event_goes_after_pending_events_at_the_same_time()
    {
        var q = Create();
        q.Enqueue(Q(3), 1);
        q.Enqueue(Q(3), 2);
        q.Enqueue(Q(4), 3);
        Assert.True(q.TryDequeue(out _, out var first));
        Assert.Equal(1, first);
        q.Enqueue(Q(3), 4); // at Now
        Assert.Equal([(Q(3), 2L), (Q(3), 4L), (Q(4), 3L)], DrainAll(q));
    }

    [Fact]
    public void Enqueue_before_a_peeked_minimum_is_delivered_first()
    {
        var q = Create();
        q.Enqueue(Q(100), 1);
        q.Enqueue(Q(50), 2);
        Assert.True(q.TryPeek(out var t, out var p));
        Assert.Equal((Q(50), 2L), (t, p));
        q.Enqueue(Q(20), 3);
        q.Enqueue(Q(50), 4);
        Assert.True(q.TryPeek(out t, out p));
        Assert.Equal((Q(20), 3L), (t, p));
        Assert.Equal([(Q(20), 3L), (Q(50), 2L), (Q(50), 4L), (Q(100), 1L)], DrainAll(q));
    }

    [Fact]
    public void DequeueUntil_delivers_exactly_the_events_up_to_the_limit()
    {
        var q = Create();
        for (int i = 0; i < 100; i++)
        {
            q.Enqueue(Q(i / 2), i);
        }

        var v = new LogVisitor(q);
        Assert.Equal(22, q.DequeueUntil(Q(10), ref v)); // i / 2 <= 10 for i = 0..21
        Assert.Equal(Enumerable.Range(0, 22).Select(i => (Q(i / 2), (long)i)), v.Log);
        Assert.Equal(Q(10), q.Now);
        Assert.Equal(78, q.Count);

        // A limit before the next event delivers nothing and leaves Now alone.
        v = new LogVisitor(q);
        Assert.Equal(0, q.DequeueUntil(Q(3), ref v));
        Assert.Equal(0, q.DequeueUntil(Q(10), ref v));
        Assert.Equal(Q(10), q.Now);
        Assert.Equal(2, q.DequeueUntil(Q(11), ref v));
        Assert.Equal(Q(11), q.Now);
        Assert.True(q.TryPeek(out var next, out var payload));
        Assert.Equal((Q(12), 24L), (next, payload));
        Assert.Equal(76, q.Count);
    }

    [Fact]
    public void DequeueUntil_between_grid_points_stops_at_the_last_event_not_after_the_limit()
    {
        var q = Create();
        q.Enqueue(Q(1), 1);
        q.Enqueue(Q(2), 2);
        var v = new LogVisitor(q);
        Assert.Equal(1, q.DequeueUntil(SimTime.FromTicks((2 * Quantum) - 1), ref v));
        Assert.Equal(Q(1), q.Now);
        Assert.Equal(1, q.Count);
    }

    [Fact]
    public void DequeueUntil_the_beginning_of_time_delivers_nothing()
    {
        var q = Create(Q(10));
        q.Enqueue(Q(10), 1);
        q.Enqueue(Q(12), 2);
        var v = new LogVisitor(q);
        Assert.Equal(0, q.DequeueUntil(SimTime.MinValue, ref v));
        Assert.Equal(0, q.DequeueUntil(Q(9), ref v));
        Assert.Equal(2, q.Count);
        Assert.Equal(2, q.DequeueUntil(SimTime.MaxValue, ref v));
        Assert.Equal(Q(12), q.Now);
    }

    [Fact]
    public void Reentrant_enqueues_are_delivered_in_the_same_call_in_order()
    {
        var q = Create();
        var model = new ReferenceQueue();
        var rule = new FanOutRule(Quantum, maxDepth: 6);
        for (int i = 0; i < 20; i++)
        {
            long t = i % 4;
            long payload = FanOutRule.Make(i, 0);
            q.Enqueue(Q(t), payload);
            model.Enqueue(t * Quantum, payload);
        }

        foreach (long limitQuanta in new long[] { 0, 3, 3, 10, 40, 1000 })
        {
            var v = new FanOutVisitor(q, rule);
            int n = q.DequeueUntil(Q(limitQuanta), ref v);
            var expected = rule.RunReference(model, limitQuanta * Quantum);
            Assert.Equal(expected, v.Log);
            Assert.Equal(expected.Count, n);
            Assert.Equal(model.Count, q.Count);
            Assert.Equal(SimTime.FromTicks(model.Now), q.Now);
        }

        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Reentrant_zero_delay_chain_at_the_current_time_is_drained()
    {
        var q = Create();
        q.Enqueue(Q(2), 0);
        q.Enqueue(Q(2), 1000);
        q.Enqueue(Q(3), 2000);
        var v = new ChainVisitor(q, 500);
        int n = q.DequeueUntil(Q(2), ref v);

        // 0 spawns 1, 1 spawns 2, ... up to 500, all at time 2, each after the already-pending 1000.
        var expected = new List<long> { 0, 1000 };
        expected.AddRange(Enumerable.Range(1, 500).Select(i => (long)i));
        Assert.Equal(expected, v.Payloads);
        Assert.Equal(expected.Count, n);
        Assert.Equal(1, q.Count);
        Assert.Equal(Q(2), q.Now);
    }

    [Fact]
    public void Clear_keeps_now_and_reset_moves_it()
    {
        var q = Create();
        q.Enqueue(Q(5), 1);
        q.Enqueue(Q(8), 2);
        Assert.True(q.TryDequeue(out _, out _));
        q.Clear();
        Assert.Equal(0, q.Count);
        Assert.Equal(Q(5), q.Now);
        Assert.False(q.TryPeek(out _, out _));
        Assert.Throws<ArgumentOutOfRangeException>(() => q.Enqueue(Q(4), 0));
        q.Reset(Q(2));
        Assert.Equal(Q(2), q.Now);
        q.Enqueue(Q(2), 7);
        q.Enqueue(Q(3), 8);
        Assert.Equal([(Q(2), 7L), (Q(3), 8L)], DrainAll(q));
    }

    [Fact]
    public void Grows_to_many_pending_events_without_losing_order()
    {
        var q = Create();
        var model = new ReferenceQueue();
        var rng = new Random(42);
        for (int i = 0; i < 200_000; i++)
        {
            long t = rng.Next(0, 50_000) * Quantum;
            q.Enqueue(SimTime.FromTicks(t), i);
            model.Enqueue(t, i);
        }

        Assert.Equal(200_000, q.Count);
        while (model.TryDequeue(out long t, out long p))
        {
            Assert.True(q.TryDequeue(out var qt, out var qp));
            Assert.Equal((t, p), (qt.Ticks, qp));
        }

        Assert.False(q.TryDequeue(out _, out _));
    }

    [Fact]
    public void Times_beyond_32_bits_and_near_the_end_of_time_work()
    {
        long farQuanta = ((1L << 33) / Quantum) + 17;
        var q = Create(Q(farQuanta));
        q.Enqueue(Q(farQuanta + 3), 1);
        q.Enqueue(Q(farQuanta), 2);
        Assert.Equal([(Q(farQuanta), 2L), (Q(farQuanta + 3), 1L)], DrainAll(q));

        long lastQuanta = long.MaxValue / Quantum;
        long start = lastQuanta - Math.Min(1000, MaxAheadQuanta);
        q.Reset(Q(start));
        q.Enqueue(Q(lastQuanta), 1);
        q.Enqueue(Q(start + 1), 2);
        q.Enqueue(Q(lastQuanta), 3);
        q.Enqueue(Q(start), 4);
        Assert.Equal([(Q(start), 4L), (Q(start + 1), 2L), (Q(lastQuanta), 1L), (Q(lastQuanta), 3L)], DrainAll(q));
        Assert.Equal(Q(lastQuanta), q.Now);
    }

    [Fact]
    public void Negative_times_are_ordered()
    {
        var q = Create(Q(-1000));
        q.Enqueue(Q(5), 1);
        q.Enqueue(Q(-3), 2);
        q.Enqueue(Q(-1000), 3);
        q.Enqueue(Q(0), 4);
        q.Enqueue(Q(-1), 5);
        Assert.Equal([(Q(-1000), 3L), (Q(-3), 2L), (Q(-1), 5L), (Q(0), 4L), (Q(5), 1L)], DrainAll(q));
    }

    [Fact]
    public void Largest_supported_delay_is_accepted()
    {
        var q = Create();
        long far = MaxAheadQuanta;
        q.Enqueue(Q(far), 1);
        q.Enqueue(Q(1), 2);
        q.Enqueue(Q(far), 3);
        Assert.Equal([(Q(1), 2L), (Q(far), 1L), (Q(far), 3L)], DrainAll(q));
    }

    [Fact]
    public void Copy_and_restore_reproduce_the_delivery_order()
    {
        var rng = new Random(5);
        var q = Create();
        var model = new ReferenceQueue();
        for (int i = 0; i < 20_000; i++)
        {
            if (rng.Next(3) == 0 && model.Count > 0)
            {
                Assert.True(q.TryDequeue(out _, out _));
                model.TryDequeue(out _, out _);
            }
            else
            {
                long t = model.Now + (rng.Next(0, 300) * Quantum);
                q.Enqueue(SimTime.FromTicks(t), i);
                model.Enqueue(t, i);
            }
        }

        var buffer = new PendingEvent<long>[q.Count + 3];
        int n = q.CopyPendingTo(buffer);
        Assert.Equal(model.Count, n);
        Assert.Equal(model.Pending(), buffer.Take(n).Select(e => (e.Time.Ticks, e.Payload)));
        Assert.Throws<ArgumentException>(() => q.CopyPendingTo(new PendingEvent<long>[n - 1]));

        var restored = Create();
        restored.Restore(q.Now, buffer.AsSpan(0, n));
        Assert.Equal(q.Now, restored.Now);
        Assert.Equal(n, restored.Count);

        // Both continue identically, including new events at times equal to pending ones.
        foreach (var target in new[] { q, restored })
        {
            target.Enqueue(buffer[0].Time, -1);
            target.Enqueue(buffer[n / 2].Time, -2);
        }

        Assert.Equal(DrainAll(q), DrainAll(restored));
    }

    [Fact]
    public void Restore_rejects_unordered_or_past_events_and_leaves_the_queue_unchanged()
    {
        var q = Create();
        q.Enqueue(Q(4), 1);
        PendingEvent<long>[] unordered = [new(Q(5), 1), new(Q(3), 2)];
        var ex = Assert.Throws<ArgumentException>(() => q.Restore(Q(0), unordered));
        Assert.Equal("events", ex.ParamName);
        Assert.Contains("Event 1", ex.Message, StringComparison.Ordinal);
        PendingEvent<long>[] past = [new(Q(1), 1)];
        Assert.Throws<ArgumentException>(() => q.Restore(Q(2), past));
        Assert.Equal(1, q.Count);
        Assert.Equal(SimTime.Zero, q.Now);
        Assert.Equal([(Q(4), 1L)], DrainAll(q));
    }

    [Fact]
    public void Steady_state_operations_do_not_allocate()
    {
        // 500 pending, delays up to 2000 quanta: time sweeps every bucket the queue uses (all radix digits below
        // 2^16 ticks, every ring slot) many times during warm-up; the last round must then allocate nothing.
        var q = Create();
        var rng = new Random(9);
        var delays = Enumerable.Range(0, 4096).Select(_ => (long)rng.Next(0, 2000) * Quantum).ToArray();
        for (int i = 0; i < 500; i++)
        {
            q.Enqueue(SimTime.FromTicks(delays[i & 4095]), i);
        }

        var visitor = new HoldVisitor(q, delays);
        long allocated = -1;
        for (int round = 0; round < 8; round++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 25_000; i++)
            {
                q.TryDequeue(out var t, out long p);
                q.Enqueue(t + SimDuration.FromTicks(delays[i & 4095]), p);
                q.TryPeek(out _, out _);
                if ((i & 63) == 0)
                {
                    q.DequeueUntil(q.Now + SimDuration.FromTicks(50 * Quantum), ref visitor);
                }
            }

            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Assert.Equal(0, allocated);
        Assert.Equal(500, q.Count);
    }

    private struct HoldVisitor(IEventQueue<long> queue, long[] delays) : IEventVisitor<long>
    {
        private int _i;

        public void Visit(SimTime time, in long payload) =>
            queue.Enqueue(time + SimDuration.FromTicks(delays[_i++ & 4095]), payload);
    }

    [Fact]
    public void Randomized_operations_match_the_reference_model()
    {
        int seeds = LongTests ? 64 : 6;
        int ops = LongTests ? 1_000_000 : 200_000;
        for (int seed = 0; seed < seeds; seed++)
        {
            RunDifferential(seed, ops);
        }
    }

    [Fact]
    public void Property_any_schedule_is_delivered_in_time_then_insertion_order()
    {
        // Each step: (delay in quanta, number of dequeues after it). Delays are small so ties are common.
        var gen = Gen.Select(Gen.Long[0, 40], Gen.Int[0, 3]).Array[0, 300];
        gen.Sample(steps =>
        {
            var q = Create();
            var model = new ReferenceQueue();
            long id = 0;
            foreach (var (delay, pops) in steps)
            {
                long t = model.Now + (delay * Quantum);
                q.Enqueue(SimTime.FromTicks(t), id);
                model.Enqueue(t, id++);
                for (int k = 0; k < pops; k++)
                {
                    bool a = model.TryDequeue(out long mt, out long mp);
                    bool b = q.TryDequeue(out var qt, out var qp);
                    if (a != b || (a && (mt != qt.Ticks || mp != qp)))
                    {
                        return false;
                    }
                }
            }

            return model.Pending().SequenceEqual(DrainAll(q).Select(e => (e.Time.Ticks, e.Payload)));
        }, iter: LongTests ? 20_000 : 400);
    }

    private void RunDifferential(int seed, int ops)
    {
        var rng = new Random(seed);
        long start = (rng.Next(-1000, 1000) + (seed % 2 == 0 ? 0 : (1L << 40) / Quantum)) * Quantum;
        var q = Create(SimTime.FromTicks(start));
        var model = new ReferenceQueue(start);
        var rule = new FanOutRule(Quantum, maxDepth: 3);

        // Delay spread varies by seed: dense ties, moderate, and wide (many radix levels / ring growth).
        long spread = (seed % 3) switch { 0 => 8, 1 => 1000, _ => Math.Min(MaxAheadQuanta, 1L << 20) };
        for (int op = 0; op < ops; op++)
        {
            int kind = rng.Next(100);
            if (kind < 55 || model.Count == 0)
            {
                long t = model.Now + (rng.NextInt64(0, spread + 1) * Quantum);
                long payload = FanOutRule.Make(op, rule.MaxDepth); // leaf: spawns nothing
                q.Enqueue(SimTime.FromTicks(t), payload);
                model.Enqueue(t, payload);
            }
            else if (kind < 85)
            {
                bool a = model.TryDequeue(out long mt, out long mp);
                Assert.True(q.TryDequeue(out var qt, out var qp) == a);
                Assert.Equal((mt, mp), (qt.Ticks, qp));
                Assert.Equal(model.Now, q.Now.Ticks);
            }
            else if (kind < 93)
            {
                bool a = model.TryPeek(out long mt, out long mp);
                Assert.True(q.TryPeek(out var qt, out var qp) == a);
                Assert.Equal((mt, mp), (qt.Ticks, qp));
            }
            else if (kind < 99)
            {
                long limit = model.Now + (rng.NextInt64(-2, spread + 1) * Quantum) + rng.Next((int)Math.Min(Quantum, int.MaxValue));
                if (rng.Next(4) == 0 && model.Count > 0)
                {
                    // Seed a few spawning events so the batch exercises re-entrant enqueues.
                    long payload = FanOutRule.Make(op, 0);
                    q.Enqueue(SimTime.FromTicks(model.Now), payload);
                    model.Enqueue(model.Now, payload);
                }

                var v = new FanOutVisitor(q, rule);
                int n = q.DequeueUntil(SimTime.FromTicks(limit), ref v);
                var expected = rule.RunReference(model, limit);
                Assert.Equal(expected.Count, n);
                Assert.Equal(expected, v.Log);
                Assert.Equal(model.Now, q.Now.Ticks);
            }
            else if (rng.Next(10) == 0)
            {
                long now = model.Now + (rng.Next(-5, 5) * Quantum);
                q.Reset(SimTime.FromTicks(now));
                model.Reset(now);
            }
            else
            {
                q.Clear();
                model.Clear();
            }

            Assert.Equal(model.Count, q.Count);
        }

        var pending = new PendingEvent<long>[q.Count];
        q.CopyPendingTo(pending);
        Assert.Equal(model.Pending(), pending.Select(e => (e.Time.Ticks, e.Payload)));
    }

    internal static List<(SimTime Time, long Payload)> DrainAll(IEventQueue<long> q)
    {
        var list = new List<(SimTime, long)>();
        while (q.TryDequeue(out var t, out var p))
        {
            list.Add((t, p));
        }

        return list;
    }

    internal struct LogVisitor(IEventQueue<long> queue) : IEventVisitor<long>
    {
        public List<(SimTime Time, long Payload)> Log { get; } = [];

        public readonly void Visit(SimTime time, in long payload)
        {
            Assert.Equal(time, queue.Now);
            Log.Add((time, payload));
        }
    }

    private struct ChainVisitor(IEventQueue<long> queue, long last) : IEventVisitor<long>
    {
        public List<long> Payloads { get; } = [];

        public readonly void Visit(SimTime time, in long payload)
        {
            Payloads.Add(payload);
            if (payload < last)
            {
                queue.Enqueue(time, payload + 1);
            }
        }
    }

    /// <summary>Deterministic spike fan-out: an event of depth d &lt; max spawns children at delays of 0..2 quanta.</summary>
    internal sealed class FanOutRule(long quantum, int maxDepth)
    {
        public int MaxDepth => maxDepth;

        public static long Make(long id, int depth) => (id << 4) | (long)depth;

        public void Spawn(long time, long payload, Action<long, long> enqueue)
        {
            int depth = (int)(payload & 15);
            if (depth >= maxDepth)
            {
                return;
            }

            long id = payload >> 4;
            int children = (int)(id % 3) + 1;
            for (int c = 0; c < children; c++)
            {
                long delay = ((id + c + depth) % 3) * quantum; // 0, 1 or 2 quanta
                enqueue(time + delay, Make((id * 3) + c + 1, depth + 1));
            }
        }

        public List<(SimTime Time, long Payload)> RunReference(ReferenceQueue model, long limit)
        {
            var log = new List<(SimTime, long)>();
            while (model.TryPeek(out long t, out _) && t <= limit)
            {
                model.TryDequeue(out t, out long p);
                log.Add((SimTime.FromTicks(t), p));
                Spawn(t, p, model.Enqueue);
            }

            return log;
        }
    }

    internal struct FanOutVisitor(IEventQueue<long> queue, FanOutRule rule) : IEventVisitor<long>
    {
        public List<(SimTime Time, long Payload)> Log { get; } = [];

        public readonly void Visit(SimTime time, in long payload)
        {
            Assert.Equal(time, queue.Now);
            Log.Add((time, payload));
            var q = queue;
            rule.Spawn(time.Ticks, payload, (t, p) => q.Enqueue(SimTime.FromTicks(t), p));
        }
    }
}
