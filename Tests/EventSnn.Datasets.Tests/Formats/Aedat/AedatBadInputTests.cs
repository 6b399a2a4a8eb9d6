using System.Buffers.Binary;
using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

/// <summary>
/// Property: whatever the bytes, opening and reading either succeeds or throws <see cref="EventFormatException"/>
/// naming a byte offset — never another exception type, a hang, or a large allocation.
/// </summary>
public class AedatBadInputTests
{
    private const long AllocationBound = 200L << 20;

    private static readonly Lazy<(string Name, Func<Stream, IEventReader> Open, byte[] Bytes)[]> s_bases = new(BuildBases);

    private static int Iterations => AedatTestUtil.LongTests ? 5000 : 120;

    [Fact]
    public void Truncated_inputs_read_or_fail_cleanly()
    {
        var gen = Gen.Select(Gen.Int[0, s_bases.Value.Length - 1], Gen.Double[0, 1]);
        gen.Sample((which, fraction) =>
        {
            var (name, open, bytes) = s_bases.Value[which];
            int length = (int)(bytes.Length * fraction);
            Check(name, open, bytes.AsSpan(0, length).ToArray());
        }, iter: Iterations);
    }

    [Fact]
    public void Byte_flips_read_or_fail_cleanly()
    {
        var gen = Gen.Select(Gen.Int[0, s_bases.Value.Length - 1], Gen.Select(Gen.Double[0, 1], Gen.Byte).Array[1, 8], Gen.Bool);
        gen.Sample((which, flips, headerBias) =>
        {
            var (name, open, bytes) = s_bases.Value[which];
            byte[] copy = (byte[])bytes.Clone();
            int span = headerBias ? Math.Min(copy.Length, 4096) : copy.Length;
            foreach (var (where, value) in flips)
            {
                copy[Math.Min(span - 1, (int)(where * span))] ^= (byte)(value | 1);
            }

            Check(name, open, copy);
        }, iter: Iterations * 2);
    }

    [Fact]
    public void Hostile_int32_fields_read_or_fail_cleanly()
    {
        // Overwrite a 4-byte little- or big-endian field near the start (headers, packet sizes, flatbuffer offsets).
        var hostile = Gen.OneOf(0, -1, int.MinValue, int.MaxValue, 1 << 30, 0x7FFF_FFF0, 1 << 24, 28, 4, 8, 16, -8);
        var gen = Gen.Select(Gen.Int[0, s_bases.Value.Length - 1], Gen.Int[0, 8191], Gen.Select(hostile, Gen.Int), Gen.Bool, Gen.Bool);
        gen.Sample((which, position, values, useHostile, bigEndian) =>
        {
            var (name, open, bytes) = s_bases.Value[which];
            if (bytes.Length < 8)
            {
                return;
            }

            byte[] copy = (byte[])bytes.Clone();
            int at = position % (copy.Length - 3);
            int value = useHostile ? values.Item1 : values.Item2;
            if (bigEndian)
            {
                BinaryPrimitives.WriteInt32BigEndian(copy.AsSpan(at), value);
            }
            else
            {
                BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(at), value);
            }

            Check(name, open, copy);
        }, iter: Iterations * 2);
    }

    [Fact]
    public void Hostile_aedat4_packet_sizes_throw_naming_the_packet()
    {
        byte[] file = SmallAedat4(Aedat4Compression.None, 100);
        int packet = FirstPacketOffset(file);
        foreach (int size in new[] { -1, int.MinValue, int.MaxValue, Aedat4Reader.MaxPacketBytes + 1, file.Length })
        {
            byte[] copy = (byte[])file.Clone();
            BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(packet + 4), size);
            var ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(copy), sourceName: "hostile")));
            Assert.Equal(packet, ex.Offset);
        }
    }

    [Fact]
    public void Out_of_range_and_self_referencing_flatbuffer_offsets_throw()
    {
        byte[] file = SmallAedat4(Aedat4Compression.None, 10);
        int packet = FirstPacketOffset(file);
        int fb = packet + 8 + 4; // flatbuffer start inside the payload (after the size prefix)

        // Root offset far outside the buffer.
        byte[] copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(fb), 0xFFFF_FFF0);
        var ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(copy))));
        Assert.Equal(fb, ex.Offset);

        // vtable soffset pointing outside.
        copy = (byte[])file.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(fb + 16), int.MinValue);
        ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(copy))));
        Assert.Equal(fb + 16, ex.Offset);

        // Vector offset pointing at itself: its "count" is then the offset value, and the data runs past the buffer.
        copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(fb + 20), 0);
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(fb + 20), 0);
        var events = ReadAllFrom(new Aedat4Reader(new MemoryStream(copy)));
        Assert.Equal(0, events); // count 0 at a self-offset: an empty vector, no loop.

        // Vector count beyond the buffer.
        copy = (byte[])file.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(copy.AsSpan(fb + 24), int.MaxValue);
        ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(copy))));
        Assert.Equal(fb + 24, ex.Offset);

        // IOHeader root table offset pointing at itself: the vtable is then the root offset itself, sizes are checked.
        copy = (byte[])file.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(18), 0);
        ex = Assert.Throws<EventFormatException>(() => new Aedat4Reader(new MemoryStream(copy)));
        Assert.True(ex.Offset >= 18);
    }

    [Fact]
    public void Inconsistent_file_data_tables_are_ignored_and_reading_still_works()
    {
        byte[] file = SmallAedat4(Aedat4Compression.None, 700);
        long table;
        using (var reader = new Aedat4Reader(new MemoryStream(file)))
        {
            Assert.Equal(700, reader.ReadTableSummary()?.Events);
            table = reader.DataTablePosition;
        }

        // FileDataTable flatbuffer (after its 4-byte size prefix): root table -> vector of offsets to definitions.
        int fb = (int)table + 4;
        int root = fb + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(fb));
        int vectorField = root + 4;
        int vector = vectorField + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(vectorField));
        int count = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(vector));
        Assert.Equal(3, count); // 700 events in packets of 256
        int Definition(int i) => vector + 4 + (4 * i) + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(vector + 4 + (4 * i)));

        // Layout of each definition written by Aedat4Writer: +4 ByteOffset, +12 NumElements, +36 streamId, +40 size.
        var mutations = new List<Action<byte[]>>
        {
            f => { for (int i = 0; i < count; i++) { BinaryPrimitives.WriteInt64LittleEndian(f.AsSpan(Definition(i) + 12), 0); } },
            f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(Definition(1) + 40), int.MaxValue),
            f => BinaryPrimitives.WriteInt64LittleEndian(f.AsSpan(Definition(0) + 4), 5),
            f => BinaryPrimitives.WriteInt64LittleEndian(f.AsSpan(Definition(2) + 12), long.MaxValue),
            f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(Definition(0) + 36), 9),
            f => BinaryPrimitives.WriteInt32LittleEndian(f.AsSpan(vector), int.MaxValue),
        };
        foreach (var mutate in mutations)
        {
            byte[] copy = (byte[])file.Clone();
            mutate(copy);
            using var reader = new Aedat4Reader(new MemoryStream(copy));
            Assert.Null(reader.ReadTableSummary());
            Assert.False(reader.SeekToTime(0));
            Assert.Equal(700, ReadAllFrom(reader));
        }
    }

    [Fact]
    public void Zstd_bomb_is_refused_at_the_packet_limit()
    {
        // A real Zstandard frame that decodes to 96 MiB of zeros (unknown content size: streamed).
        using var compressed = new MemoryStream();
        using (var z = new CompressionStream(compressed, 3, leaveOpen: true))
        {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 96; i++)
            {
                z.Write(zeros);
            }
        }

        byte[] file = WithSinglePacket(Aedat4Compression.Zstd, compressed.ToArray(), out int packet);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(file))));
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(packet + 8, ex.Offset);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
        Assert.True(allocated < AllocationBound, $"allocated {allocated} bytes");
    }

    [Fact]
    public void Lz4_bomb_and_lying_content_size_are_refused()
    {
        // 20 independent blocks that each decode to 4 MiB of zeros: 80 MiB > the packet limit.
        byte[] zeros = new byte[4 << 20];
        byte[] block = new byte[LZ4Codec.MaximumOutputSize(zeros.Length)];
        int n = LZ4Codec.Encode(zeros, block, LZ4Level.L00_FAST);
        using var frame = new MemoryStream();
        frame.Write([0x04, 0x22, 0x4D, 0x18, 0x60, 0x70]);
        frame.WriteByte((byte)(Lz4Frame.XxHash32Small([0x60, 0x70]) >> 8));
        for (int i = 0; i < 20; i++)
        {
            frame.Write(BitConverter.GetBytes(n));
            frame.Write(block, 0, n);
        }

        frame.Write(new byte[4]);
        byte[] file = WithSinglePacket(Aedat4Compression.Lz4, frame.ToArray(), out int packet);
        long before = GC.GetAllocatedBytesForCurrentThread();
        var ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(file))));
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < AllocationBound);
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);
        Assert.Equal(packet + 8, ex.Offset);

        // A frame header claiming 1 GiB of content.
        byte[] descriptor = new byte[10];
        descriptor[0] = 0x68;
        descriptor[1] = 0x70;
        BinaryPrimitives.WriteUInt64LittleEndian(descriptor.AsSpan(2), 1UL << 30);
        using var liar = new MemoryStream();
        liar.Write([0x04, 0x22, 0x4D, 0x18]);
        liar.Write(descriptor);
        liar.WriteByte((byte)(Lz4Frame.XxHash32Small(descriptor) >> 8));
        liar.Write(new byte[4]);
        file = WithSinglePacket(Aedat4Compression.Lz4, liar.ToArray(), out packet);
        ex = Assert.Throws<EventFormatException>(() => ReadAllFrom(new Aedat4Reader(new MemoryStream(file))));
        Assert.Contains("content size", ex.Message, StringComparison.Ordinal);
        Assert.Equal(packet + 8 + 6, ex.Offset);
    }

    private static void Check(string name, Func<Stream, IEventReader> open, byte[] bytes)
    {
        var task = Task.Run(() =>
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                ReadAllFrom(open(new MemoryStream(bytes, writable: false)));
            }
            catch (EventFormatException ex)
            {
                Assert.True(ex.Offset >= 0, $"{name}: no offset in '{ex.Message}'");
                Assert.Contains($"at byte {ex.Offset}", ex.Message, StringComparison.Ordinal);
            }
            catch (Exception ex)
            {
                Assert.Fail($"{name} ({bytes.Length} bytes): {ex.GetType().Name}: {ex.Message}\n{ex.StackTrace}");
            }

            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < AllocationBound, $"{name}: allocated {allocated} bytes for a {bytes.Length}-byte input");
        });
        Assert.True(task.Wait(TimeSpan.FromSeconds(60)), $"{name}: reading did not finish (hang?)");
        task.GetAwaiter().GetResult();
    }

    private static long ReadAllFrom(IEventReader reader)
    {
        using (reader)
        {
            using var batch = new EventBatch(1024);
            long total = 0;
            int n;
            do
            {
                batch.Clear();
                n = reader.ReadBatch(batch);
                total += n;
            }
            while (n > 0);
            if (reader is Aedat4Reader a4)
            {
                a4.ReadTableSummary();
            }

            return total;
        }
    }

    private static (string, Func<Stream, IEventReader>, byte[])[] BuildBases()
    {
        Func<Stream, IEventReader> a2 = s => new Aedat2Reader(s, null, "aedat2");
        Func<Stream, IEventReader> a3 = s => new Aedat3Reader(s, null, "aedat3");
        Func<Stream, IEventReader> a4 = s => new Aedat4Reader(s, null, "aedat4");
        byte[] dark = File.ReadAllBytes(AedatTestUtil.SharedData("jaer_MovingDarkBox.aedat"));
        byte[] fixture3 = new Aedat31FixtureWriter()
            .Special(1, 0, [(0, 1, true)])
            .Polarity(1, 0, [.. Enumerable.Range(0, 50).Select(i => (i, i, i, i & 1, true))], spareCapacity: 3)
            .Packet(2, 1, 40, 0, 0, 2, 2, 2, new byte[80])
            .Polarity(1, 2, [(5, 1, 2, 1, true)])
            .ToArray();
        return
        [
            ("MovingDarkBox prefix", a2, dark.AsSpan(0, 16 << 10).ToArray()),
            ("mibblez header", a2, File.ReadAllBytes(AedatTestUtil.SharedData("mibblez_header_test_128.aedat"))),
            ("tonic aedat4", a4, File.ReadAllBytes(AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample))),
            ("written NONE", a4, SmallAedat4(Aedat4Compression.None, 700)),
            ("written LZ4", a4, SmallAedat4(Aedat4Compression.Lz4, 700)),
            ("written ZSTD", a4, SmallAedat4(Aedat4Compression.Zstd, 700)),
            ("aedat3.1 fixture", a3, fixture3),
        ];
    }

    private static byte[] SmallAedat4(Aedat4Compression compression, int events)
    {
        var columns = (
            T: Enumerable.Range(0, events).Select(i => 1_000_000L + (i * 7)).ToArray(),
            X: Enumerable.Range(0, events).Select(i => (ushort)(i % 320)).ToArray(),
            Y: Enumerable.Range(0, events).Select(i => (ushort)(i % 240)).ToArray(),
            P: Enumerable.Range(0, events).Select(i => (byte)(i & 1)).ToArray());
        return Aedat4WriterTests.Write(columns, new Aedat4WriterOptions { Sensor = new SensorSize(320, 240), Compression = compression, PacketEvents = 256 });
    }

    private static int FirstPacketOffset(byte[] file) => 18 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(14));

    /// <summary>A file with the writer's header (for <paramref name="compression"/>) and one packet holding <paramref name="payload"/> as is.</summary>
    private static byte[] WithSinglePacket(Aedat4Compression compression, byte[] payload, out int packet)
    {
        byte[] empty;
        using (var ms = new MemoryStream())
        {
            using (var writer = new Aedat4Writer(new NonSeekable(ms), new Aedat4WriterOptions { Sensor = new SensorSize(8, 8), Compression = compression }))
            {
            }

            empty = ms.ToArray();
        }

        packet = empty.Length;
        byte[] file = new byte[empty.Length + 8 + payload.Length];
        empty.CopyTo(file, 0);
        BinaryPrimitives.WriteInt32LittleEndian(file.AsSpan(packet + 4), payload.Length);
        payload.CopyTo(file, packet + 8);
        return file;
    }

    private sealed class NonSeekable(Stream inner) : Stream
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
