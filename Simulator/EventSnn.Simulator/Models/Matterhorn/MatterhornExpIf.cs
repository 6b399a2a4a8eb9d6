using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.ExpIF</c> soma: <c>du = (1/τm)·(−(h − u_rest) + Δ_T·exp((h − u_T)/Δ_T) + x)</c>, <c>u = h + du</c>, fire, reset (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>. Receptor <c>x</c>. Clock-driven only. The exponential is <see cref="LaneMath.Exp{TLane, TMask}"/>
/// (relative error below 2·10⁻⁷, +∞ above 88.7, as float32 overflows); with the library's defaults (u_T = 0, Δ_T = 0.001) the
/// exponential overflows as soon as h exceeds about 0.09, and a hard reset of an infinite potential gives NaN, as in the
/// library. The library's whole-sequence forward uses the whole input where it means the step's (<c>x</c> for
/// <c>x[t]</c>); this model follows the per-step call.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornExpIf : INeuronModel<MatterhornExpIf>
{
    private const int FiringIndex = 5;
    private const int HardIndex = 6;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _c;
    private readonly float _ut;
    private readonly float _deltaT;
    private readonly double _dt;

    private MatterhornExpIf(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _c = 1f / (float)p[2];
        _ut = (float)p[3];
        _deltaT = (float)p[4];
        _dt = 0;
    }

    private MatterhornExpIf(in MatterhornExpIf other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.expif",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("tau_m", "1", 2.0),
            new("u_t", "1", 0.0),
            new("delta_t", "1", 0.001),
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
    public MatterhornExpIf WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornExpIf Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

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
        TLane dT = TLane.Splat(_deltaT);
        TLane e = dT * LaneMath.Exp<TLane, TMask>((h - TLane.Splat(_ut)) / dT);
        TLane u = h + (TLane.Splat(_c) * ((-(h - TLane.Splat(_rest)) + e) + input0));
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
