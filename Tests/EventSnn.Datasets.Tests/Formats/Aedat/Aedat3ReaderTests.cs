using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

public class Aedat3ReaderTests
{
    [Fact]
    public void Polarity_packets_decode_with_overflow_valid_bits_and_spare_capacity()
    {
        byte[] file = new Aedat31FixtureWriter()
            .Polarity(1, 0, [(10, 0, 0, 1, true), (20, 127, 127, 0, true), (25, 5, 5, 1, false)], spareCapacity: 2)
            .Polarity(1, 3, [(7, 64, 1, 1, true)])
            .ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file), sourceName: "fixture");
        Assert.Equal(new SensorSize(128, 128), reader.Info.Sensor);
        Assert.Equal("DVS128", reader.Info.Source);
        Assert.Equal(EventFormat.Aedat3, reader.Info.Format);
        Assert.Equal(new DateTimeOffset(2017, 6, 12, 13, 42, 7, TimeSpan.FromHours(2)).ToUnixTimeMilliseconds() * 1000, reader.Info.StartTimeUs);
        Assert.Equal(
            [new DvsEvent(10, 0, 0, 1), new DvsEvent(20, 127, 127, 0), new DvsEvent((3L << 31) + 7, 64, 1, 1)],
            AedatTestUtil.ReadAll(reader, batchCapacity: 2));
        Assert.Equal(1, reader.Diagnostics.DroppedEvents);
        Assert.Equal(2, reader.PacketsSeen);
    }

    [Fact]
    public void Full_15_bit_coordinates_are_decoded()
    {
        byte[] file = new Aedat31FixtureWriter("3.1", (1, "DAVIS346B")).Polarity(1, 0, [(1, 0x7FFF, 0x7FFF, 1, true), (2, 345, 259, 0, true)]).ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file));
        Assert.Equal(new SensorSize(346, 260), reader.Info.Sensor);
        Assert.Equal([new DvsEvent(1, 0x7FFF, 0x7FFF, 1), new DvsEvent(2, 345, 259, 0)], AedatTestUtil.ReadAll(reader));
    }

    [Fact]
    public void Other_packet_types_are_skipped_by_size_and_special_events_are_counted()
    {
        byte[] frame = new byte[3 * 1000];
        Array.Fill(frame, (byte)0xFF);
        byte[] file = new Aedat31FixtureWriter()
            .Special(1, 0, [(0, 1, true), (0, 0, true), (5, 2, true), (6, 3, true), (7, 4, true), (8, 14, true), (9, 1, false)])
            .Packet(2, 1, 1000, 0, 0, 3, 3, 3, frame)
            .Polarity(1, 0, [(100, 1, 2, 1, true)])
            .Packet(100, 1, 12, 0, 0, 2, 2, 2, new byte[24])
            .Packet(3, 1, 36, 4, 0, 1, 1, 1, new byte[36])
            .Polarity(1, 0, [(200, 3, 4, 0, true)])
            .ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file));
        Assert.Equal([new DvsEvent(100, 1, 2, 1), new DvsEvent(200, 3, 4, 0)], AedatTestUtil.ReadAll(reader));
        Assert.Equal(1, reader.TimestampResets);
        Assert.Equal(1, reader.TimestampWraps);
        Assert.Equal(3, reader.ExternalEvents);
        Assert.Equal(1, reader.OtherSpecialEvents);
        Assert.Equal(3, reader.Diagnostics.SkippedRecords);
        Assert.Equal(6, reader.PacketsSeen);
    }

    [Fact]
    public void Source_filter_reads_only_the_chosen_source()
    {
        byte[] file = new Aedat31FixtureWriter("3.1", (1, "DVS128"), (2, "DAVIS240C"))
            .Polarity(1, 0, [(1, 1, 1, 1, true)])
            .Polarity(2, 0, [(2, 2, 2, 0, true)])
            .ToArray();
        using (var reader = new Aedat3Reader(new MemoryStream(file), new EventReaderOptions { StreamId = 2 }))
        {
            Assert.Equal(new SensorSize(240, 180), reader.Info.Sensor);
            Assert.Equal([new DvsEvent(2, 2, 2, 0)], AedatTestUtil.ReadAll(reader));
            Assert.Equal(1, reader.Diagnostics.SkippedRecords);
        }

        using (var reader = new Aedat3Reader(new MemoryStream(file)))
        {
            Assert.Equal(2, AedatTestUtil.ReadAll(reader).Count);
            Assert.Equal(2, reader.Sources.Count);
        }
    }

    [Fact]
    public void Aedat30_without_end_header_and_trailing_partial_header()
    {
        byte[] file = new Aedat31FixtureWriter("3.0").Polarity(1, 0, [(1, 2, 3, 1, true)]).RawBytes(new byte[27]).ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file));
        Assert.Equal("3.0", reader.Info.Metadata["Version"]);
        Assert.Equal([new DvsEvent(1, 2, 3, 1)], AedatTestUtil.ReadAll(reader));
        Assert.Equal(27, reader.Diagnostics.TrailingBytesIgnored);
    }

    public static TheoryData<short, int, int, int, int, string> HostileHeaders => new()
    {
        { 2, 1 << 20, 1 << 20, 1 << 20, 1 << 20, "more than" },        // 2^40 bytes: absurd
        { 2, 1000, 1000, 1000, 1000, "remain" },                        // 1 MB beyond a small file
        { 1, 8, -1, 0, 0, "inconsistent" },
        { 1, 8, 2, 3, 3, "inconsistent" },                               // number > capacity
        { 1, 0, 1, 1, 1, "event size 0" },
        { 1, 12, 1, 1, 1, "expected 8" },
        { 1, -8, 1, 1, 1, "event size -8" },
    };

    [Theory]
    [MemberData(nameof(HostileHeaders))]
    public void Hostile_packet_headers_throw_with_the_packet_offset(short type, int size, int capacity, int number, int valid, string expected)
    {
        var writer = new Aedat31FixtureWriter().Polarity(1, 0, [(1, 1, 1, 1, true)]);
        long offset = writer.Length;
        byte[] file = writer.Packet(type, 1, size, 0, 0, capacity, number, valid, new byte[64]).ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file), sourceName: "hostile");
        var ex = Assert.Throws<EventFormatException>(() => AedatTestUtil.ReadAll(reader));
        Assert.Equal(offset, ex.Offset);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith($"hostile: at byte {offset}:", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Truncated_packet_on_a_forward_only_stream_throws_with_offset()
    {
        var writer = new Aedat31FixtureWriter().Polarity(1, 0, [(1, 1, 1, 1, true)]);
        long offset = writer.Length;
        byte[] full = writer.Polarity(1, 0, [(2, 1, 1, 1, true), (3, 1, 1, 1, true)]).ToArray();
        byte[] cut = full.AsSpan(0, full.Length - 5).ToArray();
        using var reader = new Aedat3Reader(new Aedat4ReaderTests.ForwardOnlyStream(cut));
        var ex = Assert.Throws<EventFormatException>(() => AedatTestUtil.ReadAll(reader));
        Assert.Equal(offset, ex.Offset);
    }

    [Fact]
    public void Header_errors_are_reported()
    {
        Assert.Throws<EventFormatException>(() => new Aedat3Reader(new MemoryStream("#!AER-DAT2.0\r\n"u8.ToArray())));
        var ex = Assert.Throws<EventFormatException>(() => new Aedat3Reader(new MemoryStream("#!AER-DAT3.1\r\n#Format: RAW\r\n"u8.ToArray())));
        Assert.Contains("END-HEADER", ex.Message, StringComparison.Ordinal);
    }
}
