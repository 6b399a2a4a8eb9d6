using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats.Prophesee;

public class DatReaderTests
{
    private const string Sample = "tonic_sample_ncars.dat";

    /// <summary>A literal DAT v2 decoder from the spec, independent of <see cref="DatReader"/>.</summary>
    internal static Decoded Reference(byte[] file)
    {
        int pos = 0;
        while (pos < file.Length && file[pos] == (byte)'%')
        {
            pos = Array.IndexOf(file, (byte)'\n', pos) + 1;
        }

        Assert.Equal(8, file[pos + 1]);
        pos += 2;
        var d = new Decoded();
        for (; pos + 8 <= file.Length; pos += 8)
        {
            uint t = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos));
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 4));
            d.T.Add(t);
            d.X.Add((ushort)(w & 0x3FFF));
            d.Y.Add((ushort)((w >> 14) & 0x3FFF));
            d.P.Add((byte)(w >> 28));
        }

        return d;
    }

    [Fact]
    public void Sample_matches_independent_decoder_and_published_facts()
    {
        byte[] file = SampleData.Bytes(Sample);
        using var reader = new DatReader(new MemoryStream(file), null, Sample);
        Decoded d = SampleData.ReadAll(reader);
        d.AssertEqual(Reference(file));

        Assert.Equal(2_009, d.Count);
        Assert.Equal(1_350, d.On);
        Assert.Equal(659, d.Off);
        Assert.Equal(new DvsEvent(0, 25, 8, 0), d.First);
        Assert.Equal(new DvsEvent(99_952, 75, 28, 1), d.Last);
        Assert.Equal(EventFormat.Dat, reader.Info.Format);
        Assert.Null(reader.Info.Sensor);
        Assert.Equal(2, reader.Version);
        Assert.Equal(0x00, reader.EventType);
        Assert.Equal(0, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Equal(file.Length, reader.HeaderLength + 2 + (8L * d.Count));
    }

    [Fact]
    public void Caller_sensor_is_used_when_the_header_has_none()
    {
        var options = new EventReaderOptions { Sensor = new SensorSize(120, 100) };
        using var reader = DatReader.Open(SampleData.PathOf(Sample), options);
        Assert.Equal(new SensorSize(120, 100), reader.Info.Sensor);
    }

    internal static byte[] Build(string header, byte type, byte size, params (uint T, uint W)[] records)
    {
        var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes(header));
        ms.WriteByte(type);
        ms.WriteByte(size);
        Span<byte> rec = stackalloc byte[8];
        foreach (var (t, w) in records)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(rec, t);
            BinaryPrimitives.WriteUInt32LittleEndian(rec[4..], w);
            ms.Write(rec);
        }

        return ms.ToArray();
    }

    [Fact]
    public void Version1_layout_wrap_and_header_dimensions()
    {
        // v1: x bits 8-0, y bits 16-9, p bits 20-17.
        uint W1(uint x, uint y, uint p) => x | (y << 9) | (p << 17);
        byte[] file = Build(
            "% Data file containing CD events\n% Version 1\n% Width 304\n% Height 240\n",
            0x0C,
            8,
            (4_000_000_000u, W1(303, 239, 1)),
            (5u, W1(1, 2, 0)),          // drop > 2^31: wrap
            (3u, W1(7, 8, 1)));         // small drop: kept as stored
        using var reader = new DatReader(new MemoryStream(file), null, "v1.dat");
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal(
            [new DvsEvent(4_000_000_000, 303, 239, 1), new DvsEvent((1L << 32) + 5, 1, 2, 0), new DvsEvent((1L << 32) + 3, 7, 8, 1)],
            Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(new SensorSize(304, 240), reader.Info.Sensor);
        Assert.Equal(1, reader.TimeWraps);
        Assert.Equal(1, reader.NonMonotonicTimestamps);
    }

    [Fact]
    public void Header_without_version_line_uses_version1_layout_and_says_so()
    {
        uint w = 300u | (200u << 9) | (1u << 17);  // v1: x = 300, y = 200, p = 1 (v2 would read x = 300 | 200 << 9 & 0x3FFF)
        byte[] file = Build("% Data file containing N9Chronocam7Event2dE events.\n", 0x00, 8, (42, w));
        using var reader = new DatReader(new MemoryStream(file));
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal([new DvsEvent(42, 300, 200, 1)], Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(1, reader.Version);
        Assert.Contains(reader.Info.Notes, n => n.Contains("version 1", StringComparison.Ordinal));
    }

    [Fact]
    public void Event_size_other_than_8_is_an_error_naming_the_offset()
    {
        const string header = "% Version 2\n";
        byte[] file = Build(header, 0x0C, 6, (1, 1));
        var ex = Assert.Throws<EventFormatException>(() => new DatReader(new MemoryStream(file), null, "bad.dat"));
        Assert.Equal(header.Length + 1, ex.Offset);
        Assert.Contains("bad.dat", ex.Message, StringComparison.Ordinal);
        Assert.Contains("size is 6", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_event_type_and_version_are_errors()
    {
        Assert.Equal(12, Assert.Throws<EventFormatException>(
            () => new DatReader(new MemoryStream(Build("% Version 2\n", 0x33, 8)))).Offset);
        Assert.Throws<EventFormatException>(() => new DatReader(new MemoryStream(Build("% Version 7\n", 0x0C, 8))));
    }

    [Fact]
    public void Trailing_partial_record_is_ignored_and_header_only_file_has_no_events()
    {
        byte[] file = [.. Build("% Version 2\n", 0x0C, 8, (10, 5u | (6u << 14) | (1u << 28))), 1, 2, 3];
        using (var reader = new DatReader(new MemoryStream(file)))
        {
            Decoded d = SampleData.ReadAll(reader);
            Assert.Equal([new DvsEvent(10, 5, 6, 1)], Enumerable.Range(0, d.Count).Select(i => d[i]));
            Assert.Equal(3, reader.Diagnostics.TrailingBytesIgnored);
        }

        using var empty = new DatReader(new MemoryStream(Encoding.ASCII.GetBytes("% Version 2\n")));
        Assert.Equal(0, SampleData.ReadAll(empty).Count);
        Assert.True(empty.Diagnostics.WarningCount > 0);
    }
}
