using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Tests.Transforms;

public class JitterTests
{
    [Fact]
    public void TimeJitter_ZeroStdIsIdentity_AndResultIsSorted()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            new TimeJitter(0).Apply(a);
            Assert.Equal(before, a.ToEvents());
            new TimeJitter(200, seed: 5).Apply(a);
            Assert.True(a.IsSortedByTime());
            Assert.Equal(before.Length, a.Count);
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O9");
    }

    [Fact]
    public void TimeJitter_ShiftsHaveTheRequestedSpread()
    {
        const int n = 20_000;
        const double std = 50;
        var a = new EventArray(new SensorSize(1, 1), n);
        for (int i = 0; i < n; i++)
        {
            a.Add(1_000_000, 0, 0, 1);
        }

        new TimeJitter(std, sort: false, seed: 9).Apply(a);
        double mean = 0, sq = 0;
        foreach (long t in a.T)
        {
            double d = t - 1_000_000;
            mean += d;
            sq += d * d;
        }

        mean /= n;
        double var = (sq / n) - (mean * mean);

        // Mean within 5 standard errors; variance of rounded N(0, σ²) is σ² + 1/12, within 5 % here.
        Assert.InRange(mean, -5 * std / Math.Sqrt(n), 5 * std / Math.Sqrt(n));
        Assert.InRange(var, (std * std) * 0.95, (std * std) * 1.05);
    }

    [Fact]
    public void TimeJitter_NegativePolicies()
    {
        var a = TestStreams.Of(1, 1, (0, 0, 0, 1), (1, 0, 0, 1), (2, 0, 0, 1), (3, 0, 0, 1));
        EventArray b = a.Clone();
        new TimeJitter(1000, OutOfBoundsPolicy.Drop, seed: 1).Apply(a);
        Assert.All(a.T.ToArray(), t => Assert.True(t >= 0));
        new TimeJitter(1000, OutOfBoundsPolicy.Clamp, seed: 1).Apply(b);
        Assert.Equal(4, b.Count);
        Assert.All(b.T.ToArray(), t => Assert.True(t >= 0));
    }

    [Fact]
    public void SpatialJitter_DropKeepsOnlyInBounds_ClampConservesCount()
    {
        TestStreams.Sorted.Sample(a =>
        {
            EventArray b = a.Clone();
            int n = a.Count;
            new SpatialJitter(4, 2, 1, OutOfBoundsPolicy.Drop, seed: 3).Apply(a);
            Assert.All(a.ToEvents(), e => Assert.True(a.Sensor.Contains(e.X, e.Y)));
            Assert.True(a.Count <= n);
            new SpatialJitter(4, 2, 1, OutOfBoundsPolicy.Clamp, seed: 3).Apply(b);
            Assert.Equal(n, b.Count);
            Assert.All(b.ToEvents(), e => Assert.True(b.Sensor.Contains(e.X, e.Y)));
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OA");
    }

    [Fact]
    public void SpatialJitter_ShiftsHaveTheRequestedCovariance()
    {
        const int n = 40_000;
        var a = new EventArray(new SensorSize(1001, 1001), n);
        for (int i = 0; i < n; i++)
        {
            a.Add(i, 500, 500, 1);
        }

        new SpatialJitter(4, 9, 3, OutOfBoundsPolicy.Clamp, seed: 21).Apply(a);
        double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
        for (int i = 0; i < n; i++)
        {
            double dx = a.X[i] - 500, dy = a.Y[i] - 500;
            mx += dx;
            my += dy;
            sxx += dx * dx;
            syy += dy * dy;
            sxy += dx * dy;
        }

        mx /= n;
        my /= n;
        double vx = (sxx / n) - (mx * mx), vy = (syy / n) - (my * my), cxy = (sxy / n) - (mx * my);

        // Rounding to whole pixels adds about 1/12 to each variance and nothing to the covariance.
        Assert.InRange(mx, -0.05, 0.05);
        Assert.InRange(my, -0.075, 0.075);
        Assert.InRange(vx, (4 + (1 / 12.0)) * 0.95, (4 + (1 / 12.0)) * 1.05);
        Assert.InRange(vy, (9 + (1 / 12.0)) * 0.95, (9 + (1 / 12.0)) * 1.05);
        Assert.InRange(cxy, 3 * 0.93, 3 * 1.07);
    }

    [Fact]
    public void SpatialJitter_ZeroVarianceIsIdentity_AndCovarianceIsValidated()
    {
        var a = TestStreams.Of(3, 3, (0, 1, 1, 1), (5, 2, 0, 0));
        DvsEvent[] before = a.ToEvents();
        new SpatialJitter(0, 0).Apply(a);
        Assert.Equal(before, a.ToEvents());
        Assert.Throws<ArgumentOutOfRangeException>(() => new SpatialJitter(1, 1, 2));
        Assert.Throws<ArgumentException>(() => new SpatialJitter(1, 1, 0, OutOfBoundsPolicy.Keep));
    }

    [Fact]
    public void TimeSkew_ScalesAndShifts()
    {
        TestStreams.Sorted.Sample(a =>
        {
            long[] expected = a.T.ToArray().Select(t => (long)Math.Round(t * 1.5, MidpointRounding.ToEven) - 7).ToArray();
            new TimeSkew(1.5, -7).Apply(a);
            Assert.Equal(expected, a.T.ToArray());
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OB");
    }

    [Fact]
    public void UniformNoise_AddsEventsInsideTheSpan()
    {
        TestStreams.Sorted.Sample(a =>
        {
            int n = a.Count;
            long[] t = a.T.ToArray();
            new UniformNoise(37, seed: 4).Apply(a);
            if (n == 0)
            {
                Assert.Equal(0, a.Count);
                return;
            }

            Assert.Equal(n + 37, a.Count);
            Assert.True(a.IsSortedByTime());
            Assert.All(a.ToEvents(), e => Assert.True(a.Sensor.Contains(e.X, e.Y) && e.P <= 1 && e.T >= t.Min() && e.T <= t.Max()));
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OC");
    }

    [Fact]
    public void SortByTime_IsStable()
    {
        var a = TestStreams.Of(4, 1, (5, 0, 0, 0), (3, 1, 0, 0), (5, 2, 0, 0), (3, 3, 0, 0), (1, 0, 0, 1));
        a.SortByTime();
        Assert.Equal([new DvsEvent(1, 0, 0, 1), new DvsEvent(3, 1, 0, 0), new DvsEvent(3, 3, 0, 0), new DvsEvent(5, 0, 0, 0), new DvsEvent(5, 2, 0, 0)], a.ToEvents());
    }

    [Fact]
    public void EventArray_AppendsASliceRange()
    {
        var a = TestStreams.Of(3, 3, (0, 0, 0, 1), (10, 1, 1, 0), (20, 2, 2, 1), (30, 0, 1, 0));
        var b = new EventArray(a.Sensor);
        var slices = new List<EventSliceRange>();
        EventSlicer.ByTime(15).Slice(a.T, slices);
        b.AppendFrom(a, slices[1].Start, slices[1].Count);
        Assert.Equal([new DvsEvent(20, 2, 2, 1)], b.ToEvents());
        Assert.Throws<ArgumentOutOfRangeException>(() => b.AppendFrom(a, 3, 2));
    }

    [Fact]
    public void EventArray_RoundTripsThroughReader()
    {
        TestStreams.Sorted.Sample(a =>
        {
            using IEventReader r = a.ToReader("test");
            EventArray b = EventArray.ReadAll(r);
            Assert.Equal(a.ToEvents(), b.ToEvents());
            Assert.Equal(a.Sensor, b.Sensor);
        }, iter: 50, threads: 1, seed: "0N0XIzNsQ0OD");
    }
}
