using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.Logging;

namespace EventSnn.Hosting;

/// <summary>
/// The one place that chooses the engine the hosted service and the ingest benchmarks run: <c>AddEventSnn</c> registers
/// <see cref="Create"/> as the default <see cref="Func{NetworkSpec, ISimulationEngine}"/> (replaceable in the services).
/// </summary>
public static class EventSnnEngines
{
    /// <summary>
    /// Builds the default engine for <paramref name="network"/>: the simulation engine with every population as it
    /// declares (undeclared populations event-driven, so live events are processed at their own times).
    /// </summary>
    /// <param name="network">The network.</param>
    /// <param name="logger">The engine's logger, or null.</param>
    public static ISimulationEngine Create(NetworkSpec network, ILogger? logger = null) => new SimulationEngine(network, new EngineOptions { Logger = logger });
}
