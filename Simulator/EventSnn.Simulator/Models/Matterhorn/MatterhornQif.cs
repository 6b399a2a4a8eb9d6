using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.QIF</c> soma: <c>du = (1/τm)·(a_0·(h − u_rest)·(h − u_c) + x)</c>, <c>u = h + du</c>, fire, reset (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>. Receptor <c>x</c>. Clock-driven only.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornQif : INeuronModel<MatterhornQif>
{
    private const int FiringIndex = 5;
    private const int HardIndex = 6;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _c;
    private readonly float _uc;
    private readonly float _a0;
    private readonly double _dt;

    private MatterhornQif(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _c = 1f / (float)p[2];
        _uc = (float)p[3];
        _a0 = (float)p[4];
        _dt = 0;
    }

    private MatterhornQif(in MatterhornQif other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.qif",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("tau_m", "1", 2.0),
            new("u_c", "1", 1.0),
            new("a_0", "1", 1.0),
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
    public MatterhornQif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornQif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

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
        TLane u = h + (TLane.Splat(_c) * ((TLane.Splat(_a0) * (h - TLane.Splat(_rest)) * (h - TLane.Splat(_uc))) + input0));
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
