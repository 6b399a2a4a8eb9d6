using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.PySnn;

/// <summary>
/// PySNN's <c>Input</c> neuron: passes its input on as its output (<c>spikes = x</c>) and keeps a trace of it (linear <c>trace·τ_t + α_t·x</c>, exponential <c>trace + (dt/τ_t)(−trace + α_t·x)</c>) (PySNN 0.1.1, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> (the step's input, which is also the output), <c>trace</c>. Receptor <c>x</c>. The output is graded (the input value; non-zero inputs fire). Clock-driven only.</para>
/// </remarks>
public readonly struct PySnnInput : INeuronModel<PySnnInput>
{
    private readonly float _dtLib;
    private readonly float _alphaT;
    private readonly float _tauT;
    private readonly float _dtOverTauT;
    private readonly UpdateType _update;
    private readonly double _dt;

    private PySnnInput(ReadOnlySpan<double> p)
    {
        _dtLib = (float)p[0];
        _alphaT = (float)p[1];
        _tauT = (float)p[2];
        _dtOverTauT = _dtLib / _tauT;
        _update = (UpdateType)(int)p[3];
        _dt = 0;
    }

    private PySnnInput(in PySnnInput other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "pysnn.input",
        ["v", "trace"],
        ["x"],
        [
            PySnnCommon.Required("dt", 1.0, 0, true),
            PySnnCommon.Required("alpha_t", 1.0),
            PySnnCommon.Required("tau_t", 0.8),
            PySnnCommon.UpdateTypeParameter,
        ],
        [ResetMode.ToValue])
    {
        GradedOutput = true,
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => default;

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => 0;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static PySnnInput Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public PySnnInput WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => PySnnCommon.CheckRules(rules) ?? (parameters[3] == 0 ? PySnnCommon.CheckLinearDecay("tau_t", parameters[2]) : null);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => throw SeedModels.ClockOnly(Info);

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
        neuron.S1 = PySnnCommon.Trace<TLane, TMask>(neuron.S1, input0, _alphaT, _tauT, _dtOverTauT, _update);
        neuron.V = input0;
        neuron.Output = input0;
        return ~TLane.Equal(input0, TLane.Splat(0f));
    }
}
