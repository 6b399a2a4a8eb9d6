using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Tests.Transforms;

public class RepresentationTests
{
    [Fact]
    public void SliceByTime_WindowCountFollowsClosedForm()
    {
        var gen = from a in TestStreams.Sorted
                  from w in Gen.Long[1, 3000]
                  from o in Gen.Long[0, w - 1]
                  from inc in Gen.Bool
                  select (a, w, o, inc);
        var slices = new List<EventSliceRange>();
        gen.Sample(c =>
        {
            var (a, w, o, inc) = c;
            int n = EventSlicer.ByTime(w, o, inc).Slice(a.T, slices);
            if (a.Count == 0)
            {
                Assert.Equal(0, n);
                return;
            }

            long[] t = a.T.ToArray();
            long span = t[^1] - t[0], stride = w - o;
            double q = (span - w) / (double)stride;
            long expected = Math.Max(1, (long)(inc ? Math.Ceiling(q) : Math.Floor(q)) + 1);
            Assert.Equal(expected, n);
            for (int k = 0; k < n; k++)
            {
                long ws = t[0] + (k * stride), we = ws + w;
                Assert.Equal(t.Count(x => x < ws), slices[k].Start);
                Assert.Equal(t.Count(x => x < we), slices[k].End);
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OE");
    }

    [Fact]
    public void ToFrame_ShortStreamStillYieldsOneFrame()
    {
        var a = TestStreams.Of(3, 2, (100, 0, 0, 1), (150, 2, 1, 0), (160, 2, 1, 0));
        Tensor4<int> f = ToFrame.ByTimeWindow(1000).Convert(a);
        Assert.Equal((1, 2, 2, 3), (f.D0, f.D1, f.D2, f.D3));
        Assert.Equal(1, f[0, 1, 0, 0]);
        Assert.Equal(2, f[0, 0, 1, 2]);
        Assert.Equal(3, f.Span.ToArray().Sum());
    }

    [Fact]
    public void ToFrame_TimeWindowCountsMatchIndependentBinning()
    {
        var gen = from a in TestStreams.Sorted
                  from w in Gen.Long[50, 2000]
                  from o in Gen.Long[0, w / 2]
                  select (a, w, o);
        var tensor = new Tensor4<int>();
        gen.Sample(c =>
        {
            var (a, w, o) = c;
            var tf = ToFrame.ByTimeWindow(w, o, includeIncomplete: true);
            Tensor4<int> f = tf.Convert(a, tensor);
            DvsEvent[] ev = a.ToEvents();
            if (ev.Length == 0)
            {
                Assert.Equal(0, f.D0);
                return;
            }

            long stride = w - o;
            for (int k = 0; k < f.D0; k++)
            {
                long ws = ev[0].T + (k * stride);
                var expected = new int[2, a.Sensor.Height, a.Sensor.Width];
                foreach (DvsEvent e in ev.Where(e => e.T >= ws && e.T < ws + w))
                {
                    expected[e.P, e.Y, e.X]++;
                }

                for (int p = 0; p < 2; p++)
                {
                    for (int y = 0; y < a.Sensor.Height; y++)
                    {
                        for (int x = 0; x < a.Sensor.Width; x++)
                        {
                            Assert.Equal(expected[p, y, x], f[k, p, y, x]);
                        }
                    }
                }
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OF");
    }

    [Fact]
    public void ToFrame_EventCountWithoutOverlapConservesCounts()
    {
        var gen = from a in TestStreams.Sorted from c in Gen.Int[1, 60] select (a, c);
        gen.Sample(c =>
        {
            var (a, count) = c;
            Tensor4<int> f = ToFrame.ByEventCount(count, includeIncomplete: true, polarities: 1).Convert(a);
            Assert.Equal(a.Count, f.Span.ToArray().Sum());
            if (a.Count > 0)
            {
                int clipped = Math.Min(count, a.Count);
                Assert.Equal((int)Math.Ceiling((a.Count - clipped) / (double)count) + 1, f.D0);
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OG");
    }

    [Fact]
    public void ToFrame_EventBinsFollowTonic()
    {
        // 10 events, 3 bins, no overlap: ⌊10/3⌋ = 3 events per bin, the 10th event is in no bin.
        var a = new EventArray(new SensorSize(1, 1));
        for (int i = 0; i < 10; i++)
        {
            a.Add(i * 10, 0, 0, 1);
        }

        Tensor4<int> f = ToFrame.ByEventBins(3).Convert(a);
        Assert.Equal([0, 3, 0, 3, 0, 3], f.Span.ToArray());

        // Overlap 0.5: c = ⌊3 · 1.5⌋ = 4, stride = ⌊4 · 0.5⌋ = 2 → bins [0,4), [2,6), [4,8).
        f = ToFrame.ByEventBins(3, 0.5, polarities: 1).Convert(a);
        Assert.Equal([4, 4, 4], f.Span.ToArray());
    }

    [Fact]
    public void ToFrame_TimeBinsFollowTonic()
    {
        // times 0..100 step 10 (11 events), 4 bins: w = ⌊100/4⌋ = 25 → [0,25) [25,50) [50,75) [75,100): the event at 100 is outside.
        var a = new EventArray(new SensorSize(1, 1));
        for (int i = 0; i <= 10; i++)
        {
            a.Add(i * 10, 0, 0, 0);
        }

        Tensor4<int> f = ToFrame.ByTimeBins(4, polarities: 1).Convert(a);
        int[] expected = new int[4];
        for (int k = 0; k < 4; k++)
        {
            expected[k] = Enumerable.Range(0, 11).Count(i => i * 10 >= k * 25 && i * 10 < (k + 1) * 25);
        }

        Assert.Equal(expected, f.Span.ToArray());
    }

    [Fact]
    public void ToFrame_RejectsPolarityBeyondChannels()
    {
        var a = TestStreams.Of(1, 1, (0, 0, 0, 2));
        Assert.Throws<ArgumentException>(() => ToFrame.ByEventCount(1).Convert(a));
        var unsorted = TestStreams.Of(1, 1, (5, 0, 0, 0), (1, 0, 0, 0));
        Assert.Throws<ArgumentException>(() => ToFrame.ByEventCount(1).Convert(unsorted));
    }

    [Fact]
    public void VoxelGrid_HandMadeStream()
    {
        // 2 bins, span 100 µs: τ = 2(t − 0)/100.
        var a = TestStreams.Of(2, 1, (0, 0, 0, 1), (25, 0, 0, 1), (50, 1, 0, 0), (100, 0, 0, 1));
        Tensor4<float> v = new ToVoxelGrid(2).Convert(a);
        Assert.Equal((2, 1, 1, 2), (v.D0, v.D1, v.D2, v.D3));

        // e0: τ=0 → bin0 += 1; e1: τ=0.5 → bin0 += 0.5, bin1 += 0.5; e2: τ=1, p=0 → bin1 −= 1; e3: τ=2 → nothing.
        Assert.Equal(1.5f, v[0, 0, 0, 0], 5);
        Assert.Equal(0.5f, v[1, 0, 0, 0], 5);
        Assert.Equal(0f, v[0, 0, 0, 1], 5);
        Assert.Equal(-1f, v[1, 0, 0, 1], 5);
    }

    [Fact]
    public void VoxelGrid_TotalWeightEqualsSignedCountMinusTail()
    {
        TestStreams.Sorted.Sample(a =>
        {
            Tensor4<float> v = new ToVoxelGrid(5).Convert(a);
            DvsEvent[] ev = a.ToEvents();
            if (ev.Length == 0)
            {
                Assert.All(v.Span.ToArray(), x => Assert.Equal(0f, x));
                return;
            }

            // Every event contributes its full weight v except the part that lands beyond bin n − 1.
            double span = ev[^1].T - ev[0].T;
            double expected = 0;
            foreach (DvsEvent e in ev)
            {
                double tau = span > 0 ? 5.0 * (e.T - ev[0].T) / span : 0;
                double w = e.P == 0 ? -1 : 1;
                int i = (int)tau;
                double d = tau - i;
                expected += (i < 5 ? w * (1 - d) : 0) + (i + 1 < 5 ? w * d : 0);
            }

            // An absolute tolerance (float32 bins), not rounding to decimal places: two values 10⁻⁶ apart can round apart.
            Assert.Equal(expected, v.Span.ToArray().Sum(x => (double)x), 5e-4);
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0OH");
    }

    [Fact]
    public void TimeSurface_ExponentialAndLinearValues()
    {
        // dt = 100: windows [0,100), [100,200) (span 150 → ⌊(150−100)/100⌋ + 1 = 1 window without include-incomplete).
        var a = TestStreams.Of(2, 1, (0, 0, 0, 1), (40, 1, 0, 0), (150, 0, 0, 1));
        Tensor4<float> s = new ToTimeSurface(100, 50, TimeSurfaceDecay.Exponential, includeIncomplete: true).Convert(a);
        Assert.Equal((2, 2, 1, 2), (s.D0, s.D1, s.D2, s.D3));
        Assert.Equal((float)Math.Exp(-100 / 50.0), s[0, 1, 0, 0], 6);   // ON at (0,0), t=0, ref 100
        Assert.Equal((float)Math.Exp(-60 / 50.0), s[0, 0, 0, 1], 6);    // OFF at (1,0), t=40
        Assert.Equal(0f, s[0, 0, 0, 0]);                                 // OFF at (0,0) never fired
        Assert.Equal((float)Math.Exp(-50 / 50.0), s[1, 1, 0, 0], 6);    // t=150, ref 200
        Assert.Equal((float)Math.Exp(-160 / 50.0), s[1, 0, 0, 1], 6);

        Tensor4<float> lin = new ToTimeSurface(100, 50, TimeSurfaceDecay.Linear, polarities: 1, includeIncomplete: true).Convert(a);
        Assert.Equal((float)Math.Max(0, 1 - (100 / 150.0)), lin[0, 0, 0, 0], 6);
        Assert.Equal((float)Math.Max(0, 1 - (60 / 150.0)), lin[0, 0, 0, 1], 6);
        Assert.Equal(0f, lin[1, 0, 0, 1]); // 160 > 3τ
    }
}
