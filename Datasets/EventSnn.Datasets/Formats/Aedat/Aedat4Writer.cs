using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Xml;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>Options for <see cref="Aedat4Writer"/>.</summary>
public sealed record Aedat4WriterOptions
{
    /// <summary>The sensor size written to the infoNode (<c>sizeX</c>, <c>sizeY</c>). Required.</summary>
    public required SensorSize Sensor { get; init; }

    /// <summary>Packet compression (default LZ4, as DV records).</summary>
    public Aedat4Compression Compression { get; init; } = Aedat4Compression.Lz4;

    /// <summary>The source device name written to the infoNode (default <c>EventSnn</c>).</summary>
    public string Source { get; init; } = "EventSnn";

    /// <summary>The stream id of the event stream (default 0).</summary>
    public int StreamId { get; init; }

    /// <summary>Events per packet (default 8192; 1..4 Mi).</summary>
    public int PacketEvents { get; init; } = 8192;
}

/// <summary>
/// Writes one polarity-event stream as an AEDAT 4.0 file: the <c>#!AER-DAT4.0</c> line, an IOHeader flatbuffer
/// (compression, dataTablePosition, infoNode XML declaring one EVTS stream with its sensor size and source),
/// size-prefixed EventPacket flatbuffers (compressed with the chosen codec), and a FileDataTable.
/// </summary>
/// <remarks>
/// <para>Events must be given in non-decreasing time order (AEDAT 4.0 packets are time-ordered); coordinates
/// must fit int16 and polarity must be 0 or 1. <see cref="Complete"/> (or <see cref="Dispose"/>) writes the last
/// packet and the FileDataTable; on a seekable stream it then patches the header's <c>dataTablePosition</c>. On a
/// stream that cannot seek, no table is written and <c>dataTablePosition</c> stays −1.</para>
/// <para>The writer does not dispose the stream it was given (it does when made by <see cref="Create"/>).</para>
/// </remarks>
public sealed class Aedat4Writer : IDisposable
{
    private const int DataTablePositionInHeader = 36;
    private static readonly byte[] s_magic = "#!AER-DAT4.0\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Aedat4WriterOptions _options;
    private readonly Aedat4Codec _codec;
    private readonly long _start;
    private readonly long _tablePatchOffset;
    private readonly bool _network;
    private readonly List<(long ByteOffset, int Size, long Elements, long TStart, long TEnd)> _table = [];
    private readonly byte[] _events;
    private byte[] _compressed = [];
    private int _pending;
    private long _lastTime = long.MinValue;
    private bool _completed;

    /// <summary>Starts an AEDAT 4.0 file on <paramref name="stream"/> (writes the header now).</summary>
    /// <param name="stream">A writable stream; seekable to get a FileDataTable.</param>
    /// <param name="options">Sensor size, compression, source name, stream id, packet size.</param>
    public Aedat4Writer(Stream stream, Aedat4WriterOptions options)
        : this(stream, options, ownsStream: false, network: false)
    {
    }

    private Aedat4Writer(Stream stream, Aedat4WriterOptions options, bool ownsStream, bool network)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(options);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        if (!Enum.IsDefined(options.Compression))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Compression, "Unknown compression.");
        }

        if (options.PacketEvents is < 1 or > (4 << 20))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PacketEvents, "PacketEvents must be in 1..4 Mi.");
        }

        if (options.StreamId < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StreamId, "StreamId must be non-negative.");
        }

        ArgumentNullException.ThrowIfNull(options.Source, nameof(options));
        _stream = stream;
        _ownsStream = ownsStream;
        _network = network;
        _options = options;
        _codec = new Aedat4Codec(options.Compression);
        _start = stream.CanSeek ? stream.Position : 0;
        _events = new byte[32 + (16 * options.PacketEvents)];

        byte[] header = BuildIOHeader(options.Compression, -1, BuildInfoNode(options));
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, header.Length);
        int magic = network ? 0 : s_magic.Length;
        if (!network)
        {
            stream.Write(s_magic);
        }

        stream.Write(length);
        stream.Write(header);
        BytesWritten = magic + 4 + header.Length;
        _tablePatchOffset = magic + 4 + DataTablePositionInHeader;
    }

    /// <summary>Events written so far (including those buffered for the current packet).</summary>
    public long EventsWritten { get; private set; }

    /// <summary>Bytes written to the stream so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>
    /// Starts an AEDAT 4.0 network stream on <paramref name="stream"/> as dv-processing's network writer sends it: the
    /// IOHeader as a size-prefixed flatbuffer (dataTablePosition −1, no version line), then packets; no FileDataTable.
    /// Call <see cref="Flush"/> to send buffered events as a packet without waiting for a full one.
    /// </summary>
    /// <param name="stream">A writable stream (for example a socket's stream); not disposed by the writer.</param>
    /// <param name="options">Sensor size, compression, source name, stream id, packet size.</param>
    public static Aedat4Writer CreateNetworkStream(Stream stream, Aedat4WriterOptions options) =>
        new(stream, options, ownsStream: false, network: true);

    /// <summary>Writes the buffered events as one packet now (nothing when none is buffered) and flushes the stream.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        FlushPacket();
        _stream.Flush();
    }

    /// <summary>Creates (or overwrites) an AEDAT 4.0 file at <paramref name="path"/>.</summary>
    public static Aedat4Writer Create(string path, Aedat4WriterOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16);
        try
        {
            return new Aedat4Writer(stream, options, ownsStream: true, network: false);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Appends one event.</summary>
    public void Write(in DvsEvent e) =>
        Write([e.T], [e.X], [e.Y], [e.P]);

    /// <summary>Appends the events of <paramref name="batch"/>.</summary>
    public void Write(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Write(batch.T, batch.X, batch.Y, batch.P);
    }

    /// <summary>Appends events given as columns of equal length.</summary>
    /// <exception cref="ArgumentException">Columns differ in length, time decreases, a coordinate exceeds int16, or a polarity is not 0/1.</exception>
    public void Write(ReadOnlySpan<long> t, ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, ReadOnlySpan<byte> p)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
        {
            throw new ArgumentException("The t, x, y and p columns must have the same length.", nameof(t));
        }

        for (int i = 0; i < t.Length; i++)
        {
            if (t[i] < _lastTime)
            {
                throw new ArgumentException($"Event {i}: time {t[i]} is before the previous event's {_lastTime}; AEDAT 4.0 packets are time-ordered.", nameof(t));
            }

            if (x[i] > short.MaxValue || y[i] > short.MaxValue)
            {
                throw new ArgumentOutOfRangeException(nameof(x), $"Event {i}: ({x[i]}, {y[i]}) does not fit AEDAT 4.0's int16 coordinates.");
            }

            if (p[i] > 1)
            {
                throw new ArgumentOutOfRangeException(nameof(p), $"Event {i}: polarity {p[i]} is not 0 or 1.");
            }

            _lastTime = t[i];
            Span<byte> e = _events.AsSpan(32 + (16 * _pending), 16);
            BinaryPrimitives.WriteInt64LittleEndian(e, t[i]);
            BinaryPrimitives.WriteInt16LittleEndian(e[8..], (short)x[i]);
            BinaryPrimitives.WriteInt16LittleEndian(e[10..], (short)y[i]);
            e[12] = p[i];
            e[13] = 0;
            e[14] = 0;
            e[15] = 0;
            _pending++;
            EventsWritten++;
            if (_pending == _options.PacketEvents)
            {
                FlushPacket();
            }
        }
    }

    /// <summary>Writes the last packet and the FileDataTable, and patches the header. Further writes are refused.</summary>
    public void Complete()
    {
        if (_completed)
        {
            return;
        }

        FlushPacket();
        if (_stream.CanSeek && !_network)
        {
            long tablePosition = BytesWritten;
            byte[] table = BuildFileDataTable(_table);
            int n = _codec.Compress(table, ref _compressed);
            _stream.Write(_compressed, 0, n);
            BytesWritten += n;
            long end = _stream.Position;
            _stream.Position = _start + _tablePatchOffset;
            Span<byte> position = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(position, tablePosition);
            _stream.Write(position);
            _stream.Position = end;
        }

        _stream.Flush();
        _completed = true;
    }

    /// <summary>Completes the file (see <see cref="Complete"/>) and releases the writer.</summary>
    public void Dispose()
    {
        try
        {
            Complete();
        }
        finally
        {
            _codec.Dispose();
            if (_ownsStream)
            {
                _stream.Dispose();
            }
        }
    }

    private void FlushPacket()
    {
        if (_pending == 0)
        {
            return;
        }

        // Size-prefixed EventPacket flatbuffer, laid out as DV writes it (positions from the size prefix; flatbuffer
        // offsets count from byte 4; 8-byte alignment is relative to the prefix, as flatbuffers' verifier checks it):
        // 0 size | 4 root offset (16) | 8 "EVTS" | 12 padding | 14 vtable {6, 8, 4} | 20 table {soffset 6, vector offset 4}
        // | 28 count | 32 events (16 bytes each).
        int length = 32 + (16 * _pending);
        Span<byte> b = _events.AsSpan(0, length);
        BinaryPrimitives.WriteInt32LittleEndian(b, length - 4);
        BinaryPrimitives.WriteUInt32LittleEndian(b[4..], 16);
        "EVTS"u8.CopyTo(b[8..]);
        BinaryPrimitives.WriteUInt16LittleEndian(b[12..], 0);
        BinaryPrimitives.WriteUInt16LittleEndian(b[14..], 6);
        BinaryPrimitives.WriteUInt16LittleEndian(b[16..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b[18..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], 6);
        BinaryPrimitives.WriteUInt32LittleEndian(b[24..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], _pending);

        long tStart = BinaryPrimitives.ReadInt64LittleEndian(b[32..]);
        long tEnd = BinaryPrimitives.ReadInt64LittleEndian(b[(length - 16)..]);
        int size = _codec.Compress(b, ref _compressed);
        Span<byte> header = stackalloc byte[8];
        BinaryPrimitives.WriteInt32LittleEndian(header, _options.StreamId);
        BinaryPrimitives.WriteInt32LittleEndian(header[4..], size);
        _stream.Write(header);
        _stream.Write(_compressed, 0, size);
        if (!_network)
        {
            _table.Add((BytesWritten + 8, size, _pending, tStart, tEnd));
        }

        BytesWritten += 8 + size;
        _pending = 0;
    }

    /// <summary>
    /// IOHeader flatbuffer, laid out as DV writes it (it follows its uint32 length in the file, so alignment is
    /// relative to that length): 0 root offset (24) | 4 "IOHE" | 8 padding | 14 vtable {10, 20, 4, 12, 8} | 24 table
    /// {soffset 10, compression, infoNode offset, dataTablePosition (int64 at 36)} | 44 string (length, UTF-8, NUL).
    /// </summary>
    internal static byte[] BuildIOHeader(Aedat4Compression compression, long dataTablePosition, string infoNode)
    {
        byte[] text = Encoding.UTF8.GetBytes(infoNode);
        byte[] buffer = new byte[44 + 4 + text.Length + 1];
        Span<byte> b = buffer;
        BinaryPrimitives.WriteUInt32LittleEndian(b, 24);
        "IOHE"u8.CopyTo(b[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(b[14..], 10);
        BinaryPrimitives.WriteUInt16LittleEndian(b[16..], 20);
        BinaryPrimitives.WriteUInt16LittleEndian(b[18..], 4);
        BinaryPrimitives.WriteUInt16LittleEndian(b[20..], 12);
        BinaryPrimitives.WriteUInt16LittleEndian(b[22..], 8);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], 10);
        BinaryPrimitives.WriteInt32LittleEndian(b[28..], (int)compression);
        BinaryPrimitives.WriteUInt32LittleEndian(b[32..], 44 - 32);
        BinaryPrimitives.WriteInt64LittleEndian(b[DataTablePositionInHeader..], dataTablePosition);
        BinaryPrimitives.WriteInt32LittleEndian(b[44..], text.Length);
        text.CopyTo(b[48..]);
        return buffer;
    }

    /// <summary>
    /// Size-prefixed FileDataTable flatbuffer (offsets relative to byte 4): root table with a vector of table
    /// offsets; every FileDataDefinition shares one vtable and is laid out as {soffset, ByteOffset, NumElements,
    /// TimestampStart, TimestampEnd (int64, 8-aligned counting from the size prefix), PacketHeader (streamId, size),
    /// padding} = 48 bytes.
    /// </summary>
    private byte[] BuildFileDataTable(List<(long ByteOffset, int Size, long Elements, long TStart, long TEnd)> entries)
    {
        int m = entries.Count;
        int vtable = 24 + 4 + (4 * m);
        int first = vtable + 14;
        while (first % 8 != 0)
        {
            first += 2;
        }

        int length = first + (48 * m);
        byte[] buffer = new byte[4 + length];
        BinaryPrimitives.WriteInt32LittleEndian(buffer, length);
        Span<byte> b = buffer.AsSpan(4);
        BinaryPrimitives.WriteUInt32LittleEndian(b, 16);
        "FTAB"u8.CopyTo(b[4..]);
        BinaryPrimitives.WriteUInt16LittleEndian(b[8..], 6);
        BinaryPrimitives.WriteUInt16LittleEndian(b[10..], 8);
        BinaryPrimitives.WriteUInt16LittleEndian(b[12..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(b[16..], 8);
        BinaryPrimitives.WriteUInt32LittleEndian(b[20..], 4);
        BinaryPrimitives.WriteInt32LittleEndian(b[24..], m);
        BinaryPrimitives.WriteUInt16LittleEndian(b[vtable..], 14);
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 2)..], 44);
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 4)..], 4);   // ByteOffset
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 6)..], 36);  // PacketInfo
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 8)..], 12);  // NumElements
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 10)..], 20); // TimestampStart
        BinaryPrimitives.WriteUInt16LittleEndian(b[(vtable + 12)..], 28); // TimestampEnd
        for (int i = 0; i < m; i++)
        {
            var e = entries[i];
            int d = first + (48 * i);
            int slot = 28 + (4 * i);
            BinaryPrimitives.WriteUInt32LittleEndian(b[slot..], (uint)(d - slot));
            BinaryPrimitives.WriteInt32LittleEndian(b[d..], d - vtable);
            BinaryPrimitives.WriteInt64LittleEndian(b[(d + 4)..], e.ByteOffset);
            BinaryPrimitives.WriteInt64LittleEndian(b[(d + 12)..], e.Elements);
            BinaryPrimitives.WriteInt64LittleEndian(b[(d + 20)..], e.TStart);
            BinaryPrimitives.WriteInt64LittleEndian(b[(d + 28)..], e.TEnd);
            BinaryPrimitives.WriteInt32LittleEndian(b[(d + 36)..], _options.StreamId);
            BinaryPrimitives.WriteInt32LittleEndian(b[(d + 40)..], e.Size);
        }

        return buffer;
    }

    private static string BuildInfoNode(Aedat4WriterOptions options)
    {
        string id = options.StreamId.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { OmitXmlDeclaration = true, Indent = true, IndentChars = "    " };
        using (var xml = XmlWriter.Create(sb, settings))
        {
            xml.WriteStartElement("dv");
            xml.WriteAttributeString("version", "2.0");
            Node(xml, "outInfo", "/mainloop/Recorder/outInfo/");
            Node(xml, id, $"/mainloop/Recorder/outInfo/{id}/");
            Attr(xml, "compression", "string", CompressionName(options.Compression));
            Attr(xml, "originalModuleName", "string", "EventSnn");
            Attr(xml, "originalOutputName", "string", "events");
            Attr(xml, "typeDescription", "string", "Array of events (polarity ON/OFF).");
            Attr(xml, "typeIdentifier", "string", "EVTS");
            Node(xml, "info", $"/mainloop/Recorder/outInfo/{id}/info/");
            Attr(xml, "sizeX", "int", options.Sensor.Width.ToString(CultureInfo.InvariantCulture));
            Attr(xml, "sizeY", "int", options.Sensor.Height.ToString(CultureInfo.InvariantCulture));
            Attr(xml, "source", "string", options.Source);
            Attr(xml, "tsOffset", "long", "0");
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
            xml.WriteEndElement();
        }

        return sb.Append('\n').ToString();

        static void Node(XmlWriter xml, string name, string path)
        {
            xml.WriteStartElement("node");
            xml.WriteAttributeString("name", name);
            xml.WriteAttributeString("path", path);
        }

        static void Attr(XmlWriter xml, string key, string type, string value)
        {
            xml.WriteStartElement("attr");
            xml.WriteAttributeString("key", key);
            xml.WriteAttributeString("type", type);
            xml.WriteString(value);
            xml.WriteEndElement();
        }
    }

    private static string CompressionName(Aedat4Compression compression) => compression switch
    {
        Aedat4Compression.Lz4 => "LZ4",
        Aedat4Compression.Lz4High => "LZ4_HIGH",
        Aedat4Compression.Zstd => "ZSTD",
        Aedat4Compression.ZstdHigh => "ZSTD_HIGH",
        _ => "NONE",
    };
}
