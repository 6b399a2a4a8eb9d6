using System.Numerics;

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

    private Lif(ReadOnlySpan<double> p, ResetMode reset, ThresholdComparison cmp, double dt)
    {
        _tau = Units.MsToTicks(p[0]);
        _vrest = p[1];
        _vt = p[2];
        _vr = p[3];
        _vinf = p[1] + p[4];
        _tref = Units.MsToTicks(p[5]);
        _reset = reset;
        _strict = cmp == ThresholdComparison.Greater;
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
    public static string? Validate(ReadOnlySpan<double> parameters, ResetMode reset, ThresholdComparison comparison)
        => LinearModelRules.ValidateReset(parameters[2], parameters[3], parameters[5], reset);

    /// <inheritdoc/>
    public static Lif Create(ReadOnlySpan<double> parameters, ResetMode reset, ThresholdComparison comparison)
        => new(parameters, reset, comparison, 0);

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
        int w = Vector<double>.Count;
        var vinf = new Vector<double>(m._vinf);
        var p = new Vector<double>(m._p);
        var vt = new Vector<double>(m._vt);
        var dt = new Vector<double>(m._dt);
        Span<double> vs = block.V;
        Span<double> rs = block.Refractory;
        ReadOnlySpan<double> in0 = block.Input0;
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
            Vector<long> free = Vector.LessThanOrEqual(r, Vector<double>.Zero);
            v = Vector.ConditionalSelect(free, vinf + ((v - vinf) * p), v);
            r = Vector.Max(r - dt, Vector<double>.Zero);
            Vector<long> active = Vector.LessThanOrEqual(r, Vector<double>.Zero);
            if (!in0.IsEmpty)
            {
                v = Vector.ConditionalSelect(active, v + new Vector<double>(in0[i..]), v);
            }

            Vector<long> above = m._strict ? Vector.GreaterThan(v, vt) : Vector.GreaterThanOrEqual(v, vt);
            above &= active;
            v.CopyTo(vs[i..]);
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
