using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

public class DvsGestureTests
{
    private const string LabelFile = "dvsgesture_user01_natural_labels.csv";

    [Fact]
    public void Real_label_file_parses_in_file_order_with_unsorted_and_repeated_classes()
    {
        string path = AedatTestUtil.SharedData(LabelFile);
        string[] lines = File.ReadAllLines(path).Where(l => l.Length > 0).ToArray();
        var labels = DvsGestureLabels.Load(path);

        Assert.Equal(lines.Length - 1, labels.Labels.Count);
        for (int i = 1; i < lines.Length; i++)
        {
            long[] cells = lines[i].Split(',').Select(long.Parse).ToArray();
            Assert.Equal(new GestureLabel((int)cells[0], cells[1], cells[2]), labels.Labels[i - 1]);
        }

        int[] classes = labels.Labels.Select(l => l.ClassId).ToArray();
        Assert.NotEqual(classes.Order().ToArray(), classes);
        Assert.True(classes.Length > classes.Distinct().Count(), "a class repeats");
    }

    [Fact]
    public void Synthetic_aedat31_recording_over_the_label_range_slices_into_exact_samples()
    {
        var labels = DvsGestureLabels.Load(AedatTestUtil.SharedData(LabelFile));
        long first = labels.Labels.Min(l => l.StartUs) - 1_000_000;
        long last = labels.Labels.Max(l => l.EndUs) + 1_000_000;
        const long dt = 997;

        // Events at first + k*dt, k = 0..K-1, in packets of 4096; pixel and polarity derived from k.
        long count = ((last - first) / dt) + 1;
        var writer = new Aedat31FixtureWriter();
        var packet = new List<(int Ts, int X, int Y, int P, bool Valid)>();
        for (long k = 0; k < count; k++)
        {
            long t = first + (k * dt);
            packet.Add(((int)t, (int)(k % 128), (int)((k / 128) % 128), (int)(k % 2), true));
            if (packet.Count == 4096 || k == count - 1)
            {
                writer.Polarity(1, 0, packet);
                packet.Clear();
            }
        }

        using var reader = new Aedat3Reader(new MemoryStream(writer.ToArray()));
        IReadOnlyList<GestureSample> samples = DvsGestureSlicer.Slice(reader, labels);
        Assert.Equal(labels.Labels.Count, samples.Count);
        for (int i = 0; i < samples.Count; i++)
        {
            GestureLabel label = labels.Labels[i];
            long kFrom = CeilDiv(label.StartUs - first, dt);
            long kTo = CeilDiv(label.EndUs - first, dt); // exclusive
            GestureSample s = samples[i];
            Assert.Equal(i, s.Row);
            Assert.Equal(label, s.Label);
            Assert.Equal(kTo - kFrom, s.Count);
            Assert.Equal(first + (kFrom * dt), s.T[0]);
            Assert.Equal(first + ((kTo - 1) * dt), s.T[^1]);
            Assert.Equal((ushort)(kFrom % 128), s.X[0]);
            Assert.Equal((byte)((kTo - 1) % 2), s.P[^1]);
            foreach (long t in s.T)
            {
                Assert.True(label.Contains(t));
            }

            Assert.Equal(new DvsEvent(s.T[0], s.X[0], s.Y[0], s.P[0]), s[0]);
        }
    }

    [Fact]
    public void Slicing_works_across_the_31_bit_overflow_and_with_overlapping_labels()
    {
        long wrap = 1L << 31;
        var labels = DvsGestureLabels.FromRows([new GestureLabel(3, wrap - 50, wrap + 50), new GestureLabel(1, wrap - 10, wrap + 10)]);
        var before = Enumerable.Range(0, 100).Select(i => ((int)(wrap - 100 + i), 1, 1, 1, true)).ToList();
        var after = Enumerable.Range(0, 100).Select(i => (i, 2, 2, 0, true)).ToList();
        byte[] file = new Aedat31FixtureWriter().Polarity(1, 0, before).Polarity(1, 1, after).ToArray();
        using var reader = new Aedat3Reader(new MemoryStream(file));
        var samples = DvsGestureSlicer.Slice(reader, labels);
        Assert.Equal(100, samples[0].Count);
        Assert.Equal(wrap - 50, samples[0].T[0]);
        Assert.Equal(wrap + 49, samples[0].T[^1]);
        Assert.Equal(20, samples[1].Count);
    }

    [Theory]
    [InlineData("class,start,end\n1,2,3\n", 1)]
    [InlineData("class,startTime_usec,endTime_usec\n1,2\n", 2)]
    [InlineData("class,startTime_usec,endTime_usec\n1,5,5\n", 2)]
    [InlineData("class,startTime_usec,endTime_usec\n1,2,3\n0,5,9\n", 3)]
    [InlineData("class,startTime_usec,endTime_usec\nx,5,9\n", 2)]
    [InlineData("", 0)]
    public void Malformed_label_files_name_the_line(string text, int line)
    {
        var ex = Assert.Throws<EventFormatException>(() => DvsGestureLabels.Parse(new StringReader(text), "labels.csv"));
        if (line > 0)
        {
            Assert.Contains($"line {line}:", ex.Message, StringComparison.Ordinal);
        }
    }

    private static long CeilDiv(long a, long b) => a <= 0 ? 0 : (a + b - 1) / b;
}
