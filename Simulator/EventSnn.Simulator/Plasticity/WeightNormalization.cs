using System.Buffers;
using EventSnn.Simulator.Connectivity;

namespace EventSnn.Simulator.Plasticity;

/// <summary>Weight normalisation (<see cref="Network.WeightNormalizationSpec"/>): scales each postsynaptic neuron's incoming weights to a fixed sum.</summary>
public static class WeightNormalization
{
    /// <summary>Scales the incoming weights of every postsynaptic neuron of <paramref name="table"/> so that they sum to <paramref name="total"/>.</summary>
    /// <param name="table">The synapses (its incoming index is built if needed).</param>
    /// <param name="total">The target sum (&gt; 0, finite).</param>
    /// <remarks>A neuron whose incoming weights sum to 0 (or has none) is left unchanged. Sums are taken in double precision.</remarks>
    public static void Apply(SynapseTable table, double total)
    {
        ArgumentNullException.ThrowIfNull(table);
        if (!(total > 0) || !double.IsFinite(total))
        {
            throw new ArgumentOutOfRangeException(nameof(total), total, "The normalisation total must be finite and > 0.");
        }

        // Each neuron's sum in the order of its incoming index (ascending synapse index), computed in one pass over the
        // synapses in storage order, then one scaling pass: the same arithmetic as neuron by neuron, without the gathers.
        table.BuildIncomingIndex();
        int[] targets = table.Targets;
        float[] w = table.Weights;
        double[] sums = ArrayPool<double>.Shared.Rent(table.PostSize);
        try
        {
            Span<double> sum = sums.AsSpan(0, table.PostSize);
            sum.Clear();
            for (int k = 0; k < w.Length; k++)
            {
                sum[targets[k]] += w[k];
            }

            for (int j = 0; j < sum.Length; j++)
            {
                // A neuron whose weights sum to 0 keeps them: a factor of 1 leaves every weight exactly as it is.
                sum[j] = sum[j] == 0 ? 1 : total / sum[j];
            }

            for (int k = 0; k < w.Length; k++)
            {
                w[k] = (float)(w[k] * sum[targets[k]]);
            }
        }
        finally
        {
            ArrayPool<double>.Shared.Return(sums);
        }
    }
}
