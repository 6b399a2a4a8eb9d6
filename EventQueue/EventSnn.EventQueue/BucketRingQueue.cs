using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;

namespace EventSnn.EventQueue;

/// <summary>
/// Event queue for times on a fixed grid (multiples of a step): a ring of per-step FIFO buckets, in the manner of
/// the ring buffers clock-driven simulators keep per neuron for quantised synaptic delays.
/// </summary>
/// <remarks>
/// <para>Times must be multiples of <see cref="Step"/> counted from <see cref="SimTime.Zero"/>; others are rejected
/// with <see cref="ArgumentException"/> (round them first with <see cref="SimTime.FloorTo"/>). Rejecting rather than
/// binning keeps the delivered time equal to the scheduled time and the order exactly (time, sequence).</para>
/// <para>The ring covers <see cref="SlotCount"/> consecutive steps starting at <see cref="Now"/>; it grows (doubling,
/// a power of two) when an event is scheduled further ahead, up to <see cref="MaxSlots"/> steps, beyond which
/// <see cref="Enqueue"/> throws <see cref="InvalidOperationException"/>. Enqueue is O(1); dequeue is O(1) plus a scan of
/// an occupancy bitmap over empty steps (64 steps per word).</para>
/// <para>A slot holds a payload array only while occupied: emptied slots return their arrays to a per-queue pool
/// (by power-of-two size class) that later slots draw from, so memory follows the pending events and a queue in
/// steady state allocates nothing.</para>
/// </remarks>
/// <typeparam name="TPayload">The event payload, stored inline.</typeparam>
public sealed class BucketRingQueue<TPayload> : IEventQueue<TPayload>
    where TPayload : unmanaged
{
    /// <summary>The largest ring size: events may be scheduled at most <c>MaxSlots - 1</c> steps after <see cref="Now"/>.</summary>
    public const int MaxSlots = 1 << 22;

    private const int MinSlotCapacity = 4;

    private readonly long _step;
    private readonly SpareArrays<TPayload> _spare = new();
    private Slot[] _slots;
    private ulong[] _occupied;
    private int _mask;
    private long _nowSlot; // Now / step
    private int _count;

    /// <summary>Creates an empty queue.</summary>
    /// <param name="step">The grid step: every event time is a multiple of it. Positive.</param>
    /// <param name="start">The initial <see cref="Now"/>; a multiple of <paramref name="step"/>.</param>
    /// <param name="initialSlots">Initial ring size in steps (rounded up to a power of two, at least 64).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive, or <paramref name="initialSlots"/> is negative or above <see cref="MaxSlots"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="start"/> is not a multiple of <paramref name="step"/>.</exception>
    public BucketRingQueue(SimDuration step, SimTime start = default, int initialSlots = 64)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step.Ticks, nameof(step));
        ArgumentOutOfRangeException.ThrowIfNegative(initialSlots);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(initialSlots, MaxSlots);
        _step = step.Ticks;
        _nowSlot = SlotOf(start, nameof(start));
        int size = (int)BitOperations.RoundUpToPowerOf2((uint)Math.Max(initialSlots, 64));
        _slots = new Slot[size];
        _occupied = new ulong[size / 64];
        _mask = size - 1;
    }

    /// <summary>The grid step.</summary>
    public SimDuration Step => SimDuration.FromTicks(_step);

    /// <summary>The current ring size in steps: events up to <c>SlotCount - 1</c> steps ahead fit without growth.</summary>
    public int SlotCount => _slots.Length;

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public int MaxCount => Array.MaxLength;

    /// <inheritdoc/>
    public SimTime Now => SimTime.FromTicks(_nowSlot * _step);

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="time"/> is not a multiple of <see cref="Step"/>.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="time"/> is <see cref="MaxSlots"/> or more steps after <see cref="Now"/>, or the queue is full.</exception>
    public void Enqueue(SimTime time, in TPayload payload)
    {
        long t = time.Ticks;
        if (t < _nowSlot * _step)
        {
            QueueErrors.ThrowPast(time, Now);
        }

        long slot = Math.DivRem(t, _step, out long rem);
        if (rem != 0)
        {
            ThrowOffGrid(time, nameof(time));
        }

        // slot >= _nowSlot, so the difference is exact as an unsigned number even across the whole long range.
        ulong ahead = unchecked((ulong)(slot - _nowSlot));
        if (ahead > (ulong)_mask)
        {
            GrowRing(ahead, time);
        }

        if (_count >= Array.MaxLength)
        {
            QueueErrors.ThrowFull(Array.MaxLength);
        }

        int index = (int)(slot & _mask);
        ref Slot s = ref _slots[index];
        TPayload[]? items = s.Items;
        if (items is null || s.Count == items.Length)
        {
            items = GrowSlot(ref s, _spare);
        }

        items[s.Count++] = payload;
        _occupied[index >> 6] |= 1UL << index;
        _count++;
    }

    /// <inheritdoc/>
    public bool TryPeek(out SimTime time, out TPayload payload)
    {
        long ahead = NextOccupied();
        if (ahead < 0)
        {
            time = default;
            payload = default;
            return false;
        }

        long slot = _nowSlot + ahead;
        ref Slot s = ref _slots[(int)(slot & _mask)];
        time = SimTime.FromTicks(slot * _step);
        payload = s.Items![s.Head];
        return true;
    }

    /// <inheritdoc/>
    public bool TryDequeue(out SimTime time, out TPayload payload)
    {
        long ahead = NextOccupied();
        if (ahead < 0)
        {
            time = default;
            payload = default;
            return false;
        }

        _nowSlot += ahead;
        time = SimTime.FromTicks(_nowSlot * _step);
        payload = PopCurrent();
        return true;
    }

    /// <inheritdoc/>
    public int DequeueUntil<TVisitor>(SimTime until, ref TVisitor visitor)
        where TVisitor : struct, IEventVisitor<TPayload>
    {
        long lastSlot = TickMath.FloorDiv(until.Ticks, _step);
        int delivered = 0;
        while (true)
        {
            long ahead = NextOccupied();
            if (ahead < 0 || _nowSlot + ahead > lastSlot)
            {
                return delivered;
            }

            _nowSlot += ahead;
            SimTime time = SimTime.FromTicks(_nowSlot * _step);

            // The visitor may enqueue into this slot (appended, so delivered here) or grow the ring (moving slots),
            // so the slot is looked up again after every visit.
            do
            {
                TPayload payload = PopCurrent();
                delivered++;
                visitor.Visit(time, in payload);
            }
            while ((_occupied[(int)(_nowSlot & _mask) >> 6] & (1UL << (int)(_nowSlot & _mask))) != 0);
        }
    }

    /// <inheritdoc/>
    public void Clear()
    {
        for (int i = 0; i < _occupied.Length; i++)
        {
            ulong word = _occupied[i];
            while (word != 0)
            {
                int index = (i << 6) + BitOperations.TrailingZeroCount(word);
                word &= word - 1;
                _slots[index].Head = 0;
                _slots[index].Count = 0;
            }

            _occupied[i] = 0;
        }

        _count = 0;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="now"/> is not a multiple of <see cref="Step"/>.</exception>
    public void Reset(SimTime now)
    {
        long slot = SlotOf(now, nameof(now));
        Clear();
        _nowSlot = slot;
    }

    /// <inheritdoc/>
    public int CopyPendingTo(Span<PendingEvent<TPayload>> destination)
    {
        QueueErrors.CheckDestination(destination, _count);
        int w = 0;
        int size = _slots.Length;
        int start = (int)(_nowSlot & _mask);
        for (int k = 0; k < size && w < _count; k++)
        {
            int index = (start + k) & _mask;
            ref Slot s = ref _slots[index];
            if (s.Head == s.Count)
            {
                continue;
            }

            var time = SimTime.FromTicks((_nowSlot + k) * _step);
            for (int i = s.Head; i < s.Count; i++)
            {
                destination[w++] = new PendingEvent<TPayload>(time, s.Items![i]);
            }
        }

        return w;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException">Also when an event time is not a multiple of <see cref="Step"/>, or
    /// <paramref name="now"/> is not; the queue is unchanged.</exception>
    /// <exception cref="InvalidOperationException">Also when an event is <see cref="MaxSlots"/> or more steps after <paramref name="now"/>.</exception>
    public void Restore(SimTime now, ReadOnlySpan<PendingEvent<TPayload>> events)
    {
        QueueErrors.CheckRestore(now, events, MaxCount);
        long nowSlot = SlotOf(now, nameof(now));
        for (int i = 0; i < events.Length; i++)
        {
            if (events[i].Time.Ticks % _step != 0)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Event {i} at {events[i].Time} is not a multiple of the step {Step}."), nameof(events));
            }
        }

        if (events.Length > 0)
        {
            SimTime last = events[^1].Time;
            ulong ahead = unchecked((ulong)((last.Ticks / _step) - nowSlot));
            if (ahead >= MaxSlots)
            {
                ThrowTooFar(last, now);
            }
        }

        Reset(now);
        foreach (ref readonly PendingEvent<TPayload> e in events)
        {
            Enqueue(e.Time, e.Payload);
        }
    }

    private long SlotOf(SimTime time, string paramName)
    {
        long slot = Math.DivRem(time.Ticks, _step, out long rem);
        if (rem != 0)
        {
            ThrowOffGrid(time, paramName);
        }

        return slot;
    }

    /// <summary>Steps from the current slot to the first non-empty one, or -1 when empty.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long NextOccupied()
    {
        if (_count == 0)
        {
            return -1;
        }

        int start = (int)(_nowSlot & _mask);
        int word = start >> 6;
        ulong bits = _occupied[word] & (ulong.MaxValue << start);
        if (bits != 0)
        {
            return (word << 6) + BitOperations.TrailingZeroCount(bits) - start;
        }

        return NextOccupiedSlow(start);
    }

    private long NextOccupiedSlow(int start)
    {
        ulong[] occupied = _occupied;
        int words = occupied.Length;
        int first = start >> 6;
        for (int k = 1; k <= words; k++)
        {
            int w = (first + k) & (words - 1);
            ulong bits = occupied[w];
            if (w == first)
            {
                bits &= ~(ulong.MaxValue << start); // wrapped around: only the slots before start remain
            }

            if (bits != 0)
            {
                int index = (w << 6) + BitOperations.TrailingZeroCount(bits);
                return (index - start) & _mask;
            }
        }

        return -1;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TPayload PopCurrent()
    {
        int index = (int)(_nowSlot & _mask);
        ref Slot s = ref _slots[index];
        TPayload payload = s.Items![s.Head];
        if (++s.Head == s.Count)
        {
            // The emptied slot's array becomes spare: slots then hold storage only while occupied, so memory follows
            // the pending events rather than every slot's historical peak.
            s.Head = 0;
            s.Count = 0;
            _spare.Return(s.Items);
            s.Items = null;
            _occupied[index >> 6] &= ~(1UL << index);
        }

        _count--;
        return payload;
    }

    private static TPayload[] GrowSlot(ref Slot s, SpareArrays<TPayload> spare)
    {
        TPayload[]? items = s.Items;
        if (items is null)
        {
            s.Items = spare.Rent(MinSlotCapacity);
            return s.Items;
        }

        if (s.Head > 0 && s.Head >= s.Count / 2)
        {
            int n = s.Count - s.Head;
            Array.Copy(items, s.Head, items, 0, n);
            s.Head = 0;
            s.Count = n;
            return items;
        }

        if (items.Length >= Array.MaxLength)
        {
            QueueErrors.ThrowFull(Array.MaxLength);
        }

        int capacity = (int)Math.Min((long)items.Length * 2, Array.MaxLength);
        spare.Grow(ref s.Items!, s.Count, capacity);
        return s.Items!;
    }

    private void GrowRing(ulong ahead, SimTime time)
    {
        if (ahead >= MaxSlots)
        {
            ThrowTooFar(time, Now);
        }

        int size = (int)BitOperations.RoundUpToPowerOf2((uint)ahead + 1);
        var slots = new Slot[size];
        var occupied = new ulong[size / 64];
        int newMask = size - 1;
        int oldSize = _slots.Length;
        int start = (int)(_nowSlot & _mask);
        for (int k = 0; k < oldSize; k++)
        {
            int oldIndex = (start + k) & _mask;
            int newIndex = (int)((_nowSlot + k) & newMask);
            slots[newIndex] = _slots[oldIndex];
            if (slots[newIndex].Head < slots[newIndex].Count)
            {
                occupied[newIndex >> 6] |= 1UL << newIndex;
            }
        }

        _slots = slots;
        _occupied = occupied;
        _mask = newMask;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowOffGrid(SimTime time, string paramName) =>
        throw new ArgumentException($"{time} ({time.Ticks} ticks) is not a multiple of the queue step {Step}; round it with SimTime.FloorTo(step).", paramName);

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void ThrowTooFar(SimTime time, SimTime now) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"Cannot schedule an event at {time}: it is {unchecked((ulong)((time.Ticks / _step) - (now.Ticks / _step)))} steps of {Step} after the current time {now}, beyond the ring limit of {MaxSlots - 1} steps."));

    private struct Slot
    {
        public TPayload[]? Items;
        public int Head;
        public int Count;
    }
}
