using System.Text;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats;

public class FormatDetectorTests
{
    [Theory]
    [InlineData("faery_evt2.raw", EventFormat.Evt2)]
    [InlineData("expelliarmus_evt3_sample.raw", EventFormat.Evt3)]
    [InlineData("tonic_sample_ncars.dat", EventFormat.Dat)]
    [InlineData("tonic_sample_nmnist.bin", EventFormat.NMnistBin)]
    [InlineData("tonic_sample.aedat4", EventFormat.Aedat4)]
    [InlineData("jaer_MovingDarkBox.aedat", EventFormat.Aedat2)]
    [InlineData("mibblez_header_test_128.aedat", EventFormat.Aedat2)]
    public void Samples_are_recognised(string file, EventFormat expected)
    {
        Assert.Equal(expected, EventFile.Detect(SampleData.PathOf(file)));
    }

    [Theory]
    [InlineData("#!AER-DAT2.0\r\n", null, EventFormat.Aedat2)]
    [InlineData("#!AER-DAT3.1\r\n#Format: RAW\r\n", null, EventFormat.Aedat3)]
    [InlineData("#!AER-DAT3.0\r\n", null, EventFormat.Aedat3)]
    [InlineData("#!AER-DAT4.0\r\n", null, EventFormat.Aedat4)]
    [InlineData("#!AER-DAT9.9\r\n", null, EventFormat.Unknown)]
    [InlineData("% Date 2020\n% evt 2.0\n", null, EventFormat.Evt2)]
    [InlineData("% format EVT2;height=480;width=640\n% end\n", null, EventFormat.Evt2)]
    [InlineData("% format EVT3;height=720;width=1280\n% end\n", "x.dat", EventFormat.Evt3)]
    [InlineData("% evt 3.0\n", null, EventFormat.Evt3)]
    [InlineData("% evt 2.1\n", null, EventFormat.Unknown)]
    [InlineData("% format EVT21;height=720;width=1280\n", null, EventFormat.Unknown)]
    [InlineData("% Data file containing CD events\n", null, EventFormat.Dat)]
    [InlineData("% Date 2017\n% Version 2\n", null, EventFormat.Dat)]
    [InlineData("% plugin_name hal_plugin_gen3_fx3\n", null, EventFormat.Evt2)]
    [InlineData("% plugin_name hal_plugin_gen41_evk3\n", null, EventFormat.Evt3)]
    [InlineData("% Date 2017\n", "rec.dat", EventFormat.Dat)]
    [InlineData("% Date 2017\n", "rec.raw", EventFormat.Unknown)]
    [InlineData("hello", "a.txt", EventFormat.Unknown)]
    [InlineData("", null, EventFormat.Unknown)]
    public void Headers_are_recognised(string head, string? name, EventFormat expected)
    {
        Assert.Equal(expected, FormatDetector.Detect(Encoding.ASCII.GetBytes(head), name));
    }

    [Fact]
    public void Nmnist_rule_uses_extension_and_length_multiple_of_five()
    {
        byte[] head = [1, 2, 3, 4, 5];
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(head, "Train/3/00001.BIN", 5000));
        Assert.Equal(EventFormat.Unknown, FormatDetector.Detect(head, "x.bin", 5001));
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(head, "x.bin"));
        Assert.Equal(EventFormat.Unknown, FormatDetector.Detect(head, "x.raw", 5000));
    }

    /// <summary>ATIS 40-bit records (N-MNIST, N-Caltech101, SLAYER .bs2): x, y, p·2^7 + t[22:16], t[15:8], t[7:0].</summary>
    internal static byte[] AtisRecords(int count, int maxX, int maxY, int firstX = 0)
    {
        byte[] data = new byte[count * 5];
        for (int i = 0; i < count; i++)
        {
            int x = i == 0 ? firstX : (i * 7) % (maxX + 1);
            int y = i == count - 1 ? maxY : (i * 11) % (maxY + 1);
            int t = 100 + (i * 37);
            data[i * 5] = (byte)x;
            data[(i * 5) + 1] = (byte)y;
            data[(i * 5) + 2] = (byte)(((i & 1) << 7) | ((t >> 16) & 0x7F));
            data[(i * 5) + 3] = (byte)(t >> 8);
            data[(i * 5) + 4] = (byte)t;
        }

        return data;
    }

    [Theory]
    [InlineData("sample.bs2")]
    [InlineData("image_0001.bin")]
    [InlineData("recording")]
    [InlineData("recording.dat")]
    [InlineData("recording.raw")]
    [InlineData("recording.aedat")]
    public void Atis_40_bit_records_are_recognised_by_content_whatever_the_name(string name)
    {
        // N-Caltech101-like extent (x up to 150, y up to 172), first byte '%' (x = 37) to defeat header sniffing.
        byte[] data = AtisRecords(400, 150, 172, firstX: '%');
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(data, name, data.Length));
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(SampleData.Bytes("tonic_sample_nmnist.bin"), name, 21_625));
    }

    [Fact]
    public void Extension_only_breaks_ties()
    {
        // Too few records to judge: the extension decides among the layouts the data allows.
        byte[] few = AtisRecords(3, 20, 20);
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(few, "x.bs2", few.Length));
        Assert.Equal(EventFormat.NMnistBin, FormatDetector.Detect(few, "x.BIN", few.Length));
        Assert.Equal(EventFormat.Unknown, FormatDetector.Detect(few, "x.raw", few.Length));

        // Random bytes are not N-MNIST because of a .bin name, and a length that is not a multiple of 5 rules it out.
        byte[] random = new byte[5000];
        new Random(7).NextBytes(random);
        Assert.Equal(EventFormat.Unknown, FormatDetector.Detect(random, "x.bin", random.Length));
        byte[] atis = AtisRecords(400, 30, 30);
        Assert.Equal(EventFormat.Unknown, FormatDetector.Detect(atis, "x.bin", atis.Length + 1));
    }

    [Theory]
    [InlineData("expelliarmus_evt3_sample.raw", EventFormat.Evt3)]
    [InlineData("faery_evt2.raw", EventFormat.Evt2)]
    [InlineData("tonic_sample_ncars.dat", EventFormat.Dat)]
    public void Prophesee_data_without_its_header_is_recognised_by_content(string file, EventFormat expected)
    {
        byte[] all = SampleData.Bytes(file);
        int headerLength = 0;
        while (headerLength < all.Length && all[headerLength] == (byte)'%')
        {
            headerLength = Array.IndexOf(all, (byte)'\n', headerLength) + 1;
        }

        byte[] body = all.AsSpan(headerLength, Math.Min(all.Length - headerLength, FormatDetector.HeadLength)).ToArray();
        foreach (string name in new[] { "data.raw", "data.bin", "data" })
        {
            Assert.Equal(expected, FormatDetector.Detect(body, name, all.Length - headerLength));
        }

        // After a header that declares nothing, the data decides too.
        byte[] undeclared = [.. "% Date 2020-01-01\n% end\n"u8, .. body];
        Assert.Equal(expected, FormatDetector.Detect(undeclared, "data.raw"));
    }

    [Fact]
    public void Open_with_a_format_reads_the_file_as_that_format()
    {
        string path = Path.Combine(Path.GetTempPath(), $"eventsnn-forced-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(path, AtisRecords(3, 20, 20));
        try
        {
            Assert.Throws<EventFormatException>(() => EventFile.Open(path));
            using IEventReader reader = EventFile.Open(path, EventFormat.NMnistBin);
            Assert.Equal(EventFormat.NMnistBin, reader.Info.Format);
            Assert.Equal(3, SampleData.ReadAll(reader).Count);
            Assert.Throws<ArgumentOutOfRangeException>(() => EventFile.Open(path, (EventFormat)99));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Open_dispatches_to_the_right_reader_and_decodes_the_same_events()
    {
        foreach (var (file, reference) in new (string, Func<byte[], Decoded>)[]
        {
            ("faery_evt2.raw", Evt2ReaderTests.Reference),
            ("expelliarmus_evt3_sample.raw", b => Evt3ReaderTests.Reference(b, out _)),
            ("tonic_sample_ncars.dat", DatReaderTests.Reference),
            ("tonic_sample_nmnist.bin", NMnist.NMnistBinReaderTests.Reference),
        })
        {
            using IEventReader reader = EventFile.Open(SampleData.PathOf(file));
            SampleData.ReadAll(reader).AssertEqual(reference(SampleData.Bytes(file)));
            Assert.Equal(SampleData.PathOf(file), reader.Info.SourceName);
        }
    }

    [Theory]
    [InlineData("jaer_MovingDarkBox.aedat", EventFormat.Aedat2, 489_834L, 946_459_683L, 986_269_729L)]
    [InlineData("tonic_sample.aedat4", EventFormat.Aedat4, 111_954L, 1_605_537_493_718_345L, 1_605_537_494_308_262L)]
    public void Open_dispatches_aedat_files_to_the_aedat_readers(string file, EventFormat format, long events, long tFirst, long tLast)
    {
        // Counts and times from SOURCES.md.
        using IEventReader reader = EventFile.Open(SampleData.PathOf(file));
        Assert.Equal(format, reader.Info.Format);
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal(events, d.Count);
        Assert.Equal(tFirst, d.First.T);
        Assert.Equal(tLast, d.Last.T);
    }

    [Fact]
    public void Open_stream_rejects_unknown_format_and_disposes_the_stream()
    {
        var stream = new MemoryStream([1, 2, 3]);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => EventFile.Open(stream, EventFormat.Unknown));
        Assert.Equal("format", ex.ParamName);
        Assert.False(stream.CanRead);
        Assert.Throws<ArgumentNullException>(() => EventFile.Open((Stream)null!, EventFormat.Evt2));
    }

    [Fact]
    public void Unknown_format_error_names_the_file_and_first_bytes()
    {
        string path = Path.Combine(Path.GetTempPath(), $"eventsnn-unknown-{Guid.NewGuid():N}.xyz");
        File.WriteAllBytes(path, [(byte)'J', (byte)'U', (byte)'N', (byte)'K', 1, 2, (byte)'d', (byte)'a', (byte)'t', (byte)'a']);
        try
        {
            var ex = Assert.Throws<EventFormatException>(() => EventFile.Open(path));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("4A554E4B0102", ex.Message, StringComparison.Ordinal);
            Assert.Contains("\"JUNK..data\"", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<FileNotFoundException>(() => EventFile.Open(path));
        Assert.Throws<ArgumentException>(() => EventFile.Open(""));
    }
}
