using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// Writes CD events as Prophesee EVT 2.0 or EVT 3.0 words (little-endian), with or without the ASCII <c>%</c> header:
/// a file for <see cref="Evt2Reader"/> / <see cref="Evt3Reader"/>, or the raw word stream a camera sends over a socket.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> Timestamps are written exactly: EVT 3.0 keeps 24 bits (TIME_HIGH 12 + TIME_LOW 12) and EVT 2.0
/// 34 bits (TIME_HIGH 28 + 6 in the event word); the higher bits travel as wraps of that counter, which the readers
/// count (a TIME_HIGH that goes back). When time advances by more than half a wrap at once (and at the start, for a
/// first timestamp past one wrap), intermediate TIME_HIGH words are written, each less than half a wrap ahead, so the
/// reader counts every wrap: a stream starting at t µs costs about t / 2^23 (EVT 3.0) or t / 2^33 (EVT 2.0) extra
/// words. Senders of epoch-based times should subtract a base first.</para>
/// <para><b>Range.</b> x and y must be below 2048, polarity 0 or 1, times non-negative and non-decreasing.</para>
/// <para>Words are buffered (64 KiB) and written on <see cref="Flush"/>, when the buffer fills, and on
/// <see cref="Dispose"/>. The stream is not disposed.</para>
/// </remarks>
public sealed class EvtWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _evt3;
    private readonly byte[] _buffer = new byte[64 << 10];
    private int _used;
    private bool _started;
    private long _high;
    private long _low = -1;
    private int _y = -1;
    private long _lastTime;
    private bool _disposed;

    /// <summary>Starts a writer; writes the header now when <paramref name="writeHeader"/> is set.</summary>
    /// <param name="stream">A writable stream (not disposed by the writer).</param>
    /// <param name="format"><see cref="EventFormat.Evt2"/> or <see cref="EventFormat.Evt3"/>.</param>
    /// <param name="sensor">The sensor size written to the header (null: none stated).</param>
    /// <param name="writeHeader">Whether to write the <c>%</c> header (files); raw socket streams have none.</param>
    /// <exception cref="ArgumentOutOfRangeException">The format is neither EVT 2.0 nor EVT 3.0.</exception>
    public EvtWriter(Stream stream, EventFormat format, SensorSize? sensor = null, bool writeHeader = true)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (format is not (EventFormat.Evt2 or EventFormat.Evt3))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "EvtWriter writes EVT 2.0 or EVT 3.0.");
        }

        _stream = stream;
        _evt3 = format == EventFormat.Evt3;
        Format = format;
        if (writeHeader)
        {
            var header = new StringBuilder();
            string name = _evt3 ? "EVT3" : "EVT2";
            header.Append(CultureInfo.InvariantCulture, $"% evt {(_evt3 ? "3.0" : "2.0")}\n");
            if (sensor is SensorSize s)
            {
                header.Append(CultureInfo.InvariantCulture, $"% format {name};height={s.Height};width={s.Width}\n");
            }

            header.Append("% end\n");
            byte[] bytes = Encoding.ASCII.GetBytes(header.ToString());
            stream.Write(bytes);
            BytesWritten = bytes.Length;
        }
    }

    /// <summary>The format written.</summary>
    public EventFormat Format { get; }

    /// <summary>Events written so far.</summary>
    public long EventsWritten { get; private set; }

    /// <summary>Bytes handed to the stream so far (the buffered words not included).</summary>
    public long BytesWritten { get; private set; }

    /// <summary>Appends the events of <paramref name="events"/>.</summary>
    /// <exception cref="ArgumentException">An event is out of range or earlier than the previous one.</exception>
    public void Write(EventSpan events)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ReadOnlySpan<long> t = events.T;
        ReadOnlySpan<ushort> x = events.X;
        ReadOnlySpan<ushort> y = events.Y;
        ReadOnlySpan<byte> p = events.P;
        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] < 0 || (_started && t[i] < _lastTime))
            {
                throw new ArgumentException($"Event {i}: time {t[i]} is negative or before the previous event's {_lastTime}.", nameof(events));
            }

            if (x[i] >= 2048 || y[i] >= 2048 || p[i] > 1)
            {
                throw new ArgumentException($"Event {i}: ({x[i]}, {y[i]}, p {p[i]}) does not fit EVT coordinates (x, y < 2048, p 0/1).", nameof(events));
            }

            if (_evt3)
            {
                Evt3(t[i], x[i], y[i], p[i]);
            }
            else
            {
                Evt2(t[i], x[i], y[i], p[i]);
            }

            _lastTime = t[i];
            EventsWritten++;
        }
    }

    /// <summary>Appends the events of <paramref name="batch"/>.</summary>
    public void Write(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Write(batch.AsSpan());
    }

    /// <summary>Writes the buffered words to the stream and flushes it.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        Drain();
        _stream.Flush();
    }

    /// <summary>Writes the buffered words; the stream stays open.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Drain();
        _disposed = true;
    }

    private void Evt3(long t, ushort x, ushort y, byte p)
    {
        long high = t >> 12;
        long low = t & 0xFFF;
        if (!_started || high != _high)
        {
            StepHigh(high, 2047, 0xFFF, h => Word16((ushort)(0x8000 | h)));
            _started = true;
        }

        if (low != _low)
        {
            Word16((ushort)(0x6000 | low));
            _low = low;
        }

        if (y != _y)
        {
            Word16(y);
            _y = y;
        }

        Word16((ushort)(0x2000 | (p << 11) | x));
    }

    private void Evt2(long t, ushort x, ushort y, byte p)
    {
        long high = t >> 6;
        if (!_started || high != _high)
        {
            StepHigh(high, (1L << 28) - 1, (1L << 28) - 1, h => Word32((uint)(0x8000_0000u | (uint)h)));
            _started = true;
        }

        Word32(((uint)p << 28) | ((uint)(t & 0x3F) << 22) | ((uint)x << 11) | y);
    }

    /// <summary>Emits TIME_HIGH words from the current high part to <paramref name="target"/>, never more than
    /// <paramref name="step"/> apart, so the reader sees every wrap of the counter (masked by <paramref name="mask"/>).</summary>
    private void StepHigh(long target, long step, long mask, Action<long> emit)
    {
        long current = _started ? _high : 0;
        if (!_started)
        {
            if (target <= mask)
            {
                emit(target);
                _high = target;
                return;
            }

            emit(0);
        }

        while (target - current > step)
        {
            current += step;
            emit(current & mask);
        }

        emit(target & mask);
        _high = target;
    }

    private void Word16(ushort w)
    {
        if (_used + 2 > _buffer.Length)
        {
            Drain();
        }

        BinaryPrimitives.WriteUInt16LittleEndian(_buffer.AsSpan(_used), w);
        _used += 2;
    }

    private void Word32(uint w)
    {
        if (_used + 4 > _buffer.Length)
        {
            Drain();
        }

        BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_used), w);
        _used += 4;
    }

    private void Drain()
    {
        if (_used > 0)
        {
            _stream.Write(_buffer, 0, _used);
            BytesWritten += _used;
            _used = 0;
        }
    }
}
