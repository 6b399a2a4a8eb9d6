using System.Diagnostics.Metrics;

namespace EventSnn.Hosting;

/// <summary>
/// The pipeline's instruments on the meter <see cref="MeterName"/> (System.Diagnostics.Metrics; export them with
/// OpenTelemetry or watch them with <c>dotnet-counters monitor --counters EventSnn.Hosting</c>).
/// </summary>
/// <remarks>
/// <para>Counters: <c>eventsnn.events.received</c> (tag <c>source</c>), <c>eventsnn.events.dropped</c>,
/// <c>eventsnn.events.processed</c>, <c>eventsnn.events.outside</c>, <c>eventsnn.events.late</c>,
/// <c>eventsnn.spikes.out</c>, <c>eventsnn.decisions</c>, <c>eventsnn.source.failures</c> (tag <c>source</c>).
/// Histogram: <c>eventsnn.step.duration</c> (µs to inject one batch and run the network to its last event).
/// Gauges: <c>eventsnn.ingest.lag</c> (µs), <c>eventsnn.channel.depth</c> (batches), <c>eventsnn.sources.connected</c>.</para>
/// </remarks>
public sealed class EventSnnMetrics : IDisposable
{
    /// <summary>The meter's name.</summary>
    public const string MeterName = "EventSnn.Hosting";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;

    /// <summary>Creates the instruments on a meter from <paramref name="meterFactory"/> (or an own meter when null).</summary>
    /// <param name="status">The counters the gauges observe.</param>
    /// <param name="meterFactory">The host's meter factory, or null.</param>
    public EventSnnMetrics(EventSnnStatus status, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        Received = _meter.CreateCounter<long>("eventsnn.events.received", "{event}", "Events the sources decoded and queued.");
        Dropped = _meter.CreateCounter<long>("eventsnn.events.dropped", "{event}", "Events of batches dropped because the channel was full (drop modes).");
        Processed = _meter.CreateCounter<long>("eventsnn.events.processed", "{event}", "Events run through the network.");
        Outside = _meter.CreateCounter<long>("eventsnn.events.outside", "{event}", "Events outside the input population's shape (skipped).");
        Late = _meter.CreateCounter<long>("eventsnn.events.late", "{event}", "Events older than the network's time (injected at that time).");
        SpikesOut = _meter.CreateCounter<long>("eventsnn.spikes.out", "{spike}", "Output spikes published.");
        Decisions = _meter.CreateCounter<long>("eventsnn.decisions", "{decision}", "Decisions published.");
        SourceFailures = _meter.CreateCounter<long>("eventsnn.source.failures", "{session}", "Source sessions that ended with an error.");
        StepDuration = _meter.CreateHistogram<long>("eventsnn.step.duration", "us", "Time to inject one batch and run the network to its last event.");
        _meter.CreateObservableGauge("eventsnn.ingest.lag", () => status.LagMicroseconds, "us", "Wall time between a batch's arrival and its processing.");
        _meter.CreateObservableGauge("eventsnn.channel.depth", () => status.QueuedBatches, "{batch}", "Batches waiting in the channel.");
        _meter.CreateObservableGauge("eventsnn.sources.connected", () => status.ConnectedSources, "{source}", "Sources with an open session.");
    }

    internal Counter<long> Received { get; }

    internal Counter<long> Dropped { get; }

    internal Counter<long> Processed { get; }

    internal Counter<long> Outside { get; }

    internal Counter<long> Late { get; }

    internal Counter<long> SpikesOut { get; }

    internal Counter<long> Decisions { get; }

    internal Counter<long> SourceFailures { get; }

    internal Histogram<long> StepDuration { get; }

    /// <summary>Disposes an own meter (a factory's meters belong to the factory).</summary>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}
