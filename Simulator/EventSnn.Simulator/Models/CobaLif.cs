using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Conductance-based LIF with exponential conductances (the COBA benchmark model):
/// <c>τm·dv/dt = −(v − v_rest) + ge·(e_exc − v) + gi·(e_inh − v) + i_offset</c>, <c>τe·dge/dt = −ge</c>,
/// <c>τi·dgi/dt = −gi</c>; conductances are dimensionless (relative to the leak). Receptor <c>e</c> adds w ≥ 0 to
/// <c>ge</c>, receptor <c>i</c> adds w ≥ 0 to <c>gi</c>.
/// </summary>
/// <remarks>
/// <para>The conductances decay exactly. With time-varying conductances the voltage equation is linear in v but has
/// no elementary closed form; v is advanced by a power series of its exact solution. When the synaptic time constants are
/// commensurate (τe·p = τi·q for integers p, q ≤ 12, as 5 and 10 ms), the series is in z = e^{−t/T} (T = τe·p), where
/// the equation has polynomial coefficients and each term costs O(max(p, q)) (<see cref="PowerSeriesStep"/>, steps up
/// to T/4 and 2·τm/(1 + ge + gi)); otherwise it is the Taylor series in t, each term a convolution over the previous ones,
/// in steps no longer than a quarter of the shorter synaptic time constant and τm/(1 + ge + gi). Both are summed until
/// their terms fall below 1e-14 of the potentials' scale (checked against a fine reference integration in the tests:
/// within 1e-10 mV over 0.1–50 ms, for conductances up to 40 times the leak, for both forms).</para>
/// <para>Crossings cannot happen while the moving equilibrium potential stays below the threshold
/// (<see cref="EquilibriumBoundTime"/>), which lets the crossing search skip most predictions.</para>
/// <para>Threshold crossings between events are found by <see cref="CrossingSearch"/> on this trajectory.</para>
/// </remarks>
public readonly struct CobaLif : ISearchableModel<CobaLif>
{
    private readonly double _taum;
    private readonly double _taue;
    private readonly double _taui;
    private readonly double _vrest;
    private readonly double _l;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _ee;
    private readonly double _ei;
    private readonly double _tref;
    private readonly ResetMode _reset;
    private readonly BlittableBool _strict;
    private readonly SpikeRules _rules;
    private readonly double _dt;
    private readonly float _cL;
    private readonly float _cEe;
    private readonly float _cEi;
    private readonly float _cHm;
    private readonly float _cHe;
    private readonly float _cHi;
    private readonly ClockSpikeRule _rule;

    // Power form (τe·p = τi·q = T for small integers p, q; 0 when the synaptic time constants are not commensurate): the
    // conductances are ge0·z^p and gi0·z^q in z = e^{−t/T}.
    private readonly int _zp;
    private readonly int _zq;
    private readonly double _zRate;
    private readonly double _zInvMu;
    private readonly double _zMaxStep;

    private CobaLif(ReadOnlySpan<double> p, in SpikeRules rules)
    {
        _taum = Units.MsToTicks(p[0]);
        _taue = Units.MsToTicks(p[1]);
        _taui = Units.MsToTicks(p[2]);
        _vrest = p[3];
        _vt = p[4];
        _vr = p[5];
        _ee = p[6];
        _ei = p[7];
        _l = p[3] + p[8];
        _tref = Units.MsToTicks(p[9]);
        _reset = rules.Reset;
        _strict = rules.Comparison == ThresholdComparison.Greater;
        _rules = rules;
        _dt = 0;
        if (TryCommensurate(_taue, _taui, out _zp, out _zq))
        {
            double period = _zp * _taue;
            _zRate = 1 / period;
            _zInvMu = period / _taum;
            _zMaxStep = 0.25 * period;
        }
    }

    /// <summary>Largest integer p or q of the power form (<c>τe·p = τi·q</c>).</summary>
    internal const int MaxPowerDegree = 12;

    /// <summary>Whether the synaptic time constants are commensurate (the fast exact series; see <see cref="PowerSeriesStep"/>).</summary>
    internal bool UsesPowerForm => _zp != 0;

    /// <summary>The smallest integers p, q ≤ <see cref="MaxPowerDegree"/> with <c>τe·p = τi·q</c> to 1e-12 relative, if any.</summary>
    private static bool TryCommensurate(double taue, double taui, out int p, out int q)
    {
        for (p = 1; p <= MaxPowerDegree; p++)
        {
            double t = p * taue;
            q = (int)Math.Round(t / taui);
            if (q >= 1 && q <= MaxPowerDegree && Math.Abs(t - (q * taui)) <= 1e-12 * t)
            {
                return true;
            }
        }

        p = 0;
        q = 0;
        return false;
    }

    private CobaLif(in CobaLif other, double dt)
    {
        this = other;
        _dt = dt;
        _cL = (float)_l;
        _cEe = (float)_ee;
        _cEi = (float)_ei;
        _cHm = (float)(dt / _taum);
        _cHe = (float)(dt / _taue);
        _cHi = (float)(dt / _taui);
        _rule = new ClockSpikeRule(_vt, _vr, _tref, dt, _rules);
    }

    /// <inheritdoc/>
    public static NeuronModelInfo Info { get; } = new(
        "coba_lif",
        ["v", "ge", "gi"],
        ["e", "i"],
        [
            new("tau_m", "ms", 20.0, 0, true),
            new("tau_e", "ms", 5.0, 0, true),
            new("tau_i", "ms", 10.0, 0, true),
            new("v_rest", "mV", -60.0),
            new("v_thresh", "mV", -50.0),
            new("v_reset", "mV", -60.0),
            new("e_exc", "mV", 0.0),
            new("e_inh", "mV", -80.0),
            new("i_offset", "mV", 0.0),
            new("t_ref", "ms", 0.0, 0),
        ],
        LinearModelRules.AllResetModes)
    {
        NonNegativeWeights = true,
    };

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
        => LinearModelRules.ValidateReset(parameters[4], parameters[5], parameters[9], rules.Reset);

    /// <inheritdoc/>
    public static CobaLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => new(parameters, rules);

    /// <inheritdoc/>
    public CobaLif WithTimeStep(double dtTicks) => new(this, dtTicks);

    /// <inheritdoc/>
    public void AdvanceFree(ref NeuronState state, double dt)
    {
        if (_zp != 0)
        {
            while (dt > 0)
            {
                double h = Math.Min(dt, PowerStepLimit(state));
                PowerSeriesStep(ref state, h);
                dt -= h;
            }

            return;
        }

        while (dt > 0)
        {
            double h = Math.Min(dt, SeriesStepLimit(state));
            SeriesStep(ref state, h);
            dt -= h;
        }
    }

    /// <summary>Largest step of one power-form series: a quarter of the period T and 2·τm/(1 + |ge| + |gi|).</summary>
    private double PowerStepLimit(in NeuronState s)
        => Math.Min(_zMaxStep, 2 * _taum / (1 + Math.Abs(s.S1) + Math.Abs(s.S2)));

    /// <summary>
    /// One step of length <paramref name="h"/> with commensurate synaptic time constants (τe·p = τi·q = T): in
    /// z = e^{−t/T} the conductances are ge0·z^p and gi0·z^q, and the voltage equation becomes
    /// <c>−μ·z·dv/dz = P(z) − Q(z)·v</c> (μ = τm/T, P = v_rest + i_offset + e_exc·ge0·z^p + e_inh·gi0·z^q,
    /// Q = 1 + ge0·z^p + gi0·z^q), whose coefficients are polynomials of degree d = max(p, q). Its power series in
    /// s = z − 1 therefore obeys a recurrence of d + 2 terms (no convolution over all previous terms), summed at
    /// S = e^{−h/T} − 1.
    /// </summary>
    /// <remarks>
    /// With scaled coefficients w_k = v_k·S^k, P̂_j = P_j·S^j and Q̂_j = Q_j·S^j (binomial expansions of z^p, z^q):
    /// <c>w_{k+1} = (S/μ·(Σ_{j≤min(k,d)} Q̂_j·w_{k−j} − P̂_k) − S·k·w_k)/(k + 1)</c>. Beyond index d the recurrence is
    /// homogeneous, and every new term is at most ρ = |S|/μ·Σ|Q̂_j|/(k + 2) + |S| times the largest of the previous d + 1.
    /// The sum stops once the last max(3, d + 1) terms are below tol = 1e-14 of the potentials' scale (|v0| +
    /// |v_rest + i_offset| + |e_exc| + |e_inh|) and ρ ≤ 1/2: every later term is then below tol·ρ^⌈m/(d+1)⌉, so the
    /// truncation error of one step is below (d + 1)·tol. The step limit (h ≤ T/4, so |S| ≤ 0.222, and
    /// h·(1 + |ge| + |gi|)/τm ≤ 2) keeps the largest term within a few times |v| (no cancellation).
    /// </remarks>
    private void PowerSeriesStep(ref NeuronState s, double h)
    {
        if (Math.Max(_zp, _zq) <= 2)
        {
            PowerSeriesStepLow(ref s, h);
        }
        else
        {
            PowerSeriesStepGeneral(ref s, h);
        }
    }

    /// <summary>
    /// <see cref="PowerSeriesStep"/> for d = max(p, q) ≤ 2 (τi = τe or 2·τe, or τe = 2·τi), unrolled: the coefficients stay
    /// in registers (no stack arrays), and the terms' inhomogeneous parts (−P̂_k, zero beyond index d) are left out of the
    /// iterations where they are zero, which shortens the recurrence's dependency chain without changing any result
    /// (x − 0 = x exactly, for −0 too).
    /// </summary>
    private void PowerSeriesStepLow(ref NeuronState s, double h)
    {
        const int M = MaxPowerTerms;
        int p = _zp;
        int q = _zq;
        int d = Math.Max(p, q);
        double ge0 = s.S1;
        double gi0 = s.S2;
        double v0 = s.V;
        double z = Math.Exp(-h * _zRate);
        double sv = z - 1;
        ReadOnlySpan<double> reciprocals = Reciprocals;

        // Binomial expansions: ge0·C(p, j)·S^j and gi0·C(q, j)·S^j (zero beyond p and q), j = 0, 1, 2.
        double ce = ge0;
        double ci = gi0;
        double q0 = ce + ci;
        double p0 = (_ee * ce) + (_ei * ci);
        double r = reciprocals[1] * sv;
        ce *= p * r;
        ci *= q * r;
        double q1 = ce + ci;
        double p1 = (_ee * ce) + (_ei * ci);
        double q2 = 0;
        double p2 = 0;
        if (d == 2)
        {
            r = reciprocals[2] * sv;
            ce *= (p - 1) * r;
            ci *= (q - 1) * r;
            q2 = ce + ci;
            p2 = (_ee * ce) + (_ei * ci);
        }

        q0 += 1;
        p0 += _l;
        double sumQ = 0;
        sumQ += Math.Abs(q0);
        sumQ += Math.Abs(q1);
        if (d == 2)
        {
            sumQ += Math.Abs(q2);
        }

        double c = sv * _zInvMu;
        double absS = Math.Abs(sv);
        double rhoNum = Math.Abs(c) * sumQ;
        double tol = 1e-14 * (Math.Abs(v0) + Math.Abs(_l) + Math.Abs(_ee) + Math.Abs(_ei));
        int need = Math.Max(3, d + 1);
        int small = 0;
        double sum = 0;
        double wk = v0;
        double wm1 = 0;
        double wm2 = 0;
        double a0 = c * q0;
        double pk = p0;

        // Two terms per iteration (the stop test after both). Only one fused multiply-add per term lies on the
        // dependency chain: the factors (a0 − S·k)/(k + 1) and the rest of each term do not depend on w_k. The first two
        // iterations subtract P̂_0, P̂_1 and P̂_2; from k = 4 on every P̂ is zero and the subtraction is left out.
        int k = 0;
        bool done = false;
        for (; k < 4; k += 2)
        {
            double r1 = reciprocals[k + 1];
            double r2 = reciprocals[k + 2];
            double pk1 = k == 0 ? p1 : 0;
            double rest1 = c * ((q1 * wm1) + (q2 * wm2) - pk) * r1;
            double next1 = Math.FusedMultiplyAdd((a0 - (sv * k)) * r1, wk, rest1);
            double rest2 = c * ((q1 * wk) + (q2 * wm1) - pk1) * r2;
            double next2 = Math.FusedMultiplyAdd((a0 - (sv * (k + 1))) * r2, next1, rest2);
            sum += next1 + next2;
            wm2 = wk;
            wm1 = next1;
            wk = next2;
            pk = k == 0 ? p2 : 0;
            small = Math.Abs(next1) <= tol ? small + 1 : 0;
            small = Math.Abs(next2) <= tol ? small + 1 : 0;
            if (small >= need && rhoNum <= (0.5 - absS) * (k + 3))
            {
                done = true;
                break;
            }
        }

        if (!done)
        {
            for (; k < M; k += 2)
            {
                double r1 = reciprocals[k + 1];
                double r2 = reciprocals[k + 2];
                double rest1 = c * ((q1 * wm1) + (q2 * wm2)) * r1;
                double next1 = Math.FusedMultiplyAdd((a0 - (sv * k)) * r1, wk, rest1);
                double rest2 = c * ((q1 * wk) + (q2 * wm1)) * r2;
                double next2 = Math.FusedMultiplyAdd((a0 - (sv * (k + 1))) * r2, next1, rest2);
                sum += next1 + next2;
                wm2 = wk;
                wm1 = next1;
                wk = next2;
                small = Math.Abs(next1) <= tol ? small + 1 : 0;
                small = Math.Abs(next2) <= tol ? small + 1 : 0;
                if (small >= need && rhoNum <= (0.5 - absS) * (k + 3))
                {
                    break;
                }
            }
        }

        // The terms, summed two at a time alongside the recurrence, then the leading one.
        sum += v0;
        s.V = sum;
        s.S1 = ge0 * IntPow(z, p);
        s.S2 = gi0 * IntPow(z, q);
    }

    /// <summary>
    /// Whether advancing a non-refractory neuron in state <paramref name="s"/> by <paramref name="span"/> ticks is one
    /// <see cref="PowerSeriesStepLow"/> (power form with d ≤ 2, and a span within the step limit), so that
    /// <see cref="AdvanceFreeLanes"/> may compute it together with others.
    /// </summary>
    /// <param name="s">The state.</param>
    /// <param name="span">The interval (ticks, &gt; 0).</param>
    internal bool IsSingleLaneStep(in NeuronState s, double span)
        => _zp != 0 && Math.Max(_zp, _zq) <= 2 && span <= PowerStepLimit(s) && Fma.IsSupported && Vector256.IsHardwareAccelerated;

    /// <summary>Neurons advanced together by <see cref="AdvanceFreeLanes"/>.</summary>
    internal const int Lanes = 8;

    /// <summary>
    /// <see cref="AdvanceFree"/> of <see cref="Lanes"/> neurons at once, for advances that are one step each
    /// (<see cref="IsSingleLaneStep"/>): the series run in the lanes of two vectors (<see cref="Lanes8"/>), each stopping at its own term, with
    /// every operation of <see cref="PowerSeriesStepLow"/> done per lane (no operation mixes lanes, none is fused
    /// differently), so that each result is bit-identical to the neuron's own advance; the recurrences' dependency chains
    /// overlap instead of running one after the other.
    /// </summary>
    /// <param name="states">The neurons' states (<see cref="Lanes"/>; a lane may repeat another, its result is then the same).</param>
    /// <param name="spans">Their intervals (ticks).</param>
    internal void AdvanceFreeLanes(Span<NeuronState> states, ReadOnlySpan<double> spans)
    {
        const int M = MaxPowerTerms;
        int p = _zp;
        int q = _zq;
        int d = Math.Max(p, q);
        Span<double> zs = stackalloc double[Lanes];
        Span<double> ges = stackalloc double[Lanes];
        Span<double> gis = stackalloc double[Lanes];
        Span<double> vs = stackalloc double[Lanes];
        for (int i = 0; i < Lanes; i++)
        {
            zs[i] = Math.Exp(-spans[i] * _zRate);
            ges[i] = states[i].S1;
            gis[i] = states[i].S2;
            vs[i] = states[i].V;
        }

        Lanes8 ge0 = Lanes8.Load(ges);
        Lanes8 gi0 = Lanes8.Load(gis);
        Lanes8 v0 = Lanes8.Load(vs);
        Lanes8 one = Lanes8.Create(1);
        Lanes8 sv = Lanes8.Load(zs) - one;
        Lanes8 ee = Lanes8.Create(_ee);
        Lanes8 ei = Lanes8.Create(_ei);
        ReadOnlySpan<double> reciprocals = Reciprocals;

        Lanes8 ce = ge0;
        Lanes8 ci = gi0;
        Lanes8 q0 = ce + ci;
        Lanes8 p0 = (ee * ce) + (ei * ci);
        Lanes8 r = Lanes8.Create(reciprocals[1]) * sv;
        ce *= Lanes8.Create((double)p) * r;
        ci *= Lanes8.Create((double)q) * r;
        Lanes8 q1 = ce + ci;
        Lanes8 p1 = (ee * ce) + (ei * ci);
        Lanes8 q2 = Lanes8.Zero;
        Lanes8 p2 = Lanes8.Zero;
        if (d == 2)
        {
            r = Lanes8.Create(reciprocals[2]) * sv;
            ce *= Lanes8.Create((double)(p - 1)) * r;
            ci *= Lanes8.Create((double)(q - 1)) * r;
            q2 = ce + ci;
            p2 = (ee * ce) + (ei * ci);
        }

        q0 += one;
        p0 += Lanes8.Create(_l);
        Lanes8 sumQ = Lanes8.Zero;
        sumQ += Lanes8.Abs(q0);
        sumQ += Lanes8.Abs(q1);
        if (d == 2)
        {
            sumQ += Lanes8.Abs(q2);
        }

        Lanes8 c = sv * Lanes8.Create(_zInvMu);
        Lanes8 absS = Lanes8.Abs(sv);
        Lanes8 rhoNum = Lanes8.Abs(c) * sumQ;
        Lanes8 tol = Lanes8.Create(1e-14)
            * (((Lanes8.Abs(v0) + Lanes8.Create(Math.Abs(_l))) + Lanes8.Create(Math.Abs(_ee))) + Lanes8.Create(Math.Abs(_ei)));
        Lanes8 half = Lanes8.Create(0.5);
        Lanes8 need = Lanes8.Create((double)Math.Max(3, d + 1));

        // Per lane: the count of consecutive small terms (whole numbers, exact in doubles) and whether its series still runs.
        Lanes8 small = Lanes8.Zero;
        Lanes8 run = Lanes8.AllBitsSet;
        Lanes8 sum = Lanes8.Zero;
        Lanes8 wk = v0;
        Lanes8 wm1 = Lanes8.Zero;
        Lanes8 wm2 = Lanes8.Zero;
        Lanes8 a0 = c * q0;
        Lanes8 pk = p0;
        for (int k = 0; k < M; k += 2)
        {
            Lanes8 r1 = Lanes8.Create(reciprocals[k + 1]);
            Lanes8 r2 = Lanes8.Create(reciprocals[k + 2]);
            Lanes8 pk1 = k == 0 ? p1 : Lanes8.Zero;
            Lanes8 rest1 = c * ((q1 * wm1) + (q2 * wm2) - pk) * r1;
            Lanes8 next1 = Lanes8.FusedMultiplyAdd((a0 - (sv * Lanes8.Create((double)k))) * r1, wk, rest1);
            Lanes8 rest2 = c * ((q1 * wk) + (q2 * wm1) - pk1) * r2;
            Lanes8 next2 = Lanes8.FusedMultiplyAdd((a0 - (sv * Lanes8.Create((double)(k + 1)))) * r2, next1, rest2);
            sum = Lanes8.Select(run, sum + (next1 + next2), sum);
            wm2 = wk;
            wm1 = next1;
            wk = next2;
            pk = k == 0 ? p2 : Lanes8.Zero;
            small = Lanes8.Select(Lanes8.LessThanOrEqual(Lanes8.Abs(next1), tol), small + one, Lanes8.Zero);
            small = Lanes8.Select(Lanes8.LessThanOrEqual(Lanes8.Abs(next2), tol), small + one, Lanes8.Zero);
            Lanes8 stop = Lanes8.GreaterThanOrEqual(small, need)
                & Lanes8.LessThanOrEqual(rhoNum, (half - absS) * Lanes8.Create((double)(k + 3)));
            run = Lanes8.AndNot(run, stop);
            if (run.NoneSet)
            {
                break;
            }
        }

        sum += v0;
        sum.Store(vs);
        for (int i = 0; i < Lanes; i++)
        {
            ref NeuronState st = ref states[i];
            st.V = vs[i];
            st.S1 *= IntPow(zs[i], p);
            st.S2 *= IntPow(zs[i], q);
        }
    }

    /// <summary><see cref="PowerSeriesStep"/> for any d ≤ <see cref="MaxPowerDegree"/> (the recurrence with its d + 2 terms in a loop).</summary>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private unsafe void PowerSeriesStepGeneral(ref NeuronState s, double h)
    {
        const int M = MaxPowerTerms;
        const int D = MaxPowerDegree;
        int p = _zp;
        int q = _zq;
        int d = Math.Max(p, q);
        double ge0 = s.S1;
        double gi0 = s.S2;
        double v0 = s.V;
        double z = Math.Exp(-h * _zRate);
        double sv = z - 1;
        double* qh = stackalloc double[D + 2];
        double* ph = stackalloc double[D + 2];
        double* w = stackalloc double[M + 2];

        // Binomial expansions: ge0·C(p, j)·S^j and gi0·C(q, j)·S^j (zero beyond p and q).
        double ce = ge0;
        double ci = gi0;
        for (int j = 0; j <= d; j++)
        {
            qh[j] = ce + ci;
            ph[j] = (_ee * ce) + (_ei * ci);
            double r = Reciprocals[j + 1] * sv;
            ce *= (p - j) * r;
            ci *= (q - j) * r;
        }

        qh[0] += 1;
        ph[0] += _l;
        double sumQ = 0;
        for (int j = 0; j <= d; j++)
        {
            sumQ += Math.Abs(qh[j]);
        }

        double c = sv * _zInvMu;
        double absS = Math.Abs(sv);
        double rhoNum = Math.Abs(c) * sumQ;
        double tol = 1e-14 * (Math.Abs(v0) + Math.Abs(_l) + Math.Abs(_ee) + Math.Abs(_ei));
        int need = Math.Max(3, d + 1);
        int small = 0;
        w[0] = v0;
        int n = M;
        double sum = 0;
        for (int k = 0; k < M; k++)
        {
            int top = Math.Min(k, d);
            double rest = k <= d ? -ph[k] : 0;
            for (int j = 1; j <= top; j++)
            {
                rest += qh[j] * w[k - j];
            }

            double next = ((((c * qh[0]) - (sv * k)) * w[k]) + (c * rest)) * Reciprocals[k + 1];
            w[k + 1] = next;
            small = Math.Abs(next) <= tol ? small + 1 : 0;
            if (small >= need && k + 1 > d && rhoNum <= (0.5 - absS) * (k + 2))
            {
                n = k + 1;
                break;
            }
        }

        // Sum the small terms first.
        for (int m = n; m >= 0; m--)
        {
            sum += w[m];
        }

        s.V = sum;
        s.S1 = ge0 * IntPow(z, p);
        s.S2 = gi0 * IntPow(z, q);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static double IntPow(double x, int n)
    {
        double r = 1;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                r *= x;
            }

            x *= x;
            n >>= 1;
        }

        return r;
    }

    /// <summary>Most terms of one power-form series step.</summary>
    private const int MaxPowerTerms = 60;

    /// <summary>Largest step of one Taylor series: a quarter of the shorter synaptic time constant and τm/(1 + |ge| + |gi|).</summary>
    private double SeriesStepLimit(in NeuronState s)
        => Math.Min(0.25 * Math.Min(_taue, _taui), _taum / (1 + Math.Abs(s.S1) + Math.Abs(s.S2)));

    /// <summary>
    /// One step of length <paramref name="h"/>: the conductances decay exactly, and v is the Taylor series of the exact
    /// solution of <c>τm·v' = A(t) − B(t)·v</c> (A = v_rest + i_offset + ge(t)·e_exc + gi(t)·e_inh, B = 1 + ge(t) + gi(t),
    /// both sums of exponentials with known series) around the step's start, summed at h.
    /// </summary>
    /// <remarks>
    /// With scaled coefficients w_k = v_k·h^k, a_k·h^k and b_k·h^k of v, A and B, the equation gives
    /// <c>w_{k+1} = (h/τm)/(k+1)·(a_k − Σ_{j≤k} b_j·w_{k−j})</c>. The step limit keeps h/τe, h/τi ≤ 1/4 and
    /// h·B(0)/τm ≤ 1, where the terms fall off at least geometrically; the sum stops when three consecutive terms are
    /// below 1e-14 of the potentials' scale (|v0| + |v_rest + i_offset| + |e_exc| + |e_inh|), or after
    /// <see cref="MaxSeriesTerms"/> terms. The tests check the result against a fine reference integration to 1e-10 mV.
    /// </remarks>
    [System.Runtime.CompilerServices.SkipLocalsInit]
    private unsafe void SeriesStep(ref NeuronState s, double h)
    {
        const int M = MaxSeriesTerms;
        double ge0 = s.S1;
        double gi0 = s.S2;
        double v0 = s.V;

        // b[j]: coefficients of B·h^j in order; wr[M − m]: coefficient m of v·h^m, stored reversed so that the convolution
        // Σ_{j≤k} b[j]·w[k−j] reads both arrays forwards.
        double* b = stackalloc double[M + 4];
        double* wr = stackalloc double[M + 4];
        double c = h / _taum;
        double re = -h / _taue;
        double ri = -h / _taui;
        double tol = 1e-14 * (Math.Abs(v0) + Math.Abs(_l) + Math.Abs(_ee) + Math.Abs(_ei));
        double e = ge0;
        double i = gi0;
        double a = _l + (_ee * e) + (_ei * i);
        b[0] = 1 + e + i;
        wr[M] = v0;
        double prev1 = Math.Abs(v0);
        double prev2 = double.PositiveInfinity;
        int n = M;
        for (int k = 0; k < M; k++)
        {
            double* w = wr + (M - k);
            double s0 = 0;
            double s1 = 0;
            double s2 = 0;
            double s3 = 0;
            int j = 0;
            for (; j + 3 <= k; j += 4)
            {
                s0 += b[j] * w[j];
                s1 += b[j + 1] * w[j + 1];
                s2 += b[j + 2] * w[j + 2];
                s3 += b[j + 3] * w[j + 3];
            }

            for (; j <= k; j++)
            {
                s0 += b[j] * w[j];
            }

            double next = c * Reciprocals[k + 1] * (a - ((s0 + s1) + (s2 + s3)));
            wr[M - k - 1] = next;
            double abs = Math.Abs(next);
            if (k >= 3 && abs + prev1 + prev2 <= tol)
            {
                n = k + 1;
                break;
            }

            prev2 = prev1;
            prev1 = abs;

            // Coefficients k + 1 of ge·h^j and gi·h^j: the exponential series.
            double r = Reciprocals[k + 1];
            e *= re * r;
            i *= ri * r;
            a = (_ee * e) + (_ei * i);
            b[k + 1] = e + i;
        }

        // Sum the small terms first.
        double sum = 0;
        for (int m = M - n; m <= M; m++)
        {
            sum += wr[m];
        }

        s.V = sum;
        s.S1 = ge0 * Math.Exp(re);
        s.S2 = gi0 * Math.Exp(ri);
    }

    /// <summary>1/k for k = 0..64 (entry 0 unused).</summary>
    private static ReadOnlySpan<double> Reciprocals => [
        0, 1.0 / 1, 1.0 / 2, 1.0 / 3, 1.0 / 4, 1.0 / 5, 1.0 / 6, 1.0 / 7, 1.0 / 8, 1.0 / 9, 1.0 / 10,
        1.0 / 11, 1.0 / 12, 1.0 / 13, 1.0 / 14, 1.0 / 15, 1.0 / 16, 1.0 / 17, 1.0 / 18, 1.0 / 19, 1.0 / 20, 1.0 / 21,
        1.0 / 22, 1.0 / 23, 1.0 / 24, 1.0 / 25, 1.0 / 26, 1.0 / 27, 1.0 / 28, 1.0 / 29, 1.0 / 30, 1.0 / 31, 1.0 / 32,
        1.0 / 33, 1.0 / 34, 1.0 / 35, 1.0 / 36, 1.0 / 37, 1.0 / 38, 1.0 / 39, 1.0 / 40, 1.0 / 41, 1.0 / 42, 1.0 / 43,
        1.0 / 44, 1.0 / 45, 1.0 / 46, 1.0 / 47, 1.0 / 48, 1.0 / 49, 1.0 / 50, 1.0 / 51, 1.0 / 52, 1.0 / 53, 1.0 / 54,
        1.0 / 55, 1.0 / 56, 1.0 / 57, 1.0 / 58, 1.0 / 59, 1.0 / 60, 1.0 / 61, 1.0 / 62, 1.0 / 63, 1.0 / 64];

    /// <summary>Most terms of one series step.</summary>
    private const int MaxSeriesTerms = 40;

    /// <summary>
    /// How summed inputs of one tick move the trajectory without further input: +1 when v can only be higher at every
    /// later time, −1 when only lower, 0 otherwise.
    /// </summary>
    /// <remarks>
    /// v never leaves the range spanned by its start, the reset potential and the attractors v_rest + i_offset, e_exc and
    /// e_inh (at each end of that range dv/dt points inwards). When e_inh lies at or below all of them, v − e_inh ≥ 0 all
    /// along, so more inhibitory conductance can only lower dv/dt (comparison theorem); when e_exc lies at or above all of
    /// them, more excitatory conductance can only raise it.
    /// </remarks>
    internal int InputDirection(in NeuronState state, double input0, double input1)
    {
        double lo = Math.Min(Math.Min(state.V, _vr), Math.Min(_l, _ee));
        double hi = Math.Max(Math.Max(state.V, _vr), Math.Max(_l, _ei));
        int e = input0 == 0 ? 0 : _ee >= hi ? Math.Sign(input0) : 2;
        int i = input1 == 0 ? 0 : _ei <= lo ? -Math.Sign(input1) : 2;
        if (e == 2 || i == 2 || e * i < 0)
        {
            return 0;
        }

        return e + i > 0 ? 1 : e + i < 0 ? -1 : 0;
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
    public double Derivative(in NeuronState state)
        => (-(state.V - _l) + (state.S1 * (_ee - state.V)) + (state.S2 * (_ei - state.V))) / _taum;

    /// <inheritdoc/>
    public bool CanReachThreshold(in NeuronState state)
    {
        if (_l >= _vt)
        {
            // Every term added below is non-negative: the bound is at least v_rest + i_offset.
            return true;
        }

        // v never drops below the lowest attractor; bound each drive term by its largest value times its integral.
        double vmin = Math.Min(Math.Min(state.V, _l), Math.Min(_ee, _ei));
        double bound = _l + Math.Max(0, state.V - _l)
            + (Math.Max(0, state.S1) * Math.Max(0, _ee - vmin) * _taue / _taum)
            + (Math.Max(0, state.S2) * Math.Max(0, _ei - vmin) * _taui / _taum);
        return bound >= _vt;
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The larger of two lower bounds: <see cref="LeakBoundTime"/> and <see cref="EquilibriumBoundTime"/>.
    /// </remarks>
    public double SafeTime(in NeuronState state)
    {
        double e = EquilibriumBoundTime(state);
        return LeakBoundBelow(state, e) ? e : Math.Max(LeakBoundTime(state), e);
    }

    /// <summary>
    /// Whether <see cref="LeakBoundTime"/> is provably at most <paramref name="limit"/> without its logarithm: the bound is
    /// τm·ln(1 + (c − a)/(b − c)) ≤ τm·(c − a)/(b − c) (names as there), so that the larger of the two bounds is
    /// <paramref name="limit"/> itself.
    /// </summary>
    private bool LeakBoundBelow(in NeuronState state, double limit)
    {
        double vmin = Math.Min(Math.Min(state.V, _l), Math.Min(_ee, _ei));
        double a = state.V - _l;
        double b = (Math.Max(0, state.S1) * Math.Max(0, _ee - vmin)) + (Math.Max(0, state.S2) * Math.Max(0, _ei - vmin));
        double c = _vt - _l;
        return a < c && b > c && _taum * (c - a) <= limit * (b - c);
    }

    /// <summary>
    /// A lower bound from the leak alone: with w = v − (v_rest + i_offset) and v never below the lowest attractor v_min,
    /// τm·w' ≤ −w + De·e^{−t/τe} + Di·e^{−t/τi} where De = ge0·(e_exc − v_min)⁺ and Di = gi0·(e_inh − v_min)⁺ (dropping the
    /// shunting that only lowers v). Hence w(t) ≤ w0·E + (De + Di)·(1 − E) with E = e^{−t/τm}; solving for the threshold
    /// gives the earliest possible crossing.
    /// </summary>
    /// <param name="state">The state.</param>
    internal double LeakBoundTime(in NeuronState state)
    {
        double vmin = Math.Min(Math.Min(state.V, _l), Math.Min(_ee, _ei));
        double a = state.V - _l;
        double b = (Math.Max(0, state.S1) * Math.Max(0, _ee - vmin)) + (Math.Max(0, state.S2) * Math.Max(0, _ei - vmin));
        double c = _vt - _l;
        return LinearModelRules.EarliestBoundCrossing(a, b, c, _taum);
    }

    /// <summary>
    /// A lower bound from the moving equilibrium: <c>τm·v' = B(t)·(v_eq(t) − v)</c> with <c>B = 1 + ge + gi &gt; 0</c> and
    /// <c>v_eq = (v_rest + i_offset + ge·e_exc + gi·e_inh)/B</c>, so a potential at or below the threshold can only reach it
    /// after v_eq does: while <c>F(t) = B·(v_eq − v_thresh) = A + be·e^{−t/τe} + bi·e^{−t/τi} &lt; 0</c> (A = v_rest +
    /// i_offset − v_thresh, be = ge0·(e_exc − v_thresh), bi = gi0·(e_inh − v_thresh)), dv/dt &lt; 0 wherever v = v_thresh and
    /// v(t) − v_thresh = e^{−∫B/τm}·(v0 − v_thresh + ∫ e^{∫B/τm}·F/τm) stays below zero. F is bounded above by one exponential
    /// (a non-negative term given the slower decay, or a non-positive one the faster), whose zero is closed form; the result is shortened by a
    /// relative 1e-9 against rounding. 0 when no bound is known (negative conductances, F ≥ 0 now, or terms that do not
    /// fold into one exponential), +∞ when F stays negative for ever.
    /// </summary>
    /// <param name="state">The state.</param>
    internal double EquilibriumBoundTime(in NeuronState state) => EquilibriumBound(state, quick: false);

    /// <summary>The cheaper, looser form of <see cref="EquilibriumBoundTime"/> (no logarithm; see <see cref="EquilibriumBound"/>).</summary>
    /// <param name="state">The state.</param>
    internal double QuickEquilibriumBoundTime(in NeuronState state) => EquilibriumBound(state, quick: true);

    /// <summary>
    /// <see cref="EquilibriumBoundTime"/>, or with <paramref name="quick"/> a looser lower bound that needs no logarithm: the zero's
    /// ln x (x = −k/a &gt; 1) is replaced by 3·(x² − 1)/(x² + 4x + 1) ≤ ln x (computed as 3·(x − 1/x)/(x + 4 + 1/x), which
    /// cannot overflow). The inequality holds with equality at x = 1: the derivative of the difference is (x − 1)⁴/(x·(x² + 4x + 1)²) ≥ 0.
    /// </summary>
    private double EquilibriumBound(in NeuronState state, bool quick)
    {
        double ge = state.S1;
        double gi = state.S2;
        if (!(ge >= 0 && gi >= 0) || state.V >= _vt)
        {
            return 0;
        }

        double a = _l - _vt;
        double be = ge * (_ee - _vt);
        double bi = gi * (_ei - _vt);
        if (!(a + be + bi < 0))
        {
            return 0;
        }

        // F ≤ a + k·e^{−t/τ} with k = be + bi: a non-negative term decaying faster is at most the same coefficient on the
        // slower decay (the tighter bound, as k < 0 below); else a non-positive term decaying more slowly is at most the
        // same coefficient on the faster decay; else no single exponential bounds F.
        bool eFaster = _taue <= _taui;
        double pFast = eFaster ? be : bi;
        double pSlow = eFaster ? bi : be;
        double tau;
        if (pFast >= 0)
        {
            tau = Math.Max(_taue, _taui);
        }
        else if (pSlow <= 0)
        {
            tau = Math.Min(_taue, _taui);
        }
        else
        {
            return 0;
        }

        double k = be + bi;
        if (a <= 0)
        {
            // a + k·E with a ≤ 0 and a + k < 0 is negative for every E in (0, 1].
            return double.PositiveInfinity;
        }

        // a > 0 and a + k < 0: the zero of a + k·E is at E = a/(−k) in (0, 1).
        double x = -k / a;
        double t = tau * (quick ? 3 * (x - (1 / x)) / (x + 4 + (1 / x)) : Math.Log(x));
        return t * (1 - 1e-9);
    }

    /// <inheritdoc/>
    public double ScanStep(in NeuronState state)
        => 0.5 * Math.Min(Math.Min(_taue, _taui), _taum / (1 + Math.Abs(state.S1) + Math.Abs(state.S2)));

    /// <inheritdoc/>
    /// <remarks>
    /// Most predictions end at the first bound, far enough ahead that the search looks no further (it returns a re-check
    /// point there). That test is made first with the equilibrium bound's cheaper form (no logarithm): a re-check point at
    /// a lower bound of the crossing is as valid as one at a higher, and another input usually comes before either.
    /// </remarks>
    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
    {
        if (!IsAboveThreshold(state) && CanReachThreshold(state))
        {
            double quick = QuickEquilibriumBoundTime(state);
            if (quick > ScanStep(state))
            {
                recheck = CrossingSearch.RecheckAtBound(quick, horizon);
                return double.PositiveInfinity;
            }
        }

        return CrossingSearch.Find(this, state, horizon, out recheck);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Forward Euler on (v, ge, gi) together, as Brian2's COBA benchmark (<c>method='euler'</c>):
    /// <c>v ← v + (dt/τm)·(ge·(e_exc − v) + gi·(e_inh − v) − (v − v_rest − i_offset))</c> while free,
    /// <c>ge ← ge − (dt/τe)·ge + input_e</c>, <c>gi ← gi − (dt/τi)·gi + input_i</c> (conductances keep evolving while
    /// refractory). Event mode integrates the same equations exactly; the Euler error per step is O((dt/τ)²).
    /// </remarks>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        _rule.Begin(ref neuron, out TMask integrate, out TMask active);
        TLane v = neuron.V;
        TLane ge = neuron.S1;
        TLane gi = neuron.S2;
        TLane dv = ((ge * (TLane.Splat(_cEe) - v)) + (gi * (TLane.Splat(_cEi) - v)) - (v - TLane.Splat(_cL))) * TLane.Splat(_cHm);
        neuron.V = TLane.Select(integrate, v + dv, v);
        neuron.S1 = ge - (ge * TLane.Splat(_cHe)) + input0;
        neuron.S2 = gi - (gi * TLane.Splat(_cHi)) + input1;
        return _rule.End(ref neuron, active);
    }
}
