using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>
/// A sum of integer powers <c>f(x) = a0 + a1·x^e1 + a2·x^e2 + a3·x^e3</c> (0 &lt; e1 &lt; e2 &lt; e3) on x ∈ [0, 1], with
/// its exact root isolation. A linear neuron model whose rates are all integer multiples of one base rate λ0 has, between
/// inputs, a potential that is such a sum in <c>x = e^{−λ0·t}</c> (t ≥ 0 maps to x ∈ (0, 1], decreasing): its first
/// threshold crossing is the largest x &lt; 1 where <c>v(x) − v_thresh</c> changes sign.
/// </summary>
/// <remarks>
/// <para><b>Root isolation (Rolle).</b> On (0, ∞), <c>f'(x) = x^{e1−1}·g(x)</c> with
/// <c>g(x) = e1·a1 + e2·a2·x^{e2−e1} + e3·a3·x^{e3−e1}</c>, a sum of the same kind with one term fewer, so f' and g have the
/// same zeros there. The zeros of g split [lo, hi] into pieces on which f is strictly monotone; each piece holds a root of
/// f exactly when f changes sign between its ends, and that root is located by Newton's method safeguarded by bisection
/// inside the bracket, to the last bits. The recursion ends with one term, <c>a0 + a1·x^e = 0</c>, solved in closed form.
/// No root is missed and none is reported twice, whatever the coefficients (there are at most as many roots as terms).</para>
/// <para><b>Accuracy.</b> Evaluating f at x costs a few rounding errors of the largest term's magnitude, so a simple root
/// is found to within that error divided by |f'|: for a membrane potential of tens of mV about 1e-14 mV / |f'(x)|.</para>
/// </remarks>
internal struct PowerSum
{
    /// <summary>Largest supported exponent.</summary>
    public const int MaxExponent = 16;

    public double A0;
    public double A1;
    public double A2;
    public double A3;
    public int E1;
    public int E2;
    public int E3;

    /// <summary>Number of non-constant terms in use (0..3): terms 1..Terms, in increasing exponent.</summary>
    public int Terms;



    /// <summary>Builds <c>a0 + Σ c_k·x^{n_k}</c> from up to three terms in any order; equal exponents are merged and zero coefficients dropped.</summary>
    public static PowerSum Create(double a0, double c1, int n1, double c2, int n2, double c3, int n3)
    {
        // Sort the three (exponent, coefficient) pairs by exponent (a tiny fixed network), then merge.
        if (n2 < n1)
        {
            (n1, n2) = (n2, n1);
            (c1, c2) = (c2, c1);
        }

        if (n3 < n2)
        {
            (n2, n3) = (n3, n2);
            (c2, c3) = (c3, c2);
            if (n2 < n1)
            {
                (n1, n2) = (n2, n1);
                (c1, c2) = (c2, c1);
            }
        }

        var f = new PowerSum { A0 = a0 };
        f.Add(c1, n1);
        f.Add(c2, n2);
        f.Add(c3, n3);
        return f;
    }

    private void Add(double c, int n)
    {
        if (Terms > 0 && LastExponent == n)
        {
            SetLast(LastCoefficient + c);
            if (LastCoefficient == 0)
            {
                Terms--;
            }

            return;
        }

        if (c == 0)
        {
            return;
        }

        switch (Terms)
        {
            case 0: A1 = c; E1 = n; break;
            case 1: A2 = c; E2 = n; break;
            default: A3 = c; E3 = n; break;
        }

        Terms++;
    }

    private readonly int LastExponent => Terms switch { 1 => E1, 2 => E2, _ => E3 };

    private readonly double LastCoefficient => Terms switch { 1 => A1, 2 => A2, _ => A3 };

    private void SetLast(double c)
    {
        switch (Terms)
        {
            case 1: A1 = c; break;
            case 2: A2 = c; break;
            default: A3 = c; break;
        }
    }

    /// <summary>x^n for 0 ≤ n ≤ <see cref="MaxExponent"/> by repeated squaring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double Pow(double x, int n)
    {
        switch (n)
        {
            case 0: return 1;
            case 1: return x;
            case 2: return x * x;
            case 3: return x * x * x;
            case 4:
            {
                double x2 = x * x;
                return x2 * x2;
            }

            default:
            {
                double r = 1;
                double b = x;
                while (n != 0)
                {
                    if ((n & 1) != 0)
                    {
                        r *= b;
                    }

                    b *= b;
                    n >>= 1;
                }

                return r;
            }
        }
    }

    /// <summary>f(x).</summary>
    public readonly double Eval(double x)
    {
        double s = A0;
        if (Terms > 0)
        {
            s += A1 * Pow(x, E1);
            if (Terms > 1)
            {
                s += A2 * Pow(x, E2);
                if (Terms > 2)
                {
                    s += A3 * Pow(x, E3);
                }
            }
        }

        return s;
    }

    /// <summary>f(x) and f'(x).</summary>
    public readonly double Eval(double x, out double derivative)
    {
        double s = A0;
        double d = 0;
        if (Terms > 0)
        {
            double p = Pow(x, E1 - 1);
            s += A1 * p * x;
            d += E1 * A1 * p;
            if (Terms > 1)
            {
                p = Pow(x, E2 - 1);
                s += A2 * p * x;
                d += E2 * A2 * p;
                if (Terms > 2)
                {
                    p = Pow(x, E3 - 1);
                    s += A3 * p * x;
                    d += E3 * A3 * p;
                }
            }
        }

        derivative = d;
        return s;
    }

    /// <summary>f(x), f'(x) and f''(x).</summary>
    public readonly double Eval(double x, out double derivative, out double second)
    {
        double s = A0;
        double d = 0;
        double c = 0;
        if (Terms > 0)
        {
            double p = E1 >= 2 ? Pow(x, E1 - 2) : 0;
            double q = E1 >= 2 ? p * x : 1;
            s += A1 * (E1 >= 2 ? q * x : x);
            d += E1 * A1 * q;
            c += E1 * (E1 - 1) * A1 * p;
            if (Terms > 1)
            {
                p = Pow(x, E2 - 2);
                q = p * x;
                s += A2 * q * x;
                d += E2 * A2 * q;
                c += E2 * (E2 - 1) * A2 * p;
                if (Terms > 2)
                {
                    p = Pow(x, E3 - 2);
                    q = p * x;
                    s += A3 * q * x;
                    d += E3 * A3 * q;
                    c += E3 * (E3 - 1) * A3 * p;
                }
            }
        }

        derivative = d;
        second = c;
        return s;
    }

    /// <summary>g(x) = f'(x)/x^{e1−1}: the same zeros as f' on (0, ∞), one term fewer.</summary>
    public readonly PowerSum ReducedDerivative()
    {
        var g = new PowerSum { A0 = E1 * A1, Terms = Terms - 1 };
        if (Terms > 1)
        {
            g.A1 = E2 * A2;
            g.E1 = E2 - E1;
            if (Terms > 2)
            {
                g.A2 = E3 * A3;
                g.E2 = E3 - E1;
            }
        }

        return g;
    }

    /// <summary>
    /// The points of (lo, hi) where f changes sign or vanishes, in decreasing order (at most <see cref="Terms"/> of them).
    /// </summary>
    /// <param name="lo">Lower end (≥ 0).</param>
    /// <param name="hi">Upper end (&gt; lo).</param>
    /// <param name="roots">Receives the points; length ≥ 3.</param>
    /// <returns>The number of points written.</returns>
    public readonly int Roots(double lo, double hi, Span<double> roots)
    {
        if (Terms == 0)
        {
            return 0;
        }

        if (Terms == 1)
        {
            // a0 + a1·x^e1 = 0.
            double r = -A0 / A1;
            if (!(r > 0))
            {
                return 0;
            }

            double x = NthRoot(r, E1);
            if (x > lo && x < hi)
            {
                roots[0] = x;
                return 1;
            }

            return 0;
        }

        Span<double> breaks = stackalloc double[3];
        int nb = ReducedDerivative().Roots(lo, hi, breaks);
        int count = 0;
        double top = hi;
        double fTop = Eval(hi);
        for (int k = 0; k <= nb; k++)
        {
            double bottom = k < nb ? breaks[k] : lo;
            double fBottom = Eval(bottom);
            if (fBottom == 0)
            {
                if (bottom > lo)
                {
                    roots[count++] = bottom;
                }
            }
            else if (fTop != 0 && (fTop > 0) != (fBottom > 0))
            {
                roots[count++] = Solve(bottom, top, fBottom, fTop);
            }

            top = bottom;
            fTop = fBottom;
        }

        return count;
    }

    /// <summary>
    /// The largest x in [lo, 1) from which on (towards smaller x) f satisfies its condition — f &gt; 0, or f ≥ 0 unless
    /// <paramref name="strict"/> — given its value <paramref name="fAtOne"/> at x = 1 (which does not satisfy it); NaN
    /// when f fails it on all of [lo, 1].
    /// </summary>
    /// <param name="lo">Lower end (≥ 0).</param>
    /// <param name="fAtOne">f(1), computed exactly by the caller (not satisfying the condition).</param>
    /// <param name="strict">Whether the condition is f &gt; 0.</param>
    /// <remarks>
    /// [lo, 1] is split at the inflection points of f (sign changes of f''), so that f is convex or concave on each piece,
    /// and the pieces are visited from x = 1 down. A piece whose lower end meets the condition holds exactly one crossing
    /// (a convex or concave function with opposite signs at the ends crosses zero once), located by
    /// <see cref="Solve"/>. A piece whose ends both fail holds none when it is convex (it lies below its chord); when it
    /// is concave it can only rise above zero around an interior maximum (f' &gt; 0 at the lower end and &lt; 0 at the
    /// upper), and only if the two end tangents, which bound it from above, cross above zero: then the maximum is located
    /// (a root of f') and tested.
    /// </remarks>
    public readonly double FirstCrossingBelowOne(double lo, double fAtOne, bool strict)
    {
        PowerSum h = ReducedSecondDerivative();
        int nb = h.Inflections(lo, out double b0, out double b1);
        double top = 1;
        double fTop = fAtOne;
        Eval(1, out double dTop);
        for (int k = 0; k <= nb; k++)
        {
            // f(top) = 0 happens only with the strict condition (else top would have satisfied it): top is the crossing when
            // f rises above zero just below it (f' < 0 there; with f' = 0 a piece that holds a positive value is convex and
            // positive on both sides of its zero at top).
            if (fTop == 0 && dTop < 0)
            {
                return Above(top);
            }

            double bottom = k == nb ? lo : k == 0 ? b0 : b1;
            double fBottom = Eval(bottom, out double dBottom);
            if (fBottom > 0 || (fBottom == 0 && !strict))
            {
                if (fTop == 0)
                {
                    if (dTop == 0)
                    {
                        return Above(top);
                    }

                    // f falls below zero just below top (an exact hit of the threshold moving away from it) and is positive
                    // again at bottom: the crossing is the root below the piece's minimum (the zero of f' between).
                    PowerSum g = ReducedDerivative();
                    double valley = g.Solve(bottom, top, g.Eval(bottom), g.Eval(top));
                    double fValley = Eval(valley);
                    if (fValley >= 0)
                    {
                        return fValley == 0 ? Above(valley) : Above(top);
                    }

                    return fBottom == 0 ? bottom : Solve(bottom, valley, fBottom, fValley);
                }

                // The crossing is bottom when f(bottom) = 0, else the root between.
                return fBottom == 0 ? bottom : Solve(bottom, top, fBottom, fTop);
            }

            if (dBottom > 0 && dTop < 0 && h.Eval(bottom + (0.5 * (top - bottom))) < 0)
            {
                double xc = (fTop - fBottom + (dBottom * bottom) - (dTop * top)) / (dBottom - dTop);
                double bound = fBottom + (dBottom * (xc - bottom));
                if (bound > 0 || (bound == 0 && !strict))
                {
                    PowerSum g = ReducedDerivative();
                    double peak = g.Solve(bottom, top, g.Eval(bottom), g.Eval(top));
                    double fPeak = Eval(peak);
                    if (fPeak > 0 || (fPeak == 0 && !strict))
                    {
                        return fPeak == 0 ? peak : Solve(peak, top, fPeak, fTop);
                    }
                }
            }

            top = bottom;
            fTop = fBottom;
            dTop = dBottom;
        }

        return double.NaN;
    }

    /// <summary>
    /// The point just below <paramref name="x"/> (just after it in time), for a strict crossing at a zero of f: the returned
    /// instant is one where f &gt; 0 holds, so that a potential that touches the threshold exactly at the present instant
    /// and rises fires at the next tick, as a scan of the trajectory finds it.
    /// </summary>
    private static double Above(double x) => Math.BitDecrement(x);

    /// <summary>
    /// As <see cref="FirstCrossingBelowOne"/> when the condition is known to hold at <paramref name="lo"/> (value
    /// <paramref name="fLo"/>): without an inflection point in (lo, 1) the crossing is the only root there.
    /// </summary>
    public readonly double FirstCrossingAbove(double lo, double fLo, double fAtOne, bool strict)
    {
        if (fAtOne != 0 && ReducedSecondDerivative().Inflections(lo, out _, out _) == 0)
        {
            return fLo == 0 ? lo : Solve(lo, 1, fLo, fAtOne);
        }

        return FirstCrossingBelowOne(lo, fAtOne, strict);
    }

    /// <summary>The sign changes of this (reduced second-derivative) sum in (lo, 1), decreasing: at most two.</summary>
    private readonly int Inflections(double lo, out double b0, out double b1)
    {
        b0 = b1 = 0;
        if (Terms == 0)
        {
            return 0;
        }

        if (Terms == 1)
        {
            double r = -A0 / A1;
            if (!(r > 0))
            {
                return 0;
            }

            b0 = NthRoot(r, E1);
            return b0 > lo && b0 < 1 ? 1 : 0;
        }

        return InflectionsGeneral(lo, out b0, out b1);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private readonly int InflectionsGeneral(double lo, out double b0, out double b1)
    {
        Span<double> r = stackalloc double[3];
        int n = Roots(lo, 1, r);
        b0 = r[0];
        b1 = r[1];
        return n;
    }

    /// <summary>
    /// f''(x)·x^{2−m} where m is the smallest exponent ≥ 2 (terms of exponent 1 vanish in f''): the same sign as f'' on
    /// (0, ∞), as a sum with one term fewer than the exponents ≥ 2 (no terms: f'' has a constant sign, that of its only term).
    /// </summary>
    public readonly PowerSum ReducedSecondDerivative()
    {
        // Terms are sorted by exponent, so those of exponent ≥ 2 are a suffix: skip a first term of exponent 1.
        var h = default(PowerSum);
        if (Terms == 0 || (Terms == 1 && E1 < 2))
        {
            // f is affine in x: treat it as concave with no inflection (the tangent test then decides, never wrongly).
            h.A0 = -1;
            return h;
        }

        bool skip = E1 < 2;
        int first = skip ? E2 : E1;
        h.A0 = first * (first - 1) * (skip ? A2 : A1);
        int rest = Terms - (skip ? 2 : 1);
        if (rest >= 1)
        {
            int e = skip ? E3 : E2;
            h.A1 = e * (e - 1) * (skip ? A3 : A2);
            h.E1 = e - first;
            h.Terms = 1;
            if (rest == 2)
            {
                h.A2 = E3 * (E3 - 1) * A3;
                h.E2 = E3 - first;
                h.Terms = 2;
            }
        }

        return h;
    }

    /// <summary>x^(1/n) for r &gt; 0.</summary>
    private static double NthRoot(double r, int n) => n switch
    {
        1 => r,
        2 => Math.Sqrt(r),
        3 => Math.Cbrt(r),
        4 => Math.Sqrt(Math.Sqrt(r)),
        _ => Math.Pow(r, 1.0 / n),
    };

    /// <summary>
    /// The root of f in the bracket [a, b] on which f is monotone and changes sign (fa = f(a), fb = f(b), both ≠ 0), by
    /// Newton's method from the secant point, kept inside the shrinking bracket (bisection whenever a step would leave
    /// it), to rounding level.
    /// </summary>
    public readonly double Solve(double a, double b, double fa, double fb)
    {
        bool aPositive = fa > 0;
        double x = b - (fb * ((b - a) / (fb - fa)));
        if (!(x > a && x < b))
        {
            x = a + (0.5 * (b - a));
        }

        // Below this |f| the value is rounding noise (a few ulps of the largest term, x ≤ 1): x is a root to rounding level.
        double noise = 8e-16 * (Math.Abs(A0) + Math.Abs(A1) + Math.Abs(A2) + Math.Abs(A3));
        for (int i = 0; i < 200; i++)
        {
            double fx = Eval(x, out double d, out double d2);
            if (Math.Abs(fx) <= noise)
            {
                return x;
            }

            if ((fx > 0) == aPositive)
            {
                a = x;
            }
            else
            {
                b = x;
            }

            // Halley's step (third order): x − 2ff'/(2f'² − ff'').
            double step = 2 * fx * d / ((2 * d * d) - (fx * d2));
            double next = x - step;
            if (Math.Abs(step) <= 1e-6 * x && next > a && next < b)
            {
                // Halley converges cubically: after a step this small the next iterate is exact to rounding level.
                return next;
            }

            if (!(next > a && next < b))
            {
                next = a + (0.5 * (b - a));
                if (next <= a || next >= b)
                {
                    return x;
                }
            }

            x = next;
        }

        return x;
    }
}

/// <summary>
/// Finds a base rate λ0 of which the rates 1/τ of a linear model are all integer multiples (each at most
/// <see cref="MaxMultiple"/>), so that every <c>e^{−t/τ}</c> is an integer power of one exponential <c>x = e^{−λ0·t}</c>.
/// </summary>
internal static class PowerForm
{
    /// <summary>Largest multiple accepted (the degree of the resulting <see cref="PowerSum"/>).</summary>
    public const int MaxMultiple = 12;

    /// <summary>
    /// Tries λ0 = 1/(d·τ_max) for d = 1, 2, …: accepted when each τ_max·d/τ is an integer to 1e-14 relative (so that
    /// x^n differs from e^{−t/τ} by at most about 4e-15 of its initial value, rounding level) and at most
    /// <see cref="MaxMultiple"/>.
    /// </summary>
    public static bool TryFind(double tau1, double tau2, double tau3, out double lambda0, out int n1, out int n2, out int n3)
    {
        double tmax = Math.Max(tau1, Math.Max(tau2, tau3));
        for (int d = 1; d <= MaxMultiple; d++)
        {
            if (Multiple(tmax * d, tau1, out n1) && Multiple(tmax * d, tau2, out n2) && Multiple(tmax * d, tau3, out n3))
            {
                lambda0 = 1 / (tmax * d);
                return true;
            }
        }

        lambda0 = 0;
        n1 = n2 = n3 = 0;
        return false;
    }

    private static bool Multiple(double tau0, double tau, out int n)
    {
        double q = tau0 / tau;
        double r = Math.Round(q);
        n = (int)r;
        return r >= 1 && r <= MaxMultiple && Math.Abs(q - r) <= 1e-14 * r;
    }
}
