using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Streams;
using EventSnn.Datasets.Tests.Formats;
using EventSnn.Events;
using static EventSnn.Datasets.Tests.Streams.StreamTestUtil;

namespace EventSnn.Datasets.Tests.Streams;

/// <summary>Round trips through the wire formats the live sources read: EVT 2/3 words, AEDAT 4 network framing, AEStream datagrams.</summary>
public sealed class WireFormatTests
{
    [Theory]
    [InlineData(EventFormat.Evt3, 0L)]
    [InlineData(EventFormat.Evt3, 913_716_224L)] // past 2^24 µs: the writer steps TIME_HIGH through every wrap
    [InlineData(EventFormat.Evt2, 0L)]
    [InlineData(EventFormat.Evt2, (1L << 34) + 12_345)] // past the 34-bit counter
    public void Evt_writer_round_trips_exactly_through_the_reader(EventFormat format, long start)
    {
        DvsEvent[] events = MakeEvents(20_000, seed: 3, start, width: 2048, height: 2048, maxStepUs: 5000);
        var ms = new MemoryStream();
        using (var writer = new EvtWriter(ms, format, new SensorSize(2048, 2048)))
        {
            using EventBatch batch = Batch(events);
            writer.Write(batch);
        }

        ms.Position = 0;
        using IEventReader reader = EventFile.Open(ms, format);
        Assert.Equal(new SensorSize(2048, 2048), reader.Info.Sensor);
        Assert.Equal(events, ReadAll(reader));
    }

    [Fact]
    public void Evt_writer_refuses_out_of_range_events_with_a_message_naming_them()
    {
        using var writer = new EvtWriter(new MemoryStream(), EventFormat.Evt3, writeHeader: false);
        using EventBatch bad = Batch([new DvsEvent(0, 2048, 0, 1)]);
        var ex = Assert.Throws<ArgumentException>(() => writer.Write(bad));
        Assert.Contains("2048", ex.Message, StringComparison.Ordinal);
        using EventBatch back = Batch([new DvsEvent(10, 1, 1, 1), new DvsEvent(9, 1, 1, 1)]);
        Assert.Throws<ArgumentException>(() => writer.Write(back));
    }

    [Theory]
    [InlineData(Aedat4Compression.Lz4)]
    [InlineData(Aedat4Compression.Zstd)]
    [InlineData(Aedat4Compression.None)]
    public void Aedat4_network_stream_round_trips_through_a_trickling_socket_like_stream(Aedat4Compression compression)
    {
        DvsEvent[] events = MakeEvents(30_000, seed: 5, start: 1_700_000_000_000_000);
        var ms = new MemoryStream();
        using (var writer = Aedat4Writer.CreateNetworkStream(ms, new Aedat4WriterOptions { Sensor = new SensorSize(640, 480), Compression = compression, PacketEvents = 1000 }))
        {
            using EventBatch batch = Batch(events);
            writer.Write(batch);
        }

        byte[] bytes = ms.ToArray();
        Assert.NotEqual((byte)'#', bytes[0]); // no version line on a network stream
        using var reader = Aedat4Reader.OpenNetworkStream(new TrickleStream(bytes, 1000), new EventReaderOptions { Live = true });
        Assert.Equal(new SensorSize(640, 480), reader.Info.Sensor);
        Assert.Equal(-1, reader.DataTablePosition);
        Assert.Equal(events, ReadAll(reader));
    }

    [Fact]
    public void Aedat4_live_reader_returns_a_packet_without_waiting_for_a_full_batch()
    {
        DvsEvent[] events = MakeEvents(100, seed: 6);
        var ms = new MemoryStream();
        var writer = Aedat4Writer.CreateNetworkStream(ms, new Aedat4WriterOptions { Sensor = new SensorSize(640, 480) });
        using (EventBatch batch = Batch(events))
        {
            writer.Write(batch);
        }

        writer.Flush();

        // A stream that blocks (fails the test) if the reader asks for more than the one packet sent so far.
        byte[] sent = ms.ToArray();
        using var reader = Aedat4Reader.OpenNetworkStream(new TrickleStream(sent, 1 << 20, blockAtEnd: true), new EventReaderOptions { Live = true });
        using var big = new EventBatch(65536);
        Assert.Equal(100, reader.ReadBatch(big));
        writer.Dispose();
    }

    [Fact]
    public void Aedat4_network_reader_refuses_a_hostile_packet_length_before_allocating_it()
    {
        var ms = new MemoryStream();
        using (Aedat4Writer.CreateNetworkStream(ms, new Aedat4WriterOptions { Sensor = new SensorSize(64, 64) }))
        {
        }

        byte[] header = ms.ToArray();
        byte[] hostile = [.. header, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x3F]; // stream 0, size 1 GiB - 1
        long before = GC.GetAllocatedBytesForCurrentThread();
        using var reader = Aedat4Reader.OpenNetworkStream(new MemoryStream(hostile), maxPacketBytes: 1 << 20);
        using var batch = new EventBatch(16);
        var ex = Assert.Throws<EventFormatException>(() => reader.ReadBatch(batch));
        Assert.Contains("exceeds 1048576 bytes", ex.Message, StringComparison.Ordinal);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < (4 << 20), "memory grew with the hostile length field");
    }

    [Fact]
    public void Aedat4_network_reader_refuses_a_hostile_header_length()
    {
        byte[] hostile = [0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3];
        var ex = Assert.Throws<EventFormatException>(() => Aedat4Reader.OpenNetworkStream(new MemoryStream(hostile), maxPacketBytes: 1 << 20));
        Assert.Contains("IOHeader length 2147483647 exceeds", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AeStream_datagrams_round_trip(bool timestamps)
    {
        DvsEvent[] events = MakeEvents(1000, seed: 8, start: 5_000, width: 32768, height: 32768);
        var decoder = new AeStreamUdpDecoder();
        using var received = new EventBatch(2000);
        byte[] datagram = new byte[AeStreamUdp.DefaultDatagramBytes];
        using EventBatch batch = Batch(events);
        EventSpan span = batch.AsSpan();
        int datagrams = 0;
        while (!span.IsEmpty)
        {
            int length = AeStreamUdp.Encode(span, timestamps, datagram, out int consumed);
            Assert.Equal(consumed * (timestamps ? 8 : 4), length);
            decoder.Decode(datagram.AsSpan(0, length), received, receiveTimeUs: 42);
            span = span.Slice(consumed);
            datagrams++;
        }

        Assert.Equal((events.Length + (512 / (timestamps ? 8 : 4)) - 1) / (512 / (timestamps ? 8 : 4)), datagrams);
        for (int i = 0; i < events.Length; i++)
        {
            DvsEvent e = events[i];
            Assert.Equal(new DvsEvent(timestamps ? e.T : 42, e.X, e.Y, e.P), received[i]);
        }
    }

    [Fact]
    public void AeStream_decoder_drops_malformed_datagrams_whole_and_unwraps_32_bit_time()
    {
        var decoder = new AeStreamUdpDecoder();
        using var batch = new EventBatch(100);
        Assert.Equal(0, decoder.Decode([1, 2, 3], batch, 0)); // not a multiple of 4
        Assert.Equal(0, decoder.Decode([0, 0, 0, 0], batch, 0)); // a timestamped event without its timestamp word
        Assert.Equal(2, decoder.MalformedDatagrams);
        Assert.Equal(0, batch.Count);

        byte[] d = new byte[8];
        using EventBatch late = Batch([new DvsEvent(uint.MaxValue - 10L, 1, 2, 1)]);
        AeStreamUdp.Encode(late.AsSpan(), true, d, out _);
        decoder.Decode(d, batch, 0);
        using EventBatch wrapped = Batch([new DvsEvent(uint.MaxValue + 5L, 3, 4, 0)]);
        AeStreamUdp.Encode(wrapped.AsSpan(), true, d, out _);
        decoder.Decode(d, batch, 0);
        Assert.Equal(uint.MaxValue - 10L, batch[0].T);
        Assert.Equal(uint.MaxValue + 5L, batch[1].T);
        Assert.Equal(1, decoder.Wraps);
    }
}
