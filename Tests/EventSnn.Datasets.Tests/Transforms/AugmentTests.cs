using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Tests.Transforms;

public class AugmentTests
{
    [Fact]
    public void TimeReversal_TwiceShiftsToZeroAndRestoresOrder()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            var rev = new TimeReversal();
            rev.Apply(a);
            Assert.True(a.IsSortedByTime());
            if (before.Length > 0)
            {
                long max = before.Max(e => e.T);
                DvsEvent[] once = a.ToEvents();
                for (int i = 0; i < before.Length; i++)
                {
                    DvsEvent src = before[before.Length - 1 - i];
                    Assert.Equal(new DvsEvent(max - src.T, src.X, src.Y, (byte)(1 - src.P)), once[i]);
                }
            }

            rev.Apply(a);
            long min = before.Length > 0 ? before.Min(e => e.T) : 0;
            Assert.Equal(before.Select(e => e with { T = e.T - min }).ToArray(), a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OI");
    }

    [Fact]
    public void Decimate_KeepsEveryNthEventPerPixel()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] ev = a.ToEvents();
            var expected = new List<DvsEvent>();
            var seen = new Dictionary<(int, int), int>();
            foreach (DvsEvent e in ev)
            {
                int k = seen.GetValueOrDefault((e.X, e.Y)) + 1;
                seen[(e.X, e.Y)] = k;
                if (k % 3 == 0)
                {
                    expected.Add(e);
                }
            }

            new Decimate(3).Apply(a);
            Assert.Equal(expected, a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OJ");
    }

    [Fact]
    public void CropTime_IsHalfOpen()
    {
        var a = TestStreams.Of(1, 1, (5, 0, 0, 1), (10, 0, 0, 1), (19, 0, 0, 0), (20, 0, 0, 1));
        new CropTime(10, 20).Apply(a);
        Assert.Equal([10L, 19L], a.T.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => new CropTime(5, 4));
    }

    [Fact]
    public void DropEventsByTime_RemovesExactlyTheEventsOfOneInterval()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            var d = new DropEventsByTime(0.1, 0.4, seed: 2);
            d.Apply(a);
            if (before.Length == 0)
            {
                Assert.Null(d.LastInterval);
                return;
            }

            (double s, double e) = d.LastInterval!.Value;
            long tMin = before.Min(x => x.T), tMax = before.Max(x => x.T);
            Assert.InRange(e - s, 0.1 * (tMax - tMin) - 1e-9, 0.4 * (tMax - tMin) + 1e-9);
            Assert.InRange(s, tMin, tMax);
            Assert.Equal(before.Where(x => x.T < s || x.T > e).ToArray(), a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OK");
    }

    [Fact]
    public void DropEventsByArea_RemovesExactlyTheEventsOfOneBox()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            var d = new DropEventsByArea(0.3, 0.3, seed: 8);
            d.Apply(a);
            (int l, int t, int w, int h) = d.LastBox!.Value;
            Assert.Equal(((int)(a.Sensor.Width * 0.3), (int)(a.Sensor.Height * 0.3)), (w, h));
            Assert.True(l + w <= a.Sensor.Width && t + h <= a.Sensor.Height);
            Assert.Equal(before.Where(x => !(x.X >= l && x.X < l + w && x.Y >= t && x.Y < t + h)).ToArray(), a.ToEvents());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OL");
    }
}

public class StreamingFilterTests
{
    [Fact]
    public void StreamingFilters_OnChunksEqualOneCallOnTheWholeStream()
    {
        var gen = from a in TestStreams.Sorted from cut1 in Gen.Int[0, 200] from cut2 in Gen.Int[0, 200] select (a, cut1, cut2);
        gen.Sample(c =>
        {
            var (a, c1, c2) = c;
            int n = a.Count;
            int[] cuts = [0, Math.Min(c1, c2) % (n + 1), Math.Max(c1, c2) % (n + 1), n];
            Array.Sort(cuts);
            Func<bool, IEventTransform>[] makers =
            [
                s => new Denoise(600, s),
                s => new RefractoryFilter(250, s),
                s => new Decimate(2, s),
            ];
            foreach (var make in makers)
            {
                EventArray whole = a.Clone();
                make(false).Apply(whole);
                IEventTransform streaming = make(true);
                var joined = new EventArray(a.Sensor);
                for (int k = 0; k < 3; k++)
                {
                    var chunk = new EventArray(a.Sensor);
                    chunk.AppendFrom(a, cuts[k], cuts[k + 1] - cuts[k]);
                    streaming.Apply(chunk);
                    joined.AppendFrom(chunk);
                }

                Assert.Equal(whole.ToEvents(), joined.ToEvents());
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OM");
    }

    [Fact]
    public void StreamingFilter_RejectsSensorChangeUntilReset()
    {
        var d = new Denoise(100, streaming: true);
        d.Apply(TestStreams.Of(4, 4, (0, 1, 1, 1)));
        Assert.Throws<ArgumentException>(() => d.Apply(TestStreams.Of(5, 4, (10, 1, 1, 1))));
        d.Reset();
        var a = TestStreams.Of(5, 4, (10, 1, 1, 1));
        d.Apply(a);
        Assert.Equal(1, a.Count); // fresh memory: t = 10 < filter_time, in-sensor neighbours → kept
    }
}
