using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines;

/// <summary>
/// The surface common to the event-driven and clock-driven engines. One engine runs one <see cref="NetworkSpec"/>;
/// it is used by one thread at a time.
/// </summary>
/// <remarks>
/// <para><b>Time.</b> <see cref="IStateReader.Now"/> only moves forward. <see cref="RunUntil"/> processes everything due at
/// or before the given time and leaves <c>Now</c> there, so <c>RunUntil(a); RunUntil(b)</c> is the same run as
/// <c>RunUntil(b)</c> (pause/resume at any boundary).</para>
/// <para><b>Determinism.</b> The same spec and the same injected events give identical spikes and state on every run.</para>
/// </remarks>
public interface ISimulationEngine : IStateReader
{
    /// <summary>The network being simulated.</summary>
    NetworkSpec Network { get; }

    /// <summary>Total number of spikes emitted so far (model neurons and sources).</summary>
    long SpikeCount { get; }

    /// <summary>Processes everything due at or before <paramref name="until"/>, then sets <c>Now</c> to it.</summary>
    /// <param name="until">Target time (≥ <c>Now</c>).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="until"/> is before <c>Now</c>.</exception>
    void RunUntil(SimTime until);

    /// <summary>
    /// Advances by one unit: event mode processes every event at the next pending time (no-op when nothing is pending);
    /// clock mode runs one dt step.
    /// </summary>
    /// <returns>The new <c>Now</c>.</returns>
    SimTime Step();

    /// <summary>
    /// Injects an external address event: source <paramref name="neuron"/> of external population <paramref name="population"/>
    /// spikes at <paramref name="time"/> (events fan out through the population's projections like any spike).
    /// </summary>
    /// <param name="time">Spike time (≥ <c>Now</c>).</param>
    /// <param name="population">An <see cref="PopulationKind.External"/> population id.</param>
    /// <param name="neuron">Source index.</param>
    /// <exception cref="ArgumentOutOfRangeException">The time is before <c>Now</c> or the index is out of range.</exception>
    /// <exception cref="ArgumentException">The population is not external.</exception>
    void InjectEvent(SimTime time, int population, int neuron);

    /// <summary>Adds a spike monitor (called for every spike from now on).</summary>
    /// <param name="monitor">The monitor.</param>
    void AddSpikeMonitor(ISpikeMonitor monitor);

    /// <summary>Adds a state sampler called at <c>Now</c>, <c>Now + interval</c>, ….</summary>
    /// <param name="sampler">The sampler.</param>
    /// <param name="interval">Interval (≥ 1 tick; clock mode: a multiple of dt).</param>
    void AddStateSampler(IStateSampler sampler, SimDuration interval);

    /// <summary>The state of a neuron population (null for source populations).</summary>
    /// <param name="population">Population id.</param>
    NeuronPopulationState? GetPopulationState(int population);

    /// <summary>The synapses of a projection (weights change under plasticity).</summary>
    /// <param name="projection">Projection id.</param>
    Connectivity.SynapseTable GetSynapses(int projection);

    /// <summary>Writes the whole simulation state (time, neuron state, weights, traces, pending events, random streams).</summary>
    /// <param name="stream">A writable stream.</param>
    void Save(Stream stream);

    /// <summary>
    /// Restores a state written by <see cref="Save"/> from an engine of the same kind built from the same spec; the run
    /// then continues exactly as the saved one would have. Monitors and samplers are not part of the state.
    /// </summary>
    /// <param name="stream">A readable stream.</param>
    /// <exception cref="InvalidDataException">The data is corrupt or belongs to another network or engine kind.</exception>
    void Restore(Stream stream);
}
