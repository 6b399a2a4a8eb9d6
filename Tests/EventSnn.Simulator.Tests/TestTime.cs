using EventSnn.EventQueue;

namespace EventSnn.Simulator.Tests;

/// <summary>Typed times from tick counts, for readable test data.</summary>
internal static class TestTime
{
    public static SimTime[] Ticks(params long[] ticks) => [.. ticks.Select(SimTime.FromTicks)];

    public static SimDuration[] Durations(params long[] ticks) => [.. ticks.Select(SimDuration.FromTicks)];
}
