using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Perfect (non-leaky) integrate-and-fire neuron with delta synapses and a constant drive:
/// <c>τm·dv/dt = i_offset</c>; an input of weight w on receptor <c>v</c> jumps <c>v</c> by w mV.
/// Exact: <c>v(t) = v0 + i_offset·t/τm</c>; crossing <c>δ = τm·(v_thresh − v0)/i_offset</c> when <c>i_offset &gt; 0</c>.
/// </summary>
public readonly struct IntegrateAndFire : INeuronModel<IntegrateAndFire>, IJumpDecayModel
{
    private readonly double _tau;
    private readonly double _vinit;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _drive;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cDrift;
    private readonly ClockSpikeRule _rule;

    private IntegrateAndFire(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _tau = Units.MsToTicks(p[0]);
        _vinit = p[1];
        _vt = p[2];
        _vr = p[3];
        _drive = p[4];
        _tref = Units.MsToTicks(p[5]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _rules = rules;
        _dt = 0;
    }

    private IntegrateAndFire(in IntegrateAndFire other, double dt)
    {
        this = other;
        _dt = dt;
        _cDrift = (float)(_drive * dt / _tau);
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "if",
        ["v"],
        ["v"],
        LinearModelRules.DeltaModelParameters,
        LinearModelRules.AllResetModes);

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vinit };

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
    public static IntegrateAndFire Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

    /// <inheritdoc/>
    public IntegrateAndFire WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => state.V += _drive * dt / _tau;

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
        }
    }

    /// <inheritdoc/>
    /// <remarks>Without drive the potential does not move between inputs (τ = +∞); the reset value is the reference level.</remarks>
    JumpDecayForm? IJumpDecayModel.JumpDecay => _drive == 0 ? new(double.PositiveInfinity, _vr, _vt, _vr, _tref, _reset, _strict.Value) : null;

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

        if (!(_drive > 0))
        {
            return double.PositiveInfinity;
        }

        return LinearModelRules.CrossingWithin((_vt - state.V) * _tau / _drive, horizon, out recheck);
    }

    /// <inheritdoc/>
    /// <remarks>While free, <c>v ← v + i_offset·dt/τm</c>; then the summed voltage inputs.</remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        neuron.V = TLane.Select(integrate, neuron.V + TLane.Splat(_cDrift), neuron.V);
        neuron.V = TLane.Select(_rule.TakesVoltageInput(active), neuron.V + input0, neuron.V);
        return _rule.End(ref neuron, active);
    }
}
