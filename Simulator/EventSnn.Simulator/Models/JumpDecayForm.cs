namespace EventSnn.Simulator.Models;

/// <summary>
/// The jump-decay form of a model's parameters: between inputs the potential relaxes exponentially towards
/// <see cref="Rest"/> with time constant <see cref="TauTicks"/> (or stays constant when it is +∞), the only receptor jumps
/// it, a spike resets it to <see cref="ResetValue"/> and freezes it for <see cref="RefractoryTicks"/>, inputs arriving
/// while refractory are discarded.
/// </summary>
/// <param name="TauTicks">The relaxation time constant in ticks (&gt; 0), +∞ for a potential that does not move between inputs.</param>
/// <param name="Rest">The level the potential relaxes towards (any reference level when <paramref name="TauTicks"/> is +∞).</param>
/// <param name="Threshold">The threshold.</param>
/// <param name="ResetValue">The potential after a spike.</param>
/// <param name="RefractoryTicks">The refractory period in ticks (≥ 0).</param>
/// <param name="Reset">The reset mode.</param>
/// <param name="Strict">Whether the threshold test is <c>v &gt; θ</c> (else <c>v ≥ θ</c>).</param>
internal readonly record struct JumpDecayForm(double TauTicks, double Rest, double Threshold, double ResetValue, double RefractoryTicks, ResetMode Reset, bool Strict)
{
    /// <summary>
    /// Whether a population with this form can run in scaled form: a finite positive or infinite time constant, a reset to a
    /// value below the threshold, and a relaxation level strictly below the threshold, so that a neuron can only cross the
    /// threshold by an input (never between inputs, never when a refractory period ends).
    /// </summary>
    public bool Qualifies =>
        (double.IsPositiveInfinity(TauTicks) || (double.IsFinite(TauTicks) && TauTicks > 0))
        && Reset == ResetMode.ToValue
        && double.IsFinite(Rest) && double.IsFinite(Threshold) && double.IsFinite(ResetValue)
        && Rest < Threshold && ResetValue < Threshold
        && double.IsFinite(RefractoryTicks) && RefractoryTicks >= 0;
}

/// <summary>
/// A model capability: models whose event-driven dynamics are pure exponential relaxation with delta (jump) inputs say so,
/// and the engine runs their populations in the scaled form (docs/Simulator.md, "Scaled form").
/// </summary>
internal interface IJumpDecayModel
{
    /// <summary>The model's jump-decay form with these parameters, or null when they do not have one.</summary>
    JumpDecayForm? JumpDecay { get; }
}
