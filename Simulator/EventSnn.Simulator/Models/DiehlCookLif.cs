using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Conductance-based LIF with a homeostatic adaptive threshold (Diehl &amp; Cook 2015):
/// <c>τm·dv/dt = (v_rest − v) + ge·(e_exc − v) + gi·(e_inh − v)</c>, <c>τe·dge/dt = −ge</c>, <c>τi·dgi/dt = −gi</c>,
/// <c>τθ·dθ/dt = θ_rest − θ</c>; the neuron fires when <c>v &gt; v_thresh + θ</c> (or ≥, per the spike rules), then v ← v_reset,
/// θ ← θ + θ₊ and the refractory period starts (v frozen, conductances and θ keep evolving; with <c>refractory_v = integrate</c>
/// v keeps integrating from the reset and only spikes are suppressed). Receptor <c>e</c> adds w ≥ 0 to
/// ge, receptor <c>i</c> adds w ≥ 0 to gi. θ is state variable <c>theta</c> (mV, starts at 0).
/// </summary>
/// <remarks>
/// <para><c>theta_rest</c> (default 0) is where θ relaxes to. Diehl &amp; Cook's code fires at <c>v &gt; θ' − 20 mV + v_thresh</c>
/// with θ' starting at 20 mV and decaying towards 0: that is θ = θ' − 20 mV with <c>theta_rest = −20</c>, so the threshold of a
/// neuron that rarely fires sinks slowly (τθ) below v_thresh until it fires again. θ is assumed to stay ≥ min(0, θ_rest)
/// (it does from any initial value ≥ that bound).</para>
/// <para>Event mode: v, ge, gi evolve exactly as <see cref="CobaLif"/> (variation of constants with Gauss–Legendre panels),
/// θ decays exactly; crossings of the moving threshold are found by <see cref="CrossingSearch"/> on <c>v − θ</c> (the
/// bounds of <see cref="CobaLif"/> are taken against <c>v_thresh + min(0, θ_rest)</c>, the lowest threshold θ reaches).</para>
/// <para>Clock mode: exponential Euler for v with the conductances of the step's start (<c>G = 1 + ge + gi</c>,
/// <c>v∞ = (v_rest + ge·e_exc + gi·e_inh)/G</c>, <c>v ← v∞ + (v − v∞)·e^{−G·dt/τm}</c>; stable for any conductance, never past a
/// reversal potential), exact decay of ge, gi and of θ towards θ_rest over the step (factors e^{−dt/τ}), then the step's inputs and the
/// spike rule against <c>v_thresh + θ</c>. With <c>clock_method = euler</c> (1) the clock step is forward Euler instead, as Brian 1
/// integrates these nonlinear equations in Diehl &amp; Cook's code: <c>v ← v + (dt/τm)·((v_rest − v) + ge·(e_exc − v) + gi·(e_inh − v))</c>,
/// <c>ge ← ge·(1 − dt/τe)</c>, <c>gi ← gi·(1 − dt/τi)</c> (every derivative taken at the step's start; θ still decays exactly). The
/// event mode is exact either way. <c>clock_method = euler_conductances</c> (2) takes Brian 1's per-step conductance factors
/// (1 − dt/τe, 1 − dt/τi) with the exponential-Euler v step, which stays stable when many inhibitory spikes coincide (forward
/// Euler in v overshoots past e_inh once <c>gi·dt/τm &gt; 1</c>).</para>
/// <para><c>refractory_v</c>: <c>hold</c> (0, default) freezes v at the reset for the refractory period; <c>integrate</c> (1) lets v
/// integrate from the reset at once and only suppresses spikes until the period ends. The latter is Brian 1's refractoriness
/// for a reset given as code (Diehl &amp; Cook's excitatory reset <c>v = v_reset_e; theta += theta_plus_e; timer = 0*ms</c>):
/// Brian 1 holds v only for a reset value, and for a code reset merely discards the spikes of the refractory period.</para>
/// <para>Clock-driven, θ lives in a float32 column: a per-step decay factor e^{−dt/τθ} closer to 1 than float32 resolves
/// (dt/τθ below about 6·10⁻⁸, as Diehl &amp; Cook's 0.5 ms / 10⁷ ms) is rounded by whole units in the last place of
/// <c>θ − θ_rest</c>; run such slow adaptation event-driven or apply the decay outside the step
/// (<see cref="EventSnn.Simulator.Learning.DiehlCookNetwork"/> does).</para>
/// </remarks>
public readonly struct DiehlCookLif : ISearchableModel<DiehlCookLif>
{
    private readonly CobaLif _coba;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _vrest;
    private readonly double _ee;
    private readonly double _ei;
    private readonly double _taum;
    private readonly double _taue;
    private readonly double _taui;
    private readonly double _tauTheta;
    private readonly double _thetaPlus;
    private readonly double _thetaRest;
    private readonly BlittableBool _strict;
    private readonly ResetMode _reset;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cHm;
    private readonly float _cDe;
    private readonly float _cDi;
    private readonly float _cDth;
    private readonly float _cVrest;
    private readonly float _cEe;
    private readonly float _cEi;
    private readonly float _cVt;
    private readonly float _cVr;
    private readonly float _cThetaPlus;
    private readonly float _cThetaRest;
    private readonly BlittableBool _euler;
    private readonly BlittableBool _eulerG;
    private readonly BlittableBool _integrateRefractory;
    private readonly ClockSpikeRule _rule;

    private DiehlCookLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        // The conductance LIF's reachability bounds are taken against the lowest threshold θ can give.
        _coba = CobaLif.Create([p[0], p[1], p[2], p[3], p[4] + Math.Min(0, p[11]), p[5], p[6], p[7], 0, p[8]], rules);
        _taum = Units.MsToTicks(p[0]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _ee = p[6];
        _ei = p[7];
        _thetaPlus = p[9];
        _thetaRest = p[11];
        _tauTheta = Units.MsToTicks(p[10]);
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _reset = rules.Reset;
        _rules = rules;
        _dt = 0;
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _euler = p[12] == 1;
        _eulerG = p[12] >= 1;
        _integrateRefractory = p[13] == 1;
    }

    private DiehlCookLif(in DiehlCookLif other, double dt)
    {
        this = other;
        _dt = dt;
        _coba = other._coba.WithTimeStep(dt);
        _cHm = (float)(dt / _taum);
        _cDe = _eulerG ? (float)(1 - (dt / _taue)) : (float)Math.Exp(-dt / _taue);
        _cDi = _eulerG ? (float)(1 - (dt / _taui)) : (float)Math.Exp(-dt / _taui);
        _cDth = (float)Math.Exp(-dt / _tauTheta);
        _cVrest = (float)_vrest;
        _cEe = (float)_ee;
        _cEi = (float)_ei;
        _cVt = (float)_vt;
        _cVr = (float)_vr;
        _cThetaPlus = (float)_thetaPlus;
        _cThetaRest = (float)_thetaRest;
        _rule = new ClockSpikeRule(_vt, _vr, _coba.RefractoryTicks, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "diehl_cook_lif",
        ["v", "ge", "gi", "theta"],
        ["e", "i"],
        [
            new("tau_m", "ms", 100.0, 0, true),
            new("tau_e", "ms", 1.0, 0, true),
            new("tau_i", "ms", 2.0, 0, true),
            new("v_rest", "mV", -65.0),
            new("v_thresh", "mV", -52.0),
            new("v_reset", "mV", -65.0),
            new("e_exc", "mV", 0.0),
            new("e_inh", "mV", -100.0),
            new("t_ref", "ms", 5.0, 0),
            new("theta_plus", "mV", 0.05, 0),
            new("tau_theta", "ms", 1e7, 0, true),
            new("theta_rest", "mV", 0.0),
            NeuronParameterInfo.Choice("clock_method", "exponential_euler", "exponential_euler", "euler", "euler_conductances"),
            NeuronParameterInfo.Choice("refractory_v", "hold", "hold", "integrate"),
        ],
        LinearModelRules.AllResetModes)
    {
        NonNegativeWeights = true,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vrest };

    /// <inheritdoc/>
    public double RefractoryTicks => _coba.RefractoryTicks;

    /// <inheritdoc/>
    public double Threshold => _vt;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[8], rules.Reset);

    /// <inheritdoc/>
    public static DiehlCookLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters, rules);

    /// <inheritdoc/>
    public DiehlCookLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        _coba.AdvanceFree(ref state, dt);
        state.S3 = _thetaRest + ((state.S3 - _thetaRest) * Math.Exp(-dt / _tauTheta));
    }

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_integrateRefractory)
        {
            AdvanceFree(ref state, dt);
            return;
        }

        _coba.AdvanceRefractory(ref state, dt);
        state.S3 = _thetaRest + ((state.S3 - _thetaRest) * Math.Exp(-dt / _tauTheta));
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => _coba.ApplyInput(ref state, receptor, weight);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt + state.S3, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state)
    {
        state.V = LinearModelRules.Reset(state.V, _vt + state.S3, _vr, _reset);
        state.S3 += _thetaPlus;
    }

    /// <inheritdoc/>
    /// <remarks>The rate of <c>v − θ</c>, the distance to the moving threshold.</remarks>
    public double Derivative(in NeuronState state) => _coba.Derivative(state) + ((state.S3 - _thetaRest) / _tauTheta);

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state) => _coba.CanReachThreshold(state);

    /// <inheritdoc/>
    public double SafeTime(in NeuronState state) => _coba.LeakBoundTime(state);

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state) => _coba.ScanStep(state);

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        if (_integrateRefractory)
        {
            // Brian 1's refractoriness for a code reset: v integrates from the reset, only spikes wait for the period's end.
            integrate = TMask.True;
        }

        TLane v = neuron.V;
        TLane ge = neuron.S1;
        TLane gi = neuron.S2;
        if (_euler)
        {
            // Forward Euler (Brian 1's update of these nonlinear equations): every derivative at the step's start.
            TLane dv = (TLane.Splat(_cVrest) - v) + (ge * (TLane.Splat(_cEe) - v)) + (gi * (TLane.Splat(_cEi) - v));
            neuron.V = TLane.Select(integrate, v + (dv * TLane.Splat(_cHm)), v);
        }
        else
        {
            TLane g = TLane.Splat(1f) + ge + gi;
            TLane vinf = (TLane.Splat(_cVrest) + (ge * TLane.Splat(_cEe)) + (gi * TLane.Splat(_cEi))) / g;
            TLane decay = LaneMath.Exp<TLane, TMask>(-(g * TLane.Splat(_cHm)));
            neuron.V = TLane.Select(integrate, vinf + ((v - vinf) * decay), v);
        }

        neuron.S1 = (ge * TLane.Splat(_cDe)) + input0;
        neuron.S2 = (gi * TLane.Splat(_cDi)) + input1;
        TLane rest = TLane.Splat(_cThetaRest);
        TLane theta = rest + ((neuron.S3 - rest) * TLane.Splat(_cDth));
        TLane vt = TLane.Splat(_cVt) + theta;
        TMask spike = active & (_strict ? TLane.GreaterThan(neuron.V, vt) : TLane.GreaterThanOrEqual(neuron.V, vt));
        if (TMask.Any(spike))
        {
            TLane reset = _reset switch
            {
                ResetMode.ToValue => TLane.Splat(_cVr),
                ResetMode.Subtract => neuron.V - (vt - TLane.Splat(_cVr)),
                _ => neuron.V,
            };
            neuron.V = TLane.Select(spike, reset, neuron.V);
            neuron.Refractory = TLane.Select(spike, TLane.Splat(_rule.RefractoryStepCount), neuron.Refractory);
            theta = TLane.Select(spike, theta + TLane.Splat(_cThetaPlus), theta);
        }

        neuron.S3 = theta;
        return spike;
    }
}
