using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.Synaptic</c> (second-order LIF with a synaptic current), as snnTorch 0.9.4 computes it in float32:
/// <c>reset = H(mem[t−1] − θ)</c>; <c>syn = α·syn + x</c>; <c>m = β·mem + syn</c>; subtract: <c>mem = m − reset·θ</c>;
/// zero: <c>mem = m − reset·m</c> (the whole new potential is dropped, <c>syn</c> is kept); none: <c>mem = m</c>
/// (α, β clamped to [0, 1]); <c>state_quant</c> of mem then syn; <c>spk = H(mem − θ)</c>; with <c>reset_delay=False</c> the
/// immediate reset <c>do_reset = spk − reset</c>. The class has no <c>graded_spikes_factor</c> argument (factor 1).
/// </summary>
/// <remarks>State: <c>v</c> = <c>mem</c>, <c>syn</c>, <c>reset</c>. Receptor <c>x</c>. Clock-driven only.</remarks>
public readonly struct Synaptic : INeuronModel<Synaptic>, ISnnTorchPopulation, IClockTables<Synaptic>
{
    private const int PAlpha = 0;
    private const int PBeta = 1;
    private const int PThreshold = 2;
    private const int PInhibition = 3;
    private const int PReset = 4;
    private const int PQuant = 5;
    private const int PResetDelay = PQuant + SnnTorchCommon.StateQuantCount;

    private readonly float _alpha;
    private readonly float _beta;
    private readonly float _threshold;
    private readonly BlittableBool _inhibition;
    private readonly BlittableBool _resetDelay;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _dt;

    private Synaptic(ReadOnlySpan<double> p)
    {
        _alpha = SnnTorchCommon.Clamp01(p[PAlpha]);
        _beta = SnnTorchCommon.Clamp01(p[PBeta]);
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _resetDelay = p[PResetDelay] != 0;
        _dt = 0;
    }

    private Synaptic(in Synaptic other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.synaptic",
        ["v", "syn", "reset"],
        ["x"],
        [
            SnnTorchCommon.Decay("alpha", 0.9),
            SnnTorchCommon.Decay("beta", 0.8),
            new("threshold", "1", 1.0),
            NeuronParameterInfo.Flag("inhibition", false),
            SnnTorchCommon.ResetMechanismParameter("subtract"),
            .. SnnTorchCommon.StateQuantParameters,
            NeuronParameterInfo.Flag("reset_delay", true),
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
    public int ResetFlagColumn => 2;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => SnnTorchCommon.CheckRules(rules) ?? SnnTorchCommon.CheckStateQuant(parameters, PQuant);

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<Synaptic> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<Synaptic> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static Synaptic Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public Synaptic WithTimeStep(double dtTicks) => new(this, dtTicks);

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
        TLane syn = (TLane.Splat(_alpha) * neuron.S1) + input0;
        TLane m = (TLane.Splat(_beta) * mem) + syn;
        mem = _mechanism switch
        {
            ResetMechanism.Subtract => m - (reset * th),
            ResetMechanism.Zero => m - (m * reset),
            _ => m,
        };
        if (_quant.Enabled)
        {
            mem = _quant.Apply<TLane, TMask>(mem);
            syn = _quant.Apply<TLane, TMask>(syn);
        }

        TMask fire = SnnTorchCommon.Fires<TLane, TMask>(mem, th);
        if (!_inhibition && !_resetDelay)
        {
            mem = SnnTorchCommon.ImmediateReset<TLane, TMask>(mem, SnnTorchCommon.OneWhere<TLane, TMask>(fire), reset, 1f, _threshold, _mechanism);
        }

        neuron.V = mem;
        neuron.S1 = syn;
        neuron.S2 = reset;
        return fire;
    }

    /// <inheritdoc/>
    ClockTable IClockTables<Synaptic>.Table => _quant.Table;

    /// <inheritdoc/>
    Synaptic IClockTables<Synaptic>.WithTable(ClockTable table)
    {
        Synaptic copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
