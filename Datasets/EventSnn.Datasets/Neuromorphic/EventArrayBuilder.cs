using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>Growable struct-of-arrays event storage used to assemble a sample.</summary>
internal sealed class EventArrayBuilder
{
    /// <summary>Most events one sample may hold in memory (2^30); larger samples must be streamed with OpenSample.</summary>
    public const int MaxEvents = 1 << 30;

    private long[] _t = [];
    private ushort[] _x = [];
    private ushort[] _y = [];
    private byte[] _p = [];

    public int Count { get; private set; }

    public int MaxX { get; private set; } = -1;

    public int MaxY { get; private set; } = -1;

    public void Append(EventBatch batch, string source)
    {
        int n = batch.Count;
        if (n == 0)
        {
            return;
        }

        Reserve(n, source);
        batch.T.CopyTo(_t.AsSpan(Count));
        batch.X.CopyTo(_x.AsSpan(Count));
        batch.Y.CopyTo(_y.AsSpan(Count));
        batch.P.CopyTo(_p.AsSpan(Count));
        foreach (ushort x in batch.X)
        {
            if (x > MaxX)
            {
                MaxX = x;
            }
        }

        foreach (ushort y in batch.Y)
        {
            if (y > MaxY)
            {
                MaxY = y;
            }
        }

        Count += n;
    }

    public void Add(long t, ushort x, ushort y, byte p, string source)
    {
        Reserve(1, source);
        _t[Count] = t;
        _x[Count] = x;
        _y[Count] = y;
        _p[Count] = p;
        MaxX = Math.Max(MaxX, x);
        MaxY = Math.Max(MaxY, y);
        Count++;
    }

    /// <summary>The bounding sensor size of the events (max + 1 per axis); 1×1 when empty.</summary>
    public SensorSize BoundingSize => new(Math.Max(MaxX + 1, 1), Math.Max(MaxY + 1, 1));

    public EventSample ToSample(int index, int label, string className, SensorSize sensor, string source)
    {
        return new EventSample(index, label, className, sensor, source, _t[..Count], _x[..Count], _y[..Count], _p[..Count]);
    }

    /// <summary>Reads every event of <paramref name="reader"/>.</summary>
    public static EventArrayBuilder ReadAll(IEventReader reader, string source)
    {
        var builder = new EventArrayBuilder();
        using var batch = new EventBatch(1 << 14);
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            builder.Append(batch, source);
        }

        return builder;
    }

    private void Reserve(int extra, string source)
    {
        long needed = (long)Count + extra;
        if (needed > MaxEvents)
        {
            throw new InvalidOperationException(
                $"{source}: the sample has more than {MaxEvents} events; read it with OpenSample instead of GetSample.");
        }

        if (needed <= _t.Length)
        {
            return;
        }

        int capacity = (int)Math.Min(MaxEvents, Math.Max(needed, Math.Max(1024, (long)_t.Length * 2)));
        Array.Resize(ref _t, capacity);
        Array.Resize(ref _x, capacity);
        Array.Resize(ref _y, capacity);
        Array.Resize(ref _p, capacity);
    }
}
