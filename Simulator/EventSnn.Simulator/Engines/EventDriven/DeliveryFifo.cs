namespace EventSnn.Simulator.Engines.EventDriven;

/// <summary>
/// The deliveries in flight on one static projection with a single delay into a population in scaled form, in arrival
/// order. Spikes are emitted in time order, so their deliveries arrive in emission order: a first-in first-out ring holds
/// them instead of the engine's priority queue. A delivery that would arrive before the last one held (a spike emitted
/// out of time order) is refused and goes through the queue. The ring grows by doubling, so a run stops allocating once
/// it holds the most deliveries in flight.
/// </summary>
internal sealed class DeliveryFifo(int projection)
{
    private long[] _arrival = new long[64];
    private int[] _group = new int[64];
    private int[] _amplitude = new int[64];
    private int _head;
    private long _last = long.MinValue;

    /// <summary>The projection.</summary>
    public int Projection { get; } = projection;

    /// <summary>Deliveries held.</summary>
    public int Count { get; private set; }

    /// <summary>The arrival tick of the first delivery held (long.MaxValue when empty).</summary>
    public long Head => Count == 0 ? long.MaxValue : _arrival[_head];

    /// <summary>Holds a delivery of group <paramref name="group"/> arriving at <paramref name="arrival"/>, unless it would arrive before the last one held.</summary>
    /// <param name="arrival">The arrival tick.</param>
    /// <param name="group">The delay group.</param>
    /// <param name="amplitude">The spike's amplitude (float bits).</param>
    /// <returns>Whether it is held.</returns>
    public bool TryPush(long arrival, int group, int amplitude)
    {
        if (Count != 0 && arrival < _last)
        {
            return false;
        }

        if (Count == _arrival.Length)
        {
            Grow();
        }

        int slot = _head + Count;
        if (slot >= _arrival.Length)
        {
            slot -= _arrival.Length;
        }

        _arrival[slot] = arrival;
        _group[slot] = group;
        _amplitude[slot] = amplitude;
        _last = arrival;
        Count++;
        return true;
    }

    /// <summary>The group of the delivery held after the first (−1 when there is none).</summary>
    public int NextGroup => Count < 2 ? -1 : _group[_head + 1 == _group.Length ? 0 : _head + 1];

    /// <summary>Removes the first delivery held.</summary>
    /// <param name="arrival">Its arrival tick.</param>
    /// <param name="group">Its group.</param>
    /// <param name="amplitude">Its amplitude (float bits).</param>
    public void Pop(out long arrival, out int group, out int amplitude)
    {
        arrival = _arrival[_head];
        group = _group[_head];
        amplitude = _amplitude[_head];
        _head = _head + 1 == _arrival.Length ? 0 : _head + 1;
        Count--;
    }

    /// <summary>Drops every delivery held.</summary>
    public void Clear()
    {
        _head = 0;
        Count = 0;
        _last = long.MinValue;
    }

    private void Grow()
    {
        int n = _arrival.Length;
        var arrival = new long[n * 2];
        var group = new int[n * 2];
        var amplitude = new int[n * 2];
        for (int k = 0; k < Count; k++)
        {
            int s = _head + k < n ? _head + k : _head + k - n;
            arrival[k] = _arrival[s];
            group[k] = _group[s];
            amplitude[k] = _amplitude[s];
        }

        _arrival = arrival;
        _group = group;
        _amplitude = amplitude;
        _head = 0;
    }
}
