using System.Buffers;

namespace EventSnn.Events;

/// <summary>
/// A reusable batch of events stored as a struct of arrays (t, x, y, p) over pooled memory.
/// </summary>
/// <remarks>
/// <para><b>Ownership:</b> whoever creates a batch owns it and must <see cref="Dispose"/> it, which returns
/// its arrays to <see cref="ArrayPool{T}.Shared"/>. Readers never keep a batch they are given: they fill
/// it and return. Spans obtained from a batch are valid until the next call that changes it
/// (<see cref="Clear"/>, <see cref="Add(long, ushort, ushort, byte)"/>, a reader's fill) or until it is disposed.</para>
/// <para>A batch never grows: its <see cref="Capacity"/> is fixed at construction, so filling it
/// allocates nothing.</para>
/// </remarks>
public sealed class EventBatch : IDisposable
{
    /// <summary>The default capacity: 64 Ki events (1 MiB of columns).</summary>
    public const int DefaultCapacity = 1 << 16;

    private long[] _t;
    private ushort[] _x;
    private ushort[] _y;
    private byte[] _p;

    /// <summary>Creates an empty batch that can hold <paramref name="capacity"/> events.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is not in 1..2^28.</exception>
    public EventBatch(int capacity = DefaultCapacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 28);
        Capacity = capacity;
        _t = ArrayPool<long>.Shared.Rent(capacity);
        _x = ArrayPool<ushort>.Shared.Rent(capacity);
        _y = ArrayPool<ushort>.Shared.Rent(capacity);
        _p = ArrayPool<byte>.Shared.Rent(capacity);
    }

    /// <summary>The most events the batch holds.</summary>
    public int Capacity { get; }

    /// <summary>The number of events in the batch.</summary>
    public int Count { get; private set; }

    /// <summary>Room left before the batch is full.</summary>
    public int Free => Capacity - Count;

    /// <summary>Whether the batch is full.</summary>
    public bool IsFull => Count == Capacity;

    /// <summary>Timestamps (µs) of the events in the batch.</summary>
    public ReadOnlySpan<long> T => _t.AsSpan(0, Count);

    /// <summary>Columns of the events in the batch.</summary>
    public ReadOnlySpan<ushort> X => _x.AsSpan(0, Count);

    /// <summary>Rows of the events in the batch.</summary>
    public ReadOnlySpan<ushort> Y => _y.AsSpan(0, Count);

    /// <summary>Polarities of the events in the batch.</summary>
    public ReadOnlySpan<byte> P => _p.AsSpan(0, Count);

    /// <summary>The event at <paramref name="index"/>.</summary>
    public DvsEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return new DvsEvent(_t[index], _x[index], _y[index], _p[index]);
        }
    }

    /// <summary>A read-only view of the events, sliceable by index and time, valid until the batch is cleared or disposed.</summary>
    public EventSpan AsSpan() => new(T, X, Y, P);

    /// <summary>Removes every event (keeps the memory).</summary>
    public void Clear() => Count = 0;

    /// <summary>Appends one event; the batch must not be full.</summary>
    /// <exception cref="InvalidOperationException">The batch is full.</exception>
    public void Add(long t, ushort x, ushort y, byte p)
    {
        int i = Count;
        if ((uint)i >= (uint)Capacity)
        {
            ThrowFull();
        }

        _t[i] = t;
        _x[i] = x;
        _y[i] = y;
        _p[i] = p;
        Count = i + 1;
    }

    /// <summary>Appends one event; the batch must not be full.</summary>
    public void Add(in DvsEvent e) => Add(e.T, e.X, e.Y, e.P);

    /// <summary>
    /// Gives writable spans over the free tail of the batch, for decoders that fill columns directly;
    /// call <see cref="Commit"/> with the number written.
    /// </summary>
    public void GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p)
    {
        int free = Capacity - Count;
        t = _t.AsSpan(Count, free);
        x = _x.AsSpan(Count, free);
        y = _y.AsSpan(Count, free);
        p = _p.AsSpan(Count, free);
    }

    /// <summary>Marks <paramref name="count"/> events written through <see cref="GetWritableTail"/> as part of the batch.</summary>
    /// <exception cref="ArgumentOutOfRangeException">More than the free room.</exception>
    public void Commit(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Capacity - Count);
        Count += count;
    }

    /// <summary>Returns the arrays to the pool. The batch is unusable afterwards.</summary>
    public void Dispose()
    {
        if (_t.Length == 0)
        {
            return;
        }

        ArrayPool<long>.Shared.Return(_t);
        ArrayPool<ushort>.Shared.Return(_x);
        ArrayPool<ushort>.Shared.Return(_y);
        ArrayPool<byte>.Shared.Return(_p);
        _t = [];
        _x = [];
        _y = [];
        _p = [];
        Count = 0;
    }

    private static void ThrowFull() => throw new InvalidOperationException("The event batch is full.");
}
