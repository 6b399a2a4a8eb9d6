using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace EventSnn.EventQueue;

/// <summary>
/// Monotone event queue for continuous integer time: a 256-ary radix heap over 64-bit ticks with FIFO order at
/// equal times.
/// </summary>
/// <remarks>
/// <para>Times are compared with <see cref="Now"/> byte by byte. An event whose time equals <see cref="Now"/> is in the
/// current bucket; otherwise it is in bucket (L, d), where L (0..7) is the most significant byte in which its time
/// differs from <see cref="Now"/> and d is the value of that byte. Buckets cover disjoint, increasing time ranges in
/// (L, d) order, and a level-0 bucket holds a single time. When the current bucket is empty, the lowest non-empty
/// bucket is found from occupancy bitmaps; a level-0 bucket simply becomes the current one (its arrays are swapped in),
/// and a higher bucket is scanned for its minimum, which becomes <see cref="Now"/>, and redistributed into lower
/// levels. An event therefore moves at most once per byte level: about log256(delay / mean event spacing) + 1 times,
/// at most 8. Enqueue is O(1); dequeue is amortised O(log256 C) for C the largest delay, independent of the number
/// of pending events.</para>
/// <para>Equal-time order: events with the same time are always in the same bucket, and appending and
/// redistributing both preserve relative order, so equal times are delivered in insertion order without storing a
/// sequence number.</para>
/// <para>Storage: two arrays per bucket (times, payloads), taken on first use from a pool of spare arrays by
/// power-of-two size class (or allocated), grown by doubling; arrays outgrown or left by an emptied bucket return to
/// the pool. So memory stays proportional to the peak number of pending events and there is no allocation per
/// operation in steady state. Capacity: <see cref="MaxCount"/> (= <see cref="Array.MaxLength"/>) pending events.</para>
/// </remarks>
/// <typeparam name="TPayload">The event payload, stored inline.</typeparam>
public sealed class RadixHeapQueue<TPayload> : IEventQueue<TPayload>
    where TPayload : unmanaged
{
    private const int Levels = 8;
    private const int BucketCount = 1 + (Levels * 256); // bucket 0 is the current one
    private const int MinBucketCapacity = 8;
    private const ulong SignBit = 1UL << 63;

    private readonly Bucket[] _buckets = new Bucket[BucketCount];
    private readonly SpareArrays<long> _spareTimes = new();
    private readonly SpareArrays<TPayload> _sparePayloads = new();
    private readonly ulong[] _digitMask = new ulong[Levels * 4]; // per level, 256 bits: bucket (L, d) non-empty
    private uint _levelMask;                                    // bit L: some bucket of level L non-empty

    private int _head;   // first undelivered event of the current bucket
    private ulong _last; // Now as an order-preserving unsigned key (ticks with the sign bit flipped)
    private int _count;

    // Cached minimum over buckets other than the current one (first in FIFO order among the earliest), when valid.
    private bool _minValid;
    private ulong _minKey;
    private int _minBucket;
    private int _minIndex;

    /// <summary>Creates an empty queue whose <see cref="Now"/> is <paramref name="start"/>.</summary>
    /// <param name="start">The initial current time.</param>
    public RadixHeapQueue(SimTime start = default)
    {
        for (int b = 0; b < BucketCount; b++)
        {
            _buckets[b].Times = [];
            _buckets[b].Payloads = [];
        }

        _last = Key(start.Ticks);
    }

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public int MaxCount => Array.MaxLength;

    /// <inheritdoc/>
    public SimTime Now => SimTime.FromTicks((long)(_last ^ SignBit));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(SimTime time, in TPayload payload)
    {
        long t = time.Ticks;
        ulong key = Key(t);
        if (key < _last)
        {
            QueueErrors.ThrowPast(time, Now);
        }

        if (_count >= Array.MaxLength)
        {
            QueueErrors.ThrowFull(Array.MaxLength);
        }

        int b = BucketOf(key, _last);
        int n = Append(b, t, payload);
        if (b != 0)
        {
            if (_levelMask == 0 || (_minValid && key < _minKey))
            {
                SetMin(key, b, n);
            }

            MarkOccupied(b);
        }

        _count++;
    }

    /// <inheritdoc/>
    public bool TryPeek(out SimTime time, out TPayload payload)
    {
        ref Bucket current = ref _buckets[0];
        if (_head < current.Count)
        {
            time = Now;
            payload = current.Payloads[_head];
            return true;
        }

        if (_levelMask == 0)
        {
            time = default;
            payload = default;
            return false;
        }

        EnsureMin();
        time = SimTime.FromTicks((long)(_minKey ^ SignBit));
        payload = _buckets[_minBucket].Payloads[_minIndex];
        return true;
    }

    /// <inheritdoc/>
    public bool TryDequeue(out SimTime time, out TPayload payload)
    {
        if (_head >= _buckets[0].Count)
        {
            if (_levelMask == 0)
            {
                time = default;
                payload = default;
                return false;
            }

            EnsureMin();
            Advance();
        }

        time = Now;
        payload = PopCurrent();
        return true;
    }

    /// <inheritdoc/>
    public int DequeueUntil<TVisitor>(SimTime until, ref TVisitor visitor)
        where TVisitor : struct, IEventVisitor<TPayload>
    {
        ulong limit = Key(until.Ticks);
        int delivered = 0;
        if (limit < _last)
        {
            return 0;
        }

        while (true)
        {
            if (_head < _buckets[0].Count)
            {
                TPayload payload = PopCurrent();
                delivered++;
                visitor.Visit(Now, in payload);
                continue;
            }

            if (_levelMask == 0)
            {
                return delivered;
            }

            EnsureMin();
            if (_minKey > limit)
            {
                return delivered;
            }

            Advance();
        }
    }

    /// <inheritdoc/>
    public void Clear()
    {
        _buckets[0].Count = 0;
        for (int b = 1; b < BucketCount; b++)
        {
            ReturnStorage(ref _buckets[b]);
        }

        Array.Clear(_digitMask);
        _levelMask = 0;
        _head = 0;
        _count = 0;
        _minValid = false;
    }

    /// <inheritdoc/>
    public void Reset(SimTime now)
    {
        Clear();
        _last = Key(now.Ticks);
    }

    /// <summary>Releases bucket storage beyond what the pending events need (storage otherwise only grows).</summary>
    public void TrimExcess()
    {
        _spareTimes.Clear();
        _sparePayloads.Clear();
        if (_head > 0)
        {
            CompactCurrent();
        }

        for (int b = 0; b < BucketCount; b++)
        {
            ref Bucket bucket = ref _buckets[b];
            int n = bucket.Count;
            int capacity = n == 0 ? 0 : Math.Max(n, MinBucketCapacity);
            if (capacity < bucket.Times.Length)
            {
                long[] times = capacity == 0 ? [] : new long[capacity];
                TPayload[] payloads = capacity == 0 ? [] : new TPayload[capacity];
                Array.Copy(bucket.Times, times, n);
                Array.Copy(bucket.Payloads, payloads, n);
                bucket.Times = times;
                bucket.Payloads = payloads;
            }
        }
    }

    /// <inheritdoc/>
    public int CopyPendingTo(Span<PendingEvent<TPayload>> destination)
    {
        QueueErrors.CheckDestination(destination, _count);
        int w = 0;
        ref Bucket current = ref _buckets[0];
        for (int i = _head; i < current.Count; i++)
        {
            destination[w++] = new PendingEvent<TPayload>(Now, current.Payloads[i]);
        }

        // Buckets in index order hold increasing, disjoint time ranges; within one, equal times are in FIFO order,
        // so sorting by (time, position in bucket) gives the delivery order. Keys are unique: the sort is exact.
        (long Time, int Index)[]? keys = null;
        try
        {
            for (int b = 1; b < BucketCount; b++)
            {
                ref Bucket bucket = ref _buckets[b];
                int n = bucket.Count;
                if (n == 0)
                {
                    continue;
                }

                if (keys is null || keys.Length < n)
                {
                    if (keys is not null)
                    {
                        ArrayPool<(long, int)>.Shared.Return(keys);
                    }

                    keys = ArrayPool<(long, int)>.Shared.Rent(n);
                }

                Span<PendingEvent<TPayload>> segment = destination.Slice(w, n);
                for (int i = 0; i < n; i++)
                {
                    keys[i] = (bucket.Times[i], i);
                    segment[i] = new PendingEvent<TPayload>(SimTime.FromTicks(bucket.Times[i]), bucket.Payloads[i]);
                }

                keys.AsSpan(0, n).Sort(segment);
                w += n;
            }
        }
        finally
        {
            if (keys is not null)
            {
                ArrayPool<(long, int)>.Shared.Return(keys);
            }
        }

        return w;
    }

    /// <inheritdoc/>
    public void Restore(SimTime now, ReadOnlySpan<PendingEvent<TPayload>> events)
    {
        QueueErrors.CheckRestore(now, events, MaxCount);
        Reset(now);
        foreach (ref readonly PendingEvent<TPayload> e in events)
        {
            Enqueue(e.Time, e.Payload);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Key(long ticks) => (ulong)ticks ^ SignBit;

    /// <summary>0 for the current bucket, else 1 + 256 L + d (L: highest differing byte, d: its value in the key).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketOf(ulong key, ulong last)
    {
        ulong x = key ^ last;
        if (x == 0)
        {
            return 0;
        }

        int shift = (63 - BitOperations.LeadingZeroCount(x)) & ~7; // 8 L
        return 1 + (shift << 5) + (int)((key >> shift) & 0xFF);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void MarkOccupied(int b)
    {
        int i = b - 1;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_digitMask), i >> 6) |= 1UL << i;
        _levelMask |= 1u << (i >> 8);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetMin(ulong key, int bucket, int index)
    {
        _minValid = true;
        _minKey = key;
        _minBucket = bucket;
        _minIndex = index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Append(int b, long t, in TPayload payload)
    {
        ref Bucket bucket = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_buckets), b);
        int n = bucket.Count;
        if ((uint)n >= (uint)bucket.Times.Length)
        {
            Grow(ref bucket, b);
            n = bucket.Count;
        }

        // n < Times.Length == Payloads.Length after growth.
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bucket.Times), n) = t;
        Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(bucket.Payloads), n) = payload;
        bucket.Count = n + 1;
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TPayload PopCurrent()
    {
        ref Bucket current = ref MemoryMarshal.GetArrayDataReference(_buckets);
        int h = _head;
        TPayload payload = current.Payloads[h];
        h++;
        if (h == current.Count)
        {
            _head = 0;
            current.Count = 0;
        }
        else
        {
            _head = h;
        }

        _count--;
        return payload;
    }

    /// <summary>The lowest non-empty bucket other than the current one (some must exist).</summary>
    private int LowestBucket()
    {
        int level = BitOperations.TrailingZeroCount(_levelMask);
        int w = level * 4;
        while (_digitMask[w] == 0)
        {
            w++;
        }

        return 1 + (w << 6) + BitOperations.TrailingZeroCount(_digitMask[w]);
    }

    private void EnsureMin()
    {
        if (_minValid)
        {
            return;
        }

        int b = LowestBucket();
        ref Bucket bucket = ref _buckets[b];
        ReadOnlySpan<long> times = bucket.Times.AsSpan(0, bucket.Count);
        long min = times[0];
        int index = 0;
        if (b > 256)
        {
            // Levels 1..7 mix times; level-0 buckets hold a single time.
            for (int i = 1; i < times.Length; i++)
            {
                if (times[i] < min)
                {
                    min = times[i];
                    index = i;
                }
            }
        }

        SetMin(Key(min), b, index);
    }

    /// <summary>Makes the cached minimum the current time and moves its events into the (empty) current bucket.</summary>
    private void Advance()
    {
        int b = _minBucket;
        ulong last = _minKey;
        _last = last;
        _minValid = false;
        ClearOccupied(b);
        ref Bucket source = ref _buckets[b];
        ref Bucket current = ref _buckets[0];
        if (b <= 256 || source.Count == 1)
        {
            // A level-0 bucket (or a single event) holds exactly the new current time: swap its storage in
            // (current is empty). The current bucket's old arrays go to the spare pool rather than stay with the
            // emptied bucket: otherwise every idle bucket would park an array, and new arrays would keep being
            // allocated until each of the 2,048 buckets had one of the working size.
            (current, source) = (source, current);
            ReturnStorage(ref source);
            return;
        }

        int n = source.Count;
        long[] times = source.Times;
        TPayload[] payloads = source.Payloads;
        source.Count = 0;
        source.Times = [];
        source.Payloads = [];
        ref long t0 = ref MemoryMarshal.GetArrayDataReference(times);
        ref TPayload p0 = ref MemoryMarshal.GetArrayDataReference(payloads);
        for (int i = 0; i < n; i++)
        {
            long t = Unsafe.Add(ref t0, i);
            int target = BucketOf(Key(t), last);
            Append(target, t, Unsafe.Add(ref p0, i));
            if (target != 0)
            {
                MarkOccupied(target);
            }
        }

        // The emptied bucket's arrays go to the spare pool: a bucket of a higher level is typically reused only
        // after a long time, so keeping its arrays would hold memory for nothing while new buckets allocate.
        _spareTimes.Return(times);
        _sparePayloads.Return(payloads);
    }

    private void ReturnStorage(ref Bucket bucket)
    {
        if (bucket.Times.Length != 0)
        {
            _spareTimes.Return(bucket.Times);
            _sparePayloads.Return(bucket.Payloads);
            bucket.Times = [];
            bucket.Payloads = [];
        }

        bucket.Count = 0;
    }

    private void ClearOccupied(int b)
    {
        int i = b - 1;
        int w = i >> 6;
        ulong word = _digitMask[w] & ~(1UL << i);
        _digitMask[w] = word;
        if (word == 0)
        {
            int level = i >> 8;
            int first = level * 4;
            if ((_digitMask[first] | _digitMask[first + 1] | _digitMask[first + 2] | _digitMask[first + 3]) == 0)
            {
                _levelMask &= ~(1u << level);
            }
        }
    }

    private void Grow(ref Bucket bucket, int b)
    {
        if (b == 0 && _head > 0 && _head >= bucket.Count / 2)
        {
            CompactCurrent();
            return;
        }

        int length = bucket.Times.Length;
        if (length >= Array.MaxLength)
        {
            QueueErrors.ThrowFull(Array.MaxLength);
        }

        int capacity = (int)Math.Min(Math.Max((long)length * 2, MinBucketCapacity), Array.MaxLength);
        _spareTimes.Grow(ref bucket.Times, bucket.Count, capacity);
        _sparePayloads.Grow(ref bucket.Payloads, bucket.Count, capacity);
    }

    private void CompactCurrent()
    {
        ref Bucket current = ref _buckets[0];
        int h = _head;
        int n = current.Count - h;
        Array.Copy(current.Times, h, current.Times, 0, n);
        Array.Copy(current.Payloads, h, current.Payloads, 0, n);
        _head = 0;
        current.Count = n;
    }

    private struct Bucket
    {
        public long[] Times;
        public TPayload[] Payloads;
        public int Count;
    }
}
