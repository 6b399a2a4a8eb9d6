using System.Collections.Immutable;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tracing;

/// <summary>One output column of a trace: the neuron's output (the spike or its amplitude) or a state variable.</summary>
/// <param name="Name">The column name, as the library calls the value (<c>spk</c>, <c>mem</c>, <c>o</c>, <c>h</c>, …).</param>
/// <param name="StateIndex">The state variable (<see cref="NeuronModelInfo.StateVariables"/> index), or −1 for the output.</param>
public sealed record TraceColumn(string Name, int StateIndex)
{
    /// <summary>Whether the column is the neuron's output rather than a state variable.</summary>
    public bool IsOutput => StateIndex < 0;
}

/// <summary>
/// A population of N neurons of one model, ready to be stepped with an analog input per step (<see cref="TraceRunner"/>):
/// parameter values (shared or per neuron), initial state, optional recurrence, and the columns to report.
/// </summary>
public sealed class TraceSetup
{
    /// <summary>Creates a setup.</summary>
    /// <param name="model">The model.</param>
    /// <param name="size">The number of neurons (≥ 1).</param>
    /// <param name="columns">The columns to report.</param>
    public TraceSetup(NeuronModel model, int size, IEnumerable<TraceColumn> columns)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Model = model;
        Size = size;
        Columns = [.. columns];
    }

    /// <summary>The model.</summary>
    public NeuronModel Model { get; }

    /// <summary>The number of neurons.</summary>
    public int Size { get; }

    /// <summary>The columns reported per (step, neuron), after <c>step,neuron</c>.</summary>
    public ImmutableArray<TraceColumn> Columns { get; }

    /// <summary>Parameter values shared by every neuron (unset parameters keep the model's defaults).</summary>
    public Dictionary<string, double> Parameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Per-neuron parameter values (each of length <see cref="Size"/>).</summary>
    public Dictionary<string, double[]> PerNeuronParameters { get; } = new(StringComparer.Ordinal);

    /// <summary>Initial values of state variables by model state name (each of length <see cref="Size"/>).</summary>
    public Dictionary<string, double[]> Initial { get; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Recurrent weights, row-major N×N with row = target neuron: each step the previous step's outputs, weighted, are fed
    /// to receptor 1 (in a network: a projection of the population onto itself with a delay of one step). Null for none.
    /// </summary>
    public float[]? Recurrent { get; set; }

    /// <summary>The outputs of the step before step 0 that the recurrence sees first (length <see cref="Size"/>), or null for zeros.</summary>
    public float[]? InitialOutputs { get; set; }

    /// <summary>
    /// The clock step (1 tick by default). The discrete-time libraries' models do not depend on it; models in physical units
    /// (for example <c>adex</c>, <c>izhikevich</c>, <c>srm0</c>) integrate over it.
    /// </summary>
    public SimDuration Step { get; set; } = SimDuration.FromTicks(1);

    /// <summary>The number of inputs per neuron and step: 1 (receptor 0) or 2 (receptors 0 and 1, for models with a second input).</summary>
    public int InputsPerNeuron { get; set; } = 1;
}
