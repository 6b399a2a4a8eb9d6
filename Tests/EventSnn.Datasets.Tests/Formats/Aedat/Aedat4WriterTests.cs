using System.Buffers.Binary;
using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

public class Aedat4WriterTests
{
    public static TheoryData<Aedat4Compression> Compressions => new()
    {
        Aedat4Compression.None,
        Aedat4Compression.Lz4,
        Aedat4Compression.Lz4High,
        Aedat4Compression.Zstd,
    };

    [Theory]
    [MemberData(nameof(Compressions))]
    public void Tonic_aedat4_round_trips_losslessly(Aedat4Compression compression)
    {
        using var source = Aedat4Reader.Open(AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample));
        var expected = AedatTestUtil.ReadColumns(source);
        byte[] file = Write(expected, new Aedat4WriterOptions { Sensor = source.Info.Sensor!.Value, Source = source.Info.Source!, Compression = compression });

        using var back = new Aedat4Reader(new MemoryStream(file));
        Assert.Equal(compression, back.Compression);
        Assert.Equal(new SensorSize(320, 240), back.Info.Sensor);
        Assert.Equal("DVXplorer_DXB00010", back.Info.Source);
        AssertColumnsEqual(expected, AedatTestUtil.ReadColumns(back));

        Aedat4TableSummary? summary = back.ReadTableSummary();
        Assert.NotNull(summary);
        Assert.Equal(expected.T.LongLength, summary.Events);
        Assert.Equal(expected.T[0], summary.FirstTimestamp);
        Assert.Equal(expected.T[^1], summary.LastTimestamp);
        Assert.Equal((expected.T.Length + 8191) / 8192, summary.Packets);
    }

    [Theory]
    [MemberData(nameof(Compressions))]
    public void MovingDarkBox_aedat2_converts_to_aedat4_losslessly(Aedat4Compression compression)
    {
        using var source = Aedat2Reader.Open(AedatTestUtil.SharedData("jaer_MovingDarkBox.aedat"));
        var expected = AedatTestUtil.ReadColumns(source);
        byte[] file = Write(expected, new Aedat4WriterOptions { Sensor = source.Info.Sensor!.Value, Compression = compression, PacketEvents = 5000 });
        using var back = new Aedat4Reader(new MemoryStream(file));
        Assert.Equal(new SensorSize(128, 128), back.Info.Sensor);
        Assert.Equal("EventSnn", back.Info.Source);
        AssertColumnsEqual(expected, AedatTestUtil.ReadColumns(back));
        Assert.Equal(expected.T.LongLength, back.ReadTableSummary()?.Events);
    }

    [Fact]
    public void Generated_streams_round_trip_for_every_compression_packet_size_and_stream_id()
    {
        var gen = Gen.Select(
            Gen.Select(Gen.Long[0, 5000], Gen.Int[0, 1279], Gen.Int[0, 719], Gen.Int[0, 1]).Array[0, 3000],
            Gen.Long[-(1L << 40), 1L << 50],
            Gen.Int[1, 5000],
            Gen.Int[0, 4],
            Gen.Int[0, 9],
            Gen.Bool);
        gen.Sample(
            (events, t0, packetEvents, compression, streamId, seekable) =>
            {
                int n = events.Length;
                var columns = (T: new long[n], X: new ushort[n], Y: new ushort[n], P: new byte[n]);
                long t = t0;
                for (int i = 0; i < n; i++)
                {
                    t += events[i].Item1;
                    columns.T[i] = t;
                    columns.X[i] = (ushort)events[i].Item2;
                    columns.Y[i] = (ushort)events[i].Item3;
                    columns.P[i] = (byte)events[i].Item4;
                }

                var options = new Aedat4WriterOptions
                {
                    Sensor = new SensorSize(1280, 720),
                    Compression = (Aedat4Compression)compression,
                    PacketEvents = packetEvents,
                    StreamId = streamId,
                    Source = "Gen<&\"'>",
                };
                byte[] file = Write(columns, options, seekable);
                using var back = new Aedat4Reader(new MemoryStream(file));
                Assert.Equal(streamId, back.StreamId);
                Assert.Equal("Gen<&\"'>", back.Info.Source);
                AssertColumnsEqual(columns, AedatTestUtil.ReadColumns(back, batchCapacity: 1 + (n / 3)));
                Assert.Equal(seekable ? n : null, back.ReadTableSummary()?.Events);
            },
            iter: AedatTestUtil.LongTests ? 2000 : 60);
    }

    [Fact]
    public void A_file_embedded_after_other_bytes_is_written_and_read_relative_to_its_start()
    {
        var columns = (T: new long[] { 5, 6, 9, 12 }, X: new ushort[] { 1, 2, 3, 4 }, Y: new ushort[] { 4, 3, 2, 1 }, P: new byte[] { 1, 0, 1, 0 });
        using var ms = new MemoryStream();
        ms.Write(new byte[100]);
        using (var writer = new Aedat4Writer(ms, new Aedat4WriterOptions { Sensor = new SensorSize(8, 8), PacketEvents = 2 }))
        {
            writer.Write(columns.T, columns.X, columns.Y, columns.P);
        }

        byte[] alone = Write(columns, new Aedat4WriterOptions { Sensor = new SensorSize(8, 8), PacketEvents = 2 });
        Assert.Equal(alone, ms.ToArray().AsSpan(100).ToArray());

        ms.Position = 100;
        using var reader = new Aedat4Reader(ms);
        Assert.Equal(4, reader.ReadTableSummary()?.Events);
        Assert.True(reader.SeekToTime(9));
        Assert.Equal([new DvsEvent(9, 3, 2, 1), new DvsEvent(12, 4, 1, 0)], AedatTestUtil.ReadAll(reader));
    }

    [Fact]
    public void Written_flatbuffers_are_laid_out_and_aligned_like_the_real_recording()
    {
        byte[] real = File.ReadAllBytes(AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample));
        var columns = (T: new long[] { 1, 2, 3 }, X: new ushort[] { 1, 2, 3 }, Y: new ushort[] { 3, 2, 1 }, P: new byte[] { 0, 1, 0 });
        byte[] lz4 = Write(columns, new Aedat4WriterOptions { Sensor = new SensorSize(320, 240), Compression = Aedat4Compression.Lz4 });

        // IOHeader: root offset, identifier, vtable, table (with compression LZ4) and the infoNode offset match DV's bytes.
        Assert.Equal(real.AsSpan(14 + 4, 32).ToArray(), lz4.AsSpan(14 + 4, 32).ToArray());
        int headerLength = BinaryPrimitives.ReadInt32LittleEndian(lz4.AsSpan(14));
        long tablePosition = BinaryPrimitives.ReadInt64LittleEndian(lz4.AsSpan(18 + 36));
        Assert.Equal(0, (36 + 4) % 8); // the int64 is 8-aligned counting from the IOHeader's length prefix

        // First EVTS packet: everything between the size prefix and the element count matches DV's packet.
        int realPacket = 18 + BinaryPrimitives.ReadInt32LittleEndian(real.AsSpan(14));
        byte[] realPayload = [];
        int realSize = BinaryPrimitives.ReadInt32LittleEndian(real.AsSpan(realPacket + 4));
        Lz4Frame.Decode(real.AsSpan(realPacket + 8, realSize), ref realPayload, 1 << 26, "real", 0);
        byte[] none = Write(columns, new Aedat4WriterOptions { Sensor = new SensorSize(320, 240), Compression = Aedat4Compression.None });
        int packet = 18 + BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(14));
        Assert.Equal(realPayload.AsSpan(4, 24).ToArray(), none.AsSpan(packet + 8 + 4, 24).ToArray());
        Assert.Equal(3, BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(packet + 8 + 28)));
        Assert.Equal(1L, BinaryPrimitives.ReadInt64LittleEndian(none.AsSpan(packet + 8 + 32)));

        // FileDataTable: every definition's int64 fields are 8-aligned counting from the size prefix, as in DV's table.
        long table = BinaryPrimitives.ReadInt64LittleEndian(none.AsSpan(18 + 36));
        int fb = (int)table + 4;
        int root = fb + BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(fb));
        int vector = root + 4 + BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(root + 4));
        int definition = vector + 4 + BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(vector + 4));
        int vtable = definition - BinaryPrimitives.ReadInt32LittleEndian(none.AsSpan(definition));
        for (int field = 0; field < 5; field++)
        {
            int at = definition + BinaryPrimitives.ReadUInt16LittleEndian(none.AsSpan(vtable + 4 + (2 * field)));
            int alignment = field == 1 ? 4 : 8; // PacketInfo is a struct of two int32
            Assert.Equal(0, (at - (int)table) % alignment);
        }

        Assert.True(tablePosition > 18 + headerLength);
    }

    [Fact]
    public void Writer_validates_its_input()
    {
        using var ms = new MemoryStream();
        using var writer = new Aedat4Writer(ms, new Aedat4WriterOptions { Sensor = new SensorSize(10, 10) });
        writer.Write(new DvsEvent(10, 1, 1, 1));
        Assert.Throws<ArgumentException>(() => writer.Write(new DvsEvent(9, 1, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new DvsEvent(11, 40000, 1, 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.Write(new DvsEvent(11, 1, 1, 2)));
        Assert.Throws<ArgumentException>(() => writer.Write([1L, 2L], [1], [1], [1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Aedat4Writer(new MemoryStream(), new Aedat4WriterOptions { Sensor = new SensorSize(1, 1), PacketEvents = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new Aedat4Writer(new MemoryStream(), new Aedat4WriterOptions { Sensor = new SensorSize(1, 1), Compression = (Aedat4Compression)9 }));
        Assert.Equal(1, writer.EventsWritten);
    }

    internal static byte[] Write((long[] T, ushort[] X, ushort[] Y, byte[] P) columns, Aedat4WriterOptions options, bool seekable = true)
    {
        var ms = new MemoryStream();
        Stream target = seekable ? ms : new NonSeekableWriteStream(ms);
        using (var writer = new Aedat4Writer(target, options))
        {
            // Write in uneven slices to exercise packet boundaries.
            int i = 0;
            int step = 1;
            while (i < columns.T.Length)
            {
                int n = Math.Min(step, columns.T.Length - i);
                writer.Write(columns.T.AsSpan(i, n), columns.X.AsSpan(i, n), columns.Y.AsSpan(i, n), columns.P.AsSpan(i, n));
                i += n;
                step = (step * 3) + 1;
            }

            writer.Complete();
            Assert.Equal(columns.T.Length, writer.EventsWritten);
            Assert.Equal(ms.Length, writer.BytesWritten);
        }

        return ms.ToArray();
    }

    internal static void AssertColumnsEqual((long[] T, ushort[] X, ushort[] Y, byte[] P) expected, (long[] T, ushort[] X, ushort[] Y, byte[] P) actual)
    {
        Assert.Equal(expected.T, actual.T);
        Assert.Equal(expected.X, actual.X);
        Assert.Equal(expected.Y, actual.Y);
        Assert.Equal(expected.P, actual.P);
    }

    private sealed class NonSeekableWriteStream(Stream inner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);
    }
}
