using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>snnTorch's <c>reset_mechanism</c> (the library's own numbering: subtract 0, zero 1, none 2).</summary>
public enum ResetMechanism
{
    /// <summary><c>"subtract"</c>: the threshold is subtracted.</summary>
    Subtract = 0,

    /// <summary><c>"zero"</c>: the class's own zero reset (see docs/Models.md: Leaky zeroes the previous potential, the others the new one).</summary>
    Zero = 1,

    /// <summary><c>"none"</c>: no reset.</summary>
    None = 2,
}

/// <summary>What the snnTorch models share: parameters, the spike test, state quantisation and winner-take-all inhibition.</summary>
internal static class SnnTorchCommon
{
    /// <summary>The library version whose semantics the models reproduce.</summary>
    public const string Version = "snnTorch 0.9.4";

    /// <summary>The <c>reset_mechanism</c> parameter with the class's default.</summary>
    public static NeuronParameterInfo ResetMechanismParameter(string defaultChoice)
        => NeuronParameterInfo.Choice("reset_mechanism", defaultChoice, "subtract", "zero", "none");

    /// <summary>The parameters that describe <c>state_quant</c> (the arguments of <c>snntorch.functional.quant.state_quant</c>).</summary>
    public static ImmutableArray<NeuronParameterInfo> StateQuantParameters { get; } =
    [
        NeuronParameterInfo.Flag("state_quant", false),
        new("state_quant_num_bits", "1", 8, 1),
        NeuronParameterInfo.Flag("state_quant_uniform", true),
        NeuronParameterInfo.Flag("state_quant_thr_centered", true),
        new("state_quant_threshold", "1", 1.0),
        new("state_quant_lower_limit", "1", 0.0),
        new("state_quant_upper_limit", "1", 0.2),
        new("state_quant_multiplier", "1", 0.0, 0),
    ];

    /// <summary>The number of <see cref="StateQuantParameters"/>.</summary>
    public const int StateQuantCount = 8;

    /// <summary>A β/α parameter the constructor requires.</summary>
    public static NeuronParameterInfo Decay(string name, double fallback) => new(name, "1", fallback) { Required = true };

    /// <summary>The shared spike-rule check: snnTorch models take reset and spike test from their own parameters.</summary>
    public static string? CheckRules(in SpikeRules rules)
        => rules == SpikeRules.Default
            ? null
            : "snnTorch models take their reset and spike test from their own parameters (reset_mechanism, threshold); leave the population's reset, threshold comparison and refractory end at their defaults";

    /// <summary>Checks the state-quantisation parameters starting at <paramref name="offset"/>.</summary>
    public static string? CheckStateQuant(ReadOnlySpan<double> p, int offset)
    {
        if (p[offset] == 0)
        {
            return null;
        }

        double bits = p[offset + 1];
        if (bits != Math.Floor(bits) || bits > (p[offset + 2] != 0 ? 20 : 12))
        {
            return "state_quant_num_bits must be a whole number from 1 to 20 (uniform) or 12 (non-uniform)";
        }

        return StateQuantizer.Create(p.Slice(offset, StateQuantCount)).IsValid
            ? null
            : "state_quant levels are not finite (check state_quant_threshold, limits and multiplier)";
    }

    /// <summary>snnTorch's β clamp: <c>beta.clamp(0, 1)</c> in float32.</summary>
    public static float Clamp01(double value) => Math.Clamp((float)value, 0f, 1f);

    /// <summary>The spike test of every snnTorch neuron: <c>(mem − threshold) &gt; 0</c> (the ATan surrogate's forward).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TMask Fires<TLane, TMask>(TLane mem, TLane threshold)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
        => TLane.GreaterThan(mem - threshold, TLane.Splat(0f));

    /// <summary>1 where <paramref name="mask"/> holds, else 0.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane OneWhere<TLane, TMask>(TMask mask)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
        => TLane.Select(mask, TLane.Splat(1f), TLane.Splat(0f));

    /// <summary>
    /// The immediate reset of <c>reset_delay=False</c>: <c>do_reset = spk / graded_spikes_factor − reset</c>, then
    /// subtract <c>do_reset·threshold</c> or <c>do_reset·mem</c> ("avoid double reset", as the library computes it).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane ImmediateReset<TLane, TMask>(TLane mem, TLane spk, TLane reset, float gsf, float threshold, ResetMechanism mechanism)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane doReset = (spk / TLane.Splat(gsf)) - reset;
        return mechanism switch
        {
            ResetMechanism.Subtract => mem - (doReset * TLane.Splat(threshold)),
            ResetMechanism.Zero => mem - (doReset * mem),
            _ => mem,
        };
    }

    /// <summary>
    /// snnTorch's <c>fire_inhibition</c> over a population after its step: only the neuron with the largest
    /// <c>mem − threshold</c> (the first on ties, as <c>torch.argmax</c>) may fire, with output 1 (the library does not
    /// scale inhibited spikes by <c>graded_spikes_factor</c>); then the immediate reset of <c>reset_delay=False</c>, which
    /// the lane step leaves to this rule, is applied to every neuron with the library's <c>do_reset = spk/gsf − reset</c>
    /// (so a neuron that was above threshold at the previous step and is inhibited now gets <c>reset·threshold</c> back).
    /// </summary>
    public static int Inhibit<TModel>(ReadOnlySpan<TModel> models, in ClockPopulationView view, Span<int> spiked)
        where TModel : struct, ISnnTorchPopulation
    {
        int n = view.Size;
        Span<float> mem = view.V;
        int best = -1;
        float bestShift = 0;
        for (int i = 0; i < n; i++)
        {
            float shift = mem[i] - models[models.Length == 1 ? 0 : i].ThresholdValue;
            if (best < 0 || shift > bestShift || (float.IsNaN(shift) && !float.IsNaN(bestShift)))
            {
                best = i;
                bestShift = shift;
            }
        }

        bool fired = best >= 0 && bestShift > 0;
        int count = 0;
        if (fired)
        {
            spiked[0] = best;
            count = 1;
            if (!view.Output.IsEmpty)
            {
                view.Output[best] = 1f;
            }
        }

        for (int i = 0; i < n; i++)
        {
            ref readonly TModel m = ref models[models.Length == 1 ? 0 : i];
            if (m.ImmediateReset is { } mechanism && mechanism != ResetMechanism.None)
            {
                float spk = fired && i == best ? 1f : 0f;
                float doReset = (spk / m.GradedFactor) - view.Column(m.ResetFlagColumn)[i];
                mem[i] = mechanism == ResetMechanism.Subtract ? mem[i] - (doReset * m.ThresholdValue) : mem[i] - (doReset * mem[i]);
            }
        }

        return count;
    }

    /// <summary>Whether any of the models has inhibition on.</summary>
    public static bool AnyInhibition<TModel>(ReadOnlySpan<TModel> models)
        where TModel : struct, ISnnTorchPopulation
    {
        foreach (ref readonly TModel m in models)
        {
            if (m.Inhibition)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary>What the population-wide inhibition rule needs from an snnTorch model.</summary>
internal interface ISnnTorchPopulation
{
    /// <summary>The threshold (float32).</summary>
    float ThresholdValue { get; }

    /// <summary>Whether <c>inhibition</c> is on.</summary>
    bool Inhibition { get; }

    /// <summary>The immediate reset (<c>reset_delay=False</c>) the rule must apply, or null.</summary>
    ResetMechanism? ImmediateReset { get; }

    /// <summary>The <c>graded_spikes_factor</c> (1 for classes without it).</summary>
    float GradedFactor { get; }

    /// <summary>The state variable that holds the step's reset signal.</summary>
    int ResetFlagColumn { get; }
}
