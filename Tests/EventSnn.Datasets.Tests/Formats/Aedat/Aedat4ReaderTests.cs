using System.Buffers.Binary;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

public class Aedat4ReaderTests
{
    internal const string TonicSample = "tonic_sample.aedat4";

    [Fact]
    public void Tonic_sample_matches_the_published_facts()
    {
        using var reader = Aedat4Reader.Open(AedatTestUtil.SharedData(TonicSample));
        Assert.Equal(Aedat4Compression.Lz4, reader.Compression);
        Assert.Equal(0, reader.StreamId);
        Assert.Equal(new SensorSize(320, 240), reader.Info.Sensor);
        Assert.Equal("DVXplorer_DXB00010", reader.Info.Source);
        Assert.Equal(["0 EVTS", "2 IMUS", "3 TRIG"], reader.Streams.Select(s => $"{s.Id} {s.TypeIdentifier}"));

        var (t, x, y, p) = AedatTestUtil.ReadColumns(reader);
        Assert.Equal(111_954, t.Length);
        Assert.Equal(new DvsEvent(1_605_537_493_718_345, 154, 204, 0), new DvsEvent(t[0], x[0], y[0], p[0]));
        int last = t.Length - 1;
        Assert.Equal(new DvsEvent(1_605_537_494_308_262, 88, 237, 1), new DvsEvent(t[last], x[last], y[last], p[last]));
        Assert.Equal(55_023, p.Count(v => v == 1));
        Assert.Equal(56_931, p.Count(v => v == 0));
        Assert.Equal(0, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Equal(0, reader.Diagnostics.DroppedEvents);
    }

    [Fact]
    public void Tonic_sample_table_summary_agrees_with_a_full_read()
    {
        string path = AedatTestUtil.SharedData(TonicSample);
        using var reader = Aedat4Reader.Open(path);
        Aedat4TableSummary? summary = reader.ReadTableSummary();
        Assert.NotNull(summary);
        var (t, _, _, _) = AedatTestUtil.ReadColumns(reader);
        Assert.Equal(t.LongLength, summary.Events);
        Assert.Equal(t.Min(), summary.FirstTimestamp);
        Assert.Equal(t.Max(), summary.LastTimestamp);
        Assert.Equal(t.LongLength, Aedat4Reader.CountEvents(path));
        Assert.True(summary.TotalPackets > summary.Packets, "the table also lists the IMU packets");
    }

    [Fact]
    public void Non_seekable_stream_reads_the_same_events()
    {
        string path = AedatTestUtil.SharedData(TonicSample);
        using var seekable = Aedat4Reader.Open(path);
        var expected = AedatTestUtil.ReadAll(seekable);
        using var forwardOnly = new Aedat4Reader(new ForwardOnlyStream(File.ReadAllBytes(path)), new EventReaderOptions { BufferSize = 4096 });
        Assert.Null(forwardOnly.ReadTableSummary());
        Assert.Equal(expected, AedatTestUtil.ReadAll(forwardOnly, batchCapacity: 777));
    }

    [Fact]
    public void Selecting_a_non_event_stream_or_an_undeclared_one_is_refused()
    {
        string path = AedatTestUtil.SharedData(TonicSample);
        var ex = Assert.Throws<EventFormatException>(() => Aedat4Reader.Open(path, new EventReaderOptions { StreamId = 2 }));
        Assert.Contains("IMUS", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<EventFormatException>(() => Aedat4Reader.Open(path, new EventReaderOptions { StreamId = 7 }));
        Assert.Contains("not declared", ex.Message, StringComparison.Ordinal);
        using var reader = Aedat4Reader.Open(path, new EventReaderOptions { StreamId = 0 });
        Assert.Equal(0, reader.StreamId);
    }

    [Fact]
    public void Lz4_header_checksum_matches_the_reference_xxhash32()
    {
        // Reference vectors of xxHash32 (seed 0) from the algorithm's specification test suite.
        Assert.Equal(0x02CC5D05u, Lz4Frame.XxHash32Small([]));
        Assert.Equal(0x32D153FFu, Lz4Frame.XxHash32Small("abc"u8));

        // And the real sample's first packet: its header checksum byte must be (xxh32(FLG..BD) >> 8) & 0xFF.
        byte[] file = File.ReadAllBytes(AedatTestUtil.SharedData(TonicSample));
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(14));
        int packet = 18 + headerLength + 8;
        Assert.Equal(Lz4Frame.Magic, BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(packet)));
        Assert.Equal(file[packet + 6], (byte)(Lz4Frame.XxHash32Small(file.AsSpan(packet + 4, 2)) >> 8));
    }

    [Fact]
    public void Seeking_by_time_gives_the_same_events_as_a_full_read_from_that_time()
    {
        string path = AedatTestUtil.SharedData(TonicSample);
        using var full = Aedat4Reader.Open(path);
        var all = AedatTestUtil.ReadAll(full);
        Assert.True(all.Zip(all.Skip(1)).All(pair => pair.First.T <= pair.Second.T), "the sample is time-ordered");
        foreach (double fraction in new[] { 0.0, 0.37, 0.5, 0.999, 1.0 })
        {
            long target = all[0].T + (long)((all[^1].T - all[0].T) * fraction);
            using var reader = Aedat4Reader.Open(path);
            Assert.True(reader.SeekToTime(target));
            var expected = all.SkipWhile(e => e.T < target).ToList();
            Assert.Equal(expected, AedatTestUtil.ReadAll(reader, batchCapacity: 5000));
        }

        using var beyond = Aedat4Reader.Open(path);
        Assert.True(beyond.SeekToTime(all[^1].T + 1));
        Assert.Empty(AedatTestUtil.ReadAll(beyond));

        using var forwardOnly = new Aedat4Reader(new ForwardOnlyStream(File.ReadAllBytes(path)));
        Assert.False(forwardOnly.SeekToTime(all[0].T));
    }

    [Fact]
    public void InfoNode_variants_are_parsed_and_bad_xml_is_refused()
    {
        const string xml = """
            <dv version="2.0">
              <node name="outInfo" path="/x/">
                <node name="5" path="/x/5/">
                  <attr key="typeIdentifier" type="string">FRME</attr>
                  <node name="info" path="/x/5/info/"><attr key="sizeX" type="int">640</attr><attr key="sizeY" type="int">480</attr></node>
                </node>
                <node name="notanumber" path="/x/y/"/>
                <node name="7" path="/x/7/">
                  <node name="info" path="/x/7/info/">
                    <attr key="source" type="string">DAVIS346_00000499</attr>
                    <attr key="sizeX" type="int">-3</attr>
                    <attr key="empty" type="string"/>
                    <node name="deeper" path="/x/7/info/deeper/"><attr key="typeIdentifier" type="string">TRIG</attr></node>
                  </node>
                  <attr key="typeIdentifier" type="string">EVTS</attr>
                  <attr key="originalOutputName" type="string">events</attr>
                </node>
              </node>
            </dv>
            """;
        using (var reader = new Aedat4Reader(new MemoryStream(HeaderOnly(xml))))
        {
            Assert.Equal(
                [new Aedat4StreamDescription(5, "FRME", new SensorSize(640, 480), null, null, null), new Aedat4StreamDescription(7, "EVTS", null, "DAVIS346_00000499", "events", null)],
                reader.Streams);
            Assert.Equal(7, reader.StreamId);
            Assert.Equal(new SensorSize(346, 260), reader.Info.Sensor); // from the source name
            Assert.Empty(AedatTestUtil.ReadAll(reader));
        }

        var ex = Assert.Throws<EventFormatException>(() => new Aedat4Reader(new MemoryStream(HeaderOnly("<!DOCTYPE dv [<!ENTITY a \"b\">]><dv/>"))));
        Assert.Contains("XML", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<EventFormatException>(() => new Aedat4Reader(new MemoryStream(HeaderOnly("<dv><node name=\"outInfo\">"))));
        Assert.Equal(18, ex.Offset);
        ex = Assert.Throws<EventFormatException>(() => new Aedat4Reader(new MemoryStream(HeaderOnly("<dv><node name=\"outInfo\"><node name=\"1\"><attr key=\"typeIdentifier\">IMUS</attr></node></node></dv>"))));
        Assert.Contains("no event", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] HeaderOnly(string xml)
    {
        byte[] header = Aedat4Writer.BuildIOHeader(Aedat4Compression.None, -1, xml);
        byte[] file = new byte[18 + header.Length];
        "#!AER-DAT4.0\r\n"u8.CopyTo(file);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(14), header.Length);
        header.CopyTo(file, 18);
        return file;
    }

    /// <summary>A read-only stream that cannot seek and returns short reads.</summary>
    internal sealed class ForwardOnlyStream(byte[] data) : Stream
    {
        private int _position;

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
            int n = Math.Min(Math.Min(count, 3000), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
