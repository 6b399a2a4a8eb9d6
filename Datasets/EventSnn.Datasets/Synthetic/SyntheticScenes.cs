using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Synthetic;

/// <summary>Parameters of <see cref="SyntheticScenes.MovingBar"/>.</summary>
public sealed record MovingBarOptions
{
    /// <summary>The sensor (default 64×64).</summary>
    public SensorSize Sensor { get; init; } = new(64, 64);

    /// <summary>Direction of motion in radians, measured from +x towards +y (default 0: moving right).</summary>
    public double DirectionRadians { get; init; }

    /// <summary>Speed along the direction in pixels per second (default 1000).</summary>
    public double SpeedPixelsPerSecond { get; init; } = 1000;

    /// <summary>Bar width across the direction of motion, in pixels (default 4).</summary>
    public double Width { get; init; } = 4;

    /// <summary>Background noise rate per pixel in Hz (default 0).</summary>
    public double NoiseRateHz { get; init; }

    /// <summary>Time of the start in µs (default 0).</summary>
    public long StartTimeUs { get; init; }

    /// <summary>Seed of the noise generator.</summary>
    public ulong Seed { get; init; }
}

/// <summary>Parameters of <see cref="SyntheticScenes.RotatingDot"/>.</summary>
public sealed record RotatingDotOptions
{
    /// <summary>The sensor (default 64×64).</summary>
    public SensorSize Sensor { get; init; } = new(64, 64);

    /// <summary>Radius of the dot's orbit around the sensor centre, in pixels (default 20).</summary>
    public double OrbitRadius { get; init; } = 20;

    /// <summary>Radius of the disc, in pixels (default 4).</summary>
    public double DotRadius { get; init; } = 4;

    /// <summary>Angular speed in radians per second (default 2π: one turn per second).</summary>
    public double AngularSpeedRadiansPerSecond { get; init; } = 2 * Math.PI;

    /// <summary>Angle at t = 0 in radians (default 0).</summary>
    public double PhaseRadians { get; init; }

    /// <summary>Duration in µs (default 1 000 000).</summary>
    public long DurationUs { get; init; } = 1_000_000;

    /// <summary>Time step of the simulation in µs (default 100).</summary>
    public long StepUs { get; init; } = 100;

    /// <summary>Background noise rate per pixel in Hz (default 0).</summary>
    public double NoiseRateHz { get; init; }

    /// <summary>Seed of the noise generator.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Synthetic event scenes for demos and tests. Events are generated directly from the geometry (not through the
/// emulator), so their positions and times are exact and checkable; optional uniform background noise is seeded.
/// Results are <see cref="EventArray"/>s (time-sorted); <see cref="EventArray.ToReader"/> or
/// <see cref="OpenMovingBar"/>/<see cref="OpenRotatingDot"/> give an <see cref="IEventReader"/>.
/// </summary>
public static class SyntheticScenes
{
    /// <summary>
    /// A bright bar of the given width, infinitely long, crossing the sensor once along a direction n = (cos θ, sin θ).
    /// </summary>
    /// <remarks>
    /// With pixel centres c = (x + ½, y + ½) and s = c·n, let s_min be the smallest s over the sensor. The leading
    /// edge is at <c>e(t) = s_min − ½ + v·(t − t_start)·1e-6</c>; a pixel gets an ON event when the leading edge reaches
    /// its centre, <c>t_on = t_start + round(1e6·(s − s_min + ½)/v)</c>, and an OFF event when the trailing edge (width w
    /// behind) passes, <c>t_off = t_start + round(1e6·(s − s_min + ½ + w)/v)</c>. Noise: Poisson(R·pixels·duration)
    /// events at uniform pixels, times in [t_start, t_end] and polarities. Ties in time keep pixel row-major order,
    /// ON events before OFF events, noise last.
    /// </remarks>
    public static EventArray MovingBar(MovingBarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.SpeedPixelsPerSecond > 0) || double.IsInfinity(options.SpeedPixelsPerSecond))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "SpeedPixelsPerSecond must be finite and > 0.");
        }

        if (!(options.Width > 0) || double.IsInfinity(options.Width) || !double.IsFinite(options.DirectionRadians))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "Width must be finite and > 0 and the direction finite.");
        }

        CheckNoise(options.NoiseRateHz);
        SensorSize s = options.Sensor;
        double nx = Math.Cos(options.DirectionRadians), ny = Math.Sin(options.DirectionRadians);
        double sMin = double.PositiveInfinity, sMax = double.NegativeInfinity;
        foreach (double cx in (double[])[0.5, s.Width - 0.5])
        {
            foreach (double cy in (double[])[0.5, s.Height - 0.5])
            {
                double p = (cx * nx) + (cy * ny);
                sMin = Math.Min(sMin, p);
                sMax = Math.Max(sMax, p);
            }
        }

        double v = options.SpeedPixelsPerSecond;
        long t0 = options.StartTimeUs;
        var ev = new EventArray(s, 2 * s.Pixels);
        for (int pass = 0; pass < 2; pass++)
        {
            double extra = pass == 0 ? 0 : options.Width;
            for (int y = 0; y < s.Height; y++)
            {
                for (int x = 0; x < s.Width; x++)
                {
                    double proj = ((x + 0.5) * nx) + ((y + 0.5) * ny);
                    long t = t0 + (long)Math.Round(1e6 * (proj - sMin + 0.5 + extra) / v, MidpointRounding.ToEven);
                    ev.Add(t, (ushort)x, (ushort)y, (byte)(pass == 0 ? 1 : 0));
                }
            }
        }

        long tEnd = t0 + (long)Math.Round(1e6 * (sMax - sMin + 0.5 + options.Width) / v, MidpointRounding.ToEven);
        AddNoise(ev, options.NoiseRateHz, t0, tEnd, options.Seed);
        ev.SortByTime();
        return ev;
    }

    /// <summary>The leading-edge position e(t) (in units of s = c·n) of <see cref="MovingBar"/> at <paramref name="timeUs"/>.</summary>
    public static double MovingBarLeadingEdge(MovingBarOptions options, double timeUs)
    {
        ArgumentNullException.ThrowIfNull(options);
        SensorSize s = options.Sensor;
        double nx = Math.Cos(options.DirectionRadians), ny = Math.Sin(options.DirectionRadians);
        double sMin = Math.Min(0.5 * nx, (s.Width - 0.5) * nx) + Math.Min(0.5 * ny, (s.Height - 0.5) * ny);
        return sMin - 0.5 + (options.SpeedPixelsPerSecond * (timeUs - options.StartTimeUs) * 1e-6);
    }

    /// <summary>
    /// A bright disc orbiting the sensor centre (W/2, H/2). The simulation samples the disc every
    /// <see cref="RotatingDotOptions.StepUs"/>: at step k (t = k·step, k ≥ 1) a pixel whose centre (x + ½, y + ½) is within
    /// the dot radius of the dot centre <c>(W/2 + R·cos(ωt + φ), H/2 + R·sin(ωt + φ))</c> but was not at step k − 1 emits
    /// ON at t; one that was inside and is no longer emits OFF at t. Nothing is emitted at t = 0.
    /// </summary>
    public static EventArray RotatingDot(RotatingDotOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!(options.DotRadius > 0) || !(options.OrbitRadius >= 0) || !double.IsFinite(options.DotRadius) || !double.IsFinite(options.OrbitRadius)
            || !double.IsFinite(options.AngularSpeedRadiansPerSecond) || !double.IsFinite(options.PhaseRadians))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The radii must be finite (dot > 0, orbit ≥ 0) and the angles finite.");
        }

        if (options.StepUs < 1 || options.DurationUs < 0 || options.DurationUs / options.StepUs > 100_000_000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "StepUs must be ≥ 1, DurationUs ≥ 0, and at most 1e8 steps.");
        }

        CheckNoise(options.NoiseRateHz);
        SensorSize s = options.Sensor;
        bool[] inside = new bool[s.Pixels];
        var ev = new EventArray(s);
        Fill(options, 0, inside, null, 0);
        for (long t = options.StepUs; t <= options.DurationUs; t += options.StepUs)
        {
            Fill(options, t, inside, ev, t);
        }

        AddNoise(ev, options.NoiseRateHz, 0, options.DurationUs, options.Seed);
        ev.SortByTime();
        return ev;
    }

    /// <summary>The dot centre of <see cref="RotatingDot"/> at <paramref name="timeUs"/>.</summary>
    public static (double X, double Y) RotatingDotCenter(RotatingDotOptions options, long timeUs)
    {
        ArgumentNullException.ThrowIfNull(options);
        double a = (options.AngularSpeedRadiansPerSecond * timeUs * 1e-6) + options.PhaseRadians;
        return ((options.Sensor.Width / 2.0) + (options.OrbitRadius * Math.Cos(a)), (options.Sensor.Height / 2.0) + (options.OrbitRadius * Math.Sin(a)));
    }

    /// <summary>A reader over a <see cref="MovingBar"/> scene.</summary>
    public static IEventReader OpenMovingBar(MovingBarOptions options) =>
        new EventArrayReader(MovingBar(options), "synthetic:moving-bar", EventFormat.Unknown, "synthetic");

    /// <summary>A reader over a <see cref="RotatingDot"/> scene.</summary>
    public static IEventReader OpenRotatingDot(RotatingDotOptions options) =>
        new EventArrayReader(RotatingDot(options), "synthetic:rotating-dot", EventFormat.Unknown, "synthetic");

    private static void Fill(RotatingDotOptions o, long t, bool[] inside, EventArray? ev, long stamp)
    {
        (double cx, double cy) = RotatingDotCenter(o, t);
        double r2 = o.DotRadius * o.DotRadius;
        int w = o.Sensor.Width;
        for (int i = 0; i < inside.Length; i++)
        {
            double dx = (i % w) + 0.5 - cx, dy = (i / w) + 0.5 - cy;
            bool now = (dx * dx) + (dy * dy) <= r2;
            if (ev is not null && now != inside[i])
            {
                ev.Add(stamp, (ushort)(i % w), (ushort)(i / w), (byte)(now ? 1 : 0));
            }

            inside[i] = now;
        }
    }

    private static void CheckNoise(double rate)
    {
        if (!(rate >= 0) || double.IsInfinity(rate))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, "The noise rate must be finite and ≥ 0.");
        }
    }

    private static void AddNoise(EventArray ev, double rateHz, long t0, long t1, ulong seed)
    {
        if (rateHz == 0)
        {
            return;
        }

        var rng = new DeterministicRandom(seed);
        SensorSize s = ev.Sensor;
        long n = rng.NextPoisson(rateHz * s.Pixels * (t1 - t0) * 1e-6);
        for (long k = 0; k < n; k++)
        {
            int pix = (int)rng.NextInt64(s.Pixels);
            ev.Add(t0 + rng.NextInt64(t1 - t0 + 1), (ushort)(pix % s.Width), (ushort)(pix / s.Width), (byte)rng.NextInt64(2));
        }
    }
}
