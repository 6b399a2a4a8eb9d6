using EventSnn.Events;

namespace EventSnn.Datasets.Emulation;

/// <summary>
/// An <see cref="IEventReader"/> that emulates events from a sequence of timestamped frames on demand: frames are pulled
/// one at a time and fed to a <see cref="DvsEmulator"/>, so memory stays bounded by one frame's events whatever the
/// sequence's length. The events are those <see cref="DvsEmulator.AddFrame"/> would append for the same frames.
/// </summary>
public sealed class EmulatedEventReader : IEventReader
{
    private readonly DvsEmulator _emulator;
    private readonly IEnumerator<(long TimeUs, float[] Frame)> _frames;
    private readonly EventArray _pending;
    private int _position;
    private bool _done;

    /// <summary>Creates the reader.</summary>
    /// <param name="sensor">The frame size.</param>
    /// <param name="frames">Frames (row-major H×W intensities) with strictly increasing µs timestamps.</param>
    /// <param name="options">Emulator parameters.</param>
    /// <param name="sourceName">The stream name for <see cref="EventStreamInfo.SourceName"/>.</param>
    public EmulatedEventReader(SensorSize sensor, IEnumerable<(long TimeUs, float[] Frame)> frames, DvsEmulatorOptions? options = null, string sourceName = "emulated")
    {
        ArgumentNullException.ThrowIfNull(frames);
        ArgumentNullException.ThrowIfNull(sourceName);
        _emulator = new DvsEmulator(sensor, options);
        _frames = frames.GetEnumerator();
        _pending = new EventArray(sensor);
        Info = new EventStreamInfo(EventFormat.Unknown, sensor, "emulator", null, sourceName);
    }

    /// <inheritdoc/>
    public EventStreamInfo Info { get; }

    /// <inheritdoc/>
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>The number of frames consumed so far.</summary>
    public long FramesRead { get; private set; }

    /// <inheritdoc/>
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int written = 0;
        while (batch.Free > 0)
        {
            if (_position == _pending.Count)
            {
                if (_done || !Refill())
                {
                    break;
                }

                continue;
            }

            int n = Math.Min(batch.Free, _pending.Count - _position);
            batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
            _pending.T.Slice(_position, n).CopyTo(t);
            _pending.X.Slice(_position, n).CopyTo(x);
            _pending.Y.Slice(_position, n).CopyTo(y);
            _pending.P.Slice(_position, n).CopyTo(p);
            batch.Commit(n);
            _position += n;
            written += n;
        }

        return written;
    }

    /// <inheritdoc/>
    public void Dispose() => _frames.Dispose();

    private bool Refill()
    {
        _pending.Clear();
        _position = 0;
        while (_frames.MoveNext())
        {
            (long t, float[] frame) = _frames.Current;
            ArgumentNullException.ThrowIfNull(frame, nameof(frame));
            FramesRead++;
            if (_emulator.AddFrame(t, frame, _pending) > 0)
            {
                return true;
            }
        }

        _done = true;
        return false;
    }
}
