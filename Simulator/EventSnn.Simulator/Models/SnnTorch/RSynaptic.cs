using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.RSynaptic</c> (Synaptic with recurrent feedback of its own output spikes into the synaptic current), as
/// snnTorch 0.9.4 computes it in float32: <c>reset = H(mem[t−1] − θ)</c>; <c>syn = α·syn + x + rec</c> with
/// <c>rec = V·spk[t−1]</c> or <c>V_weight·spk[t−1] + V_bias</c>; <c>m = β·mem + syn</c>; subtract: <c>mem = m − reset·θ</c>;
/// zero: <c>mem = m − reset·m</c>; none: <c>mem = m</c>; <c>state_quant</c> of syn then mem; <c>spk = H(mem − θ)</c>.
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>mem</c>, <c>syn</c>. Receptors <c>x</c> (feed-forward) and <c>rec</c> (recurrent, see
/// <see cref="RLeaky"/>); <c>V_bias</c> is added to <c>rec</c> every step. Clock-driven only.</para>
/// <para><c>reset_delay=False</c> has no effect: the library's immediate reset writes to the forward's local arguments
/// (<c>mem = mem − do_reset·…</c> on the <c>mem</c> parameter), which it then discards (and it raises a TypeError when those
/// arguments are not passed). The reset therefore always acts one step late, as with <c>reset_delay=True</c>.</para>
/// </remarks>
public readonly struct RSynaptic : INeuronModel<RSynaptic>, ISnnTorchPopulation, IClockTables<RSynaptic>
{
    private const int PAlpha = 0;
    private const int PBeta = 1;
    private const int PThreshold = 2;
    private const int PInhibition = 3;
    private const int PReset = 4;
    private const int PQuant = 5;
    private const int PResetDelay = PQuant + SnnTorchCommon.StateQuantCount;
    private const int PBias = PResetDelay + 1;

    private readonly float _alpha;
    private readonly float _beta;
    private readonly float _threshold;
    private readonly float _bias;
    private readonly BlittableBool _inhibition;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _dt;

    private RSynaptic(ReadOnlySpan<double> p)
    {
        _alpha = SnnTorchCommon.Clamp01(p[PAlpha]);
        _beta = SnnTorchCommon.Clamp01(p[PBeta]);
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _bias = (float)p[PBias];
        _dt = 0;
    }

    private RSynaptic(in RSynaptic other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.rsynaptic",
        ["v", "syn"],
        ["x", "rec"],
        [
            SnnTorchCommon.Decay("alpha", 0.9),
            SnnTorchCommon.Decay("beta", 0.8),
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
    public ResetMechanism? ImmediateReset => null;

    /// <inheritdoc/>
    public float GradedFactor => 1f;

    /// <inheritdoc/>
    public int ResetFlagColumn => 0;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => SnnTorchCommon.CheckRules(rules) ?? SnnTorchCommon.CheckStateQuant(parameters, PQuant);

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<RSynaptic> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<RSynaptic> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static RSynaptic Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public RSynaptic WithTimeStep(double dtTicks) => new(this, dtTicks);

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
        TLane syn = ((TLane.Splat(_alpha) * neuron.S1) + input0) + (input1 + TLane.Splat(_bias));
        TLane m = (TLane.Splat(_beta) * mem) + syn;
        mem = _mechanism switch
        {
            ResetMechanism.Subtract => m - (reset * th),
            ResetMechanism.Zero => m - (m * reset),
            _ => m,
        };
        if (_quant.Enabled)
        {
            syn = _quant.Apply<TLane, TMask>(syn);
            mem = _quant.Apply<TLane, TMask>(mem);
        }

        neuron.V = mem;
        neuron.S1 = syn;
        return SnnTorchCommon.Fires<TLane, TMask>(mem, th);
    }

    /// <inheritdoc/>
    ClockTable IClockTables<RSynaptic>.Table => _quant.Table;

    /// <inheritdoc/>
    RSynaptic IClockTables<RSynaptic>.WithTable(ClockTable table)
    {
        RSynaptic copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
