using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>What a jitter does with an event moved outside the sensor or to a negative time.</summary>
public enum OutOfBoundsPolicy
{
    /// <summary>Remove the event (Tonic's <c>clip_outliers=True</c> / <c>clip_negative=True</c>).</summary>
    Drop = 0,

    /// <summary>Clamp the value to the nearest valid one (the event stays, on the border).</summary>
    Clamp,

    /// <summary>Keep the value as it is (only meaningful for time, where negative timestamps are representable).</summary>
    Keep,
}

/// <summary>
/// Adds Gaussian noise to timestamps (Tonic <c>TimeJitter</c>): <c>t' = t + round(N(0, std²))</c> per event
/// (rounded to the nearest µs, ties away from zero — Tonic truncates the float sum when storing into an
/// integer field). Negative results are dropped, clamped to 0 or kept per <see cref="NegativeTimes"/>; the
/// result is then stably re-sorted by time when <see cref="Sort"/> is true (the default here; Tonic's default
/// is not to sort, which leaves a stream the slicers cannot use).
/// </summary>
public sealed class TimeJitter : IEventTransform
{
    private readonly DeterministicRandom _rng;

    /// <summary>Creates the jitter.</summary>
    /// <param name="std">Standard deviation in µs (≥ 0).</param>
    /// <param name="negativeTimes">What to do with events whose time becomes negative.</param>
    /// <param name="sort">Re-sort by time afterwards.</param>
    /// <param name="seed">Random seed.</param>
    public TimeJitter(double std, OutOfBoundsPolicy negativeTimes = OutOfBoundsPolicy.Keep, bool sort = true, ulong seed = 0)
    {
        if (!(std >= 0) || double.IsInfinity(std))
        {
            throw new ArgumentOutOfRangeException(nameof(std), std, "The standard deviation must be finite and ≥ 0.");
        }

        Std = std;
        NegativeTimes = negativeTimes;
        Sort = sort;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>Standard deviation in µs.</summary>
    public double Std { get; }

    /// <summary>What happens to events moved before t = 0.</summary>
    public OutOfBoundsPolicy NegativeTimes { get; }

    /// <summary>Whether the result is re-sorted by time.</summary>
    public bool Sort { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        Span<long> ts = events.T;
        for (int i = 0; i < ts.Length; i++)
        {
            long t = ts[i] + (long)Math.Round(_rng.NextGaussian() * Std, MidpointRounding.AwayFromZero);
            if (t < 0 && NegativeTimes == OutOfBoundsPolicy.Clamp)
            {
                t = 0;
            }

            ts[i] = t;
        }

        if (NegativeTimes == OutOfBoundsPolicy.Drop)
        {
            var keep = default(NonNegativeTime);
            EventCompaction.Compact(events, ref keep);
        }

        if (Sort)
        {
            events.SortByTime();
        }
    }

    private readonly struct NonNegativeTime : IEventPredicate
    {
        public bool Keep(int index, long t, ushort x, ushort y) => t >= 0;
    }
}

/// <summary>
/// Moves events by a sample of a 2-D Gaussian (Tonic <c>SpatialJitter</c>): covariance
/// <c>[[var_x, sigma_xy], [sigma_xy, var_y]]</c>, shifts rounded to the nearest pixel (ties away from zero).
/// Events moved off the sensor are dropped (<see cref="OutOfBoundsPolicy.Drop"/>, Tonic's
/// <c>clip_outliers=True</c>) or clamped to the border (<see cref="OutOfBoundsPolicy.Clamp"/>).
/// </summary>
public sealed class SpatialJitter : IEventTransform
{
    private readonly DeterministicRandom _rng;
    private readonly double _a;
    private readonly double _b;
    private readonly double _c;

    /// <summary>Creates the jitter.</summary>
    /// <param name="varX">Variance in x (px², ≥ 0).</param>
    /// <param name="varY">Variance in y (px², ≥ 0).</param>
    /// <param name="sigmaXY">Covariance of x and y; the matrix must be positive semi-definite.</param>
    /// <param name="outOfBounds">Drop or clamp events moved off the sensor (<see cref="OutOfBoundsPolicy.Keep"/> is not allowed).</param>
    /// <param name="seed">Random seed.</param>
    public SpatialJitter(double varX, double varY, double sigmaXY = 0, OutOfBoundsPolicy outOfBounds = OutOfBoundsPolicy.Drop, ulong seed = 0)
    {
        if (!(varX >= 0) || !(varY >= 0) || double.IsInfinity(varX) || double.IsInfinity(varY))
        {
            throw new ArgumentOutOfRangeException(nameof(varX), "The variances must be finite and ≥ 0.");
        }

        if (!double.IsFinite(sigmaXY) || (sigmaXY * sigmaXY) > varX * varY * (1 + 1e-12))
        {
            throw new ArgumentOutOfRangeException(nameof(sigmaXY), sigmaXY, "The covariance matrix must be positive semi-definite (sigma_xy² ≤ var_x·var_y).");
        }

        if (outOfBounds == OutOfBoundsPolicy.Keep)
        {
            throw new ArgumentException("Coordinates off the sensor cannot be kept; choose Drop or Clamp.", nameof(outOfBounds));
        }

        VarX = varX;
        VarY = varY;
        SigmaXY = sigmaXY;
        OutOfBounds = outOfBounds;
        _rng = new DeterministicRandom(seed);

        // Cholesky factor of the covariance: [a 0; b c].
        _a = Math.Sqrt(varX);
        _b = _a > 0 ? sigmaXY / _a : 0;
        _c = Math.Sqrt(Math.Max(0, varY - (_b * _b)));
    }

    /// <summary>Variance in x.</summary>
    public double VarX { get; }

    /// <summary>Variance in y.</summary>
    public double VarY { get; }

    /// <summary>Covariance of x and y.</summary>
    public double SigmaXY { get; }

    /// <summary>What happens to events moved off the sensor.</summary>
    public OutOfBoundsPolicy OutOfBounds { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        SensorSize s = events.Sensor;
        Span<long> ts = events.T;
        Span<ushort> xs = events.X;
        Span<ushort> ys = events.Y;
        Span<byte> ps = events.P;
        int kept = 0;
        for (int i = 0; i < ts.Length; i++)
        {
            double z1 = _rng.NextGaussian();
            double z2 = _rng.NextGaussian();
            long x = xs[i] + (long)Math.Round(_a * z1, MidpointRounding.AwayFromZero);
            long y = ys[i] + (long)Math.Round((_b * z1) + (_c * z2), MidpointRounding.AwayFromZero);
            if (OutOfBounds == OutOfBoundsPolicy.Clamp)
            {
                x = Math.Clamp(x, 0, s.Width - 1);
                y = Math.Clamp(y, 0, s.Height - 1);
            }
            else if (x < 0 || y < 0 || x >= s.Width || y >= s.Height)
            {
                continue;
            }

            ts[kept] = ts[i];
            xs[kept] = (ushort)x;
            ys[kept] = (ushort)y;
            ps[kept] = ps[i];
            kept++;
        }

        events.Truncate(kept);
    }
}

/// <summary>
/// Scales and shifts time (Tonic <c>TimeSkew</c>): <c>t' = round(t · coefficient) + offset</c> (rounded to the
/// nearest µs, ties to even). The coefficient must be positive, so order is preserved.
/// </summary>
public sealed class TimeSkew : IEventTransform
{
    /// <summary>Creates the skew.</summary>
    /// <param name="coefficient">Time scale factor (&gt; 0).</param>
    /// <param name="offset">Shift in µs added after scaling.</param>
    public TimeSkew(double coefficient, long offset = 0)
    {
        if (!(coefficient > 0) || double.IsInfinity(coefficient))
        {
            throw new ArgumentOutOfRangeException(nameof(coefficient), coefficient, "The coefficient must be finite and > 0.");
        }

        Coefficient = coefficient;
        Offset = offset;
    }

    /// <summary>Time scale factor.</summary>
    public double Coefficient { get; }

    /// <summary>Shift in µs.</summary>
    public long Offset { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        Span<long> ts = events.T;
        if (Coefficient == 1.0)
        {
            for (int i = 0; i < ts.Length; i++)
            {
                ts[i] += Offset;
            }

            return;
        }

        for (int i = 0; i < ts.Length; i++)
        {
            ts[i] = (long)Math.Round(ts[i] * Coefficient, MidpointRounding.ToEven) + Offset;
        }
    }
}

/// <summary>
/// Adds <see cref="NoiseEvents"/> events uniformly distributed over the sensor, the polarities and the stream's
/// time span (Tonic <c>UniformNoise</c>): x uniform in [0, W), y in [0, H), p in [0, polarities), t uniform
/// integer in [t_min, t_max]; the result is stably sorted by time (original events before noise at equal times).
/// An empty stream has no time span and is left unchanged.
/// </summary>
public sealed class UniformNoise : IEventTransform
{
    private readonly DeterministicRandom _rng;

    /// <summary>Creates the transform.</summary>
    /// <param name="noiseEvents">Number of events added per sample (≥ 0).</param>
    /// <param name="polarities">Number of polarity values (1 or 2).</param>
    /// <param name="seed">Random seed.</param>
    public UniformNoise(int noiseEvents, int polarities = 2, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(noiseEvents);
        ArgumentOutOfRangeException.ThrowIfLessThan(polarities, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(polarities, 2);
        NoiseEvents = noiseEvents;
        Polarities = polarities;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>Number of events added.</summary>
    public int NoiseEvents { get; }

    /// <summary>Number of polarity values drawn from.</summary>
    public int Polarities { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0 || NoiseEvents == 0)
        {
            return;
        }

        (long tMin, long tMax) = EventOps.TimeRange(events.T);

        SensorSize s = events.Sensor;
        events.EnsureCapacity(events.Count + NoiseEvents);
        for (int i = 0; i < NoiseEvents; i++)
        {
            ushort x = (ushort)_rng.NextInt64(s.Width);
            ushort y = (ushort)_rng.NextInt64(s.Height);
            byte p = (byte)_rng.NextInt64(Polarities);
            long t = tMin + _rng.NextInt64(tMax - tMin + 1);
            events.Add(t, x, y, p);
        }

        events.SortByTime();
    }
}
