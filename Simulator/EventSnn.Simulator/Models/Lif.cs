using System.Numerics;
using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Leaky integrate-and-fire neuron with instantaneous (delta) synapses and a constant drive:
/// <c>τm·dv/dt = −(v − v_rest) + i_offset</c>; an input of weight w on receptor <c>v</c> jumps <c>v</c> by w mV.
/// Integrated exactly: <c>v(t) = v∞ + (v0 − v∞)·e^{−t/τm}</c>, <c>v∞ = v_rest + i_offset</c>; the crossing time is
/// closed-form: <c>δ = τm·ln((v∞ − v0)/(v∞ − v_thresh))</c> when <c>v∞ &gt; v_thresh</c>.
/// </summary>
public readonly struct Lif : INeuronModel<Lif>
{
    private readonly double _tau;
    private readonly double _vinf;
    private readonly double _vrest;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly bool _strict;
    private readonly double _dt;
    private readonly double _p;

    private Lif(ReadOnlySpan<double> p, in SpikeRules rules, double dt)
    {
        _tau = Units.MsToTicks(p[0]);
        _vrest = p[1];
        _vt = p[2];
        _vr = p[3];
        _vinf = p[1] + p[4];
        _tref = Units.MsToTicks(p[5]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _dt = dt;
        _p = dt > 0 ? Math.Exp(-dt / _tau) : 1.0;
    }

    private Lif(in Lif other, double dt)
    {
        this = other;
        _dt = dt;
        _p = Math.Exp(-dt / _tau);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "lif",
        ["v"],
        ["v"],
        LinearModelRules.DeltaModelParameters,
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
        => LinearModelRules.ValidateReset(parameters[2], parameters[3], parameters[5], rules.Reset);

    /// <inheritdoc/>
    public static Lif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules, 0);

    /// <inheritdoc/>
    public Lif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
        => state.V = _vinf + ((state.V - _vinf) * Math.Exp(-dt / _tau));

    /// <inheritdoc/>
    public void AdvanceRefractory(ref NeuronState state, double dt)
    {
        if (_reset == ResetMode.None)
        {
            AdvanceFree(ref state, dt);
        }
    }

    /// <inheritdoc/>
    public void ApplyInput(ref NeuronState state, int receptor, double weight)
        => LinearModelRules.ApplyDeltaInput(ref state, weight, _reset);

    /// <inheritdoc/>
    public bool IsAboveThreshold(in NeuronState state) => LinearModelRules.IsAbove(state.V, _vt, _strict);

    /// <inheritdoc/>
    public void Reset(ref NeuronState state) => state.V = LinearModelRules.Reset(state.V, _vt, _vr, _reset);

    /// <inheritdoc/>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
    {
        recheck = double.PositiveInfinity;
        if (IsAboveThreshold(state))
        {
            return 0;
        }

        if (!(_vinf > _vt))
        {
            return double.PositiveInfinity;
        }

        return LinearModelRules.CrossingWithin(_tau * Math.Log((_vinf - state.V) / (_vinf - _vt)), horizon, out recheck);
    }

    /// <summary>Vectorised dense step for a shared parameter set; per-neuron parameters use the scalar path.</summary>
    /// <param name="models">Prepared models.</param>
    /// <param name="block">State and inputs.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="spiked">Receives spiking indices.</param>
    /// <returns>Spike count.</returns>
    public static int StepDense(ReadOnlySpan<Lif> models, in DenseBlock block, int start, int end, Span<int> spiked)
    {
        if (models.Length != 1 || !Vector.IsHardwareAccelerated || models[0]._reset == ResetMode.None)
        {
            return DenseStepper.StepScalar(models, block, start, end, spiked);
        }

        Lif m = models[0];
        var dyn = new Dynamics(m, block);
        return VectorDenseStep.Run(models, block, start, end, spiked, ref dyn, m._vt, m._vr, m._tref, m._reset, m._strict, m._dt);
    }

    /// <summary>Exact relaxation towards v∞ while free, then delta inputs on lanes that are not refractory.</summary>
    private readonly ref struct Dynamics : IVectorDynamics
    {
        private readonly Vector<double> _vinf;
        private readonly Vector<double> _p;
        private readonly ReadOnlySpan<double> _in0;

        public Dynamics(in Lif m, in DenseBlock block)
        {
            _vinf = new Vector<double>(m._vinf);
            _p = new Vector<double>(m._p);
            _in0 = block.Input0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector<double> Step(int i, Vector<double> v, Vector<long> free, Vector<long> active)
        {
            v = Vector.ConditionalSelect(free, _vinf + ((v - _vinf) * _p), v);
            if (!_in0.IsEmpty)
            {
                v = Vector.ConditionalSelect(active, v + new Vector<double>(_in0[i..]), v);
            }

            return v;
        }
    }
}
