using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The clock-mode spike rule shared by the integrate-and-fire family, prepared for one step: threshold, reset,
/// refractory steps and conventions.
/// </summary>
/// <remarks>
/// <para>One step covers (t, t + dt]. A neuron with r remaining refractory steps at the start of a step keeps its potential
/// frozen during the step when r &gt; 0 (with <see cref="ResetMode.None"/> it always integrates). After the step
/// r' = max(r − 1, 0). The neuron is <i>active</i> at the end of the step — it takes voltage inputs and may spike — when
/// r' = 0 (<see cref="RefractoryEnd.HalfOpen"/>) or when r = 0 (<see cref="RefractoryEnd.Closed"/>: an input at exactly the
/// end of the refractory period is discarded). A spike resets the potential and sets r to
/// <c>round(t_ref / dt)</c>: the refractory period is quantised to whole steps in clock mode.</para>
/// <para>At most one spike per step (a subtractive reset that leaves the potential above threshold spikes again at the
/// next step).</para>
/// </remarks>
public readonly struct ClockSpikeRule
{
    private readonly float _vt;
    private readonly float _vr;
    private readonly float _refSteps;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly BlittableBool _closed;

    /// <summary>Prepares the rule.</summary>
    /// <param name="vThresh">Threshold (mV).</param>
    /// <param name="vReset">Reset potential (mV).</param>
    /// <param name="refractoryTicks">Refractory period (ticks).</param>
    /// <param name="dtTicks">The step (ticks).</param>
    /// <param name="rules">Reset mode, comparison and refractory end.</param>
    public ClockSpikeRule(double vThresh, double vReset, double refractoryTicks, double dtTicks, in SpikeRules rules)
    {
        _vt = (float)vThresh;
        _vr = (float)vReset;
        _refSteps = RefractorySteps(refractoryTicks, dtTicks);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _closed = rules.RefractoryEnd == RefractoryEnd.Closed;
    }

    /// <summary>The threshold as a float.</summary>
    public float Threshold => _vt;

    /// <summary>The number of refractory steps a spike starts.</summary>
    public float RefractoryStepCount => _refSteps;

    /// <summary>The refractory period in whole steps: <c>round(t_ref / dt)</c>, ties away from zero.</summary>
    /// <param name="refractoryTicks">The period in ticks.</param>
    /// <param name="dtTicks">The step in ticks.</param>
    public static float RefractorySteps(double refractoryTicks, double dtTicks)
        => dtTicks > 0 ? (float)Math.Round(refractoryTicks / dtTicks, MidpointRounding.AwayFromZero) : 0f;

    /// <summary>
    /// Starts a step: decrements the refractory counter and returns which lanes integrate their potential during the step
    /// (<paramref name="integrate"/>) and which are active at its end (<paramref name="active"/>).
    /// </summary>
    /// <typeparam name="TLane">The lane type.</typeparam>
    /// <typeparam name="TMask">Its mask type.</typeparam>
    /// <param name="n">The neurons.</param>
    /// <param name="integrate">Lanes whose potential integrates during the step.</param>
    /// <param name="active">Lanes that take voltage inputs and may spike at the end of the step.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Begin<TLane, TMask>(ref ClockNeuron<TLane> n, out TMask integrate, out TMask active)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane zero = TLane.Splat(0f);
        TMask wasFree = TLane.LessThanOrEqual(n.Refractory, zero);
        // max(r − 1, 0) written as a compare and a select: the same value for every input (NaN stays NaN, −0 becomes +0),
        // cheaper than an IEEE maximum on SIMD lanes.
        TLane left = n.Refractory - TLane.Splat(1f);
        n.Refractory = TLane.Select(TLane.LessThanOrEqual(left, zero), zero, left);
        active = _closed ? wasFree : TLane.LessThanOrEqual(n.Refractory, zero);
        integrate = _reset == ResetMode.None ? TMask.True : wasFree;
    }

    /// <summary>Whether lanes take voltage (delta) inputs: active ones, or every lane with <see cref="ResetMode.None"/>.</summary>
    /// <typeparam name="TMask">The mask type.</typeparam>
    /// <param name="active">The active lanes.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask TakesVoltageInput<TMask>(TMask active)
        where TMask : struct, ILaneMask<TMask>
        => _reset == ResetMode.None ? TMask.True : active;

    /// <summary>Ends a step: tests the threshold on active lanes, resets those that spike and starts their refractory period.</summary>
    /// <typeparam name="TLane">The lane type.</typeparam>
    /// <typeparam name="TMask">Its mask type.</typeparam>
    /// <param name="n">The neurons.</param>
    /// <param name="active">Active lanes (from <see cref="Begin{TLane, TMask}"/>).</param>
    /// <returns>The lanes that spiked.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask End<TLane, TMask>(ref ClockNeuron<TLane> n, TMask active)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane vt = TLane.Splat(_vt);
        TMask spike = active & (_strict ? TLane.GreaterThan(n.V, vt) : TLane.GreaterThanOrEqual(n.V, vt));
        if (!TMask.Any(spike))
        {
            return spike;
        }

        TLane reset = _reset switch
        {
            ResetMode.ToValue => TLane.Splat(_vr),
            ResetMode.Subtract => n.V - TLane.Splat(_vt - _vr),
            _ => n.V,
        };
        n.V = TLane.Select(spike, reset, n.V);
        n.Refractory = TLane.Select(spike, TLane.Splat(_refSteps), n.Refractory);
        return spike;
    }
}
