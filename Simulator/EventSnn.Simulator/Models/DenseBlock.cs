namespace EventSnn.Simulator.Models;

/// <summary>
/// A population's clock-mode state as spans over its struct-of-arrays columns (indexed by absolute neuron
/// index), plus the summed synaptic input per receptor due at the end of the step.
/// </summary>
/// <remarks>Unused variable or input spans are empty. Inputs are applied after integration, before the threshold test.</remarks>
public readonly ref struct DenseBlock
{
    /// <summary>Creates a block.</summary>
    /// <param name="v">Membrane potentials.</param>
    /// <param name="s1">State variable 1 (or empty).</param>
    /// <param name="s2">State variable 2 (or empty).</param>
    /// <param name="s3">State variable 3 (or empty).</param>
    /// <param name="refractory">Remaining refractory ticks.</param>
    /// <param name="input0">Summed input to receptor 0 for this step (or empty for none).</param>
    /// <param name="input1">Summed input to receptor 1 for this step (or empty for none).</param>
    public DenseBlock(Span<double> v, Span<double> s1, Span<double> s2, Span<double> s3, Span<double> refractory, ReadOnlySpan<double> input0, ReadOnlySpan<double> input1)
    {
        V = v;
        S1 = s1;
        S2 = s2;
        S3 = s3;
        Refractory = refractory;
        Input0 = input0;
        Input1 = input1;
    }

    /// <summary>Membrane potentials (mV).</summary>
    public Span<double> V { get; }

    /// <summary>State variable 1.</summary>
    public Span<double> S1 { get; }

    /// <summary>State variable 2.</summary>
    public Span<double> S2 { get; }

    /// <summary>State variable 3.</summary>
    public Span<double> S3 { get; }

    /// <summary>Remaining refractory time in ticks.</summary>
    public Span<double> Refractory { get; }

    /// <summary>Summed input to receptor 0 (empty: none).</summary>
    public ReadOnlySpan<double> Input0 { get; }

    /// <summary>Summed input to receptor 1 (empty: none).</summary>
    public ReadOnlySpan<double> Input1 { get; }

    /// <summary>Loads neuron <paramref name="i"/> into a <see cref="NeuronState"/>.</summary>
    /// <param name="i">Absolute neuron index.</param>
    public NeuronState Load(int i)
    {
        var s = new NeuronState { V = V[i], Refractory = Refractory[i] };
        if (!S1.IsEmpty)
        {
            s.S1 = S1[i];
        }

        if (!S2.IsEmpty)
        {
            s.S2 = S2[i];
        }

        if (!S3.IsEmpty)
        {
            s.S3 = S3[i];
        }

        return s;
    }

    /// <summary>Stores <paramref name="s"/> into neuron <paramref name="i"/>.</summary>
    /// <param name="i">Absolute neuron index.</param>
    /// <param name="s">The state.</param>
    public void Store(int i, in NeuronState s)
    {
        V[i] = s.V;
        Refractory[i] = s.Refractory;
        if (!S1.IsEmpty)
        {
            S1[i] = s.S1;
        }

        if (!S2.IsEmpty)
        {
            S2[i] = s.S2;
        }

        if (!S3.IsEmpty)
        {
            S3[i] = s.S3;
        }
    }
}
