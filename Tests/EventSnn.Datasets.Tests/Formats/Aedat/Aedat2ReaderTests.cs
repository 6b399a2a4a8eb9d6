using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

public class Aedat2ReaderTests
{
    private const string MovingDarkBox = "jaer_MovingDarkBox.aedat";
    private const string Mibblez = "mibblez_header_test_128.aedat";

    [Fact]
    public void MovingDarkBox_matches_the_published_facts()
    {
        using var reader = Aedat2Reader.Open(AedatTestUtil.SharedData(MovingDarkBox));
        var (t, x, y, p) = AedatTestUtil.ReadColumns(reader);

        Assert.Equal(489_834, t.Length);
        Assert.Equal(new DvsEvent(946_459_683, 12, 19, 0), new DvsEvent(t[0], x[0], y[0], p[0]));
        int last = t.Length - 1;
        Assert.Equal(new DvsEvent(986_269_729, 73, 113, 1), new DvsEvent(t[last], x[last], y[last], p[last]));
        Assert.Equal(242_911, p.Count(v => v == 1));
        Assert.Equal(246_923, p.Count(v => v == 0));
        Assert.Equal(Aedat2Layout.Dvs128, reader.Layout);
        Assert.Equal(new SensorSize(128, 128), reader.Info.Sensor);
        Assert.Null(reader.Info.Source);
        Assert.Contains(reader.Info.Notes, n => n.Contains("inferred", StringComparison.Ordinal) && n.Contains("DVS128", StringComparison.Ordinal));
        Assert.Equal(0, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Equal(EventFormat.Aedat2, reader.Info.Format);
    }

    [Fact]
    public void MovingDarkBox_equals_an_independent_spec_literal_decoding()
    {
        string path = AedatTestUtil.SharedData(MovingDarkBox);
        byte[] bytes = File.ReadAllBytes(path);

        // Independent decoding: skip '#' lines, then big-endian (int32 address, int32 timestamp) records.
        int pos = 0;
        while (bytes[pos] == (byte)'#')
        {
            pos = Array.IndexOf(bytes, (byte)'\n', pos) + 1;
        }

        int n = (bytes.Length - pos) / 8;
        using var reader = Aedat2Reader.Open(path);
        Assert.Equal(pos, reader.HeaderEndOffset);
        var events = AedatTestUtil.ReadAll(reader, batchCapacity: 1000);
        Assert.Equal(n, events.Count);
        for (int i = 0; i < n; i++)
        {
            int a = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos + (8 * i)));
            int ts = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(pos + (8 * i) + 4));
            var expected = new DvsEvent(ts, (ushort)((a >> 1) & 0x7F), (ushort)((a >> 8) & 0x7F), (byte)(a & 1));
            if (expected != events[i])
            {
                Assert.Fail($"event {i}: expected {expected}, got {events[i]}");
            }
        }
    }

    [Fact]
    public void Mibblez_header_ends_at_4241_with_DVS128_and_the_filler_is_reported_not_decoded()
    {
        string path = AedatTestUtil.SharedData(Mibblez);
        long length = new FileInfo(path).Length;
        using var reader = Aedat2Reader.Open(path);
        Assert.Equal(4241, reader.HeaderEndOffset);
        Assert.Equal(new SensorSize(128, 128), reader.Info.Sensor);
        Assert.Equal("ch.unizh.ini.jaer.chip.retina.DVS128", reader.Info.Source);
        Assert.Equal(Aedat2Layout.Dvs128, reader.Layout);
        Assert.Equal(1_531_242_221_262_000, reader.Info.StartTimeUs);

        var events = AedatTestUtil.ReadAll(reader);

        // 38 filler bytes ('$' x 36 + CRLF): 4 whole records whose addresses (0x24242424) use bits 31-16,
        // which no DVS128 address does (dropped), then 6 bytes that are not a whole record.
        long filler = length - 4241;
        Assert.Empty(events);
        Assert.Equal(filler / 8, reader.Diagnostics.DroppedEvents);
        Assert.Equal(filler % 8, reader.Diagnostics.TrailingBytesIgnored);
        Assert.NotEmpty(reader.Diagnostics.Warnings);
    }

    [Fact]
    public void Davis_layout_masks_low_bits_and_counts_aps_imu_and_external_words()
    {
        var records = new List<(uint A, int T)>
        {
            (Davis(10, 20, 1) | 0x3FF, 100),       // DVS with bits 9-0 set: masked
            (0x8000_0000 | (5u << 22) | (6u << 12), 101),  // APS reset read
            (0x8000_0400 | (5u << 22) | (6u << 12), 102),  // APS signal read
        };
        for (int k = 0; k < 7; k++)
        {
            records.Add((0x8000_0C00 | ((uint)k << 28) | (0x1234u << 12), 103)); // one IMU sample = 7 words
        }

        records.Add((Davis(345, 259, 0), 104));
        records.Add((0x403, 105)); // external rising edge
        records.Add((Davis(0, 0, 1), 106));

        byte[] file = BuildAedat2("#!AER-DAT2.0\r\n# AEChip: eu.seebetter.ini.chips.davis.Davis346B\n", records);
        using var reader = new Aedat2Reader(new MemoryStream(file));
        var events = AedatTestUtil.ReadAll(reader);

        Assert.Equal(new SensorSize(346, 260), reader.Info.Sensor);
        Assert.Equal(Aedat2Layout.Davis, reader.Layout);
        Assert.Equal(
            [new DvsEvent(100, 10, 20, 1), new DvsEvent(104, 345, 259, 0), new DvsEvent(106, 0, 0, 1)],
            events);
        Assert.Equal(2, reader.ApsSamples);
        Assert.Equal(7, reader.ImuWords);
        Assert.Equal(1, reader.ExternalEvents);
        Assert.Equal(10, reader.Diagnostics.SkippedRecords);
    }

    [Fact]
    public void Davis240_chip_gives_240x180_and_missing_chip_infers_davis_from_addresses()
    {
        var records = new List<(uint A, int T)> { (Davis(239, 179, 1), 1), (Davis(3, 4, 0), 2) };
        using (var reader = new Aedat2Reader(new MemoryStream(BuildAedat2("#!AER-DAT2.0\r\n# AEChip: eu.seebetter.ini.chips.davis.DAVIS240C\r\n", records))))
        {
            Assert.Equal(new SensorSize(240, 180), reader.Info.Sensor);
            Assert.Equal([new DvsEvent(1, 239, 179, 1), new DvsEvent(2, 3, 4, 0)], AedatTestUtil.ReadAll(reader));
        }

        using (var reader = new Aedat2Reader(new MemoryStream(BuildAedat2("#!AER-DAT2.0\r\n", records))))
        {
            Assert.Equal(Aedat2Layout.Davis, reader.Layout);
            Assert.Null(reader.Info.Sensor);
            Assert.Contains(reader.Info.Notes, n => n.Contains("inferred", StringComparison.Ordinal) && n.Contains("DAVIS", StringComparison.Ordinal));
            Assert.Equal(2, AedatTestUtil.ReadAll(reader).Count);
        }

        var sensor = new SensorSize(240, 180);
        using (var reader = new Aedat2Reader(new MemoryStream(BuildAedat2("#!AER-DAT2.0\r\n", records)), new EventReaderOptions { Sensor = sensor }))
        {
            Assert.Equal(sensor, reader.Info.Sensor);
        }
    }

    [Theory]
    [InlineData("ch.unizh.ini.jaer.chip.retina.DVS128", Aedat2Layout.Dvs128, 128, 128)]
    [InlineData("ch.unizh.ini.jaer.chip.retina.Tmpdiff128", Aedat2Layout.Dvs128, 128, 128)]
    [InlineData("eu.seebetter.ini.chips.davis.DAVIS240C", Aedat2Layout.Davis, 240, 180)]
    [InlineData("eu.seebetter.ini.chips.davis.Davis346blue", Aedat2Layout.Davis, 346, 260)]
    [InlineData("eu.seebetter.ini.chips.davis.Davis346B", Aedat2Layout.Davis, 346, 260)]
    [InlineData("eu.seebetter.ini.chips.davis.DAVIS640", Aedat2Layout.Davis, 640, 480)]
    public void AEChip_names_give_layout_and_sensor(string chip, Aedat2Layout layout, int width, int height)
    {
        using var reader = new Aedat2Reader(new MemoryStream(BuildAedat2($"#!AER-DAT2.0\r\n# AEChip: {chip}\r\n", [])));
        Assert.Equal(layout, reader.Layout);
        Assert.Equal(new SensorSize(width, height), reader.Info.Sensor);
        Assert.Equal(chip, reader.Info.Metadata["AEChip"]);
    }

    [Fact]
    public void Unknown_AEChip_is_refused_unless_a_layout_is_forced()
    {
        byte[] file = BuildAedat2("#!AER-DAT2.0\r\n# AEChip: ch.unizh.ini.jaer.chip.cochlea.CochleaAMS1c\r\n", [(0x0102, 7)]);
        var ex = Assert.Throws<EventFormatException>(() => new Aedat2Reader(new MemoryStream(file), sourceName: "cochlea"));
        Assert.Contains("CochleaAMS1c", ex.Message, StringComparison.Ordinal);
        Assert.Equal("#!AER-DAT2.0\r\n".Length, ex.Offset);

        using var reader = new Aedat2Reader(new MemoryStream(file), new EventReaderOptions { Aedat2Layout = Aedat2Layout.Dvs128 });
        Assert.Equal([new DvsEvent(7, 0x01, 0x01, 0)], AedatTestUtil.ReadAll(reader));
    }

    [Fact]
    public void Timestamps_are_unwrapped_across_int32_overflow_and_31_bit_wrap()
    {
        int nearMax = int.MaxValue - 9;
        var records = new List<(uint A, int T)>
        {
            (Dvs128(1, 1, 1), nearMax),
            (Dvs128(1, 1, 1), int.MinValue + 5),   // int32 overflow: 2^31 - 10 -> 2^31 + 5 is +15 us
            (Dvs128(1, 1, 1), int.MinValue + 2),   // small backward step: kept as stored (-3 us)
        };
        using (var reader = new Aedat2Reader(new MemoryStream(BuildAedat2("#!AER-DAT2.0\r\n", records))))
        {
            Assert.Equal([(long)nearMax, nearMax + 15L, nearMax + 12L], AedatTestUtil.ReadAll(reader).Select(e => e.T));
            Assert.Equal(1, reader.BackwardSteps);
            Assert.Equal(0, reader.Wraps);
        }

        // A 31-bit counter that restarts at zero: 2^31 - 10, ..., 2^31 - 1, 0, ..., 4 is 9 + 1 + 4 = 14 us later.
        records = [(Dvs128(1, 1, 1), nearMax), (Dvs128(2, 2, 0), 4), (Dvs128(3, 3, 1), 10)];
        using (var reader = new Aedat2Reader(new MemoryStream(BuildAedat2("#!AER-DAT2.0\r\n", records))))
        {
            long restart = (1L << 31) - nearMax;
            Assert.Equal([(long)nearMax, nearMax + restart + 4, nearMax + restart + 10], AedatTestUtil.ReadAll(reader).Select(e => e.T));
            Assert.Equal(1, reader.Wraps);
            Assert.Equal(0, reader.BackwardSteps);
        }
    }

    [Fact]
    public void Aedat1_without_version_line_reads_6_byte_records()
    {
        using var ms = new MemoryStream();
        ms.Write("# old jAER recording\n"u8);
        byte[] rec = new byte[6];
        BinaryPrimitives.WriteUInt16BigEndian(rec, (ushort)Dvs128(100, 50, 1));
        BinaryPrimitives.WriteInt32BigEndian(rec.AsSpan(2), 123_456);
        ms.Write(rec);
        ms.Write(new byte[] { 1, 2, 3 }); // partial record
        ms.Position = 0;
        using var reader = new Aedat2Reader(ms);
        Assert.Equal(6, reader.RecordSize);
        Assert.Equal([new DvsEvent(123_456, 100, 50, 1)], AedatTestUtil.ReadAll(reader));
        Assert.Equal(3, reader.Diagnostics.TrailingBytesIgnored);
    }

    [Fact]
    public void Header_with_LF_lines_and_a_huge_xml_dump_is_skipped()
    {
        var header = new StringBuilder("#!AER-DAT2.0\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\n#<preferences>\n");
        for (int i = 0; i < 20_000; i++)
        {
            header.Append("#  <entry key=\"k").Append(i).Append("\" value=\"").Append('v', 20).Append("\"/>\n");
        }

        byte[] file = BuildAedat2(header.ToString(), [(Dvs128(127, 0, 0), 5)]);
        using var reader = new Aedat2Reader(new MemoryStream(file), new EventReaderOptions { BufferSize = 4096 });
        Assert.Equal(Encoding.Latin1.GetByteCount(header.ToString()), reader.HeaderEndOffset);
        Assert.Equal([new DvsEvent(5, 127, 0, 0)], AedatTestUtil.ReadAll(reader));
    }

    [Fact]
    public void Endless_header_is_refused_at_the_limit()
    {
        var ex = Assert.Throws<EventFormatException>(() => new Aedat2Reader(new HashStream(), sourceName: "endless"));
        Assert.Contains("exceeds", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Offset >= 0);
    }

    [Fact]
    public void Other_aedat_versions_are_refused_with_the_offset()
    {
        var ex = Assert.Throws<EventFormatException>(() => new Aedat2Reader(new MemoryStream("#!AER-DAT3.1\r\n#!END-HEADER\r\n"u8.ToArray())));
        Assert.Equal(0, ex.Offset);
    }

    internal static uint Dvs128(int x, int y, int p) => (uint)((y << 8) | (x << 1) | p);

    internal static uint Davis(int x, int y, int p) => (uint)((y << 22) | (x << 12) | (p << 11));

    internal static byte[] BuildAedat2(string header, IEnumerable<(uint A, int T)> records)
    {
        using var ms = new MemoryStream();
        ms.Write(Encoding.Latin1.GetBytes(header));
        Span<byte> rec = stackalloc byte[8];
        foreach (var (a, t) in records)
        {
            BinaryPrimitives.WriteUInt32BigEndian(rec, a);
            BinaryPrimitives.WriteInt32BigEndian(rec[4..], t);
            ms.Write(rec);
        }

        return ms.ToArray();
    }

    /// <summary>An endless stream of '#' bytes without a newline.</summary>
    private sealed class HashStream : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            buffer.AsSpan(offset, count).Fill((byte)'#');
            return count;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
