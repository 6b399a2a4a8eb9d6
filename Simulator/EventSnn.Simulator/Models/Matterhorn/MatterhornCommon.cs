using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>Matterhorn's firing functions (<c>spiking_function</c>): the Heaviside family and the multi-spike ones.</summary>
public enum Firing
{
    /// <summary><c>Gaussian()</c> (the default): Heaviside forward, <c>o = u − u_threshold ≥ 0</c>.</summary>
    Gaussian = 0,

    /// <summary><c>Rectangular()</c>: Heaviside forward.</summary>
    Rectangular = 1,

    /// <summary><c>Polynomial()</c>: Heaviside forward.</summary>
    Polynomial = 2,

    /// <summary><c>Sigmoid()</c>: Heaviside forward.</summary>
    Sigmoid = 3,

    /// <summary>Any other name: the library falls back to the Heaviside (Gaussian) function.</summary>
    Heaviside = 4,

    /// <summary><c>Floor()</c>: <c>o = max(⌊(u − u_rest)/(u_threshold − u_rest)⌋, 0)</c> spikes.</summary>
    Floor = 5,

    /// <summary><c>Ceil()</c>: <c>o = max(⌈(u − u_rest)/(u_threshold − u_rest)⌉, 0)</c> spikes.</summary>
    Ceil = 6,

    /// <summary><c>Round()</c>: <c>o = max(round((u − u_rest)/(u_threshold − u_rest)), 0)</c> spikes (ties to even).</summary>
    Round = 7,
}

/// <summary>The firing and reset shared by Matterhorn's somas (<c>matterhorn_pytorch.snn.functional</c>).</summary>
internal static class MatterhornCommon
{
    /// <summary>The library version whose semantics the models reproduce.</summary>
    public const string Version = "Matterhorn 2.0.0";

    /// <summary>The <c>spiking_function</c> parameter.</summary>
    public static NeuronParameterInfo FiringParameter { get; } = NeuronParameterInfo.Choice(
        "spiking_function", "gaussian", "gaussian", "rectangular", "polynomial", "sigmoid", "heaviside", "floor", "ceil", "round");

    /// <summary>The <c>hard_reset</c> parameter.</summary>
    public static NeuronParameterInfo HardResetParameter { get; } = NeuronParameterInfo.Flag("hard_reset", true);

    /// <summary>Whether the firing function emits spike counts.</summary>
    public static bool IsMultiSpike(Firing f) => f >= Firing.Floor;

    /// <summary>The spike-rule check.</summary>
    public static string? CheckRules(in SpikeRules rules) => SeedModels.CheckRules(rules, "Matterhorn");

    /// <summary>The firing function: 0/1 for the Heaviside family (<c>u − u_threshold ≥ 0</c>), a count for the multi-spike ones.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane Fire<TLane, TMask>(TLane u, float threshold, float rest, Firing firing)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane zero = TLane.Splat(0f);
        if (!IsMultiSpike(firing))
        {
            return TLane.Select(TLane.GreaterThanOrEqual(u - TLane.Splat(threshold), zero), TLane.Splat(1f), zero);
        }

        TLane x = (u - TLane.Splat(rest)) / TLane.Splat(threshold - rest);
        x = firing switch
        {
            Firing.Floor => TLane.Floor(x),
            Firing.Ceil => TLane.Ceiling(x),
            _ => TLane.Round(x),
        };
        return TLane.Max(x, zero);
    }

    /// <summary>
    /// The reset: hard <c>h = u·(1 − s) + u_rest·s</c> with <c>s = o &gt; 0.5</c>; soft <c>h = u − o·(u_threshold − u_rest)</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane Reset<TLane, TMask>(TLane u, TLane o, float threshold, float rest, bool hard)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        if (hard)
        {
            TLane s = TLane.Select(TLane.GreaterThan(o, TLane.Splat(0.5f)), TLane.Splat(1f), TLane.Splat(0f));
            return (u * (TLane.Splat(1f) - s)) + (TLane.Splat(rest) * s);
        }

        return u - (o * TLane.Splat(threshold - rest));
    }

    /// <summary>Fires and resets: writes <c>h</c> and the output, returns the lanes with a non-zero output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TMask FireAndReset<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane u, float threshold, float rest, Firing firing, bool hard)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane o = Fire<TLane, TMask>(u, threshold, rest, firing);
        neuron.V = Reset<TLane, TMask>(u, o, threshold, rest, hard);
        neuron.Output = o;
        return TLane.GreaterThan(o, TLane.Splat(0f));
    }

    /// <summary>Why a model with these firing settings has no event-driven form, or null.</summary>
    public static string? EventProblem(double threshold, double rest, double firing)
        => IsMultiSpike((Firing)(int)firing) ? "with multi-spike firing (floor, ceil, round)"
        : !(threshold > rest) ? "unless u_threshold > u_rest"
        : null;
}
