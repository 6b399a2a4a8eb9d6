using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats.NMnist;

public class NMnistBinReaderTests
{
    private const string Sample = "tonic_sample_nmnist.bin";

    /// <summary>A literal decoder of the 40-bit records, independent of <see cref="NMnistBinReader"/>.</summary>
    internal static Decoded Reference(byte[] file)
    {
        var d = new Decoded();
        long extra = 0;
        for (int i = 0; i + 5 <= file.Length; i += 5)
        {
            if (file[i + 1] == 240)
            {
                extra += 8192;
                continue;
            }

            d.X.Add(file[i]);
            d.Y.Add(file[i + 1]);
            d.P.Add((byte)(file[i + 2] >> 7));
            d.T.Add(extra + ((file[i + 2] & 127) * 65536) + (file[i + 3] * 256) + file[i + 4]);
        }

        return d;
    }

    [Fact]
    public void Sample_matches_independent_decoder_and_published_facts()
    {
        byte[] file = SampleData.Bytes(Sample);
        using var reader = new NMnistBinReader(new MemoryStream(file), null, Sample);
        Decoded d = SampleData.ReadAll(reader);
        d.AssertEqual(Reference(file));
        Assert.Equal(4_325, d.Count);
        Assert.Equal(2_145, d.On);
        Assert.Equal(2_180, d.Off);
        Assert.Equal(new DvsEvent(654, 7, 15, 1), d.First);
        Assert.Equal(new DvsEvent(311_175, 21, 14, 1), d.Last);
        Assert.Equal(new SensorSize(34, 34), reader.Info.Sensor);
        Assert.Equal(EventFormat.NMnistBin, reader.Info.Format);
        Assert.Equal(0, reader.OverflowRecords);
    }

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4096, 3)]
    public void Buffer_and_batch_sizes_do_not_change_the_result(int bufferSize, int batchCapacity)
    {
        byte[] file = SampleData.Bytes(Sample);
        using var reader = new NMnistBinReader(new MemoryStream(file), new EventReaderOptions { BufferSize = bufferSize });
        SampleData.ReadAll(reader, batchCapacity).AssertEqual(Reference(file));
    }

    [Fact]
    public void Overflow_records_shift_later_times_and_trailing_bytes_are_reported()
    {
        byte[] file =
        [
            1, 2, 0x80, 0x00, 0x10,     // ON t=16
            0, 240, 0, 0, 0,            // overflow
            3, 4, 0x7F, 0xFF, 0xFF,     // OFF t = 2^23 - 1 (+ 2^13)
            9, 9,                       // partial
        ];
        using var reader = new NMnistBinReader(new MemoryStream(file), new EventReaderOptions { Sensor = new SensorSize(240, 180) });
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal(
            [new DvsEvent(16, 1, 2, 1), new DvsEvent((1 << 23) - 1 + 8192, 3, 4, 0)],
            Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(1, reader.OverflowRecords);
        Assert.Equal(2, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Equal(new SensorSize(240, 180), reader.Info.Sensor);
    }
}
