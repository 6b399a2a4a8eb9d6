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

    /// <summary>The scan step (ticks) from this state: short enough that v has at most one interior extremum per step.</summary>
    /// <param name="state">The state.</param>
    double ScanStep(in NeuronState state);
}

/// <summary>
/// Finds the first threshold crossing of a model whose trajectory has no closed-form crossing time
/// (CUBA with exponential currents, COBA). The trajectory between events is evaluated with the model's own
/// (exact or high-accuracy) propagator on a grid of <see cref="ISearchableModel{TSelf}.ScanStep"/> panels that
/// depends only on the start state, never on the horizon (so a prediction and a later bring-forward find
/// the same instant). In each panel the end points are tested; a sign change of dv/dt from + to − reveals an
/// interior maximum, located by bisection on dv/dt and tested too. The crossing itself is then located by
/// bisection to the resolution of <see cref="double"/>.
/// </summary>
public static class CrossingSearch
{
    /// <summary>Searches for the first δ in [0, horizon] where the threshold condition holds.</summary>
    /// <typeparam name="TModel">The model.</typeparam>
    /// <param name="model">Model constants.</param>
    /// <param name="start">Start state (not refractory).</param>
    /// <param name="horizon">Longest interval searched, ticks.</param>
    /// <param name="mayCrossLater">Set when the search stopped at the horizon without excluding a later crossing.</param>
    /// <returns>δ in ticks or <see cref="double.PositiveInfinity"/>.</returns>
    public static double Find<TModel>(in TModel model, in NeuronState start, double horizon, out bool mayCrossLater)
        where TModel : struct, ISearchableModel<TModel>
    {
        mayCrossLater = false;
        if (model.IsAboveThreshold(start))
        {
            return 0;
        }

        NeuronState cur = start;
        double t = 0;
        while (true)
        {
            if (!model.CanReachThreshold(cur))
            {
                return double.PositiveInfinity;
            }

            if (t >= horizon)
            {
                mayCrossLater = true;
                return double.PositiveInfinity;
            }

            double h = model.ScanStep(cur);
            NeuronState next = cur;
            model.AdvanceFree(ref next, h);
            double found = double.NaN;
            if (model.IsAboveThreshold(next))
            {
                found = Bisect(model, cur, 0, h);
            }
            else if (model.Derivative(cur) > 0 && model.Derivative(next) < 0)
            {
                double tm = PeakTime(model, cur, h);
                NeuronState peak = cur;
                model.AdvanceFree(ref peak, tm);
                if (model.IsAboveThreshold(peak))
                {
                    found = Bisect(model, cur, 0, tm);
                }
            }

            if (!double.IsNaN(found))
            {
                double delta = t + found;
                if (delta <= horizon)
                {
                    return delta;
                }

                mayCrossLater = true;
                return double.PositiveInfinity;
            }

            t += h;
            cur = next;
        }
    }

    private static double Bisect<TModel>(in TModel model, in NeuronState from, double lo, double hi)
        where TModel : struct, ISearchableModel<TModel>
    {
        // Invariant: condition false at lo, true at hi.
        for (int i = 0; i < 200; i++)
        {
            double mid = lo + (0.5 * (hi - lo));
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            NeuronState s = from;
            model.AdvanceFree(ref s, mid);
            if (model.IsAboveThreshold(s))
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        return hi;
    }

    private static double PeakTime<TModel>(in TModel model, in NeuronState from, double h)
        where TModel : struct, ISearchableModel<TModel>
    {
        // Invariant: dv/dt > 0 at lo, < 0 at hi.
        double lo = 0;
        double hi = h;
        for (int i = 0; i < 200; i++)
        {
            double mid = lo + (0.5 * (hi - lo));
            if (mid <= lo || mid >= hi)
            {
                break;
            }

            NeuronState s = from;
            model.AdvanceFree(ref s, mid);
            if (model.Derivative(s) > 0)
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
