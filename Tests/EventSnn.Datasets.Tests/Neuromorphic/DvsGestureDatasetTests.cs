using System.Globalization;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;
using EventSnn.Datasets.Tests.Formats.Aedat;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class DvsGestureDatasetTests
{
    private sealed record Recording(string Name, List<DvsEvent> Events, (int Class, long Start, long End)[] Rows);

    /// <summary>The rows of the real user01_natural label file, parsed here independently (simple CSV).</summary>
    private static (int Class, long Start, long End)[] RealRows() =>
        [.. File.ReadAllLines(TestData.SharedData("dvsgesture_user01_natural_labels.csv"))
            .Skip(1)
            .Where(l => l.Trim().Length > 0)
            .Select(l => l.Split(','))
            .Select(c => (int.Parse(c[0], CultureInfo.InvariantCulture), long.Parse(c[1], CultureInfo.InvariantCulture), long.Parse(c[2], CultureInfo.InvariantCulture)))];

    /// <summary>
    /// Events spread over [t0, t1) with steps up to <paramref name="maxStep"/>, written as AEDAT 3.1 polarity packets of
    /// up to 500 events with the 31-bit overflow counter; returns the 64-bit times as the spec defines them.
    /// </summary>
    private static List<DvsEvent> WriteRecording(string path, int seed, long t0, long t1, int maxStep)
    {
        var rng = new Random(seed);
        var events = new List<DvsEvent>();
        for (long t = t0; t < t1; t += rng.Next(1, maxStep))
        {
            events.Add(new DvsEvent(t, (ushort)rng.Next(128), (ushort)rng.Next(128), (byte)rng.Next(2)));
        }

        var writer = new Aedat31FixtureWriter();
        for (int i = 0; i < events.Count; i += 500)
        {
            var chunk = events.Skip(i).Take(500).ToList();
            // All events of a packet share the packet's overflow counter: split packets where it changes.
            foreach (var group in chunk.GroupBy(e => e.T >> 31))
            {
                writer.Polarity(1, (int)group.Key, [.. group.Select(e => ((int)(e.T & 0x7FFF_FFFF), (int)e.X, (int)e.Y, (int)e.P, true))]);
            }
        }

        Fixtures.Write(path, writer.ToArray());
        return events;
    }

    private static void WriteLabels(string path, IEnumerable<(int Class, long Start, long End)> rows)
    {
        var lines = new List<string> { "class,startTime_usec,endTime_usec" };
        lines.AddRange(rows.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Class},{r.Start},{r.End}")));
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Join("\r\n", lines) + "\r\n");
    }

    private static List<Recording> WriteLayout(string folder)
    {
        var recordings = new List<Recording>();

        // Recording 1: the real label rows of user01_natural, with events spanning them (sparse: steps up to 40 ms).
        (int, long, long)[] real = RealRows();
        List<DvsEvent> e1 = WriteRecording(Path.Combine(folder, "user01_natural.aedat"), 1, 50_000_000, 180_000_000, 40_000);
        WriteLabels(Path.Combine(folder, "user01_natural_labels.csv"), real);
        recordings.Add(new Recording("user01_natural.aedat", e1, real));

        // Recording 2: unsorted rows, a repeated class, times past 2^31 µs (the overflow counter is used).
        (int, long, long)[] rows2 = [(5, 2_147_400_000, 2_147_600_000), (2, 2_147_000_000, 2_147_100_000), (5, 2_147_100_000, 2_147_200_000), (11, 2_147_700_000, 2_147_800_000)];
        List<DvsEvent> e2 = WriteRecording(Path.Combine(folder, "user02_led.aedat"), 2, 2_146_900_000, 2_147_900_000, 1_000);
        WriteLabels(Path.Combine(folder, "user02_led_labels.csv"), rows2);
        recordings.Add(new Recording("user02_led.aedat", e2, rows2));

        // Recording 3 (test split).
        (int, long, long)[] rows3 = [(1, 1_000, 5_000)];
        List<DvsEvent> e3 = WriteRecording(Path.Combine(folder, "user24_lab.aedat"), 3, 0, 10_000, 10);
        WriteLabels(Path.Combine(folder, "user24_lab_labels.csv"), rows3);
        recordings.Add(new Recording("user24_lab.aedat", e3, rows3));

        File.WriteAllText(Path.Combine(folder, "trials_to_train.txt"), "user02_led.aedat\r\nuser01_natural.aedat\r\n\r\n");
        File.WriteAllText(Path.Combine(folder, "trials_to_test.txt"), "user24_lab.aedat\n");
        return recordings;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Each_label_row_is_one_sample_in_trial_then_row_order(bool stopAtSliceEnd)
    {
        using var dir = new TempFolder();
        List<Recording> recs = WriteLayout(dir.Combine("DvsGesture"));

        DvsGestureDataset ds = DvsGestureDataset.Open(dir.Path, train: true, stopAtSliceEnd);

        Assert.Equal(11, ds.Classes.Count);
        Assert.Equal("hand_clapping", ds.Classes[0]);
        Assert.Equal("other_gestures", ds.Classes[10]);
        Assert.Equal(new SensorSize(128, 128), ds.SensorSize);
        var expected = new List<(Recording Rec, int Row)>();
        foreach (Recording rec in new[] { recs[1], recs[0] })
        {
            for (int r = 0; r < rec.Rows.Length; r++)
            {
                expected.Add((rec, r));
            }
        }

        Assert.Equal(expected.Count, ds.Count);
        Assert.Equal(4 + 12, ds.Count);
        for (int i = 0; i < ds.Count; i++)
        {
            (Recording rec, int row) = expected[i];
            (int cls, long start, long end) = rec.Rows[row];
            Assert.Equal(cls - 1, ds.GetLabel(i));
            (string recording, int sliceRow, GestureLabel label) = ds.GetSlice(i);
            Assert.EndsWith(rec.Name, recording, StringComparison.Ordinal);
            Assert.Equal(row, sliceRow);
            Assert.Equal(new GestureLabel(cls, start, end), label);

            DvsEvent[] want = [.. rec.Events.Where(e => e.T >= start && e.T < end)];
            EventSample sample = ds[i];
            Assert.NotEmpty(want);
            Assert.Equal(want, sample.ToArray());
            Assert.Equal(ds.Classes[cls - 1], sample.ClassName);
        }

        // The real label file has class 8 twice: two samples with label 7.
        Assert.Equal(2, Enumerable.Range(4, 12).Count(i => ds.GetLabel(i) == 7));
        Assert.Equal(2, Enumerable.Range(0, 4).Count(i => ds.GetLabel(i) == 4));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Reading_a_whole_recording_at_once_gives_the_same_samples(bool stopAtSliceEnd)
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        DvsGestureDataset ds = DvsGestureDataset.Open(dir.Path, train: true, stopAtSliceEnd);

        var seen = new List<int>();
        for (int r = 0; r < ds.Recordings.Count; r++)
        {
            foreach (EventSample sample in ds.ReadRecording(r))
            {
                EventSample single = ds[sample.Index];
                Assert.Equal(single.ToArray(), sample.ToArray());
                Assert.Equal(single.Label, sample.Label);
                Assert.Equal(single.Source, sample.Source);
                seen.Add(sample.Index);
            }
        }

        Assert.Equal(Enumerable.Range(0, ds.Count), seen);
        Assert.Throws<ArgumentOutOfRangeException>("recordingIndex", () => ds.ReadRecording(2));
    }

    [Fact]
    public void The_test_split_reads_its_own_trials_and_the_root_itself_may_hold_the_files()
    {
        using var dir = new TempFolder();
        List<Recording> recs = WriteLayout(dir.Path);

        DvsGestureDataset test = DvsGestureDataset.Open(dir.Path, train: false);

        Assert.Single(test.Recordings);
        Assert.Equal(1, test.Count);
        Assert.Equal(0, test.GetLabel(0));
        Assert.Equal([.. recs[2].Events.Where(e => e.T is >= 1_000 and < 5_000)], test[0].ToArray());
    }

    [Fact]
    public void Missing_files_named_by_the_trials_are_clear_errors()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        File.Delete(dir.Combine("user01_natural_labels.csv"));

        var ex = Assert.Throws<FileNotFoundException>(() => DvsGestureDataset.Open(dir.Path));
        Assert.Contains("user01_natural_labels.csv", ex.Message, StringComparison.Ordinal);
        Assert.Contains("trials_to_train.txt", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../user01_natural.aedat")]
    [InlineData("/etc/user01_natural.aedat")]
    [InlineData("user01_natural.txt")]
    public void Trial_lists_naming_anything_but_a_recording_beside_them_are_rejected(string entry)
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        File.WriteAllText(dir.Combine("trials_to_test.txt"), entry + "\n");

        var ex = Assert.Throws<EventFormatException>(() => DvsGestureDataset.Open(dir.Path, train: false));
        Assert.Contains("trials_to_test.txt", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Classes_outside_1_to_11_are_rejected()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        WriteLabels(dir.Combine("user24_lab_labels.csv"), [(12, 1, 2)]);

        var ex = Assert.Throws<EventFormatException>(() => DvsGestureDataset.Open(dir.Path, train: false));
        Assert.Contains("class 12", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Missing_dataset_points_at_the_official_archive()
    {
        using var dir = new TempFolder();
        var ex = Assert.Throws<DatasetNotFoundException>(() => DvsGestureDataset.Open(dir.Path));
        Assert.Contains("trials_to_", ex.Message, StringComparison.Ordinal);
        Assert.Contains("DvsGesture.tar.gz", ex.Message, StringComparison.Ordinal);
        Assert.Contains("8a5c71fb11e24e5ca5b11866ca6c00a1", ex.Message, StringComparison.Ordinal);
    }
}
