using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Receives every spike of a simulation, in the order the engine emits them (non-decreasing time; at equal times the
/// engine's deterministic processing order). Both engines call monitors identically. Implementations must not throw
/// and should not allocate per call.
/// </summary>
public interface ISpikeMonitor
{
    /// <summary>Called once per spike (model neurons and spike sources alike).</summary>
    /// <param name="time">The spike time.</param>
    /// <param name="population">The population id (<see cref="Network.PopulationSpec.Id"/>).</param>
    /// <param name="neuron">The neuron index within the population.</param>
    void OnSpike(SimTime time, int population, int neuron);
}

/// <summary>Reads the state of model neurons at the engine's current time.</summary>
public interface IStateReader
{
    /// <summary>The current simulation time.</summary>
    SimTime Now { get; }

    /// <summary>
    /// The value of state variable <paramref name="variable"/> (index into <see cref="Models.NeuronModelInfo.StateVariables"/>)
    /// of one neuron at <see cref="Now"/>. Reading never changes the simulation (event mode advances a copy).
    /// </summary>
    /// <param name="population">Population id (a neuron population).</param>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="variable">State variable index.</param>
    double ReadState(int population, int neuron, int variable);
}

/// <summary>
/// Samples state at a fixed interval. An engine calls <see cref="Sample"/> at every multiple of the interval from the
/// time the sampler was added, after every event (event mode) or step (clock mode) with time ≤ the sample time.
/// </summary>
public interface IStateSampler
{
    /// <summary>Takes one sample.</summary>
    /// <param name="time">The sample time (= <paramref name="reader"/>.Now).</param>
    /// <param name="reader">Reads neuron state at <paramref name="time"/>.</param>
    void Sample(SimTime time, IStateReader reader);
}
