using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Leaky integrate-and-fire neuron with instantaneous (delta) synapses and a constant drive:
/// <c>τm·dv/dt = −(v − v_rest) + i_offset</c>; an input of weight w on receptor <c>v</c> jumps <c>v</c> by w mV.
/// Integrated exactly: <c>v(t) = v∞ + (v0 − v∞)·e^{−t/τm}</c>, <c>v∞ = v_rest + i_offset</c>; the crossing time is
/// closed-form: <c>δ = τm·ln((v∞ − v0)/(v∞ − v_thresh))</c> when <c>v∞ &gt; v_thresh</c>.
/// </summary>
public readonly struct Lif : INeuronModel<Lif>, IJumpDecayModel
{
    private readonly double _tau;
    private readonly double _vinf;
    private readonly double _vrest;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cP;
    private readonly float _cVinf;
    private readonly ClockSpikeRule _rule;

    private Lif(ReadOnlySpan<double> p, in SpikeRules rules, double dt)
    {
        _tau = Units.MsToTicks(p[0]);
        _vrest = p[1];
        _vt = p[2];
        _vr = p[3];
        _vinf = p[1] + p[4];
        _tref = Units.MsToTicks(p[5]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _dt = dt;
        _rules = rules;
    }

    private Lif(in Lif other, double dt)
    {
        this = other;
        _dt = dt;
        _cP = (float)Math.Exp(-dt / _tau);
        _cVinf = (float)_vinf;
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "lif",
        ["v"],
        ["v"],
        LinearModelRules.DeltaModelParameters,
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
        => LinearModelRules.ValidateReset(parameters[2], parameters[3], parameters[5], rules.Reset);

    /// <inheritdoc/>
    public static Lif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules, 0);

    /// <inheritdoc/>
    public Lif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
        => state.V = _vinf + ((state.V - _vinf) * Math.Exp(-dt / _tau));

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
        }
    }

    /// <inheritdoc/>
    JumpDecayForm? IJumpDecayModel.JumpDecay => new(_tau, _vinf, _vt, _vr, _tref, _reset, _strict.Value);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
        => LinearModelRules.ApplyDeltaInput(ref state, weight, _reset);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = LinearModelRules.Reset(state.V, _vt, _vr, _reset);

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
    {
        recheck = double.PositiveInfinity;
        if (IsAboveThreshold(state))
        {
            return 0;
        }

        if (!(_vinf > _vt))
        {
            return double.PositiveInfinity;
        }

        return LinearModelRules.CrossingWithin(_tau * Math.Log((_vinf - state.V) / (_vinf - _vt)), horizon, out recheck);
    }

    /// <inheritdoc/>
    /// <remarks>Exact relaxation over the step while free, <c>v ← v∞ + (v − v∞)·e^{−dt/τm}</c>, then the summed voltage inputs.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane vinf = TLane.Splat(_cVinf);
        neuron.V = TLane.Select(integrate, vinf + ((neuron.V - vinf) * TLane.Splat(_cP)), neuron.V);
        neuron.V = TLane.Select(_rule.TakesVoltageInput(active), neuron.V + input0, neuron.V);
        return _rule.End(ref neuron, active);
    }
}
