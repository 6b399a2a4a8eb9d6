using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// The spike-rule keys a population carries in a network file and in a saved layer model (<c>reset</c>,
/// <c>threshold_comparison</c>, <c>refractory_end</c>): one reader for both formats, with one error wording.
/// </summary>
internal static class SpikeRuleKeys
{
    /// <summary>Reads <c>reset</c>: <c>to_value</c>, <c>subtract</c> or <c>none</c>.</summary>
    public static ResetMode Reset(Node node) => node.String() switch
    {
        "to_value" => ResetMode.ToValue,
        "subtract" => ResetMode.Subtract,
        "none" => ResetMode.None,
        string s => throw node.Error($"unknown reset '{s}' (resets: to_value, subtract, none)"),
    };

    /// <summary>Reads <c>threshold_comparison</c>: <c>"&gt;="</c> or <c>"&gt;"</c>.</summary>
    public static ThresholdComparison Comparison(Node node) => node.String() switch
    {
        ">=" => ThresholdComparison.GreaterOrEqual,
        ">" => ThresholdComparison.Greater,
        string s => throw node.Error($"unknown threshold comparison '{s}' (\">=\": spike when v ≥ v_thresh, \">\": when v > v_thresh)"),
    };

    /// <summary>Reads <c>refractory_end</c>: <c>half_open</c> or <c>closed</c>.</summary>
    public static RefractoryEnd RefractoryEnd(Node node) => node.String() switch
    {
        "half_open" => Models.RefractoryEnd.HalfOpen,
        "closed" => Models.RefractoryEnd.Closed,
        string s => throw node.Error($"unknown refractory end '{s}' (half_open: an input at exactly t_spike + t_ref is applied; closed: it is discarded)"),
    };
}
