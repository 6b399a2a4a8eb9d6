using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.PySnn;

/// <summary>PySNN's <c>update_type</c>.</summary>
public enum UpdateType
{
    /// <summary><c>"linear"</c>: decay factors in [0, 1] multiply the state each step.</summary>
    Linear = 0,

    /// <summary><c>"exponential"</c>: forward Euler with <c>dt/τ</c>.</summary>
    Exponential = 1,
}

/// <summary>What PySNN's neurons share (<c>pysnn.neuron.BaseNeuron</c>, <c>pysnn.functional</c>).</summary>
internal static class PySnnCommon
{
    /// <summary>The library version whose semantics the models reproduce.</summary>
    public const string Version = "PySNN 0.1.1";

    /// <summary>The <c>update_type</c> parameter.</summary>
    public static NeuronParameterInfo UpdateTypeParameter { get; } = NeuronParameterInfo.Choice("update_type", "linear", "linear", "exponential");

    /// <summary>A parameter the library's constructor requires.</summary>
    public static NeuronParameterInfo Required(string name, double fallback, double minimum = double.NegativeInfinity, bool strict = false)
        => new(name, "1", fallback, minimum, strict) { Required = true };

    /// <summary>The spike-rule check.</summary>
    public static string? CheckRules(in SpikeRules rules) => SeedModels.CheckRules(rules, "PySNN");

    /// <summary>
    /// The constructor's checks on <c>dt</c> and <c>duration_refrac</c>: <c>duration_refrac % dt == 0</c> (evaluated in double
    /// precision, as Python does) and <c>duration_refrac ≥ 0</c>.
    /// </summary>
    public static string? CheckRefractory(double dt, double durationRefrac)
    {
        if (!(dt > 0))
        {
            return "dt must be positive";
        }

        if (durationRefrac < 0)
        {
            return "duration_refrac must be non-negative";
        }

        return durationRefrac % dt == 0
            ? null
            : "dt must fit a whole number of times in duration_refrac (duration_refrac % dt == 0)";
    }

    /// <summary>Checks that decays of the linear update lie in [0, 1].</summary>
    public static string? CheckLinearDecay(string name, double value)
        => value is >= 0 and <= 1 ? null : $"{name} must lie in [0, 1] for update_type linear (it is a decay factor)";

    /// <summary>The trace update: linear <c>trace·τ_t + α_t·s</c>, exponential <c>trace + (dt/τ_t)·(−trace + α_t·s)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane Trace<TLane, TMask>(TLane trace, TLane s, float alpha, float tauOrDecay, float dtOverTau, UpdateType type)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
        => type == UpdateType.Linear
            ? (trace * TLane.Splat(tauOrDecay)) + (TLane.Splat(alpha) * s)
            : trace + (TLane.Splat(dtOverTau) * (-trace + (TLane.Splat(alpha) * s)));

    /// <summary>
    /// The refractory counter (in the library's time units): when <c>duration_refrac &gt; 0</c>, counts above 0 lose
    /// <c>dt</c>, then a spike adds <c>duration_refrac</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane Refractory<TLane, TMask>(TLane counts, TLane s, float dt, float duration)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        if (!(duration > 0))
        {
            return counts;
        }

        counts = TLane.Select(TLane.GreaterThan(counts, TLane.Splat(0f)), counts - TLane.Splat(dt), counts);
        return counts + (TLane.Splat(duration) * s);
    }

    /// <summary>1 where the counter is 0 (the neuron integrates), else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane NonRefractory<TLane, TMask>(TLane counts)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
        => TLane.Select(TLane.Equal(counts, TLane.Splat(0f)), TLane.Splat(1f), TLane.Splat(0f));
}
