using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.IF</c> soma: <c>u = h + x</c>, fire, reset (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c> (the potential after reset). Receptor <c>x</c>. Output: the spike (1) or, with multi-spike
/// firing, the spike count.</para>
/// <para><b>Event-driven form</b> (Heaviside firing, u_threshold &gt; u_rest): the potential is constant between inputs, an input
/// adds its weight, the spike test is <c>h ≥ u_threshold</c> and the reset is applied at once.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornIf : INeuronModel<MatterhornIf>
{
    private const int FiringIndex = 2;
    private const int HardIndex = 3;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly double _dt;
    private readonly double _thresholdExact;
    private readonly double _restExact;

    private MatterhornIf(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _dt = 0;
        _thresholdExact = p[0];
        _restExact = p[1];
    }

    private MatterhornIf(in MatterhornIf other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.if",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            MatterhornCommon.FiringParameter,
            MatterhornCommon.HardResetParameter,
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
    public MatterhornIf WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornIf Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules) => MatterhornCommon.CheckRules(rules);

    /// <inheritdoc/>
    public static string? EventDrivenProblem(ReadOnlySpan<double> parameters) => MatterhornCommon.EventProblem(parameters[0], parameters[1], parameters[FiringIndex]);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
    }

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => state.V += weight;

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V >= _thresholdExact;

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = _hard ? _restExact : state.V - (_thresholdExact - _restExact);

    /// <inheritdoc/>
    /// <remarks>The potential is constant between inputs.</remarks>
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
        TLane u = neuron.V + input0;
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
