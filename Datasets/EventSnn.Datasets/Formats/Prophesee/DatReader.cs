using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// Streams events from a Prophesee DAT file: an ASCII <c>%</c> header, one event-type byte, one event-size
/// byte (must be 8), then 8-byte little-endian records <c>uint32 t</c> + <c>uint32 w</c>.
/// </summary>
/// <remarks>
/// <para><b>Layouts</b> (from the header's <c>% Version</c> line): version 2: x = w bits 13–0, y = bits 27–14,
/// p = bits 31–28; version 1 (old ATIS): x = bits 8–0, y = bits 16–9, p = bits 20–17. A header without a
/// Version line is read as version 1 (the line was introduced with version 2) and the choice is noted in
/// <see cref="EventStreamInfo.Notes"/>. Polarity keeps the stored 4-bit value (0/1 for CD events).</para>
/// <para><b>Types:</b> 0x00 Event2d and 0x0C EventCD are CD events; 0x0E ExtTrigger files are decoded with the
/// same layout (p = edge) and say so in the notes. Another type byte, or a size byte other than 8, is an
/// <see cref="EventFormatException"/> naming its offset.</para>
/// <para><b>Time:</b> t is uint32 µs; when it drops by more than 2^31 the counter wrapped and 2^32 µs are added from
/// then on (<see cref="TimeWraps"/>). Smaller drops are kept as stored and counted in
/// <see cref="NonMonotonicTimestamps"/>.</para>
/// <para>Sensor size: the caller's <see cref="EventReaderOptions.Sensor"/>, else <c>% Width</c>/<c>% Height</c>
/// or <c>% geometry</c>, else null. A trailing partial record is ignored and reported. The reader owns
/// <c>stream</c>; memory is one read buffer plus the header.</para>
/// </remarks>
public sealed class DatReader : IEventReader, IRecordDecoder
{
    private readonly StreamBuffer _source;
    private readonly string _sourceName;
    private readonly bool _version2;
    private long _offset;
    private uint _last;

    /// <summary>Opens a DAT stream and reads its header and event type/size bytes.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte; the reader owns and disposes it.</param>
    /// <param name="options">Options (sensor size, buffer size); null for defaults.</param>
    /// <param name="sourceName">Name used in errors and <see cref="EventStreamInfo.SourceName"/>; null for "stream".</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer size is out of range.</exception>
    /// <exception cref="EventFormatException">The header, version, type or size byte is invalid.</exception>
    public DatReader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
    {
        _source = StreamBuffer.Create(stream, options);
        options ??= EventReaderOptions.Default;
        _sourceName = sourceName ?? "stream";
        try
        {
            var header = PropheseeHeader.Read(_source, _sourceName);
            var notes = new List<string>();
            if (header.Fields.TryGetValue("Version", out string? version))
            {
                _version2 = version.Trim() switch
                {
                    "2" => true,
                    "1" => false,
                    _ => throw new EventFormatException(_sourceName, 0, $"unsupported DAT version '{version}' (1 and 2 are supported)"),
                };
                Version = _version2 ? 2 : 1;
            }
            else
            {
                Version = 1;
                notes.Add("no Version line: version 1 field layout assumed");
            }

            HeaderLength = header.Length;
            long typeOffset = _source.Position;
            if (!_source.Ensure(2))
            {
                if (_source.Available > 0)
                {
                    Diagnostics.TrailingBytesIgnored = _source.Available;
                    _source.Advance(_source.Available);
                }

                Diagnostics.Warn($"{_sourceName}: at byte {typeOffset}: the file ends before the event type and size bytes (no events)");
                _source.MarkFinished();
            }
            else
            {
                EventType = _source.Span[0];
                byte eventSize = _source.Span[1];
                if (eventSize != 8)
                {
                    throw new EventFormatException(_sourceName, typeOffset + 1, $"DAT event size is {eventSize}, expected 8");
                }

                string typeName = EventType switch
                {
                    0x00 => "Event2d",
                    0x0C => "EventCD",
                    0x0E => "EventExtTrigger",
                    _ => throw new EventFormatException(
                        _sourceName, typeOffset, $"unknown DAT event type 0x{EventType:X2} (0x00, 0x0C and 0x0E are defined)"),
                };
                notes.Add($"event type 0x{EventType:X2} ({typeName})");
                if (EventType == 0x0E)
                {
                    notes.Add("external-trigger records: p is the edge, x the channel");
                }

                _source.Advance(2);
            }

            Info = PropheseeInfo.Build(EventFormat.Dat, header, options, _sourceName, notes);
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    /// <summary>Opens the DAT file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="EventFormatException">The header, version, type or size byte is invalid.</exception>
    public static DatReader Open(string path, EventReaderOptions? options = null)
    {
        return EventFiles.Open(path, stream => new DatReader(stream, options, path));
    }

    /// <inheritdoc />
    public EventStreamInfo Info { get; }

    /// <inheritdoc />
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>Length of the ASCII header in bytes (the event type byte's offset).</summary>
    public long HeaderLength { get; }

    /// <summary>The field layout version in use (1 or 2).</summary>
    public int Version { get; }

    /// <summary>The event type byte (0x00 Event2d, 0x0C EventCD, 0x0E ExtTrigger); 0 when the file has none.</summary>
    public byte EventType { get; }

    /// <summary>Number of 32-bit timestamp wraps seen so far.</summary>
    public long TimeWraps { get; private set; }

    /// <summary>Records whose timestamp went back by up to 2^31 µs (kept as stored).</summary>
    public long NonMonotonicTimestamps { get; private set; }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
        => _source.ReadRecords(batch, this, 8, Diagnostics, _sourceName, "trailing byte(s) do not form an 8-byte record");

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    int IRecordDecoder.DecodeRecords(ReadOnlySpan<byte> bytes, Span<long> t, Span<ushort> x, Span<ushort> y, Span<byte> p, out int consumedBytes)
    {
        ReadOnlySpan<ulong> records = MemoryMarshal.Cast<byte, ulong>(bytes);
        int n = Math.Min(records.Length, t.Length);
        if (_version2)
        {
            Decode<Layout2>(records[..n], t, x, y, p);
        }
        else
        {
            Decode<Layout1>(records[..n], t, x, y, p);
        }

        consumedBytes = n * 8;
        return n;
    }

    private void Decode<TLayout>(ReadOnlySpan<ulong> records, Span<long> ts, Span<ushort> xs, Span<ushort> ys, Span<byte> ps)
        where TLayout : struct, ILayout
    {
        ref long t0 = ref MemoryMarshal.GetReference(ts);
        ref ushort x0 = ref MemoryMarshal.GetReference(xs);
        ref ushort y0 = ref MemoryMarshal.GetReference(ys);
        ref byte p0 = ref MemoryMarshal.GetReference(ps);
        long offset = _offset;
        uint last = _last;
        for (int i = 0; i < records.Length; i++)
        {
            ulong r = records[i];
            if (!BitConverter.IsLittleEndian)
            {
                r = BinaryPrimitives.ReverseEndianness(r);
            }

            uint t = (uint)r;
            uint w = (uint)(r >> 32);
            if (t < last)
            {
                offset = Backward(t, last, offset);
            }

            last = t;
            Unsafe.Add(ref t0, i) = offset + t;
            Unsafe.Add(ref x0, i) = TLayout.X(w);
            Unsafe.Add(ref y0, i) = TLayout.Y(w);
            Unsafe.Add(ref p0, i) = TLayout.P(w);
        }

        _offset = offset;
        _last = last;
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private long Backward(uint t, uint last, long offset)
    {
        if (last - t > 1u << 31)
        {
            TimeWraps++;
            return offset + (1L << 32);
        }

        NonMonotonicTimestamps++;
        if (NonMonotonicTimestamps <= 10)
        {
            Diagnostics.Warn($"{_sourceName}: timestamp went back from {last} to {t} µs (kept as stored)");
        }

        return offset;
    }

    private interface ILayout
    {
        static abstract ushort X(uint w);

        static abstract ushort Y(uint w);

        static abstract byte P(uint w);
    }

    private readonly struct Layout2 : ILayout
    {
        public static ushort X(uint w) => (ushort)(w & 0x3FFF);

        public static ushort Y(uint w) => (ushort)((w >> 14) & 0x3FFF);

        public static byte P(uint w) => (byte)(w >> 28);
    }

    private readonly struct Layout1 : ILayout
    {
        public static ushort X(uint w) => (ushort)(w & 0x1FF);

        public static ushort Y(uint w) => (ushort)((w >> 9) & 0xFF);

        public static byte P(uint w) => (byte)((w >> 17) & 0xF);
    }
}
