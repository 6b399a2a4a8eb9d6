using BenchmarkDotNet.Attributes;
using EventSnn.EventQueue;
using EventSnn.Simulator;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Benchmarks;

/// <summary>The networks of <see cref="EventEngineBenchmarks"/>.</summary>
public enum EventNetwork
{
    /// <summary>
    /// Brette et al. (2007) CUBA as Brian2 documents it, 4000 neurons, p = 0.02, delay 0.1 ms (exact CUBA propagator,
    /// crossings between events found by search): the event engine's worst case (every neuron driven suprathreshold).
    /// </summary>
    Cuba,

    /// <summary>
    /// Brette et al. (2007) COBA (El −60 mV, Ee 0, Ei −80 mV, I = 20 mV, we = 0.6, wi = 6.7, delay 0.1 ms), conductances
    /// exact, v by the variation-of-constants formula with Gauss–Legendre panels.
    /// </summary>
    Coba,

    /// <summary>
    /// Sparse feed-forward/recurrent LIF with delta synapses (closed-form propagator and crossing): 1000 Poisson sources
    /// at 5 Hz → 10 000 LIF neurons (p = 0.02, w = 2 mV, 1 ms) with recurrent p = 0.001 (w = 3 mV, 2 ms): low activity,
    /// the event engine's home ground.
    /// </summary>
    SparseLif,
}

/// <summary>
/// Event-driven engine, 10 ms of network time per operation after a 300 ms warm-up. <c>[MemoryDiagnoser]</c> shows
/// that the steady state allocates nothing per event (the queue's storage is kept and reused).
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*EventEngine*'</c>.
/// </summary>
[MemoryDiagnoser]
public class EventEngineBenchmarks
{
    private SimulationEngine _engine = null!;

    /// <summary>The network.</summary>
    [Params(EventNetwork.Cuba, EventNetwork.Coba, EventNetwork.SparseLif)]
    public EventNetwork Network { get; set; }

    /// <summary>Builds the network and runs 300 ms of warm-up (past the transient in which the queue storage grows to its working size).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _engine = new SimulationEngine(Build(Network), new EngineOptions { Execution = ExecutionChoice.Event });
        _engine.RunUntil(SimTime.FromMilliseconds(300L));
    }

    /// <summary>Builds one of the benchmark networks.</summary>
    /// <param name="network">Which network.</param>
    public static NetworkSpec Build(EventNetwork network)
    {
        if (network == EventNetwork.Cuba)
        {
            const int n = 4000;
            const double p = 80.0 / n;
            static void Cuba(PopulationOptions o, ulong seed) => o.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_rest", -49)
                .Set("v_thresh", -50).Set("v_reset", -60).Set("t_ref", 5).InitialUniform("v", -60, -50, seed);
            return new NetworkBuilder()
                .AddNeurons("exc", 3200, NeuronModel.CubaLif, o => Cuba(o, 1))
                .AddNeurons("inh", 800, NeuronModel.CubaLif, o => Cuba(o, 2))
                .Connect("exc", "exc", ConnectivitySpec.FixedProbability(p, 3), c => c.Weight(60 * 0.27 / 10).Receptor("e").Delay(SimDuration.FromTicks(100_000)))
                .Connect("exc", "inh", ConnectivitySpec.FixedProbability(p, 4), c => c.Weight(60 * 0.27 / 10).Receptor("e").Delay(SimDuration.FromTicks(100_000)))
                .Connect("inh", "exc", ConnectivitySpec.FixedProbability(p, 5), c => c.Weight(-20 * 4.5 / 10).Receptor("i").Delay(SimDuration.FromTicks(100_000)))
                .Connect("inh", "inh", ConnectivitySpec.FixedProbability(p, 6), c => c.Weight(-20 * 4.5 / 10).Receptor("i").Delay(SimDuration.FromTicks(100_000)))
                .Build();
        }

        if (network == EventNetwork.Coba)
        {
            const int n = 4000;
            const double p = 80.0 / n;
            static void Coba(PopulationOptions o, ulong seed) => o.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_rest", -60)
                .Set("v_thresh", -50).Set("v_reset", -60).Set("e_exc", 0).Set("e_inh", -80).Set("i_offset", 20).Set("t_ref", 5)
                .InitialUniform("v", -60, -50, seed);
            return new NetworkBuilder()
                .AddNeurons("exc", 3200, NeuronModel.CobaLif, o => Coba(o, 1))
                .AddNeurons("inh", 800, NeuronModel.CobaLif, o => Coba(o, 2))
                .Connect("exc", "exc", ConnectivitySpec.FixedProbability(p, 3), c => c.Weight(0.6).Receptor("e").Delay(SimDuration.FromTicks(100_000)))
                .Connect("exc", "inh", ConnectivitySpec.FixedProbability(p, 4), c => c.Weight(0.6).Receptor("e").Delay(SimDuration.FromTicks(100_000)))
                .Connect("inh", "exc", ConnectivitySpec.FixedProbability(p, 5), c => c.Weight(6.7).Receptor("i").Delay(SimDuration.FromTicks(100_000)))
                .Connect("inh", "inh", ConnectivitySpec.FixedProbability(p, 6), c => c.Weight(6.7).Receptor("i").Delay(SimDuration.FromTicks(100_000)))
                .Build();
        }

        return new NetworkBuilder()
            .AddPoisson("in", 1000, 5, seed: 1)
            .AddNeurons("lif", 10_000, NeuronModel.Lif, o => o.Set("tau_m", 20).Set("t_ref", 2).InitialUniform("v", -65, -55, 2))
            .Connect("in", "lif", ConnectivitySpec.FixedProbability(0.02, 3), c => c.Weight(2).Delay(SimDuration.FromTicks(1_000_000)))
            .Connect("lif", "lif", ConnectivitySpec.FixedProbability(0.001, 5), c => c.Weight(3).Delay(SimDuration.FromTicks(2_000_000)))
            .Build();
    }

    /// <summary>10 ms of network time.</summary>
    [Benchmark]
    public long Run10ms()
    {
        _engine.RunUntil(_engine.Now + SimDuration.FromMilliseconds(10L));
        return _engine.EventCount;
    }
}
