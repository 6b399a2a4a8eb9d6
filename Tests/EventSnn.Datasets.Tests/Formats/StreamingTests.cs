using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Tests.Formats.NMnist;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>Readers fed by a non-seekable stream that returns a few bytes per read decode exactly as from a file.</summary>
public class StreamingTests
{
    /// <summary>A forward-only stream returning at most 1..7 bytes per read (cycling), like a slow pipe or socket.</summary>
    private sealed class TrickleStream(byte[] data) : Stream
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
            int n = Math.Min(Math.Min(count, 1 + (_turn++ % 7)), data.Length - _position);
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

    [Theory]
    [InlineData("faery_evt2.raw", EventFormat.Evt2)]
    [InlineData("expelliarmus_evt3_sample.raw", EventFormat.Evt3)]
    [InlineData("tonic_sample_ncars.dat", EventFormat.Dat)]
    [InlineData("tonic_sample_nmnist.bin", EventFormat.NMnistBin)]
    public void Trickling_stream_gives_the_reference_events(string file, EventFormat format)
    {
        byte[] all = SampleData.Bytes(file);
        byte[] data = all.AsSpan(0, Math.Min(all.Length, 40_000)).ToArray();
        Decoded expected = format switch
        {
            EventFormat.Evt2 => Evt2ReaderTests.Reference(data),
            EventFormat.Evt3 => Evt3ReaderTests.Reference(data, out _),
            EventFormat.Dat => DatReaderTests.Reference(data),
            _ => NMnistBinReaderTests.Reference(data),
        };
        Assert.True(expected.Count > 1000);
        using IEventReader reader = EventFile.Open(new TrickleStream(data), format, new EventReaderOptions { BufferSize = 4096 }, file);
        SampleData.ReadAll(reader, 333).AssertEqual(expected);
    }
}
