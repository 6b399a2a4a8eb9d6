namespace EventSnn.Datasets.Tests.Formats;

/// <summary>
/// A forward-only stream returning few bytes per read, like a slow pipe or socket: at most <paramref name="chunk"/> bytes,
/// or with chunk 0 at most 1..7 bytes (cycling). With <paramref name="blockAtEnd"/>, a read past the data throws (a live
/// reader would block there).
/// </summary>
internal sealed class TrickleStream(byte[] data, int chunk = 0, bool blockAtEnd = false) : Stream
{
    private int _position;
    private int _turn;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (blockAtEnd && _position == data.Length)
        {
            throw new InvalidOperationException("read past the data sent so far: a live reader would block here");
        }

        int most = chunk > 0 ? chunk : 1 + (_turn++ % 7);
        int n = Math.Min(Math.Min(count, most), data.Length - _position);
        Array.Copy(data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
