using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.SnnTorch;

/// <summary>
/// snnTorch's <c>snn.Lapicque</c> (the RC-circuit LIF), as snnTorch 0.9.4 computes it in float32:
/// <c>mem = x·R·(1/(R·C))·time_step + (1 − time_step/(R·C))·mem</c>, then subtract: <c>− reset·θ</c>, zero:
/// <c>− reset·mem</c>, none (reset always delayed: <c>reset = H(mem[t−1] − θ)</c>); <c>state_quant</c>;
/// <c>spk = H(mem − θ)</c>. Given <c>beta</c> alone the library sets R = 1 and C = time_step/ln(1/β), so the decay per step is
/// <c>1 − ln(1/β)</c>, not β; given R and C, β is not used; given β and one of R, C, the other follows from β.
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> = <c>mem</c>. Receptor <c>x</c>. A parameter of 0 stands for the library's <c>False</c> (not given).</para>
/// <para><b>Event-driven form</b> (reset subtract, threshold &gt; 0, 0 &lt; decay ≤ 1, no inhibition or quantisation): one
/// step lasts <c>event_step</c>; between inputs <c>mem(t) = mem·d^{t/event_step}</c> with <c>d = 1 − time_step/(R·C)</c>; an
/// input w adds <c>w·R·time_step/(R·C)</c>; the delayed subtraction equals an immediate subtraction of θ/d.</para>
/// </remarks>
public readonly struct Lapicque : INeuronModel<Lapicque>, ISnnTorchPopulation, IClockTables<Lapicque>
{
    private const int PBeta = 0;
    private const int PR = 1;
    private const int PC = 2;
    private const int PTimeStep = 3;
    private const int PThreshold = 4;
    private const int PInhibition = 5;
    private const int PReset = 6;
    private const int PQuant = 7;
    private const int PEventStep = PQuant + SnnTorchCommon.StateQuantCount;

    private readonly float _r;
    private readonly float _invRc;
    private readonly float _timeStep;
    private readonly float _decay;
    private readonly float _threshold;
    private readonly BlittableBool _inhibition;
    private readonly ResetMechanism _mechanism;
    private readonly StateQuantizer _quant;
    private readonly double _decayExact;
    private readonly double _gainExact;
    private readonly double _stepTicks;
    private readonly double _dt;

    private Lapicque(ReadOnlySpan<double> p)
    {
        Resolve(p, out float r, out float c, out float ts);
        _r = r;
        _timeStep = ts;
        _invRc = 1f / (r * c);
        _decay = 1f - (ts / (r * c));
        _threshold = (float)p[PThreshold];
        _inhibition = p[PInhibition] != 0;
        _mechanism = (ResetMechanism)(int)p[PReset];
        _quant = StateQuantizer.Create(p.Slice(PQuant, SnnTorchCommon.StateQuantCount));
        _decayExact = 1 - ((double)ts / ((double)r * c));
        _gainExact = (double)r * (1 / ((double)r * c)) * ts;
        _stepTicks = Units.MsToTicks(p[PEventStep]);
        _dt = 0;
    }

    private Lapicque(in Lapicque other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "snntorch.lapicque",
        ["v"],
        ["x"],
        [
            new("beta", "1", 0.0),
            new("R", "1", 0.0),
            new("C", "1", 0.0),
            new("time_step", "1", 1.0),
            new("threshold", "1", 1.0),
            NeuronParameterInfo.Flag("inhibition", false),
            SnnTorchCommon.ResetMechanismParameter("subtract"),
            .. SnnTorchCommon.StateQuantParameters,
            new("event_step", "ms", 1.0, 0, true),
        ],
        [ResetMode.ToValue]);

    /// <summary>The decay factor per step, <c>1 − time_step/(R·C)</c> (float32, as the library computes it).</summary>
    public float Decay => _decay;

    /// <summary>The input gain per step, <c>R·(1/(R·C))·time_step</c> (float32; the library multiplies in this order).</summary>
    public float InputGain => (_r * _invRc) * _timeStep;

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

    /// <summary>R, C and time_step as the library's constructor resolves them from beta, R, C (float32).</summary>
    private static void Resolve(ReadOnlySpan<double> p, out float r, out float c, out float ts)
    {
        ts = (float)p[PTimeStep];
        bool hasBeta = p[PBeta] != 0;
        bool hasR = p[PR] != 0;
        bool hasC = p[PC] != 0;
        float beta = (float)p[PBeta];
        if (!hasBeta)
        {
            r = (float)p[PR];
            c = (float)p[PC];
        }
        else if (!hasR && !hasC)
        {
            r = 1f;
            c = ts / (r * MathF.Log(1f / beta));
        }
        else if (hasR)
        {
            r = (float)p[PR];
            c = ts / (r * MathF.Log(1f / beta));
        }
        else
        {
            c = (float)p[PC];
            r = ts / (c * MathF.Log(1f / beta));
        }
    }

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
    {
        if (SnnTorchCommon.CheckRules(rules) is { } why)
        {
            return why;
        }

        bool hasBeta = parameters[PBeta] != 0;
        bool hasR = parameters[PR] != 0;
        bool hasC = parameters[PC] != 0;
        if (!hasBeta && !(hasR && hasC))
        {
            return "give beta, or R and C, or beta with one of R and C";
        }

        if (hasBeta && hasR && hasC)
        {
            return "give beta, or R and C, or beta with one of R and C (not all three: the library leaves R and C unset then)";
        }

        Resolve(parameters, out float r, out float c, out _);
        if (!float.IsFinite(1f / (r * c)))
        {
            return "R·C must be a finite non-zero product (beta = 1 gives C = ∞)";
        }

        return SnnTorchCommon.CheckStateQuant(parameters, PQuant);
    }

    /// <inheritdoc/>
    public static string? EventDrivenProblem(ReadOnlySpan<double> parameters)
    {
        ReadOnlySpan<double> p = parameters;
        if (p[PInhibition] != 0)
        {
            return "with inhibition (a population-wide rule)";
        }

        if (p[PQuant] != 0)
        {
            return "with state_quant";
        }

        if (p[PReset] != (int)ResetMechanism.Subtract)
        {
            return "unless reset_mechanism is subtract (its zero reset drops the next step's input)";
        }

        if (!(p[PThreshold] > 0))
        {
            return "with threshold ≤ 0";
        }

        var m = new Lapicque(p);
        return m._decayExact > 0 && m._decayExact <= 1 ? null : "unless the decay 1 − time_step/(R·C) lies in (0, 1]";
    }

    /// <inheritdoc/>
    public static bool UsesPopulationRule(ReadOnlySpan<Lapicque> models) => SnnTorchCommon.AnyInhibition(models);

    /// <inheritdoc/>
    public static int ApplyPopulationRule(ReadOnlySpan<Lapicque> models, in ClockPopulationView view, Span<int> spiked)
        => SnnTorchCommon.Inhibit(models, view, spiked);

    /// <inheritdoc/>
    public static Lapicque Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public Lapicque WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
        => state.V *= Math.Exp(Math.Log(_decayExact) * dt / _stepTicks);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => AdvanceFree(ref state, dt);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => state.V += weight * _gainExact;

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V > (double)_threshold;

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V -= _threshold / _decayExact;

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
        TLane mem = neuron.V;
        TLane reset = SnnTorchCommon.OneWhere<TLane, TMask>(SnnTorchCommon.Fires<TLane, TMask>(mem, th));
        TLane m = (((input0 * TLane.Splat(_r)) * TLane.Splat(_invRc)) * TLane.Splat(_timeStep)) + (TLane.Splat(_decay) * mem);
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

        neuron.V = mem;
        return SnnTorchCommon.Fires<TLane, TMask>(mem, th);
    }

    /// <inheritdoc/>
    ClockTable IClockTables<Lapicque>.Table => _quant.Table;

    /// <inheritdoc/>
    Lapicque IClockTables<Lapicque>.WithTable(ClockTable table)
    {
        Lapicque copy = this;
        Unsafe.AsRef(in copy._quant) = _quant.WithTable(table);
        return copy;
    }
}
