using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models.PySnn;

/// <summary>
/// PySNN's <c>FedeNeuron</c>: <c>v += (dt/τ_v)·(−(v − v_rest) + α_v·(x − pre_trace))·(refrac_counts == 0)</c>, spike <c>v ≥ thresh</c>, exponential trace, refractory counter, reset to <c>v_rest</c> (PySNN 0.1.1, float32).
/// </summary>
/// <remarks>
/// <para>State: <c>v</c> (<c>v_cell</c>), <c>trace</c>, <c>refrac_counts</c>. Receptors <c>x</c> (the summed input) and <c>pre_trace</c> (the summed presynaptic traces); the library sums <c>x − pre_trace</c> per synapse, this model subtracts the two sums. Clock-driven only.</para>
/// <para>Order per step (as <c>forward</c>): voltage update (masked while <c>refrac_counts ≠ 0</c>), spike test <c>v ≥ thresh</c>
/// (also while refractory), trace update, refractory counter (counts above 0 lose <c>dt</c>, a spike adds
/// <c>duration_refrac</c>), then <c>v = v_rest</c> where spiking. After a spike at step t the voltage update is masked for
/// <c>duration_refrac/dt</c> steps. Parameters are dimensionless in the library's units (<c>dt</c> included); the
/// refractory counter is a state variable in those units, decremented in float32 as the library does.</para>
/// </remarks>
public readonly struct PySnnFede : INeuronModel<PySnnFede>
{
    private readonly float _thresh;
    private readonly float _vRest;
    private readonly float _alphaV;
    private readonly float _alphaT;
    private readonly float _dtLib;
    private readonly float _refrac;
    private readonly float _dtOverTauV;
    private readonly float _dtOverTauT;
    private readonly double _dt;

    private PySnnFede(ReadOnlySpan<double> p)
    {
        _thresh = (float)p[0];
        _vRest = (float)p[1];
        _alphaV = (float)p[2];
        _alphaT = (float)p[3];
        _dtLib = (float)p[4];
        _refrac = (float)p[5];
        _dtOverTauV = _dtLib / (float)p[6];
        _dtOverTauT = _dtLib / (float)p[7];
        _dt = 0;
    }

    private PySnnFede(in PySnnFede other, double dt)
    {
        this = other;
        _dt = dt;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "pysnn.fede",
        ["v", "trace", "refrac_counts"],
        ["x", "pre_trace"],
        [
            PySnnCommon.Required("thresh", 1.0),
            PySnnCommon.Required("v_rest", 0.0),
            PySnnCommon.Required("alpha_v", 1.0),
            PySnnCommon.Required("alpha_t", 1.0),
            PySnnCommon.Required("dt", 1.0, 0, true),
            PySnnCommon.Required("duration_refrac", 0.0, 0),
            PySnnCommon.Required("tau_v", 2.0),
            PySnnCommon.Required("tau_t", 2.0),
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vRest };

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _thresh;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static PySnnFede Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public PySnnFede WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => PySnnCommon.CheckRules(rules) ?? PySnnCommon.CheckRefractory(parameters[4], parameters[5]);

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
        TLane nr = PySnnCommon.NonRefractory<TLane, TMask>(neuron.S2);
        TLane rest = TLane.Splat(_vRest);
        TLane forcing = TLane.Splat(_alphaV) * (input0 - input1);
        TLane v = neuron.V + ((TLane.Splat(_dtOverTauV) * (-(neuron.V - rest) + forcing)) * nr);
        TMask fire = TLane.GreaterThanOrEqual(v, TLane.Splat(_thresh));
        TLane s = TLane.Select(fire, TLane.Splat(1f), TLane.Splat(0f));
        neuron.S1 = PySnnCommon.Trace<TLane, TMask>(neuron.S1, s, _alphaT, 0f, _dtOverTauT, UpdateType.Exponential);
        neuron.S2 = PySnnCommon.Refractory<TLane, TMask>(neuron.S2, s, _dtLib, _refrac);
        neuron.V = TLane.Select(fire, rest, v);
        return fire;
    }
}
