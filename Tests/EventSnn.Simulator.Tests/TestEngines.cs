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
}
