using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>The operations a model exposes so that <see cref="CrossingSearch"/> can find threshold crossings without a closed form.</summary>
/// <typeparam name="TSelf">The model.</typeparam>
public interface ISearchableModel<TSelf> : INeuronModel<TSelf>
    where TSelf : struct, ISearchableModel<TSelf>
{
    /// <summary>dv/dt in mV per tick for a non-refractory neuron.</summary>
    /// <param name="state">The state.</param>
    double Derivative(in NeuronState state);

    /// <summary>False only when the potential provably stays below threshold forever without further input.</summary>
    /// <param name="state">The state.</param>
    bool CanReachThreshold(in NeuronState state);

    /// <summary>
    /// A lower bound (ticks) on the time before the threshold condition can hold without further input (0 when none is
    /// known; +∞ when it can never hold). The search jumps over it in one exact advance.
    /// </summary>
    /// <param name="state">The state.</param>
    double SafeTime(in NeuronState state);

    /// <summary>The scan step (ticks) from this state: short enough that v has at most one interior extremum per step.</summary>
    /// <param name="state">The state.</param>
    double ScanStep(in NeuronState state);
}

/// <summary>
/// Finds the first threshold crossing of a model whose trajectory has no closed-form crossing time
/// (CUBA with exponential currents, COBA). The trajectory between events is evaluated with the model's own
/// (exact or high-accuracy) propagator on a grid of <see cref="ISearchableModel{TSelf}.ScanStep"/> panels (after jumping over the model's
/// <see cref="ISearchableModel{TSelf}.SafeTime"/> lower bound) that depends only on the start state, never on the horizon (so a prediction and a later bring-forward find
/// the same instant). In each panel the end points are tested; a sign change of dv/dt from + to − reveals an
/// interior maximum, located by bisection on dv/dt and tested too. The crossing itself is then located by
/// safeguarded Newton iteration (bisection fallback) to 1e-6 ticks, returning a point where the condition holds.
/// </summary>
public static class CrossingSearch
{
    /// <summary>
    /// Panels scanned per prediction; beyond them the search returns a re-check point (inputs usually arrive first, so
    /// scanning far ahead is mostly wasted work). One: in Brette et al.'s COBA network a neuron receives an input every
    /// 0.6 ms on average and a panel there lasts about 0.4 ms; two panels cost 1.2 million more advances per simulated
    /// second (second panels and jumps), mostly over a stretch the next input then replaced, and 19 % more processor time
    /// than one (docs/BENCHMARKS.md, "Event-driven COBA: one look-ahead panel").
    /// </summary>
    public const int LookAheadPanels = 1;

    /// <summary>Searches for the first δ in [0, horizon] where the threshold condition holds.</summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <param name="model">Model constants.</param>
    /// <param name="start">Start state (not refractory).</param>
    /// <param name="horizon">Longest interval searched, ticks.</param>
    /// <param name="recheck">When no crossing is returned: where to search again (ticks), or +∞ for never.</param>
    /// <returns>δ in ticks or <see cref="double.PositiveInfinity"/>.</returns>
    /// <remarks>
    /// When the model's lower bound (<see cref="ISearchableModel{TSelf}.SafeTime"/>) already lies more than one scan step
    /// ahead (the first panel cannot hold a crossing), the search stops there and returns it as <paramref name="recheck"/>; otherwise it scans at most
    /// <see cref="LookAheadPanels"/> panels (after jumps) and returns the end of the scanned range as the re-check point.
    /// A crossing found in a panel that does not start at the search's start is not located either: the panel's start
    /// becomes the re-check point (the search from there locates it). Most neurons receive another input before either,
    /// which makes a longer search unnecessary.
    /// </remarks>
    public static double Find<TModel>(in TModel model, in NeuronState start, double horizon, out double recheck)
        where TModel : struct, ISearchableModel<TModel>
    {
        // The model is called by reference (never copied per call).
        ref TModel m = ref Unsafe.AsRef(in model);
        recheck = double.PositiveInfinity;
        if (m.IsAboveThreshold(start))
        {
            return 0;
        }

        if (!m.CanReachThreshold(start))
        {
            return double.PositiveInfinity;
        }

        double first = m.SafeTime(start);
        double h0 = m.ScanStep(start);
        if (first > h0)
        {
            recheck = RecheckAtBound(first, horizon);
            return double.PositiveInfinity;
        }

        NeuronState cur = start;
        double t = 0;
        int panels = 0;

        // The first pass starts from `start`, whose reachability, scan step and bound are already known.
        bool atStart = true;
        while (true)
        {
            if (!atStart && !m.CanReachThreshold(cur))
            {
                return double.PositiveInfinity;
            }

            if (t >= horizon || panels == LookAheadPanels)
            {
                recheck = Math.Max(1, Math.Floor(t));
                return double.PositiveInfinity;
            }

            double h = atStart ? h0 : m.ScanStep(cur);
            double safe = atStart ? first : m.SafeTime(cur);
            atStart = false;
            if (safe > h)
            {
                if (double.IsPositiveInfinity(safe))
                {
                    return double.PositiveInfinity;
                }

                // No crossing can happen before `safe`: jump there exactly (a lower bound, so never past a crossing).
                double jump = safe - (0.5 * h);
                m.AdvanceFree(ref cur, jump);
                t += jump;
                continue;
            }

            NeuronState next = cur;
            m.AdvanceFree(ref next, h);
            double found = double.NaN;
            if (m.IsAboveThreshold(next))
            {
                found = t > 0 ? -1 : Bisect(model, cur, h, next);
            }
            else if (m.Derivative(cur) > 0 && m.Derivative(next) < 0)
            {
                double tm = PeakTime(model, cur, h);
                NeuronState peak = cur;
                m.AdvanceFree(ref peak, tm);
                if (m.IsAboveThreshold(peak))
                {
                    found = t > 0 ? -1 : Bisect(model, cur, tm, peak);
                }
            }

            if (found < 0)
            {
                // A crossing lies in this panel, after the first: look again at its start (no crossing before it) rather
                // than locate it now, as most neurons receive another input first.
                recheck = Math.Max(1, Math.Floor(t));
                return double.PositiveInfinity;
            }

            if (!double.IsNaN(found))
            {
                double delta = t + found;
                if (delta <= horizon)
                {
                    return delta;
                }

                recheck = Math.Max(1, Math.Floor(t));
                return double.PositiveInfinity;
            }

            t += h;
            cur = next;
            panels++;
        }
    }

    /// <summary>
    /// The re-check point for a lower bound <paramref name="bound"/> of the crossing (ticks) that lies beyond the first
    /// panel: the whole tick at or before it, at least 1 and at most <paramref name="horizon"/>; +∞ stays +∞ (never).
    /// </summary>
    /// <param name="bound">A lower bound of the crossing offset.</param>
    /// <param name="horizon">Longest interval searched, ticks.</param>
    internal static double RecheckAtBound(double bound, double horizon)
        => double.IsPositiveInfinity(bound) ? bound : Math.Max(1, Math.Min(Math.Floor(bound), horizon));

    private static double Bisect<TModel>(in TModel model, in NeuronState from, double hi, in NeuronState atHi)
        where TModel : struct, ISearchableModel<TModel>
    {
        // The model is called by reference (never copied per call).
        ref TModel m = ref Unsafe.AsRef(in model);
        // Safeguarded Newton on v(t) − v_thresh inside the bracket [0, hi] (condition false at 0, true at hi, where the
        // state is atHi), falling back to bisection whenever a Newton step leaves the bracket; stops when the bracket is
        // below 1e-6 ticks.
        double vt = m.Threshold;
        double lo = 0;
        double x = hi;
        for (int i = 0; i < 200 && hi - lo > 1e-6; i++)
        {
            NeuronState s = atHi;
            if (i != 0)
            {
                s = from;
                m.AdvanceFree(ref s, x);
            }

            if (m.IsAboveThreshold(s))
            {
                hi = x;
            }
            else
            {
                lo = x;
            }

            double d = m.Derivative(s);
            double next = d > 0 ? x - ((s.V - vt) / d) : double.NaN;
            if (Math.Abs(next - x) < 1e-7)
            {
                // Newton has converged: confirm a point just above the root and return it.
                double probe = Math.Max(next, x) + 1e-6;
                if (probe >= hi)
                {
                    return hi;
                }

                NeuronState ps = from;
                m.AdvanceFree(ref ps, probe);
                if (m.IsAboveThreshold(ps))
                {
                    return probe;
                }

                lo = probe;
                next = double.NaN;
            }

            if (!(next > lo && next < hi))
            {
                next = lo + (0.5 * (hi - lo));
                if (next <= lo || next >= hi)
                {
                    break;
                }
            }

            x = next;
        }

        return hi;
    }

    private static double PeakTime<TModel>(in TModel model, in NeuronState from, double h)
        where TModel : struct, ISearchableModel<TModel>
    {
        // The model is called by reference (never copied per call).
        ref TModel m = ref Unsafe.AsRef(in model);
        // Invariant: dv/dt > 0 at lo, < 0 at hi. Located to 1e-3 ticks: v there lies within |v''|·1e-6/2 of the maximum
        // (far below rounding for any trajectory of the library's models).
        double lo = 0;
        double hi = h;
        for (int i = 0; i < 200 && hi - lo > 1e-3; i++)
        {
            double mid = lo + (0.5 * (hi - lo));
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            NeuronState s = from;
            m.AdvanceFree(ref s, mid);
            if (m.Derivative(s) > 0)
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return hi;
    }
}
