using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Emulation;

/// <summary>Parameters of the <see cref="DvsEmulator"/>.</summary>
public sealed record DvsEmulatorOptions
{
    /// <summary>ON contrast threshold C_on: the log-intensity rise that makes an ON event (default 0.2).</summary>
    public double OnThreshold { get; init; } = 0.2;

    /// <summary>OFF contrast threshold C_off: the log-intensity fall that makes an OFF event (default 0.2).</summary>
    public double OffThreshold { get; init; } = 0.2;

    /// <summary>
    /// ε added before the logarithm, <c>L = ln(I + ε)</c> (default 1e-3 for intensities in [0, 1]). With 0, intensities
    /// must be strictly positive.
    /// </summary>
    public double LogEpsilon { get; init; } = 1e-3;

    /// <summary>
    /// Per-pixel refractory period in µs (default 0): an event less than this after the pixel's previous emitted
    /// event is dropped, and the reference level still moves (the change is lost, as for a pixel held in reset).
    /// </summary>
    public long RefractoryPeriodUs { get; init; }

    /// <summary>
    /// Interpolate event times between frames (default true): the k-th crossing of a pixel in the interval
    /// (t0, t1] gets the time at which the linearly interpolated log intensity reaches its level (ESIM-style).
    /// When false every event of the interval is stamped t1.
    /// </summary>
    public bool InterpolateTimes { get; init; } = true;

    /// <summary>Shot-noise rate per pixel in Hz (default 0): uniformly timed events of random polarity.</summary>
    public double ShotNoiseRateHz { get; init; }

    /// <summary>Seed of the noise generator.</summary>
    public ulong Seed { get; init; }
}

/// <summary>
/// Emulates an event camera from intensity frames (v2e / ESIM-style): every pixel compares its log intensity with a
/// per-pixel reference level and emits an ON (OFF) event each time the level rises (falls) by the contrast threshold,
/// moving the reference by one threshold per event.
/// </summary>
/// <remarks>
/// <para><b>Model.</b> Frames are row-major H×W float intensities with strictly increasing µs timestamps. The first
/// frame sets each pixel's reference level <c>ref = L = ln(I + ε)</c> and emits nothing. For each later frame at t1
/// (previous frame L0 at t0, new L1): while <c>L1 − ref ≥ C_on</c> an ON crossing at level <c>ref + C_on</c> occurs
/// (ref moves there); while <c>ref − L1 ≥ C_off</c> an OFF crossing at <c>ref − C_off</c>. With interpolation a crossing
/// at level ℓ is stamped <c>t0 + round((t1 − t0)·clamp((ℓ − L0)/(L1 − L0), 0, 1))</c>; otherwise t1.</para>
/// <para><b>Refractory period.</b> A crossing less than <see cref="DvsEmulatorOptions.RefractoryPeriodUs"/> after the
/// pixel's last emitted event is dropped (the reference still moves).</para>
/// <para><b>Noise.</b> With a shot-noise rate R, each interval adds Poisson(R·pixels·(t1 − t0)·1e-6) events at uniform
/// pixels, uniform times in (t0, t1] and uniform polarity; they ignore references and the refractory period.</para>
/// <para>Each frame's events are appended to the output stably sorted by time (ties: pixel row-major order, then
/// crossing order, then noise). The emulator is deterministic for a given seed and frame sequence.</para>
/// </remarks>
public sealed class DvsEmulator
{
    private readonly double[] _ref;
    private readonly double[] _prevLog;
    private readonly long[] _lastEvent;
    private readonly DeterministicRandom _rng;

    /// <summary>Creates an emulator for <paramref name="sensor"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A threshold is not positive, ε is negative, or the period or noise rate is negative.</exception>
    public DvsEmulator(SensorSize sensor, DvsEmulatorOptions? options = null)
    {
        if (sensor.Width == 0)
        {
            throw new ArgumentException("The sensor size must be at least 1×1.", nameof(sensor));
        }

        options ??= new DvsEmulatorOptions();
        if (!(options.OnThreshold > 0) || !(options.OffThreshold > 0) || double.IsInfinity(options.OnThreshold) || double.IsInfinity(options.OffThreshold))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "The contrast thresholds must be finite and > 0.");
        }

        if (!(options.LogEpsilon >= 0) || double.IsInfinity(options.LogEpsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "LogEpsilon must be finite and ≥ 0.");
        }

        if (options.RefractoryPeriodUs < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "RefractoryPeriodUs must be ≥ 0.");
        }

        if (!(options.ShotNoiseRateHz >= 0) || double.IsInfinity(options.ShotNoiseRateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ShotNoiseRateHz must be finite and ≥ 0.");
        }

        Sensor = sensor;
        Options = options;
        _ref = new double[sensor.Pixels];
        _prevLog = new double[sensor.Pixels];
        _lastEvent = new long[sensor.Pixels];
        _rng = new DeterministicRandom(options.Seed);
        Reset();
    }

    /// <summary>The sensor (frame) size.</summary>
    public SensorSize Sensor { get; }

    /// <summary>The parameters.</summary>
    public DvsEmulatorOptions Options { get; }

    /// <summary>Whether a first frame has set the reference levels.</summary>
    public bool IsInitialized { get; private set; }

    /// <summary>The timestamp of the last frame (µs); meaningful once initialised.</summary>
    public long LastFrameTime { get; private set; }

    /// <summary>Forgets all state (the next frame initialises again) and restarts the noise generator.</summary>
    public void Reset()
    {
        IsInitialized = false;
        LastFrameTime = 0;
        Array.Fill(_lastEvent, long.MinValue);
        _rng.Reseed(Options.Seed);
    }

    /// <summary>
    /// Feeds a frame taken at <paramref name="timeUs"/> and appends the events it causes to <paramref name="output"/>.
    /// </summary>
    /// <param name="timeUs">Frame time in µs; must exceed the previous frame's.</param>
    /// <param name="intensity">H×W intensities, row-major, finite and ≥ 0 (&gt; 0 when ε = 0).</param>
    /// <param name="output">Receives the events (its sensor must match).</param>
    /// <returns>The number of events appended.</returns>
    public int AddFrame(long timeUs, ReadOnlySpan<float> intensity, EventArray output)
    {
        ArgumentNullException.ThrowIfNull(output);
        if (intensity.Length != Sensor.Pixels)
        {
            throw new ArgumentException($"The frame has {intensity.Length} values; the {Sensor} sensor needs {Sensor.Pixels}.", nameof(intensity));
        }

        if (output.Sensor != Sensor)
        {
            throw new ArgumentException($"The output is for a {output.Sensor} sensor; the emulator's is {Sensor}.", nameof(output));
        }

        if (IsInitialized && timeUs <= LastFrameTime)
        {
            throw new ArgumentOutOfRangeException(nameof(timeUs), timeUs, $"Frame times must increase; the previous frame was at {LastFrameTime} µs.");
        }

        double eps = Options.LogEpsilon;
        for (int i = 0; i < intensity.Length; i++)
        {
            float v = intensity[i];
            if (!float.IsFinite(v) || v < 0 || (eps == 0 && v == 0))
            {
                throw new ArgumentException($"Pixel {i} (x={i % Sensor.Width}, y={i / Sensor.Width}) has intensity {v}; intensities must be finite and ≥ 0 (> 0 when LogEpsilon is 0).", nameof(intensity));
            }
        }

        if (!IsInitialized)
        {
            for (int i = 0; i < intensity.Length; i++)
            {
                double l = Math.Log(intensity[i] + eps);
                _ref[i] = l;
                _prevLog[i] = l;
            }

            IsInitialized = true;
            LastFrameTime = timeUs;
            return 0;
        }

        int start = output.Count;
        long t0 = LastFrameTime;
        long dt = timeUs - t0;
        double con = Options.OnThreshold;
        double coff = Options.OffThreshold;
        long refractory = Options.RefractoryPeriodUs;
        bool interp = Options.InterpolateTimes;
        int w = Sensor.Width;
        for (int i = 0; i < intensity.Length; i++)
        {
            double l1 = Math.Log(intensity[i] + eps);
            double l0 = _prevLog[i];
            double r = _ref[i];
            while (true)
            {
                double level;
                byte p;
                if (l1 - r >= con)
                {
                    level = r + con;
                    p = 1;
                }
                else if (r - l1 >= coff)
                {
                    level = r - coff;
                    p = 0;
                }
                else
                {
                    break;
                }

                r = level;
                long t = timeUs;
                if (interp && l1 != l0)
                {
                    double frac = Math.Clamp((level - l0) / (l1 - l0), 0, 1);
                    t = t0 + (long)Math.Round(dt * frac, MidpointRounding.ToEven);
                }

                long last = _lastEvent[i];
                if (refractory > 0 && last != long.MinValue && t - last < refractory)
                {
                    continue;
                }

                _lastEvent[i] = t;
                output.Add(t, (ushort)(i % w), (ushort)(i / w), p);
            }

            _ref[i] = r;
            _prevLog[i] = l1;
        }

        if (Options.ShotNoiseRateHz > 0)
        {
            long n = _rng.NextPoisson(Options.ShotNoiseRateHz * Sensor.Pixels * dt * 1e-6);
            for (long k = 0; k < n; k++)
            {
                int pix = (int)_rng.NextInt64(Sensor.Pixels);
                long t = t0 + 1 + _rng.NextInt64(dt);
                byte p = (byte)_rng.NextInt64(2);
                output.Add(t, (ushort)(pix % w), (ushort)(pix / w), p);
            }
        }

        output.SortByTime(start);
        LastFrameTime = timeUs;
        return output.Count - start;
    }
}
