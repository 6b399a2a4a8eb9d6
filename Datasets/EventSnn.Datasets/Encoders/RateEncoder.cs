using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Encoders;

/// <summary>
/// Rate (Bernoulli) coding, snnTorch <c>spikegen.rate</c>: at every step 0..<see cref="Steps"/>−1, neuron i spikes
/// with probability <c>clamp(x_i·gain + offset, 0, 1)</c>, independently; steps before
/// <see cref="FirstSpikeTime"/> are silent. Draws come from a seeded <see cref="DeterministicRandom"/> in
/// step-major, neuron-minor order (one draw per neuron per non-silent step), so a seed fixes the train.
/// </summary>
public sealed class RateEncoder
{
    private readonly DeterministicRandom _rng;

    /// <summary>Creates the encoder.</summary>
    /// <param name="steps">Number of time steps (≥ 1).</param>
    /// <param name="gain">Multiplies the input.</param>
    /// <param name="offset">Added after the gain.</param>
    /// <param name="firstSpikeTime">Steps before this one are silent (0..steps−1).</param>
    /// <param name="seed">Random seed.</param>
    public RateEncoder(int steps, double gain = 1, double offset = 0, int firstSpikeTime = 0, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(firstSpikeTime);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(firstSpikeTime, steps - 1);
        if (!double.IsFinite(gain) || !double.IsFinite(offset))
        {
            throw new ArgumentOutOfRangeException(nameof(gain), "gain and offset must be finite.");
        }

        Steps = steps;
        Gain = gain;
        Offset = offset;
        FirstSpikeTime = firstSpikeTime;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>Number of time steps.</summary>
    public int Steps { get; }

    /// <summary>Input gain.</summary>
    public double Gain { get; }

    /// <summary>Input offset.</summary>
    public double Offset { get; }

    /// <summary>First step that may spike.</summary>
    public int FirstSpikeTime { get; }

    /// <summary>The spike probability of an input value: <c>clamp(x·gain + offset, 0, 1)</c> (NaN gives 0).</summary>
    public double Probability(float x)
    {
        double p = (x * Gain) + Offset;
        return p > 0 ? Math.Min(p, 1) : 0;
    }

    /// <summary>Encodes <paramref name="intensities"/> (one per neuron), appending spikes to <paramref name="output"/>.</summary>
    public void Encode(ReadOnlySpan<float> intensities, SpikeTrain output)
    {
        ArgumentNullException.ThrowIfNull(output);
        for (int t = FirstSpikeTime; t < Steps; t++)
        {
            for (int i = 0; i < intensities.Length; i++)
            {
                double p = Probability(intensities[i]);
                if (_rng.NextDouble() < p)
                {
                    output.Add(t, i);
                }
            }
        }
    }
}
