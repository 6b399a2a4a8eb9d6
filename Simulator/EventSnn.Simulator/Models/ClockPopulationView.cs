namespace EventSnn.Simulator.Models;

/// <summary>
/// The float32 state of a whole clock-driven population after one step, as a population-wide rule sees it
/// (<see cref="INeuronModel{TSelf}.ApplyPopulationRule"/>): one column per state variable, the refractory steps and the
/// outputs of graded models, each indexed by neuron.
/// </summary>
public readonly ref struct ClockPopulationView
{
    /// <summary>Creates a view.</summary>
    /// <param name="size">The number of neurons.</param>
    /// <param name="v">State variable 0 (at least <paramref name="size"/> long).</param>
    /// <param name="s1">State variable 1, or empty.</param>
    /// <param name="s2">State variable 2, or empty.</param>
    /// <param name="s3">State variable 3, or empty.</param>
    /// <param name="refractory">Remaining refractory steps.</param>
    /// <param name="output">The outputs (amplitudes) of graded models for the neurons that fired, or empty.</param>
    public ClockPopulationView(int size, Span<float> v, Span<float> s1, Span<float> s2, Span<float> s3, Span<float> refractory, Span<float> output)
    {
        Size = size;
        V = v;
        S1 = s1;
        S2 = s2;
        S3 = s3;
        Refractory = refractory;
        Output = output;
    }

    /// <summary>The number of neurons.</summary>
    public int Size { get; }

    /// <summary>State variable 0 (the membrane potential).</summary>
    public Span<float> V { get; }

    /// <summary>State variable 1, or empty.</summary>
    public Span<float> S1 { get; }

    /// <summary>State variable 2, or empty.</summary>
    public Span<float> S2 { get; }

    /// <summary>State variable 3, or empty.</summary>
    public Span<float> S3 { get; }

    /// <summary>Remaining refractory steps.</summary>
    public Span<float> Refractory { get; }

    /// <summary>The outputs (amplitudes) of graded models for the neurons that fired, or empty for binary models.</summary>
    public Span<float> Output { get; }

    /// <summary>State variable <paramref name="index"/> (0 = <see cref="V"/>, 1..3).</summary>
    /// <param name="index">The variable index.</param>
    public Span<float> Column(int index) => index switch
    {
        0 => V,
        1 => S1,
        2 => S2,
        3 => S3,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "State variable index must be 0..3."),
    };
}
