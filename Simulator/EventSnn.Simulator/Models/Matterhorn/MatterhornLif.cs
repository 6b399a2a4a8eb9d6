using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.LIF</c> soma: <c>du = (1/τm)·(−(h − u_rest) + x)</c>, <c>u = h + du</c>, fire, reset (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>. Receptor <c>x</c>. Output: the spike (1) or the spike count.</para>
/// <para><b>Event-driven form</b> (Heaviside firing, u_threshold &gt; u_rest, τm &gt; 1): one step lasts <c>event_step</c>;
/// between inputs <c>h(t) = u_rest + (h − u_rest)·(1 − 1/τm)^{t/event_step}</c>; an input w adds <c>w/τm</c>; the spike test
/// is <c>h ≥ u_threshold</c> and the reset is applied at once.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornLif : INeuronModel<MatterhornLif>
{
    private const int FiringIndex = 3;
    private const int HardIndex = 4;
    private const int EventStepIndex = 5;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _c;
    private readonly double _decayExact;
    private readonly double _gainExact;
    private readonly double _stepTicks;
    private readonly double _dt;
    private readonly double _thresholdExact;
    private readonly double _restExact;

    private MatterhornLif(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _c = 1f / (float)p[2];
        _decayExact = 1 - (1 / p[2]);
        _gainExact = 1 / p[2];
        _stepTicks = Units.MsToTicks(p[EventStepIndex]);
        _dt = 0;
        _thresholdExact = p[0];
        _restExact = p[1];
    }

    private MatterhornLif(in MatterhornLif other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.lif",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("tau_m", "1", 2.0),
            MatterhornCommon.FiringParameter,
            MatterhornCommon.HardResetParameter,
            new("event_step", "ms", 1.0, 0, true),
        ],
        [ResetMode.ToValue])
    {
        GradedOutput = true,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _rest };

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _threshold;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public MatterhornLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules) => MatterhornCommon.CheckRules(rules);

    /// <inheritdoc/>
    public static string? EventDrivenProblem(ReadOnlySpan<double> parameters)
        => EventProblem(parameters);

    private static string? EventProblem(ReadOnlySpan<double> p)
        => MatterhornCommon.EventProblem(p[0], p[1], p[FiringIndex]) ?? (p[2] > 1 ? null : "unless tau_m > 1 (the decay per step 1 − 1/tau_m must be positive)");

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
        => state.V = _restExact + ((state.V - _restExact) * Math.Exp(Math.Log(_decayExact) * dt / _stepTicks));

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => AdvanceFree(ref state, dt);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => state.V += weight * _gainExact;

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V >= _thresholdExact;

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = _hard ? _restExact : state.V - (_thresholdExact - _restExact);

    /// <inheritdoc/>
    /// <remarks>Between inputs the potential relaxes towards u_rest &lt; u_threshold: it can only be above threshold already.</remarks>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
    {
        recheck = double.PositiveInfinity;
        return IsAboveThreshold(state) ? 0 : double.PositiveInfinity;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane rest = TLane.Splat(_rest);
        TLane u = neuron.V + (TLane.Splat(_c) * (-(neuron.V - rest) + input0));
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
