namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// The deliveries waiting to enter one clock-driven population through projections whose weights change only when
/// their spikes arrive or the population itself spikes (<see cref="Plasticity.PlasticityRule.DefersDeliveries"/>): one
/// bucket per pending step instead of queue events. A step's deliveries are applied in (arrival tick, insertion) order —
/// the queue's order — just before the step is computed, which reads every weight at the value it has at the arrival
/// tick, since nothing else changes those weights between the arrival and the step's end.
/// </summary>
internal sealed class DeferredDeliveries
{
    private readonly Entry[][] _buckets;
    private readonly int[] _counts;
    private readonly bool[] _sorted;

    /// <summary>Creates the buckets for deliveries at most <paramref name="span"/> steps ahead of the population's state.</summary>
    /// <param name="span">The largest number of steps a pending delivery can lie ahead of the computed state.</param>
    public DeferredDeliveries(int span)
    {
        Size = span + 1;
        _buckets = new Entry[Size][];
        _counts = new int[Size];
        _sorted = new bool[Size];
        for (int k = 0; k < Size; k++)
        {
            _buckets[k] = new Entry[16];
            _sorted[k] = true;
        }
    }

    /// <summary>The number of buckets (distinct pending steps that can be held).</summary>
    public int Size { get; }

    /// <summary>Pending deliveries.</summary>
    public int Count { get; private set; }

    /// <summary>Adds a delivery arriving in step <paramref name="step"/> (within <see cref="Size"/> steps after the state).</summary>
    public void Add(long step, long tick, int projection, int group, float amplitude)
    {
        int b = (int)(step % Size);
        int n = _counts[b];
        Entry[] bucket = _buckets[b];
        if (n == bucket.Length)
        {
            Array.Resize(ref _buckets[b], n * 2);
            bucket = _buckets[b];
        }

        if (n > 0 && bucket[n - 1].Tick > tick)
        {
            _sorted[b] = false;
        }

        bucket[n] = new Entry(tick, projection, group, amplitude);
        _counts[b] = n + 1;
        Count++;
    }

    /// <summary>The deliveries of step <paramref name="step"/> in (tick, insertion) order.</summary>
    public ReadOnlySpan<Entry> Sorted(long step)
    {
        int b = (int)(step % Size);
        Span<Entry> e = _buckets[b].AsSpan(0, _counts[b]);
        if (!_sorted[b])
        {
            // Stable insertion sort by tick: a bucket holds a few dozen deliveries, mostly in order.
            for (int i = 1; i < e.Length; i++)
            {
                Entry x = e[i];
                int j = i - 1;
                while (j >= 0 && e[j].Tick > x.Tick)
                {
                    e[j + 1] = e[j];
                    j--;
                }

                e[j + 1] = x;
            }

            _sorted[b] = true;
        }

        return e;
    }

    /// <summary>Removes the first <paramref name="n"/> deliveries of step <paramref name="step"/> (after <see cref="Sorted"/>).</summary>
    public void RemoveFirst(long step, int n)
    {
        if (n == 0)
        {
            return;
        }

        int b = (int)(step % Size);
        int left = _counts[b] - n;
        if (left > 0)
        {
            Array.Copy(_buckets[b], n, _buckets[b], 0, left);
        }

        _counts[b] = left;
        Count -= n;
    }

    /// <summary>The first step after <paramref name="stateStep"/> with a pending delivery (<see cref="long.MaxValue"/> when none).</summary>
    public long FirstStep(long stateStep)
    {
        if (Count == 0)
        {
            return long.MaxValue;
        }

        for (long s = stateStep + 1; s <= stateStep + Size; s++)
        {
            if (_counts[(int)(s % Size)] != 0)
            {
                return s;
            }
        }

        return long.MaxValue;
    }

    /// <summary>Every pending delivery, step by step from <paramref name="stateStep"/> + 1, each step in (tick, insertion) order.</summary>
    public void CopyTo(long stateStep, List<Entry> into)
    {
        for (long s = stateStep + 1; s <= stateStep + Size; s++)
        {
            foreach (Entry e in Sorted(s))
            {
                into.Add(e);
            }
        }
    }

    /// <summary>Drops every pending delivery.</summary>
    public void Clear()
    {
        Array.Clear(_counts);
        Array.Fill(_sorted, true);
        Count = 0;
    }

    /// <summary>One pending delivery: a delay group of a projection arriving at a tick.</summary>
    /// <param name="Tick">The arrival tick.</param>
    /// <param name="Projection">The projection.</param>
    /// <param name="Group">The delay group.</param>
    /// <param name="Amplitude">The spike's amplitude.</param>
    public readonly record struct Entry(long Tick, int Projection, int Group, float Amplitude);
}
