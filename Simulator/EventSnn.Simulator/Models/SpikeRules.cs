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
