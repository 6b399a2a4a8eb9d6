using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.Alpha</c> (alpha-shaped membrane response from an excitatory and an inhibitory current), as
/// snnTorch 0.9.4 computes it in float32: <c>reset = H(mem[t−1] − θ)</c>; <c>exc = α·exc + x</c>; <c>inh = β·inh − x</c>;
/// <c>mem = τ_α·(exc + inh)</c> with <c>τ_α = ln α/(ln β − ln α) + 1</c> (α, β clamped to [0, 1]); the reset is always
/// delayed: subtract <c>exc −= θ·reset</c>, <c>inh −= inh·reset</c>, <c>mem −= −inh[t−1]·reset</c>; zero: all three
/// <c>−= value·reset</c>; <c>state_quant</c> of exc, inh, mem; <c>spk = H(mem − θ)</c>.
/// </summary>
/// <remarks>
/// State: <c>v</c> = <c>mem</c>, <c>syn_exc</c>, <c>syn_inh</c>. Receptor <c>x</c>. Default <c>reset_mechanism</c> is
/// <c>zero</c>; the library requires α &gt; β and β ≠ 1. Clock-driven only.
/// </remarks>
public readonly struct Alpha : INeuronModel<Alpha>, ISnnTorchPopulation, IClockTables<Alpha>
{
    private const int PAlpha = 0;
    private const int PBeta = 1;
    private const int PThreshold = 2;
    private const int PInhibition = 3;
    private const int PReset = 4;
    private const int PQuant = 5;

    private readonly float _alpha;
    private readonly float _beta;
    private readonly float _tauAlpha;
    private readonly float _threshold;
    private readonly BlittableBool _inhibition;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _dt;

    private Alpha(ReadOnlySpan<double> p)
    {
        _alpha = SnnTorchCommon.Clamp01(p[PAlpha]);
        _beta = SnnTorchCommon.Clamp01(p[PBeta]);
        float la = MathF.Log(_alpha);
        _tauAlpha = (la / (MathF.Log(_beta) - la)) + 1f;
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _dt = 0;
    }

    private Alpha(in Alpha other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.alpha",
        ["v", "syn_exc", "syn_inh"],
        ["x"],
        [
            SnnTorchCommon.Decay("alpha", 0.9),
            SnnTorchCommon.Decay("beta", 0.8),
            new("threshold", "1", 1.0),
            NeuronParameterInfo.Flag("inhibition", false),
            SnnTorchCommon.ResetMechanismParameter("zero"),
            .. SnnTorchCommon.StateQuantParameters,
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <summary>The factor τ_α the library multiplies the summed currents by (float32).</summary>
    public float TauAlpha => _tauAlpha;

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
    {
        if (SnnTorchCommon.CheckRules(rules) is { } why)
        {
            return why;
        }

        // The library compares the clamped alpha with the unclamped beta.
        if (!(SnnTorchCommon.Clamp01(parameters[PAlpha]) > (float)parameters[PBeta]))
        {
            return "alpha must be greater than beta";
        }

        if ((float)parameters[PBeta] == 1f)
        {
            return "beta must not be 1 (tau_alpha would divide by zero)";
        }

        return SnnTorchCommon.CheckStateQuant(parameters, PQuant);
    }

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<Alpha> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<Alpha> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static Alpha Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public Alpha WithTimeStep(double dtTicks) => new(this, dtTicks);

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
        TLane reset = SnnTorchCommon.OneWhere<TLane, TMask>(SnnTorchCommon.Fires<TLane, TMask>(neuron.V, th));
        TLane inhOld = neuron.S2;
        TLane exc = (TLane.Splat(_alpha) * neuron.S1) + input0;
        TLane inh = (TLane.Splat(_beta) * inhOld) - input0;
        TLane mem = TLane.Splat(_tauAlpha) * (exc + inh);
        switch (_mechanism)
        {
            case ResetMechanism.Subtract:
                exc -= th * reset;
                inh -= inh * reset;
                mem -= -inhOld * reset;
                break;
            case ResetMechanism.Zero:
                exc -= exc * reset;
                inh -= inh * reset;
                mem -= mem * reset;
                break;
        }

        if (_quant.Enabled)
        {
            exc = _quant.Apply<TLane, TMask>(exc);
            inh = _quant.Apply<TLane, TMask>(inh);
            mem = _quant.Apply<TLane, TMask>(mem);
        }

        neuron.V = mem;
        neuron.S1 = exc;
        neuron.S2 = inh;
        return SnnTorchCommon.Fires<TLane, TMask>(mem, th);
    }

    /// <inheritdoc/>
    ClockTable IClockTables<Alpha>.Table => _quant.Table;

    /// <inheritdoc/>
    Alpha IClockTables<Alpha>.WithTable(ClockTable table)
    {
        Alpha copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
