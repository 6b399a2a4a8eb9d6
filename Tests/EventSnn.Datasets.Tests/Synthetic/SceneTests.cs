using EventSnn.Events;
using EventSnn.Datasets.Synthetic;

namespace EventSnn.Datasets.Tests.Synthetic;

public class SceneTests
{
    [Theory]
    [InlineData(0.0)]
    [InlineData(0.7)]
    [InlineData(2.0)]
    [InlineData(-1.9)]
    public void MovingBar_EventsLieOnTheBarEdgesAtTheirTimes(double direction)
    {
        var o = new MovingBarOptions { Sensor = new SensorSize(20, 13), DirectionRadians = direction, SpeedPixelsPerSecond = 2500, Width = 3, StartTimeUs = 500 };
        EventArray ev = SyntheticScenes.MovingBar(o);
        Assert.Equal(2 * 20 * 13, ev.Count);
        Assert.True(ev.IsSortedByTime());

        double nx = Math.Cos(direction), ny = Math.Sin(direction);
        double sMin = double.MaxValue;
        for (int y = 0; y < 13; y++)
        {
            for (int x = 0; x < 20; x++)
            {
                sMin = Math.Min(sMin, ((x + 0.5) * nx) + ((y + 0.5) * ny));
            }
        }

        double tolerance = (2500 * 0.5e-6) + 1e-9; // rounding to the µs
        foreach (DvsEvent e in ev.ToEvents())
        {
            double lead = sMin - 0.5 + (2500 * (e.T - 500) * 1e-6);
            double proj = ((e.X + 0.5) * nx) + ((e.Y + 0.5) * ny);
            double edge = e.P == 1 ? lead : lead - 3;
            Assert.InRange(proj - edge, -tolerance, tolerance);
        }

        // Every pixel fires ON once and then OFF once.
        var on = ev.ToEvents().Where(e => e.P == 1).Select(e => (e.X, e.Y)).ToHashSet();
        Assert.Equal(260, on.Count);
        Assert.Equal(o.Sensor, SyntheticScenes.OpenMovingBar(o).Info.Sensor);
        Assert.Equal(sMin - 0.5, SyntheticScenes.MovingBarLeadingEdge(o, 500), 9);
    }

    [Fact]
    public void MovingBar_NoiseIsSeeded()
    {
        var o = new MovingBarOptions { Sensor = new SensorSize(16, 16), NoiseRateHz = 100, Seed = 3 };
        EventArray a = SyntheticScenes.MovingBar(o), b = SyntheticScenes.MovingBar(o);
        Assert.Equal(a.ToEvents(), b.ToEvents());
        Assert.True(a.Count > 2 * 256);
        EventArray c = SyntheticScenes.MovingBar(o with { Seed = 4 });
        Assert.NotEqual(a.ToEvents(), c.ToEvents());
    }

    [Fact]
    public void RotatingDot_EventsMarkDiscEntryAndExit()
    {
        var o = new RotatingDotOptions { Sensor = new SensorSize(32, 24), OrbitRadius = 8, DotRadius = 3, DurationUs = 250_000, StepUs = 1000, PhaseRadians = 0.3 };
        EventArray ev = SyntheticScenes.RotatingDot(o);
        Assert.True(ev.Count > 100);
        Assert.True(ev.IsSortedByTime());

        bool Inside(int x, int y, long t)
        {
            double a = (2 * Math.PI * t * 1e-6) + 0.3;
            double cx = 16 + (8 * Math.Cos(a)), cy = 12 + (8 * Math.Sin(a));
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
            return (dx * dx) + (dy * dy) <= 9;
        }

        var expected = new List<DvsEvent>();
        for (long t = 1000; t <= 250_000; t += 1000)
        {
            for (int y = 0; y < 24; y++)
            {
                for (int x = 0; x < 32; x++)
                {
                    bool now = Inside(x, y, t), before = Inside(x, y, t - 1000);
                    if (now != before)
                    {
                        expected.Add(new DvsEvent(t, (ushort)x, (ushort)y, (byte)(now ? 1 : 0)));
                    }
                }
            }
        }

        Assert.Equal(expected, ev.ToEvents());
    }

    [Fact]
    public void Scenes_ValidateParameters()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticScenes.MovingBar(new MovingBarOptions { SpeedPixelsPerSecond = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticScenes.RotatingDot(new RotatingDotOptions { StepUs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => SyntheticScenes.RotatingDot(new RotatingDotOptions { DotRadius = double.NaN }));
    }
}
