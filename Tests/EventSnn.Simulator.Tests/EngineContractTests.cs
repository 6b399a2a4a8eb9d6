using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// The engine's contract, checked for every execution mix of one network: all populations event-driven, all
/// clock-driven, and hybrids (some of each, clock-driven populations with different steps). Same seed ⇒ identical
/// spikes whatever the thread count, window length or pause points; save/restore continues the same run; monitors see
/// non-decreasing times.
/// </summary>
public class EngineContractTests
{
    /// <summary>The execution mixes the contract is checked on.</summary>
    public static TheoryData<string> Mixes => ["event", "clock", "hybrid", "hybrid-steps"];

    /// <summary>
    /// Poisson and external input, excitatory and inhibitory CUBA populations with recurrence and mixed delays, an LIF
    /// readout fed through a plastic projection (its deliveries wait in the queue in clock mode).
    /// </summary>
    private static NetworkSpec Network(string mix)
    {
        SimDuration dt = SimDuration.FromMicroseconds(100);
        void Exec(PopulationOptions p, int index)
        {
            switch (mix)
            {
                case "event":
                    p.EventDriven();
                    break;
                case "clock":
                    p.ClockDriven(dt);
                    break;
                case "hybrid":
                    if (index == 1)
                    {
                        p.EventDriven();
                    }
                    else
                    {
                        p.ClockDriven(dt);
                    }

                    break;
                default:
                    if (index == 2)
                    {
                        p.EventDriven();
                    }
                    else
                    {
                        p.ClockDriven(index == 0 ? dt : SimDuration.FromMicroseconds(250));
                    }

                    break;
            }
        }

        return new NetworkBuilder()
            .AddPoisson("noise", 40, 60, seed: 2)
            .AddExternalInput("ext", PopulationShape.Linear(10))
            .AddNeurons("exc", 240, NeuronModel.CubaLif, p => { p.Set("v_rest", -52).Set("t_ref", 2).InitialUniform("v", -60, -50, 3); Exec(p, 0); })
            .AddNeurons("inh", 60, NeuronModel.CubaLif, p => { p.Set("v_rest", -52).Set("t_ref", 1).InitialUniform("v", -60, -50, 4); Exec(p, 1); })
            .AddNeurons("out", 12, NeuronModel.Lif, p => { p.Set("t_ref", 3).Set("v_thresh", -58); Exec(p, 2); })
            .Connect("noise", "exc", ConnectivitySpec.FixedProbability(0.2, 5), c => c.Receptor("e").Weight(2.5).Delay(SimDuration.FromMicroseconds(300)))
            .Connect("ext", "exc", ConnectivitySpec.FixedProbability(0.3, 6), c => c.Receptor("e").Weight(4).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("exc", "exc", ConnectivitySpec.FixedProbability(0.05, 7), c => c.Receptor("e").Weight(1.2).DelayUniform(SimDuration.FromMicroseconds(200), SimDuration.FromMilliseconds(3L), 8))
            .Connect("exc", "inh", ConnectivitySpec.FixedProbability(0.1, 9), c => c.Receptor("e").Weight(1.5).Delay(SimDuration.FromMicroseconds(700)))
            .Connect("inh", "exc", ConnectivitySpec.FixedProbability(0.1, 10), c => c.Receptor("i").Weight(-6).Delay(SimDuration.FromMicroseconds(400)))
            .Connect("exc", "out", ConnectivitySpec.FixedProbability(0.2, 11), c => c.WeightUniform(0.5, 2, 12).Delay(SimDuration.FromMilliseconds(1L))
                .Stdp(new StdpSpec(0.02, 0.025, 15, 15, 0, 3)))
            .Build();
    }

    private static (List<(long T, int Pop, int Neuron)> Spikes, SimulationEngine Engine) Run(string mix, int threads = 1, int maxWindow = 64, params long[] stops)
    {
        var e = new SimulationEngine(Network(mix), new EngineOptions { Threads = threads, MaxWindowSteps = maxWindow });
        var spikes = new SpikeList();
        e.AddSpikeMonitor(spikes);
        for (int k = 0; k < 120; k++)
        {
            e.InjectEvent(SimTime.FromTicks(Units.Ms(1) + (k * 987_654L)), 1, k % 10);
        }

        foreach (long t in stops.Length == 0 ? [Units.Ms(150)] : stops)
        {
            e.RunUntil(SimTime.FromTicks(t));
        }

        return ([.. spikes.Spikes.Select(s => (s.T, s.Pop, s.Neuron))], e);
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public void SameSeedSameSpikesForEveryThreadCountWindowAndPause(string mix)
    {
        var (reference, engine) = Run(mix);
        using (engine)
        {
            Assert.True(reference.Count(s => s.Pop == 2) > 300, $"{mix}: {reference.Count(s => s.Pop == 2)} exc spikes");
            Assert.True(reference.Count(s => s.Pop == 4) > 5, $"{mix}: {reference.Count(s => s.Pop == 4)} readout spikes");
            Assert.Contains(((PairStdpRule<AdditiveDependence>)engine.GetPlasticity(5)!).PreTrace.Values, v => v != 0);
        }

        Assert.Equal(reference, Run(mix).Spikes);
        Assert.Equal(reference, Run(mix, threads: 2).Spikes);
        Assert.Equal(reference, Run(mix, maxWindow: 1).Spikes);
        Assert.Equal(reference, Run(mix, stops: [1, Units.Ms(13) + 7, Units.Ms(13) + 7, Units.Ms(40) + 50_001, Units.Ms(99), Units.Ms(150)]).Spikes);
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public void MonitorsSeeNonDecreasingTimes(string mix)
    {
        var (spikes, engine) = Run(mix);
        engine.Dispose();
        for (int i = 1; i < spikes.Count; i++)
        {
            Assert.True(spikes[i].T >= spikes[i - 1].T, $"{mix}: spike {i} at {spikes[i].T} after {spikes[i - 1].T}");
        }
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public void SaveRestoreContinuesTheSameRun(string mix)
    {
        var (reference, full) = Run(mix);
        full.Dispose();
        var (_, first) = Run(mix, stops: [Units.Ms(61) + 3]);
        using var saved = new MemoryStream();
        first.Save(saved);
        first.Dispose();

        using var restored = new SimulationEngine(Network(mix));
        saved.Position = 0;
        restored.Restore(saved);
        Assert.Equal(SimTime.FromTicks(Units.Ms(61) + 3), restored.Now);
        var spikes = new SpikeList();
        restored.AddSpikeMonitor(spikes);
        restored.RunUntil(SimTime.FromMilliseconds(150L));
        Assert.Equal(reference.Where(s => s.T > Units.Ms(61) + 3), spikes.Spikes.Select(s => (s.T, s.Pop, s.Neuron)));

        // A state of another mix does not fit: the fingerprint names executions and steps.
        string other = mix == "event" ? "clock" : "event";
        using var foreign = new SimulationEngine(Network(other));
        saved.Position = 0;
        Assert.Throws<InvalidDataException>(() => foreign.Restore(saved));
    }

    [Theory]
    [MemberData(nameof(Mixes))]
    public void InjectionAndRunValidation(string mix)
    {
        using var e = new SimulationEngine(Network(mix));
        e.RunUntil(SimTime.FromMilliseconds(5L));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.InjectEvent(SimTime.FromMilliseconds(4L), 1, 0));
        Assert.Throws<ArgumentException>(() => e.InjectEvent(SimTime.FromMilliseconds(6L), 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.InjectEvent(SimTime.FromMilliseconds(6L), 1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.RunUntil(SimTime.FromMilliseconds(4L)));
        Assert.Throws<ArgumentException>(() => e.ReadState(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(2, 240, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(2, 0, 3));
        Assert.InRange(e.ReadState(2, 0, 0), -80, -40);
    }

    [Fact]
    public void EngineOptionsAreValidated()
    {
        NetworkSpec net = Network("hybrid");
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationEngine(net, new EngineOptions { Threads = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationEngine(net, new EngineOptions { MaxWindowSteps = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationEngine(net, new EngineOptions { DefaultDt = SimDuration.Zero }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SimulationEngine(net, new EngineOptions { MaxRingSlots = 1 }));
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        using var shared = new SimulationEngine(net, new EngineOptions { Device = device });
        Assert.Same(device, shared.Device);
        Assert.Equal(ExecutionMode.Event, shared.GetExecution(3)!.Mode);
        Assert.Equal(ExecutionMode.Clock, shared.GetExecution(4)!.Mode);
        Assert.Null(shared.GetExecution(0));
    }
}
