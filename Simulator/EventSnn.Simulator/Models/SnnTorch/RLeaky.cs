using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.RLeaky</c> (Leaky with recurrent feedback of its own output spikes), as snnTorch 0.9.4 computes it in
/// float32: <c>reset = H(mem[t−1] − θ)</c>; <c>m = β·mem + x + rec</c> with <c>rec = V·spk[t−1]</c> (one-to-one) or
/// <c>V_weight·spk[t−1] + V_bias</c> (all-to-all, bias added every step); subtract: <c>mem = m − reset·θ</c>; zero:
/// <c>mem = m − reset·m</c>; none: <c>mem = m</c>; <c>state_quant</c>; <c>spk = H(mem − θ)</c>; with
/// <c>reset_delay=False</c> the immediate reset <c>do_reset = spk − reset</c>.
/// </summary>
/// <remarks>
/// State: <c>v</c> = <c>mem</c>, <c>reset</c>. Receptor <c>x</c> is the feed-forward input, receptor <c>rec</c> the recurrent
/// one: in a network the recurrence is a projection of the population onto itself with a delay of one step (weights V on the
/// diagonal, or <c>V_weight</c> with row = target neuron) onto <c>rec</c>; <c>V_bias</c> is a parameter added to <c>rec</c>
/// every step. The class has no <c>graded_spikes_factor</c> argument (factor 1). Clock-driven only.
/// </remarks>
public readonly struct RLeaky : INeuronModel<RLeaky>, ISnnTorchPopulation, IClockTables<RLeaky>
{
    private const int PBeta = 0;
    private const int PThreshold = 1;
    private const int PInhibition = 2;
    private const int PReset = 3;
    private const int PQuant = 4;
    private const int PResetDelay = PQuant + SnnTorchCommon.StateQuantCount;
    private const int PBias = PResetDelay + 1;

    private readonly float _beta;
    private readonly float _threshold;
    private readonly float _bias;
    private readonly BlittableBool _inhibition;
    private readonly BlittableBool _resetDelay;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _dt;

    private RLeaky(ReadOnlySpan<double> p)
    {
        _beta = SnnTorchCommon.Clamp01(p[PBeta]);
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _resetDelay = p[PResetDelay] != 0;
        _bias = (float)p[PBias];
        _dt = 0;
    }

    private RLeaky(in RLeaky other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.rleaky",
        ["v", "reset"],
        ["x", "rec"],
        [
            SnnTorchCommon.Decay("beta", 0.9),
            new("threshold", "1", 1.0),
            NeuronParameterInfo.Flag("inhibition", false),
            SnnTorchCommon.ResetMechanismParameter("subtract"),
            .. SnnTorchCommon.StateQuantParameters,
            NeuronParameterInfo.Flag("reset_delay", true),
            new("V_bias", "1", 0.0),
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => default;

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _threshold;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public float ThresholdValue => _threshold;

    /// <inheritdoc/>
    public bool Inhibition => _inhibition;

    /// <inheritdoc/>
    public ResetMechanism? ImmediateReset => _resetDelay ? null : _mechanism;

    /// <inheritdoc/>
    public float GradedFactor => 1f;

    /// <inheritdoc/>
    public int ResetFlagColumn => 1;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => SnnTorchCommon.CheckRules(rules) ?? SnnTorchCommon.CheckStateQuant(parameters, PQuant);

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<RLeaky> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<RLeaky> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static RLeaky Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public RLeaky WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V > _threshold;

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
        TLane th = TLane.Splat(_threshold);
        TLane mem = neuron.V;
        TLane reset = SnnTorchCommon.OneWhere<TLane, TMask>(SnnTorchCommon.Fires<TLane, TMask>(mem, th));
        TLane m = ((TLane.Splat(_beta) * mem) + input0) + (input1 + TLane.Splat(_bias));
        mem = _mechanism switch
        {
            ResetMechanism.Subtract => m - (reset * th),
            ResetMechanism.Zero => m - (reset * m),
            _ => m,
        };
        if (_quant.Enabled)
        {
            mem = _quant.Apply<TLane, TMask>(mem);
        }

        TMask fire = SnnTorchCommon.Fires<TLane, TMask>(mem, th);
        if (!_inhibition && !_resetDelay)
        {
            mem = SnnTorchCommon.ImmediateReset<TLane, TMask>(mem, SnnTorchCommon.OneWhere<TLane, TMask>(fire), reset, 1f, _threshold, _mechanism);
        }

        neuron.V = mem;
        neuron.S1 = reset;
        return fire;
    }

    /// <inheritdoc/>
    ClockTable IClockTables<RLeaky>.Table => _quant.Table;

    /// <inheritdoc/>
    RLeaky IClockTables<RLeaky>.WithTable(ClockTable table)
    {
        RLeaky copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
