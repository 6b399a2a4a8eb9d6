using System.Runtime.InteropServices;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The state of one neuron, as a neuron model sees it in event mode: the membrane potential
/// <see cref="V"/>, up to three further model variables and the remaining refractory time.
/// </summary>
/// <remarks>
/// Populations store these fields as struct-of-arrays columns (<see cref="State.NeuronPopulationState"/>);
/// an engine loads one neuron into this struct, lets the model advance it and stores it back.
/// Which model variable lives in <see cref="S1"/>..<see cref="S3"/> is given by
/// <see cref="NeuronModelInfo.StateVariables"/> (index 0 is always <see cref="V"/>).
/// </remarks>
[StructLayout(LayoutKind.Sequential)]
public struct NeuronState
{
    /// <summary>Maximum number of model state variables (including the membrane potential).</summary>
    public const int MaxVariables = 4;

    /// <summary>Membrane potential in mV (state variable 0).</summary>
    public double V;

    /// <summary>Model state variable 1 (for example the excitatory synaptic current or conductance).</summary>
    public double S1;

    /// <summary>Model state variable 2 (for example the inhibitory synaptic current or conductance).</summary>
    public double S2;

    /// <summary>Model state variable 3 (for example an adaptation variable).</summary>
    public double S3;

    /// <summary>Remaining absolute refractory time in ticks (0 when the neuron is not refractory).</summary>
    public double Refractory;

    /// <summary>Reads state variable <paramref name="index"/> (0 = V, 1..3 = S1..S3).</summary>
    /// <param name="index">The variable index, 0..3.</param>
    public readonly double Get(int index) => index switch
    {
        0 => V,
        1 => S1,
        2 => S2,
        3 => S3,
        _ => throw new ArgumentOutOfRangeException(nameof(index), index, "State variable index must be 0..3."),
    };

    /// <summary>Writes state variable <paramref name="index"/> (0 = V, 1..3 = S1..S3).</summary>
    /// <param name="index">The variable index, 0..3.</param>
    /// <param name="value">The new value.</param>
    public void Set(int index, double value)
    {
        switch (index)
        {
            case 0: V = value; break;
            case 1: S1 = value; break;
            case 2: S2 = value; break;
            case 3: S3 = value; break;
            default: throw new ArgumentOutOfRangeException(nameof(index), index, "State variable index must be 0..3.");
        }
    }
}
