using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The adaptive exponential integrate-and-fire neuron (Brette &amp; Gerstner 2005) with delta synapses, in physical units
/// (parameter names of NEST's <c>aeif_psc_delta</c>): <c>C_m·dV/dt = −g_L(V − E_L) + g_L·Δ_T·exp((V − V_th)/Δ_T) − w + I_e</c>,
/// <c>τ_w·dw/dt = a(V − E_L) − w</c>; when <c>V ≥ V_peak</c>: <c>V ← V_reset</c>, <c>w ← w + b</c>, V clamped for <c>t_ref</c>.
/// </summary>
/// <remarks>
/// <para>Integrated by forward Euler over the step (both derivatives from the state at the start of the step, as Brian2's
/// <c>method='euler'</c>), then the step's summed input (mV, receptor <c>v</c>) is added to V, then the spike rule of the
/// leaky family (<see cref="ClockSpikeRule"/>: refractory steps, threshold comparison), and <c>w += b</c> at a spike. The
/// exponential saturates to +∞ (float32) and such a step spikes. Units: pF, nS, mV, ms, pA.</para>
/// <para>State: <c>v</c> (initially E_L), <c>w</c> (0). Clock-driven only (no exact event-driven form).</para>
/// </remarks>
public readonly struct Adex : INeuronModel<Adex>
{
    private readonly double _cm;
    private readonly double _gl;
    private readonly double _el;
    private readonly double _vth;
    private readonly double _deltaT;
    private readonly double _a;
    private readonly double _tauW;
    private readonly double _b;
    private readonly double _vReset;
    private readonly double _vPeak;
    private readonly double _tref;
    private readonly double _ie;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _kV;
    private readonly float _glF;
    private readonly float _elF;
    private readonly float _vthF;
    private readonly float _deltaTF;
    private readonly float _ieF;
    private readonly float _kW;
    private readonly float _aF;
    private readonly float _bF;
    private readonly ClockSpikeRule _rule;

    private Adex(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _cm = p[0];
        _gl = p[1];
        _el = p[2];
        _vth = p[3];
        _deltaT = p[4];
        _a = p[5];
        _tauW = p[6];
        _b = p[7];
        _vReset = p[8];
        _vPeak = p[9];
        _tref = Units.MsToTicks(p[10]);
        _ie = p[11];
        _rules = rules;
    }

    private Adex(in Adex other, double dt)
    {
        this = other;
        _dt = dt;
        double ms = dt / Units.TicksPerMillisecond;
        _kV = (float)(ms / _cm);
        _glF = (float)_gl;
        _elF = (float)_el;
        _vthF = (float)_vth;
        _deltaTF = (float)_deltaT;
        _ieF = (float)_ie;
        _kW = (float)(ms / _tauW);
        _aF = (float)_a;
        _bF = (float)_b;
        _rule = new ClockSpikeRule(_vPeak, _vReset, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "adex",
        ["v", "w"],
        ["v"],
        [
            new("C_m", "pF", 281.0, 0, true),
            new("g_L", "nS", 30.0, 0),
            new("E_L", "mV", -70.6),
            new("V_th", "mV", -50.4),
            new("Delta_T", "mV", 2.0, 0, true),
            new("a", "nS", 4.0),
            new("tau_w", "ms", 144.0, 0, true),
            new("b", "pA", 80.5),
            new("V_reset", "mV", -60.0),
            new("V_peak", "mV", 0.0),
            new("t_ref", "ms", 0.0, 0),
            new("I_e", "pA", 0.0),
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _el };

    /// <inheritdoc/>
    public double RefractoryTicks => _tref;

    /// <inheritdoc/>
    public double Threshold => _vPeak;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
    {
        if (!(parameters[8] < parameters[9]))
        {
            return "V_reset must be below V_peak";
        }

        return parameters[3] < parameters[9] ? null : "V_th must be below V_peak";
    }

    /// <inheritdoc/>
    public static Adex Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters, rules);

    /// <inheritdoc/>
    public Adex WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V >= _vPeak;

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane v = neuron.V;
        TLane w = neuron.S1;
        TLane el = TLane.Splat(_elF);
        TLane gl = TLane.Splat(_glF);
        TLane dT = TLane.Splat(_deltaTF);
        TLane spike = (gl * dT) * LaneMath.Exp<TLane, TMask>((v - TLane.Splat(_vthF)) / dT);
        TLane dv = ((-(gl * (v - el)) + spike) - w) + TLane.Splat(_ieF);
        TLane dw = (TLane.Splat(_aF) * (v - el)) - w;
        neuron.V = TLane.Select(integrate, v + (TLane.Splat(_kV) * dv), v);
        neuron.S1 = w + (TLane.Splat(_kW) * dw);
        neuron.V = TLane.Select(_rule.TakesVoltageInput(active), neuron.V + input0, neuron.V);
        TMask fired = _rule.End(ref neuron, active);
        neuron.S1 = TLane.Select(fired, neuron.S1 + TLane.Splat(_bF), neuron.S1);
        return fired;
    }
}
