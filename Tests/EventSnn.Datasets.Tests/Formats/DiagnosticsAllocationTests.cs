using System.Buffers.Binary;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Tests.Formats.Aedat;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>
/// Inputs that make a reader warn once per word or record: the warnings beyond the kept ones are only counted, so
/// the reader's allocation stays within the project's bound of 1 MiB + 12 bytes per input byte.
/// </summary>
public class DiagnosticsAllocationTests
{
    private static long Bound(int inputBytes) => (1L << 20) + (12L * inputBytes);

    private static (long Events, long Allocated, ReaderDiagnostics Diagnostics) Drain(Func<Stream, IEventReader> open, byte[] data)
    {
        // Warm up (JIT, static buffers) on the same input, then measure a fresh reader.
        Read(open, data);
        long before = GC.GetAllocatedBytesForCurrentThread();
        (long events, ReaderDiagnostics diagnostics) = Read(open, data);
        return (events, GC.GetAllocatedBytesForCurrentThread() - before, diagnostics);
    }

    private static (long Events, ReaderDiagnostics Diagnostics) Read(Func<Stream, IEventReader> open, byte[] data)
    {
        using IEventReader reader = open(new MemoryStream(data, writable: false));
        using var batch = new EventBatch(4096);
        long events = 0;
        while (true)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            if (n == 0)
            {
                return (events, reader.Diagnostics);
            }

            events += n;
        }
    }

    private static byte[] Evt3(IEnumerable<ushort> words)
    {
        byte[] header = "% evt 3.0\n"u8.ToArray();
        ushort[] w = [.. words];
        byte[] data = new byte[header.Length + (w.Length * 2)];
        header.CopyTo(data, 0);
        for (int i = 0; i < w.Length; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(header.Length + (i * 2)), w[i]);
        }

        return data;
    }

    [Fact]
    public void Evt3_vector_words_beyond_the_sensor_warn_without_allocating_per_word()
    {
        // ADDR_Y 5, TIME_HIGH 1, VECT_BASE_X 2047 (width unknown: 2048), then a million VECT_12 words with all 12 bits
        // set: the first keeps bit 0 (x = 2047), every other event lies beyond the width.
        const int Vectors = 1_000_000;
        byte[] data = Evt3([0x0005, 0x8001, 0x3000 | 2047, .. Enumerable.Repeat((ushort)0x4FFF, Vectors)]);
        var (events, allocated, d) = Drain(s => new Evt3Reader(s, null, "vectors"), data);

        Assert.Equal(1, events);
        Assert.Equal((12L * Vectors) - 1, d.DroppedEvents);
        Assert.Equal(Vectors, d.WarningCount);
        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings, d.Warnings.Count);
        Assert.Contains("x base 2047", d.Warnings[0], StringComparison.Ordinal);
        Assert.True(allocated <= Bound(data.Length), $"allocated {allocated} bytes for {data.Length} input bytes");
    }

    [Fact]
    public void Evt3_time_stepping_back_and_forth_warns_without_allocating_per_word()
    {
        // TIME_HIGH 10, one event, then 9, 10, 9, 10, ...: every step back by 1 (less than half the range) is a
        // protocol violation, warned.
        const int Pairs = 500_000;
        var words = new List<ushort>(3 + (Pairs * 2)) { 0x8000 | 10, 0x0001, 0x2003 };
        for (int i = 0; i < Pairs; i++)
        {
            words.Add(0x8000 | 9);
            words.Add(0x8000 | 10);
        }

        byte[] data = Evt3(words);
        var (events, allocated, d) = Drain(s => new Evt3Reader(s, null, "steps"), data);
        Assert.Equal(1, events);
        Assert.Equal(Pairs, d.WarningCount);
        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings, d.Warnings.Count);
        Assert.True(allocated <= Bound(data.Length), $"allocated {allocated} bytes for {data.Length} input bytes");
    }

    [Fact]
    public void Aedat31_timestamp_resets_warn_without_allocating_per_event()
    {
        // One SPECIAL packet of 250,000 valid TIMESTAMP_RESET events (type 1), then one polarity event.
        const int Resets = 250_000;
        var resets = Enumerable.Range(0, Resets).Select(i => (Ts: i, Type: 1, Valid: true)).ToList();
        byte[] data = new Aedat31FixtureWriter()
            .Special(1, 0, resets)
            .Polarity(1, 0, [(5, 1, 2, 1, true)])
            .ToArray();
        var (events, allocated, d) = Drain(s => new Aedat3Reader(s, null, "resets"), data);

        Assert.Equal(1, events);
        Assert.Equal(Resets, d.WarningCount);
        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings, d.Warnings.Count);
        Assert.Contains("timestamp reset", d.Warnings[^1], StringComparison.Ordinal);
        Assert.True(allocated <= Bound(data.Length), $"allocated {allocated} bytes for {data.Length} input bytes");
    }

    [Fact]
    public void Interpolated_warnings_beyond_the_kept_ones_are_not_formatted()
    {
        var d = new ReaderDiagnostics();
        int formatted = 0;
        var probe = new FormatProbe(() => formatted++);
        for (int i = 0; i < ReaderDiagnostics.MaxKeptWarnings + 50; i++)
        {
            d.Warn($"warning {i} {probe}");
        }

        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings + 50, d.WarningCount);
        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings, d.Warnings.Count);
        Assert.Equal(ReaderDiagnostics.MaxKeptWarnings, formatted);
        Assert.Equal($"warning {ReaderDiagnostics.MaxKeptWarnings - 1} probe", d.Warnings[^1]);
    }

    private sealed class FormatProbe(Action onFormat)
    {
        public override string ToString()
        {
            onFormat();
            return "probe";
        }
    }
}
