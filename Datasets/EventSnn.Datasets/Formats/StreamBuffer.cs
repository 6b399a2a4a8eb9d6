using System.Buffers;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats;

/// <summary>
/// A bounded read buffer over a stream that tracks the absolute byte offset of its unread data,
/// for decoders that consume whole records from a span and refill when too few bytes remain.
/// </summary>
/// <remarks>
/// <para>A <see cref="MemoryStream"/> whose buffer is publicly visible is decoded in place, without copying.</para>
/// <para>It also runs the batch loop shared by the fixed-record readers (<see cref="ReadRecords"/>): refill, decode a
/// chunk of whole records through <see cref="IRecordDecoder"/> (one call per chunk, never per event), and at the end
/// report and discard a trailing partial record. The buffer owns the stream and disposes it.</para>
/// </remarks>
internal sealed class StreamBuffer : IDisposable
{
    /// <summary>The smallest buffer accepted (<see cref="EventReaderOptions.BufferSize"/>).</summary>
    public const int MinSize = 4096;

    /// <summary>The largest buffer accepted.</summary>
    public const int MaxSize = 256 << 20;

    private readonly Stream _stream;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;
    private bool _eof;
    private bool _finished;

    private readonly bool _pooled;

    /// <summary>Validates the stream and the buffer size of <paramref name="options"/>, then wraps the stream.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The buffer size is out of range.</exception>
    public static StreamBuffer Create(Stream stream, EventReaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return new StreamBuffer(stream, CheckSize(options)) { Live = options?.Live ?? false };
    }

    public StreamBuffer(Stream stream, int size)
    {
        _stream = stream;
        if (stream is MemoryStream memory && memory.TryGetBuffer(out ArraySegment<byte> segment) && segment.Array is byte[] array)
        {
            // In-memory data with a visible buffer: decode it in place (no copy); the whole stream is "read".
            int position = (int)Math.Min(memory.Position, segment.Count);
            _buffer = array;
            _bufferOffset = -segment.Offset;
            _start = segment.Offset + position;
            _end = segment.Offset + segment.Count;
            Capacity = Math.Max(size, segment.Count);
            _eof = true;
            memory.Position = segment.Count;
            return;
        }

        Capacity = size;
        _buffer = ArrayPool<byte>.Shared.Rent(size);
        _pooled = true;
    }

    /// <summary>The buffer size in bytes.</summary>
    public int Capacity { get; }

    /// <summary>
    /// Live input: <see cref="ReadRecords"/> returns once it has produced events and the buffered bytes are used up,
    /// rather than blocking on the stream to fill the batch (see <see cref="EventReaderOptions.Live"/>).
    /// </summary>
    public bool Live { get; init; }

    /// <summary>Absolute stream offset of the first unread byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Number of unread bytes in the buffer.</summary>
    public int Available => _end - _start;

    /// <summary>Whether the stream has ended (more bytes may still be unread in the buffer).</summary>
    public bool StreamEnded => _eof;

    /// <summary>Whether the reader is done: the stream ended and no whole record is left (see <see cref="MarkFinished"/>).</summary>
    public bool Finished => _finished;

    /// <summary>The unread bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>Validates a buffer size taken from the options.</summary>
    public static int CheckSize(EventReaderOptions? options)
    {
        int size = (options ?? EventReaderOptions.Default).BufferSize;
        if (size < MinSize || size > MaxSize)
        {
            throw new ArgumentOutOfRangeException(
                nameof(options), size, $"BufferSize must be in {MinSize}..{MaxSize} bytes.");
        }

        return size;
    }

    /// <summary>Marks the input as finished: <see cref="ReadRecords"/> returns 0 from now on.</summary>
    public void MarkFinished() => _finished = true;

    /// <summary>
    /// Reads until a batch is full or the input ends, decoding whole records of <paramref name="recordSize"/> bytes
    /// with <paramref name="decoder"/>; at the end a trailing partial record is reported and discarded.
    /// </summary>
    /// <param name="batch">The batch to append to.</param>
    /// <param name="decoder">Decodes a chunk of records (called once per chunk).</param>
    /// <param name="recordSize">The smallest number of bytes the decoder needs.</param>
    /// <param name="diagnostics">Where a trailing partial record is counted and reported.</param>
    /// <param name="sourceName">The source name used in the warning.</param>
    /// <param name="trailing">The warning's text after the byte count, e.g. <c>trailing byte(s) do not form a 32-bit word</c>.</param>
    /// <returns>The number of events appended.</returns>
    public int ReadRecords<TDecoder>(
        EventBatch batch, TDecoder decoder, int recordSize, ReaderDiagnostics diagnostics, string sourceName, string trailing)
        where TDecoder : IRecordDecoder
    {
        ArgumentNullException.ThrowIfNull(batch);
        int total = 0;
        while (!batch.IsFull && !_finished)
        {
            if (_end - _start < recordSize && !decoder.HasPendingEvents)
            {
                if (Live && total > 0)
                {
                    break;
                }

                Refill(recordSize, diagnostics, sourceName, trailing);
                continue;
            }

            batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
            int produced = decoder.DecodeRecords(Span, t, x, y, p, out int consumedBytes);
            batch.Commit(produced);
            total += produced;
            Advance(consumedBytes);
        }

        return total;
    }

    /// <summary>
    /// The refill step of a record loop, called when fewer than <paramref name="recordSize"/> bytes are unread:
    /// performs one read; when the stream has ended with fewer bytes left, reports them as a trailing partial record
    /// (<c>"{source}: at byte {offset}: {count} {trailing}; ignored"</c>), discards them and marks the input finished.
    /// </summary>
    /// <returns>False when the input is finished.</returns>
    public bool Refill(int recordSize, ReaderDiagnostics diagnostics, string sourceName, string trailing)
    {
        if (ReadMore() || Available >= recordSize)
        {
            return true;
        }

        int rest = Available;
        if (rest > 0)
        {
            diagnostics.IgnoreTrailing(sourceName, Position, rest, trailing);
            _start += rest;
        }

        _finished = true;
        return false;
    }

    /// <summary>Marks <paramref name="count"/> unread bytes as consumed.</summary>
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)count, (uint)Available, nameof(count));
        _start += count;
    }

    /// <summary>
    /// Reads until at least <paramref name="count"/> bytes are unread (count ≤ <see cref="Capacity"/>) or the stream ends.
    /// </summary>
    /// <returns>Whether <paramref name="count"/> bytes are available.</returns>
    public bool Ensure(int count)
    {
        while (Available < count)
        {
            if (_eof || !ReadMore())
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Moves the unread bytes to the front and performs one read into the free space.
    /// </summary>
    /// <returns>False when the stream has ended (no byte was read).</returns>
    public bool ReadMore()
    {
        if (_eof)
        {
            return false;
        }

        if (_start > 0)
        {
            int n = _end - _start;
            if (n > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, n);
            }

            _bufferOffset += _start;
            _start = 0;
            _end = n;
        }

        if (_end == Capacity)
        {
            return true;
        }

        int read = _stream.Read(_buffer, _end, Capacity - _end);
        if (read <= 0)
        {
            _eof = true;
            return false;
        }

        _end += read;
        return true;
    }

    public void Dispose()
    {
        if (_buffer.Length != 0)
        {
            if (_pooled)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
            }

            _buffer = [];
            _start = _end = 0;
        }

        _stream.Dispose();
    }
}
