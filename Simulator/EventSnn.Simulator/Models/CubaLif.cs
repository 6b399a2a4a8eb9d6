using System.Numerics;
using System.Runtime.CompilerServices;

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

    private CubaLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _vinf = p[3] + p[6];
        _tref = Units.MsToTicks(p[7]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
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
    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[7], rules.Reset);

    /// <inheritdoc/>
    public static CubaLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

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
        var dyn = new Dynamics(m, block);
        return VectorDenseStep.Run(models, block, start, end, spiked, ref dyn, m._vt, m._vr, m._tref, m._reset, m._strict, m._dt);
    }

    /// <summary>Exact propagator of (v, ie, ii) while free (currents decay always), then current inputs.</summary>
    private readonly ref struct Dynamics : IVectorDynamics
    {
        private readonly Vector<double> _vinf;
        private readonly Vector<double> _pm;
        private readonly Vector<double> _pe;
        private readonly Vector<double> _pi;
        private readonly Vector<double> _ke;
        private readonly Vector<double> _ki;
        private readonly Span<double> _es;
        private readonly Span<double> _iis;
        private readonly ReadOnlySpan<double> _in0;
        private readonly ReadOnlySpan<double> _in1;

        public Dynamics(in CubaLif m, in DenseBlock block)
        {
            _vinf = new Vector<double>(m._vinf);
            _pm = new Vector<double>(m._pm);
            _pe = new Vector<double>(m._pe);
            _pi = new Vector<double>(m._pi);
            _ke = new Vector<double>(m._ke);
            _ki = new Vector<double>(m._ki);
            _es = block.S1;
            _iis = block.S2;
            _in0 = block.Input0;
            _in1 = block.Input1;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<double> Step(int i, Vector<double> v, Vector<long> free, Vector<long> active)
        {
            var ie = new Vector<double>(_es[i..]);
            var ii = new Vector<double>(_iis[i..]);
            v = Vector.ConditionalSelect(free, _vinf + ((v - _vinf) * _pm) + (ie * _ke) + (ii * _ki), v);
            ie *= _pe;
            ii *= _pi;
            if (!_in0.IsEmpty)
            {
                ie += new Vector<double>(_in0[i..]);
            }

            if (!_in1.IsEmpty)
            {
                ii += new Vector<double>(_in1[i..]);
            }

            ie.CopyTo(_es[i..]);
            ii.CopyTo(_iis[i..]);
            return v;
        }
    }
}
