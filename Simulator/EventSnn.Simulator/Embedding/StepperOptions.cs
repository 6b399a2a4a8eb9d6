using EventSnn.EventQueue;

namespace EventSnn.Simulator.Embedding;

/// <summary>What a <see cref="NetworkStepper"/> reads out of a network and where camera events go in.</summary>
public sealed record StepperOptions
{
    /// <summary>
    /// The populations whose spikes are outputs, in output order: output k of population j (the j-th name) is at index
    /// <c>offset(j) + k</c>, where offset(j) is the summed size of the populations named before it. At least one.
    /// </summary>
    public IReadOnlyList<string> Outputs { get; init; } = [];

    /// <summary>
    /// The external input population that camera events (<see cref="Events.DvsEvent"/>) drive, mapped as
    /// <see cref="Inputs.ExternalEventMap"/> maps them; null when the stepper is fed <see cref="InputSpike"/>s only.
    /// </summary>
    public string? CameraInput { get; init; }

    /// <summary>The tick that camera event time 0 µs maps to (default 0).</summary>
    public SimTime CameraOrigin { get; init; }

    /// <summary>
    /// Time constant τ of the rate decoder (default 20 ms): each output's rate is <c>Σ exp(−(t − tₛ)/τ) / τ</c> over its
    /// spikes tₛ ≤ t, in spikes per second.
    /// </summary>
    public SimDuration RateTimeConstant { get; init; } = SimDuration.FromMilliseconds(20L);

    /// <summary>
    /// Optional linear readout, row-major D × N for N outputs: decoded value d is <c>Σₖ Readout[d·N + k] · rate(k)</c>.
    /// Null: the decoded values are the N rates themselves.
    /// </summary>
    public IReadOnlyList<float>? Readout { get; init; }
}
