using System.Text;
using EventSnn.Events;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Tests.Formats.Prophesee;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>A trailing partial record is counted, reported with its offset and size, and does not hide the whole records before it.</summary>
public class TrailingRecordTests
{
    private static byte[] Concat(string header, params byte[][] parts) =>
        [.. Encoding.ASCII.GetBytes(header), .. parts.SelectMany(p => p)];

    public static TheoryData<string, int> Cases => new()
    {
        { "evt2", 1 }, { "evt2", 2 }, { "evt2", 3 },
        { "evt3", 1 },
        { "dat", 1 }, { "dat", 7 },
        { "nmnist", 1 }, { "nmnist", 4 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trailing_partial_record_is_counted_and_reported_at_its_offset(string kind, int rest)
    {
        byte[] tail = Enumerable.Repeat((byte)0x5A, rest).ToArray();
        (byte[] file, Func<Stream, IEventReader> open, string what) = kind switch
        {
            // One CD_ON word at x = 2, y = 3.
            "evt2" => (Concat("% evt 2.0\n", [0x03, 0x10, 0x00, 0x10], tail),
                (Func<Stream, IEventReader>)(s => new Evt2Reader(s)), "trailing byte(s) do not form a 32-bit word"),

            // ADDR_X x = 4.
            "evt3" => (Concat("% evt 3.0\n", [0x04, 0x20], tail), s => new Evt3Reader(s), "trailing byte does not form a 16-bit word"),

            // Type 0x0C, size 8, one record t = 1, w = x 2 | y 3 << 14.
            "dat" => (Concat("% Version 2\n", [0x0C, 8, 1, 0, 0, 0, 0x02, 0xC0, 0x00, 0x00], tail),
                s => new DatReader(s), "trailing byte(s) do not form an 8-byte record"),

            // x 1, y 2, ON, t = 3.
            _ => (Concat("", [1, 2, 0x80, 0, 3], tail), s => new NMnistBinReader(s), "trailing byte(s) do not form a 5-byte record"),
        };

        using IEventReader reader = open(new MemoryStream(file));
        Decoded d = SampleData.ReadAll(reader, 1);
        Assert.Equal(1, d.Count);
        Assert.Equal(rest, reader.Diagnostics.TrailingBytesIgnored);
        Assert.Contains($"stream: at byte {file.Length - rest}: {rest} {what}; ignored", reader.Diagnostics.Warnings);
        using var batch = new EventBatch(4);
        Assert.Equal(0, reader.ReadBatch(batch));
    }
}
