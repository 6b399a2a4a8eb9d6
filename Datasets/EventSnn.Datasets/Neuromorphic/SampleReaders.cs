using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>Maps one event's coordinates and polarity (a named convention applied while reading).</summary>
internal interface IEventMapping
{
    void Map(ref ushort x, ref ushort y, ref byte p);
}

/// <summary>
/// Wraps a file reader: keeps only events with <c>start ≤ t &lt; end</c> and applies an optional mapping.
/// With <c>stopAtEnd</c>, reading stops at the first event at or past <c>end</c> (for streams whose time never
/// decreases, such as DVS Gesture recordings).
/// </summary>
internal sealed class WindowedEventReader : IEventReader
{
    private readonly IEventReader _inner;
    private readonly long _start;
    private readonly long _end;
    private readonly bool _stopAtEnd;
    private readonly IEventMapping? _mapping;
    private readonly EventBatch _scratch;
    private int _scratchPos;
    private bool _ended;

    public WindowedEventReader(IEventReader inner, long start, long end, bool stopAtEnd, IEventMapping? mapping, EventStreamInfo info)
    {
        _inner = inner;
        _start = start;
        _end = end;
        _stopAtEnd = stopAtEnd;
        _mapping = mapping;
        _scratch = new EventBatch(1 << 14);
        Info = info;
    }

    public EventStreamInfo Info { get; }

    public ReaderDiagnostics Diagnostics => _inner.Diagnostics;

    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int added = 0;
        while (!batch.IsFull && !_ended)
        {
            if (_scratchPos >= _scratch.Count)
            {
                _scratch.Clear();
                _scratchPos = 0;
                if (_inner.ReadBatch(_scratch) == 0)
                {
                    _ended = true;
                    break;
                }
            }

            ReadOnlySpan<long> t = _scratch.T;
            ReadOnlySpan<ushort> xs = _scratch.X;
            ReadOnlySpan<ushort> ys = _scratch.Y;
            ReadOnlySpan<byte> ps = _scratch.P;
            while (_scratchPos < t.Length && !batch.IsFull)
            {
                int i = _scratchPos++;
                long time = t[i];
                if (time >= _end)
                {
                    if (_stopAtEnd)
                    {
                        _ended = true;
                        break;
                    }

                    continue;
                }

                if (time < _start)
                {
                    continue;
                }

                ushort x = xs[i];
                ushort y = ys[i];
                byte p = ps[i];
                _mapping?.Map(ref x, ref y, ref p);
                batch.Add(time, x, y, p);
                added++;
            }
        }

        return added;
    }

    public void Dispose()
    {
        _scratch.Dispose();
        _inner.Dispose();
    }
}

/// <summary>An event stream over arrays held in memory (for datasets stored as arrays, such as SHD/SSC).</summary>
internal sealed class ArrayEventReader : IEventReader
{
    private readonly EventSample _sample;
    private int _position;

    public ArrayEventReader(EventSample sample, EventStreamInfo info)
    {
        _sample = sample;
        Info = info;
    }

    public EventStreamInfo Info { get; }

    public ReaderDiagnostics Diagnostics { get; } = new();

    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = Math.Min(batch.Free, _sample.Count - _position);
        if (n <= 0)
        {
            return 0;
        }

        batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
        _sample.T.Slice(_position, n).CopyTo(t);
        _sample.X.Slice(_position, n).CopyTo(x);
        _sample.Y.Slice(_position, n).CopyTo(y);
        _sample.P.Slice(_position, n).CopyTo(p);
        batch.Commit(n);
        _position += n;
        return n;
    }

    public void Dispose()
    {
    }
}
