using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// Streams CD events from a Prophesee EVT 3.0 RAW file: an ASCII <c>%</c> header, then little-endian
/// 16-bit stateful words (type in bits 15–12).
/// </summary>
/// <remarks>
/// <para><b>State:</b> y, x base, vector polarity, TIME_HIGH (12 b), TIME_LOW (12 b) and a wrap count;
/// t = wraps·2^24 + TIME_HIGH·2^12 + TIME_LOW, spec-literal: the latest TIME_LOW wins, so a backward TIME_LOW
/// step is not read as a TIME_HIGH carry.</para>
/// <para><b>Words:</b> <c>0x0</c> ADDR_Y sets y (bits 10–0); <c>0x2</c> ADDR_X emits one event (x bits 10–0,
/// p bit 11); <c>0x3</c> VECT_BASE_X sets x base and vector polarity; <c>0x4</c> VECT_12 / <c>0x5</c> VECT_8 emit one
/// event per set mask bit i at x base + i, then advance x base by 12 / 8 — vector events at x ≥ sensor width
/// (2048 when unknown) are dropped and counted in <see cref="ReaderDiagnostics.DroppedEvents"/>;
/// <c>0x6</c> TIME_LOW; <c>0x8</c> TIME_HIGH: a decrease by more than half the 12-bit range is a wrap of the
/// 24-bit time base (<see cref="TimeBaseWraps"/>), a smaller decrease is a protocol violation that is
/// accepted as stated and counted in <see cref="NonMonotonicTimeHigh"/>; <c>0xA</c> EXT_TRIGGER goes to
/// <see cref="TriggerCount"/> / <see cref="TriggerReceived"/>. CONTINUED_4 (0x7), CONTINUED_12 (0xF),
/// OTHERS (0xE), IMU (0xD) and reserved types are skipped and counted in <see cref="ReaderDiagnostics.SkippedRecords"/>.</para>
/// <para>Events before the first TIME_HIGH carry time-high 0 (<see cref="EventsBeforeFirstTimeHigh"/>). A trailing
/// odd byte is ignored and reported. The reader owns <c>stream</c>; memory is one read buffer plus the header.</para>
/// </remarks>
public sealed class Evt3Reader : IEventReader, IRecordDecoder
{
    private const int MaxVectorEvents = 12;

    private readonly StreamBuffer _source;
    private readonly string _sourceName;
    private readonly int _width;
    private ushort _y;
    private int _xBase;
    private byte _vectorPolarity;
    private uint _timeHigh;
    private long _timeBase;
    private long _time;
    private bool _seenTimeHigh;
    private uint _pendingMask;
    private int _pendingBase;

    /// <summary>Opens an EVT 3.0 stream and reads its header.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte; the reader owns and disposes it.</param>
    /// <param name="options">Options (sensor override, buffer size); null for defaults.</param>
    /// <param name="sourceName">Name used in errors and <see cref="EventStreamInfo.SourceName"/>; null for "stream".</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer size is out of range.</exception>
    /// <exception cref="EventFormatException">The header is malformed or declares another format.</exception>
    public Evt3Reader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
    {
        _source = StreamBuffer.Create(stream, options);
        _sourceName = sourceName ?? "stream";
        Info = PropheseeInfo.ReadRaw(_source, EventFormat.Evt3, options ?? EventReaderOptions.Default, _sourceName, out long headerLength);
        HeaderLength = headerLength;
        _width = Info.Sensor?.Width ?? 2048;
    }

    /// <summary>Opens the EVT 3.0 file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="EventFormatException">The header is malformed.</exception>
    public static Evt3Reader Open(string path, EventReaderOptions? options = null)
    {
        return EventFiles.Open(path, stream => new Evt3Reader(stream, options, path));
    }

    /// <inheritdoc />
    public EventStreamInfo Info { get; }

    /// <inheritdoc />
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>Length of the ASCII header in bytes (the first data word's offset).</summary>
    public long HeaderLength { get; }

    /// <summary>Number of EXT_TRIGGER words read so far.</summary>
    public long TriggerCount { get; private set; }

    /// <summary>Number of 24-bit time-base wraps seen so far.</summary>
    public long TimeBaseWraps { get; private set; }

    /// <summary>TIME_HIGH words that went back by less than half the range (protocol violations, accepted as stated).</summary>
    public long NonMonotonicTimeHigh { get; private set; }

    /// <summary>Events decoded before the first TIME_HIGH word (emitted with time-high 0).</summary>
    public long EventsBeforeFirstTimeHigh { get; private set; }

    /// <summary>Called for each external trigger, in stream order; null to only count them.</summary>
    public Action<ExternalTrigger>? TriggerReceived { get; set; }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
        => _source.ReadRecords(batch, this, 2, Diagnostics, _sourceName, "trailing byte does not form a 16-bit word");

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    bool IRecordDecoder.HasPendingEvents => _pendingMask != 0;

    int IRecordDecoder.DecodeRecords(ReadOnlySpan<byte> bytes, Span<long> t, Span<ushort> x, Span<ushort> y, Span<byte> p, out int consumedBytes)
    {
        int produced = Decode(MemoryMarshal.Cast<byte, ushort>(bytes), t, x, y, p, out int consumed);
        consumedBytes = consumed * 2;
        return produced;
    }

    private int Decode(ReadOnlySpan<ushort> words, Span<long> ts, Span<ushort> xs, Span<ushort> ys, Span<byte> ps, out int consumed)
    {
        int free = ts.Length;
        ref long t0 = ref MemoryMarshal.GetReference(ts);
        ref ushort x0 = ref MemoryMarshal.GetReference(xs);
        ref ushort y0 = ref MemoryMarshal.GetReference(ys);
        ref byte p0 = ref MemoryMarshal.GetReference(ps);
        long time = _time;
        ushort y = _y;
        int xBase = _xBase;
        byte vp = _vectorPolarity;
        int width = _width;
        int n = 0;
        int i = 0;
        if (_pendingMask != 0)
        {
            uint mask = _pendingMask;
            while (mask != 0 && n < free)
            {
                int b = BitOperations.TrailingZeroCount(mask);
                mask &= mask - 1;
                Unsafe.Add(ref t0, n) = time;
                Unsafe.Add(ref x0, n) = (ushort)(_pendingBase + b);
                Unsafe.Add(ref y0, n) = y;
                Unsafe.Add(ref p0, n) = vp;
                n++;
            }

            _pendingMask = mask;
            if (mask != 0)
            {
                if (!_seenTimeHigh)
                {
                    EventsBeforeFirstTimeHigh += n;
                }

                consumed = 0;
                return n;
            }
        }

        if (n == free)
        {
            goto Done;
        }

        for (; i < words.Length; i++)
        {
            uint w = words[i];
            if (!BitConverter.IsLittleEndian)
            {
                w = BinaryPrimitives.ReverseEndianness((ushort)w);
            }

            uint type = w >> 12;

            // Branch-free common path (ADDR_X ~ 2/3 and ADDR_Y ~ 1/5 of the words in real data): the event an ADDR_X
            // word would make is written at slot n unconditionally (n < free holds here) and counted only for ADDR_X;
            // ADDR_Y updates y through a mask. Only the other types take a branch.
            uint isX = ((type ^ 0x2) - 1) >> 31;
            uint isY = (type - 1) >> 31;
            uint payload = w & 0x7FF;
            Unsafe.Add(ref t0, n) = time;
            Unsafe.Add(ref x0, n) = (ushort)payload;
            Unsafe.Add(ref y0, n) = y;
            Unsafe.Add(ref p0, n) = (byte)((w >> 11) & 1);
            n += (int)isX;
            y = (ushort)(y ^ ((y ^ payload) & (0u - isY)));
            if (n == free)
            {
                i++;
                break;
            }

            if ((type & 0xD) != 0)
            {
                switch (type)
                {
                    case 0x3: // VECT_BASE_X
                        xBase = (int)(w & 0x7FF);
                        vp = (byte)((w >> 11) & 1);
                        break;
                    case 0x4: // VECT_12
                    case 0x5: // VECT_8
                    {
                        int span = type == 0x4 ? 12 : 8;
                        uint mask = type == 0x4 ? w & 0xFFF : w & 0xFF;
                        if (xBase + span > width)
                        {
                            mask = ClampMask(mask, xBase, width);
                        }

                        if (free - n < MaxVectorEvents && BitOperations.PopCount(mask) > free - n)
                        {
                            // Emit what fits; the rest waits in _pendingMask for the next batch.
                            while (n < free)
                            {
                                int b = BitOperations.TrailingZeroCount(mask);
                                mask &= mask - 1;
                                Unsafe.Add(ref t0, n) = time;
                                Unsafe.Add(ref x0, n) = (ushort)(xBase + b);
                                Unsafe.Add(ref y0, n) = y;
                                Unsafe.Add(ref p0, n) = vp;
                                n++;
                            }

                            _pendingMask = mask;
                            _pendingBase = xBase;
                            xBase += span;
                            i++;
                            goto Done;
                        }

                        while (mask != 0)
                        {
                            int bit = BitOperations.TrailingZeroCount(mask);
                            mask &= mask - 1;
                            Unsafe.Add(ref t0, n) = time;
                            Unsafe.Add(ref x0, n) = (ushort)(xBase + bit);
                            Unsafe.Add(ref y0, n) = y;
                            Unsafe.Add(ref p0, n) = vp;
                            n++;
                        }

                        xBase += span;
                        if (n == free)
                        {
                            i++;
                            goto Done;
                        }

                        break;
                    }

                    case 0x6: // EVT_TIME_LOW
                        time = (time & ~0xFFFL) | (w & 0xFFF);
                        break;
                    case 0x8: // EVT_TIME_HIGH
                        if (!_seenTimeHigh)
                        {
                            EventsBeforeFirstTimeHigh += n;
                        }

                        time = TimeHigh(w & 0xFFF, time);
                        break;
                    default:
                        Other(w, time);
                        break;
                }
            }
        }

    Done:
        if (!_seenTimeHigh)
        {
            EventsBeforeFirstTimeHigh += n;
        }

        _time = time;
        _y = y;
        _xBase = xBase;
        _vectorPolarity = vp;
        consumed = i;
        return n;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private uint ClampMask(uint mask, int xBase, int width)
    {
        int room = Math.Max(0, width - xBase);
        uint kept = room >= 32 ? mask : mask & ((1u << room) - 1);
        Diagnostics.DroppedEvents += BitOperations.PopCount(mask & ~kept);
        if (mask != kept)
        {
            Diagnostics.Warn($"{_sourceName}: vector events beyond the sensor width {width} (x base {xBase}) dropped");
        }

        return kept;
    }

    private long TimeHigh(uint high, long time)
    {
        if (_seenTimeHigh && high < _timeHigh)
        {
            if (_timeHigh - high > 2048)
            {
                _timeBase += 1L << 24;
                TimeBaseWraps++;
            }
            else
            {
                NonMonotonicTimeHigh++;
                Diagnostics.Warn($"{_sourceName}: TIME_HIGH went back from {_timeHigh} to {high} (accepted as stated)");
            }
        }

        if (!_seenTimeHigh)
        {
            _seenTimeHigh = true;
            if (EventsBeforeFirstTimeHigh > 0)
            {
                Diagnostics.Warn($"{_sourceName}: {EventsBeforeFirstTimeHigh} event(s) before the first TIME_HIGH were given time-high 0");
            }
        }

        _timeHigh = high;
        return _timeBase | ((long)high << 12) | (time & 0xFFF);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Other(uint w, long time)
    {
        if ((w >> 12) == 0xA)
        {
            TriggerCount++;
            TriggerReceived?.Invoke(new ExternalTrigger(time, (byte)((w >> 8) & 0xF), (byte)(w & 1)));
        }
        else
        {
            Diagnostics.SkippedRecords++;
        }
    }
}
