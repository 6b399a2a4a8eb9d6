namespace EventSnn.Simulator.Models;

/// <summary>Helpers shared by the models that reproduce the discrete-time libraries (snnTorch, Matterhorn, PySNN).</summary>
internal static class SeedModels
{
    /// <summary>The error an event-mode operation of a clock-only model raises (the engine never calls them).</summary>
    public static InvalidOperationException ClockOnly(NeuronModelInfo info)
        => new($"Model '{info.Name}' is defined by its per-step update only and has no event-driven form.");

    /// <summary>A spike-rule check for models that take their reset and spike test from their own parameters.</summary>
    public static string? CheckRules(in SpikeRules rules, string library)
        => rules == SpikeRules.Default
            ? null
            : $"{library} models take their reset and spike test from their own parameters; leave the population's reset, threshold comparison and refractory end at their defaults";
}
