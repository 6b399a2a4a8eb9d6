using System.Numerics;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Current-based LIF with exponential synaptic currents (the CUBA benchmark model):
/// <c>τm·dv/dt = −(v − v_rest) + ie + ii + i_offset</c>, <c>τe·die/dt = −ie</c>, <c>τi·dii/dt = −ii</c>
/// (currents in mV, i.e. already multiplied by the membrane resistance). Receptor <c>e</c> adds w to <c>ie</c>,
/// receptor <c>i</c> adds w to <c>ii</c> (weights of either sign).
/// </summary>
/// <remarks>
/// The system is linear, so it is integrated with its exact propagator (as NEST's <c>iaf_psc_exp</c>):
/// <c>v(t) = v∞ + (v0 − v∞)e^{−t/τm} + ie0·K(t;τm,τe) + ii0·K(t;τm,τi)</c>, see <see cref="Propagators.SynapticKernel"/>.
/// Threshold crossings between events are found by <see cref="CrossingSearch"/> on that exact trajectory.
/// </remarks>
public readonly struct CubaLif : ISearchableModel<CubaLif>
{
    private readonly double _taum;
    private readonly double _taue;
    private readonly double _taui;
    private readonly double _vrest;
    private readonly double _vinf;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly bool _strict;
    private readonly double _scan;
    private readonly double _dt;
    private readonly double _pm;
    private readonly double _pe;
    private readonly double _pi;
    private readonly double _ke;
    private readonly double _ki;

    private CubaLif(ReadOnlySpan<double> p, ResetMode reset, ThresholdComparison cmp)
    {
        _taum = Units.MsToTicks(p[0]);
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _vinf = p[3] + p[6];
        _tref = Units.MsToTicks(p[7]);
        _reset = reset;
        _strict = cmp == ThresholdComparison.Greater;
        _scan = Math.Min(_taum, Math.Min(_taue, _taui)) / 4;
        _dt = _pm = _pe = _pi = _ke = _ki = 0;
    }

    private CubaLif(in CubaLif other, double dt)
    {
        this = other;
        _dt = dt;
        _pm = Math.Exp(-dt / _taum);
        _pe = Math.Exp(-dt / _taue);
        _pi = Math.Exp(-dt / _taui);
        _ke = Propagators.SynapticKernel(dt, _taum, _taue);
        _ki = Propagators.SynapticKernel(dt, _taum, _taui);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "cuba_lif",
        ["v", "ie", "ii"],
        ["e", "i"],
        [
            new("tau_m", "ms", 20.0, 0, true),
            new("tau_e", "ms", 5.0, 0, true),
            new("tau_i", "ms", 10.0, 0, true),
            new("v_rest", "mV", -60.0),
            new("v_thresh", "mV", -50.0),
            new("v_reset", "mV", -60.0),
            new("i_offset", "mV", 0.0),
            new("t_ref", "ms", 0.0, 0),
        ],
        LinearModelRules.AllResetModes);

    /// <inheritdoc/>
    public NeuronState InitialState => new() { V = _vrest };

    /// <inheritdoc/>
    public double RefractoryTicks => _tref;

    /// <inheritdoc/>
    public double Threshold => _vt;

    /// <inheritdoc/>
    public double StepTicks => _dt;

    /// <inheritdoc/>
    public static string? Validate(ReadOnlySpan<double> parameters, ResetMode reset, ThresholdComparison comparison)
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[7], reset);

    /// <inheritdoc/>
    public static CubaLif Create(ReadOnlySpan<double> parameters, ResetMode reset, ThresholdComparison comparison)
        => new(parameters, reset, comparison);

    /// <inheritdoc/>
    public CubaLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        double em = Math.Exp(-dt / _taum);
        double ke = Propagators.SynapticKernel(dt, _taum, _taue);
        double ki = Propagators.SynapticKernel(dt, _taum, _taui);
        state.V = _vinf + ((state.V - _vinf) * em) + (state.S1 * ke) + (state.S2 * ki);
        state.S1 *= Math.Exp(-dt / _taue);
        state.S2 *= Math.Exp(-dt / _taui);
    }

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
            return;
        }

        LinearModelRules.DecaySynapses(ref state, dt, _taue, _taui);
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
        => LinearModelRules.ApplySynapticInput(ref state, receptor, weight);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = LinearModelRules.Reset(state.V, _vt, _vr, _reset);

    /// <inheritdoc/>
    public double Derivative(in NeuronState state) => (-(state.V - _vinf) + state.S1 + state.S2) / _taum;

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state)
        => _vinf + Math.Max(0, state.V - _vinf) + Math.Max(0, state.S1) + Math.Max(0, state.S2) >= _vt;

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state) => _scan;

    /// <inheritdoc/>
    /// <remarks>
    /// With E = e^{−t/τm}: v(t) − v∞ ≤ (v0 − v∞)·E + (ie⁺ + ii⁺)·(1 − E), because each synaptic kernel satisfies
    /// K(t) ≤ 1 − e^{−t/τm}. Solving the bound for v_thresh gives the earliest possible crossing time.
    /// </remarks>
    public double SafeTime(in NeuronState state)
    {
        double a = state.V - _vinf;
        double b = Math.Max(0, state.S1) + Math.Max(0, state.S2);
        double c = _vt - _vinf;
        return LinearModelRules.EarliestBoundCrossing(a, b, c, _taum);
    }

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => CrossingSearch.Find(this, state, horizon, out recheck);

    /// <summary>Vectorised dense step for a shared parameter set; per-neuron parameters use the scalar path.</summary>
    /// <param name="models">Prepared models.</param>
    /// <param name="block">State and inputs.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="spiked">Receives spiking indices.</param>
    /// <returns>Spike count.</returns>
    public static int StepDense(ReadOnlySpan<CubaLif> models, in DenseBlock block, int start, int end, Span<int> spiked)
    {
        if (models.Length != 1 || !Vector.IsHardwareAccelerated || models[0]._reset == ResetMode.None)
        {
            return DenseStepper.StepScalar(models, block, start, end, spiked);
        }

        CubaLif m = models[0];
        int w = Vector<double>.Count;
        var vinf = new Vector<double>(m._vinf);
        var pm = new Vector<double>(m._pm);
        var pe = new Vector<double>(m._pe);
        var pi = new Vector<double>(m._pi);
        var ke = new Vector<double>(m._ke);
        var ki = new Vector<double>(m._ki);
        var vt = new Vector<double>(m._vt);
        var dt = new Vector<double>(m._dt);
        Span<double> vs = block.V;
        Span<double> es = block.S1;
        Span<double> iis = block.S2;
        Span<double> rs = block.Refractory;
        ReadOnlySpan<double> in0 = block.Input0;
        ReadOnlySpan<double> in1 = block.Input1;
        int n = 0;
        int i = start;
        for (; i + w <= end; i += w)
        {
            var r = new Vector<double>(rs[i..]);
            if ((Vector.GreaterThan(r, Vector<double>.Zero) & Vector.LessThan(r, dt)) != Vector<long>.Zero)
            {
                n += DenseStepper.StepScalar(models, block, i, i + w, spiked[n..]);
                continue;
            }

            var v = new Vector<double>(vs[i..]);
            var ie = new Vector<double>(es[i..]);
            var ii = new Vector<double>(iis[i..]);
            Vector<long> free = Vector.LessThanOrEqual(r, Vector<double>.Zero);
            v = Vector.ConditionalSelect(free, vinf + ((v - vinf) * pm) + (ie * ke) + (ii * ki), v);
            ie *= pe;
            ii *= pi;
            r = Vector.Max(r - dt, Vector<double>.Zero);
            if (!in0.IsEmpty)
            {
                ie += new Vector<double>(in0[i..]);
            }

            if (!in1.IsEmpty)
            {
                ii += new Vector<double>(in1[i..]);
            }

            Vector<long> above = m._strict ? Vector.GreaterThan(v, vt) : Vector.GreaterThanOrEqual(v, vt);
            above &= Vector.LessThanOrEqual(r, Vector<double>.Zero);
            v.CopyTo(vs[i..]);
            ie.CopyTo(es[i..]);
            ii.CopyTo(iis[i..]);
            r.CopyTo(rs[i..]);
            if (above != Vector<long>.Zero)
            {
                for (int k = 0; k < w; k++)
                {
                    if (above[k] != 0)
                    {
                        vs[i + k] = LinearModelRules.Reset(vs[i + k], m._vt, m._vr, m._reset);
                        rs[i + k] = m._tref;
                        spiked[n++] = i + k;
                    }
                }
            }
        }

        if (i < end)
        {
            n += DenseStepper.StepScalar(models, block, i, end, spiked[n..]);
        }

        return n;
    }
}
