using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Adaptive leaky integrate-and-fire neuron with delta synapses (a linear two-variable model):
/// <c>τm·dv/dt = −(v − v_rest) − w + i_offset</c>, <c>τw·dw/dt = a·(v − v_rest) − w</c>; at a spike v ← v_reset and
/// w ← w + b (spike-triggered adaptation, w in mV). Receptor <c>v</c> jumps v by the weight.
/// </summary>
/// <remarks>
/// Linear with constant coefficients, so it is integrated exactly: x(t) = x* + e^{At}(x0 − x*) with the closed-form 2×2
/// matrix exponential e^{At} = e^{αt}[C(t)·I + S(t)·(A − αI)], α = tr(A)/2, μ² = α² − det A, where C, S are cosh, sinh/μ
/// (μ² &gt; 0), cos, sin/ω (μ² &lt; 0, damped oscillation) or their series (μ ≈ 0). Crossings are found by
/// <see cref="CrossingSearch"/>; <see cref="CanReachThreshold"/> uses a bound on ‖e^{At}‖.
/// </remarks>
public readonly struct AdaptiveLif : ISearchableModel<AdaptiveLif>
{
    private readonly double _taum;
    private readonly double _tauw;
    private readonly double _el;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _i;
    private readonly double _a;
    private readonly double _b;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cVs;
    private readonly float _cWs;
    private readonly float _cM11;
    private readonly float _cM12;
    private readonly float _cM21;
    private readonly float _cM22;
    private readonly float _cPw;
    private readonly float _cA;
    private readonly float _cEl;
    private readonly float _cB;
    private readonly ClockSpikeRule _rule;

    // A = [[a11, a12], [a21, a22]] per tick; steady state; eigen structure; transient bound.
    private readonly double _a11;
    private readonly double _a12;
    private readonly double _a21;
    private readonly double _a22;
    private readonly double _vs;
    private readonly double _ws;
    private readonly double _alpha;
    private readonly double _mu2;
    private readonly double _bound;
    private readonly double _scan;

    private AdaptiveLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _tauw = Units.MsToTicks(p[1]);
        _el = p[2];
        _vt = p[3];
        _vr = p[4];
        _i = p[5];
        _a = p[6];
        _b = p[7];
        _tref = Units.MsToTicks(p[8]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _rules = rules;
        _dt = 0;
        _a11 = -1 / _taum;
        _a12 = -1 / _taum;
        _a21 = _a / _tauw;
        _a22 = -1 / _tauw;
        _vs = _el + (_i / (1 + _a));
        _ws = _a * _i / (1 + _a);
        _alpha = 0.5 * (_a11 + _a22);
        double det = (_a11 * _a22) - (_a12 * _a21);
        _mu2 = (_alpha * _alpha) - det;

        // sup_t ‖e^{At}‖ ≤ 1 + ‖A − αI‖_F · sup_t e^{αt}·|S(t)|, and e^{αt}|S(t)| ≤ 1/(e·(|α| − μ)) (μ real) or 1/(e·|α|).
        double n = Math.Sqrt(((_a11 - _alpha) * (_a11 - _alpha)) + (_a12 * _a12) + (_a21 * _a21) + ((_a22 - _alpha) * (_a22 - _alpha)));
        double rate = _mu2 > 0 ? -_alpha - Math.Sqrt(_mu2) : -_alpha;
        _bound = 1 + (n / (Math.E * rate));
        double period = _mu2 < 0 ? 1 / Math.Sqrt(-_mu2) : double.PositiveInfinity;
        _scan = Math.Min(Math.Min(_taum, _tauw), period) / 4;
    }

    private AdaptiveLif(in AdaptiveLif other, double dt)
    {
        this = other;
        _dt = dt;

        // The exact 2×2 propagator e^{A·dt} about the fixed point, column by column from the event-mode solution.
        var e1 = new NeuronState { V = _vs + 1, S1 = _ws };
        var e2 = new NeuronState { V = _vs, S1 = _ws + 1 };
        AdvanceFree(ref e1, dt);
        AdvanceFree(ref e2, dt);
        _cVs = (float)_vs;
        _cWs = (float)_ws;
        _cM11 = (float)(e1.V - _vs);
        _cM21 = (float)(e1.S1 - _ws);
        _cM12 = (float)(e2.V - _vs);
        _cM22 = (float)(e2.S1 - _ws);
        _cPw = (float)Math.Exp(-dt / _tauw);
        _cA = (float)_a;
        _cEl = (float)_el;
        _cB = (float)_b;
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "adaptive_lif",
        ["v", "w"],
        ["v"],
        [
            new("tau_m", "ms", 20.0, 0, true),
            new("tau_w", "ms", 100.0, 0, true),
            new("v_rest", "mV", -65.0),
            new("v_thresh", "mV", -50.0),
            new("v_reset", "mV", -65.0),
            new("i_offset", "mV", 0.0),
            new("a", "1", 0.0, 0),
            new("b", "mV", 1.0),
            new("t_ref", "ms", 0.0, 0),
        ],
        LinearModelRules.AllResetModes);

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _el };

    /// <inheritdoc/>
    public double RefractoryTicks => _tref;

    /// <inheritdoc/>
    public double Threshold => _vt;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => LinearModelRules.ValidateReset(parameters[3], parameters[4], parameters[8], rules.Reset);

    /// <inheritdoc/>
    public static AdaptiveLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

    /// <inheritdoc/>
    public AdaptiveLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        // e^{αt}·C and e^{αt}·S, computed without overflow or cancellation.
        double c;
        double s;
        double x = _mu2 * dt * dt;
        if (Math.Abs(x) < 1e-6)
        {
            double e = Math.Exp(_alpha * dt);
            c = e * (1 + (x / 2) + (x * x / 24));
            s = e * dt * (1 + (x / 6) + (x * x / 120));
        }
        else if (_mu2 > 0)
        {
            double mu = Math.Sqrt(_mu2);
            double ep = Math.Exp((_alpha + mu) * dt);
            double em = Math.Exp((_alpha - mu) * dt);
            c = 0.5 * (ep + em);
            s = 0.5 * (ep - em) / mu;
        }
        else
        {
            double w = Math.Sqrt(-_mu2);
            double e = Math.Exp(_alpha * dt);
            c = e * Math.Cos(w * dt);
            s = e * Math.Sin(w * dt) / w;
        }

        double dv = state.V - _vs;
        double dw = state.S1 - _ws;
        state.V = _vs + (c * dv) + (s * (((_a11 - _alpha) * dv) + (_a12 * dw)));
        state.S1 = _ws + (c * dw) + (s * ((_a21 * dv) + ((_a22 - _alpha) * dw)));
    }

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
            return;
        }

        double winf = _a * (state.V - _el);
        state.S1 = winf + ((state.S1 - winf) * Math.Exp(-dt / _tauw));
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
        => LinearModelRules.ApplyDeltaInput(ref state, weight, _reset);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state)
    {
        state.V = LinearModelRules.Reset(state.V, _vt, _vr, _reset);
        state.S1 += _b;
    }

    /// <inheritdoc/>
    public double Derivative(in NeuronState state) => (-(state.V - _el) - state.S1 + _i) / _taum;

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state)
    {
        double dv = state.V - _vs;
        double dw = state.S1 - _ws;
        return _vs + (_bound * Math.Sqrt((dv * dv) + (dw * dw))) >= _vt;
    }

    /// <inheritdoc/>
    public double SafeTime(in NeuronState state) => 0;

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state) => _scan;

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <inheritdoc/>
    /// <remarks>
    /// While free, the exact propagator over the step about the fixed point (v*, w*):
    /// <c>(v, w) ← (v*, w*) + e^{A·dt}·(v − v*, w − w*)</c>; while refractory v is frozen and
    /// <c>w ← w∞ + (w − w∞)·e^{−dt/τw}</c> with <c>w∞ = a·(v − v_rest)</c>. Then the summed voltage inputs and the spike rule;
    /// a spike adds b to w.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane dv = neuron.V - TLane.Splat(_cVs);
        TLane dw = neuron.S1 - TLane.Splat(_cWs);
        TLane vFree = TLane.Splat(_cVs) + (TLane.Splat(_cM11) * dv) + (TLane.Splat(_cM12) * dw);
        TLane wFree = TLane.Splat(_cWs) + (TLane.Splat(_cM21) * dv) + (TLane.Splat(_cM22) * dw);
        TLane winf = TLane.Splat(_cA) * (neuron.V - TLane.Splat(_cEl));
        TLane wFrozen = winf + ((neuron.S1 - winf) * TLane.Splat(_cPw));
        neuron.V = TLane.Select(integrate, vFree, neuron.V);
        neuron.S1 = TLane.Select(integrate, wFree, wFrozen);
        neuron.V = TLane.Select(_rule.TakesVoltageInput(active), neuron.V + input0, neuron.V);
        TMask spike = _rule.End(ref neuron, active);
        neuron.S1 = TLane.Select(spike, neuron.S1 + TLane.Splat(_cB), neuron.S1);
        return spike;
    }
}
