using System.Globalization;
using System.Text;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// A UTF-8 byte buffer in front of a stream, for the streaming CSV monitors: rows are formatted straight into the
/// buffer (no allocation per row) and the buffer goes to the stream in whole chunks. A failed write is kept
/// (<see cref="Fault"/>) instead of thrown, because monitors are called from inside an engine; later rows are then
/// counted in <see cref="RowsLost"/> and <see cref="Flush"/> throws.
/// </summary>
internal sealed class CsvChunkWriter : IDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly string _what;
    private byte[] _buffer;
    private int _used;
    private bool _disposed;

    public CsvChunkWriter(Stream stream, bool leaveOpen, int bufferSize, string what)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream is not writable.", nameof(stream));
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 4096);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bufferSize, 64 << 20);
        _stream = stream;
        _leaveOpen = leaveOpen;
        _what = what;
        _buffer = new byte[bufferSize];
    }

    /// <summary>The first write failure, or null.</summary>
    public Exception? Fault { get; private set; }

    /// <summary>Rows not written because of <see cref="Fault"/>.</summary>
    public long RowsLost { get; private set; }

    /// <summary>Bytes handed to the stream so far.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The buffer's capacity in bytes (the memory the writer holds).</summary>
    public int Capacity => _buffer.Length;

    /// <summary>Makes room for <paramref name="bytes"/> more bytes; false when writing has failed.</summary>
    public bool Reserve(int bytes)
    {
        if (Fault is not null)
        {
            RowsLost++;
            return false;
        }

        if (bytes > _buffer.Length)
        {
            WriteOut();
            Array.Resize(ref _buffer, bytes);
        }
        else if (_used + bytes > _buffer.Length)
        {
            WriteOut();
        }

        if (Fault is not null)
        {
            RowsLost++;
            return false;
        }

        return true;
    }

    /// <summary>The free part of the buffer (call <see cref="Reserve"/> first).</summary>
    public Span<byte> Free => _buffer.AsSpan(_used);

    /// <summary>Marks <paramref name="bytes"/> of <see cref="Free"/> as used.</summary>
    public void Advance(int bytes) => _used += bytes;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Free);
        _used += bytes.Length;
    }

    public void Append(long value)
    {
        value.TryFormat(Free, out int written, default, CultureInfo.InvariantCulture);
        _used += written;
    }

    public void Append(double value)
    {
        value.TryFormat(Free, out int written, "R", CultureInfo.InvariantCulture);
        _used += written;
    }

    public void Append(byte b) => _buffer[_used++] = b;

    /// <summary>Writes the buffered rows and flushes the stream; throws the kept fault.</summary>
    public void Flush()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        WriteOut();
        if (Fault is null)
        {
            try
            {
                _stream.Flush();
            }
            catch (IOException ex)
            {
                Fault = ex;
            }
        }

        ThrowIfFaulted();
    }

    public void ThrowIfFaulted()
    {
        if (Fault is not null)
        {
            throw new IOException($"Writing {_what} failed ({RowsLost} row(s) not written): {Fault.Message}", Fault);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            WriteOut();
            if (Fault is null && !_leaveOpen)
            {
                _stream.Flush();
            }
        }
        catch (IOException)
        {
            // Dispose does not report; Flush and Complete do.
        }
        finally
        {
            _disposed = true;
            if (!_leaveOpen)
            {
                _stream.Dispose();
            }
        }
    }

    /// <summary>The UTF-8 bytes of a CSV field: quoted when it holds a comma, a quote or a line break.</summary>
    public static byte[] Field(string text)
    {
        bool quote = text.AsSpan().IndexOfAny(",\"\r\n") >= 0;
        return Encoding.UTF8.GetBytes(quote ? $"\"{text.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : text);
    }

    private void WriteOut()
    {
        if (_used == 0 || Fault is not null)
        {
            return;
        }

        try
        {
            _stream.Write(_buffer, 0, _used);
            BytesWritten += _used;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or ObjectDisposedException)
        {
            Fault = ex;
        }

        _used = 0;
    }
}
