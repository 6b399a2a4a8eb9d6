using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Encoders;

/// <summary>
/// Matterhorn 2.0 <c>snn.DirectEncoder</c>: data loaded as <c>[B, T, …]</c> (batch first) is transposed to the
/// <c>[T, B, …]</c> order a spiking network steps through. Values are copied unchanged.
/// </summary>
public static class DirectEncoder
{
    /// <summary>Transposes <c>[batch, steps, features]</c> into <c>[steps, batch, features]</c>.</summary>
    /// <param name="input"><c>batch × steps × features</c> values, batch first.</param>
    /// <param name="batch">B (≥ 1).</param>
    /// <param name="steps">T (≥ 1).</param>
    /// <param name="destination"><c>steps × batch × features</c> values, step first.</param>
    /// <exception cref="ArgumentException">The lengths are not B·T·features for a whole number of features, or differ.</exception>
    public static void Encode(ReadOnlySpan<float> input, int batch, int steps, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long bt = (long)batch * steps;
        if (input.Length % bt != 0 || destination.Length != input.Length)
        {
            throw new ArgumentException($"Direct encoding needs {batch}×{steps}×features input values and as many destination values; got {input.Length} and {destination.Length}.", nameof(input));
        }

        int f = (int)(input.Length / bt);
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                input.Slice(((b * steps) + t) * f, f).CopyTo(destination.Slice(((t * batch) + b) * f, f));
            }
        }
    }
}

/// <summary>
/// Matterhorn 2.0 <c>snn.AnalogEncoder(time_steps)</c>: the analog input is repeated unchanged at every one of
/// <see cref="TimeSteps"/> steps (<c>[…] → [T, …]</c>), for networks whose first layer takes currents.
/// </summary>
public sealed class AnalogEncoder
{
    /// <summary>Creates the encoder.</summary>
    /// <param name="timeSteps">T (≥ 1; Matterhorn's default 1).</param>
    public AnalogEncoder(int timeSteps = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        TimeSteps = timeSteps;
    }

    /// <summary>T.</summary>
    public int TimeSteps { get; }

    /// <summary>Writes <c>T × input.Length</c> values, step-major.</summary>
    /// <param name="input">The values.</param>
    /// <param name="destination">T copies of them.</param>
    /// <exception cref="ArgumentException">The destination does not hold T·input.Length values.</exception>
    public void Encode(ReadOnlySpan<float> input, Span<float> destination)
    {
        EncoderShapes.Check(TimeSteps, input.Length, destination.Length);
        for (int t = 0; t < TimeSteps; t++)
        {
            input.CopyTo(destination.Slice(t * input.Length, input.Length));
        }
    }
}

/// <summary>
/// Matterhorn 2.0 <c>snn.PoissonEncoder(time_steps, input_range, precision, count)</c>: at each of
/// <see cref="TimeSteps"/> steps, independently per input, <c>x' = (x − min)/(max − min)</c>,
/// <c>p = clamp(x', 0, 1 − precision)</c>, a count <c>r ~ Poisson(−ln(1 − p))</c>; the output is <c>r</c>
/// (<c>count</c>) or <c>r &gt; 0</c> (a spike with probability exactly p).
/// </summary>
/// <remarks>
/// Draws come from a seeded <see cref="DeterministicRandom"/> in step-major, input-minor order (a seed fixes the
/// output; the draws differ from PyTorch's generator). Matterhorn clamps <c>precision</c> to [1e-32, 1]; in double
/// precision 1 − 1e-16 is already 1, so here it is clamped to [1e-15, 1].
/// </remarks>
public sealed class PoissonEncoder
{
    private readonly DeterministicRandom _rng;

    /// <summary>Creates the encoder.</summary>
    /// <param name="timeSteps">T (≥ 1).</param>
    /// <param name="min">The input value that never spikes (Matterhorn's <c>input_range[0]</c>, default 0).</param>
    /// <param name="max">The input value of the highest rate (<c>input_range[1]</c>, default 1; > min).</param>
    /// <param name="precision">The gap below probability 1 (default 1e-5).</param>
    /// <param name="count">Whether to output counts instead of 0/1 spikes.</param>
    /// <param name="seed">Random seed.</param>
    public PoissonEncoder(int timeSteps = 1, double min = 0, double max = 1, double precision = 1e-5, bool count = false, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        if (!double.IsFinite(min) || !double.IsFinite(max) || !(max > min))
        {
            throw new ArgumentOutOfRangeException(nameof(max), $"The input range must be finite with max > min (got [{min}, {max}]).");
        }

        if (double.IsNaN(precision))
        {
            throw new ArgumentOutOfRangeException(nameof(precision), "The precision must be a number.");
        }

        TimeSteps = timeSteps;
        Min = min;
        Max = max;
        Precision = Math.Clamp(precision, 1e-15, 1.0);
        Count = count;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>T.</summary>
    public int TimeSteps { get; }

    /// <summary>The bottom of the input range.</summary>
    public double Min { get; }

    /// <summary>The top of the input range.</summary>
    public double Max { get; }

    /// <summary>The gap below probability 1 (after clamping).</summary>
    public double Precision { get; }

    /// <summary>Whether counts are output.</summary>
    public bool Count { get; }

    /// <summary>The spike probability per step of an input value: <c>clamp((x − min)/(max − min), 0, 1 − precision)</c> (NaN gives 0).</summary>
    /// <param name="x">The input value.</param>
    public double Probability(float x)
    {
        double p = (x - Min) / (Max - Min);
        return p > 0 ? Math.Min(p, 1 - Precision) : 0;
    }

    /// <summary>Writes <c>T × input.Length</c> values (0/1, or counts), step-major.</summary>
    /// <param name="input">The values.</param>
    /// <param name="destination">The encoded steps.</param>
    /// <exception cref="ArgumentException">The destination does not hold T·input.Length values.</exception>
    public void Encode(ReadOnlySpan<float> input, Span<float> destination)
    {
        EncoderShapes.Check(TimeSteps, input.Length, destination.Length);
        for (int t = 0; t < TimeSteps; t++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                long r = Draw(input[i]);
                destination[(t * input.Length) + i] = Count ? r : r > 0 ? 1 : 0;
            }
        }
    }

    /// <summary>Appends the spikes to <paramref name="output"/> in (step, input) order; a count of k adds k spikes at that step.</summary>
    /// <param name="input">The values.</param>
    /// <param name="output">The spike list.</param>
    public void Encode(ReadOnlySpan<float> input, SpikeTrain output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (int t = 0; t < TimeSteps; t++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                long r = Draw(input[i]);
                long k = Count ? r : Math.Min(r, 1);
                for (long j = 0; j < k; j++)
                {
                    output.Add(t, i);
                }
            }
        }
    }

    private long Draw(float x)
    {
        double p = Probability(x);
        return p == 0 ? 0 : _rng.NextPoisson(-Math.Log(1 - p));
    }
}

/// <summary>
/// Matterhorn 2.0 <c>snn.TemporalEncoder(time_steps, prob)</c>: input x is the step at which an input starts firing;
/// at step t (0 … T−1) it spikes when <c>x ≤ t + t_offset</c> and a uniform draw <c>u ≤ prob</c>, so with prob = 1
/// it fires at every step from ⌈x − t_offset⌉ on. <see cref="Encode(ReadOnlySpan{float}, Span{float}, int)"/>
/// returns the offset of the next call (<c>t_offset + T</c>), as Matterhorn's forward does.
/// </summary>
/// <remarks>One draw per input per step, step-major, from a seeded <see cref="DeterministicRandom"/>.</remarks>
public sealed class TemporalEncoder
{
    private readonly DeterministicRandom _rng;

    /// <summary>Creates the encoder.</summary>
    /// <param name="timeSteps">T (≥ 1).</param>
    /// <param name="prob">The probability of a spike at a step once the time is reached, in [0, 1] (default 1).</param>
    /// <param name="seed">Random seed.</param>
    public TemporalEncoder(int timeSteps = 1, double prob = 1.0, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeSteps, 1);
        if (!(prob >= 0 && prob <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(prob), $"prob must be in [0, 1] (got {prob}).");
        }

        TimeSteps = timeSteps;
        Prob = prob;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>T.</summary>
    public int TimeSteps { get; }

    /// <summary>The spike probability once the time is reached.</summary>
    public double Prob { get; }

    /// <summary>Writes <c>T × input.Length</c> 0/1 values, step-major.</summary>
    /// <param name="input">The first firing step of each input (any real value; NaN never fires).</param>
    /// <param name="destination">The encoded steps.</param>
    /// <param name="offset">The step number of the first step written (Matterhorn's <c>t_offset</c>).</param>
    /// <returns><c>offset + T</c>.</returns>
    /// <exception cref="ArgumentException">The destination does not hold T·input.Length values.</exception>
    public int Encode(ReadOnlySpan<float> input, Span<float> destination, int offset = 0)
    {
        EncoderShapes.Check(TimeSteps, input.Length, destination.Length);
        for (int t = 0; t < TimeSteps; t++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                destination[(t * input.Length) + i] = Fires(input[i], t + offset) ? 1 : 0;
            }
        }

        return offset + TimeSteps;
    }

    /// <summary>Appends the spikes to <paramref name="output"/> in (step, input) order, steps counted from 0.</summary>
    /// <param name="input">The first firing step of each input.</param>
    /// <param name="output">The spike list.</param>
    /// <param name="offset">Matterhorn's <c>t_offset</c>.</param>
    /// <returns><c>offset + T</c>.</returns>
    public int Encode(ReadOnlySpan<float> input, SpikeTrain output, int offset = 0)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (int t = 0; t < TimeSteps; t++)
        {
            for (int i = 0; i < input.Length; i++)
            {
                if (Fires(input[i], t + offset))
                {
                    output.Add(t, i);
                }
            }
        }

        return offset + TimeSteps;
    }

    private bool Fires(float x, int step)
    {
        bool draw = _rng.NextDouble() <= Prob;
        return x <= step && draw;
    }
}

/// <summary>
/// Matterhorn 2.0 binary (phase) coding, <c>snn.functional.encode_binary(x, length, repeat)</c>: each value becomes
/// the bits of <c>b = trunc(x)</c> for x ≥ 0, or <c>trunc(x + 2^(length+1))</c> for x &lt; 0, most significant first —
/// step i (0 … length−1) carries bit <c>length − 1 − i</c> — and the <see cref="Length"/> steps are repeated
/// <see cref="Repeat"/> times (T = length·repeat).
/// </summary>
public sealed class BinaryEncoder
{
    /// <summary>Creates the encoder.</summary>
    /// <param name="length">Bits per value, 1 … 62 (default 8).</param>
    /// <param name="repeat">How many times the bit sequence is repeated (≥ 1, default 1).</param>
    public BinaryEncoder(int length = 8, int repeat = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, 62);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        Length = length;
        Repeat = repeat;
    }

    /// <summary>Bits per value.</summary>
    public int Length { get; }

    /// <summary>Repetitions of the bit sequence.</summary>
    public int Repeat { get; }

    /// <summary>T = Length · Repeat.</summary>
    public int TimeSteps => Length * Repeat;

    /// <summary>The integer whose bits are sent: <c>trunc(x)</c>, or <c>trunc(x + 2^(length+1))</c> for negative x.</summary>
    /// <param name="x">The value (finite, |x| &lt; 2^62).</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not finite or too large.</exception>
    public long Bits(float x)
    {
        if (!float.IsFinite(x) || Math.Abs((double)x) >= 4.6e18)
        {
            throw new ArgumentOutOfRangeException(nameof(x), x, "Binary encoding needs finite values below 2^62 in magnitude.");
        }

        double v = x >= 0 ? x : x + Math.ScaleB(1.0, Length + 1);
        return (long)v;
    }

    /// <summary>Writes <c>T × input.Length</c> 0/1 values, step-major.</summary>
    /// <param name="input">The values.</param>
    /// <param name="destination">The encoded steps.</param>
    /// <exception cref="ArgumentException">The destination does not hold T·input.Length values.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is not finite or too large.</exception>
    public void Encode(ReadOnlySpan<float> input, Span<float> destination)
    {
        EncoderShapes.Check(TimeSteps, input.Length, destination.Length);
        for (int i = 0; i < input.Length; i++)
        {
            long b = Bits(input[i]);
            for (int t = 0; t < TimeSteps; t++)
            {
                int bit = Length - 1 - (t % Length);
                destination[(t * input.Length) + i] = (b >> bit) & 1;
            }
        }
    }
}

/// <summary>Shape checks shared by the dense encoders.</summary>
internal static class EncoderShapes
{
    public static void Check(int steps, int inputs, int destination)
    {
        if ((long)steps * inputs != destination)
        {
            throw new ArgumentException($"The destination holds {destination} values; {steps} steps × {inputs} inputs = {(long)steps * inputs} are needed.", nameof(destination));
        }
    }
}
