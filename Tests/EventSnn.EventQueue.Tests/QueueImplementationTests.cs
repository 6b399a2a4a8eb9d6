using EventSnn.EventQueue;

namespace EventSnn.EventQueue.Tests;

/// <summary>The contract suite against the radix heap (continuous time, any tick).</summary>
public sealed class RadixHeapQueueContractTests : EventQueueContractTests
{
    protected override long Quantum => 1;

    protected override long MaxAheadQuanta => long.MaxValue / 2;

    protected override IEventQueue<long> Create(SimTime start) => new RadixHeapQueue<long>(start);

    [Fact]
    public void Trim_excess_keeps_pending_events_and_order()
    {
        var q = new RadixHeapQueue<long>();
        var rng = new Random(3);
        var model = new ReferenceQueue();
        for (int i = 0; i < 50_000; i++)
        {
            long t = rng.NextInt64(0, 1L << 40);
            q.Enqueue(SimTime.FromTicks(t), i);
            model.Enqueue(t, i);
        }

        for (int i = 0; i < 40_000; i++)
        {
            Assert.True(q.TryDequeue(out _, out _));
            model.TryDequeue(out _, out _);
        }

        q.TrimExcess();
        Assert.Equal(model.Pending(), DrainAll(q).Select(e => (e.Time.Ticks, e.Payload)));
    }

    [Fact]
    public void Full_range_of_time_from_min_to_max_is_ordered()
    {
        var q = new RadixHeapQueue<long>(SimTime.MinValue);
        long[] times = [long.MaxValue, 0, long.MinValue, -1, 1, long.MaxValue - 1, long.MinValue + 1, 1L << 32, -(1L << 32)];
        for (int i = 0; i < times.Length; i++)
        {
            q.Enqueue(SimTime.FromTicks(times[i]), i);
        }

        var expected = times.Select((t, i) => (SimTime.FromTicks(t), (long)i)).OrderBy(x => x.Item1).ToList();
        Assert.Equal(expected, DrainAll(q));
    }

    [Fact]
    public void Max_count_is_the_array_limit()
    {
        Assert.Equal(Array.MaxLength, new RadixHeapQueue<long>().MaxCount);
    }
}

/// <summary>The contract suite against the bucket ring (times on a 250 ns grid).</summary>
public sealed class BucketRingQueueContractTests : EventQueueContractTests
{
    private const long StepTicks = 250;

    protected override long Quantum => StepTicks;

    protected override long MaxAheadQuanta => BucketRingQueue<long>.MaxSlots - 1;

    protected override IEventQueue<long> Create(SimTime start) =>
        new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks), start);

    [Fact]
    public void Off_grid_times_are_rejected_with_the_step_in_the_message()
    {
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks));
        var ex = Assert.Throws<ArgumentException>(() => q.Enqueue(SimTime.FromTicks(StepTicks + 1), 0));
        Assert.Equal("time", ex.ParamName);
        Assert.Contains(SimDuration.FromTicks(StepTicks).ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks), SimTime.FromTicks(1)));
        Assert.Throws<ArgumentException>(() => q.Reset(SimTime.FromTicks(3)));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Invalid_construction_arguments_throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketRingQueue<long>(SimDuration.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketRingQueue<long>(SimDuration.FromTicks(-5)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketRingQueue<long>(SimDuration.FromTicks(1), initialSlots: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BucketRingQueue<long>(SimDuration.FromTicks(1), initialSlots: BucketRingQueue<long>.MaxSlots + 1));
    }

    [Fact]
    public void Delays_beyond_the_ring_limit_throw_clearly()
    {
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks), SimTime.FromTicks(StepTicks * 10));
        var far = SimTime.FromTicks(StepTicks * (10 + BucketRingQueue<long>.MaxSlots));
        var ex = Assert.Throws<InvalidOperationException>(() => q.Enqueue(far, 0));
        Assert.Contains(far.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => q.Enqueue(SimTime.FromTicks(long.MaxValue / StepTicks * StepTicks), 0));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Restore_rejects_off_grid_or_too_distant_events_and_leaves_the_queue_unchanged()
    {
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks));
        q.Enqueue(SimTime.FromTicks(StepTicks), 1);
        PendingEvent<long>[] offGrid = [new(SimTime.FromTicks(StepTicks), 1), new(SimTime.FromTicks((2 * StepTicks) + 1), 2)];
        Assert.Contains("Event 1", Assert.Throws<ArgumentException>(() => q.Restore(SimTime.Zero, offGrid)).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => q.Restore(SimTime.FromTicks(1), []));
        PendingEvent<long>[] tooFar = [new(SimTime.FromTicks(StepTicks * BucketRingQueue<long>.MaxSlots), 1)];
        Assert.Throws<InvalidOperationException>(() => q.Restore(SimTime.Zero, tooFar));
        Assert.Equal(1, q.Count);
        Assert.Equal([(SimTime.FromTicks(StepTicks), 1L)], DrainAll(q));
    }

    [Fact]
    public void Distances_across_the_whole_time_range_are_rejected_not_wrapped()
    {
        // With a 1-tick step, MaxValue - MinValue overflows a long; the ring must still see it as too far ahead.
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(1), SimTime.MinValue);
        Assert.Throws<InvalidOperationException>(() => q.Enqueue(SimTime.MaxValue, 1));
        Assert.Throws<InvalidOperationException>(() => q.Enqueue(SimTime.Zero, 1));
        q.Enqueue(SimTime.MinValue + SimDuration.FromTicks(5), 2);
        var v = new LogVisitor(q);
        Assert.Equal(0, q.DequeueUntil(SimTime.MinValue, ref v));
        Assert.Equal(1, q.DequeueUntil(SimTime.MaxValue, ref v));
        Assert.Equal(0, q.Count);
    }

    [Fact]
    public void Ring_growth_while_wrapped_preserves_order()
    {
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks), initialSlots: 64);
        var model = new ReferenceQueue();

        // Advance so the live window wraps around the end of the ring, then force growth twice.
        for (int i = 0; i < 50; i++)
        {
            q.Enqueue(SimTime.FromTicks(i * StepTicks), i);
            model.Enqueue(i * StepTicks, i);
        }

        for (int i = 0; i < 40; i++)
        {
            Assert.True(q.TryDequeue(out _, out _));
            model.TryDequeue(out _, out _);
        }

        long now = model.Now;
        foreach (long ahead in new long[] { 63, 1, 30, 100, 63, 5000, 0, 4999 })
        {
            long t = now + (ahead * StepTicks);
            q.Enqueue(SimTime.FromTicks(t), 1000 + ahead);
            model.Enqueue(t, 1000 + ahead);
        }

        Assert.True(q.SlotCount >= 8192);
        Assert.Equal(model.Pending(), DrainAll(q).Select(e => (e.Time.Ticks, e.Payload)));
    }

    [Fact]
    public void Ring_growth_from_inside_a_visitor_keeps_draining_the_current_slot()
    {
        var q = new BucketRingQueue<long>(SimDuration.FromTicks(StepTicks), initialSlots: 64);
        q.Enqueue(SimTime.Zero, 1);
        q.Enqueue(SimTime.Zero, 2);
        var v = new GrowingVisitor(q);
        int n = q.DequeueUntil(SimTime.FromTicks(StepTicks * 10_000), ref v);
        Assert.Equal([(0L, 1L), (0L, 2L), (0L, 10L), (0L, 20L), (StepTicks * 9000, 11L), (StepTicks * 9000, 21L)], v.Log);
        Assert.Equal(6, n);
    }

    private struct GrowingVisitor(BucketRingQueue<long> queue) : IEventVisitor<long>
    {
        public List<(long, long)> Log { get; } = [];

        public readonly void Visit(SimTime time, in long payload)
        {
            Log.Add((time.Ticks, payload));
            if (payload < 10)
            {
                queue.Enqueue(SimTime.FromTicks(StepTicks * 9000), (payload * 10) + 1); // grows the ring
                queue.Enqueue(time, payload * 10);                                     // same slot, after growth
            }
        }
    }
}
