using EventSnn.Datasets.Emulation;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Emulation;

public class EmulatorTests
{
    private static readonly SensorSize One = new(1, 1);

    [Fact]
    public void SinglePixelRamp_YieldsComputedEventsAtComputedTimes()
    {
        const double c = 0.25;
        var em = new DvsEmulator(One, new DvsEmulatorOptions { OnThreshold = c, OffThreshold = c, LogEpsilon = 0 });
        var output = new EventArray(One);
        float bright = (float)Math.Exp(1.1);
        Assert.Equal(0, em.AddFrame(0, [1f], output));
        em.AddFrame(1000, [bright], output);
        em.AddFrame(3000, [1f], output);

        // Independent expectation: ON crossings at k·C ≤ L1 over (0, 1000], then OFF crossings back down to 0 over (1000, 3000].
        double l1 = Math.Log(bright);
        var expected = new List<DvsEvent>();
        double level = 0;
        while (l1 - level >= c)
        {
            level += c;
            expected.Add(new DvsEvent((long)Math.Round(1000 * level / l1, MidpointRounding.ToEven), 0, 0, 1));
        }

        Assert.Equal(4, expected.Count); // 1.1 / 0.25 → 4 crossings
        while (level - 0 >= c)
        {
            level -= c;
            expected.Add(new DvsEvent(1000 + (long)Math.Round(2000 * (level - l1) / (0 - l1), MidpointRounding.ToEven), 0, 0, 0));
        }

        Assert.Equal(8, expected.Count);
        Assert.Equal(expected, output.ToEvents());
    }

    [Fact]
    public void WithoutInterpolation_EventsCarryTheFrameTime()
    {
        var em = new DvsEmulator(One, new DvsEmulatorOptions { OnThreshold = 0.3, InterpolateTimes = false, LogEpsilon = 0 });
        var output = new EventArray(One);
        em.AddFrame(10, [1f], output);
        em.AddFrame(500, [(float)Math.Exp(1.0)], output);
        Assert.Equal((int)Math.Floor(Math.Log((float)Math.Exp(1.0)) / 0.3), output.Count);
        Assert.All(output.T.ToArray(), t => Assert.Equal(500, t));
    }

    [Fact]
    public void ConstantImage_YieldsNoEvents()
    {
        var s = new SensorSize(7, 5);
        var em = new DvsEmulator(s);
        var output = new EventArray(s);
        float[] img = Enumerable.Range(0, 35).Select(i => (i * 37 % 11) / 10f).ToArray();
        for (int k = 0; k < 20; k++)
        {
            em.AddFrame(k * 1000, img, output);
        }

        Assert.Equal(0, output.Count);
    }

    [Fact]
    public void RefractoryPeriod_IsHonoured()
    {
        const double c = 0.2;
        const long refractory = 300;
        var em = new DvsEmulator(One, new DvsEmulatorOptions { OnThreshold = c, LogEpsilon = 0, RefractoryPeriodUs = refractory });
        var output = new EventArray(One);
        float top = (float)Math.Exp(1.0);
        em.AddFrame(0, [1f], output);
        em.AddFrame(1000, [top], output);

        double l1 = Math.Log(top);
        var expected = new List<long>();
        long last = long.MinValue;
        double level = 0;
        while (l1 - level >= c)
        {
            level += c;
            long t = (long)Math.Round(1000 * level / l1, MidpointRounding.ToEven);
            if (last == long.MinValue || t - last >= refractory)
            {
                expected.Add(t);
                last = t;
            }
        }

        Assert.Equal(expected, output.T.ToArray());
        Assert.True(expected.Count < 5, "the refractory period must drop some of the 5 crossings");
        long[] times = output.T.ToArray();
        for (int i = 1; i < times.Length; i++)
        {
            Assert.True(times[i] - times[i - 1] >= refractory);
        }
    }

    [Fact]
    public void ShotNoise_RateAndDeterminism()
    {
        var s = new SensorSize(10, 10);
        var opts = new DvsEmulatorOptions { ShotNoiseRateHz = 50, Seed = 5 };
        EventArray Run()
        {
            var em = new DvsEmulator(s, opts);
            var output = new EventArray(s);
            float[] img = new float[100];
            for (int k = 0; k <= 100; k++)
            {
                em.AddFrame(k * 10_000, img, output);
            }

            return output;
        }

        EventArray a = Run(), b = Run();
        Assert.Equal(a.ToEvents(), b.ToEvents());

        // 100 pixels × 50 Hz × 1 s = 5000 expected; Poisson sd ≈ 71.
        Assert.InRange(a.Count, 5000 - (5 * 71), 5000 + (5 * 71));
        Assert.True(a.IsSortedByTime());
    }

    [Fact]
    public void InvalidFrames_AreRejected()
    {
        var em = new DvsEmulator(One);
        var output = new EventArray(One);
        em.AddFrame(100, [0.5f], output);
        Assert.Throws<ArgumentOutOfRangeException>(() => em.AddFrame(100, [0.5f], output));
        Assert.Throws<ArgumentException>(() => em.AddFrame(200, [0.5f, 1f], output));
        var ex = Assert.Throws<ArgumentException>(() => em.AddFrame(200, [float.NaN], output));
        Assert.Contains("Pixel 0", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DvsEmulator(One, new DvsEmulatorOptions { OnThreshold = 0 }));
    }

    [Fact]
    public void Saccades_ZeroImageGivesNoEvents()
    {
        EventArray ev = Saccades.Generate(new float[28 * 28], 28, 28);
        Assert.Equal(new SensorSize(34, 34), ev.Sensor);
        Assert.Equal(0, ev.Count);
    }

    [Fact]
    public void Saccades_SinglePixelEventsFollowThePath()
    {
        const int w = 9, h = 9, px = 4, py = 4;
        float[] img = new float[w * h];
        img[(py * w) + px] = 1f;
        var opts = new SaccadeOptions();
        EventArray ev = Saccades.Generate(img, w, h, opts, startTimeUs: 1_000_000);
        Assert.True(ev.Count > 50, $"expected a stream, got {ev.Count} events");
        Assert.True(ev.IsSortedByTime());
        foreach (DvsEvent e in ev.ToEvents())
        {
            Assert.InRange(e.T, 1_000_001, 1_000_000 + (3 * opts.SaccadeDurationUs));

            // The bright pixel is at (px + ox(t), py + oy(t)); bilinear sampling spreads it over the 2×2 pixels around it,
            // and a crossing stamped inside a frame interval can lag the position by one interval of motion (< 0.1 px).
            (double ox, double oy) = Saccades.PathOffset(e.T - 1_000_000, opts);
            Assert.InRange(e.X - (px + ox), -1.1, 1.1);
            Assert.InRange(e.Y - (py + oy), -1.1, 1.1);
        }

        // All three legs produce events.
        long[] t = ev.T.ToArray();
        for (int leg = 0; leg < 3; leg++)
        {
            long lo = 1_000_000 + (leg * opts.SaccadeDurationUs), hi = lo + opts.SaccadeDurationUs;
            Assert.Contains(t, x => x > lo && x <= hi);
        }
    }

    [Fact]
    public void Saccades_PathVisitsTriangleVertices()
    {
        var o = new SaccadeOptions { Margin = 3, SaccadeDurationUs = 1000 };
        Assert.Equal((0.0, 0.0), Saccades.PathOffset(0, o));
        Assert.Equal((3.0, 6.0), Saccades.PathOffset(1000, o));
        Assert.Equal((6.0, 0.0), Saccades.PathOffset(2000, o));
        Assert.Equal((0.0, 0.0), Saccades.PathOffset(3000, o));
        Assert.Equal((1.5, 3.0), Saccades.PathOffset(500, o));
    }
}

public class EmulatedReaderTests
{
    [Fact]
    public void Reader_YieldsTheSameEventsAsTheEmulatorInSmallBatches()
    {
        var s = new SensorSize(6, 4);
        var opts = new DvsEmulatorOptions { OnThreshold = 0.15, OffThreshold = 0.15, RefractoryPeriodUs = 50, ShotNoiseRateHz = 20, Seed = 9 };
        IEnumerable<(long, float[])> Frames()
        {
            for (int k = 0; k < 60; k++)
            {
                float[] f = new float[24];
                for (int i = 0; i < 24; i++)
                {
                    f[i] = 0.5f + (0.45f * (float)Math.Sin((k * 0.3) + i));
                }

                yield return (k * 1000L, f);
            }
        }

        var em = new DvsEmulator(s, opts);
        var expected = new EventArray(s);
        foreach ((long t, float[] f) in Frames())
        {
            em.AddFrame(t, f, expected);
        }

        using var reader = new EmulatedEventReader(s, Frames(), opts);
        using var batch = new EventBatch(7);
        var got = new EventArray(s);
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            got.AppendFrom(batch);
        }

        Assert.True(expected.Count > 100);
        Assert.Equal(expected.ToEvents(), got.ToEvents());
        Assert.Equal(60, reader.FramesRead);
        Assert.Equal(s, reader.Info.Sensor);
    }
}
