using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Tests.Formats.NMnist;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>Readers fed by a non-seekable stream that returns a few bytes per read decode exactly as from a file.</summary>
public class StreamingTests
{
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
