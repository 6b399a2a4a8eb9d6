using System.Buffers;
using EventSnn.Datasets.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// A bounded read buffer over a stream that tracks the absolute byte offset of its unread data,
/// for decoders that consume whole records from a span and refill when too few bytes remain.
/// </summary>
/// <remarks>
/// A <see cref="MemoryStream"/> whose buffer is publicly visible is decoded in place, without copying.
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

    private readonly bool _pooled;

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

    /// <summary>Absolute stream offset of the first unread byte.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>Number of unread bytes in the buffer.</summary>
    public int Available => _end - _start;

    /// <summary>Whether the stream has ended (more bytes may still be unread in the buffer).</summary>
    public bool StreamEnded => _eof;

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
