using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.KLIF</c> soma: <c>du = (1/τm)·(−(h − u_rest) + x)</c>, <c>u = relu(k·(h + du − u_rest)) + u_rest</c>, fire, reset (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>. Receptor <c>x</c>. Clock-driven only.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornKlif : INeuronModel<MatterhornKlif>
{
    private const int FiringIndex = 4;
    private const int HardIndex = 5;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _c;
    private readonly float _k;
    private readonly double _dt;

    private MatterhornKlif(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _c = 1f / (float)p[2];
        _k = (float)p[3];
        _dt = 0;
    }

    private MatterhornKlif(in MatterhornKlif other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.klif",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("tau_m", "1", 2.0),
            new("k", "1", 2.0),
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
    public MatterhornKlif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornKlif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

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
        TLane rest = TLane.Splat(_rest);
        TLane u = neuron.V + (TLane.Splat(_c) * (-(neuron.V - rest) + input0));
        u = TLane.Max(TLane.Splat(_k) * (u - rest), TLane.Splat(0f)) + rest;
        return MatterhornCommon.FireAndReset<TLane, TMask>(ref neuron, u, _threshold, _rest, _firing, _hard);
    }
}
