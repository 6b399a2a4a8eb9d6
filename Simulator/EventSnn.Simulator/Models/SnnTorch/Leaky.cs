using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.Leaky</c> (first-order leaky integrate-and-fire), step for step as snnTorch 0.9.4 computes it in float32:
/// <c>reset = H(mem[t−1] − θ)</c>; subtract: <c>mem = β·mem + x − reset·θ</c>; zero: <c>mem = β·((1 − reset)·mem) + x</c>;
/// none: <c>mem = β·mem + x</c> (β clamped to [0, 1]); <c>state_quant</c>; <c>spk = H(mem − θ)·graded_spikes_factor</c>
/// with <c>H(u) = u &gt; 0</c>; with <c>reset_delay=False</c> the reset is then applied at once
/// (<c>do_reset = spk/gsf − reset</c>). With <c>inhibition</c> only the most depolarised neuron of the population fires.
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>mem</c>, <c>reset</c> = the step's reset signal. Receptor <c>x</c>: the analog input of the
/// step (the sum of the step's deliveries). Graded output: a spike carries <c>graded_spikes_factor</c> (1 with inhibition).</para>
/// <para><b>Event-driven form</b> (when 0 &lt; β, θ &gt; 0, reset subtract or zero, factor 1, no inhibition or quantisation):
/// one library step lasts <c>event_step</c>; between inputs <c>mem(t) = mem·β^{t/event_step}</c>, an input adds its weight,
/// the spike test is <c>mem &gt; θ</c>. A delayed subtraction of θ at the next step equals an immediate subtraction of θ/β
/// (<c>β(mem − θ/β) + x = β·mem + x − θ</c>) and a delayed zero reset equals an immediate one, so spike times agree with the
/// clock form whenever inputs arrive on step boundaries and a reset brings the potential below threshold; the potential
/// recorded at the spike step is the reset one.</para>
/// </remarks>
public readonly struct Leaky : INeuronModel<Leaky>, ISnnTorchPopulation, IClockTables<Leaky>
{
    private const int PBeta = 0;
    private const int PThreshold = 1;
    private const int PInhibition = 2;
    private const int PReset = 3;
    private const int PQuant = 4;
    private const int PGraded = PQuant + SnnTorchCommon.StateQuantCount;
    private const int PResetDelay = PGraded + 1;
    private const int PEventStep = PResetDelay + 1;

    private readonly float _beta;
    private readonly float _threshold;
    private readonly float _gsf;
    private readonly BlittableBool _inhibition;
    private readonly BlittableBool _resetDelay;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _betaExact;
    private readonly double _thresholdExact;
    private readonly double _stepTicks;
    private readonly double _dt;

    private Leaky(ReadOnlySpan<double> p)
    {
        _beta = SnnTorchCommon.Clamp01(p[PBeta]);
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _gsf = (float)p[PGraded];
        _resetDelay = p[PResetDelay] != 0;
        _betaExact = Math.Clamp(p[PBeta], 0, 1);
        _thresholdExact = p[PThreshold];
        _stepTicks = Units.MsToTicks(p[PEventStep]);
        _dt = 0;
    }

    private Leaky(in Leaky other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.leaky",
        ["v", "reset"],
        ["x"],
        [
            SnnTorchCommon.Decay("beta", 0.9),
            new("threshold", "1", 1.0),
            NeuronParameterInfo.Flag("inhibition", false),
            SnnTorchCommon.ResetMechanismParameter("subtract"),
            .. SnnTorchCommon.StateQuantParameters,
            new("graded_spikes_factor", "1", 1.0),
            NeuronParameterInfo.Flag("reset_delay", true),
            new("event_step", "ms", 1.0, 0, true),
        ],
        [ResetMode.ToValue])
    {
        GradedOutput = true,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => default;

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _thresholdExact;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public float ThresholdValue => _threshold;

    /// <inheritdoc/>
    public bool Inhibition => _inhibition;

    /// <inheritdoc/>
    public ResetMechanism? ImmediateReset => _resetDelay ? null : _mechanism;

    /// <inheritdoc/>
    public float GradedFactor => _gsf;

    /// <inheritdoc/>
    public int ResetFlagColumn => 1;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
    {
        if (SnnTorchCommon.CheckRules(rules) is { } why)
        {
            return why;
        }

        if ((float)parameters[PGraded] == 0)
        {
            return "graded_spikes_factor must not be 0 (the library divides by it)";
        }

        return SnnTorchCommon.CheckStateQuant(parameters, PQuant);
    }

    /// <inheritdoc/>
    public static string? EventDrivenProblem(ReadOnlySpan<double> parameters)
        => EventProblem(parameters);

    private static string? EventProblem(ReadOnlySpan<double> p)
        => p[PInhibition] != 0 ? "with inhibition (a population-wide rule)"
        : p[PQuant] != 0 ? "with state_quant"
        : p[PGraded] != 1 ? "with graded_spikes_factor other than 1"
        : !(p[PBeta] > 0) ? "with beta ≤ 0"
        : !(p[PThreshold] > 0) ? "with threshold ≤ 0"
        : p[PReset] == (int)ResetMechanism.None ? "with reset_mechanism none"
        : null;

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<Leaky> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<Leaky> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static Leaky Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public Leaky WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
        => state.V *= Math.Exp(Math.Log(_betaExact) * dt / _stepTicks);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => AdvanceFree(ref state, dt);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => state.V += weight;

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V > _thresholdExact;

    /// <inheritdoc/>
    public void Reset(ref NeuronState state)
        => state.V = _mechanism == ResetMechanism.Zero ? 0 : state.V - (_resetDelay ? _thresholdExact / _betaExact : _thresholdExact);

    /// <inheritdoc/>
    /// <remarks>Without input the potential decays towards 0 &lt; θ: it can only be above threshold already.</remarks>
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
        TLane th = TLane.Splat(_threshold);
        TLane beta = TLane.Splat(_beta);
        TLane mem = neuron.V;
        TLane reset = SnnTorchCommon.OneWhere<TLane, TMask>(SnnTorchCommon.Fires<TLane, TMask>(mem, th));
        mem = _mechanism switch
        {
            ResetMechanism.Subtract => ((beta * mem) + input0) - (reset * th),
            ResetMechanism.Zero => (beta * ((TLane.Splat(1f) - reset) * mem)) + input0,
            _ => (beta * mem) + input0,
        };
        if (_quant.Enabled)
        {
            mem = _quant.Apply<TLane, TMask>(mem);
        }

        TMask fire = SnnTorchCommon.Fires<TLane, TMask>(mem, th);
        if (_inhibition)
        {
            // The population rule picks the winner and applies any immediate reset.
            neuron.Output = TLane.Splat(1f);
        }
        else
        {
            TLane spk = TLane.Select(fire, TLane.Splat(_gsf), TLane.Splat(0f));
            neuron.Output = spk;
            if (!_resetDelay)
            {
                mem = SnnTorchCommon.ImmediateReset<TLane, TMask>(mem, spk, reset, _gsf, _threshold, _mechanism);
            }
        }

        neuron.V = mem;
        neuron.S1 = reset;
        return fire;
    }

    /// <inheritdoc/>
    ClockTable IClockTables<Leaky>.Table => _quant.Table;

    /// <inheritdoc/>
    Leaky IClockTables<Leaky>.WithTable(ClockTable table)
    {
        Leaky copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
