using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class ModelAccuracyTests
{
    // Independent reference: classical RK4 on the model's ODEs with a 1 µs step (global error ≪ 1e-10 mV here).
    private static double[] Rk4(Func<double[], double[]> f, double[] y0, double tMs, double hMs = 0.001)
    {
        double[] y = (double[])y0.Clone();
        int n = (int)Math.Round(tMs / hMs);
        for (int s = 0; s < n; s++)
        {
            double[] k1 = f(y);
            double[] k2 = f(y.Select((v, i) => v + (0.5 * hMs * k1[i])).ToArray());
            double[] k3 = f(y.Select((v, i) => v + (0.5 * hMs * k2[i])).ToArray());
            double[] k4 = f(y.Select((v, i) => v + (hMs * k3[i])).ToArray());
            for (int i = 0; i < y.Length; i++)
            {
                y[i] += hMs / 6 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i]);
            }
        }

        return y;
    }

    [Theory]
    [InlineData(20.0, 5.0, 10.0)]
    [InlineData(10.0, 10.0, 3.0)] // τe = τm: the degenerate kernel
    [InlineData(5.0, 20.0, 20.0)]
    public void CubaPropagatorMatchesReference(double taum, double taue, double taui)
    {
        double[] p = [taum, taue, taui, -49, -50, -60, 2.5, 0];
        var m = CubaLif.Create(p, SpikeRules.Default);
        var s = new NeuronState { V = -58, S1 = 3.1, S2 = -1.7 };
        double vinf = -49 + 2.5;
        double[] reference = Rk4(y => [(-(y[0] - vinf) + y[1] + y[2]) / taum, -y[1] / taue, -y[2] / taui], [s.V, s.S1, s.S2], 37.0);

        m.AdvanceFree(ref s, Units.MsToTicks(37.0));
        Assert.Equal(reference[0], s.V, 1e-9);
        Assert.Equal(reference[1], s.S1, 1e-9);
        Assert.Equal(reference[2], s.S2, 1e-9);
    }

    [Theory]
    [InlineData(0.0, 0.0, 30.0)]
    [InlineData(0.8, 0.3, 12.5)]
    [InlineData(6.0, 9.0, 50.0)]
    [InlineData(0.05, 2.0, 0.7)]
    [InlineData(3.8, 21.0, 0.56)] // the Brette COBA network's typical conductances and input interval
    [InlineData(25.0, 3.0, 2.3)] // strong excitation: several series steps
    [InlineData(40.0, 40.0, 0.1)]
    [InlineData(12.0, 30.0, 7.9)]
    public void CobaIntegrationMatchesReference(double ge, double gi, double tMs)
    {
        double[] p = [20, 5, 10, -60, -50, -60, 0, -80, 20, 0];
        var m = CobaLif.Create(p, SpikeRules.Default);
        var s = new NeuronState { V = -55, S1 = ge, S2 = gi };
        double[] reference = Rk4(y => [((y[1] * (0 - y[0])) + (y[2] * (-80 - y[0])) - (y[0] + 60) + 20) / 20, -y[1] / 5, -y[2] / 10], [s.V, s.S1, s.S2], tMs, 0.0005);

        m.AdvanceFree(ref s, Units.MsToTicks(tMs));
        Assert.Equal(reference[0], s.V, 1e-10);
        Assert.Equal(reference[1], s.S1, 1e-12);
        Assert.Equal(reference[2], s.S2, 1e-12);
    }

    [Theory]
    [InlineData(5.0, 10.0, true, 3.8, 21.0, 0.56)] // τi = 2·τe: the power-form series (degree 2)
    [InlineData(5.0, 10.0, true, 40.0, 40.0, 3.1)]
    [InlineData(5.0, 5.0, true, 6.0, 9.0, 12.0)] // degree 1
    [InlineData(0.2, 2.0, true, 15.0, 4.0, 4.2)] // degree 10 (the generic recurrence)
    [InlineData(3.0, 5.0, true, 25.0, 3.0, 7.7)] // τe·5 = τi·3
    [InlineData(5.0, 7.3, false, 3.8, 21.0, 0.56)] // not commensurate: the Taylor series in t
    [InlineData(5.0, 7.3, false, 25.0, 3.0, 9.1)]
    [InlineData(2.1, 13.0, false, 12.0, 30.0, 7.9)]
    public void CobaIntegrationMatchesReferenceForEverySynapticTimeConstantPair(double taue, double taui, bool power, double ge, double gi, double tMs)
    {
        double[] p = [20, taue, taui, -60, -50, -60, 0, -80, 20, 0];
        var m = CobaLif.Create(p, SpikeRules.Default);
        Assert.Equal(power, m.UsesPowerForm);
        var s = new NeuronState { V = -55, S1 = ge, S2 = gi };
        double[] reference = Rk4(y => [((y[1] * (0 - y[0])) + (y[2] * (-80 - y[0])) - (y[0] + 60) + 20) / 20, -y[1] / taue, -y[2] / taui], [s.V, s.S1, s.S2], tMs, 0.0005);

        m.AdvanceFree(ref s, Units.MsToTicks(tMs));
        Assert.Equal(reference[0], s.V, 1e-10);
        Assert.Equal(reference[1], s.S1, 1e-12);
        Assert.Equal(reference[2], s.S2, 1e-12);
    }

    [Fact]
    public void CobaPowerFormAgreesWithTheTaylorSeries()
    {
        // τi = 10 ms uses the power form; τi within 1e-10 relative of it does not, and the trajectories differ only by the
        // change of τi (|∂v/∂τi|·1e-9 ms ≪ 1e-8 mV here).
        double[] exact = [20, 5, 10, -60, -50, -60, 0, -80, 20, 0];
        double[] near = [20, 5, 10 * (1 + 1e-10), -60, -50, -60, 0, -80, 20, 0];
        var a = CobaLif.Create(exact, SpikeRules.Default);
        var b = CobaLif.Create(near, SpikeRules.Default);
        Assert.True(a.UsesPowerForm);
        Assert.False(b.UsesPowerForm);
        var rng = new Random(7);
        for (int trial = 0; trial < 200; trial++)
        {
            var s = new NeuronState { V = -70 + (25 * rng.NextDouble()), S1 = 30 * rng.NextDouble(), S2 = 60 * rng.NextDouble() };
            NeuronState x = s, y = s;
            double dt = 1e4 + (2e7 * rng.NextDouble());
            a.AdvanceFree(ref x, dt);
            b.AdvanceFree(ref y, dt);
            Assert.True(Math.Abs(x.V - y.V) <= 1e-8, $"trial {trial}: {x.V:R} vs {y.V:R} after {dt} ticks");
        }
    }

    [Fact]
    public void CobaAdvanceIsConsistentWhenSplit()
    {
        double[] p = [20, 5, 10, -60, -50, -60, 0, -80, 20, 0];
        var m = CobaLif.Create(p, SpikeRules.Default);
        var a = new NeuronState { V = -55, S1 = 2, S2 = 1 };
        NeuronState b = a;
        m.AdvanceFree(ref a, 13_000_000);
        m.AdvanceFree(ref b, 4_321_000);
        m.AdvanceFree(ref b, 13_000_000 - 4_321_000);
        Assert.Equal(a.V, b.V, 1e-10);
    }

    private static double CubaV(double t, double v0, double vinf, double ie0, double taum, double taue)
        => vinf + ((v0 - vinf) * Math.Exp(-t / taum)) + (ie0 * taue / (taue - taum) * (Math.Exp(-t / taue) - Math.Exp(-t / taum)));

    [Theory]
    [InlineData(200.0)]
    [InlineData(97.0)]
    public void CubaSpikeTimeMatchesBruteForceCrossing(double ie0)
    {
        // One input of ie0 at t = 1 (delay 1 tick after a source spike at 0); brute-force the crossing of the closed form.
        const double taum = 20e6;
        const double taue = 5e6;
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(0L)])
            .AddNeurons("n", 1, NeuronModel.CubaLif, p => p.Set("v_rest", -65).Set("v_reset", -65).Set("v_thresh", -50))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(ie0).Delay(SimDuration.FromTicks(1)).Receptor("e"))
            .Build();
        double lo = 0;
        double hi = double.NaN;
        for (double t = 0; t < 100e6; t += 1000)
        {
            if (CubaV(t, -65, -65, ie0, taum, taue) >= -50)
            {
                hi = t;
                break;
            }

            lo = t;
        }

        Assert.False(double.IsNaN(hi), "the reference never crosses; choose a larger input");
        for (int i = 0; i < 100; i++)
        {
            double mid = 0.5 * (lo + hi);
            if (CubaV(mid, -65, -65, ie0, taum, taue) >= -50)
            {
                hi = mid;
            }
            else
            {
                lo = mid;
            }
        }

        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(100L));
        long[] t1 = s.TimesOf(1, 0);
        Assert.NotEmpty(t1);
        Assert.InRange(t1[0] - (1 + hi), -1e-3, 1 + 1e-3);
    }

    [Theory]
    [InlineData(1e-4, 1)]
    [InlineData(-1e-4, 0)]
    public void CubaPeakBarelyAboveThresholdInsideOneScanPanelIsFound(double margin, int expected)
    {
        const double taum = 20.0;
        const double taue = 5.0;
        double tPeak = Math.Log(taum / taue) * taum * taue / (taum - taue);
        double kPeak = taue / (taue - taum) * (Math.Exp(-tPeak / taue) - Math.Exp(-tPeak / taum));
        double ie0 = (15 + margin) / kPeak;
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(0L)])
            .AddNeurons("n", 1, NeuronModel.CubaLif, p => p.Set("v_rest", -65).Set("v_reset", -65).Set("v_thresh", -50))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(ie0).Delay(SimDuration.FromTicks(1)).Receptor("e"))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(100L));
        long[] t = s.TimesOf(1, 0);
        Assert.Equal(expected, t.Length);
        if (expected == 1)
        {
            Assert.InRange(t[0], 1 + (tPeak * 1e6) - 2e5, 1 + (tPeak * 1e6) + 1);
        }
    }

    [Fact]
    public void SynapticKernelIsStableNearEqualTimeConstants()
    {
        double t = 3.7;
        double exact = t / 10 * Math.Exp(-t / 10);
        Assert.Equal(exact, Propagators.SynapticKernel(t, 10, 10), 1e-15);
        Assert.Equal(exact, Propagators.SynapticKernel(t, 10, 10 * (1 + 1e-12)), 1e-12);
        double a = Propagators.SynapticKernel(t, 10, 7);
        double direct = 7.0 / (7 - 10) * (Math.Exp(-t / 7) - Math.Exp(-t / 10));
        Assert.Equal(direct, a, 1e-14);
    }

    [Fact]
    public void ExpM1IsAccurateForSmallArguments()
    {
        foreach (double x in new[] { 1e-12, -3e-9, 1e-5, 0.3, -0.49, 2.0 })
        {
            // Taylor series to high order as the independent reference.
            double term = x;
            double sum = 0;
            for (int k = 1; k < 40; k++)
            {
                sum += term;
                term *= x / (k + 1);
            }

            Assert.True(Math.Abs(Propagators.ExpM1(x) - sum) <= 4e-16 * Math.Abs(sum), $"x = {x}");
        }
    }
}

public class CobaCrossingTests
{
    [Theory]
    [InlineData(0.8, 0.0)]
    [InlineData(1.5, 0.4)]
    [InlineData(3.0, 0.5)]
    public void CobaSpikeTimeMatchesReferenceIntegration(double ge, double gi)
    {
        // Inputs ge and gi arrive together at tick 1; the reference integrates the ODEs with RK4 (0.5 µs) and finds the
        // first crossing by linear interpolation between steps (error ≪ 1 µs).
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(0L)])
            .AddNeurons("n", 1, NeuronModel.CobaLif, p => p.Set("v_rest", -60).Set("v_reset", -60).Set("v_thresh", -50).Set("i_offset", 5))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(ge).Delay(SimDuration.FromTicks(1)).Receptor("e"))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Named("inh").Weight(gi).Delay(SimDuration.FromTicks(1)).Receptor("i"))
            .Build();
        double h = 0.0005;
        double[] y = [-60, ge, gi];
        double[] F(double[] s) => [((s[1] * (0 - s[0])) + (s[2] * (-80 - s[0])) - (s[0] + 55)) / 20, -s[1] / 5, -s[2] / 10];
        double tCross = double.NaN;
        for (int k = 0; k < 200_000; k++)
        {
            double[] k1 = F(y);
            double[] k2 = F([.. y.Select((v, i) => v + (0.5 * h * k1[i]))]);
            double[] k3 = F([.. y.Select((v, i) => v + (0.5 * h * k2[i]))]);
            double[] k4 = F([.. y.Select((v, i) => v + (h * k3[i]))]);
            double[] next = [.. y.Select((v, i) => v + (h / 6 * (k1[i] + (2 * k2[i]) + (2 * k3[i]) + k4[i])))];
            if (next[0] >= -50)
            {
                tCross = (k + ((-50 - y[0]) / (next[0] - y[0]))) * h;
                break;
            }

            y = next;
        }

        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(100L));
        long[] t = s.TimesOf(1, 0);
        if (double.IsNaN(tCross))
        {
            Assert.Empty(t);
            return;
        }

        Assert.NotEmpty(t);
        Assert.InRange(t[0] - (1 + (tCross * 1e6)), -2, 2);
    }
}

/// <summary>
/// The moving-equilibrium bound of COBA LIF (<see cref="CobaLif.EquilibriumBoundTime"/>) lets the crossing search skip
/// predictions: no trajectory may reach the threshold before it, including ones that graze it.
/// </summary>
public sealed class CobaEquilibriumBoundTests
{
    private static readonly double[] Parameters = [20, 5, 10, -60, -50, -60, 0, -80, 20, 0];

    private static CobaLif Model(ThresholdComparison comparison = ThresholdComparison.GreaterOrEqual)
        => CobaLif.Create(Parameters, new SpikeRules(ResetMode.ToValue, comparison, RefractoryEnd.HalfOpen));

    /// <summary>The largest potential on [0, t] (sampled every 10 µs and at t), by the model's own advance.</summary>
    private static double MaxUntil(CobaLif m, NeuronState s, double t)
    {
        double max = s.V;
        double done = 0;
        while (done < t)
        {
            double h = Math.Min(10_000, t - done);
            m.AdvanceFree(ref s, h);
            done += h;
            max = Math.Max(max, s.V);
        }

        return max;
    }

    [Fact]
    public void NoTrajectoryReachesTheThresholdBeforeTheBound()
    {
        CobaLif m = Model();
        var rng = new Random(10);
        int bounded = 0;
        for (int k = 0; k < 400; k++)
        {
            var s = new NeuronState { V = -80 + (30 * rng.NextDouble()), S1 = 8 * rng.NextDouble() * rng.NextDouble(), S2 = 30 * rng.NextDouble() };
            if (k % 4 == 0)
            {
                // Grazing: start a hair below the threshold.
                s.V = Math.BitDecrement(-50.0);
            }

            double bound = m.EquilibriumBoundTime(s);
            Assert.True(bound >= 0);
            if (bound == 0)
            {
                continue;
            }

            bounded++;
            double t = double.IsPositiveInfinity(bound) ? 50e6 : bound;
            Assert.True(MaxUntil(m, s, t) < -50, $"state {s.V}, {s.S1}, {s.S2} reaches the threshold before {bound} ticks");
        }

        // The bound is informative for most such states (else the test would prove nothing).
        Assert.True(bounded > 200, $"only {bounded} states bounded");
    }

    [Fact]
    public void BoundIsTightWhenThePotentialSitsOnTheEquilibrium()
    {
        // With v on the threshold side and strong, fast-decaying inhibition, v follows v_eq closely: the bound must lie
        // before the crossing found by the search, and not far before it (within one effective time constant).
        CobaLif m = Model();
        var s = new NeuronState { V = -50.5, S1 = 0, S2 = 2 };
        double bound = m.EquilibriumBoundTime(s);
        double crossing = CrossingOf(m, s);
        Assert.True(bound > 0 && bound < crossing, $"bound {bound}, crossing {crossing}");

        // v_eq = (−40 − 80·gi)/(1 + gi) reaches −50 when gi = 1/3: at t = τi·ln(2/(1/3)) (exact: only inhibition here).
        double exact = 10e6 * Math.Log(6);
        Assert.Equal(exact, bound, exact * 1e-8);
    }

    [Fact]
    public void TheQuickBoundNeverLiesAfterTheExactOneAndAgreesOnTheCasesWithoutABound()
    {
        // The quick form replaces ln x by 3·(x² − 1)/(x² + 4x + 1) ≤ ln x: it must never exceed the exact bound (else a
        // re-check point could lie after a crossing), give no bound (0) and "never" (+∞) exactly where the exact one does,
        // and stay close to it where x is moderate (else it would save nothing).
        CobaLif m = Model();
        var rng = new Random(12);
        int compared = 0;
        for (int k = 0; k < 20_000; k++)
        {
            var s = new NeuronState { V = -80 + (30 * rng.NextDouble()), S1 = 8 * rng.NextDouble() * rng.NextDouble(), S2 = 30 * rng.NextDouble() };
            if (k % 5 == 0)
            {
                s.V = Math.BitDecrement(-50.0);
            }

            double exact = m.EquilibriumBoundTime(s);
            double quick = m.QuickEquilibriumBoundTime(s);
            if (exact == 0 || double.IsPositiveInfinity(exact))
            {
                Assert.Equal(exact, quick);
                continue;
            }

            compared++;
            Assert.True(quick > 0 && quick <= exact, $"state {s.V}, {s.S1}, {s.S2}: quick {quick}, exact {exact}");

            // The ratio quick/exact is q(x)/ln x, with x recovered from the exact bound: τ·ln x·(1 − 1e-9), τ = τi = 10 ms
            // here (the excitatory term ge·(e_exc − v_thresh) ≥ 0 decays faster and is bounded on the slower decay).
            double x = Math.Exp(exact / (1 - 1e-9) / 10e6);
            double expected = 3 * ((x * x) - 1) / ((x * x) + (4 * x) + 1) / Math.Log(x);
            Assert.Equal(expected, quick / exact, 1e-6);
        }

        Assert.True(compared > 5_000, $"only {compared} states had a finite bound");
    }

    [Theory]
    [InlineData(ThresholdComparison.GreaterOrEqual)]
    [InlineData(ThresholdComparison.Greater)]
    public void ExactThresholdHitGivesNoBound(ThresholdComparison comparison)
    {
        CobaLif m = Model(comparison);
        Assert.Equal(0, m.EquilibriumBoundTime(new NeuronState { V = -50, S1 = 0, S2 = 5 }));
        Assert.Equal(0, m.EquilibriumBoundTime(new NeuronState { V = -55, S1 = -1, S2 = 5 }));
    }

    [Fact]
    public void SearchWithTheBoundFindsTheSameCrossingsAsAFineScan()
    {
        CobaLif m = Model();
        var rng = new Random(11);
        for (int k = 0; k < 60; k++)
        {
            var s = new NeuronState { V = -60 + (10 * rng.NextDouble()), S1 = 3 * rng.NextDouble(), S2 = 6 * rng.NextDouble() };
            double crossing = CrossingOf(m, s);
            double fine = FineCrossing(m, s, 100e6);
            if (double.IsPositiveInfinity(fine))
            {
                Assert.True(crossing > 100e6 - 10_000);
                continue;
            }

            Assert.True(Math.Abs(crossing - fine) <= 1_000, $"state {s.V}, {s.S1}, {s.S2}: search {crossing}, fine scan {fine}");
        }
    }

    private static double CrossingOf(CobaLif m, NeuronState s)
    {
        double t = 0;
        for (int k = 0; k < 100_000 && t < 400e6; k++)
        {
            double delta = m.FindCrossing(s, 400e6 - t, out double recheck);
            if (double.IsFinite(delta))
            {
                return t + delta;
            }

            if (double.IsPositiveInfinity(recheck))
            {
                return double.PositiveInfinity;
            }

            double step = Math.Max(1, Math.Floor(recheck));
            m.AdvanceFree(ref s, step);
            t += step;
        }

        return double.PositiveInfinity;
    }

    /// <summary>The first 1 µs grid point where v ≥ threshold (then the crossing lies within 1 µs before it).</summary>
    private static double FineCrossing(CobaLif m, NeuronState s, double horizon)
    {
        for (double t = 0; t < horizon; t += 1000)
        {
            if (s.V >= -50)
            {
                return t;
            }

            m.AdvanceFree(ref s, 1000);
        }

        return double.PositiveInfinity;
    }
}

