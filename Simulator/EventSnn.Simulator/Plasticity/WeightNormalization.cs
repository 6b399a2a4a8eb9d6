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

        table.BuildIncomingIndex();
        int[] start = table.IncomingStart!;
        int[] syn = table.IncomingSynapse!;
        float[] w = table.Weights;
        for (int j = 0; j < table.PostSize; j++)
        {
            double sum = 0;
            for (int e = start[j]; e < start[j + 1]; e++)
            {
                sum += w[syn[e]];
            }

            if (sum == 0)
            {
                continue;
            }

            double f = total / sum;
            for (int e = start[j]; e < start[j + 1]; e++)
            {
                w[syn[e]] = (float)(w[syn[e]] * f);
            }
        }
    }
}
