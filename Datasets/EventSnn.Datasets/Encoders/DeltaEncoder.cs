namespace EventSnn.Datasets.Encoders;

/// <summary>
/// Delta modulation, snnTorch <c>spikegen.delta</c>: for a time series x[t, i] (steps × neurons, step-major), neuron i
/// spikes at step t when <c>x[t, i] − x[t−1, i] ≥ threshold</c>; with <see cref="OffSpikes"/>, it emits an OFF spike
/// (sign −1) when the difference is ≤ −threshold. The value before step 0 is 0, or x[0, i] with
/// <see cref="Padding"/> (so step 0 never spikes). Deterministic.
/// </summary>
public sealed class DeltaEncoder
{
    /// <summary>Creates the encoder.</summary>
    /// <param name="threshold">The change needed for a spike (snnTorch default 0.1); must be positive.</param>
    /// <param name="padding">Compare step 0 with itself instead of with 0.</param>
    /// <param name="offSpikes">Emit −1 spikes for decreases.</param>
    public DeltaEncoder(double threshold = 0.1, bool padding = false, bool offSpikes = false)
    {
        if (!(threshold > 0) || double.IsInfinity(threshold))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The threshold must be finite and > 0.");
        }

        Threshold = threshold;
        Padding = padding;
        OffSpikes = offSpikes;
    }

    /// <summary>The change needed for a spike.</summary>
    public double Threshold { get; }

    /// <summary>Whether step 0 is compared with itself.</summary>
    public bool Padding { get; }

    /// <summary>Whether decreases give −1 spikes.</summary>
    public bool OffSpikes { get; }

    /// <summary>
    /// Encodes <paramref name="series"/>, a step-major [steps × <paramref name="neurons"/>] array, appending spikes to
    /// <paramref name="output"/> in (step, neuron) order.
    /// </summary>
    /// <exception cref="ArgumentException">The series length is not a multiple of <paramref name="neurons"/>.</exception>
    public void Encode(ReadOnlySpan<float> series, int neurons, SpikeTrain output)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentOutOfRangeException.ThrowIfLessThan(neurons, 1);
        if (series.Length % neurons != 0)
        {
            throw new ArgumentException($"The series has {series.Length} values, not a multiple of {neurons} neurons.", nameof(series));
        }

        int steps = series.Length / neurons;
        for (int t = 0; t < steps; t++)
        {
            for (int i = 0; i < neurons; i++)
            {
                double cur = series[(t * neurons) + i];
                double prev = t > 0 ? series[((t - 1) * neurons) + i] : (Padding ? cur : 0);
                double d = cur - prev;
                if (d >= Threshold)
                {
                    output.Add(t, i, 1);
                }
                else if (OffSpikes && d <= -Threshold)
                {
                    output.Add(t, i, -1);
                }
            }
        }
    }
}
