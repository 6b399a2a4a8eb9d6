using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class EngineSurfaceTests
{
    [Fact]
    public void PerNeuronParametersGiveEachNeuronItsOwnClosedFormIsi()
    {
        double[] tau = [5, 10, 20, 40];
        double[] drive = [16, 20, 30, 18];
        var net = new NetworkBuilder()
            .AddNeurons("n", 4, NeuronModel.Lif, p => p.SetPerNeuron("tau_m", tau).SetPerNeuron("i_offset", drive).Initial("v", -65))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromSeconds(2L));
        for (int j = 0; j < 4; j++)
        {
            double isi = tau[j] * 1e6 * Math.Log(drive[j] / (drive[j] - 15));
            long[] t = s.TimesOf(0, j);
            Assert.True(t.Length > 10);
            Assert.True(Math.Abs(((t[^1] - t[0]) / (double)(t.Length - 1)) - isi) / isi < 1e-8);
        }
    }

    [Fact]
    public void StepProcessesOneTimeAtATime()
    {
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(10L, 10L, 25L), TestTime.Ticks(17L)])
            .AddNeurons("n", 2, NeuronModel.Lif)
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(1).Delay(SimDuration.FromTicks(5)))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        Assert.Equal(10, e.Step().Ticks);
        Assert.Equal(2, s.Spikes.Count); // both spikes of source 0 at tick 10
        Assert.Equal(15, e.Step().Ticks); // their deliveries
        Assert.Equal(-63.0, e.ReadState(1, 0, 0), 12);
        Assert.Equal(17, e.Step().Ticks);
        Assert.Equal(22, e.Step().Ticks);
        Assert.Equal(25, e.Step().Ticks);
        Assert.Equal(30, e.Step().Ticks);
        Assert.Equal(30, e.Step().Ticks); // nothing pending: no-op
        Assert.Equal(0, e.PendingEvents);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.RunUntil(SimTime.FromTicks(29)));
    }

    [Fact]
    public void ReadStateValidatesArguments()
    {
        var net = new NetworkBuilder().AddPoisson("p", 2, 1, 1).AddNeurons("n", 2, NeuronModel.Lif).Build();
        var e = TestEngines.Event(net);
        Assert.Throws<ArgumentException>(() => e.ReadState(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(1, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(5, 0, 0));
        Assert.Null(e.GetPopulationState(0));
        Assert.NotNull(e.GetPopulationState(1));
    }
}

public class InjectWhileRunningTests
{
    private sealed class EchoMonitor(SimulationEngine engine, int external, long lag) : Simulator.Monitors.ISpikeMonitor
    {
        public List<(long T, int Pop, int Neuron)> Spikes { get; } = [];

        public void OnSpike(SimTime time, int population, int neuron)
        {
            Spikes.Add((time.Ticks, population, neuron));
            if (population == 1 && Spikes.Count < 20)
            {
                // A closed loop through the outside world: every output spike injects an input `lag` later.
                engine.InjectEvent(time + SimDuration.FromTicks(lag), external, 0);
            }
        }
    }

    [Fact]
    public void EventsInjectedFromInsideARunAreProcessedInTheSameRun()
    {
        var net = new NetworkBuilder()
            .AddExternalInput("ext", PopulationShape.Linear(1))
            .AddNeurons("n", 1, NeuronModel.Lif)
            .Connect("ext", "n", ConnectivitySpec.OneToOne(), c => c.Weight(20).Delay(SimDuration.FromTicks(1000)))
            .Build();
        var e = TestEngines.Event(net);
        var m = new EchoMonitor(e, 0, 500);
        e.AddSpikeMonitor(m);
        e.InjectEvent(SimTime.FromTicks(100), 0, 0);
        e.RunUntil(SimTime.FromTicks(1_000_000));

        // ext at 100 → n at 1100 → ext at 1600 → n at 2600 → …: period 1500 ticks, 10 round trips within the cap.
        long[] n = [.. m.Spikes.Where(s => s.Pop == 1).Select(s => s.T)];
        Assert.Equal(10, n.Length);
        for (int k = 0; k < n.Length; k++)
        {
            Assert.Equal(1100 + (1500 * k), n[k]);
        }
    }

    [Fact]
    public void SingleChannelInputIgnoresPolarity()
    {
        var shape = new PopulationShape(1, 3, 4);
        Assert.Equal(Inputs.ExternalEventMap.SourceOf(shape, 2, 1, 0), Inputs.ExternalEventMap.SourceOf(shape, 2, 1, 1));
        Assert.Equal((1 * 4) + 2, Inputs.ExternalEventMap.SourceOf(shape, 2, 1, 1));
        Assert.Equal(-1, Inputs.ExternalEventMap.SourceOf(shape, 4, 0, 0));
        Assert.Equal(-1, Inputs.ExternalEventMap.SourceOf(new PopulationShape(2, 3, 4), 0, 0, 2));
    }
}

public class SpecMonitorTests
{
    [Fact]
    public void MonitorsDescribedInTheSpecRecordInBothEngines()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("in", 20, 200, seed: 3)
            .AddNeurons("n", 5, NeuronModel.Lif, p => p.Set("tau_m", 10))
            .Connect("in", "n", ConnectivitySpec.AllToAll(), c => c.Weight(3).Delay(SimDuration.FromTicks(100_000)))
            .RecordSpikes("n")
            .RecordState("n", "v", SimDuration.FromMilliseconds(1L), [1, 3])
            .Build();
        foreach (bool clock in new[] { false, true })
        {
            Engines.ISimulationEngine e = clock ? TestEngines.Clock(net) : TestEngines.Event(net);
            var all = new SpikeList();
            e.AddSpikeMonitor(all);
            var mons = Engines.SpecMonitors.Attach(e);
            e.RunUntil(SimTime.FromMilliseconds(50L));
            Assert.Single(mons.Spikes);
            Assert.Single(mons.States);
            int expected = all.Spikes.Count(s => s.Pop == 1);
            Assert.True(expected > 0);
            Assert.Equal(expected, mons.Spikes[0].Count);
            Assert.All(mons.Spikes[0].Populations.ToArray(), p => Assert.Equal(1, p));
            Assert.Equal(51, mons.States[0].SampleCount);
            Assert.Equal((float)e.ReadState(1, 3, 0), mons.States[0].SampleValues(50)[1]);
            (e as IDisposable)?.Dispose();
        }
    }

    [Theory]
    [InlineData(ExecutionChoice.Event)]
    [InlineData(ExecutionChoice.Clock)]
    public void ResetStateStartsEachSampleAfresh(ExecutionChoice execution)
    {
        // The same input pattern presented twice, with ResetState in between (and spikes still in flight when it is
        // called), gives the same spikes shifted by the presentation period, in either execution.
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(8))
            .AddNeurons("a", 12, NeuronModel.CubaLif, p => p.Set("tau_e", 2).Set("t_ref", 1).InitialUniform("v", -60, -52, seed: 3))
            .AddNeurons("b", 5, NeuronModel.Lif, p => p.Set("t_ref", 2))
            .Connect("in", "a", ConnectivitySpec.FixedProbability(0.5, seed: 1), c => c.WeightUniform(8, 20, seed: 2).Receptor("e").Delay(SimDuration.FromMicroseconds(500)))
            .Connect("a", "b", ConnectivitySpec.AllToAll(), c => c.Weight(6).Delay(SimDuration.FromMilliseconds(3L)))
            .Connect("b", "a", ConnectivitySpec.AllToAll(), c => c.Weight(-4).Receptor("i").Delay(SimDuration.FromMilliseconds(2L)))
            .Build();
        using var e = new SimulationEngine(net, new EngineOptions { Execution = execution });
        var spikes = new SpikeList();
        e.AddSpikeMonitor(spikes);
        long period = Units.Ms(50);
        for (int sample = 0; sample < 2; sample++)
        {
            for (int k = 0; k < 96; k++)
            {
                e.InjectEvent(SimTime.FromTicks((sample * period) + Units.Ms(1 + (k % 48))), 0, k % 8);
            }

            // Inputs arrive until 49.5 ms: deliveries and spikes are still in flight at the reset.
            e.RunUntil(SimTime.FromTicks((sample + 1) * period));
            Assert.True(e.PendingEvents > 0 || execution == ExecutionChoice.Clock);
            e.ResetState();
        }

        var first = spikes.Spikes.Where(x => x.Pop != 0 && x.T < period).Select(x => (x.T, x.Pop, x.Neuron)).ToArray();
        var second = spikes.Spikes.Where(x => x.Pop != 0 && x.T >= period).Select(x => (x.T - period, x.Pop, x.Neuron)).ToArray();
        Assert.True(first.Length > 20 && first.Any(x => x.Pop == 2), $"{first.Length} spikes");
        Assert.Equal(first, second);
    }
}
