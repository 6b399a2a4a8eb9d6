using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Tests.Transforms;

public class FilterTests
{
    // Independent formulation of Tonic's denoise: an event is kept when an in-sensor 4-neighbour's latest earlier
    // event (or, if none, the initial memory value filter_time) gives last_t + filter_time > t.
    private static bool[] DenoiseReference(DvsEvent[] ev, SensorSize s, long ft)
    {
        var keep = new bool[ev.Length];
        (int dx, int dy)[] nb = [(-1, 0), (1, 0), (0, -1), (0, 1)];
        for (int i = 0; i < ev.Length; i++)
        {
            foreach (var (dx, dy) in nb)
            {
                int nx = ev[i].X + dx, ny = ev[i].Y + dy;
                if (!s.Contains(nx, ny))
                {
                    continue;
                }

                long memory = ft;
                for (int j = 0; j < i; j++)
                {
                    if (ev[j].X == nx && ev[j].Y == ny)
                    {
                        memory = ev[j].T + ft;
                    }
                }

                if (memory > ev[i].T)
                {
                    keep[i] = true;
                }
            }
        }

        return keep;
    }

    [Fact]
    public void Denoise_HandMadeStream_KeepsOnlySupportedEvents()
    {
        // filter 100 µs; times far above the filter time so the initial memory plays no part.
        var a = TestStreams.Of(4, 4,
            (1000, 1, 1, 1),   // no neighbour yet → dropped
            (1050, 2, 1, 0),   // neighbour (1,1) at 1000 + 100 > 1050 → kept
            (1200, 3, 3, 1),   // isolated → dropped
            (1260, 2, 1, 1),   // neighbours (1,1) at 1100, (3,1) never, (2,0) never, (2,2) never → dropped
            (1290, 2, 2, 1));  // neighbour (2,1) at 1260 + 100 > 1290 → kept
        new Denoise(100).Apply(a);
        Assert.Equal([new DvsEvent(1050, 2, 1, 0), new DvsEvent(1290, 2, 2, 1)], a.ToEvents());
    }

    [Fact]
    public void Denoise_MatchesIndependentReference()
    {
        var filter = new Denoise(700);
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] ev = a.ToEvents();
            bool[] keep = DenoiseReference(ev, a.Sensor, 700);
            DvsEvent[] expected = ev.Where((_, i) => keep[i]).ToArray();
            filter.Apply(a);
            Assert.Equal(expected, a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O2");
    }

    [Fact]
    public void Refractory_MatchesIndependentReference()
    {
        var filter = new RefractoryFilter(300);
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] ev = a.ToEvents();
            var expected = new List<DvsEvent>();
            for (int i = 0; i < ev.Length; i++)
            {
                int prev = -1;
                for (int j = 0; j < i; j++)
                {
                    if (ev[j].X == ev[i].X && ev[j].Y == ev[i].Y)
                    {
                        prev = j;
                    }
                }

                if (prev < 0 || ev[i].T - ev[prev].T > 300)
                {
                    expected.Add(ev[i]);
                }
            }

            filter.Apply(a);
            Assert.Equal(expected, a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O3");
    }

    [Fact]
    public void Refractory_DroppedEventsExtendThePeriod()
    {
        var a = TestStreams.Of(2, 1, (0, 0, 0, 1), (80, 0, 0, 1), (160, 0, 0, 1), (250, 0, 0, 1), (261, 1, 0, 0));
        new RefractoryFilter(100).Apply(a);

        // 80 and 160 are within 100 µs of their predecessor; 250 − 160 = 90 ≤ 100 too.
        Assert.Equal([new DvsEvent(0, 0, 0, 1), new DvsEvent(261, 1, 0, 0)], a.ToEvents());
    }

    [Fact]
    public void DropEvents_DropsExactlyTheRoundedFractionAndKeepsOrder()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            var d = new DropEvents(0.3, seed: 11);
            d.Apply(a);
            int expectedDropped = (int)Math.Floor((0.3 * before.Length) + 0.5);
            Assert.Equal(before.Length - expectedDropped, a.Count);

            // The result is a subsequence of the input.
            int j = 0;
            foreach (DvsEvent e in a.ToEvents())
            {
                while (j < before.Length && before[j] != e)
                {
                    j++;
                }

                Assert.True(j < before.Length, "kept events must appear in the input, in order");
                j++;
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O4");
    }

    [Fact]
    public void DropEvents_SameSeedSameResult()
    {
        var a = TestStreams.Build(8, 8, Enumerable.Range(0, 500).Select(i => (long)i).ToArray(),
            Enumerable.Range(0, 500).Select(i => i % 8).ToArray(), Enumerable.Range(0, 500).Select(i => i / 8 % 8).ToArray(), new int[500]);
        EventArray b = a.Clone();
        new DropEvents(0.5, 42).Apply(a);
        new DropEvents(0.5, 42).Apply(b);
        Assert.Equal(a.ToEvents(), b.ToEvents());
        EventArray c = b.Clone();
        new DropEvents(0.5, 43).Apply(c);
        Assert.NotEqual(a.ToEvents(), c.ToEvents());
    }

    [Fact]
    public void HotPixels_AboveFrequencyAreDropped()
    {
        // 1 s of data: pixel (0,0) fires 50 times, (1,0) fires 5 times, (1,1) once at each end.
        var list = new List<(long, int, int, int)> { (0, 1, 1, 1) };
        for (int i = 0; i < 50; i++)
        {
            list.Add((1000 + (i * 10_000), 0, 0, 1));
        }

        for (int i = 0; i < 5; i++)
        {
            list.Add((2000 + (i * 100_000), 1, 0, 0));
        }

        list.Add((1_000_000, 1, 1, 1));
        EventArray a = TestStreams.Of(2, 2, [.. list.OrderBy(e => e.Item1)]);

        // Threshold 10 Hz over 1 s → more than 10 events is hot.
        Assert.Equal([(0, 0)], HotPixels.Identify(a, 10));
        DropPixels.HotPixelsAbove(10).Apply(a);
        Assert.Equal(7, a.Count);
        Assert.DoesNotContain(a.ToEvents(), e => e.X == 0 && e.Y == 0);
    }

    [Fact]
    public void DropPixels_ExplicitCoordinates()
    {
        var a = TestStreams.Of(3, 3, (0, 0, 0, 1), (1, 1, 1, 1), (2, 2, 2, 0), (3, 1, 1, 0));
        new DropPixels([(1, 1), (9, 9)]).Apply(a);
        Assert.Equal([new DvsEvent(0, 0, 0, 1), new DvsEvent(2, 2, 2, 0)], a.ToEvents());
    }

    [Fact]
    public void Filters_RejectEventsOffTheSensor()
    {
        var a = TestStreams.Of(2, 2, (0, 5, 0, 1));
        var ex = Assert.Throws<ArgumentException>(() => new Denoise().Apply(a));
        Assert.Contains("(5,0)", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Denoise(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DropEvents(1.5));
    }
}
