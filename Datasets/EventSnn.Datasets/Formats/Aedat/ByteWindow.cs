namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>
/// A forward-only window over a stream: a buffer of bytes not yet consumed, their absolute offset in
/// the stream, and growth up to a hard limit (so a hostile file cannot make it allocate without bound).
/// </summary>
internal sealed class ByteWindow
{
    private readonly Stream _stream;
    private readonly int _maxSize;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private long _bufferOffset;

    public ByteWindow(Stream stream, int initialSize, int maxSize)
    {
        _stream = stream;
        _maxSize = Math.Max(initialSize, maxSize);
        _buffer = new byte[initialSize];
    }

    /// <summary>Whether the underlying stream has reported its end.</summary>
    public bool AtEndOfStream { get; private set; }

    /// <summary>The offset of the first unconsumed byte, counted from where the stream was when the window was made.</summary>
    public long Position => _bufferOffset + _start;

    /// <summary>The number of unconsumed bytes in the window.</summary>
    public int Count => _end - _start;

    /// <summary>The unconsumed bytes.</summary>
    public ReadOnlySpan<byte> Span => _buffer.AsSpan(_start, _end - _start);

    /// <summary>The most bytes the window may hold.</summary>
    public int MaxSize => _maxSize;

    /// <summary>Consumes <paramref name="count"/> bytes.</summary>
    public void Advance(int count)
    {
        if ((uint)count > (uint)(_end - _start))
        {
            throw new ArgumentOutOfRangeException(nameof(count));
        }

        _start += count;
    }

    /// <summary>
    /// Makes at least <paramref name="count"/> bytes available, reading (and growing the buffer up to
    /// its limit) as needed. Returns false when the stream ends first (what is there stays available).
    /// </summary>
    public bool Ensure(int count)
    {
        if (_end - _start >= count)
        {
            return true;
        }

        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _maxSize);

        Compact(count);
        while (_end - _start < count && !AtEndOfStream)
        {
            ReadOnce();
        }

        return _end - _start >= count;
    }

    /// <summary>Reads at least one more byte if the stream has any (growing the buffer up to its limit). Returns false at the end or when full.</summary>
    public bool ReadMore()
    {
        if (AtEndOfStream)
        {
            return false;
        }

        int want = _end - _start + 1;
        if (want > _maxSize)
        {
            return false;
        }

        Compact(want);
        return ReadOnce() > 0;
    }

    /// <summary>Skips <paramref name="count"/> bytes, consuming the window and then the stream. Returns false when the stream ends first.</summary>
    public bool Skip(long count)
    {
        int inWindow = (int)Math.Min(count, _end - _start);
        _start += inWindow;
        count -= inWindow;
        if (count == 0)
        {
            return true;
        }

        _bufferOffset += _end;
        _start = 0;
        _end = 0;
        if (_stream.CanSeek)
        {
            long remaining = _stream.Length - _stream.Position;
            if (remaining < count)
            {
                _stream.Seek(0, SeekOrigin.End);
                _bufferOffset += remaining;
                AtEndOfStream = true;
                return false;
            }

            _stream.Seek(count, SeekOrigin.Current);
            _bufferOffset += count;
            return true;
        }

        while (count > 0)
        {
            int n = _stream.Read(_buffer, 0, (int)Math.Min(count, _buffer.Length));
            if (n <= 0)
            {
                AtEndOfStream = true;
                return false;
            }

            _bufferOffset += n;
            count -= n;
        }

        return true;
    }

    /// <summary>Bytes left in the stream after the window, when the stream can tell; otherwise null.</summary>
    public long? RemainingInStream()
    {
        if (!_stream.CanSeek)
        {
            return null;
        }

        return _end - _start + Math.Max(0, _stream.Length - _stream.Position);
    }

    private void Compact(int need)
    {
        if (_start > 0)
        {
            int live = _end - _start;
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, live);
            _bufferOffset += _start;
            _start = 0;
            _end = live;
        }

        if (need > _buffer.Length)
        {
            int size = (int)Math.Min(_maxSize, Math.Max((long)need, (long)_buffer.Length * 2));
            Array.Resize(ref _buffer, size);
        }
    }

    private int ReadOnce()
    {
        if (_end == _buffer.Length)
        {
            return 0;
        }

        int n = _stream.Read(_buffer, _end, _buffer.Length - _end);
        if (n <= 0)
        {
            AtEndOfStream = true;
            return 0;
        }

        _end += n;
        return n;
    }
}
