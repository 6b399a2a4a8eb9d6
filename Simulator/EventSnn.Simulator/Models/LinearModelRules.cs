using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>Rules shared by the leaky integrate-and-fire family.</summary>
internal static class LinearModelRules
{
    /// <summary>
    /// The parameters of the single-variable delta-synapse models (<see cref="Lif"/>, <see cref="IntegrateAndFire"/>):
    /// tau_m, v_rest, v_thresh, v_reset, i_offset, t_ref.
    /// </summary>
    public static ImmutableArray<NeuronParameterInfo> DeltaModelParameters { get; } =
    [
        new("tau_m", "ms", 20.0, 0, true),
        new("v_rest", "mV", -65.0),
        new("v_thresh", "mV", -50.0),
        new("v_reset", "mV", -65.0),
        new("i_offset", "mV", 0.0),
        new("t_ref", "ms", 0.0, 0),
    ];

    /// <summary>The reset modes every model of the family supports.</summary>
    public static ImmutableArray<ResetMode> AllResetModes { get; } = [ResetMode.ToValue, ResetMode.Subtract, ResetMode.None];

    public static string? ValidateReset(double vThresh, double vReset, double tRef, ResetMode reset)
    {
        if (reset != ResetMode.None && !(vReset < vThresh))
        {
            return "v_reset must be below v_thresh (otherwise a reset neuron would spike again at once)";
        }

        if (reset == ResetMode.None && !(tRef > 0))
        {
            return "t_ref must be positive with reset mode None (a neuron above threshold spikes once per refractory period)";
        }

        return null;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Reset(double v, double vThresh, double vReset, ResetMode reset) => reset switch
    {
        ResetMode.ToValue => vReset,
        ResetMode.Subtract => v - (vThresh - vReset),
        _ => v,
    };

    /// <summary>The threshold test: <c>v &gt; v_thresh</c> when <paramref name="strict"/>, else <c>v ≥ v_thresh</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool IsAbove(double v, double vThresh, bool strict) => strict ? v > vThresh : v >= vThresh;

    /// <summary>A delta input jumps v, except while refractory (unless the model never resets).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ApplyDeltaInput(ref NeuronState state, double weight, ResetMode reset)
    {
        if (state.Refractory <= 0 || reset == ResetMode.None)
        {
            state.V += weight;
        }
    }

    /// <summary>Receptor 0 adds to <see cref="NeuronState.S1"/>, any other to <see cref="NeuronState.S2"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void ApplySynapticInput(ref NeuronState state, int receptor, double weight)
    {
        if (receptor == 0)
        {
            state.S1 += weight;
        }
        else
        {
            state.S2 += weight;
        }
    }

    /// <summary>Exact exponential decay of the two synaptic variables over <paramref name="dt"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void DecaySynapses(ref NeuronState state, double dt, double tauE, double tauI)
    {
        state.S1 *= Math.Exp(-dt / tauE);
        state.S2 *= Math.Exp(-dt / tauI);
    }

    /// <summary>
    /// A closed-form crossing delay <paramref name="delta"/> clipped to the search horizon: beyond it, no crossing
    /// and a recheck at <c>max(1, horizon)</c>; otherwise <c>max(0, delta)</c> and no recheck.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double CrossingWithin(double delta, double horizon, out double recheck)
    {
        if (delta > horizon)
        {
            recheck = Math.Max(1, horizon);
            return double.PositiveInfinity;
        }

        recheck = double.PositiveInfinity;
        return Math.Max(0, delta);
    }

    /// <summary>
    /// Earliest possible crossing of the bound <c>w(t) ≤ a·E + b·(1 − E)</c>, <c>E = e^{−t/τm}</c>, with the level
    /// <paramref name="c"/> (all relative to the resting attractor): 0 when already there, ∞ when the bound never gets there.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double EarliestBoundCrossing(double a, double b, double c, double tauM)
    {
        if (a >= c)
        {
            return 0;
        }

        if (b <= c)
        {
            return b < c ? double.PositiveInfinity : 0;
        }

        return -tauM * Math.Log((b - c) / (b - a));
    }
}
