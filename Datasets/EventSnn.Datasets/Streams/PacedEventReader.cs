using System.Diagnostics;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// Replays another reader's events in real time: an event at t µs is released when <c>(t − t₀) / speed</c> µs of wall
/// time have passed since the first event was read (t₀ its time). Batches hold the events due so far, so they are
/// small at low rates and large at high rates; times are passed through unchanged.
/// </summary>
/// <remarks>A speed of 0 releases everything at once (as fast as the consumer reads). Waiting observes the
/// cancellation token in slices of at most 50 ms. Owns and disposes the inner reader.</remarks>
public sealed class PacedEventReader : IEventReader
{
    private readonly IEventReader _inner;
    private readonly double _speed;
    private readonly CancellationToken _cancellation;
    private readonly EventBatch _pending;
    private int _position;
    private bool _started;
    private bool _ended;
    private long _t0;
    private long _wallStart;

    /// <summary>Wraps <paramref name="inner"/>.</summary>
    /// <param name="inner">The reader to pace (owned).</param>
    /// <param name="speed">Replay speed factor (1 = real time; 0 = unpaced; at most 1e6).</param>
    /// <param name="bufferEvents">Read-ahead buffer in events (default 64 Ki).</param>
    /// <param name="cancellation">Stops a wait.</param>
    /// <exception cref="ArgumentOutOfRangeException">The speed is negative, not finite or above 1e6.</exception>
    public PacedEventReader(IEventReader inner, double speed, int bufferEvents = EventBatch.DefaultCapacity, CancellationToken cancellation = default)
    {
        ArgumentNullException.ThrowIfNull(inner);
        if (!double.IsFinite(speed) || speed < 0 || speed > 1e6)
        {
            throw new ArgumentOutOfRangeException(nameof(speed), speed, "The speed factor must be in 0..1e6 (0 = unpaced).");
        }

        _inner = inner;
        _speed = speed;
        _cancellation = cancellation;
        _pending = new EventBatch(bufferEvents);
    }

    /// <inheritdoc/>
    public EventStreamInfo Info => _inner.Info;

    /// <inheritdoc/>
    public ReaderDiagnostics Diagnostics => _inner.Diagnostics;

    /// <inheritdoc/>
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (batch.Free == 0)
        {
            return 0;
        }

        while (true)
        {
            _cancellation.ThrowIfCancellationRequested();
            if (_position == _pending.Count)
            {
                if (_ended)
                {
                    return 0;
                }

                _pending.Clear();
                _position = 0;
                if (_inner.ReadBatch(_pending) == 0)
                {
                    _ended = true;
                    return 0;
                }

                if (!_started)
                {
                    _started = true;
                    _t0 = _pending.T[0];
                    _wallStart = Stopwatch.GetTimestamp();
                }
            }

            ReadOnlySpan<long> t = _pending.T[_position..];
            int due;
            if (_speed == 0)
            {
                due = t.Length;
            }
            else
            {
                double elapsedUs = Stopwatch.GetElapsedTime(_wallStart).TotalMicroseconds;
                long dueTime = _t0 + (long)Math.Floor(elapsedUs * _speed);
                due = CountAtOrBefore(t, dueTime);
                if (due == 0)
                {
                    double waitUs = ((t[0] - _t0) / _speed) - elapsedUs;
                    int waitMs = (int)Math.Clamp(Math.Ceiling(waitUs / 1000), 1, 50);
                    _cancellation.WaitHandle.WaitOne(waitMs);
                    continue;
                }
            }

            int n = Math.Min(due, batch.Free);
            batch.GetWritableTail(out Span<long> bt, out Span<ushort> bx, out Span<ushort> by, out Span<byte> bp);
            _pending.T.Slice(_position, n).CopyTo(bt);
            _pending.X.Slice(_position, n).CopyTo(bx);
            _pending.Y.Slice(_position, n).CopyTo(by);
            _pending.P.Slice(_position, n).CopyTo(bp);
            batch.Commit(n);
            _position += n;
            return n;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _pending.Dispose();
        _inner.Dispose();
    }

    private static int CountAtOrBefore(ReadOnlySpan<long> sorted, long time)
    {
        int lo = 0, hi = sorted.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) >>> 1;
            if (sorted[mid] <= time)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }
}
