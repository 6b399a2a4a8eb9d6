using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// Streams CD events from a Prophesee EVT 2.0 RAW file: an ASCII <c>%</c> header, then little-endian
/// 32-bit words (type in bits 31–28).
/// </summary>
/// <remarks>
/// <para><b>Words:</b> <c>0x0</c> CD_OFF / <c>0x1</c> CD_ON → one event with p = type, x = bits 21–11, y = bits 10–0,
/// t = time-high base | bits 27–22. <c>0x8</c> EVT_TIME_HIGH sets timestamp bits 33–6; when it decreases the 34-bit
/// counter wrapped and 2^34 µs are added from then on (<see cref="TimeHighWraps"/>). <c>0xA</c> EXT_TRIGGER is
/// counted in <see cref="TriggerCount"/> and passed to <see cref="TriggerReceived"/>, never emitted as an event.
/// <c>0xE</c> OTHERS, <c>0xF</c> CONTINUED and reserved types are skipped and counted in
/// <see cref="ReaderDiagnostics.SkippedRecords"/>.</para>
/// <para>CD events before the first TIME_HIGH have an unknown high part: they are emitted with high part 0 and
/// counted in <see cref="EventsBeforeFirstTimeHigh"/>. A trailing partial word is ignored and reported.</para>
/// <para>The reader owns <c>stream</c> and disposes it. Memory: one read buffer of
/// <see cref="EventReaderOptions.BufferSize"/> bytes plus the header; nothing is allocated per event.</para>
/// </remarks>
public sealed class Evt2Reader : IEventReader, IRecordDecoder
{
    private const uint TypeCdOff = 0x0;
    private const uint TypeCdOn = 0x1;
    private const uint TypeTimeHigh = 0x8;
    private const uint TypeExtTrigger = 0xA;

    private readonly StreamBuffer _source;
    private readonly string _sourceName;
    private long _timeBase;
    private uint _lastTimeHigh;
    private long _wrapOffset;
    private bool _seenTimeHigh;

    /// <summary>Opens an EVT 2.0 stream and reads its header.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte; the reader owns and disposes it.</param>
    /// <param name="options">Options (sensor override, buffer size); null for defaults.</param>
    /// <param name="sourceName">Name used in errors and <see cref="EventStreamInfo.SourceName"/>; null for "stream".</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer size is out of range.</exception>
    /// <exception cref="EventFormatException">The header is malformed or declares another format.</exception>
    public Evt2Reader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
    {
        _source = StreamBuffer.Create(stream, options);
        _sourceName = sourceName ?? "stream";
        Info = PropheseeInfo.ReadRaw(_source, EventFormat.Evt2, options ?? EventReaderOptions.Default, _sourceName, out long headerLength);
        HeaderLength = headerLength;
    }

    /// <summary>Opens the EVT 2.0 file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="EventFormatException">The header is malformed.</exception>
    public static Evt2Reader Open(string path, EventReaderOptions? options = null)
    {
        return EventFiles.Open(path, stream => new Evt2Reader(stream, options, path));
    }

    /// <inheritdoc />
    public EventStreamInfo Info { get; }

    /// <inheritdoc />
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>Length of the ASCII header in bytes (the first data word's offset).</summary>
    public long HeaderLength { get; }

    /// <summary>Number of EXT_TRIGGER words read so far.</summary>
    public long TriggerCount { get; private set; }

    /// <summary>Number of 34-bit time-base wraps (TIME_HIGH decreases) seen so far.</summary>
    public long TimeHighWraps { get; private set; }

    /// <summary>CD events decoded before the first TIME_HIGH word (emitted with time-high part 0).</summary>
    public long EventsBeforeFirstTimeHigh { get; private set; }

    /// <summary>Called for each external trigger, in stream order; null to only count them.</summary>
    public Action<ExternalTrigger>? TriggerReceived { get; set; }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
        => _source.ReadRecords(batch, this, 4, Diagnostics, _sourceName, "trailing byte(s) do not form a 32-bit word");

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    int IRecordDecoder.DecodeRecords(ReadOnlySpan<byte> bytes, Span<long> t, Span<ushort> x, Span<ushort> y, Span<byte> p, out int consumedBytes)
    {
        int produced = Decode(MemoryMarshal.Cast<byte, uint>(bytes), t, x, y, p, out int consumed);
        consumedBytes = consumed * 4;
        return produced;
    }

    private int Decode(ReadOnlySpan<uint> words, Span<long> ts, Span<ushort> xs, Span<ushort> ys, Span<byte> ps, out int consumed)
    {
        int free = ts.Length;
        if (free == 0)
        {
            consumed = 0;
            return 0;
        }

        ref long t0 = ref MemoryMarshal.GetReference(ts);
        ref ushort x0 = ref MemoryMarshal.GetReference(xs);
        ref ushort y0 = ref MemoryMarshal.GetReference(ys);
        ref byte p0 = ref MemoryMarshal.GetReference(ps);
        long timeBase = _timeBase;
        int n = 0;
        int i = 0;
        for (; i < words.Length; i++)
        {
            uint w = words[i];
            if (!BitConverter.IsLittleEndian)
            {
                w = BinaryPrimitives.ReverseEndianness(w);
            }

            uint type = w >> 28;
            if (type <= TypeCdOn)
            {
                Unsafe.Add(ref t0, n) = timeBase | ((w >> 22) & 0x3F);
                Unsafe.Add(ref x0, n) = (ushort)((w >> 11) & 0x7FF);
                Unsafe.Add(ref y0, n) = (ushort)(w & 0x7FF);
                Unsafe.Add(ref p0, n) = (byte)type;
                if (++n == free)
                {
                    i++;
                    break;
                }
            }
            else if (type == TypeTimeHigh)
            {
                if (!_seenTimeHigh)
                {
                    EventsBeforeFirstTimeHigh += n;
                }

                timeBase = TimeHigh(w & 0x0FFFFFFF);
            }
            else
            {
                Other(w, type, timeBase);
            }
        }

        if (!_seenTimeHigh)
        {
            EventsBeforeFirstTimeHigh += n;
        }

        _timeBase = timeBase;
        consumed = i;
        return n;
    }

    private long TimeHigh(uint high)
    {
        if (_seenTimeHigh && high < _lastTimeHigh)
        {
            _wrapOffset += 1L << 34;
            TimeHighWraps++;
        }

        if (!_seenTimeHigh)
        {
            _seenTimeHigh = true;
            if (EventsBeforeFirstTimeHigh > 0)
            {
                Diagnostics.Warn($"{_sourceName}: {EventsBeforeFirstTimeHigh} CD event(s) before the first TIME_HIGH were given time-high 0");
            }
        }

        _lastTimeHigh = high;
        return _wrapOffset + ((long)high << 6);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private void Other(uint w, uint type, long timeBase)
    {
        if (type == TypeExtTrigger)
        {
            TriggerCount++;
            TriggerReceived?.Invoke(new ExternalTrigger(timeBase | ((w >> 22) & 0x3F), (byte)((w >> 8) & 0x1F), (byte)(w & 1)));
        }
        else
        {
            Diagnostics.SkippedRecords++;
        }
    }
}
