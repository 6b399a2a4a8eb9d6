using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.NMnist;

/// <summary>
/// Streams events from an N-MNIST / N-Caltech101 ATIS binary file: no header, 5-byte records
/// (40 bits, MSB first).
/// </summary>
/// <remarks>
/// <para><b>Record:</b> byte 0 = x, byte 1 = y, byte 2 bit 7 = polarity (1 ON, 0 OFF), timestamp (µs, 23 bits) =
/// (byte 2 &amp; 0x7F)·2^16 + byte 3·2^8 + byte 4.</para>
/// <para><b>Overflow records:</b> a record with y = 240 is not an event; as in the datasets' original loader
/// (Orchard's <c>eventvision</c>, kept by tonic) each one adds 2^13 µs to every later timestamp. They are counted in
/// <see cref="OverflowRecords"/>.</para>
/// <para><b>Sensor:</b> <see cref="EventReaderOptions.Sensor"/> when given (<see cref="SensorOrigin.Caller"/>), else
/// 34×34, N-MNIST's (<see cref="SensorOrigin.Assumed"/>: the file states no size). N-Caltech101 samples vary in size:
/// pass the size you want to report, or let <see cref="SensorRules"/> choose one that holds the data. A trailing partial record is ignored and reported.
/// The reader owns <c>stream</c>; memory is one read buffer.</para>
/// </remarks>
public sealed class NMnistBinReader : IEventReader, IRecordDecoder
{
    /// <summary>The N-MNIST sensor: 34×34.</summary>
    public static readonly SensorSize NMnistSensor = new(34, 34);

    /// <summary>Bytes per record.</summary>
    public const int RecordSize = 5;

    /// <summary>Microseconds added to later timestamps by each overflow record.</summary>
    public const long OverflowIncrement = 1 << 13;

    private readonly StreamBuffer _source;
    private readonly string _sourceName;
    private long _offset;

    /// <summary>Opens an N-MNIST binary stream.</summary>
    /// <param name="stream">The stream, positioned at the file's first byte; the reader owns and disposes it.</param>
    /// <param name="options">Options (sensor size, buffer size); null for defaults.</param>
    /// <param name="sourceName">Name used in errors and <see cref="EventStreamInfo.SourceName"/>; null for "stream".</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer size is out of range.</exception>
    public NMnistBinReader(Stream stream, EventReaderOptions? options = null, string? sourceName = null)
    {
        _source = StreamBuffer.Create(stream, options);
        options ??= EventReaderOptions.Default;
        _sourceName = sourceName ?? "stream";
        SensorSize sensor = options.Sensor ?? NMnistSensor;
        Info = new EventStreamInfo(EventFormat.NMnistBin, sensor, null, null, _sourceName)
        {
            Notes = [options.Sensor is null ? "sensor size 34x34 assumed (N-MNIST's; the file does not state one)" : $"sensor size {sensor} given by the caller"],
            SensorOrigin = options.Sensor is null ? SensorOrigin.Assumed : SensorOrigin.Caller,
        };
    }

    /// <summary>Opens the N-MNIST binary file at <paramref name="path"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public static NMnistBinReader Open(string path, EventReaderOptions? options = null)
    {
        return EventFiles.Open(path, stream => new NMnistBinReader(stream, options, path));
    }

    /// <inheritdoc />
    public EventStreamInfo Info { get; }

    /// <inheritdoc />
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <summary>Overflow records (y = 240) read so far.</summary>
    public long OverflowRecords { get; private set; }

    /// <inheritdoc />
    public int ReadBatch(EventBatch batch)
        => _source.ReadRecords(batch, this, RecordSize, Diagnostics, _sourceName, "trailing byte(s) do not form a 5-byte record");

    /// <inheritdoc />
    public void Dispose() => _source.Dispose();

    int IRecordDecoder.DecodeRecords(ReadOnlySpan<byte> bytes, Span<long> t, Span<ushort> x, Span<ushort> y, Span<byte> p, out int consumedBytes)
    {
        int n = Decode(bytes, t, x, y, p, out int consumed);
        consumedBytes = consumed * RecordSize;
        return n;
    }

    private int Decode(ReadOnlySpan<byte> bytes, Span<long> ts, Span<ushort> xs, Span<ushort> ys, Span<byte> ps, out int consumed)
    {
        int records = bytes.Length / RecordSize;
        int free = ts.Length;
        ref byte b = ref MemoryMarshal.GetReference(bytes);
        ref long t0 = ref MemoryMarshal.GetReference(ts);
        ref ushort x0 = ref MemoryMarshal.GetReference(xs);
        ref ushort y0 = ref MemoryMarshal.GetReference(ys);
        ref byte p0 = ref MemoryMarshal.GetReference(ps);
        long offset = _offset;
        int n = 0;
        int r = 0;
        for (; r < records && n < free; r++)
        {
            ref byte rec = ref Unsafe.Add(ref b, r * RecordSize);
            byte y = Unsafe.Add(ref rec, 1);
            byte b2 = Unsafe.Add(ref rec, 2);
            if (y == 240)
            {
                offset += OverflowIncrement;
                OverflowRecords++;
                continue;
            }

            Unsafe.Add(ref t0, n) = offset + (((b2 & 0x7F) << 16) | (Unsafe.Add(ref rec, 3) << 8) | Unsafe.Add(ref rec, 4));
            Unsafe.Add(ref x0, n) = rec;
            Unsafe.Add(ref y0, n) = y;
            Unsafe.Add(ref p0, n) = (byte)(b2 >> 7);
            n++;
        }

        _offset = offset;
        consumed = r;
        return n;
    }
}
