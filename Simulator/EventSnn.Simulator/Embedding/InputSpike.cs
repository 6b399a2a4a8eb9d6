using EventSnn.EventQueue;

namespace EventSnn.Simulator.Embedding;

/// <summary>An input for <see cref="NetworkStepper.Step(SimTime, ReadOnlySpan{InputSpike}, Span{int}, Span{float})"/>: source <see cref="Neuron"/> of external population <see cref="Population"/> spikes at <see cref="Time"/>.</summary>
/// <param name="Time">The spike time (≥ the stepper's <see cref="NetworkStepper.Now"/>).</param>
/// <param name="Population">An external input population's id (<see cref="Network.PopulationSpec.Id"/>).</param>
/// <param name="Neuron">The source index within the population.</param>
public readonly record struct InputSpike(SimTime Time, int Population, int Neuron);
