using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// Event-driven LIF and IF populations with delta synapses, a reset to a value and a relaxation level below the threshold
/// run in scaled form (docs/Simulator.md, "Scaled form"): they give the spikes of the generic exact event path, and
/// potentials within 1e-9 mV of it, on adversarial inputs.
/// </summary>
public class ScaledFormTests
{
    private const double Tolerance = 1e-9;

    private static SimulationEngine Engine(NetworkSpec net, bool scaled)
        => new(net, new EngineOptions { Execution = ExecutionChoice.Event, ScaledForm = scaled });

    [Fact]
    public void Qualifying_populations_run_in_scaled_form_and_the_others_do_not()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddSpikeSource("src", [[SimTime.FromTicks(1)]])
            .AddNeurons("lif", 4, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -70).Set("t_ref", 1))
            .AddNeurons("if", 4, NeuronModel.IntegrateAndFire, p => p.Set("v_thresh", -50))
            .AddNeurons("driven", 4, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("i_offset", 20))
            .AddNeurons("subtract", 4, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Reset(ResetMode.Subtract))
            .AddNeurons("if_drive", 4, NeuronModel.IntegrateAndFire, p => p.Set("v_thresh", -50).Set("i_offset", 1))
            .AddNeurons("per_neuron", 4, NeuronModel.Lif, p => p.SetPerNeuron("tau_m", [10, 20, 30, 40]))
            .AddNeurons("cuba", 4, NeuronModel.CubaLif)
            .Build();
        using SimulationEngine e = Engine(net, scaled: true);
        Assert.True(e.RunsInScaledForm(net.Population("lif").Id));
        Assert.True(e.RunsInScaledForm(net.Population("if").Id));
        Assert.False(e.RunsInScaledForm(net.Population("driven").Id));      // v∞ above the threshold: crossings between inputs
        Assert.False(e.RunsInScaledForm(net.Population("subtract").Id));    // a subtractive reset can leave v above the threshold
        Assert.False(e.RunsInScaledForm(net.Population("if_drive").Id));    // a drifting potential
        Assert.False(e.RunsInScaledForm(net.Population("per_neuron").Id));  // parameters per neuron
        Assert.False(e.RunsInScaledForm(net.Population("cuba").Id));        // current-based synapses
        using SimulationEngine g = Engine(net, scaled: false);
        Assert.False(g.RunsInScaledForm(net.Population("lif").Id));
    }

    /// <summary>
    /// Sources on a coarse grid of instants (so that many inputs arrive together and on refractory ends) with weights on a
    /// 0.5 mV grid (so that sums from rest land exactly on the threshold) and of both signs, into a LIF population with a
    /// short time constant (the epoch moves often), a LIF population with a long one, an IF population and a recurrent LIF
    /// loop; a long silent gap in the middle (rebases, and a decay that underflows to the rest level); some neurons start
    /// at or above the threshold.
    /// </summary>
    private static NetworkSpec Adversarial(ulong seed, ThresholdComparison cmp, RefractoryEnd end, double trefMs)
    {
        var rng = new Xoshiro256(seed);
        const int sources = 24;
        var times = new SimTime[sources][];
        long grid = SimDuration.FromMicroseconds(250).Ticks;
        for (int s = 0; s < sources; s++)
        {
            var list = new List<long>();
            long t = 0;
            for (int k = 0; k < 30; k++)
            {
                t += grid * (1 + (long)(rng.NextDouble() * 6));
                list.Add(t);
            }

            // After a gap of 40 s (a rebase at every τ; e^{-40 s / 0.5 ms} underflows to 0), another burst.
            t += SimDuration.FromSeconds(40L).Ticks;
            for (int k = 0; k < 15; k++)
            {
                t += grid * (1 + (long)(rng.NextDouble() * 4));
                list.Add(t);
            }

            times[s] = [.. list.Select(SimTime.FromTicks)];
        }

        void Common(PopulationOptions p) => p.Set("v_thresh", -50).Set("v_reset", -65).Set("t_ref", trefMs).Threshold(cmp).RefractoryEnd(end);
        var b = new NetworkBuilder()
            .AddSpikeSource("src", times)
            .AddNeurons("fast", 16, NeuronModel.Lif, p =>
            {
                Common(p);
                p.Set("v_rest", -65).Set("tau_m", 0.5).InitialPerNeuron("v", [.. Enumerable.Range(0, 16).Select(j => j == 3 ? -50.0 : j == 7 ? -45.0 : -65.0)]);
            })
            .AddNeurons("slow", 16, NeuronModel.Lif, p =>
            {
                Common(p);
                p.Set("v_rest", -65).Set("tau_m", 20).Set("i_offset", 2);
            })
            .AddNeurons("if", 16, NeuronModel.IntegrateAndFire, p =>
            {
                Common(p);
                p.Set("v_rest", -65);
            });

        (int[] Pre, int[] Post, float[] W) Random(int pre, int post, double p, double low, double high)
        {
            var pr = new List<int>();
            var po = new List<int>();
            var w = new List<float>();
            for (int i = 0; i < pre; i++)
            {
                for (int j = 0; j < post; j++)
                {
                    if (rng.NextDouble() < p)
                    {
                        pr.Add(i);
                        po.Add(j);
                        w.Add((float)(Math.Round((low + ((high - low) * rng.NextDouble())) * 2) / 2));
                    }
                }
            }

            return ([.. pr], [.. po], [.. w]);
        }

        foreach (string target in new[] { "fast", "slow", "if" })
        {
            var (pre, post, w) = Random(sources, 16, 0.35, -8, 10);
            b.Connect("src", target, ConnectivitySpec.Explicit(pre, post, w), c => c.Named($"src->{target}").Delay(SimDuration.FromMilliseconds(1L)));
        }

        // Two delays on one projection (deliveries through the queue), and a recurrent loop with a one-tick delay.
        var (p2, q2, w2) = Random(sources, 16, 0.2, -6, 9);
        SimDuration[] delays = [.. p2.Select((_, k) => k % 2 == 0 ? SimDuration.FromMicroseconds(500) : SimDuration.FromMicroseconds(750))];
        b.Connect("src", "slow", ConnectivitySpec.Explicit(p2, q2, w2, delays), c => c.Named("src->slow2"));
        var (p3, q3, w3) = Random(16, 16, 0.25, -5, 8);
        b.Connect("slow", "fast", ConnectivitySpec.Explicit(p3, q3, w3), c => c.Named("slow->fast").Delay(SimDuration.FromTicks(1)));
        var (p4, q4, w4) = Random(16, 16, 0.25, -5, 8);
        b.Connect("fast", "if", ConnectivitySpec.Explicit(p4, q4, w4), c => c.Named("fast->if").Delay(SimDuration.FromMicroseconds(250)));
        return b.Build();
    }

    [Theory]
    [InlineData(1UL, ThresholdComparison.GreaterOrEqual, RefractoryEnd.HalfOpen, 1.0)]
    [InlineData(2UL, ThresholdComparison.Greater, RefractoryEnd.HalfOpen, 1.0)]
    [InlineData(3UL, ThresholdComparison.GreaterOrEqual, RefractoryEnd.Closed, 0.5)]
    [InlineData(4UL, ThresholdComparison.Greater, RefractoryEnd.Closed, 0.75)]
    [InlineData(5UL, ThresholdComparison.GreaterOrEqual, RefractoryEnd.HalfOpen, 0.0)]
    public void Scaled_form_gives_the_spikes_and_potentials_of_the_generic_event_path(ulong seed, ThresholdComparison cmp, RefractoryEnd end, double trefMs)
    {
        NetworkSpec net = Adversarial(seed, cmp, end, trefMs);
        using SimulationEngine scaled = Engine(net, scaled: true);
        using SimulationEngine generic = Engine(net, scaled: false);
        Assert.True(scaled.RunsInScaledForm(1) && scaled.RunsInScaledForm(2) && scaled.RunsInScaledForm(3));
        var a = new SpikeList();
        var b = new SpikeList();
        scaled.AddSpikeMonitor(a);
        generic.AddSpikeMonitor(b);
        long[] pauses = [.. new[] { 0.25, 1, 2.75, 5, 9.5, 14, 30, 1_000, 40_005, 40_008.25, 40_012, 40_030 }.Select(ms => SimDuration.FromMicroseconds((long)(ms * 1000)).Ticks)];
        int exactHits = 0;
        foreach (long t in pauses)
        {
            scaled.RunUntil(SimTime.FromTicks(t));
            generic.RunUntil(SimTime.FromTicks(t));
            for (int pop = 1; pop <= 3; pop++)
            {
                for (int j = 0; j < 16; j++)
                {
                    double vs = scaled.ReadState(pop, j, 0);
                    double vg = generic.ReadState(pop, j, 0);
                    Assert.True(Math.Abs(vs - vg) <= Tolerance, $"t={t} pop={pop} neuron={j}: scaled {vs} vs generic {vg}");
                    exactHits += vg == -50 ? 1 : 0;
                }
            }
        }

        Assert.Equal(Sorted(b), Sorted(a));
        Assert.True(a.Spikes.Count > 100, $"only {a.Spikes.Count} spikes");
        Assert.True(a.Spikes.Count(s => s.T > SimDuration.FromSeconds(40L).Ticks) > 10, "no spikes after the gap");
        _ = exactHits;
    }

    private static List<(long T, int Pop, int Neuron)> Sorted(SpikeList s) => [.. s.Spikes.OrderBy(x => x.T).ThenBy(x => x.Pop).ThenBy(x => x.Neuron)];

    [Theory]
    [InlineData(ThresholdComparison.GreaterOrEqual)]
    [InlineData(ThresholdComparison.Greater)]
    public void Sums_that_land_exactly_on_the_threshold_follow_the_comparison_after_a_rebase(ThresholdComparison cmp)
    {
        // A LIF neuron (τ = 1 ms) fires at 2 ms, then is silent for 10 s (the epoch moves and the potential decays to rest
        // exactly); at 10 s three inputs arrive together: +20 − 12.5 + 7.5 = 15 mV, exactly the distance to the threshold;
        // the same again 5 ms later.
        long ten = SimDuration.FromSeconds(10L).Ticks;
        long ten5 = ten + SimDuration.FromMilliseconds(5L).Ticks;
        NetworkSpec net = new NetworkBuilder()
            .AddSpikeSource("src", [[SimTime.FromMilliseconds(1L), SimTime.FromTicks(ten), SimTime.FromTicks(ten5)], [SimTime.FromTicks(ten), SimTime.FromTicks(ten5)], [SimTime.FromTicks(ten), SimTime.FromTicks(ten5)]])
            .AddNeurons("n", 1, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("tau_m", 1).Set("t_ref", 1).Threshold(cmp))
            .Connect("src", "n", ConnectivitySpec.Explicit([0, 1, 2], [0, 0, 0], [20f, -12.5f, 7.5f]), c => c.Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
        foreach (bool scaledForm in new[] { true, false })
        {
            using SimulationEngine e = Engine(net, scaledForm);
            Assert.Equal(scaledForm, e.RunsInScaledForm(1));
            var s = new SpikeList();
            e.AddSpikeMonitor(s);
            e.RunUntil(SimTime.FromTicks(ten + SimDuration.FromMilliseconds(10L).Ticks));
            long at = ten + SimDuration.FromMilliseconds(1L).Ticks;
            // ≥: fires at the exact sum, resets to rest, and fires again on the second exact sum. >: stays exactly on the
            // threshold, relaxes to −65 + 15·e^{−5} and the second sum takes it above.
            long[] expected = cmp == ThresholdComparison.GreaterOrEqual
                ? [SimDuration.FromMilliseconds(2L).Ticks, at, at + SimDuration.FromMilliseconds(5L).Ticks]
                : [SimDuration.FromMilliseconds(2L).Ticks, at + SimDuration.FromMilliseconds(5L).Ticks];
            Assert.Equal(expected, s.TimesOf(1, 0));
        }
    }

    [Fact]
    public void Inputs_on_refractory_ends_follow_the_period_convention()
    {
        // A spike at 2 ms starts t_ref = 1 ms; +10 mV arrives exactly at 3 ms and +6 mV at 3.5 ms. Half-open: the input at
        // 3 ms counts (−55, then −49.x ≥ −50 fires); closed: it is discarded and the neuron stays below.
        foreach (RefractoryEnd end in new[] { RefractoryEnd.HalfOpen, RefractoryEnd.Closed })
        {
            NetworkSpec net = new NetworkBuilder()
                .AddSpikeSource("src", [[SimTime.FromMilliseconds(1L)], [SimTime.FromMilliseconds(2L)], [SimTime.FromTicks(SimDuration.FromMicroseconds(2500).Ticks)]])
                .AddNeurons("n", 1, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("tau_m", 1000).Set("t_ref", 1).RefractoryEnd(end))
                .Connect("src", "n", ConnectivitySpec.Explicit([0, 1, 2], [0, 0, 0], [20f, 10f, 6f]), c => c.Delay(SimDuration.FromMilliseconds(1L)))
                .Build();
            var results = new List<long[]>();
            var potentials = new List<double>();
            foreach (bool scaledForm in new[] { true, false })
            {
                using SimulationEngine e = Engine(net, scaledForm);
                var s = new SpikeList();
                e.AddSpikeMonitor(s);
                e.RunUntil(SimTime.FromTicks(SimDuration.FromMicroseconds(2999).Ticks));
                Assert.Equal(-65, e.ReadState(1, 0, 0));                       // frozen while refractory
                e.RunUntil(SimTime.FromMilliseconds(5L));
                results.Add(s.TimesOf(1, 0));
                potentials.Add(e.ReadState(1, 0, 0));
            }

            Assert.Equal(results[1], results[0]);
            Assert.Equal(potentials[1], potentials[0], 9);
            Assert.Equal(end == RefractoryEnd.HalfOpen ? 2 : 1, results[0].Length);
        }
    }

    [Fact]
    public void Population_state_and_save_restore_see_the_scaled_potentials()
    {
        NetworkSpec net = Adversarial(11, ThresholdComparison.GreaterOrEqual, RefractoryEnd.HalfOpen, 1.0);
        using SimulationEngine a = Engine(net, scaled: true);
        var sa = new SpikeList();
        a.AddSpikeMonitor(sa);
        a.RunUntil(SimTime.FromTicks(SimDuration.FromMicroseconds(4100).Ticks));
        var state = (EventPopulationState)a.GetPopulationState(1)!;
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal(a.ReadState(1, j, 0), state.Columns[0][j], 12);
        }

        using var saved = new MemoryStream();
        a.Save(saved);
        using SimulationEngine b = Engine(net, scaled: true);
        saved.Position = 0;
        b.Restore(saved);
        var sb = new SpikeList();
        b.AddSpikeMonitor(sb);
        int before = sa.Spikes.Count;
        long until = SimDuration.FromSeconds(41L).Ticks;
        a.RunUntil(SimTime.FromTicks(until));
        b.RunUntil(SimTime.FromTicks(until));
        Assert.Equal(sa.Spikes.Skip(before).OrderBy(x => x.T).ThenBy(x => x.Pop).ThenBy(x => x.Neuron), sb.Spikes.OrderBy(x => x.T).ThenBy(x => x.Pop).ThenBy(x => x.Neuron));
        Assert.True(sb.Spikes.Count > 10);
        for (int j = 0; j < 16; j++)
        {
            Assert.Equal(a.ReadState(2, j, 0), b.ReadState(2, j, 0), 9);
        }
    }

    [Fact]
    public void Restoring_into_an_engine_that_ran_further_continues_as_the_saved_run()
    {
        // Driven LIF neurons (v∞ above the threshold: the generic form, with sweeps) next to a population in scaled form.
        // The engine restored into had already run to 1 s; the restored run must not re-arm its wake-ups from there.
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("driven", 200, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("i_offset", 20).InitialUniform("v", -65, -50, 3))
            .AddNeurons("scaled", 50, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("t_ref", 1))
            .Connect("driven", "scaled", ConnectivitySpec.FixedProbability(0.1, seed: 4), c => c.WeightUniform(-4, 9, seed: 5).Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
        using SimulationEngine a = Engine(net, scaled: true);
        Assert.True(a.RunsInScaledForm(1) && !a.RunsInScaledForm(0));
        a.RunUntil(SimTime.FromTicks(SimDuration.FromMicroseconds(7300).Ticks));
        using var saved = new MemoryStream();
        a.Save(saved);
        var sa = new SpikeList();
        a.AddSpikeMonitor(sa);
        a.RunUntil(SimTime.FromMilliseconds(100L));

        using SimulationEngine b = Engine(net, scaled: true);
        b.RunUntil(SimTime.FromSeconds(1L));
        saved.Position = 0;
        b.Restore(saved);
        var sb = new SpikeList();
        b.AddSpikeMonitor(sb);
        b.RunUntil(SimTime.FromMilliseconds(100L));
        Assert.True(sa.Spikes.Count(x => x.Pop == 1) > 10);
        Assert.Equal(Sorted(sa), Sorted(sb));
    }
}
