using BenchmarkDotNet.Attributes;
using EventSnn.Cli.Networks;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Benchmarks;

/// <summary>
/// Clock-driven execution of the Brette et al. (2007) CUBA and COBA networks (4000 neurons, 320k synapses), built with
/// the public builder as <c>eventsnn bench cuba|coba</c> builds them: 100 steps (10 ms of network time) per operation.
/// <c>[MemoryDiagnoser]</c> shows the steady state allocates nothing per step.
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*ClockEngine*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ClockEngineBenchmarks
{
    private SimulationEngine _engine = null!;

    /// <summary>The model.</summary>
    [Params("cuba", "coba")]
    public string Model { get; set; } = "cuba";

    /// <summary>Builds the network and warms it up for 200 ms (past the initial transient).</summary>
    [GlobalSetup]
    public void Setup()
    {
        NetworkSpec spec = BretteNetworks.Build(Model == "cuba" ? BretteModel.Cuba : BretteModel.Coba, 4000, 1, ExecutionSpec.Clock(SimDuration.FromMicroseconds(100)));
        _engine = new SimulationEngine(spec);
        _engine.RunUntil(SimTime.FromMilliseconds(200L));
    }

    /// <summary>Disposes the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>100 steps of 0.1 ms.</summary>
    [Benchmark]
    public long Steps100()
    {
        _engine.RunUntil(_engine.Now + SimDuration.FromMilliseconds(10L));
        return _engine.SpikeCount;
    }
}

/// <summary>One dense clock-driven step of a CUBA population of 4k and 64k neurons (no synapses), 1 and 2 device threads.</summary>
[MemoryDiagnoser]
public class CpuDeviceBenchmarks
{
    private SimulationEngine _engine = null!;

    /// <summary>Neurons.</summary>
    [Params(4_000, 64_000)]
    public int Neurons { get; set; }

    /// <summary>Device threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds one population.</summary>
    [GlobalSetup]
    public void Setup()
    {
        NetworkSpec spec = new NetworkBuilder()
            .AddNeurons("n", Neurons, NeuronModel.CubaLif, o => o.Set("v_rest", -49).Set("t_ref", 5).InitialUniform("v", -60, -50, 1).ClockDriven(SimDuration.FromMicroseconds(100)))
            .Build();
        _engine = new SimulationEngine(spec, new EngineOptions { Threads = Threads, MaxWindowSteps = 1 });
        _engine.RunUntil(SimTime.FromMilliseconds(20L));
    }

    /// <summary>Disposes the engine and its device.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>One dense step of the whole population.</summary>
    [Benchmark]
    public long Step()
    {
        _engine.RunUntil(_engine.Now + SimDuration.FromMicroseconds(100));
        return _engine.SpikeCount;
    }
}
