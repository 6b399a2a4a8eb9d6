using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// The perfect integrate-and-fire model (<c>if</c>): <c>τm·dv/dt = i_offset</c>, delta inputs, threshold, reset and refractory
/// period, event-driven (closed-form crossings) and clock-driven.
/// </summary>
public sealed class IntegrateAndFireTests
{
    private const double Tau = 20;
    private const double Rest = -65;
    private const double Thresh = -50;

    private static SpikeList Run(NetworkSpec net, double untilMs, bool clock, double dtMs = 0.1)
    {
        using var engine = clock ? TestEngines.Clock(net, SimDuration.FromMilliseconds(dtMs)) : TestEngines.Event(net);
        var s = new SpikeList();
        engine.AddSpikeMonitor(s);
        engine.RunUntil(SimTime.FromTicks(Units.Ms(untilMs)));
        return s;
    }

    [Theory]
    [InlineData(2.0, 0.0)]
    [InlineData(3.0, 5.0)]
    [InlineData(0.7, 1.5)]
    public void Constant_drive_fires_at_the_closed_form_times(double drive, double trefMs)
    {
        var net = new NetworkBuilder()
            .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("tau_m", Tau).Set("v_rest", Rest).Set("v_thresh", Thresh).Set("v_reset", Rest).Set("i_offset", drive).Set("t_ref", trefMs))
            .Build();
        double untilMs = 1000;

        // From v_reset the potential needs τm·(θ − v_reset)/i_offset to reach θ, then the refractory period.
        double period = Tau * (Thresh - Rest) / drive;
        var expected = new List<long>();
        for (double t = period; t <= untilMs; t += period + trefMs)
        {
            expected.Add(Units.Ms(t));
        }

        long[] got = Run(net, untilMs, clock: false).TimesOf(0, 0);
        Assert.Equal(expected.Count, got.Length);
        for (int k = 0; k < got.Length; k++)
        {
            // A crossing at a non-integer tick is emitted at the next tick; accumulated rounding stays below a few ticks.
            Assert.InRange(got[k] - expected[k], -2, 2 + k);
        }
    }

    [Fact]
    public void Clock_driven_drive_adds_i_offset_dt_over_tau_per_step()
    {
        const double Drive = 2.0, Dt = 0.1;
        var net = new NetworkBuilder()
            .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("tau_m", Tau).Set("v_rest", Rest).Set("v_thresh", Thresh).Set("v_reset", Rest).Set("i_offset", Drive))
            .Build();

        // Independent float32 loop: v += i_offset·dt/τm per step; spike when v ≥ θ, then v = v_reset.
        var expected = new List<long>();
        float v = (float)Rest;
        float inc = (float)(Drive * Dt / Tau);
        for (int step = 1; step <= 5000; step++)
        {
            v += inc;
            if (v >= (float)Thresh)
            {
                expected.Add(Units.Ms(step * Dt));
                v = (float)Rest;
            }
        }

        Assert.True(expected.Count >= 3);
        Assert.Equal(expected, Run(net, 500, clock: true, Dt).TimesOf(0, 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Input_exactly_at_threshold_fires_with_greater_or_equal_only(bool clock)
    {
        NetworkSpec Net(ThresholdComparison cmp) => new NetworkBuilder()
            .AddSpikeSource("src", [[SimTime.FromTicks(Units.Ms(1))]])
            .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", Rest).Set("v_thresh", Thresh).Set("v_reset", Rest).Threshold(cmp))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(Thresh - Rest).Delay(SimDuration.FromMilliseconds(1)))
            .Build();
        Assert.Equal([Units.Ms(2)], Run(Net(ThresholdComparison.GreaterOrEqual), 5, clock).TimesOf(1, 0));
        Assert.Empty(Run(Net(ThresholdComparison.Greater), 5, clock).TimesOf(1, 0));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Negative_and_mixed_inputs_add_without_leak(bool clock)
    {
        // −4, +9, −2, +10 mV: the running sums −69, −60, −62, −52 stay below θ; then +3 reaches −49 ≥ θ and fires.
        double[] w = [-4, 9, -2, 10, 3];
        long[] times = [.. w.Select((_, k) => Units.Ms(1 + k))];
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [.. times.Select(t => new[] { SimTime.FromTicks(t) })])
            .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", Rest).Set("v_thresh", Thresh).Set("v_reset", Rest))
            .Connect("src", "n", ConnectivitySpec.Explicit([0, 1, 2, 3, 4], [0, 0, 0, 0, 0], [.. w.Select(x => (float)x)]), c => c.Delay(SimDuration.FromMilliseconds(1)))
            .Build();
        double v = Rest;
        int fireAt = -1;
        for (int k = 0; k < w.Length && fireAt < 0; k++)
        {
            v += w[k];
            fireAt = v >= Thresh ? k : -1;
        }

        Assert.Equal(4, fireAt);
        Assert.Equal([times[fireAt] + Units.Ms(1)], Run(net, 20, clock).TimesOf(1, 0));
    }

    [Theory]
    [InlineData(ResetMode.ToValue, false)]
    [InlineData(ResetMode.Subtract, false)]
    [InlineData(ResetMode.ToValue, true)]
    [InlineData(ResetMode.Subtract, true)]
    public void Reset_and_refractory_period(ResetMode reset, bool clock)
    {
        // +20 mV at 1 ms fires (−45); inputs of +14 mV at 2 ms (refractory, t_ref = 3 ms: discarded) and at 4 ms (applied).
        long[] times = [Units.Ms(1), Units.Ms(2), Units.Ms(4)];
        float[] w = [20, 14, 14];
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [.. times.Select(t => new[] { SimTime.FromTicks(t) })])
            .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", Rest).Set("v_thresh", Thresh).Set("v_reset", Rest).Set("t_ref", 3).Reset(reset))
            .Connect("src", "n", ConnectivitySpec.Explicit([0, 1, 2], [0, 0, 0], w), c => c.Delay(SimDuration.FromMilliseconds(1)))
            .Build();

        double afterSpike = reset == ResetMode.ToValue ? Rest : Rest + 20 - (Thresh - Rest);
        double afterLast = afterSpike + 14;
        long[] expected = afterLast >= Thresh ? [times[0] + Units.Ms(1), times[2] + Units.Ms(1)] : [times[0] + Units.Ms(1)];
        Assert.Equal(expected, Run(net, 10, clock).TimesOf(1, 0));
    }
}
