using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class AdaptiveLifTests
{
    // (τm, τw, El, Vt, Vr, I, a, b, tref)
    private static double[] P(double a, double i = 25, double b = 2) => [20, 100, -65, -50, -65, i, a, b, 0];

    private static double[] F(double[] y, double a, double i)
        => [(-(y[0] + 65) - y[1] + i) / 20, ((a * (y[0] + 65)) - y[1]) / 100];

    private static double[] Rk4Step(double[] y, double h, double a, double i)
    {
        double[] k1 = F(y, a, i);
        double[] k2 = F([y[0] + (0.5 * h * k1[0]), y[1] + (0.5 * h * k1[1])], a, i);
        double[] k3 = F([y[0] + (0.5 * h * k2[0]), y[1] + (0.5 * h * k2[1])], a, i);
        double[] k4 = F([y[0] + (h * k3[0]), y[1] + (h * k3[1])], a, i);
        return [y[0] + (h / 6 * (k1[0] + (2 * k2[0]) + (2 * k3[0]) + k4[0])), y[1] + (h / 6 * (k1[1] + (2 * k2[1]) + (2 * k3[1]) + k4[1]))];
    }

    [Theory]
    [InlineData(0.3)] // real eigenvalues
    [InlineData(0.8)] // repeated eigenvalue (series branch)
    [InlineData(4.0)] // complex eigenvalues (damped oscillation)
    public void PropagatorMatchesReference(double a)
    {
        var m = AdaptiveLif.Create(P(a, 10), SpikeRules.Default);
        var s = new NeuronState { V = -58, S1 = 3 };
        double[] y = [s.V, s.S1];
        for (int k = 0; k < 80_000; k++)
        {
            y = Rk4Step(y, 0.001, a, 10);
        }

        m.AdvanceFree(ref s, Units.MsToTicks(80));
        Assert.Equal(y[0], s.V, 1e-9);
        Assert.Equal(y[1], s.S1, 1e-9);
    }

    [Theory]
    [InlineData(0.3, 25.0)] // real eigenvalues
    [InlineData(1.5, 40.0)] // complex eigenvalues; v* = −65 + 40/2.5 = −49 mV, above threshold, so it keeps firing
    public void SpikeTimesMatchReferenceAndAdapt(double a, double drive)
    {
        // Reference: RK4 with 0.5 µs steps, crossing by linear interpolation, reset v ← −65, w ← w + 2.
        double h = 0.0005;
        double[] y = [-65, 0];
        var reference = new List<double>();
        for (int k = 0; k < 400_000 && reference.Count < 6; k++)
        {
            double[] next = Rk4Step(y, h, a, drive);
            if (next[0] >= -50)
            {
                double frac = (-50 - y[0]) / (next[0] - y[0]);
                reference.Add((k + frac) * h);
                // Reset at the crossing instant, then integrate the rest of the step from there.
                next = Rk4Step([-65, y[1] + (frac * (next[1] - y[1])) + 2], (1 - frac) * h, a, drive);
            }

            y = next;
        }

        Assert.True(reference.Count >= 4, "the reference neuron must fire repeatedly");
        var net = new NetworkBuilder().AddNeurons("n", 1, NeuronModel.AdaptiveLif, p => p.Set("a", a).Set("b", 2).Set("i_offset", drive).Set("tau_w", 100)).Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(200L));
        long[] t = s.TimesOf(0, 0);
        for (int k = 0; k < reference.Count; k++)
        {
            Assert.InRange(t[k] - (reference[k] * 1e6), -5, 5);
        }

        // Spike-triggered adaptation lengthens the intervals.
        Assert.True(t[2] - t[1] > t[1] - t[0]);

        // The clock engine runs the same type through the default dense step: spikes within one step of the exact ones.
        using var c = TestEngines.Clock(net);
        var cs = new SpikeList();
        c.AddSpikeMonitor(cs);
        c.RunUntil(SimTime.FromMilliseconds(40L));
        long[] tc = cs.TimesOf(0, 0);
        Assert.NotEmpty(tc);
        Assert.InRange(tc[0] - t[0], 0, 100_000);
    }
}
