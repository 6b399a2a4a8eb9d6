using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Xml;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>
/// Reads the polarity events of one stream of an AEDAT 4.0 file (DV / dv-processing): IOHeader flatbuffer,
/// infoNode XML, packets compressed with NONE, LZ4, LZ4_HIGH, ZSTD or ZSTD_HIGH, each a size-prefixed
/// flatbuffer; EVTS packets are decoded in place (16-byte Event structs).
/// </summary>
/// <remarks>
/// <para>The stream is chosen by <see cref="EventReaderOptions.StreamId"/>, else the first stream the infoNode
/// declares with type <c>EVTS</c>, else (no declaration) the first packet whose identifier is <c>EVTS</c>.
/// Packets of other streams are skipped without being decompressed; packets of the chosen stream with another
/// identifier are skipped and counted in <see cref="ReaderDiagnostics.SkippedRecords"/>.</para>
/// <para>Reading is sequential and stops at the header's <c>dataTablePosition</c> (the FileDataTable), or at the
/// end of the stream when there is none. Memory is bounded: a packet may be at most
/// <see cref="MaxPacketBytes"/> bytes stored and decompressed (compression bombs are refused), the IOHeader at most
/// <see cref="MaxHeaderBytes"/>. Coordinates are returned as stored ((0,0) upper-left); events with negative
/// coordinates are dropped and counted. Timestamps are absolute µs as stored.</para>
/// </remarks>
public sealed class Aedat4Reader : IEventReader
{
    /// <summary>The largest packet accepted, stored or decompressed: 64 MiB (4 Mi events).</summary>
    public const int MaxPacketBytes = 64 << 20;

    /// <summary>The largest IOHeader accepted: 16 MiB.</summary>
    public const int MaxHeaderBytes = 16 << 20;

    private const int EventStride = 16;
    private static readonly byte[] s_magic = "#!AER-DAT4.0\r\n"u8.ToArray();

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly Aedat4Codec _codec;
    private readonly string _name;
    private readonly long _dataTablePosition;
    private readonly long _streamStart;
    private readonly int _maxPacket;
    private readonly bool _live;
    private byte[] _packet = new byte[64 << 10];
    private byte[] _decoded = new byte[64 << 10];
    private byte[] _eventsBuffer = [];
    private int _eventsStart;
    private int _eventsCount;
    private long _eventsOffset;
    private long _position;
    private int? _selected;
    private bool _finished;
    private long _skipBefore = long.MinValue;
    private List<TableEntry>? _tableEntries;

    /// <summary>Reads an AEDAT 4.0 stream; the header is parsed here.</summary>
    /// <param name="stream">A readable stream at the start of the file. The reader does not dispose it.</param>
    /// <param name="options">Options (stream id, sensor override); null for defaults.</param>
    /// <param name="sourceName">A name for error messages (default: <c>stream</c>).</param>
    /// <exception cref="EventFormatException">The header is malformed or names no usable stream.</exception>
    public Aedat4Reader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
        : this(stream, options, sourceName, ownsStream: false, network: false, MaxPacketBytes)
    {
    }

    private Aedat4Reader(Stream stream, EventReaderOptions? options, string? sourceName, bool ownsStream, bool network, int maxPacketBytes)
    {
        options = AedatOptions.Validate(stream, options);
        _stream = stream;
        _ownsStream = ownsStream;
        _name = sourceName ?? "stream";
        _streamStart = stream.CanSeek ? stream.Position : 0;
        _position = 0;
        _maxPacket = maxPacketBytes;
        _live = options.Live;

        // A file starts with the version line; a network stream (dv-processing) starts directly with the size prefix.
        int magicLength = network ? 0 : s_magic.Length;
        Span<byte> start = stackalloc byte[18];
        int got = ReadFully(start[..(magicLength + 4)]);
        if (!network && (got < 14 || !start[..14].SequenceEqual(s_magic)))
        {
            throw new EventFormatException(_name, 0, "not an AEDAT 4.0 file (expected '#!AER-DAT4.0\\r\\n')");
        }

        if (got < magicLength + 4)
        {
            throw new EventFormatException(_name, magicLength, network ? "stream ends inside the IOHeader size prefix" : "file ends inside the IOHeader length");
        }

        uint headerLength = BinaryPrimitives.ReadUInt32LittleEndian(start[magicLength..]);
        uint maxHeader = network ? (uint)Math.Min(MaxHeaderBytes, maxPacketBytes) : MaxHeaderBytes;
        if (headerLength > maxHeader)
        {
            throw new EventFormatException(_name, magicLength, $"IOHeader length {headerLength} exceeds {maxHeader} bytes");
        }

        long headerOffset = _position;
        int headerRead = ReadBlock(ref _packet, (int)headerLength);
        if (headerRead < headerLength)
        {
            throw new EventFormatException(_name, headerOffset, $"IOHeader of {headerLength} bytes is truncated ({headerRead} bytes)");
        }

        var fb = new FlatBufferReader(_packet.AsSpan(0, (int)headerLength), headerOffset, _name, "IOHeader");
        FlatTable root = fb.Root();
        int compression = fb.GetInt32(root, 0, 0);
        if (compression is < 0 or > 4)
        {
            throw new EventFormatException(_name, headerOffset, $"unknown compression type {compression}");
        }

        Compression = (Aedat4Compression)compression;
        _codec = new Aedat4Codec(Compression);
        long tablePosition = network ? -1 : fb.GetInt64(root, 1, -1);
        string infoXml = Encoding.UTF8.GetString(fb.String(root, 2));
        DataStartOffset = _position;

        var notes = new List<string>();
        if (tablePosition >= 0 && (tablePosition < DataStartOffset || (stream.CanSeek && tablePosition > stream.Length - _streamStart)))
        {
            notes.Add($"dataTablePosition {tablePosition} lies outside the data; ignored");
            tablePosition = -1;
        }

        _dataTablePosition = tablePosition;
        Streams = ParseInfoNode(infoXml, headerOffset);

        Aedat4StreamDescription? chosen = null;
        if (options.StreamId is int wanted)
        {
            chosen = Streams.FirstOrDefault(s => s.Id == wanted);
            if (chosen is null && Streams.Count > 0)
            {
                throw new EventFormatException(_name, headerOffset, $"stream {wanted} is not declared (declared: {string.Join(", ", Streams.Select(s => $"{s.Id} {s.TypeIdentifier}"))})");
            }

            if (chosen is not null && chosen.TypeIdentifier != "EVTS")
            {
                throw new EventFormatException(_name, headerOffset, $"stream {wanted} carries {chosen.TypeIdentifier}, not events (EVTS)");
            }

            _selected = wanted;
        }
        else
        {
            chosen = Streams.FirstOrDefault(s => s.TypeIdentifier == "EVTS");
            if (chosen is not null)
            {
                _selected = chosen.Id;
            }
            else if (Streams.Count > 0)
            {
                throw new EventFormatException(_name, headerOffset, "the file declares no event (EVTS) stream");
            }
            else
            {
                notes.Add("infoNode declares no streams: reading the first stream whose packets are EVTS");
            }
        }

        SensorSize? sensor = chosen?.Sensor ?? AedatSensors.FromModel(chosen?.Source);
        if (options.Sensor is { } forced)
        {
            sensor = forced;
            notes.Add($"sensor size given by the caller: {forced}");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Compression"] = Compression.ToString(),
            ["DataTablePosition"] = _dataTablePosition.ToString(CultureInfo.InvariantCulture),
        };
        if (chosen is not null)
        {
            metadata["StreamId"] = chosen.Id.ToString(CultureInfo.InvariantCulture);
            if (chosen.TsOffset is long tsOffset)
            {
                metadata["TsOffset"] = tsOffset.ToString(CultureInfo.InvariantCulture);
            }

            if (chosen.OutputName is not null)
            {
                metadata["OutputName"] = chosen.OutputName;
            }
        }

        Info = new EventStreamInfo(EventFormat.Aedat4, sensor, chosen?.Source, null, _name)
        {
            Metadata = metadata,
            Notes = notes,
            SensorOrigin = options.Sensor is not null ? SensorOrigin.Caller : sensor is null ? SensorOrigin.None : SensorOrigin.File,
        };
    }

    /// <inheritdoc />
    public EventStreamInfo Info { get; }

    /// <inheritdoc />
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>The file's packet compression.</summary>
    public Aedat4Compression Compression { get; }

    /// <summary>The streams the infoNode declares, in file order.</summary>
    public IReadOnlyList<Aedat4StreamDescription> Streams { get; }

    /// <summary>The id of the stream being read (null until the first EVTS packet when the file declares no streams).</summary>
    public int? StreamId => _selected;

    /// <summary>The byte offset of the first packet.</summary>
    public long DataStartOffset { get; }

    /// <summary>The byte offset of the FileDataTable, or −1 when the header gives none (or an impossible one).</summary>
    public long DataTablePosition => _dataTablePosition;

    /// <summary>Packets read or skipped so far.</summary>
    public long PacketsSeen { get; private set; }

    /// <summary>Opens an AEDAT 4.0 file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Options; null for defaults.</param>
    public static Aedat4Reader Open(string path, EventReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= EventReaderOptions.Default;
        AedatOptions.Validate(options);
        return EventFiles.Open(path, stream => new Aedat4Reader(stream, options, path, ownsStream: true, network: false, MaxPacketBytes), 1 << 16);
    }

    /// <summary>
    /// Reads an AEDAT 4.0 network stream as dv-processing sends it (its network writer and the DV software's network
    /// outputs): the IOHeader as a size-prefixed flatbuffer (no version line, no FileDataTable), then packets, each an
    /// 8-byte header (stream id, size) and a payload compressed as the IOHeader says.
    /// </summary>
    /// <param name="stream">A readable stream at the first byte of the IOHeader size prefix (for example a socket's
    /// stream). The reader owns and disposes it.</param>
    /// <param name="options">Options; <see cref="EventReaderOptions.Live"/> makes batches return as packets arrive.</param>
    /// <param name="sourceName">A name for error messages (default: <c>stream</c>).</param>
    /// <param name="maxPacketBytes">The largest IOHeader and packet accepted, stored or decompressed (1 KiB..<see cref="MaxPacketBytes"/>);
    /// a larger length field is refused before anything is allocated, so a hostile peer costs at most twice this
    /// much memory (stored and decompressed packet buffers), grown only as bytes arrive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxPacketBytes"/> is out of range.</exception>
    /// <exception cref="EventFormatException">The IOHeader is malformed or names no usable stream.</exception>
    public static Aedat4Reader OpenNetworkStream(Stream stream, EventReaderOptions? options = null, string? sourceName = null, int maxPacketBytes = 8 << 20)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxPacketBytes, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxPacketBytes, MaxPacketBytes);
        try
        {
            return new Aedat4Reader(stream, options, sourceName, ownsStream: true, network: true, maxPacketBytes);
        }
        catch
        {
            stream?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The event count of a file from its FileDataTable, without decoding packets; null when the file has no
    /// table or the table is inconsistent (then only a full read can count).
    /// </summary>
    public static long? CountEvents(string path, EventReaderOptions? options = null)
    {
        using var reader = Open(path, options);
        return reader.ReadTableSummary()?.Events;
    }

    /// <summary>
    /// Reads the FileDataTable (the stream must be seekable; the read position is restored) and summarises the
    /// selected stream. Returns null when there is no table, the stream cannot seek, or the table is inconsistent:
    /// its entries must tile the data region packet after packet (ByteOffset = previous ByteOffset + previous size + 8,
    /// from the first packet to <see cref="DataTablePosition"/>), the first entries must match the packet headers in
    /// the file, and event packets must not all claim zero elements.
    /// </summary>
    public Aedat4TableSummary? ReadTableSummary()
    {
        if (_dataTablePosition < 0 || !_stream.CanSeek)
        {
            return null;
        }

        long saved = _stream.Position;
        try
        {
            return ReadTableSummaryCore();
        }
        catch (EventFormatException ex)
        {
            Diagnostics.Warn($"FileDataTable ignored: {ex.Message}");
            return null;
        }
        finally
        {
            _stream.Position = saved;
        }
    }

    /// <summary>
    /// Moves to the first event of the selected stream whose timestamp is at least <paramref name="timestampUs"/>,
    /// using the FileDataTable: jumps to the first packet whose end timestamp reaches it and drops that packet's
    /// earlier events. Returns false (and leaves the position unchanged) when the stream cannot seek or the table is
    /// missing or inconsistent (see <see cref="ReadTableSummary"/>); then read sequentially instead. Packets are
    /// time-ordered, so the events read afterwards are exactly those a full read gives from that time on.
    /// </summary>
    public bool SeekToTime(long timestampUs)
    {
        if (_tableEntries is null && ReadTableSummary() is null)
        {
            return false;
        }

        List<TableEntry> entries = _tableEntries!;
        long target = _dataTablePosition;
        foreach (TableEntry e in entries)
        {
            if (e.StreamId == _selected && e.TimestampEnd >= timestampUs)
            {
                target = e.ByteOffset - 8;
                break;
            }
        }

        _stream.Position = _streamStart + target;
        _position = target;
        _eventsCount = 0;
        _finished = false;
        _skipBefore = timestampUs;
        return true;
    }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int added = 0;
        while (!batch.IsFull)
        {
            if (_eventsCount == 0)
            {
                if (_live && added > 0)
                {
                    // Live input: hand over what was decoded rather than wait for the next packet.
                    break;
                }

                if (_finished || !NextEventPacket())
                {
                    break;
                }

                continue;
            }

            if (_skipBefore != long.MinValue && SkipEarlyEvents())
            {
                continue;
            }

            added += CopyEvents(batch);
        }

        return added;
    }

    /// <summary>Disposes the reader (and the file stream when opened with <see cref="Open"/>).</summary>
    public void Dispose()
    {
        _codec.Dispose();
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    /// <summary>Drops leading events earlier than the seek target; returns true when the packet ran out.</summary>
    private bool SkipEarlyEvents()
    {
        while (_eventsCount > 0)
        {
            if (BinaryPrimitives.ReadInt64LittleEndian(_eventsBuffer.AsSpan(_eventsStart)) >= _skipBefore)
            {
                _skipBefore = long.MinValue;
                return false;
            }

            _eventsStart += EventStride;
            _eventsCount--;
        }

        return true;
    }

    private int CopyEvents(EventBatch batch)
    {
        batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
        int n = Math.Min(_eventsCount, t.Length);
        ReadOnlySpan<byte> bytes = _eventsBuffer.AsSpan(_eventsStart, n * EventStride);
        int written = 0;
        if (BitConverter.IsLittleEndian)
        {
            ReadOnlySpan<PackedEvent> events = MemoryMarshal.Cast<byte, PackedEvent>(bytes);
            t = t[..n];
            x = x[..n];
            y = y[..n];
            p = p[..n];
            for (int i = 0; i < events.Length; i++)
            {
                ref readonly PackedEvent e = ref events[i];
                if ((e.X | e.Y) < 0)
                {
                    DropNegative(i);
                    continue;
                }

                t[written] = e.T;
                x[written] = (ushort)e.X;
                y[written] = (ushort)e.Y;
                p[written] = e.P != 0 ? (byte)1 : (byte)0;
                written++;
            }
        }
        else
        {
            for (int i = 0; i < n; i++)
            {
                ReadOnlySpan<byte> e = bytes.Slice(i * EventStride, EventStride);
                short ex = BinaryPrimitives.ReadInt16LittleEndian(e[8..]);
                short ey = BinaryPrimitives.ReadInt16LittleEndian(e[10..]);
                if ((ex | ey) < 0)
                {
                    DropNegative(i);
                    continue;
                }

                t[written] = BinaryPrimitives.ReadInt64LittleEndian(e);
                x[written] = (ushort)ex;
                y[written] = (ushort)ey;
                p[written] = e[12] != 0 ? (byte)1 : (byte)0;
                written++;
            }
        }

        _eventsStart += n * EventStride;
        _eventsCount -= n;
        batch.Commit(written);
        return written;
    }

    private void DropNegative(int index)
    {
        Diagnostics.DroppedEvents++;
        if (Diagnostics.DroppedEvents <= 10)
        {
            Diagnostics.Warn($"{_name}: packet at byte {_eventsOffset}: event {index} has a negative coordinate; dropped");
        }
    }

    /// <summary>Reads packets until one of the selected stream holds events; false at the end.</summary>
    private bool NextEventPacket()
    {
        Span<byte> header = stackalloc byte[8];
        while (true)
        {
            if (_dataTablePosition >= 0 && _position >= _dataTablePosition)
            {
                if (_position > _dataTablePosition)
                {
                    throw new EventFormatException(_name, _dataTablePosition, "a packet overlaps the FileDataTable");
                }

                _finished = true;
                return false;
            }

            long packetOffset = _position;
            int got = ReadFully(header);
            if (got < 8)
            {
                if (got > 0)
                {
                    Diagnostics.IgnoreTrailing(_name, packetOffset, got, "trailing bytes do not form a packet header");
                }

                _finished = true;
                return false;
            }

            int streamId = BinaryPrimitives.ReadInt32LittleEndian(header);
            int size = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            if (size < 0 || size > _maxPacket)
            {
                throw new EventFormatException(_name, packetOffset, $"packet size {size} is negative or exceeds {_maxPacket} bytes");
            }

            long end = _position + size;
            if (_dataTablePosition >= 0 && end > _dataTablePosition)
            {
                throw new EventFormatException(_name, packetOffset, $"packet of {size} bytes runs into the FileDataTable at byte {_dataTablePosition}");
            }

            if (_stream.CanSeek && end > _stream.Length - _streamStart)
            {
                throw new EventFormatException(_name, packetOffset, $"packet of {size} bytes runs past the end of the file ({_stream.Length - _streamStart - _position} bytes left)");
            }

            PacketsSeen++;
            if (_selected is int sel && streamId != sel)
            {
                Skip(size, packetOffset);
                continue;
            }

            long payloadOffset = _position;
            int read = ReadBlock(ref _packet, size);
            if (read < size)
            {
                throw new EventFormatException(_name, packetOffset, $"packet of {size} bytes is truncated ({read} bytes)");
            }

            ReadOnlySpan<byte> payload;
            int decodedLength = _codec.Decompress(_packet.AsSpan(0, size), ref _decoded, _maxPacket, _name, payloadOffset);
            byte[] source;
            bool decompressed = decodedLength >= 0;
            if (!decompressed)
            {
                payload = _packet.AsSpan(0, size);
                source = _packet;
            }
            else
            {
                payload = _decoded.AsSpan(0, decodedLength);
                source = _decoded;
            }

            if (payload.Length < 4)
            {
                throw new EventFormatException(_name, payloadOffset, $"packet payload of {payload.Length} bytes has no size prefix");
            }

            uint flatLength = BinaryPrimitives.ReadUInt32LittleEndian(payload);
            if (flatLength > payload.Length - 4)
            {
                throw new EventFormatException(_name, payloadOffset, $"packet flatbuffer size {flatLength} exceeds its {payload.Length - 4}-byte payload");
            }

            var fb = new FlatBufferReader(payload.Slice(4, (int)flatLength), decompressed ? payloadOffset : payloadOffset + 4, _name, $"packet at byte {packetOffset}", decompressed);
            if (!fb.Identifier.SequenceEqual("EVTS"u8))
            {
                if (_selected is null)
                {
                    continue;
                }

                Diagnostics.SkippedRecords++;
                Diagnostics.Warn($"{_name}: at byte {packetOffset}: packet of stream {streamId} is '{Encoding.ASCII.GetString(fb.Identifier)}', not EVTS; skipped");
                continue;
            }

            if (_selected is null)
            {
                _selected = streamId;
            }

            FlatTable root = fb.Root();
            var (start, count) = fb.Vector(root, 0, EventStride);
            _eventsBuffer = source;
            _eventsStart = 4 + start;
            _eventsCount = count;
            _eventsOffset = packetOffset;
            if (count > 0)
            {
                return true;
            }
        }
    }

    private Aedat4TableSummary? ReadTableSummaryCore()
    {
        long tableLength = _stream.Length - _streamStart - _dataTablePosition;
        if (tableLength > MaxPacketBytes)
        {
            throw new EventFormatException(_name, _dataTablePosition, $"FileDataTable of {tableLength} bytes exceeds {MaxPacketBytes} bytes");
        }

        _stream.Position = _streamStart + _dataTablePosition;
        byte[] raw = new byte[tableLength];
        _stream.ReadExactly(raw);
        byte[] decoded = [];
        int decodedLength = _codec.Decompress(raw, ref decoded, MaxPacketBytes, _name, _dataTablePosition);
        ReadOnlySpan<byte> payload = decodedLength < 0 ? raw : decoded.AsSpan(0, decodedLength);
        if (payload.Length < 4)
        {
            return null;
        }

        uint flatLength = BinaryPrimitives.ReadUInt32LittleEndian(payload);
        if (flatLength > payload.Length - 4)
        {
            throw new EventFormatException(_name, _dataTablePosition, "FileDataTable size prefix exceeds the table");
        }

        var fb = new FlatBufferReader(payload.Slice(4, (int)flatLength), decodedLength < 0 ? _dataTablePosition + 4 : _dataTablePosition, _name, "FileDataTable", decodedLength >= 0);
        if (!fb.Identifier.SequenceEqual("FTAB"u8))
        {
            return null;
        }

        FlatTable root = fb.Root();
        var (start, count) = fb.Vector(root, 0, 4);
        long expected = DataStartOffset + 8;
        long packets = 0;
        long events = 0;
        long eventPackets = 0;
        long? first = null;
        long? last = null;
        int? selected = _selected;
        Span<byte> header = stackalloc byte[8];
        var entries = new List<TableEntry>(count);
        for (int i = 0; i < count; i++)
        {
            int entryField = start + (4 * i);
            FlatTable def = fb.Table(fb.Deref(entryField), entryField);
            long byteOffset = fb.GetInt64(def, 0, 0);
            int info = fb.Struct(def, 1, 8);
            if (info < 0 || byteOffset != expected)
            {
                return null;
            }

            int streamId = BinaryPrimitives.ReadInt32LittleEndian(fb.Slice(info, 4));
            int size = BinaryPrimitives.ReadInt32LittleEndian(fb.Slice(info + 4, 4));
            long elements = fb.GetInt64(def, 2, 0);
            long tStart = fb.GetInt64(def, 3, 0);
            long tEnd = fb.GetInt64(def, 4, 0);
            if (size < 0 || elements < 0 || elements > MaxPacketBytes / EventStride || tEnd < tStart)
            {
                return null;
            }

            if (byteOffset + size > _dataTablePosition)
            {
                return null;
            }

            if (i < 4)
            {
                _stream.Position = _streamStart + byteOffset - 8;
                _stream.ReadExactly(header);
                if (BinaryPrimitives.ReadInt32LittleEndian(header) != streamId || BinaryPrimitives.ReadInt32LittleEndian(header[4..]) != size)
                {
                    return null;
                }
            }

            selected ??= Streams.FirstOrDefault(s => s.Id == streamId && s.TypeIdentifier == "EVTS")?.Id;
            expected = byteOffset + size + 8;
            entries.Add(new TableEntry(byteOffset, streamId, tEnd));
            packets++;
            if (streamId == selected)
            {
                eventPackets++;
                events += elements;
                first = first is null ? tStart : Math.Min(first.Value, tStart);
                last = last is null ? tEnd : Math.Max(last.Value, tEnd);
            }
        }

        if (expected - 8 != _dataTablePosition || selected is null || (eventPackets > 0 && events == 0))
        {
            return null;
        }

        _tableEntries = entries;
        return new Aedat4TableSummary(selected.Value, eventPackets, events, first, last, packets);
    }

    /// <summary>
    /// Streams the infoNode XML (no DOM, DTDs prohibited): every <c>node</c> child of <c>outInfo</c> named by an integer
    /// is a stream; its <c>attr</c> children and those of its <c>info</c> child give the description.
    /// </summary>
    private List<Aedat4StreamDescription> ParseInfoNode(string xml, long headerOffset)
    {
        var streams = new List<Aedat4StreamDescription>();
        if (string.IsNullOrWhiteSpace(xml))
        {
            return streams;
        }

        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxHeaderBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            int outInfoDepth = -1;
            int streamDepth = -1;
            int infoDepth = -1;
            int streamId = 0;
            Dictionary<string, string>? attrs = null;
            bool positioned = false;
            while (positioned || reader.Read())
            {
                positioned = false;
                if (reader.NodeType == XmlNodeType.EndElement)
                {
                    if (reader.Depth == streamDepth && attrs is not null)
                    {
                        streams.Add(Describe(streamId, attrs));
                        attrs = null;
                        streamDepth = -1;
                    }
                    else if (reader.Depth == infoDepth)
                    {
                        infoDepth = -1;
                    }
                    else if (reader.Depth == outInfoDepth)
                    {
                        outInfoDepth = -1;
                    }

                    continue;
                }

                if (reader.NodeType != XmlNodeType.Element)
                {
                    continue;
                }

                int depth = reader.Depth;
                string? name = reader.GetAttribute("name");
                if (reader.Name == "node")
                {
                    if (outInfoDepth < 0 && depth == 1 && name == "outInfo")
                    {
                        outInfoDepth = depth;
                    }
                    else if (outInfoDepth >= 0 && depth == outInfoDepth + 1
                        && int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                    {
                        streamId = id;
                        attrs = new Dictionary<string, string>(StringComparer.Ordinal);
                        streamDepth = reader.IsEmptyElement ? -1 : depth;
                        if (reader.IsEmptyElement)
                        {
                            streams.Add(Describe(id, attrs));
                            attrs = null;
                        }
                    }
                    else if (attrs is not null && depth == streamDepth + 1 && name == "info" && !reader.IsEmptyElement)
                    {
                        infoDepth = depth;
                    }
                }
                else if (reader.Name == "attr" && attrs is not null
                    && (depth == streamDepth + 1 || (infoDepth >= 0 && depth == infoDepth + 1)))
                {
                    string? key = reader.GetAttribute("key");
                    string prefix = depth == streamDepth + 1 ? string.Empty : "info/";
                    string value = string.Empty;
                    if (!reader.IsEmptyElement)
                    {
                        // Leaves the reader on the node after </attr>: process it in the next iteration.
                        value = reader.ReadElementContentAsString();
                        positioned = true;
                    }

                    if (key is not null && attrs.Count < 64)
                    {
                        attrs.TryAdd(prefix + key, value);
                    }
                }
            }
        }
        catch (XmlException ex)
        {
            throw new EventFormatException(_name, headerOffset, $"infoNode is not valid XML: {ex.Message}", ex);
        }

        return streams;
    }

    private static Aedat4StreamDescription Describe(int id, Dictionary<string, string> attrs)
    {
        SensorSize? sensor = null;
        if (int.TryParse(attrs.GetValueOrDefault("info/sizeX"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int sx)
            && int.TryParse(attrs.GetValueOrDefault("info/sizeY"), NumberStyles.Integer, CultureInfo.InvariantCulture, out int sy)
            && sx is >= 1 and <= 65536 && sy is >= 1 and <= 65536)
        {
            sensor = new SensorSize(sx, sy);
        }

        long? tsOffset = long.TryParse(attrs.GetValueOrDefault("info/tsOffset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long ts) ? ts : null;
        return new Aedat4StreamDescription(
            id,
            attrs.GetValueOrDefault("typeIdentifier") ?? string.Empty,
            sensor,
            attrs.GetValueOrDefault("info/source"),
            attrs.GetValueOrDefault("originalOutputName"),
            tsOffset);
    }

    private int ReadFully(Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = _stream.Read(buffer[total..]);
            if (n <= 0)
            {
                break;
            }

            total += n;
        }

        _position += total;
        return total;
    }

    /// <summary>Reads up to <paramref name="size"/> bytes into <paramref name="buffer"/>, growing it only as data arrives.</summary>
    private int ReadBlock(ref byte[] buffer, int size)
    {
        if (_stream.CanSeek)
        {
            long left = _stream.Length - _stream.Position;
            Lz4Frame.Grow(ref buffer, (int)Math.Min(size, Math.Max(0, left)), int.MaxValue);
            return ReadFully(buffer.AsSpan(0, (int)Math.Min(size, Math.Max(0, left))));
        }

        int total = 0;
        while (total < size)
        {
            int chunk = Math.Min(size - total, 1 << 20);
            Lz4Frame.Grow(ref buffer, total + chunk, int.MaxValue);
            int n = ReadFully(buffer.AsSpan(total, chunk));
            total += n;
            if (n < chunk)
            {
                break;
            }
        }

        return total;
    }

    private void Skip(int size, long packetOffset)
    {
        if (_stream.CanSeek)
        {
            _stream.Seek(size, SeekOrigin.Current);
            _position += size;
            return;
        }

        Span<byte> scratch = stackalloc byte[4096];
        int left = size;
        while (left > 0)
        {
            int n = ReadFully(scratch[..Math.Min(left, scratch.Length)]);
            if (n == 0)
            {
                throw new EventFormatException(_name, packetOffset, $"packet of {size} bytes is truncated");
            }

            left -= n;
        }
    }

    private readonly record struct TableEntry(long ByteOffset, int StreamId, long TimestampEnd);

    [StructLayout(LayoutKind.Sequential, Size = 16)]
    private readonly struct PackedEvent
    {
        public readonly long T;
        public readonly short X;
        public readonly short Y;
        public readonly byte P;
    }
}
