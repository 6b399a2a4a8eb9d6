using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace EventSnn.Hosting;

/// <summary>
/// Health of the sources: healthy when every source is connected (or a finite one completed), degraded when some are
/// reconnecting, unhealthy when none is connected (or a finite source failed).
/// </summary>
public sealed class EventSnnSourcesHealthCheck(EventSnnStatus status) : IHealthCheck
{
    /// <summary>The name it is registered under.</summary>
    public const string Name = "eventsnn-sources";

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<SourceStatus> sources = status.Snapshot().Sources;
        int ok = sources.Count(s => s.State is SourceState.Connected or SourceState.Completed);
        var data = sources.ToDictionary(s => s.Name, s => (object)s.State.ToString());
        string detail = string.Join("; ", sources.Select(s => $"{s.Name}: {s.State}{(s.LastError is null ? string.Empty : $" ({s.LastError})")}"));
        HealthCheckResult result = sources.Any(s => s.State == SourceState.Faulted) || ok == 0
            ? HealthCheckResult.Unhealthy(detail, data: data)
            : ok < sources.Count ? HealthCheckResult.Degraded(detail, data: data) : HealthCheckResult.Healthy(detail, data);
        return Task.FromResult(result);
    }
}

/// <summary>Health of the lag: healthy while the batch being processed is younger than <see cref="EventSnnOptions.MaxLag"/>, degraded otherwise.</summary>
public sealed class EventSnnLagHealthCheck(EventSnnStatus status, IOptions<EventSnnOptions> options) : IHealthCheck
{
    /// <summary>The name it is registered under.</summary>
    public const string Name = "eventsnn-lag";

    /// <inheritdoc/>
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        long lagUs = status.LagMicroseconds;
        long maxUs = (long)options.Value.MaxLag.TotalMicroseconds;
        string detail = $"lag {lagUs} µs (bound {maxUs} µs), {status.QueuedBatches} batches queued";
        return Task.FromResult(lagUs <= maxUs ? HealthCheckResult.Healthy(detail) : HealthCheckResult.Degraded(detail));
    }
}
