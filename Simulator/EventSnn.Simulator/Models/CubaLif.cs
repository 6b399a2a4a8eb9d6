using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSnn.Devices.Lanes;

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
    private readonly BlittableBool _strict;
    private readonly double _scan;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cVinf;
    private readonly float _cPm;
    private readonly float _cPe;
    private readonly float _cPi;
    private readonly float _cKe;
    private readonly float _cKi;
    private readonly ClockSpikeRule _rule;

    // Power form (see PowerForm): e^{−t/τ} = x^n with x = e^{−λ0·t} for τm, τe, τi; kernel factors τs/(τs − τm).
    private readonly BlittableBool _power;
    private readonly double _lambda0;
    private readonly int _nm;
    private readonly int _ne;
    private readonly int _ni;
    private readonly double _ke;
    private readonly double _ki;

    // Bound on the earliest crossing beyond which the power-form search is deferred to a re-check (ticks).
    private readonly double _lazy;
    private readonly double _lazyE0;

    // e^{−L·2^k/τm} for k = 0..7 (L = _lazy), each the square of the previous as the scalar test computes them.
    private readonly LazyFactors _lazyE;

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
        _lazy = 2 * _scan;
        _lazyE0 = Math.Exp(-_lazy / _taum);
        _lazyE = LazyFactors.Squares(_lazyE0);
        _rules = rules;
        if (PowerForm.TryFind(_taum, _taue, _taui, out _lambda0, out _nm, out _ne, out _ni) && _ne != _nm && _ni != _nm)
        {
            _power = true;
            _ke = _taue / (_taue - _taum);
            _ki = _taui / (_taui - _taum);
        }
    }

    /// <summary>Whether the time constants are integer multiples of one base time constant (the fast exact path).</summary>
    internal bool UsesPowerForm => _power;

    private CubaLif(in CubaLif other, double dt)
    {
        this = other;
        _dt = dt;
        _cVinf = (float)_vinf;
        _cPm = (float)Math.Exp(-dt / _taum);
        _cPe = (float)Math.Exp(-dt / _taue);
        _cPi = (float)Math.Exp(-dt / _taui);
        _cKe = (float)Propagators.SynapticKernel(dt, _taum, _taue);
        _cKi = (float)Propagators.SynapticKernel(dt, _taum, _taui);
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
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
        if (_power)
        {
            // v(t) = v∞ + (v0 − v∞)·x^nm + ie0·κe·(x^ne − x^nm) + ii0·κi·(x^ni − x^nm), x = e^{−λ0·t}: one exponential.
            double x = Math.Exp(-dt * _lambda0);
            double xm = PowerSum.Pow(x, _nm);
            double xe = PowerSum.Pow(x, _ne);
            double xi = PowerSum.Pow(x, _ni);
            state.V = _vinf + ((state.V - _vinf) * xm) + (state.S1 * _ke * (xe - xm)) + (state.S2 * _ki * (xi - xm));
            state.S1 *= xe;
            state.S2 *= xi;
            return;
        }

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

        if (_power)
        {
            double x = Math.Exp(-dt * _lambda0);
            state.S1 *= PowerSum.Pow(x, _ne);
            state.S2 *= PowerSum.Pow(x, _ni);
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
    /// <remarks>
    /// When the time constants are integer multiples of one base time constant τ0 = 1/λ0 (as τm = 20, τe = 5, τi = 10 ms),
    /// <c>v(t) − v_thresh</c> is a sum of at most three integer powers of <c>x = e^{−λ0·t}</c> plus a constant, and the
    /// first crossing is its largest root below x = 1, found exactly by <see cref="PowerSum"/> root isolation (no scan).
    /// That search is deferred to a re-check point while the bound of <see cref="SafeTime"/> shows that no crossing can
    /// happen within half the shortest time constant: most neurons receive an input before then, which
    /// makes the search unnecessary. Otherwise <see cref="CrossingSearch"/>.
    /// </remarks>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
        => _power ? PowerCrossing(state, horizon, double.PositiveInfinity, out recheck) : CrossingSearch.Find(this, state, horizon, out recheck);

    /// <summary>
    /// <see cref="FindCrossing(in NeuronState, double, out double)"/> knowing that the first crossing is no later than
    /// <paramref name="notAfter"/> ticks (or +∞): the search is confined to [0, notAfter].
    /// </summary>
    internal double FindCrossing(in NeuronState state, double horizon, double notAfter, out double recheck)
        => _power ? PowerCrossing(state, horizon, notAfter, out recheck) : CrossingSearch.Find(this, state, horizon, out recheck);

    /// <summary>
    /// How summed inputs of one tick move the trajectory without further input: +1 when v can only be higher at every
    /// later time, −1 when only lower, 0 otherwise. Each synaptic kernel is ≥ 0, so the sign of the weight decides.
    /// </summary>
    internal static int InputDirection(double input0, double input1)
    {
        if (input0 >= 0 && input1 >= 0)
        {
            return 1;
        }

        return input0 <= 0 && input1 <= 0 ? -1 : 0;
    }

    /// <summary>
    /// A re-check point (ticks) before which the trajectory provably stays below the threshold, from the bound of
    /// <see cref="SafeTime"/> tested at fixed horizons (the largest of 1, 2, 4, …, 128 times the shortest lazy horizon
    /// where the bound stays below the threshold by more than rounding), one tick before it; +∞ when the bound never reaches
    /// the threshold; 0 when it may within the shortest horizon (the crossing is then located now).
    /// </summary>
    private double LazyRecheck(in NeuronState state)
        => Vector256.IsHardwareAccelerated ? LazyRecheckVector(state) : LazyRecheckScalar(state);

    /// <summary><see cref="LazyRecheck"/> one horizon at a time (the reference of <see cref="LazyRecheckVector"/>).</summary>
    internal double LazyRecheckScalar(in NeuronState state)
    {
        double a = state.V - _vinf;
        double b = Math.Max(0, state.S1) + Math.Max(0, state.S2);
        double c = _vt - _vinf;
        double eps = 1e-12 * (Math.Abs(a) + Math.Abs(b) + Math.Abs(c));
        if (!(a < c - eps))
        {
            return 0;
        }

        if (b < c - eps)
        {
            // The bound runs from a to b, both below the threshold: never.
            return double.PositiveInfinity;
        }

        // Horizons L·2^k: e^{−L·2^(k+1)/τm} is the square of e^{−L·2^k/τm}.
        double found = 0;
        double horizon = _lazy;
        double e = _lazyE0;
        for (int k = 0; k < LazyLevels; k++)
        {
            if (!((a * e) + (b * (1 - e)) < c - eps))
            {
                break;
            }

            found = horizon - 1;
            horizon *= 2;
            e *= e;
        }

        return found;
    }

    /// <summary>
    /// <see cref="LazyRecheck"/> with the eight horizons tested together (two vectors of four), bit-identical to
    /// <see cref="LazyRecheckScalar"/>: the same products and sums per horizon (the factors are precomputed by the same
    /// squarings, nothing is fused), and the result is the horizon before the first one that fails.
    /// </summary>
    internal double LazyRecheckVector(in NeuronState state)
    {
        double a = state.V - _vinf;
        double b = Math.Max(0, state.S1) + Math.Max(0, state.S2);
        double c = _vt - _vinf;
        double eps = 1e-12 * (Math.Abs(a) + Math.Abs(b) + Math.Abs(c));
        double limit = c - eps;
        if (!(a < limit))
        {
            return 0;
        }

        if (b < limit)
        {
            return double.PositiveInfinity;
        }

        ref double e0 = ref Unsafe.AsRef(in _lazyE.E0);
        Vector256<double> lo = Vector256.LoadUnsafe(ref e0);
        Vector256<double> hi = Vector256.LoadUnsafe(ref e0, 4);
        Vector256<double> va = Vector256.Create(a);
        Vector256<double> vb = Vector256.Create(b);
        Vector256<double> one = Vector256<double>.One;
        Vector256<double> vl = Vector256.Create(limit);
        Vector256<double> boundLo = (va * lo) + (vb * (one - lo));
        Vector256<double> boundHi = (va * hi) + (vb * (one - hi));
        uint below = Vector256.LessThan(boundLo, vl).ExtractMostSignificantBits()
            | (Vector256.LessThan(boundHi, vl).ExtractMostSignificantBits() << 4);

        // The number of leading horizons where the bound stays below: the first clear bit (bit 8 is always clear).
        int n = BitOperations.TrailingZeroCount(~below);
        return n == 0 ? 0 : Math.ScaleB(_lazy, n - 1) - 1;
    }

    private const int LazyLevels = 8;

    /// <summary>The shortest horizon of the lazy re-check (ticks).</summary>
    internal double LazyHorizon => _lazy;

    /// <summary>The factor e^{−L·2^k/τm} of horizon <paramref name="k"/> (0..7) of the lazy re-check.</summary>
    /// <param name="k">The horizon index.</param>
    internal double LazyFactor(int k) => MemoryMarshal.CreateReadOnlySpan(in _lazyE.E0, LazyLevels)[k];

    private double PowerCrossing(in NeuronState state, double horizon, double notAfter, out double recheck)
    {
        recheck = double.PositiveInfinity;
        if (IsAboveThreshold(state))
        {
            return 0;
        }

        double lazy = LazyRecheck(state);
        if (lazy > 0)
        {
            // No crossing before the re-check point, which lies further ahead than the next input usually does: look again
            // there instead of locating the crossing now.
            recheck = double.IsPositiveInfinity(lazy) ? lazy : Math.Min(lazy, Math.Max(1, horizon));
            return double.PositiveInfinity;
        }

        double a = state.V - _vinf;
        double be = state.S1 * _ke;
        double bi = state.S2 * _ki;
        PowerSum f = PowerSum.Create(_vinf - _vt, a - be - bi, _nm, be, _ne, bi, _ni);
        double x = double.NaN;
        if (notAfter < horizon)
        {
            // The crossing lies in [x(notAfter), 1) when the condition holds there (it does unless rounding says otherwise).
            double lo = Math.Exp(-notAfter * _lambda0);
            double fLo = f.Eval(lo);
            if (fLo > 0 || (fLo == 0 && !_strict))
            {
                x = f.FirstCrossingAbove(lo, fLo, state.V - _vt, _strict);
            }
        }

        if (double.IsNaN(x))
        {
            x = f.FirstCrossingBelowOne(0, state.V - _vt, _strict);
        }

        if (!(x > 0))
        {
            // No crossing for any t ≥ 0 (x = 0 is t = ∞).
            return double.PositiveInfinity;
        }

        double t = -Math.Log(x) / _lambda0;
        if (t > horizon)
        {
            recheck = Math.Max(1, horizon);
            return double.PositiveInfinity;
        }

        return t;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The exact propagator over the step: <c>v ← v∞ + (v − v∞)·Pm + ie·Ke + ii·Ki</c> while free (v frozen while
    /// refractory), <c>ie ← ie·Pe + input_e</c>, <c>ii ← ii·Pi + input_i</c> always (currents keep decaying and receiving
    /// input during the refractory period). As Brian2's <c>method='exact'</c> for the CUBA benchmark.
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane vinf = TLane.Splat(_cVinf);
        TLane ie = neuron.S1;
        TLane ii = neuron.S2;
        TLane v = vinf + ((neuron.V - vinf) * TLane.Splat(_cPm)) + (ie * TLane.Splat(_cKe)) + (ii * TLane.Splat(_cKi));
        neuron.V = TLane.Select(integrate, v, neuron.V);
        neuron.S1 = (ie * TLane.Splat(_cPe)) + input0;
        neuron.S2 = (ii * TLane.Splat(_cPi)) + input1;
        return _rule.End(ref neuron, active);
    }
}

/// <summary>Eight contiguous doubles: the factors e^{−L·2^k/τm} of <see cref="CubaLif"/>'s lazy re-check, k = 0..7.</summary>
[StructLayout(LayoutKind.Sequential)]
internal readonly struct LazyFactors
{
    /// <summary>k = 0.</summary>
    public readonly double E0;
    private readonly double _e1;
    private readonly double _e2;
    private readonly double _e3;
    private readonly double _e4;
    private readonly double _e5;
    private readonly double _e6;
    private readonly double _e7;

    private LazyFactors(double e0)
    {
        E0 = e0;
        _e1 = E0 * E0;
        _e2 = _e1 * _e1;
        _e3 = _e2 * _e2;
        _e4 = _e3 * _e3;
        _e5 = _e4 * _e4;
        _e6 = _e5 * _e5;
        _e7 = _e6 * _e6;
    }

    /// <summary>e0 and its seven successive squares.</summary>
    /// <param name="e0">The first factor.</param>
    public static LazyFactors Squares(double e0) => new(e0);
}
