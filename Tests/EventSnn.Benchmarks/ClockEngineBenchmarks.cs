using BenchmarkDotNet.Attributes;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.Clock;

namespace EventSnn.Benchmarks;

/// <summary>
/// Clock-driven engine on the CUBA network (4000 neurons, 320k synapses): 100 steps (10 ms of network time) per
/// operation. <c>[MemoryDiagnoser]</c> shows the steady state allocates nothing per step.
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*ClockEngine*'</c>.
/// </summary>
[MemoryDiagnoser]
public class ClockEngineBenchmarks
{
    private ClockEngine _engine = null!;
    private CpuDevice _device = null!;

    /// <summary>The model.</summary>
    [Params(BretteModel.Cuba, BretteModel.Coba)]
    public BretteModel Model { get; set; }

    /// <summary>Builds the network and warms it up for 200 ms (past the initial transient).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        _engine = new ClockEngine(_device);
        BretteBenchmark.Build(_engine, new BretteBenchmarkOptions { Model = Model });
        _engine.RunFor(SimDuration.FromMilliseconds(200L));
    }

    /// <summary>Disposes the engine and device.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _device.Dispose();
    }

    /// <summary>100 steps of 0.1 ms.</summary>
    [Benchmark]
    public long Steps100()
    {
        _engine.RunFor(SimDuration.FromMilliseconds(10L));
        return _engine.SpikeCount;
    }
}

/// <summary>CPU device dispatch: one dense LIF step over 4k and 64k neurons, 1 and 2 threads.</summary>
[MemoryDiagnoser]
public class CpuDeviceBenchmarks
{
    private CpuDevice _device = null!;
    private SpikeBuffer _spikes = null!;
    private ClockEngine _engine = null!;
    private TwoReceptorLifPopulation _population = null!;

    /// <summary>Neurons.</summary>
    [Params(4_000, 64_000)]
    public int Neurons { get; set; }

    /// <summary>Device threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds one CUBA population.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _device = new CpuDevice(new CpuDeviceOptions { Threads = Threads, MinParallelCount = 16_384 });
        _engine = new ClockEngine(_device);
        _population = BretteBenchmark.Build(_engine, new BretteBenchmarkOptions { Neurons = Neurons, ConnectionsPerNeuron = 1 });
        _spikes = _device.CreateSpikeBuffer(Neurons);
    }

    /// <summary>Disposes the device.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        _engine.Dispose();
        _device.Dispose();
    }

    /// <summary>One dense step of the whole population.</summary>
    [Benchmark]
    public int Step() => _population.RunSteps(_device, 1, _spikes);
}
