using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.Matterhorn;

/// <summary>
/// Matterhorn's <c>snn.LIAF</c> soma (leaky integrate and analog fire): the LIF update <c>u = h + (1/τm)·(−(h − u_rest) + x)</c>, the reset of h by the firing function, and the analog output <c>o = activation_function(u)</c> of the pre-reset potential at every step (Matterhorn 2.0.0, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>h</c>. Receptor <c>x</c>. The output is analog: in a network every neuron whose output is non-zero
/// emits it each step as the amplitude of its deliveries. <c>activation_function</c>: <c>relu</c> (the library's default
/// <c>nn.ReLU()</c>), <c>identity</c> or <c>sigmoid</c> (<c>1/(1 + e^{−u})</c>). Clock-driven only.</para>
/// <para>Spike test (Heaviside family): <c>u − u_threshold ≥ 0</c>; reset: hard <c>h = u·(1 − s) + u_rest·s</c> (<c>s = o &gt; 0.5</c>) or
/// soft <c>h = u − o·(u_threshold − u_rest)</c>, in the same step.</para>
/// </remarks>
public readonly struct MatterhornLiaf : INeuronModel<MatterhornLiaf>
{
    private const int FiringIndex = 3;
    private const int ActivationIndex = 4;
    private const int HardIndex = 5;

    private readonly float _threshold;
    private readonly float _rest;
    private readonly Firing _firing;
    private readonly bool _hard;
    private readonly float _c;
    private readonly Activation _activation;
    private readonly double _dt;

    private MatterhornLiaf(ReadOnlySpan<double> p)
    {
        _threshold = (float)p[0];
        _rest = (float)p[1];
        _firing = (Firing)(int)p[FiringIndex];
        _hard = p[HardIndex] != 0;
        _c = 1f / (float)p[2];
        _activation = (Activation)(int)p[ActivationIndex];
        _dt = 0;
    }

    private MatterhornLiaf(in MatterhornLiaf other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "matterhorn.liaf",
        ["v"],
        ["x"],
        [
            new("u_threshold", "1", 1.0),
            new("u_rest", "1", 0.0),
            new("tau_m", "1", 2.0),
            MatterhornCommon.FiringParameter,
            NeuronParameterInfo.Choice("activation_function", "relu", "relu", "identity", "sigmoid"),
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
    public MatterhornLiaf WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static MatterhornLiaf Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

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
        TLane o = MatterhornCommon.Fire<TLane, TMask>(u, _threshold, _rest, _firing);
        neuron.V = MatterhornCommon.Reset<TLane, TMask>(u, o, _threshold, _rest, _hard);
        TLane a = _activation switch
        {
            Activation.Relu => TLane.Max(u, TLane.Splat(0f)),
            Activation.Sigmoid => TLane.Splat(1f) / (TLane.Splat(1f) + LaneMath.Exp<TLane, TMask>(-u)),
            _ => u,
        };
        neuron.Output = a;
        return ~TLane.Equal(a, TLane.Splat(0f));
    }
}

/// <summary>The activation of <see cref="MatterhornLiaf"/>'s analog output.</summary>
public enum Activation
{
    /// <summary><c>nn.ReLU()</c>: <c>max(u, 0)</c>.</summary>
    Relu = 0,

    /// <summary><c>nn.Identity()</c>: <c>u</c>.</summary>
    Identity = 1,

    /// <summary><c>nn.Sigmoid()</c>: <c>1/(1 + e^{−u})</c>.</summary>
    Sigmoid = 2,
}
