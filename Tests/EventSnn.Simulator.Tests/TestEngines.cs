using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>The simulation engine with every population event-driven, or every population clock-driven.</summary>
internal static class TestEngines
{
    public static SimulationEngine Event(NetworkSpec net) => new(net, new EngineOptions { Execution = ExecutionChoice.Event });

    public static SimulationEngine Clock(NetworkSpec net, SimDuration? dt = null, IComputeDevice? device = null, int maxWindow = 64)
        => new(net, new EngineOptions
        {
            Execution = ExecutionChoice.Clock,
            DefaultDt = dt ?? SimDuration.FromMicroseconds(100),
            Device = device,
            MaxWindowSteps = maxWindow,
        });

    /// <summary>
    /// Bytes the calling thread allocates while <paramref name="engine"/> replays, from <paramref name="saved"/>, the stretch
    /// up to <paramref name="until"/>: replayed until one replay allocates nothing, at most 6 times. The first replays may
    /// still see allocations made while tiered compilation finishes; a per-step or per-delivery allocation shows in every
    /// replay, so a non-zero result means the engine allocates in steady state.
    /// </summary>
    public static long AllocatedOnReplay(SimulationEngine engine, MemoryStream saved, SimTime until)
    {
        long allocated = long.MaxValue;
        for (int replay = 0; replay < 6 && allocated != 0; replay++)
        {
            saved.Position = 0;
            engine.Restore(saved);
            long before = GC.GetAllocatedBytesForCurrentThread();
            engine.RunUntil(until);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        }

        return allocated;
    }
}
