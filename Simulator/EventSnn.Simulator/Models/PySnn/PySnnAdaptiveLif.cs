using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.PySnn;

/// <summary>
/// PySNN's <c>AdaptiveLIFNeuron</c>: the <c>LIFNeuron</c> update with an adaptive threshold (linear <c>thresh·τ_thresh + α_thresh·s</c>, exponential <c>thresh + (dt/τ_thresh)(−thresh + α_thresh·s)</c>) that starts at <c>thresh</c> (PySNN 0.1.1, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> (<c>v_cell</c>), <c>trace</c>, <c>thresh</c> (the adaptive threshold; the spike test uses its value before the step's update), <c>refrac_counts</c>. Receptor <c>x</c>. Clock-driven only.</para>
/// <para>Order per step (as <c>forward</c>): voltage update (masked while <c>refrac_counts ≠ 0</c>), spike test <c>v ≥ thresh</c>
/// (also while refractory), trace update, threshold update, refractory counter (counts above 0 lose <c>dt</c>, a spike adds
/// <c>duration_refrac</c>), then <c>v = v_rest</c> where spiking. After a spike at step t the voltage update is masked for
/// <c>duration_refrac/dt</c> steps. Parameters are dimensionless in the library's units (<c>dt</c> included); the
/// refractory counter is a state variable in those units, decremented in float32 as the library does.</para>
/// </remarks>
public readonly struct PySnnAdaptiveLif : INeuronModel<PySnnAdaptiveLif>
{
    private readonly float _thresh;
    private readonly float _vRest;
    private readonly float _alphaV;
    private readonly float _alphaT;
    private readonly float _dtLib;
    private readonly float _refrac;
    private readonly float _tauV;
    private readonly float _dtOverTauV;
    private readonly float _tauT;
    private readonly float _dtOverTauT;
    private readonly float _alphaThresh;
    private readonly float _tauThresh;
    private readonly float _dtOverTauThresh;
    private readonly UpdateType _update;
    private readonly double _dt;

    private PySnnAdaptiveLif(ReadOnlySpan<double> p)
    {
        _thresh = (float)p[0];
        _vRest = (float)p[1];
        _alphaV = (float)p[2];
        _alphaT = (float)p[3];
        _dtLib = (float)p[4];
        _refrac = (float)p[5];
        _tauV = (float)p[6];
        _dtOverTauV = _dtLib / _tauV;
        _tauT = (float)p[7];
        _dtOverTauT = _dtLib / _tauT;
        _alphaThresh = (float)p[8];
        _tauThresh = (float)p[9];
        _dtOverTauThresh = _dtLib / _tauThresh;
        _update = (UpdateType)(int)p[10];
        _dt = 0;
    }

    private PySnnAdaptiveLif(in PySnnAdaptiveLif other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "pysnn.adaptive_lif",
        ["v", "trace", "thresh", "refrac_counts"],
        ["x"],
        [
            PySnnCommon.Required("thresh", 1.0),
            PySnnCommon.Required("v_rest", 0.0),
            PySnnCommon.Required("alpha_v", 1.0),
            PySnnCommon.Required("alpha_t", 1.0),
            PySnnCommon.Required("dt", 1.0, 0, true),
            PySnnCommon.Required("duration_refrac", 0.0, 0),
            PySnnCommon.Required("tau_v", 0.8),
            PySnnCommon.Required("tau_t", 0.8),
            PySnnCommon.Required("alpha_thresh", 0.1),
            PySnnCommon.Required("tau_thresh", 0.9),
            PySnnCommon.UpdateTypeParameter,
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vRest, S2 = _thresh };

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _thresh;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static PySnnAdaptiveLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public PySnnAdaptiveLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => PySnnCommon.CheckRules(rules)
        ?? PySnnCommon.CheckRefractory(parameters[4], parameters[5])
        ?? (parameters[10] == 0
            ? PySnnCommon.CheckLinearDecay("tau_v", parameters[6]) ?? PySnnCommon.CheckLinearDecay("tau_t", parameters[7]) ?? PySnnCommon.CheckLinearDecay("tau_thresh", parameters[9])
            : null);

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
        TLane nr = PySnnCommon.NonRefractory<TLane, TMask>(neuron.S3);
        TLane rest = TLane.Splat(_vRest);
        TLane v = _update == UpdateType.Linear
            ? rest + ((((neuron.V - rest) * TLane.Splat(_tauV)) + (TLane.Splat(_alphaV) * input0)) * nr)
            : neuron.V + ((TLane.Splat(_dtOverTauV) * (-(neuron.V - rest) + (TLane.Splat(_alphaV) * input0))) * nr);
        TMask fire = TLane.GreaterThanOrEqual(v, neuron.S2);
        TLane s = TLane.Select(fire, TLane.Splat(1f), TLane.Splat(0f));
        neuron.S1 = PySnnCommon.Trace<TLane, TMask>(neuron.S1, s, _alphaT, _tauT, _dtOverTauT, _update);
        neuron.S2 = PySnnCommon.Trace<TLane, TMask>(neuron.S2, s, _alphaThresh, _tauThresh, _dtOverTauThresh, _update);
        neuron.S3 = PySnnCommon.Refractory<TLane, TMask>(neuron.S3, s, _dtLib, _refrac);
        neuron.V = TLane.Select(fire, rest, v);
        return fire;
    }
}
