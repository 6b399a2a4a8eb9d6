using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats.Prophesee;

public class Evt3ReaderTests
{
    private const string Sample = "expelliarmus_evt3_sample.raw";

    /// <summary>
    /// A literal EVT 3.0 decoder written from the spec table, independent of <see cref="Evt3Reader"/>
    /// (no clamping, no batching): header = leading '%' lines, then 16-bit LE words.
    /// </summary>
    internal static Decoded Reference(byte[] file, out int backwardTimeLowSteps)
    {
        int pos = 0;
        while (pos < file.Length && file[pos] == (byte)'%')
        {
            pos = Array.IndexOf(file, (byte)'\n', pos) + 1;
        }

        var d = new Decoded();
        int y = 0, xBase = 0, vp = 0;
        long high = 0, low = 0, wraps = 0;
        long lastHigh = -1;
        backwardTimeLowSteps = 0;
        for (; pos + 2 <= file.Length; pos += 2)
        {
            int w = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(pos));
            int type = w >> 12;
            if (type == 0)
            {
                y = w & 0x7FF;
            }
            else if (type == 2)
            {
                d.T.Add((wraps << 24) + (high << 12) + low);
                d.X.Add((ushort)(w & 0x7FF));
                d.Y.Add((ushort)y);
                d.P.Add((byte)((w >> 11) & 1));
            }
            else if (type == 3)
            {
                xBase = w & 0x7FF;
                vp = (w >> 11) & 1;
            }
            else if (type is 4 or 5)
            {
                int bits = type == 4 ? 12 : 8;
                for (int b = 0; b < bits; b++)
                {
                    if (((w >> b) & 1) != 0)
                    {
                        d.T.Add((wraps << 24) + (high << 12) + low);
                        d.X.Add((ushort)(xBase + b));
                        d.Y.Add((ushort)y);
                        d.P.Add((byte)vp);
                    }
                }

                xBase += bits;
            }
            else if (type == 6)
            {
                if ((w & 0xFFF) < low)
                {
                    backwardTimeLowSteps++;
                }

                low = w & 0xFFF;
            }
            else if (type == 8)
            {
                long h = w & 0xFFF;
                if (lastHigh >= 0 && lastHigh - h > 2048)
                {
                    wraps++;
                }

                high = lastHigh = h;
            }
        }

        return d;
    }

    [Fact]
    public void Sample_matches_independent_decoder_and_published_facts()
    {
        byte[] file = SampleData.Bytes(Sample);
        Decoded expected = Reference(file, out int backward);
        using var reader = new Evt3Reader(new MemoryStream(file), null, Sample);
        Decoded d = SampleData.ReadAll(reader);
        d.AssertEqual(expected);

        // Facts from SOURCES.md.
        Assert.Equal(219_596, d.Count);
        Assert.Equal(115_532, d.On);
        Assert.Equal(104_064, d.Off);
        Assert.Equal(new DvsEvent(11_718_656, 874, 200, 0), d.First);
        Assert.Equal(new DvsEvent(11_727_457, 1218, 572, 1), d.Last);
        Assert.True(backward > 0, "the sample contains backward TIME_LOW steps");
        for (int i = 1; i < d.Count; i++)
        {
            Assert.True(d.T[i] >= d.T[i - 1], $"time went back at event {i}");
        }

        Assert.Equal(new SensorSize(1280, 720), reader.Info.Sensor);
        Assert.Equal(EventFormat.Evt3, reader.Info.Format);
        Assert.Equal(0, reader.Diagnostics.DroppedEvents);
        Assert.Equal(0, reader.TimeBaseWraps);
        Assert.Equal(0, reader.NonMonotonicTimeHigh);
        Assert.Equal(0, reader.EventsBeforeFirstTimeHigh);
    }

    [Theory]
    [InlineData(4096, 1)]
    [InlineData(4096, 5)]
    [InlineData(8192, 11)]
    [InlineData(1 << 20, 4099)]
    public void Buffer_and_batch_sizes_do_not_change_the_result(int bufferSize, int batchCapacity)
    {
        byte[] file = SampleData.Bytes(Sample);
        using var reader = new Evt3Reader(new MemoryStream(file), new EventReaderOptions { BufferSize = bufferSize }, Sample);
        Decoded d = SampleData.ReadAll(reader, batchCapacity);
        d.AssertEqual(Reference(file, out _));
    }

    internal static byte[] Build(string header, params ushort[] words)
    {
        byte[] h = Encoding.ASCII.GetBytes(header);
        byte[] file = new byte[h.Length + (words.Length * 2)];
        h.CopyTo(file, 0);
        for (int i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(file.AsSpan(h.Length + (i * 2)), words[i]);
        }

        return file;
    }

    private static ushort W(int type, int payload) => (ushort)((type << 12) | payload);

    [Fact]
    public void Vectors_time_wraps_triggers_and_clamping_follow_the_documented_rules()
    {
        var words = new[]
        {
            W(0x8, 0xFFE),            // TIME_HIGH 0xFFE
            W(0x6, 0x005),            // TIME_LOW 5
            W(0x0, 7),                // y = 7
            W(0x2, (1 << 11) | 3),    // ADDR_X x=3 ON
            W(0x3, 12),               // VECT_BASE_X 12, OFF
            W(0x4, 0b1000_0000_0101), // x = 12, 14, 23
            W(0x5, 0b0000_0011),      // x = 24, 25
            W(0xA, (2 << 8) | 1),     // trigger id 2 rising
            W(0x6, 0x001),            // TIME_LOW goes back: not a carry
            W(0x2, 1),                // x=1 OFF
            W(0x8, 0x001),            // TIME_HIGH 0xFFE -> 0x001: wrap
            W(0x2, 2),                // x=2
            W(0x8, 0x000),            // small decrease: violation, accepted
            W(0x3, (1 << 11) | 26),   // base 26 ON, width 30 => only bits 0..3 kept
            W(0x4, 0xFFF),
            W(0xE, 0), W(0x7, 0), W(0xF, 0), W(0xD, 0), W(0x1, 0),
        };
        byte[] file = Build("% format EVT3;height=10;width=30\n% end\n", words);
        var triggers = new List<ExternalTrigger>();
        using var reader = new Evt3Reader(new MemoryStream(file), null, "synthetic");
        reader.TriggerReceived = triggers.Add;
        Decoded d = SampleData.ReadAll(reader);

        long t1 = (0xFFEL << 12) | 5;
        long t2 = (0xFFEL << 12) | 1;
        long t3 = (1L << 24) | (1 << 12) | 1;
        long t4 = (1L << 24) | 1;
        var expected = new List<DvsEvent>
        {
            new(t1, 3, 7, 1),
            new(t1, 12, 7, 0), new(t1, 14, 7, 0), new(t1, 23, 7, 0),
            new(t1, 24, 7, 0), new(t1, 25, 7, 0),
            new(t2, 1, 7, 0),
            new(t3, 2, 7, 0),
            new(t4, 26, 7, 1), new(t4, 27, 7, 1), new(t4, 28, 7, 1), new(t4, 29, 7, 1),
        };
        Assert.Equal(expected, Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal([new ExternalTrigger(t1, 2, 1)], triggers);
        Assert.Equal(1, reader.TimeBaseWraps);
        Assert.Equal(1, reader.NonMonotonicTimeHigh);
        Assert.Equal(8, reader.Diagnostics.DroppedEvents);
        Assert.Equal(5, reader.Diagnostics.SkippedRecords);

        // Same stream through batches of 1..13 events: identical.
        for (int cap = 1; cap <= 13; cap++)
        {
            using var again = new Evt3Reader(new MemoryStream(file));
            Decoded e = SampleData.ReadAll(again, cap);
            d.AssertEqual(e);
        }
    }

    [Fact]
    public void Vector_events_pending_when_the_last_word_fills_a_batch_are_still_emitted()
    {
        // The stream ends with vector words: a batch that fills inside the last one leaves events pending while no
        // whole word is unread; they must be emitted before the end (and before a trailing odd byte is reported).
        byte[] words = Build("% evt 3.0\n", W(0x8, 3), W(0x6, 9), W(0x0, 5), W(0x3, (1 << 11) | 40), W(0x4, 0xFFF), W(0x5, 0xA5));
        foreach (byte[] file in new[] { words, [.. words, 0x77] })
        {
            Decoded expected = Reference(file, out _);
            Assert.Equal(12 + 4, expected.Count);
            for (int cap = 1; cap <= 17; cap++)
            {
                using var reader = new Evt3Reader(new MemoryStream(file));
                expected.AssertEqual(SampleData.ReadAll(reader, cap));
                Assert.Equal(file.Length % 2, reader.Diagnostics.TrailingBytesIgnored);
            }
        }
    }

    [Fact]
    public void Odd_trailing_byte_is_ignored_and_reported()
    {
        byte[] file = [.. Build("% evt 3.0\n", W(0x8, 1), W(0x2, 4)), 0x77];
        using var reader = new Evt3Reader(new MemoryStream(file));
        Decoded d = SampleData.ReadAll(reader);
        Assert.Equal([new DvsEvent(4096, 4, 0, 0)], Enumerable.Range(0, d.Count).Select(i => d[i]));
        Assert.Equal(1, reader.Diagnostics.TrailingBytesIgnored);
    }

    [Fact]
    public void Header_declaring_evt2_is_refused()
    {
        byte[] file = Build("% format EVT2;height=10;width=30\n", W(0x8, 1));
        Assert.Throws<EventFormatException>(() => new Evt3Reader(new MemoryStream(file)));
    }
}
