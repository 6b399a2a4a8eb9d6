namespace EventSnn.Simulator.Engines;

/// <summary>
/// Counts of the work a <see cref="SimulationEngine"/> has done since it was built (not saved with its state): what its
/// run time goes into, for benchmarks and diagnostics.
/// </summary>
/// <param name="Deliveries">Delivery events processed (one per spike, outgoing projection and delay group).</param>
/// <param name="SynapticEvents">Synapses those deliveries reached (one weight added to one target's input each).</param>
/// <param name="NeuronUpdates">
/// Event-driven neuron updates: a neuron brought forward to a tick, its summed inputs of that tick applied, its threshold
/// tested and its next crossing predicted (once per neuron and tick, however many inputs or wake-ups reached it); for
/// populations in scaled form (docs/Simulator.md), the threshold tests of neurons that came near their threshold (their
/// inputs are counted in <paramref name="SynapticEvents"/>).
/// </param>
/// <param name="WakeUps">Wake-up events that updated a neuron (a predicted crossing or a re-check point).</param>
/// <param name="StaleWakeUps">Wake-up events dropped because a later prediction superseded them.</param>
public readonly record struct EngineStatistics(long Deliveries, long SynapticEvents, long NeuronUpdates, long WakeUps, long StaleWakeUps);
