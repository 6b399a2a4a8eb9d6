namespace EventSnn.Datasets.Encoders;

/// <summary>
/// Latency (time-to-first-spike) coding, snnTorch <c>spikegen.latency</c>: each input fires once, earlier for larger
/// values. Deterministic.
/// </summary>
/// <remarks>
/// <para>Spike times (snnTorch <c>latency_code</c>), with threshold θ ∈ (0, 1), ε, τ, first spike time f:</para>
/// <list type="bullet">
/// <item><b>Logarithmic</b> (default; an RC circuit charging to x): x is clamped below to θ + ε, then
/// <c>t = τ·ln(x / (x − θ))</c>. With f &gt; 0 the times are shifted so the earliest is f: <c>t ← t − f·(min t / f − 1)</c>.
/// With normalisation: <c>t ← (t − f)·(steps − f − 1)/max(t − f) + f</c> (left at f when every time equals f, where
/// snnTorch would divide 0 by 0).</item>
/// <item><b>Linear</b>: with normalisation τ = steps − 1 − f; <c>t = min(τ·(1 − x), τ·(1 − θ)) + f</c>; if normalised and
/// some t &lt; 0 (inputs above 1) the times are rescaled to [0, steps − 1]. Without normalisation inputs above 1 are
/// rejected (they would give negative times).</item>
/// </list>
/// <para>The spike step is <c>round(t)</c> (ties to even, as <c>torch.round</c>). If any step exceeds steps − 1, all are
/// clamped to steps − 1 and then the whole last step is cleared — snnTorch's behaviour, which silences every input
/// that lands on the last step in that case. With <see cref="Clip"/>, inputs below θ do not spike at all.</para>
/// </remarks>
public sealed class LatencyEncoder
{
    private double[] _times = [];
    private bool[] _below = [];
    private long[] _keys = [];

    /// <summary>Creates the encoder (arguments as in snnTorch).</summary>
    /// <param name="steps">Number of time steps (≥ 1).</param>
    /// <param name="threshold">θ, strictly between 0 and 1 (default 0.01).</param>
    /// <param name="tau">τ &gt; 0 (default 1).</param>
    /// <param name="firstSpikeTime">f, 0..steps−1.</param>
    /// <param name="clip">Silence inputs below θ.</param>
    /// <param name="normalize">Stretch the times over the available steps.</param>
    /// <param name="linear">Linear instead of logarithmic code.</param>
    /// <param name="epsilon">ε &gt; 0 (default 1e-7).</param>
    public LatencyEncoder(int steps, double threshold = 0.01, double tau = 1, int firstSpikeTime = 0, bool clip = false, bool normalize = false, bool linear = false, double epsilon = 1e-7)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if (!(threshold > 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be between 0 and 1.");
        }

        if (!(tau > 0) || double.IsInfinity(tau))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must be finite and > 0.");
        }

        if (!(epsilon > 0) || double.IsInfinity(epsilon))
        {
            throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "epsilon must be finite and > 0.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(firstSpikeTime);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSpikeTime, steps - 1);
        Steps = steps;
        Threshold = threshold;
        Tau = tau;
        FirstSpikeTime = firstSpikeTime;
        Clip = clip;
        Normalize = normalize;
        Linear = linear;
        Epsilon = epsilon;
    }

    /// <summary>Number of time steps.</summary>
    public int Steps { get; }

    /// <summary>θ.</summary>
    public double Threshold { get; }

    /// <summary>τ.</summary>
    public double Tau { get; }

    /// <summary>First spike time f.</summary>
    public int FirstSpikeTime { get; }

    /// <summary>Whether inputs below θ are silenced.</summary>
    public bool Clip { get; }

    /// <summary>Whether times are normalised to the available steps.</summary>
    public bool Normalize { get; }

    /// <summary>Whether the code is linear.</summary>
    public bool Linear { get; }

    /// <summary>ε.</summary>
    public double Epsilon { get; }

    /// <summary>
    /// Computes the real-valued spike times (before rounding) and which inputs are below the threshold.
    /// </summary>
    /// <exception cref="ArgumentException">Spans differ in length, or (linear, not normalised) an input exceeds 1.</exception>
    public void ComputeSpikeTimes(ReadOnlySpan<float> data, Span<double> times, Span<bool> belowThreshold)
    {
        int n = data.Length;
        if (times.Length != n || belowThreshold.Length != n)
        {
            throw new ArgumentException("times and belowThreshold must have the input's length.", nameof(times));
        }

        if (n == 0)
        {
            return;
        }

        double f = FirstSpikeTime;
        for (int i = 0; i < n; i++)
        {
            if (float.IsNaN(data[i]))
            {
                throw new ArgumentException($"Input {i} is NaN.", nameof(data));
            }

            belowThreshold[i] = data[i] < Threshold;
        }

        if (!Linear)
        {
            double min = double.PositiveInfinity;
            for (int i = 0; i < n; i++)
            {
                double x = Math.Max(data[i], Threshold + Epsilon);
                times[i] = Tau * Math.Log(x / (x - Threshold));
                min = Math.Min(min, times[i]);
            }

            if (f > 0)
            {
                double shift = f * ((min / f) - 1);
                for (int i = 0; i < n; i++)
                {
                    times[i] -= shift;
                }
            }

            if (Normalize)
            {
                double max = double.NegativeInfinity;
                for (int i = 0; i < n; i++)
                {
                    max = Math.Max(max, times[i] - f);
                }

                // All times equal to f (max = 0): snnTorch divides 0 by 0; we leave them at f.
                if (max > 0)
                {
                    for (int i = 0; i < n; i++)
                    {
                        times[i] = ((times[i] - f) * (Steps - f - 1) / max) + f;
                    }
                }
            }
        }
        else
        {
            double tau = Tau;
            if (Normalize)
            {
                tau = Steps - 1 - f;
            }
            else
            {
                for (int i = 0; i < n; i++)
                {
                    if (data[i] > 1)
                    {
                        throw new ArgumentException($"Input {i} is {data[i]} > 1: a linear code without normalisation would give a negative spike time.", nameof(data));
                    }
                }
            }

            double cap = -tau * (Threshold - 1);
            double min = double.PositiveInfinity, max = double.NegativeInfinity;
            for (int i = 0; i < n; i++)
            {
                times[i] = Math.Min(-tau * (data[i] - 1), cap) + f;
                min = Math.Min(min, times[i]);
                max = Math.Max(max, times[i]);
            }

            if (min < 0 && Normalize && max > min)
            {
                for (int i = 0; i < n; i++)
                {
                    times[i] = (times[i] - min) * (1 / (max - min)) * (Steps - 1);
                }
            }
        }
    }

    /// <summary>Encodes <paramref name="data"/>, appending one spike per firing input to <paramref name="output"/> in (step, neuron) order.</summary>
    public void Encode(ReadOnlySpan<float> data, SpikeTrain output)
    {
        ArgumentNullException.ThrowIfNull(output);
        int n = data.Length;
        if (_times.Length < n)
        {
            _times = new double[n];
            _below = new bool[n];
            _keys = new long[n];
        }

        Span<double> times = _times.AsSpan(0, n);
        Span<bool> below = _below.AsSpan(0, n);
        ComputeSpikeTimes(data, times, below);
        bool clamped = false;
        for (int i = 0; i < n; i++)
        {
            if (Math.Round(times[i], MidpointRounding.ToEven) > Steps - 1)
            {
                clamped = true;
                break;
            }
        }

        // Emit in (step, neuron) order: sort keys step·n + neuron.
        int k = 0;
        Span<long> keys = _keys.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            if (Clip && below[i])
            {
                continue;
            }

            double t = clamped ? Math.Min(times[i], Steps - 1) : times[i];
            long step = Math.Max(0L, (long)Math.Round(t, MidpointRounding.ToEven));
            if (clamped && step == Steps - 1)
            {
                continue;
            }

            keys[k++] = (step * n) + i;
        }

        keys[..k].Sort();
        for (int j = 0; j < k; j++)
        {
            output.Add((int)(keys[j] / n), (int)(keys[j] % n));
        }
    }
}
