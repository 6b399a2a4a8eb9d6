using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>
/// Reads AEDAT 2.0 files (jAER: <c>#!AER-DAT2.0</c>, big-endian 8-byte records) and AEDAT 1.0 files
/// (no version line, 6-byte records), with the DVS128 or DAVIS address layout.
/// </summary>
/// <remarks>
/// <para>Coordinates and polarity are returned exactly as stored (no jAER display flips: those belong to
/// the transforms layer). DVS128: x = bits 7–1, y = bits 14–8, p = bit 0. DAVIS: x = bits 21–12,
/// y = bits 30–22, p = bit 11, bits 9–0 ignored.</para>
/// <para>Not emitted as events, but counted: external (sync) events (DVS128 bit 15, DAVIS bit 10),
/// DAVIS APS samples and IMU words, and DVS128 records whose address uses bits 31–16 (not a DVS128
/// address). All of these also add to <see cref="ReaderDiagnostics.SkippedRecords"/>
/// (the DVS128 out-of-range ones to <see cref="ReaderDiagnostics.DroppedEvents"/>).</para>
/// <para>Timestamps are int32 µs; they are unwrapped to int64 by accumulating signed 32-bit differences
/// (a step from 2^31−1 to −2^31 is +1 µs); a backward step larger than 2^30 µs is taken as a wrap of
/// the 31-bit counter to zero. Smaller backward steps are kept as stored and counted in
/// <see cref="BackwardSteps"/>.</para>
/// <para>The header (lines starting with <c>#</c>, CRLF or LF) ends at the first line that does not
/// start with <c>#</c>, or right after a <c>#End Of ASCII Header</c> line; it may be at most
/// <see cref="MaxHeaderBytes"/> bytes. A final partial record is ignored and reported in
/// <see cref="ReaderDiagnostics.TrailingBytesIgnored"/>.</para>
/// </remarks>
public sealed class Aedat2Reader : IEventReader
{
    /// <summary>The largest header accepted: 64 MiB (jAER preference dumps are a few hundred KiB).</summary>
    public const int MaxHeaderBytes = 64 << 20;

    /// <summary>
    /// How many records after the header are examined (at most) to infer the layout when there is no AEChip line;
    /// on a stream that cannot seek, only the records already received when the header ends (at least one).
    /// </summary>
    public const int LayoutInferenceRecords = 65536;

    private const uint DavisNonDvsBit = 0x8000_0000;
    private const uint DavisImuMask = 0x8000_0C00;
    private const uint DavisExternalBit = 0x400;
    private const uint Dvs128ExternalBit = 0x8000;

    private readonly Stream _stream;
    private readonly bool _ownsStream;
    private readonly ByteWindow _window;
    private readonly int _recordSize;
    private readonly Aedat2Layout _layout;
    private bool _started;
    private int _lastRaw;
    private long _time;
    private bool _finished;

    /// <summary>Reads an AEDAT 1.0/2.0 stream; the header is parsed here.</summary>
    /// <param name="stream">A readable stream positioned at the start of the file. The reader does not dispose it.</param>
    /// <param name="options">Options (layout, sensor override, buffer size); null for defaults.</param>
    /// <param name="sourceName">A name for error messages (default: <c>stream</c>).</param>
    /// <exception cref="EventFormatException">The header is malformed, names an unknown AEChip (and no layout is forced), or is too large.</exception>
    public Aedat2Reader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
        : this(stream, options, sourceName, ownsStream: false)
    {
    }

    private Aedat2Reader(Stream stream, EventReaderOptions? options, string? sourceName, bool ownsStream)
    {
        options = AedatOptions.Validate(stream, options);
        _stream = stream;
        _ownsStream = ownsStream;
        string name = sourceName ?? "stream";
        _window = new ByteWindow(stream, options.BufferSize, Math.Max(options.BufferSize, MaxHeaderBytes));

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        var notes = new List<string>();
        string? version = null;
        string? chip = null;
        long chipLineOffset = -1;
        long? startTimeUs = null;
        long headerStart = _window.Position;
        bool first = true;
        while (true)
        {
            if (!_window.Ensure(1) || _window.Span[0] != (byte)'#')
            {
                break;
            }

            long lineOffset = _window.Position;
            int newline;
            while ((newline = _window.Span.IndexOf((byte)'\n')) < 0)
            {
                if (_window.Position - headerStart + _window.Count > MaxHeaderBytes)
                {
                    throw new EventFormatException(name, lineOffset, $"the AEDAT 2.0 header exceeds {MaxHeaderBytes} bytes");
                }

                if (!_window.ReadMore())
                {
                    break;
                }
            }

            int lineLength = newline >= 0 ? newline + 1 : _window.Count;
            if (lineOffset + lineLength - headerStart > MaxHeaderBytes)
            {
                throw new EventFormatException(name, lineOffset, $"the AEDAT 2.0 header exceeds {MaxHeaderBytes} bytes");
            }

            ReadOnlySpan<byte> raw = _window.Span[..lineLength].TrimEnd("\r\n"u8);
            string line = Encoding.Latin1.GetString(raw.Length > 4096 ? raw[..4096] : raw);
            _window.Advance(lineLength);

            if (first && line.StartsWith("#!AER-DAT", StringComparison.Ordinal))
            {
                version = line["#!AER-DAT".Length..].Trim();
                if (version != "2.0" && version != "1.0")
                {
                    throw new EventFormatException(name, lineOffset, $"AEDAT version '{version}' is not read by the AEDAT 1.0/2.0 reader");
                }
            }
            else
            {
                ParseHeaderLine(line, metadata, ref chip, ref startTimeUs);
                if (chip is not null && chipLineOffset < 0)
                {
                    chipLineOffset = lineOffset;
                }
            }

            first = false;
            if (line.StartsWith("#End Of ASCII Header", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }
        }

        HeaderEndOffset = _window.Position;
        bool aedat1 = version is null or "1.0";
        _recordSize = aedat1 ? 6 : 8;
        metadata["Version"] = version ?? "1.0 (no version line)";
        if (chip is not null)
        {
            metadata["AEChip"] = chip;
        }

        SensorSize? chipSensor = AedatSensors.FromModel(chip);
        Aedat2Layout layout = options.Aedat2Layout;
        SensorSize? sensor = null;
        if (layout != Aedat2Layout.Auto)
        {
            notes.Add($"layout forced by the caller: {layout}");
            sensor = chipSensor is not null && LayoutOfChip(chip!) == layout ? chipSensor : null;
        }
        else if (aedat1)
        {
            layout = Aedat2Layout.Dvs128;
            sensor = new SensorSize(128, 128);
            notes.Add("AEDAT 1.0 (16-bit addresses): DVS128 layout");
        }
        else if (chip is not null)
        {
            if (chipSensor is null)
            {
                throw new EventFormatException(name, chipLineOffset, $"unknown AEChip '{chip}': its address layout is not known (force one with EventReaderOptions.Aedat2Layout)");
            }

            layout = LayoutOfChip(chip);
            sensor = chipSensor;
        }
        else
        {
            layout = InferLayout(out int examined);
            notes.Add(layout == Aedat2Layout.Dvs128
                ? $"layout inferred from addresses: DVS128 (no AEChip line; all of the first {examined} addresses fit in 16 bits)"
                : $"layout inferred from addresses: DAVIS (no AEChip line; addresses use bits above 15 among the first {examined})");
        }

        if (layout == Aedat2Layout.Dvs128)
        {
            sensor ??= new SensorSize(128, 128);
        }

        if (options.Sensor is { } forced)
        {
            sensor = forced;
            notes.Add($"sensor size given by the caller: {forced}");
        }
        else if (sensor is null)
        {
            notes.Add("sensor size unknown (no AEChip line)");
        }

        _layout = layout;
        Info = new EventStreamInfo(EventFormat.Aedat2, sensor, chip, startTimeUs, name)
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

    /// <summary>The address layout in use (from the AEChip line, the caller, or inferred).</summary>
    public Aedat2Layout Layout => _layout;

    /// <summary>The byte offset where the header ends and records begin.</summary>
    public long HeaderEndOffset { get; }

    /// <summary>The record size in bytes: 8 for AEDAT 2.0, 6 for AEDAT 1.0.</summary>
    public int RecordSize => _recordSize;

    /// <summary>External (sync/trigger) events seen so far (not emitted as DVS events).</summary>
    public long ExternalEvents { get; private set; }

    /// <summary>DAVIS APS (frame) samples seen so far (not emitted).</summary>
    public long ApsSamples { get; private set; }

    /// <summary>DAVIS IMU words seen so far (7 per IMU sample; not emitted).</summary>
    public long ImuWords { get; private set; }

    /// <summary>Backward timestamp steps (smaller than a wrap) seen so far; the events keep their stored order.</summary>
    public long BackwardSteps { get; private set; }

    /// <summary>Timestamp wraps of the 31-bit counter to zero detected so far.</summary>
    public long Wraps { get; private set; }

    /// <summary>Opens an AEDAT 1.0/2.0 file for reading.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Options; null for defaults.</param>
    public static Aedat2Reader Open(string path, EventReaderOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= EventReaderOptions.Default;
        AedatOptions.Validate(options);
        return EventFiles.Open(path, stream => new Aedat2Reader(stream, options, path, ownsStream: true));
    }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int added = 0;
        while (!batch.IsFull && !_finished)
        {
            if (!_window.Ensure(_recordSize))
            {
                if (_window.Count > 0)
                {
                    Diagnostics.IgnoreTrailing(Info.SourceName, _window.Position, _window.Count, $"trailing bytes do not form a whole {_recordSize}-byte record");
                    _window.Advance(_window.Count);
                }

                _finished = true;
                break;
            }

            ReadOnlySpan<byte> data = _window.Span;
            int records = data.Length / _recordSize;
            batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
            int written = 0;
            int consumed = 0;
            while (consumed < records && written < t.Length)
            {
                ReadOnlySpan<byte> rec = data.Slice(consumed * _recordSize, _recordSize);
                uint address;
                int ts;
                if (_recordSize == 8)
                {
                    address = BinaryPrimitives.ReadUInt32BigEndian(rec);
                    ts = BinaryPrimitives.ReadInt32BigEndian(rec[4..]);
                }
                else
                {
                    address = BinaryPrimitives.ReadUInt16BigEndian(rec);
                    ts = BinaryPrimitives.ReadInt32BigEndian(rec[2..]);
                }

                consumed++;
                long time = Unwrap(ts);
                if (_layout == Aedat2Layout.Dvs128)
                {
                    if ((address & 0xFFFF_0000) != 0)
                    {
                        Diagnostics.DroppedEvents++;
                        if (Diagnostics.DroppedEvents <= 10)
                        {
                            Diagnostics.Warn($"{Info.SourceName}: at byte {_window.Position + ((consumed - 1) * _recordSize)}: address 0x{address:X8} uses bits 31-16, not a DVS128 address; dropped");
                        }

                        continue;
                    }

                    if ((address & Dvs128ExternalBit) != 0)
                    {
                        ExternalEvents++;
                        Diagnostics.SkippedRecords++;
                        continue;
                    }

                    t[written] = time;
                    x[written] = (ushort)((address >> 1) & 0x7F);
                    y[written] = (ushort)((address >> 8) & 0x7F);
                    p[written] = (byte)(address & 1);
                    written++;
                }
                else
                {
                    if ((address & DavisNonDvsBit) != 0)
                    {
                        if ((address & DavisImuMask) == DavisImuMask)
                        {
                            ImuWords++;
                        }
                        else
                        {
                            ApsSamples++;
                        }

                        Diagnostics.SkippedRecords++;
                        continue;
                    }

                    if ((address & DavisExternalBit) != 0)
                    {
                        ExternalEvents++;
                        Diagnostics.SkippedRecords++;
                        continue;
                    }

                    t[written] = time;
                    x[written] = (ushort)((address >> 12) & 0x3FF);
                    y[written] = (ushort)((address >> 22) & 0x1FF);
                    p[written] = (byte)((address >> 11) & 1);
                    written++;
                }
            }

            _window.Advance(consumed * _recordSize);
            batch.Commit(written);
            added += written;
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

    private long Unwrap(int raw)
    {
        if (!_started)
        {
            _started = true;
            _lastRaw = raw;
            _time = raw;
            return _time;
        }

        long delta = unchecked(raw - _lastRaw);
        _lastRaw = raw;
        if (delta < -(1L << 30))
        {
            // The 31-bit counter wrapped to zero: the true step is delta modulo 2^31.
            delta += 1L << 31;
            Wraps++;
        }
        else if (delta < 0)
        {
            BackwardSteps++;
        }

        _time += delta;
        return _time;
    }

    private Aedat2Layout InferLayout(out int examined)
    {
        // A seekable stream (a file) is examined over up to LayoutInferenceRecords records; a live stream only over
        // what has already arrived (at least one record), so that opening it does not wait for more data.
        long want = _window.RemainingInStream() is long remaining
            ? Math.Min(remaining, LayoutInferenceRecords * 8L)
            : Math.Max(8, _window.Count);
        _window.Ensure((int)Math.Min(want, _window.MaxSize));
        ReadOnlySpan<byte> data = _window.Span;
        int records = Math.Min(LayoutInferenceRecords, data.Length / 8);
        examined = records;
        for (int i = 0; i < records; i++)
        {
            uint address = BinaryPrimitives.ReadUInt32BigEndian(data.Slice(i * 8, 4));
            if ((address & 0xFFFF_0000) != 0)
            {
                return Aedat2Layout.Davis;
            }
        }

        return Aedat2Layout.Dvs128;
    }

    private static Aedat2Layout LayoutOfChip(string chip)
    {
        string name = chip[(chip.LastIndexOf('.') + 1)..];
        return name.StartsWith("DVS128", StringComparison.OrdinalIgnoreCase) || name.StartsWith("Tmpdiff128", StringComparison.OrdinalIgnoreCase)
            ? Aedat2Layout.Dvs128
            : Aedat2Layout.Davis;
    }

    private static void ParseHeaderLine(string line, Dictionary<string, string> metadata, ref string? chip, ref long? startTimeUs)
    {
        string body = line.TrimStart('#').Trim();
        int colon = body.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon > 64 || body.Contains('<', StringComparison.Ordinal))
        {
            return;
        }

        string key = body[..colon].Trim();
        string value = body[(colon + 1)..].Trim();
        if (key.Length == 0 || metadata.Count >= 256)
        {
            return;
        }

        metadata.TryAdd(key, value.Length > 1024 ? value[..1024] : value);
        if (key.Equals("AEChip", StringComparison.OrdinalIgnoreCase) && chip is null && value.Length > 0)
        {
            chip = value;
        }
        else if (key.Equals("Creation time", StringComparison.OrdinalIgnoreCase) && startTimeUs is null)
        {
            string last = value[(value.LastIndexOf(' ') + 1)..];
            if (long.TryParse(last, NumberStyles.Integer, CultureInfo.InvariantCulture, out long ms) && ms is > 0 and < long.MaxValue / 1000)
            {
                startTimeUs = ms * 1000;
            }
        }
    }
}
