namespace EventSnn.Simulator.Tests.Clock;

/// <summary>
/// Test classes that measure allocation run alone (not in parallel with other classes): concurrent tests change thread
/// scheduling, and with it which lazily created synchronisation objects first get used inside a measured window.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>The collection name.</summary>
    public const string Name = "Clock allocation measurements";
}
