namespace EventSnn.Simulator.Models;

/// <summary>How the membrane potential is compared with the threshold.</summary>
public enum ThresholdComparison
{
    /// <summary>A neuron spikes when <c>v ≥ v_thresh</c> (the default; exactly at threshold spikes).</summary>
    GreaterOrEqual = 0,

    /// <summary>A neuron spikes when <c>v &gt; v_thresh</c> (exactly at threshold does not spike).</summary>
    Greater = 1,
}

/// <summary>What happens to the membrane potential when a neuron spikes.</summary>
public enum ResetMode
{
    /// <summary><c>v ← v_reset</c>.</summary>
    ToValue = 0,

    /// <summary><c>v ← v − (v_thresh − v_reset)</c> (soft reset: the overshoot is kept).</summary>
    Subtract = 1,

    /// <summary>The potential is left unchanged; a new spike needs a new upward crossing.</summary>
    None = 2,
}

/// <summary>Whether the refractory period that starts at a spike at t_s includes its end point t_s + t_ref.</summary>
/// <remarks>
/// In integer time the two differ only for an input arriving exactly at t_s + t_ref: <see cref="HalfOpen"/> applies it,
/// <see cref="Closed"/> discards it (as NEST's <c>iaf_psc_delta</c> does). The membrane potential is frozen for t_ref
/// either way, and a neuron cannot spike at any instant of the period.
/// </remarks>
public enum RefractoryEnd
{
    /// <summary>The period is [t_s, t_s + t_ref): an input at exactly t_s + t_ref is applied (the default).</summary>
    HalfOpen = 0,

    /// <summary>The period is [t_s, t_s + t_ref]: an input at exactly t_s + t_ref is discarded.</summary>
    Closed = 1,
}

/// <summary>The spike rules of a population: reset, threshold comparison and refractory end, as one value.</summary>
/// <param name="Reset">What the reset does.</param>
/// <param name="Comparison">How the potential is compared with the threshold.</param>
/// <param name="RefractoryEnd">Whether the refractory period includes its end point.</param>
public readonly record struct SpikeRules(ResetMode Reset, ThresholdComparison Comparison, RefractoryEnd RefractoryEnd = RefractoryEnd.HalfOpen)
{
    /// <summary>The defaults: reset to a value, <c>v ≥ v_thresh</c>, half-open refractory period.</summary>
    public static SpikeRules Default => default;
}
