using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Izhikevich's simple model (Izhikevich 2003, IEEE Trans. Neural Netw. 14:1569) in mV and ms:
/// <c>dv/dt = 0.04v² + 5v + 140 − u + I</c>, <c>du/dt = a(bv − u)</c>; when <c>v ≥ v_peak</c>: <c>v ← c</c>, <c>u ← u + d</c>.
/// </summary>
/// <remarks>
/// <para>Integrated as the paper's program does it, generalised to a step dt (ms): two half steps of v,
/// <c>v ← v + (dt/2)(0.04v² + 5v + 140 − u + I)</c> twice, then <c>u ← u + dt·a(bv − u)</c> with the new v; then the spike test
/// and reset. With dt = 1 ms this is the paper's loop (which tests at the start of the next millisecond: the same
/// instant). <c>I = i_offset + x/dt</c>: the step's summed input x (mV, receptor <c>v</c>) acts as a current over the step,
/// so that with dt = 1 ms it is the paper's <c>I</c> (the summed weights of the spikes received).</para>
/// <para>State: <c>v</c>, <c>u</c> (initially <c>v_init</c> and <c>b·v_init</c>). No refractory period. Clock-driven only (the
/// model has no exact event-driven form).</para>
/// </remarks>
public readonly struct Izhikevich : INeuronModel<Izhikevich>
{
    private readonly float _a;
    private readonly float _b;
    private readonly float _c;
    private readonly float _d;
    private readonly float _peak;
    private readonly float _iOffset;
    private readonly double _vInit;
    private readonly double _bExact;
    private readonly double _dt;
    private readonly float _h;
    private readonly float _dtMs;
    private readonly float _invDt;

    private Izhikevich(ReadOnlySpan<double> p)
    {
        _a = (float)p[0];
        _b = (float)p[1];
        _c = (float)p[2];
        _d = (float)p[3];
        _peak = (float)p[4];
        _iOffset = (float)p[5];
        _vInit = p[6];
        _bExact = p[1];
    }

    private Izhikevich(in Izhikevich other, double dt)
    {
        this = other;
        _dt = dt;
        _dtMs = (float)(dt / Units.TicksPerMillisecond);
        _h = _dtMs / 2;
        _invDt = 1f / _dtMs;
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "izhikevich",
        ["v", "u"],
        ["v"],
        [
            new("a", "1/ms", 0.02),
            new("b", "1/ms", 0.2),
            new("c", "mV", -65.0),
            new("d", "mV/ms", 8.0),
            new("v_peak", "mV", 30.0),
            new("i_offset", "mV/ms", 0.0),
            new("v_init", "mV", -65.0),
        ],
        [ResetMode.ToValue])
    {
        SupportsEventDriven = false,
    };

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vInit, S1 = _bExact * _vInit };

    /// <inheritdoc/>
    public double RefractoryTicks => 0;

    /// <inheritdoc/>
    public double Threshold => _peak;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
    {
        if (rules != SpikeRules.Default)
        {
            return "izhikevich resets to c and tests v ≥ v_peak; leave the population's reset, threshold comparison and refractory end at their defaults";
        }

        return parameters[2] < parameters[4] ? null : "c must be below v_peak";
    }

    /// <inheritdoc/>
    public static Izhikevich Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters);

    /// <inheritdoc/>
    public Izhikevich WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight) => throw SeedModels.ClockOnly(Info);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => state.V >= _peak;

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
        TLane v = neuron.V;
        TLane u = neuron.S1;
        TLane i = TLane.Splat(_iOffset) + (input0 * TLane.Splat(_invDt));
        TLane h = TLane.Splat(_h);
        TLane k04 = TLane.Splat(0.04f);
        TLane k5 = TLane.Splat(5f);
        TLane k140 = TLane.Splat(140f);
        v += h * ((((k04 * (v * v)) + (k5 * v)) + k140 - u) + i);
        v += h * ((((k04 * (v * v)) + (k5 * v)) + k140 - u) + i);
        u += TLane.Splat(_dtMs) * (TLane.Splat(_a) * ((TLane.Splat(_b) * v) - u));
        TMask fire = TLane.GreaterThanOrEqual(v, TLane.Splat(_peak));
        neuron.V = TLane.Select(fire, TLane.Splat(_c), v);
        neuron.S1 = TLane.Select(fire, u + TLane.Splat(_d), u);
        return fire;
    }
}
