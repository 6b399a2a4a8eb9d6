using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// Mirrors x (Tonic <c>RandomFlipLR</c>): <c>x' = W − 1 − x</c>, applied to a whole sample with probability
/// <see cref="Probability"/> (1 = always, the deterministic flip).
/// </summary>
public sealed class FlipLeftRight : IEventTransform
{
    private readonly SampleGate _gate;

    /// <summary>Creates the flip.</summary>
    /// <param name="probability">Chance that a sample is flipped, in [0, 1] (Tonic's random flip uses 0.5).</param>
    /// <param name="seed">Random seed (used only when 0 &lt; probability &lt; 1).</param>
    public FlipLeftRight(double probability = 1.0, ulong seed = 0)
        => _gate = new SampleGate(probability, seed, nameof(probability));

    /// <summary>Chance that a sample is flipped.</summary>
    public double Probability => _gate.Probability;

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!_gate.Draw())
        {
            return;
        }

        TransformGuards.CheckInSensor(events, nameof(FlipLeftRight));
        EventOps.Mirror(events.X, events.Sensor.Width);
    }
}

/// <summary>
/// Mirrors y (Tonic <c>RandomFlipUD</c>): <c>y' = H − 1 − y</c>, applied to a whole sample with probability
/// <see cref="Probability"/>.
/// </summary>
public sealed class FlipUpDown : IEventTransform
{
    private readonly SampleGate _gate;

    /// <summary>Creates the flip.</summary>
    /// <param name="probability">Chance that a sample is flipped, in [0, 1].</param>
    /// <param name="seed">Random seed (used only when 0 &lt; probability &lt; 1).</param>
    public FlipUpDown(double probability = 1.0, ulong seed = 0)
        => _gate = new SampleGate(probability, seed, nameof(probability));

    /// <summary>Chance that a sample is flipped.</summary>
    public double Probability => _gate.Probability;

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!_gate.Draw())
        {
            return;
        }

        TransformGuards.CheckInSensor(events, nameof(FlipUpDown));
        EventOps.Mirror(events.Y, events.Sensor.Height);
    }
}

/// <summary>
/// Swaps ON and OFF (Tonic <c>RandomFlipPolarity</c>): <c>p' = 1 − p</c> for p ∈ {0, 1}, applied to a whole
/// sample with probability <see cref="Probability"/>. Other polarity values are rejected.
/// </summary>
public sealed class FlipPolarity : IEventTransform
{
    private readonly SampleGate _gate;

    /// <summary>Creates the flip.</summary>
    /// <param name="probability">Chance that a sample is flipped, in [0, 1].</param>
    /// <param name="seed">Random seed (used only when 0 &lt; probability &lt; 1).</param>
    public FlipPolarity(double probability = 1.0, ulong seed = 0)
        => _gate = new SampleGate(probability, seed, nameof(probability));

    /// <summary>Chance that a sample is flipped.</summary>
    public double Probability => _gate.Probability;

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!_gate.Draw())
        {
            return;
        }

        Checks.BinaryPolarity(events.P, nameof(FlipPolarity));
        EventOps.InvertPolarity(events.P);
    }
}

/// <summary>Sets every polarity to 0 (Tonic <c>MergePolarities</c>).</summary>
public sealed class MergePolarities : IEventTransform
{
    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        events.P.Clear();
    }
}

/// <summary>
/// Spatial downsampling (Tonic <c>Downsample</c> with <c>spatial_factor</c>, or <c>sensor_size</c> →
/// <c>target_size</c>): coordinates are scaled and floored, polarity and time unchanged; events that land on
/// the same pixel are all kept.
/// </summary>
/// <remarks>
/// With a factor f: <c>x' = floor(x·f)</c>, <c>y' = floor(y·f)</c> and the new sensor is
/// <c>ceil(W·f) × ceil(H·f)</c> (so every scaled coordinate is in bounds). With a target size W'×H':
/// <c>x' = floor(x·W'/W)</c>, <c>y' = floor(y·H'/H)</c> in exact integer arithmetic, new sensor W'×H'.
/// </remarks>
public sealed class Downsample : IEventTransform
{
    private readonly double _factor;
    private readonly SensorSize? _target;

    /// <summary>Downsamples by <paramref name="spatialFactor"/> in (0, 1].</summary>
    public Downsample(double spatialFactor)
    {
        if (!(spatialFactor > 0 && spatialFactor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(spatialFactor), spatialFactor, "The spatial factor must be in (0, 1].");
        }

        _factor = spatialFactor;
    }

    /// <summary>Downsamples to <paramref name="target"/>, which must not be larger than the input sensor.</summary>
    public Downsample(SensorSize target)
    {
        if (target.Width == 0)
        {
            throw new ArgumentException("The target size must be at least 1×1.", nameof(target));
        }

        _target = target;
    }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(Downsample));
        SensorSize s = events.Sensor;
        Span<ushort> xs = events.X;
        Span<ushort> ys = events.Y;
        if (_target is SensorSize t)
        {
            if (t.Width > s.Width || t.Height > s.Height)
            {
                throw new ArgumentException($"Downsample: the target {t} is larger than the {s} sensor.", nameof(events));
            }

            for (int i = 0; i < xs.Length; i++)
            {
                xs[i] = (ushort)((long)xs[i] * t.Width / s.Width);
                ys[i] = (ushort)((long)ys[i] * t.Height / s.Height);
            }

            events.Sensor = t;
        }
        else
        {
            double f = _factor;
            for (int i = 0; i < xs.Length; i++)
            {
                xs[i] = (ushort)Math.Floor(xs[i] * f);
                ys[i] = (ushort)Math.Floor(ys[i] * f);
            }

            events.Sensor = new SensorSize((int)Math.Ceiling(s.Width * f), (int)Math.Ceiling(s.Height * f));
        }
    }
}

/// <summary>
/// Crops to a rectangle: keeps events with <c>left ≤ x &lt; left + width</c> and <c>top ≤ y &lt; top + height</c>,
/// shifts them to <c>(x − left, y − top)</c> and sets the sensor to width×height. Three placements:
/// fixed (<see cref="Crop(int, int, int, int)"/>), centred (<see cref="Center"/>: left = ⌊(W − w)/2⌋,
/// top = ⌊(H − h)/2⌋) and random (<see cref="Random"/>: left uniform in [0, W − w], top in [0, H − h]; Tonic's
/// <c>RandomCrop</c>, which draws <c>int(rand·(W − w))</c> and so never picks the last offset — we do).
/// </summary>
public sealed class Crop : IEventTransform
{
    private readonly int _left;
    private readonly int _top;
    private readonly int _mode; // 0 fixed, 1 center, 2 random
    private readonly DeterministicRandom? _rng;

    /// <summary>A fixed crop of <paramref name="width"/>×<paramref name="height"/> at (<paramref name="left"/>, <paramref name="top"/>).</summary>
    public Crop(int left, int top, int width, int height)
        : this(width, height, 0, null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(left);
        ArgumentOutOfRangeException.ThrowIfNegative(top);
        _left = left;
        _top = top;
    }

    private Crop(int width, int height, int mode, DeterministicRandom? rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 65536);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 65536);
        Width = width;
        Height = height;
        _mode = mode;
        _rng = rng;
    }

    /// <summary>The crop width.</summary>
    public int Width { get; }

    /// <summary>The crop height.</summary>
    public int Height { get; }

    /// <summary>A centred crop (Tonic <c>CenterCrop</c>).</summary>
    public static Crop Center(int width, int height) => new(width, height, 1, null);

    /// <summary>A crop at a random position drawn per sample (Tonic <c>RandomCrop</c>).</summary>
    public static Crop Random(int width, int height, ulong seed = 0) => new(width, height, 2, new DeterministicRandom(seed));

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        SensorSize s = events.Sensor;
        if (Width > s.Width || Height > s.Height)
        {
            throw new ArgumentException($"Crop: the {Width}x{Height} crop is larger than the {s} sensor.", nameof(events));
        }

        int left = _left, top = _top;
        if (_mode == 1)
        {
            left = (s.Width - Width) / 2;
            top = (s.Height - Height) / 2;
        }
        else if (_mode == 2)
        {
            left = (int)_rng!.NextInt64(s.Width - Width + 1);
            top = (int)_rng.NextInt64(s.Height - Height + 1);
        }
        else if (left + Width > s.Width || top + Height > s.Height)
        {
            throw new ArgumentException(
                $"Crop: the rectangle at ({left},{top}) of {Width}x{Height} extends beyond the {s} sensor.", nameof(events));
        }

        Span<long> ts = events.T;
        Span<ushort> xs = events.X;
        Span<ushort> ys = events.Y;
        Span<byte> ps = events.P;
        int kept = 0;
        for (int i = 0; i < ts.Length; i++)
        {
            int x = xs[i] - left;
            int y = ys[i] - top;
            if ((uint)x < (uint)Width && (uint)y < (uint)Height)
            {
                ts[kept] = ts[i];
                xs[kept] = (ushort)x;
                ys[kept] = (ushort)y;
                ps[kept] = ps[i];
                kept++;
            }
        }

        events.Truncate(kept);
        events.Sensor = new SensorSize(Width, Height);
    }
}

/// <summary>Parameter checks shared by transforms.</summary>
internal static class Checks
{
    public static double Probability(double p, string name)
    {
        if (!(p >= 0 && p <= 1))
        {
            throw new ArgumentOutOfRangeException(name, p, "The probability must be in [0, 1].");
        }

        return p;
    }

    public static bool Draw(DeterministicRandom rng, double p) => p >= 1 || (p > 0 && rng.NextDouble() < p);

    public static void BinaryPolarity(ReadOnlySpan<byte> events, string transform)
    {
        ReadOnlySpan<byte> ps = events;
        for (int i = 0; i < ps.Length; i++)
        {
            if (ps[i] > 1)
            {
                throw new ArgumentException($"{transform}: event {i} has polarity {ps[i]}; only 0 (OFF) and 1 (ON) are supported.", nameof(events));
            }
        }
    }
}
