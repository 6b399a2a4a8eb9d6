using EventSnn.EventQueue;

namespace EventSnn.Simulator.Engines;

/// <summary>One input spike of one batch member: source <see cref="Neuron"/> spikes at <see cref="Time"/> after the sample's start.</summary>
/// <param name="Member">The batch member (0 to B − 1).</param>
/// <param name="Time">The time after the sample's start (≥ 0).</param>
/// <param name="Neuron">The source index within the input population.</param>
public readonly record struct BatchEvent(int Member, SimTime Time, int Neuron);

/// <summary>
/// The input of one batch run for one external input population: a dense array <c>[T, B, …]</c> of per-step values, or
/// an event stream per member.
/// </summary>
/// <remarks>
/// <para><b>Dense.</b> Value <c>x[t, b, i]</c> (index <c>(t·B + b)·N + i</c>, N the population's size, C×H×W flattened
/// as <c>(c·H + y)·W + x</c>) is a spike of source i of member b at time t·dt with amplitude x: 0 is no spike, 1 a binary
/// spike (its synapses' weights are added), any other value scales the weights (analog input).</para>
/// <para><b>Events.</b> Each member's events are in time order; an event at any tick τ ≥ 0 is delivered exactly as the
/// engine delivers an injected event (arrival τ + delay, in the step ⌈(τ + delay)/dt⌉).</para>
/// <para>The arrays are referenced, not copied: refill the same array between runs to run without allocating.</para>
/// </remarks>
public sealed class BatchInput
{
    private BatchInput(string population, ReadOnlyMemory<float> dense, IReadOnlyList<BatchEvent>? events)
    {
        ArgumentException.ThrowIfNullOrEmpty(population);
        Population = population;
        Dense = dense;
        Events = events;
    }

    /// <summary>The external input population's name.</summary>
    public string Population { get; }

    /// <summary>The dense values <c>[T, B, N]</c> (empty for an event input).</summary>
    public ReadOnlyMemory<float> Dense { get; }

    /// <summary>The events (null for a dense input).</summary>
    public IReadOnlyList<BatchEvent>? Events { get; }

    /// <summary>A dense input <c>[T, B, N]</c>: per step, per member, one value per source (0: no spike).</summary>
    /// <param name="population">The external input population's name.</param>
    /// <param name="values">T·B·N values, step-major, then member, then source.</param>
    /// <returns>The input.</returns>
    public static BatchInput FromDense(string population, ReadOnlyMemory<float> values) => new(population, values, null);

    /// <summary>An event input: every member's spikes, each member's in time order (members may interleave).</summary>
    /// <param name="population">The external input population's name.</param>
    /// <param name="events">The events.</param>
    /// <returns>The input.</returns>
    public static BatchInput FromEvents(string population, IReadOnlyList<BatchEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        return new(population, default, events);
    }
}
