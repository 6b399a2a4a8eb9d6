using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;
using Org.BouncyCastle.Crypto.Digests;

namespace EventSnn.Datasets.Tests.Formats.Prophesee;

public class Evt2ReaderTests
{
    private const string Sample = "faery_evt2.raw";

    /// <summary>
    /// A straightforward EVT 2.0 decoder written from the spec, independent of <see cref="Evt2Reader"/>:
    /// header = leading lines starting with '%', then 32-bit LE words.
    /// </summary>
    internal static Decoded Reference(byte[] file)
    {
        int pos = 0;
        while (pos < file.Length && file[pos] == (byte)'%')
        {
            pos = Array.IndexOf(file, (byte)'\n', pos) + 1;
        }

        var d = new Decoded();
        long high = 0;
        long wraps = 0;
        long lastHigh = -1;
        for (; pos + 4 <= file.Length; pos += 4)
        {
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos));
            switch (w >> 28)
            {
                case 0:
                case 1:
                    d.T.Add(wraps + high * 64 + ((w >> 22) & 63));
                    d.X.Add((ushort)((w >> 11) & 2047));
                    d.Y.Add((ushort)(w & 2047));
                    d.P.Add((byte)(w >> 28));
                    break;
                case 8:
                    long h = w & 0x0FFFFFFF;
                    if (lastHigh >= 0 && h < lastHigh)
                    {
                        wraps += 1L << 34;
                    }

                    high = lastHigh = h;
                    break;
            }
        }

        return d;
    }

    private static string Sha3_224(byte[] data)
    {
        var digest = new Sha3Digest(224);
        digest.BlockUpdate(data, 0, data.Length);
        byte[] output = new byte[28];
        digest.DoFinal(output, 0);
        return Convert.ToHexStringLower(output);
    }

    [Fact]
    public void Sha3_224_matches_an_independent_known_answer()
    {
        // FIPS 202 test vector for "abc" (also python3 hashlib.sha3_224(b'abc')).
        Assert.Equal("e642824c3f8cf24ad09234ee7d3c766fc9a3a5168d0c94ad73b46fdf", Sha3_224("abc"u8.ToArray()));
    }

    [Fact]
    public void Decoded_arrays_match_faery_published_sha3_digests()
    {
        using var reader = Evt2Reader.Open(SampleData.PathOf(Sample));
        Decoded d = SampleData.ReadAll(reader);

        byte[] t = new byte[d.Count * 8];
        byte[] x = new byte[d.Count * 2];
        byte[] y = new byte[d.Count * 2];
        byte[] on = new byte[d.Count];
        for (int i = 0; i < d.Count; i++)
        {
            BinaryPrimitives.WriteUInt64LittleEndian(t.AsSpan(i * 8), (ulong)d.T[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(x.AsSpan(i * 2), d.X[i]);
            BinaryPrimitives.WriteUInt16LittleEndian(y.AsSpan(i * 2), d.Y[i]);
            on[i] = d.P[i] == 1 ? (byte)1 : (byte)0;
        }

        // Digests published by faery's tests (tests/assets.py), quoted in ../shared/data/SOURCES.md.
        Assert.Equal("9855ba39c1baea316ae623b72466e420df60a7510248391856eb4eaf", Sha3_224(t));
        Assert.Equal("93fc6cff19b483fd48ca53345c6c1cf05123681d7b7272a1717e9303", Sha3_224(x));
        Assert.Equal("07cfaef58e5fa71ce9910ed5b88fb7e9fcf71e4a8654cc2c4666f1ae", Sha3_224(y));
        Assert.Equal("d2b5e9c4047f4c431937b24cd46c8b504e055372b0ded1df77f0ffa1", Sha3_224(on));
    }

    [Fact]
    public void Sample_matches_independent_decoder_and_published_facts()
    {
        byte[] file = SampleData.Bytes(Sample);
        Decoded expected = Reference(file);
        using var reader = new Evt2Reader(new MemoryStream(file), null, Sample);
        Decoded d = SampleData.ReadAll(reader);
        d.AssertEqual(expected);

        // Facts from SOURCES.md (decoded there by a separate spec-derived reader).
        Assert.Equal(521_252, d.Count);
        Assert.Equal(185_861, d.On);
        Assert.Equal(335_391, d.Off);
        Assert.Equal(new DvsEvent(913_716_224, 35, 443, 1), d.First);
        Assert.Equal(new DvsEvent(913_812_095, 12, 471, 0), d.Last);
        Assert.Equal(EventFormat.Evt2, reader.Info.Format);
        Assert.Equal(new SensorSize(640, 480), reader.Info.Sensor);
        Assert.Equal("hal_plugin_gen3_fx3", reader.Info.Source);
        Assert.Equal("2.0", reader.Info.Metadata["evt"]);
        Assert.Equal(0, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Equal(0, reader.EventsBeforeFirstTimeHigh);
        Assert.Equal(0, reader.TimeHighWraps);
        Assert.Equal(0, (file.Length - reader.HeaderLength) % 4);
    }

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4096, 7)]
    [InlineData(65536, 1000)]
    public void Buffer_and_batch_sizes_do_not_change_the_result(int bufferSize, int batchCapacity)
    {
        byte[] file = SampleData.Bytes(Sample);
        var options = new EventReaderOptions { BufferSize = bufferSize };
        using var reader = new Evt2Reader(new MemoryStream(file), options, Sample);
        Decoded d = SampleData.ReadAll(reader, batchCapacity);
        d.AssertEqual(Reference(file));
    }

    internal static byte[] Build(string header, params uint[] words)
    {
        byte[] h = Encoding.ASCII.GetBytes(header);
        byte[] file = new byte[h.Length + (words.Length * 4)];
        h.CopyTo(file, 0);
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(h.Length + (i * 4)), words[i]);
        }

        return file;
    }

    private static uint Cd(uint type, uint lsb, uint x, uint y) => (type << 28) | (lsb << 22) | (x << 11) | y;

    private static uint High(uint h) => 0x80000000u | h;

    [Fact]
    public void Time_high_wrap_trigger_others_and_early_events_follow_the_documented_rules()
    {
        const uint maxHigh = 0x0FFFFFFF;
        byte[] file = Build(
            "% format EVT2;height=20;width=30\n% end\n",
            Cd(1, 5, 3, 4),                 // before any TIME_HIGH: high part 0
            High(maxHigh),
            Cd(0, 63, 29, 19),
            0xA0000000u | (7u << 22) | (3u << 8) | 1u, // trigger channel 3, rising, lsb 7
            0xE0000000u,                    // OTHERS
            0xF0000000u,                    // CONTINUED
            0x50000000u,                    // reserved
            High(2),                        // decrease => wrap
            Cd(1, 1, 0, 0));
        var triggers = new List<ExternalTrigger>();
        using var reader = new Evt2Reader(new MemoryStream(file), null, "synthetic");
        reader.TriggerReceived = triggers.Add;
        Decoded d = SampleData.ReadAll(reader);

        long beforeWrap = ((long)maxHigh << 6) | 63;
        Assert.Equal(
            [new DvsEvent(5, 3, 4, 1), new DvsEvent(beforeWrap, 29, 19, 0), new DvsEvent((1L << 34) + (2 << 6) + 1, 0, 0, 1)],
            Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(new SensorSize(30, 20), reader.Info.Sensor);
        Assert.Equal(1, reader.EventsBeforeFirstTimeHigh);
        Assert.Equal(1, reader.TimeHighWraps);
        Assert.Equal(1, reader.TriggerCount);
        Assert.Equal([new ExternalTrigger(((long)maxHigh << 6) | 7, 3, 1)], triggers);
        Assert.Equal(3, reader.Diagnostics.SkippedRecords);
        Assert.True(reader.Diagnostics.WarningCount >= 1);
    }

    [Fact]
    public void Trailing_partial_word_is_ignored_and_reported()
    {
        byte[] whole = Build("% evt 2.0\n", High(1), Cd(1, 2, 3, 4));
        byte[] file = [.. whole, 0x12, 0x34, 0x56];
        using var reader = new Evt2Reader(new MemoryStream(file), null, "t");
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal([new DvsEvent(66, 3, 4, 1)], Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(3, reader.Diagnostics.TrailingBytesIgnored);
    }

    [Fact]
    public void Caller_sensor_overrides_the_header_and_geometry_line_is_read()
    {
        byte[] file = Build("% geometry 320x240\n% evt 2.0\n", High(1));
        using (var reader = new Evt2Reader(new MemoryStream(file)))
        {
            Assert.Equal(new SensorSize(320, 240), reader.Info.Sensor);
        }

        using var overridden = new Evt2Reader(new MemoryStream(file), new EventReaderOptions { Sensor = new SensorSize(10, 11) });
        Assert.Equal(new SensorSize(10, 11), overridden.Info.Sensor);
    }

    [Fact]
    public void Header_declaring_evt3_is_refused_with_the_source_name()
    {
        byte[] file = Build("% evt 3.0\n", High(1));
        var ex = Assert.Throws<EventFormatException>(() => new Evt2Reader(new MemoryStream(file), null, "cam.raw"));
        Assert.Equal("cam.raw", ex.SourceName);
        Assert.Contains("evt 3.0", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Data_word_starting_with_percent_is_not_taken_for_a_header_line()
    {
        // First word after the header has low byte 0x25 ('%'): y = 0x25, CD_ON.
        uint word = Cd(1, 0, 1, 0x25);
        byte[] file = Build("% evt 2.0\n", word, High(3));
        using var reader = new Evt2Reader(new MemoryStream(file));
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal([new DvsEvent(0, 1, 0x25, 1)], Enumerable.Range(0, d.Count).Select(i => d[i]));
    }

    [Fact]
    public void Invalid_arguments_are_rejected_with_parameter_names()
    {
        Assert.Equal("stream", Assert.Throws<ArgumentNullException>(() => new Evt2Reader(null!)).ParamName);
        Assert.Equal("options", Assert.Throws<ArgumentOutOfRangeException>(
            () => new Evt2Reader(new MemoryStream(), new EventReaderOptions { BufferSize = 100 })).ParamName);
        Assert.Throws<ArgumentException>(() => Evt2Reader.Open(""));
    }
}
