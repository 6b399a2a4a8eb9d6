using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.EventQueue;

namespace EventSnn.Benchmarks.EventQueue;

/// <summary>
/// The binary (2-ary) radix heap the 256-ary <see cref="RadixHeapQueue{TPayload}"/> was chosen over: kept only so the
/// hold-model benchmarks can show the difference (see docs/EventQueue.md). Same contract, 65 buckets, an event moves
/// about log2(delay / spacing) times instead of at most once per byte level.
/// </summary>
/// <typeparam name="TPayload">The event payload, stored inline.</typeparam>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1711", Justification = "It is a queue.")]
public sealed class BinaryRadixHeapQueue<TPayload> : IEventQueue<TPayload>
    where TPayload : unmanaged
{
    private const int BucketCount = 65;
    private const int MinBucketCapacity = 16;

    private readonly long[][] _times = new long[BucketCount][];
    private readonly TPayload[][] _payloads = new TPayload[BucketCount][];
    private readonly int[] _counts = new int[BucketCount];

    private int _head0;      // first undelivered event of bucket 0
    private ulong _occupied; // bit b - 1 set when bucket b (1..64) is non-empty
    private long _last;      // Now, in ticks; the reference point of the bucket index
    private int _count;

    // Cached minimum over buckets 1..64 (the first, in FIFO order, of the earliest events), valid when _minValid.
    private bool _minValid;
    private long _minTime;
    private int _minBucket;
    private int _minIndex;

    /// <summary>Creates an empty queue whose <see cref="Now"/> is <paramref name="start"/>.</summary>
    /// <param name="start">The initial current time.</param>
    public BinaryRadixHeapQueue(SimTime start = default)
    {
        for (int b = 0; b < BucketCount; b++)
        {
            _times[b] = [];
            _payloads[b] = [];
        }

        _last = start.Ticks;
    }

    /// <inheritdoc/>
    public int Count => _count;

    /// <inheritdoc/>
    public int MaxCount => Array.MaxLength;

    /// <inheritdoc/>
    public SimTime Now => SimTime.FromTicks(_last);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enqueue(SimTime time, in TPayload payload)
    {
        long t = time.Ticks;
        if (t < _last)
        {
            throw new ArgumentOutOfRangeException(nameof(time));
        }

        if (_count >= Array.MaxLength)
        {
            throw new InvalidOperationException("full");
        }

        int b = BucketOf(t, _last);
        int n = Append(b, t, payload);
        if (b != 0)
        {
            if (_occupied == 0)
            {
                SetMin(t, b, n);
            }
            else if (_minValid && t < _minTime)
            {
                SetMin(t, b, n);
            }

            _occupied |= 1UL << (b - 1);
        }

        _count++;
    }

    /// <inheritdoc/>
    public bool TryPeek(out SimTime time, out TPayload payload)
    {
        if (_head0 < _counts[0])
        {
            time = SimTime.FromTicks(_last);
            payload = _payloads[0][_head0];
            return true;
        }

        if (_occupied == 0)
        {
            time = default;
            payload = default;
            return false;
        }

        EnsureMin();
        time = SimTime.FromTicks(_minTime);
        payload = _payloads[_minBucket][_minIndex];
        return true;
    }

    /// <inheritdoc/>
    public bool TryDequeue(out SimTime time, out TPayload payload)
    {
        if (_head0 >= _counts[0])
        {
            if (_occupied == 0)
            {
                time = default;
                payload = default;
                return false;
            }

            EnsureMin();
            Redistribute();
        }

        time = SimTime.FromTicks(_last);
        payload = PopBucket0();
        return true;
    }

    /// <inheritdoc/>
    public int DequeueUntil<TVisitor>(SimTime until, ref TVisitor visitor)
        where TVisitor : struct, IEventVisitor<TPayload>
    {
        long limit = until.Ticks;
        int delivered = 0;
        if (limit < _last)
        {
            return 0;
        }

        while (true)
        {
            if (_head0 < _counts[0])
            {
                TPayload payload = PopBucket0();
                delivered++;
                visitor.Visit(SimTime.FromTicks(_last), in payload);
                continue;
            }

            if (_occupied == 0)
            {
                return delivered;
            }

            EnsureMin();
            if (_minTime > limit)
            {
                return delivered;
            }

            Redistribute();
        }
    }

    /// <inheritdoc/>
    public void Clear()
    {
        Array.Clear(_counts);
        _head0 = 0;
        _occupied = 0;
        _count = 0;
        _minValid = false;
    }

    /// <inheritdoc/>
    public void Reset(SimTime now)
    {
        Clear();
        _last = now.Ticks;
    }

    /// <summary>Releases bucket storage beyond what the pending events need (storage otherwise only grows).</summary>
    public void TrimExcess()
    {
        if (_head0 > 0)
        {
            CompactBucket0();
        }

        for (int b = 0; b < BucketCount; b++)
        {
            int n = _counts[b];
            int capacity = n == 0 ? 0 : Math.Max(n, MinBucketCapacity);
            if (capacity < _times[b].Length)
            {
                long[] times = capacity == 0 ? [] : new long[capacity];
                TPayload[] payloads = capacity == 0 ? [] : new TPayload[capacity];
                Array.Copy(_times[b], times, n);
                Array.Copy(_payloads[b], payloads, n);
                _times[b] = times;
                _payloads[b] = payloads;
            }
        }

        _minValid = false;
    }

    /// <inheritdoc/>
    public int CopyPendingTo(Span<PendingEvent<TPayload>> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(destination.Length, _count);
        int w = 0;
        for (int i = _head0; i < _counts[0]; i++)
        {
            destination[w++] = new PendingEvent<TPayload>(SimTime.FromTicks(_last), _payloads[0][i]);
        }

        // Buckets hold increasing, disjoint time ranges; within one, equal times are in FIFO order, so a sort by
        // (time, position in bucket) gives the delivery order. Keys are unique, so the unstable sort is exact.
        (long Time, int Index)[]? keys = null;
        try
        {
            for (int b = 1; b < BucketCount; b++)
            {
                int n = _counts[b];
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

                long[] times = _times[b];
                TPayload[] payloads = _payloads[b];
                Span<PendingEvent<TPayload>> segment = destination.Slice(w, n);
                for (int i = 0; i < n; i++)
                {
                    keys[i] = (times[i], i);
                    segment[i] = new PendingEvent<TPayload>(SimTime.FromTicks(times[i]), payloads[i]);
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
                Reset(now);
        foreach (ref readonly PendingEvent<TPayload> e in events)
        {
            Enqueue(e.Time, e.Payload);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int BucketOf(long time, long last) => 64 - BitOperations.LeadingZeroCount((ulong)(time ^ last));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void SetMin(long time, int bucket, int index)
    {
        _minValid = true;
        _minTime = time;
        _minBucket = bucket;
        _minIndex = index;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Append(int b, long t, in TPayload payload)
    {
        int n = _counts[b];
        long[] times = _times[b];
        if ((uint)n >= (uint)times.Length)
        {
            Grow(b);
            times = _times[b];
            n = _counts[b];
        }

        times[n] = t;
        _payloads[b][n] = payload;
        _counts[b] = n + 1;
        return n;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private TPayload PopBucket0()
    {
        int h = _head0;
        TPayload payload = _payloads[0][h];
        h++;
        if (h == _counts[0])
        {
            _head0 = 0;
            _counts[0] = 0;
        }
        else
        {
            _head0 = h;
        }

        _count--;
        return payload;
    }

    private void EnsureMin()
    {
        if (_minValid)
        {
            return;
        }

        int b = BitOperations.TrailingZeroCount(_occupied) + 1;
        ReadOnlySpan<long> times = _times[b].AsSpan(0, _counts[b]);
        long min = times[0];
        int index = 0;
        for (int i = 1; i < times.Length; i++)
        {
            if (times[i] < min)
            {
                min = times[i];
                index = i;
            }
        }

        SetMin(min, b, index);
    }

    /// <summary>Moves the bucket holding the cached minimum into lower buckets, relative to the new current time.</summary>
    private void Redistribute()
    {
        int b = _minBucket;
        long last = _minTime;
        _last = last;
        int n = _counts[b];
        long[] times = _times[b];
        TPayload[] payloads = _payloads[b];
        ulong occupied = _occupied & ~(1UL << (b - 1));
        for (int i = 0; i < n; i++)
        {
            long t = times[i];
            int target = BucketOf(t, last);
            Append(target, t, payloads[i]);
            occupied |= (1UL << target) >> 1;
        }

        _counts[b] = 0;
        _occupied = occupied;
        _minValid = false;
    }

    private void Grow(int b)
    {
        if (b == 0 && _head0 > 0 && _head0 >= _counts[0] / 2)
        {
            CompactBucket0();
            return;
        }

        int length = _times[b].Length;
        if (length >= Array.MaxLength)
        {
            throw new InvalidOperationException("full");
        }

        int capacity = (int)Math.Min(Math.Max((long)length * 2, MinBucketCapacity), Array.MaxLength);
        Array.Resize(ref _times[b], capacity);
        Array.Resize(ref _payloads[b], capacity);
    }

    private void CompactBucket0()
    {
        int h = _head0;
        int n = _counts[0] - h;
        Array.Copy(_times[0], h, _times[0], 0, n);
        Array.Copy(_payloads[0], h, _payloads[0], 0, n);
        _head0 = 0;
        _counts[0] = n;
    }
}
