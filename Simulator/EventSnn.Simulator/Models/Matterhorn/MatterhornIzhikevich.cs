using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.Izhikevich</c> soma in its scaled form: <c>w = w + a·(b·h − w)</c>, <c>du = 0.00004·h² + 0.005·h + 0.14 + u_rest − w + x</c>, <c>u = h + du</c>, fire, reset of h only (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>, <c>w</c> (the recovery variable, updated first from the previous h; a spike does not change it).
/// Receptor <c>x</c>. Clock-driven only. The constants are the library's (the classic 0.04, 5, 140 scaled by 10⁻³, 10⁻³, 10⁻³),
/// rounded to float32 as the library's scalar arithmetic does. The library's whole-sequence forward uses the whole input
/// where it means the step's; this model follows the per-step call.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornIzhikevich : INeuronModel<MatterhornIzhikevich>
{
    private const int FiringIndex = 4;
    private const int HardIndex = 5;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _a;
    private readonly float _b;
    private readonly double _dt;

    private MatterhornIzhikevich(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _a = (float)p[2];
        _b = (float)p[3];
        _dt = 0;
    }

    private MatterhornIzhikevich(in MatterhornIzhikevich other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.izhikevich",
        ["v", "w"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("a", "1", 1.0),
            new("b", "1", 1.0),
            MatterhornCommon.FiringParameter,
            MatterhornCommon.HardResetParameter,
        ],
        [ResetMode.ToValue])
    {
        GradedOutput = true,
        SupportsEventDriven = false,
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
    public MatterhornIzhikevich WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornIzhikevich Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules) => MatterhornCommon.CheckRules(rules);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V >= _threshold;

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
        TLane h = neuron.V;
        TLane w = neuron.S1 + (TLane.Splat(_a) * ((TLane.Splat(_b) * h) - neuron.S1));
        neuron.S1 = w;
        TLane du = ((((((TLane.Splat(0.00004f) * h) * h) + (TLane.Splat(0.005f) * h)) + TLane.Splat(0.14f)) + TLane.Splat(_rest)) - w) + input0;
        TLane u = h + du;
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
