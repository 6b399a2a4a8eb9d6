using System.Text;
using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>
/// Property: on any input derived from the real samples (truncated, bit-flipped, spliced with junk, hostile headers,
/// random bytes) a reader either succeeds or throws <see cref="EventFormatException"/> naming an offset in the
/// input; never another exception, never a hang, never allocation out of proportion to the input.
/// 1,000 cases per format by default; <c>EVENTSNN_LONG_TESTS=1</c> runs 50,000.
/// </summary>
public class BadInputPropertyTests
{
    private const int MaxHeaderBytes = 1 << 20;

    private static readonly long s_iterations = SampleData.LongRuns ? 50_000 : 1_000;

    public static TheoryData<string> Formats => ["evt2", "evt3", "dat", "nmnist"];

    private static (byte[] Base, Func<Stream, EventReaderOptions, IEventReader> Open, string Header) Subject(string format) => format switch
    {
        "evt2" => (Prefix("faery_evt2.raw", 48 * 1024), (s, o) => new Evt2Reader(s, o, "fuzz"), "% evt 2.0\n"),
        "evt3" => (Prefix("expelliarmus_evt3_sample.raw", 48 * 1024), (s, o) => new Evt3Reader(s, o, "fuzz"), "% evt 3.0\n"),
        "dat" => (SampleData.Bytes("tonic_sample_ncars.dat"), (s, o) => new DatReader(s, o, "fuzz"), "% Version 2\n"),
        "nmnist" => (SampleData.Bytes("tonic_sample_nmnist.bin"), (s, o) => new NMnistBinReader(s, o, "fuzz"), string.Empty),
        _ => throw new ArgumentOutOfRangeException(nameof(format)),
    };

    private static byte[] Prefix(string file, int length)
    {
        byte[] all = SampleData.Bytes(file);
        return all.AsSpan(0, Math.Min(length, all.Length)).ToArray();
    }

    private static Gen<byte[]> Mutations(byte[] b, string header)
    {
        byte[] headerBytes = Encoding.ASCII.GetBytes(header);
        return Gen.OneOf(
            Gen.Int[0, b.Length].Select(n => b.AsSpan(0, n).ToArray()),
            Gen.Select(Gen.Int[0, b.Length - 1].Array[1, 32], Gen.Int[0, 7]).Select((positions, bit) =>
            {
                byte[] copy = (byte[])b.Clone();
                foreach (int pos in positions)
                {
                    copy[pos] ^= (byte)(1 << ((bit + pos) & 7));
                }

                return copy;
            }),
            Gen.Select(Gen.Int[0, b.Length - 1], Gen.Byte.Array[1, 256]).Select((pos, junk) =>
            {
                byte[] copy = (byte[])b.Clone();
                junk.AsSpan(0, Math.Min(junk.Length, copy.Length - pos)).CopyTo(copy.AsSpan(pos));
                return copy;
            }),
            Gen.Byte.Array[0, 4096],
            Gen.Byte.Array[0, 4096].Select(junk => (byte[])[.. headerBytes, .. junk]),
            Gen.Select(Gen.Int[0, 6000], Gen.Int[0, 255]).Select((n, c) =>
            {
                // A long header line of one character (possibly without newline), then the original data.
                byte[] line = Encoding.ASCII.GetBytes("% " + new string((char)(0x20 + (c % 95)), n) + (c % 2 == 0 ? "\n" : string.Empty));
                return (byte[])[.. line, .. b];
            }),
            Gen.Select(Gen.Int[1, 400], Gen.Int[0, 99999]).Select((lines, dim) =>
            {
                var sb = new StringBuilder();
                for (int i = 0; i < lines; i++)
                {
                    sb.Append(i % 3 == 0 ? $"% format EVT2;height={dim - 5000};width={dim}\n" : i % 3 == 1 ? $"% geometry {dim}x-{dim}\n" : "% Version 2\n");
                }

                return (byte[])[.. Encoding.ASCII.GetBytes(sb.ToString()), .. b];
            }));
    }

    /// <summary>Reads everything; returns the number of events, or checks the format exception.</summary>
    internal static void ReadChecked(Func<Stream, EventReaderOptions, IEventReader> open, byte[] data, int bufferSize, EventBatch batch)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        try
        {
            using IEventReader reader = open(new MemoryStream(data, writable: false), new EventReaderOptions { BufferSize = bufferSize });
            long events = 0;
            long calls = 0;
            while (true)
            {
                batch.Clear();
                int n = reader.ReadBatch(batch);
                if (n == 0)
                {
                    break;
                }

                events += n;
                // Each call but the last returns at least one event, at most 6 per input byte (a batch may hold one).
                Assert.True(++calls <= (6L * data.Length) + 16, "reader does not progress");
            }

            // At most 12 events per 16-bit EVT 3.0 word.
            Assert.True(events <= 6L * data.Length, $"{events} events from {data.Length} bytes");
            Assert.InRange(reader.Diagnostics.TrailingBytesIgnored, 0, 7);
        }
        catch (EventFormatException ex)
        {
            Assert.InRange(ex.Offset, 0, data.Length);
            Assert.Equal("fuzz", ex.SourceName);
            Assert.Contains("at byte", ex.Message, StringComparison.Ordinal);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long bound = (1 << 20) + (12L * Math.Min(data.Length, MaxHeaderBytes + 4096));
        Assert.True(allocated <= bound, $"allocated {allocated} bytes for {data.Length} input bytes");
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Mutated_samples_decode_or_fail_with_an_offset(string format)
    {
        var (b, open, header) = Subject(format);
        using var batch = new EventBatch(4096);
        Gen.Select(Mutations(b, header), Gen.Int[0, 2], Gen.Int[1, 4096]).Sample(
            (data, bufferChoice, batchSize) =>
            {
                int bufferSize = bufferChoice switch { 0 => 4096, 1 => 4096 + 13, _ => 1 << 16 };
                using var small = new EventBatch(batchSize);
                ReadChecked(open, data, bufferSize, bufferChoice == 2 ? batch : small);
            },
            iter: s_iterations,
            threads: 1);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public void Endless_percent_lines_are_refused_with_bounded_memory(string format)
    {
        var (b, open, _) = Subject(format);
        byte[] line = "% key value\n"u8.ToArray();
        int repeats = (MaxHeaderBytes / line.Length) + 100;
        byte[] data = new byte[(repeats * line.Length) + b.Length];
        for (int i = 0; i < repeats; i++)
        {
            line.CopyTo(data, i * line.Length);
        }

        b.CopyTo(data, repeats * line.Length);
        using var batch = new EventBatch(1024);
        if (format == "nmnist")
        {
            // Headerless format: every byte is record data.
            ReadChecked(open, data, 4096, batch);
            return;
        }

        var ex = Assert.Throws<EventFormatException>(() => open(new MemoryStream(data), new EventReaderOptions { BufferSize = 4096 }));
        Assert.Contains("header longer than", ex.Message, StringComparison.Ordinal);
        Assert.InRange(ex.Offset, MaxHeaderBytes - 100, MaxHeaderBytes + 100);
        ReadChecked(open, data, 4096, batch);
    }

    [Theory]
    [InlineData("evt2")]
    [InlineData("evt3")]
    [InlineData("dat")]
    public void Header_line_without_end_is_refused(string format)
    {
        var (_, open, _) = Subject(format);
        byte[] data = Encoding.ASCII.GetBytes("% " + new string('a', 100_000));
        var ex = Assert.Throws<EventFormatException>(() => open(new MemoryStream(data), EventReaderOptions.Default));
        Assert.Equal(0, ex.Offset);
        Assert.Contains("header line longer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detection_never_throws_on_random_heads()
    {
        Gen.Select(Gen.Byte.Array[0, 512], Gen.Int[0, 3].Select(i => i switch { 0 => (string?)null, 1 => "a.bin", 2 => "a.dat", _ => "x.raw" }), Gen.Long[0, 1 << 20])
            .Sample(
                (head, name, length) =>
                {
                    byte[] withPercent = [(byte)'%', .. head];
                    _ = FormatDetector.Detect(head, name, length);
                    _ = FormatDetector.Detect(withPercent, name);
                    _ = FormatDetector.DescribeHead(head);
                },
                iter: s_iterations * 5,
                threads: 1);
    }
}
