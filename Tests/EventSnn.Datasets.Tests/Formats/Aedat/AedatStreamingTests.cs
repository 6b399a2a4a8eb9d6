using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

/// <summary>The AEDAT readers fed by a forward-only stream returning 1..7 bytes per read decode exactly as from memory.</summary>
public class AedatStreamingTests
{
    [Fact]
    public void Aedat2_trickle_equals_seekable_read()
    {
        byte[] data = File.ReadAllBytes(AedatTestUtil.SharedData("jaer_MovingDarkBox.aedat")).AsSpan(0, 60_003).ToArray();
        var expected = AedatTestUtil.ReadAll(new Aedat2Reader(new MemoryStream(data)));
        using var reader = new Aedat2Reader(new TrickleStream(data), new EventReaderOptions { BufferSize = 4096 });
        Assert.Equal(Aedat2Layout.Dvs128, reader.Layout);
        Assert.Equal(expected, AedatTestUtil.ReadAll(reader, 333));
        Assert.Equal(3, reader.Diagnostics.TrailingBytesIgnored);
    }

    [Fact]
    public void Aedat31_trickle_equals_seekable_read()
    {
        byte[] data = new Aedat31FixtureWriter()
            .Special(1, 0, [(0, 1, true)])
            .Polarity(1, 0, [.. Enumerable.Range(0, 3000).Select(i => (i, i % 128, (i / 128) % 128, i & 1, i % 17 != 0))], spareCapacity: 5)
            .Packet(2, 1, 100, 0, 0, 3, 3, 3, new byte[300])
            .Polarity(1, 4, [.. Enumerable.Range(0, 500).Select(i => (i, 1, 2, 1, true))])
            .ToArray();
        var expected = AedatTestUtil.ReadAll(new Aedat3Reader(new MemoryStream(data)));
        Assert.True(expected.Count > 3000);
        using var reader = new Aedat3Reader(new TrickleStream(data), new EventReaderOptions { BufferSize = 4096 });
        Assert.Equal(expected, AedatTestUtil.ReadAll(reader, 333));
    }

    [Fact]
    public void Aedat4_trickle_equals_seekable_read()
    {
        byte[] data = File.ReadAllBytes(AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample));
        using var file = Aedat4Reader.Open(AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample));
        var expected = AedatTestUtil.ReadAll(file);
        using var reader = new Aedat4Reader(new TrickleStream(data), new EventReaderOptions { BufferSize = 4096 });
        Assert.Equal(expected, AedatTestUtil.ReadAll(reader, 333));
    }
}
