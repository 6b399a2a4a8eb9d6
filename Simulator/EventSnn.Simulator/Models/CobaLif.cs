using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Conductance-based LIF with exponential conductances (the COBA benchmark model):
/// <c>τm·dv/dt = −(v − v_rest) + ge·(e_exc − v) + gi·(e_inh − v) + i_offset</c>, <c>τe·dge/dt = −ge</c>,
/// <c>τi·dgi/dt = −gi</c>; conductances are dimensionless (relative to the leak). Receptor <c>e</c> adds w ≥ 0 to
/// <c>ge</c>, receptor <c>i</c> adds w ≥ 0 to <c>gi</c>.
/// </summary>
/// <remarks>
/// <para>The conductances decay exactly. With time-varying conductances the voltage equation is linear in v but has
/// no elementary closed form, so v is integrated with the exact variation-of-constants formula
/// <c>v(h) = v0·e^{−G(h)} + ∫₀ʰ e^{−(G(h)−G(s))}·f(s) ds</c>, where <c>G</c> (the integrated total conductance over τm) and
/// <c>f</c> are closed-form, and the integral is evaluated by 4-point Gauss–Legendre quadrature on panels no longer than
/// half the shortest effective time constant (<c>min(τe, τi, τm/(1+ge+gi))/2</c>). Every exponential in the integrand then
/// changes by at most e^{0.5} over a panel, where the 4-point rule's relative error is about 5.6e-10·0.5⁸ ≈ 2e-12
/// (checked against a fine reference integrator in the tests: within 1e-10 mV over 0.7–50 ms).</para>
/// <para>Threshold crossings between events are found by <see cref="CrossingSearch"/> on this trajectory.</para>
/// </remarks>
public readonly struct CobaLif : ISearchableModel<CobaLif>
{
    private readonly double _taum;
    private readonly double _taue;
    private readonly double _taui;
    private readonly double _vrest;
    private readonly double _l;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _ee;
    private readonly double _ei;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cL;
    private readonly float _cEe;
    private readonly float _cEi;
    private readonly float _cHm;
    private readonly float _cHe;
    private readonly float _cHi;
    private readonly ClockSpikeRule _rule;

    private CobaLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _ee = p[6];
        _ei = p[7];
        _l = p[3] + p[8];
        _tref = Units.MsToTicks(p[9]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _rules = rules;
        _dt = 0;
    }

    private CobaLif(in CobaLif other, double dt)
    {
        this = other;
        _dt = dt;
        _cL = (float)_l;
        _cEe = (float)_ee;
        _cEi = (float)_ei;
        _cHm = (float)(dt / _taum);
        _cHe = (float)(dt / _taue);
        _cHi = (float)(dt / _taui);
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "coba_lif",
        ["v", "ge", "gi"],
        ["e", "i"],
        [
            new("tau_m", "ms", 20.0, 0, true),
            new("tau_e", "ms", 5.0, 0, true),
            new("tau_i", "ms", 10.0, 0, true),
            new("v_rest", "mV", -60.0),
            new("v_thresh", "mV", -50.0),
            new("v_reset", "mV", -60.0),
            new("e_exc", "mV", 0.0),
            new("e_inh", "mV", -80.0),
            new("i_offset", "mV", 0.0),
            new("t_ref", "ms", 0.0, 0),
        ],
        LinearModelRules.AllResetModes)
    {
        NonNegativeWeights = true,
    };

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
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[9], rules.Reset);

    /// <inheritdoc/>
    public static CobaLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

    /// <inheritdoc/>
    public CobaLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        while (dt > 0)
        {
            double h = Math.Min(dt, ScanStep(state));
            Panel(ref state, h);
            dt -= h;
        }
    }

    private void Panel(ref NeuronState s, double h)
    {
        double ge0 = s.S1;
        double gi0 = s.S2;
        double ceh = ge0 * _taue;
        double cih = gi0 * _taui;
        double eh = Math.Exp(-h / _taue);
        double ih = Math.Exp(-h / _taui);
        double gh = (h + (ceh * (1 - eh)) + (cih * (1 - ih))) / _taum;
        ReadOnlySpan<double> nodes = Propagators.GaussNodes;
        ReadOnlySpan<double> weights = Propagators.GaussWeights;
        double half = 0.5 * h;
        double sum = 0;
        for (int k = 0; k < nodes.Length; k++)
        {
            sum += weights[k] * (Node(half * (1 - nodes[k]), ge0, gi0, ceh, cih, gh) + Node(half * (1 + nodes[k]), ge0, gi0, ceh, cih, gh));
        }

        s.V = (s.V * Math.Exp(-gh)) + (half * sum);
        s.S1 = ge0 * eh;
        s.S2 = gi0 * ih;
    }

    /// <summary>The integrand e^{−(G(h)−G(t))}·f(t) of the variation-of-constants formula at node t (three exponentials).</summary>
    private double Node(double t, double ge0, double gi0, double ce, double ci, double gh)
    {
        double e = Math.Exp(-t / _taue);
        double i = Math.Exp(-t / _taui);
        double g = (t + (ce * (1 - e)) + (ci * (1 - i))) / _taum;
        double f = (_l + (ge0 * e * _ee) + (gi0 * i * _ei)) / _taum;
        return Math.Exp(g - gh) * f;
    }

    /// <summary>
    /// How summed inputs of one tick move the trajectory without further input: +1 when v can only be higher at every
    /// later time, −1 when only lower, 0 otherwise.
    /// </summary>
    /// <remarks>
    /// v never leaves the range spanned by its start, the reset potential and the attractors v_rest + i_offset, e_exc and
    /// e_inh (at each end of that range dv/dt points inwards). When e_inh lies at or below all of them, v − e_inh ≥ 0 all
    /// along, so more inhibitory conductance can only lower dv/dt (comparison theorem); when e_exc lies at or above all of
    /// them, more excitatory conductance can only raise it.
    /// </remarks>
    internal int InputDirection(in NeuronState state, double input0, double input1)
    {
        double lo = Math.Min(Math.Min(state.V, _vr), Math.Min(_l, _ee));
        double hi = Math.Max(Math.Max(state.V, _vr), Math.Max(_l, _ei));
        int e = input0 == 0 ? 0 : _ee >= hi ? Math.Sign(input0) : 2;
        int i = input1 == 0 ? 0 : _ei <= lo ? -Math.Sign(input1) : 2;
        if (e == 2 || i == 2 || e * i < 0)
        {
            return 0;
        }

        return e + i > 0 ? 1 : e + i < 0 ? -1 : 0;
    }

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
            return;
        }

        LinearModelRules.DecaySynapses(ref state, dt, _taue, _taui);
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
        => LinearModelRules.ApplySynapticInput(ref state, receptor, weight);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = LinearModelRules.Reset(state.V, _vt, _vr, _reset);

    /// <inheritdoc/>
    public double Derivative(in NeuronState state)
        => (-(state.V - _l) + (state.S1 * (_ee - state.V)) + (state.S2 * (_ei - state.V))) / _taum;

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state)
    {
        // v never drops below the lowest attractor; bound each drive term by its largest value times its integral.
        double vmin = Math.Min(Math.Min(state.V, _l), Math.Min(_ee, _ei));
        double bound = _l + Math.Max(0, state.V - _l)
            + (Math.Max(0, state.S1) * Math.Max(0, _ee - vmin) * _taue / _taum)
            + (Math.Max(0, state.S2) * Math.Max(0, _ei - vmin) * _taui / _taum);
        return bound >= _vt;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// With w = v − (v_rest + i_offset) and v never below the lowest attractor v_min, τm·w' ≤ −w + De·e^{−t/τe} + Di·e^{−t/τi}
    /// where De = ge0·(e_exc − v_min)⁺ and Di = gi0·(e_inh − v_min)⁺ (dropping the shunting that only lowers v). Hence
    /// w(t) ≤ w0·E + (De + Di)·(1 − E) with E = e^{−t/τm}; solving for the threshold gives the earliest possible crossing.
    /// </remarks>
    public double SafeTime(in NeuronState state)
    {
        double vmin = Math.Min(Math.Min(state.V, _l), Math.Min(_ee, _ei));
        double a = state.V - _l;
        double b = (Math.Max(0, state.S1) * Math.Max(0, _ee - vmin)) + (Math.Max(0, state.S2) * Math.Max(0, _ei - vmin));
        double c = _vt - _l;
        return LinearModelRules.EarliestBoundCrossing(a, b, c, _taum);
    }

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state)
        => 0.5 * Math.Min(Math.Min(_taue, _taui), _taum / (1 + Math.Abs(state.S1) + Math.Abs(state.S2)));

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <inheritdoc/>
    /// <remarks>
    /// Forward Euler on (v, ge, gi) together, as Brian2's COBA benchmark (<c>method='euler'</c>):
    /// <c>v ← v + (dt/τm)·(ge·(e_exc − v) + gi·(e_inh − v) − (v − v_rest − i_offset))</c> while free,
    /// <c>ge ← ge − (dt/τe)·ge + input_e</c>, <c>gi ← gi − (dt/τi)·gi + input_i</c> (conductances keep evolving while
    /// refractory). Event mode integrates the same equations exactly; the Euler error per step is O((dt/τ)²).
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane v = neuron.V;
        TLane ge = neuron.S1;
        TLane gi = neuron.S2;
        TLane dv = ((ge * (TLane.Splat(_cEe) - v)) + (gi * (TLane.Splat(_cEi) - v)) - (v - TLane.Splat(_cL))) * TLane.Splat(_cHm);
        neuron.V = TLane.Select(integrate, v + dv, v);
        neuron.S1 = ge - (ge * TLane.Splat(_cHe)) + input0;
        neuron.S2 = gi - (gi * TLane.Splat(_cHi)) + input1;
        return _rule.End(ref neuron, active);
    }
}
