using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The simplified spike response model SRM₀ (Gerstner &amp; Kistler 2002, <i>Spiking Neuron Models</i>, §4.2.3) with
/// exponential kernels: <c>u(t) = v_rest + η(t − t̂) + Σ w·ε(t − t_in)</c>, where
/// <c>ε(s) = (e^{−s/τm} − e^{−s/τs}) / (1 − τs/τm)</c> is the membrane's response to a unit input (an exponential current
/// into a leaky membrane) and <c>η(s) = −η₀·e^{−s/τ_η}</c> the after-potential of the last spike t̂ only. A spike needs
/// <c>u ≥ v_thresh</c> (or &gt;) outside the absolute refractory period <c>t_ref</c> after the last spike.
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = u, <c>xm</c> and <c>xs</c> (the two exponential parts of the summed input kernels, each input of
/// weight w adds w to both), <c>eta</c>. The potential is never frozen or reset: a spike sets η to −η₀ (the previous spike's
/// after-potential is forgotten, as SRM₀ keeps only the last spike) and starts the refractory period, during which inputs
/// keep adding their kernels. <c>t_ref</c> must be positive (a spike that leaves u above threshold would otherwise repeat at
/// once).</para>
/// <para><b>Event-driven form</b>: exact (every part decays exponentially); threshold crossings between inputs are found by
/// <see cref="CrossingSearch"/> on the exact trajectory. <b>Clock form</b>: the exact propagators over the step, the step's
/// inputs added at its end, then the spike test.</para>
/// </remarks>
public readonly struct Srm0 : ISearchableModel<Srm0>
{
    private readonly double _taum;
    private readonly double _taus;
    private readonly double _taueta;
    private readonly double _vrest;
    private readonly double _vt;
    private readonly double _eta0;
    private readonly double _tref;
    private readonly double _scale;
    private readonly bool _strict;
    private readonly SpikeRules _rules;
    private readonly double _scan;
    private readonly double _dt;
    private readonly float _pm;
    private readonly float _ps;
    private readonly float _peta;
    private readonly float _scaleF;
    private readonly float _vrestF;
    private readonly float _vtF;
    private readonly float _eta0F;
    private readonly float _refSteps;

    private Srm0(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _taus = Units.MsToTicks(p[1]);
        _taueta = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _eta0 = p[5];
        _tref = Units.MsToTicks(p[6]);
        _scale = 1 / (1 - (p[1] / p[0]));
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _rules = rules;
        _scan = Math.Min(_taum, Math.Min(_taus, _taueta)) / 4;
    }

    private Srm0(in Srm0 other, double dt)
    {
        this = other;
        _dt = dt;
        _pm = (float)Math.Exp(-dt / _taum);
        _ps = (float)Math.Exp(-dt / _taus);
        _peta = (float)Math.Exp(-dt / _taueta);
        _scaleF = (float)_scale;
        _vrestF = (float)_vrest;
        _vtF = (float)_vt;
        _eta0F = (float)_eta0;
        _refSteps = ClockSpikeRule.RefractorySteps(_tref, dt);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "srm0",
        ["v", "xm", "xs", "eta"],
        ["v"],
        [
            new("tau_m", "ms", 10.0, 0, true),
            new("tau_s", "ms", 2.5, 0, true),
            new("tau_eta", "ms", 10.0, 0, true),
            new("v_rest", "mV", -65.0),
            new("v_thresh", "mV", -50.0),
            new("eta_0", "mV", 15.0, 0),
            new("t_ref", "ms", 2.0, 0, true),
        ],
        [ResetMode.ToValue]);

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vrest };

    /// <inheritdoc/>
    public double RefractoryTicks => _tref;

    /// <inheritdoc/>
    public double Threshold => _vt;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => parameters[0] == parameters[1] ? "tau_s must differ from tau_m (the kernel divides by 1 − tau_s/tau_m)" : null;

    /// <inheritdoc/>
    public static Srm0 Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters, rules);

    /// <inheritdoc/>
    public Srm0 WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <summary>u from the kernel parts.</summary>
    private double Potential(in NeuronState s) => _vrest + (_scale * (s.S1 - s.S2)) + s.S3;

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        state.S1 *= Math.Exp(-dt / _taum);
        state.S2 *= Math.Exp(-dt / _taus);
        state.S3 *= Math.Exp(-dt / _taueta);
        state.V = Potential(state);
    }

    /// <inheritdoc/>
    /// <remarks>SRM₀ never freezes its potential: the kernels evolve as when free.</remarks>
    public void AdvanceRefractory(ref NeuronState state, double dt) => AdvanceFree(ref state, dt);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
    {
        state.S1 += weight;
        state.S2 += weight;
        state.V = Potential(state);
    }

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state)
    {
        state.S3 = -_eta0;
        state.V = Potential(state);
    }

    /// <inheritdoc/>
    public double Derivative(in NeuronState state)
        => (_scale * ((-state.S1 / _taum) + (state.S2 / _taus))) - (state.S3 / _taueta);

    /// <inheritdoc/>
    /// <remarks>Each part of u − v_rest moves monotonically towards 0, so u never exceeds v_rest plus the positive parts.</remarks>
    public bool CanReachThreshold(in NeuronState state)
        => _vrest + Math.Max(0, _scale * state.S1) + Math.Max(0, -_scale * state.S2) + Math.Max(0, state.S3) >= _vt;

    /// <inheritdoc/>
    public double SafeTime(in NeuronState state) => 0;

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state) => _scan;

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane zero = TLane.Splat(0f);
        TMask wasFree = TLane.LessThanOrEqual(neuron.Refractory, zero);
        neuron.Refractory = TLane.Max(neuron.Refractory - TLane.Splat(1f), zero);
        TMask active = _rules.RefractoryEnd == RefractoryEnd.Closed ? wasFree : TLane.LessThanOrEqual(neuron.Refractory, zero);
        neuron.S1 = (neuron.S1 * TLane.Splat(_pm)) + input0;
        neuron.S2 = (neuron.S2 * TLane.Splat(_ps)) + input0;
        neuron.S3 *= TLane.Splat(_peta);
        TLane u = TLane.Splat(_vrestF) + (TLane.Splat(_scaleF) * (neuron.S1 - neuron.S2)) + neuron.S3;
        TLane vt = TLane.Splat(_vtF);
        TMask fire = active & (_strict ? TLane.GreaterThan(u, vt) : TLane.GreaterThanOrEqual(u, vt));
        neuron.S3 = TLane.Select(fire, TLane.Splat(-_eta0F), neuron.S3);
        neuron.V = TLane.Select(fire, TLane.Splat(_vrestF) + (TLane.Splat(_scaleF) * (neuron.S1 - neuron.S2)) + neuron.S3, u);
        neuron.Refractory = TLane.Select(fire, TLane.Splat(_refSteps), neuron.Refractory);
        return fire;
    }
}
