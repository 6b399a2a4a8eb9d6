using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// All deliveries that reach one neuron at one tick are applied together and the threshold is tested once, in both
/// executions, whatever the order in which they were queued; event-driven and clock-driven runs of grid-aligned
/// delta-synapse networks give identical spikes.
/// </summary>
public class SimultaneousArrivalTests
{
    private static readonly SimDuration s_dt = SimDuration.FromMicroseconds(100);

    /// <summary>Two sources fire at 1 ms into one LIF neuron 15 mV below threshold: +20 mV and −10 mV arrive together at 2 ms.</summary>
    private static NetworkSpec MixedPair(bool inhibitoryFirst, double excitatory = 20, double inhibitory = -10)
    {
        var b = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(Units.Ms(1)), TestTime.Ticks(Units.Ms(1))])
            .AddNeurons("n", 1, NeuronModel.Lif, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -70).Set("t_ref", 2));
        var ex = ConnectivitySpec.Explicit([0], [0]);
        var inh = ConnectivitySpec.Explicit([1], [0]);
        void E(ProjectionOptions c) => c.Named("e").Weight(excitatory).Delay(SimDuration.FromMilliseconds(1L));
        void I(ProjectionOptions c) => c.Named("i").Weight(inhibitory).Delay(SimDuration.FromMilliseconds(1L));
        return inhibitoryFirst
            ? b.Connect("src", "n", inh, I).Connect("src", "n", ex, E).Build()
            : b.Connect("src", "n", ex, E).Connect("src", "n", inh, I).Build();
    }

    [Theory]
    [InlineData(ExecutionChoice.Event, false)]
    [InlineData(ExecutionChoice.Event, true)]
    [InlineData(ExecutionChoice.Clock, false)]
    [InlineData(ExecutionChoice.Clock, true)]
    public void OpposingInputsAtOneInstantAreSummedBeforeTheThresholdTest(ExecutionChoice execution, bool inhibitoryFirst)
    {
        // +20 − 10 = +10 mV: the neuron ends 5 mV below threshold and must not fire, whichever input is queued first.
        using var e = new SimulationEngine(MixedPair(inhibitoryFirst), new EngineOptions { Execution = execution });
        var spikes = new SpikeList();
        e.AddSpikeMonitor(spikes);
        e.RunUntil(SimTime.FromMilliseconds(2L));
        Assert.Empty(spikes.TimesOf(1, 0));
        Assert.Equal(-65 + 20 - 10, e.ReadState(1, 0, 0), 4);

        // The same pair with +30: the sum (+20) crosses; the neuron fires once at 2 ms and the inhibitory input is not lost
        // to the refractory period (it was part of the sum).
        using var f = new SimulationEngine(MixedPair(inhibitoryFirst, excitatory: 30), new EngineOptions { Execution = execution });
        var fs = new SpikeList();
        f.AddSpikeMonitor(fs);
        f.RunUntil(SimTime.FromMilliseconds(2L));
        Assert.Equal([Units.Ms(2)], fs.TimesOf(1, 0));
        Assert.Equal(-70, f.ReadState(1, 0, 0), 4);
    }

    [Fact]
    public void ExactThresholdSumsFollowTheComparison()
    {
        // 7 + 8 = 15 mV lands exactly on the threshold at the same tick: ≥ fires, > does not, in both executions.
        foreach (ThresholdComparison cmp in new[] { ThresholdComparison.GreaterOrEqual, ThresholdComparison.Greater })
        {
            foreach (ExecutionChoice execution in new[] { ExecutionChoice.Event, ExecutionChoice.Clock })
            {
                NetworkSpec net = new NetworkBuilder()
                    .AddSpikeSource("src", [TestTime.Ticks(Units.Ms(1)), TestTime.Ticks(Units.Ms(1))])
                    .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Threshold(cmp))
                    .Connect("src", "n", ConnectivitySpec.Explicit([0, 1], [0, 0], [7f, 8f]), c => c.Delay(SimDuration.FromMilliseconds(1L)))
                    .Build();
                using var e = new SimulationEngine(net, new EngineOptions { Execution = execution });
                var spikes = new SpikeList();
                e.AddSpikeMonitor(spikes);
                e.RunUntil(SimTime.FromMilliseconds(3L));
                Assert.Equal(cmp == ThresholdComparison.GreaterOrEqual ? 1 : 0, spikes.TimesOf(1, 0).Length);
            }
        }
    }

    [Theory]
    [InlineData(RefractoryEnd.HalfOpen)]
    [InlineData(RefractoryEnd.Closed)]
    public void AnInputExactlyAtTheEndOfTheRefractoryPeriodFollowsTheConvention(RefractoryEnd end)
    {
        // A spike at 2 ms starts a 2 ms refractory period; an input arrives at exactly 4 ms. Half-open [2, 4): applied;
        // closed [2, 4]: discarded. Inputs at 3.9 ms are discarded and at 4.1 ms applied either way. Both executions agree.
        foreach (ExecutionChoice execution in new[] { ExecutionChoice.Event, ExecutionChoice.Clock })
        {
            double VAfter(long inputTicks)
            {
                NetworkSpec net = new NetworkBuilder()
                    .AddSpikeSource("src", [TestTime.Ticks(Units.Ms(1)), TestTime.Ticks(inputTicks - Units.Ms(1))])
                    .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("t_ref", 2).RefractoryEnd(end))
                    .Connect("src", "n", ConnectivitySpec.Explicit([0, 1], [0, 0], [20f, 5f]), c => c.Delay(SimDuration.FromMilliseconds(1L)))
                    .Build();
                using var e = new SimulationEngine(net, new EngineOptions { Execution = execution, DefaultDt = s_dt });
                var spikes = new SpikeList();
                e.AddSpikeMonitor(spikes);
                e.RunUntil(SimTime.FromMilliseconds(6L));
                Assert.Equal([Units.Ms(2)], spikes.TimesOf(1, 0));
                return e.ReadState(1, 0, 0);
            }

            Assert.Equal(-65, VAfter(Units.Ms(3.9)), 4);
            Assert.Equal(-60, VAfter(Units.Ms(4.1)), 4);
            Assert.Equal(end == RefractoryEnd.HalfOpen ? -60 : -65, VAfter(Units.Ms(4)), 4);
        }
    }

    /// <summary>
    /// A recurrent, grid-aligned delta-synapse network with mixed-sign weights, many sources converging at single ticks,
    /// loops, refractoriness, and no drive (crossings happen only at input times).
    /// </summary>
    private static NetworkSpec Recurrent(NeuronModel model, ResetMode reset, ThresholdComparison cmp, RefractoryEnd end, ulong seed, bool reverse)
    {
        void Pop(PopulationOptions p, ulong s) => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -67).Set("t_ref", 1)
            .Reset(reset).Threshold(cmp).RefractoryEnd(end).InitialUniform("v", -66, -51, s);
        SimDuration D(long steps) => s_dt * steps;
        var b = new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(30))
            .AddNeurons("a", 60, model, p => Pop(p, seed + 1))
            .AddNeurons("b", 25, model, p => Pop(p, seed + 2));
        var projections = new List<Action<NetworkBuilder>>
        {
            x => x.Connect("in", "a", ConnectivitySpec.FixedProbability(0.4, seed + 3), c => c.Named("in-a").WeightUniform(-6, 12, seed + 4).Delay(D(1))),
            x => x.Connect("in", "a", ConnectivitySpec.FixedProbability(0.2, seed + 5), c => c.Named("in-a-late").WeightUniform(-6, 12, seed + 13).Delay(D(4))),
            x => x.Connect("a", "a", ConnectivitySpec.FixedProbability(0.1, seed + 6, allowSelf: false), c => c.Named("a-a").WeightUniform(-5, 7, seed + 7).Delay(D(2))),
            x => x.Connect("a", "a", ConnectivitySpec.FixedProbability(0.08, seed + 8, allowSelf: false), c => c.Named("a-a-late").WeightUniform(-5, 7, seed + 14).Delay(D(9))),
            x => x.Connect("a", "b", ConnectivitySpec.FixedProbability(0.3, seed + 9), c => c.Named("a-b").WeightUniform(-3, 8, seed + 10).Delay(D(3))),
            x => x.Connect("b", "a", ConnectivitySpec.FixedProbability(0.3, seed + 11), c => c.Named("b-a").WeightUniform(-9, 2, seed + 12).Delay(D(5))),
            x => x.Connect("b", "b", ConnectivitySpec.AllToAll(allowSelf: false), c => c.Named("b-b").Weight(-1.5).Delay(D(2))),
        };
        if (reverse)
        {
            projections.Reverse();
        }

        foreach (Action<NetworkBuilder> p in projections)
        {
            p(b);
        }

        return b.Build();
    }

    private static List<(long T, int Pop, int Neuron)> Run(NetworkSpec net, ExecutionChoice execution, ulong seed)
    {
        using var e = new SimulationEngine(net, new EngineOptions { Execution = execution, DefaultDt = s_dt });

        // Weights on a 1/16 mV grid: sums of them are exact in float32 and double alike, so for the non-leaky `if` model
        // both executions compute bit-identical potentials and even exact-threshold ties resolve the same way.
        foreach (ProjectionSpec p in net.Projections)
        {
            float[] w = e.GetSynapses(p.Id).Weights;
            for (int k = 0; k < w.Length; k++)
            {
                w[k] = MathF.Round(w[k] * 16) / 16;
            }
        }

        var spikes = new SpikeList();
        e.AddSpikeMonitor(spikes);
        var rng = new Random((int)seed);
        for (int k = 0; k < 4000; k++)
        {
            // Several sources often share a tick: 4000 events on 2000 grid times.
            e.InjectEvent(SimTime.Zero + (s_dt * (1 + rng.Next(2000))), 0, rng.Next(30));
        }

        e.RunUntil(SimTime.FromMilliseconds(220L));
        return [.. spikes.Spikes.Where(s => s.Pop != 0).OrderBy(s => s.T).ThenBy(s => s.Pop).ThenBy(s => s.Neuron)];
    }

    /// <remarks>
    /// Not covered by this equality, by design: a subtractive reset that leaves the potential above threshold with a closed
    /// refractory period fires one tick after the period in event-driven execution and one step after it in clock-driven
    /// execution (test <c>AboveThresholdAtTheEndOfAClosedPeriodFiresJustAfterIt</c>).
    /// </remarks>
    [Theory]
    [InlineData(ResetMode.ToValue, ThresholdComparison.GreaterOrEqual, RefractoryEnd.HalfOpen, 1UL)]
    [InlineData(ResetMode.Subtract, ThresholdComparison.Greater, RefractoryEnd.HalfOpen, 2UL)]
    [InlineData(ResetMode.ToValue, ThresholdComparison.Greater, RefractoryEnd.Closed, 3UL)]
    public void EventAndClockGiveIdenticalSpikesOnGridAlignedDeltaNetworks(ResetMode reset, ThresholdComparison cmp, RefractoryEnd end, ulong seed)
    {
        foreach (NeuronModel model in new[] { NeuronModel.Lif, NeuronModel.IntegrateAndFire })
        {
            // For `lif`, the leak makes float32 (clock) and double (event) potentials differ by rounding (~1e-5 mV): the spikes
            // are identical unless a threshold test falls within that distance of the threshold, which these seeds avoid.
            var reference = Run(Recurrent(model, reset, cmp, end, seed, reverse: false), ExecutionChoice.Event, seed);
            Assert.True(reference.Count > 200, $"{model}: only {reference.Count} spikes");
            Assert.True(reference.Count(s => s.Pop == 2) > 20, $"{model}: the second population must fire");

            // The queue order of simultaneous deliveries changes with the projection order; the spikes do not.
            Assert.Equal(reference, Run(Recurrent(model, reset, cmp, end, seed, reverse: true), ExecutionChoice.Event, seed));
            Assert.Equal(reference, Run(Recurrent(model, reset, cmp, end, seed, reverse: false), ExecutionChoice.Clock, seed));
            Assert.Equal(reference, Run(Recurrent(model, reset, cmp, end, seed, reverse: true), ExecutionChoice.Clock, seed));
        }
    }

    [Theory]
    [InlineData(RefractoryEnd.HalfOpen)]
    [InlineData(RefractoryEnd.Closed)]
    public void AboveThresholdAtTheEndOfAClosedPeriodFiresJustAfterIt(RefractoryEnd end)
    {
        // A 40 mV jump over a 15 mV gap with a subtractive reset of 17 mV leaves the potential above threshold; the neuron
        // fires again when its 1 ms refractory period ends: at its end (half-open), or just after it (closed): one tick
        // later in event-driven execution, one step later in clock-driven execution.
        foreach (ExecutionChoice execution in new[] { ExecutionChoice.Event, ExecutionChoice.Clock })
        {
            NetworkSpec net = new NetworkBuilder()
                .AddSpikeSource("src", [TestTime.Ticks(Units.Ms(1))])
                .AddNeurons("n", 1, NeuronModel.IntegrateAndFire, p => p.Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -67).Set("t_ref", 1).Reset(ResetMode.Subtract).RefractoryEnd(end))
                .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromMilliseconds(1L)))
                .Build();
            using var e = new SimulationEngine(net, new EngineOptions { Execution = execution, DefaultDt = s_dt });
            var spikes = new SpikeList();
            e.AddSpikeMonitor(spikes);
            e.RunUntil(SimTime.FromMilliseconds(5L));
            long after = end == RefractoryEnd.HalfOpen ? 0 : execution == ExecutionChoice.Event ? 1 : s_dt.Ticks;
            Assert.Equal([Units.Ms(2), Units.Ms(3) + after], spikes.TimesOf(1, 0));
        }
    }
}
