using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>
/// Reads the polarity events of an AEDAT 3.1 file (cAER; DVS128 Gesture), and AEDAT 3.0 (no
/// <c>#!END-HEADER</c> line): little-endian packets of a 28-byte header and <c>eventCapacity × eventSize</c> bytes.
/// </summary>
/// <remarks>
/// <para>POLARITY events (type 1, 8 bytes): <c>uint32 data</c> (bit 0 valid, bit 1 polarity 1 = ON, bits 2–16 y,
/// bits 17–31 x; (0,0) upper-left) and <c>int32</c> timestamp; the 64-bit time is
/// <c>(eventTSOverflow &lt;&lt; 31) | timestamp</c>. Events with the valid bit clear (or a negative timestamp) are
/// dropped and counted in <see cref="ReaderDiagnostics.DroppedEvents"/>.</para>
/// <para>SPECIAL events (type 0) are counted: <see cref="TimestampWraps"/>, <see cref="TimestampResets"/> (the
/// device clock restarted: later events start a new time epoch, as stored), <see cref="ExternalEvents"/>
/// (external rising/falling/pulse) and <see cref="OtherSpecialEvents"/>. Packets of other types (FRAME, IMU6, IMU9,
/// SPIKE, private types ≥ 100) are skipped by their declared size and counted in
/// <see cref="ReaderDiagnostics.SkippedRecords"/>.</para>
/// <para>With <see cref="EventReaderOptions.StreamId"/> only packets whose <c>eventSource</c> equals it are read;
/// otherwise polarity packets of every source are read in file order.</para>
/// <para>Validation: a packet header with a non-positive event size, negative counts, more valid events than events,
/// a negative overflow counter, a body larger than <see cref="MaxPacketBytes"/> or than what remains of the file,
/// or a POLARITY/SPECIAL event size other than 8 throws <see cref="EventFormatException"/> with the packet's offset.
/// Fewer than 28 bytes after the last packet are ignored and reported in
/// <see cref="ReaderDiagnostics.TrailingBytesIgnored"/>.</para>
/// </remarks>
public sealed partial class Aedat3Reader : IEventReader
{
    /// <summary>The largest header accepted: 1 MiB (cAER headers are a few lines).</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The largest packet body accepted (<c>eventSize × eventCapacity</c>): 1 GiB. Larger values are taken as corrupt.</summary>
    public const long MaxPacketBytes = 1L << 30;

    /// <summary>The packet header size in bytes.</summary>
    public const int PacketHeaderSize = 28;

    private const int SpecialType = 0;
    private const int PolarityType = 1;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ByteWindow _window;
    private readonly string _name;
    private readonly int? _source;
    private int _packetRemaining;
    private int _packetType;
    private long _packetOverflow;
    private long _packetTail;
    private long _packetOffset;
    private bool _finished;

    /// <summary>Reads an AEDAT 3.0/3.1 stream; the header is parsed here.</summary>
    /// <param name="stream">A readable stream at the start of the file. The reader does not dispose it.</param>
    /// <param name="options">Options (source filter via <see cref="EventReaderOptions.StreamId"/>, sensor override); null for defaults.</param>
    /// <param name="sourceName">A name for error messages (default: <c>stream</c>).</param>
    /// <exception cref="EventFormatException">The header is not an AEDAT 3.x header or is too large.</exception>
    public Aedat3Reader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
        : this(stream, options, sourceName, ownsStream: false)
    {
    }

    private Aedat3Reader(Stream stream, EventReaderOptions? options, string? sourceName, bool ownsStream)
    {
        options = AedatOptions.Validate(stream, options);
        _stream = stream;
        _ownsStream = ownsStream;
        _name = sourceName ?? "stream";
        _source = options.StreamId;
        _window = new ByteWindow(stream, options.BufferSize, Math.Max(options.BufferSize, MaxHeaderBytes));

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new List<string>();
        var sources = new SortedDictionary<int, string>();
        long headerStart = _window.Position;
        string? version = null;
        bool ended = false;
        long? startTime = null;
        while (_window.Ensure(1) && (_window.Span[0] == (byte)'#' || version == "3.1"))
        {
            long lineOffset = _window.Position;
            int newline;
            while ((newline = _window.Span.IndexOf((byte)'\n')) < 0)
            {
                if (lineOffset - headerStart + _window.Count >= MaxHeaderBytes || !_window.ReadMore())
                {
                    throw new EventFormatException(_name, lineOffset, $"AEDAT 3 header line not terminated within {MaxHeaderBytes} bytes");
                }
            }

            if (lineOffset + newline + 1 - headerStart > MaxHeaderBytes)
            {
                throw new EventFormatException(_name, lineOffset, $"the AEDAT 3 header exceeds {MaxHeaderBytes} bytes");
            }

            string line = Encoding.Latin1.GetString(_window.Span[..newline].TrimEnd((byte)'\r'));
            _window.Advance(newline + 1);
            if (version is null)
            {
                if (line is not ("#!AER-DAT3.1" or "#!AER-DAT3.0"))
                {
                    throw new EventFormatException(_name, lineOffset, "not an AEDAT 3.x file (expected '#!AER-DAT3.1' or '#!AER-DAT3.0')");
                }

                version = line[^3..];
                continue;
            }

            if (line == "#!END-HEADER")
            {
                ended = true;
                break;
            }

            if (!line.StartsWith('#'))
            {
                throw new EventFormatException(_name, lineOffset, "AEDAT 3.1 header line does not start with '#' before '#!END-HEADER'");
            }

            Match source = SourceLine().Match(line);
            if (source.Success && int.TryParse(source.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int id))
            {
                sources.TryAdd(id, source.Groups[2].Value.Trim());
                continue;
            }

            int colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 1 && metadata.Count < 256)
            {
                string key = line[1..colon].Trim();
                string value = line[(colon + 1)..].Trim();
                metadata.TryAdd(key, value);
                if (key == "Start-Time")
                {
                    startTime = ParseStartTime(value);
                }
            }
        }

        if (version is null)
        {
            throw new EventFormatException(_name, headerStart, "not an AEDAT 3.x file (empty)");
        }

        if (version == "3.1" && !ended)
        {
            throw new EventFormatException(_name, _window.Position, "AEDAT 3.1 header has no '#!END-HEADER' line");
        }

        HeaderEndOffset = _window.Position;
        Sources = sources;
        metadata["Version"] = version;
        string? sourceNameOfCamera = _source is int s ? sources.GetValueOrDefault(s) : sources.Values.FirstOrDefault();
        if (_source is int wanted && !sources.ContainsKey(wanted))
        {
            notes.Add($"source {wanted} is not declared in the header");
        }

        SensorSize? sensor = AedatSensors.FromModel(sourceNameOfCamera);
        if (options.Sensor is { } forced)
        {
            sensor = forced;
            notes.Add($"sensor size given by the caller: {forced}");
        }

        Info = new EventStreamInfo(EventFormat.Aedat3, sensor, sourceNameOfCamera, startTime, _name)
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

    /// <summary>The sources the header declares (id → device name, e.g. 1 → DVS128).</summary>
    public IReadOnlyDictionary<int, string> Sources { get; }

    /// <summary>The byte offset of the first packet.</summary>
    public long HeaderEndOffset { get; }

    /// <summary>SPECIAL TIMESTAMP_WRAP events seen so far.</summary>
    public long TimestampWraps { get; private set; }

    /// <summary>SPECIAL TIMESTAMP_RESET events seen so far.</summary>
    public long TimestampResets { get; private set; }

    /// <summary>SPECIAL external input events (rising, falling, pulse) seen so far.</summary>
    public long ExternalEvents { get; private set; }

    /// <summary>Other SPECIAL events seen so far.</summary>
    public long OtherSpecialEvents { get; private set; }

    /// <summary>Packets seen so far (read or skipped).</summary>
    public long PacketsSeen { get; private set; }

    /// <summary>Opens an AEDAT 3.0/3.1 file.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Options; null for defaults.</param>
    public static Aedat3Reader Open(string path, EventReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= EventReaderOptions.Default;
        AedatOptions.Validate(options);
        return EventFiles.Open(path, stream => new Aedat3Reader(stream, options, path, ownsStream: true));
    }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int added = 0;
        while (!batch.IsFull && !_finished)
        {
            if (_packetRemaining == 0)
            {
                if (_packetTail > 0)
                {
                    if (!_window.Skip(_packetTail))
                    {
                        throw new EventFormatException(_name, _packetOffset, "packet is truncated (the file ends inside it)");
                    }

                    _packetTail = 0;
                }

                NextPacket();
                continue;
            }

            if (!_window.Ensure(8))
            {
                throw new EventFormatException(_name, _packetOffset, "packet is truncated (the file ends inside it)");
            }

            int available = Math.Min(_packetRemaining, _window.Count / 8);
            if (_packetType == SpecialType)
            {
                ReadSpecial(available);
                continue;
            }

            added += ReadPolarity(batch, available);
        }

        return added;
    }

    /// <summary>Disposes the reader (and the file stream when opened with <see cref="Open"/>).</summary>
    public void Dispose()
    {
        if (_ownsStream)
        {
            _stream.Dispose();
        }
    }

    private int ReadPolarity(EventBatch batch, int available)
    {
        batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
        int n = Math.Min(available, t.Length);
        ReadOnlySpan<byte> data = _window.Span[..(n * 8)];
        long high = _packetOverflow << 31;
        int written = 0;
        for (int i = 0; i < n; i++)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 8)..]);
            int ts = BinaryPrimitives.ReadInt32LittleEndian(data[((i * 8) + 4)..]);
            if ((word & 1) == 0 || ts < 0)
            {
                Diagnostics.DroppedEvents++;
                continue;
            }

            t[written] = high | (uint)ts;
            x[written] = (ushort)((word >> 17) & 0x7FFF);
            y[written] = (ushort)((word >> 2) & 0x7FFF);
            p[written] = (byte)((word >> 1) & 1);
            written++;
        }

        _window.Advance(n * 8);
        _packetRemaining -= n;
        batch.Commit(written);
        return written;
    }

    private void ReadSpecial(int available)
    {
        ReadOnlySpan<byte> data = _window.Span[..(available * 8)];
        for (int i = 0; i < available; i++)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(data[(i * 8)..]);
            if ((word & 1) == 0)
            {
                continue;
            }

            switch ((word >> 1) & 0x7F)
            {
                case 0:
                    TimestampWraps++;
                    break;
                case 1:
                    TimestampResets++;
                    Diagnostics.Warn($"{_name}: at byte {_window.Position + (i * 8)}: timestamp reset (later events start a new time epoch)");
                    break;
                case 2:
                case 3:
                case 4:
                    ExternalEvents++;
                    break;
                default:
                    OtherSpecialEvents++;
                    break;
            }
        }

        _window.Advance(available * 8);
        _packetRemaining -= available;
    }

    private void NextPacket()
    {
        long offset = _window.Position;
        if (!_window.Ensure(PacketHeaderSize))
        {
            if (_window.Count > 0)
            {
                Diagnostics.IgnoreTrailing(_name, offset, _window.Count, "trailing bytes do not form a packet header");
                _window.Advance(_window.Count);
            }

            _finished = true;
            return;
        }

        ReadOnlySpan<byte> h = _window.Span[..PacketHeaderSize];
        int type = BinaryPrimitives.ReadInt16LittleEndian(h);
        int source = BinaryPrimitives.ReadInt16LittleEndian(h[2..]);
        int size = BinaryPrimitives.ReadInt32LittleEndian(h[4..]);
        int tsOffset = BinaryPrimitives.ReadInt32LittleEndian(h[8..]);
        int overflow = BinaryPrimitives.ReadInt32LittleEndian(h[12..]);
        int capacity = BinaryPrimitives.ReadInt32LittleEndian(h[16..]);
        int number = BinaryPrimitives.ReadInt32LittleEndian(h[20..]);
        int valid = BinaryPrimitives.ReadInt32LittleEndian(h[24..]);
        if (size <= 0)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} has event size {size}");
        }

        if (capacity < 0 || number < 0 || valid < 0 || number > capacity || valid > number)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} has inconsistent counts (capacity {capacity}, number {number}, valid {valid})");
        }

        if (overflow < 0)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} has a negative timestamp overflow {overflow}");
        }

        if (tsOffset < 0 || tsOffset > size - 4)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} has timestamp offset {tsOffset} outside its {size}-byte events");
        }

        long body = (long)size * capacity;
        if (body > MaxPacketBytes)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} declares {capacity} x {size} = {body} bytes, more than {MaxPacketBytes}");
        }

        long? remaining = _window.RemainingInStream();
        if (remaining is long left && body > left - PacketHeaderSize)
        {
            throw new EventFormatException(_name, offset, $"packet of type {type} declares {body} bytes but only {left - PacketHeaderSize} remain");
        }

        if ((type == PolarityType || type == SpecialType) && size != 8)
        {
            throw new EventFormatException(_name, offset, $"{(type == PolarityType ? "POLARITY" : "SPECIAL")} packet has event size {size}, expected 8");
        }

        _window.Advance(PacketHeaderSize);
        PacketsSeen++;
        _packetOffset = offset;
        if ((type == PolarityType && (_source is null || _source == source)) || type == SpecialType)
        {
            _packetType = type;
            _packetRemaining = number;
            _packetOverflow = overflow;
            _packetTail = (long)(capacity - number) * size;
            return;
        }

        Diagnostics.SkippedRecords++;
        if (!_window.Skip(body))
        {
            throw new EventFormatException(_name, offset, "packet is truncated (the file ends inside it)");
        }
    }

    private static long? ParseStartTime(string value)
    {
        Match m = StartTimeLine().Match(value);
        if (!m.Success)
        {
            return null;
        }

        string text = $"{m.Groups[1].Value}{m.Groups[2].Value[..3]}:{m.Groups[2].Value[3..]}";
        return DateTimeOffset.TryParseExact(text, "yyyy-MM-dd HH:mm:sszzz", CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset when)
            ? when.ToUnixTimeMilliseconds() * 1000
            : null;
    }

    [GeneratedRegex(@"^#Source (\d+):\s*(.+)$", RegexOptions.CultureInvariant)]
    private static partial Regex SourceLine();

    [GeneratedRegex(@"^(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}) \(TZ([+-]\d{4})\)", RegexOptions.CultureInvariant)]
    private static partial Regex StartTimeLine();
}
