using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>The ILGPU devices the tests share (creating a context and compiling kernels is the slow part).</summary>
internal static class TestDevices
{
    private static readonly Lazy<IlgpuDevice> s_cpu = new(() => IlgpuDevice.Create(IlgpuAcceleratorKind.Cpu));
    private static readonly Lazy<IlgpuDevice?> s_cuda = new(() => IlgpuDevice.TryCreate(IlgpuAcceleratorKind.Cuda, out IlgpuDevice? d, out _) ? d : null);

    /// <summary>ILGPU's CPU accelerator (always present).</summary>
    public static IlgpuDevice Cpu => s_cpu.Value;

    /// <summary>A CUDA device, or null without one.</summary>
    public static IlgpuDevice? Cuda => s_cuda.Value;

    /// <summary>Runs <paramref name="network"/> until <paramref name="until"/> on <paramref name="device"/> (null: the CPU device) and returns every spike and the engine.</summary>
    public static (List<(long T, int P, int N)> Spikes, SimulationEngine Engine) Run(NetworkSpec network, IComputeDevice? device, SimTime until, EngineOptions? options = null)
    {
        var engine = new SimulationEngine(network, (options ?? new EngineOptions()) with { Device = device });
        var spikes = new Recorder();
        engine.AddSpikeMonitor(spikes);
        engine.RunUntil(until);
        return (spikes.All, engine);
    }

    /// <summary>Records every spike.</summary>
    internal sealed class Recorder : ISpikeMonitor
    {
        public List<(long T, int P, int N)> All { get; } = [];

        public void OnSpike(SimTime time, int population, int neuron) => All.Add((time.Ticks, population, neuron));
    }
}

/// <summary>A fact that needs a CUDA GPU: skipped, saying so, when none is present.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class CudaFactAttribute : FactAttribute
{
    /// <summary>Skips the test when no CUDA device can be started.</summary>
    public CudaFactAttribute()
    {
        if (TestDevices.Cuda is null)
        {
            Skip = "Needs a CUDA GPU: none is present on this machine (run Tests/gpu/check.sh on a machine with one).";
        }
    }
}

/// <summary>The ILGPU tests share one device per accelerator and run one at a time.</summary>
[CollectionDefinition("ilgpu", DisableParallelization = true)]
public sealed class IlgpuTestGroup
{
}
