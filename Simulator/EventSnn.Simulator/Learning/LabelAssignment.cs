namespace EventSnn.Simulator.Learning;

/// <summary>
/// Label assignment by highest mean response (Diehl &amp; Cook 2015): each neuron is assigned the class for which its mean
/// spike count over the examples of that class is highest; an example is classified as the class whose assigned neurons
/// have the highest mean spike count.
/// </summary>
public sealed class LabelAssignment
{
    private readonly double[] _sum;
    private readonly long[] _examples;

    /// <summary>Creates an empty accumulator.</summary>
    /// <param name="neurons">Number of neurons (≥ 1).</param>
    /// <param name="classes">Number of classes (≥ 1).</param>
    public LabelAssignment(int neurons, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(neurons, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        Neurons = neurons;
        Classes = classes;
        _sum = new double[neurons * classes];
        _examples = new long[classes];
    }

    /// <summary>Number of neurons.</summary>
    public int Neurons { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Examples accumulated so far.</summary>
    public long Count { get; private set; }

    /// <summary>Adds one example's spike counts.</summary>
    /// <param name="counts">Spike count per neuron.</param>
    /// <param name="label">The example's class.</param>
    public void Add(ReadOnlySpan<int> counts, int label)
    {
        if (counts.Length != Neurons)
        {
            throw new ArgumentException($"{counts.Length} counts for {Neurons} neurons.", nameof(counts));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(label);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(label, Classes);
        _examples[label]++;
        Count++;
        for (int j = 0; j < counts.Length; j++)
        {
            _sum[(j * Classes) + label] += counts[j];
        }
    }

    /// <summary>Forgets every example.</summary>
    public void Clear()
    {
        Array.Clear(_sum);
        Array.Clear(_examples);
        Count = 0;
    }

    /// <summary>
    /// The class of every neuron: the class with the highest mean response (the lowest class on ties), or −1 for a neuron
    /// that never responded.
    /// </summary>
    public int[] Assign()
    {
        int[] a = new int[Neurons];
        for (int j = 0; j < Neurons; j++)
        {
            int best = -1;
            double bestMean = 0;
            for (int c = 0; c < Classes; c++)
            {
                if (_examples[c] == 0)
                {
                    continue;
                }

                double mean = _sum[(j * Classes) + c] / _examples[c];
                if (mean > bestMean)
                {
                    best = c;
                    bestMean = mean;
                }
            }

            a[j] = best;
        }

        return a;
    }

    /// <summary>
    /// Classifies an example: the class whose assigned neurons have the highest mean spike count (the lowest class on
    /// ties); −1 when no assigned neuron spiked.
    /// </summary>
    /// <param name="counts">Spike count per neuron.</param>
    /// <param name="assignments">Class per neuron (from <see cref="Assign"/>).</param>
    /// <param name="classes">Number of classes.</param>
    public static int Predict(ReadOnlySpan<int> counts, ReadOnlySpan<int> assignments, int classes)
    {
        if (counts.Length != assignments.Length)
        {
            throw new ArgumentException($"{counts.Length} counts for {assignments.Length} assignments.", nameof(counts));
        }

        Span<double> sum = stackalloc double[classes];
        Span<int> n = stackalloc int[classes];
        for (int j = 0; j < counts.Length; j++)
        {
            int c = assignments[j];
            if ((uint)c < (uint)classes)
            {
                sum[c] += counts[j];
                n[c]++;
            }
        }

        int best = -1;
        double bestMean = 0;
        for (int c = 0; c < classes; c++)
        {
            if (n[c] > 0 && sum[c] / n[c] > bestMean)
            {
                best = c;
                bestMean = sum[c] / n[c];
            }
        }

        return best;
    }
}
