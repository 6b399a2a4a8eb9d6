using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Current-based LIF with exponential synaptic currents (the CUBA benchmark model):
/// <c>τm·dv/dt = −(v − v_rest) + ie + ii + i_offset</c>, <c>τe·die/dt = −ie</c>, <c>τi·dii/dt = −ii</c>
/// (currents in mV, i.e. already multiplied by the membrane resistance). Receptor <c>e</c> adds w to <c>ie</c>,
/// receptor <c>i</c> adds w to <c>ii</c> (weights of either sign).
/// </summary>
/// <remarks>
/// The system is linear, so it is integrated with its exact propagator (as NEST's <c>iaf_psc_exp</c>):
/// <c>v(t) = v∞ + (v0 − v∞)e^{−t/τm} + ie0·K(t;τm,τe) + ii0·K(t;τm,τi)</c>, see <see cref="Propagators.SynapticKernel"/>.
/// Threshold crossings between events are found by <see cref="CrossingSearch"/> on that exact trajectory.
/// </remarks>
public readonly struct CubaLif : ISearchableModel<CubaLif>
{
    private readonly double _taum;
    private readonly double _taue;
    private readonly double _taui;
    private readonly double _vrest;
    private readonly double _vinf;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly double _scan;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cVinf;
    private readonly float _cPm;
    private readonly float _cPe;
    private readonly float _cPi;
    private readonly float _cKe;
    private readonly float _cKi;
    private readonly ClockSpikeRule _rule;

    private CubaLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _vinf = p[3] + p[6];
        _tref = Units.MsToTicks(p[7]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _scan = Math.Min(_taum, Math.Min(_taue, _taui)) / 4;
        _rules = rules;
    }

    private CubaLif(in CubaLif other, double dt)
    {
        this = other;
        _dt = dt;
        _cVinf = (float)_vinf;
        _cPm = (float)Math.Exp(-dt / _taum);
        _cPe = (float)Math.Exp(-dt / _taue);
        _cPi = (float)Math.Exp(-dt / _taui);
        _cKe = (float)Propagators.SynapticKernel(dt, _taum, _taue);
        _cKi = (float)Propagators.SynapticKernel(dt, _taum, _taui);
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "cuba_lif",
        ["v", "ie", "ii"],
        ["e", "i"],
        [
            new("tau_m", "ms", 20.0, 0, true),
            new("tau_e", "ms", 5.0, 0, true),
            new("tau_i", "ms", 10.0, 0, true),
            new("v_rest", "mV", -60.0),
            new("v_thresh", "mV", -50.0),
            new("v_reset", "mV", -60.0),
            new("i_offset", "mV", 0.0),
            new("t_ref", "ms", 0.0, 0),
        ],
        LinearModelRules.AllResetModes);

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
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[7], rules.Reset);

    /// <inheritdoc/>
    public static CubaLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

    /// <inheritdoc/>
    public CubaLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        double em = Math.Exp(-dt / _taum);
        double ke = Propagators.SynapticKernel(dt, _taum, _taue);
        double ki = Propagators.SynapticKernel(dt, _taum, _taui);
        state.V = _vinf + ((state.V - _vinf) * em) + (state.S1 * ke) + (state.S2 * ki);
        state.S1 *= Math.Exp(-dt / _taue);
        state.S2 *= Math.Exp(-dt / _taui);
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
    public double Derivative(in NeuronState state) => (-(state.V - _vinf) + state.S1 + state.S2) / _taum;

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state)
        => _vinf + Math.Max(0, state.V - _vinf) + Math.Max(0, state.S1) + Math.Max(0, state.S2) >= _vt;

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state) => _scan;

    /// <inheritdoc/>
    /// <remarks>
    /// With E = e^{−t/τm}: v(t) − v∞ ≤ (v0 − v∞)·E + (ie⁺ + ii⁺)·(1 − E), because each synaptic kernel satisfies
    /// K(t) ≤ 1 − e^{−t/τm}. Solving the bound for v_thresh gives the earliest possible crossing time.
    /// </remarks>
    public double SafeTime(in NeuronState state)
    {
        double a = state.V - _vinf;
        double b = Math.Max(0, state.S1) + Math.Max(0, state.S2);
        double c = _vt - _vinf;
        return LinearModelRules.EarliestBoundCrossing(a, b, c, _taum);
    }

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <inheritdoc/>
    /// <remarks>
    /// The exact propagator over the step: <c>v ← v∞ + (v − v∞)·Pm + ie·Ke + ii·Ki</c> while free (v frozen while
    /// refractory), <c>ie ← ie·Pe + input_e</c>, <c>ii ← ii·Pi + input_i</c> always (currents keep decaying and receiving
    /// input during the refractory period). As Brian2's <c>method='exact'</c> for the CUBA benchmark.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane vinf = TLane.Splat(_cVinf);
        TLane ie = neuron.S1;
        TLane ii = neuron.S2;
        TLane v = vinf + ((neuron.V - vinf) * TLane.Splat(_cPm)) + (ie * TLane.Splat(_cKe)) + (ii * TLane.Splat(_cKi));
        neuron.V = TLane.Select(integrate, v, neuron.V);
        neuron.S1 = (ie * TLane.Splat(_cPe)) + input0;
        neuron.S2 = (ii * TLane.Splat(_cPi)) + input1;
        return _rule.End(ref neuron, active);
    }
}
