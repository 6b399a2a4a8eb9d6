using EventSnn.Simulator.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace EventSnn.Hosting;

/// <summary>
/// Runs a network on event sources as a self-contained host, for command-line tools (<c>eventsnn serve</c>) and tests:
/// builds a host with the EventSnn service, reports the live status at an interval, and stops (draining and
/// checkpointing) when cancelled.
/// </summary>
public static class EventSnnHost
{
    /// <summary>Builds a host running <paramref name="network"/> on <paramref name="sources"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="sources">Source addresses (they replace any in the options).</param>
    /// <param name="configure">Further options; null for defaults.</param>
    /// <param name="configureLogging">Logging (e.g. Serilog in a host); null logs nothing.</param>
    /// <param name="configureServices">More services (e.g. a replacement engine factory); null for none.</param>
    /// <returns>The host (not started); its services hold <see cref="EventSnnStatus"/> and <see cref="EventSnnOutputs"/>.</returns>
    public static IHost Build(
        NetworkSpec network,
        IEnumerable<string> sources,
        Action<EventSnnOptions>? configure = null,
        Action<ILoggingBuilder>? configureLogging = null,
        Action<IServiceCollection>? configureServices = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(sources);
        string[] list = [.. sources];
        HostApplicationBuilder builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging(logging =>
        {
            logging.ClearProviders();
            configureLogging?.Invoke(logging);
        });
        configureServices?.Invoke(builder.Services);
        builder.Services.AddEventSnn(network, options =>
        {
            configure?.Invoke(options);
            options.Sources.Clear();
            foreach (string s in list)
            {
                options.Sources.Add(s);
            }
        });
        return builder.Build();
    }

    /// <summary>
    /// Runs <paramref name="network"/> on <paramref name="sources"/> until <paramref name="cancellationToken"/> is
    /// cancelled (or every source is finite and done), calling <paramref name="onStatus"/> with a snapshot every
    /// <paramref name="statusInterval"/> and once at the end.
    /// </summary>
    /// <returns>The final status (after draining and checkpointing).</returns>
    /// <exception cref="Microsoft.Extensions.Options.OptionsValidationException">The options are invalid (the message lists every problem).</exception>
    public static async Task<StatusSnapshot> RunAsync(
        NetworkSpec network,
        IEnumerable<string> sources,
        Action<EventSnnOptions>? configure = null,
        Action<StatusSnapshot>? onStatus = null,
        TimeSpan? statusInterval = null,
        Action<ILoggingBuilder>? configureLogging = null,
        CancellationToken cancellationToken = default)
    {
        using IHost host = Build(network, sources, configure, configureLogging);
        EventSnnStatus status = host.Services.GetRequiredService<EventSnnStatus>();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        using var reporting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task report = Report(status, onStatus, statusInterval ?? TimeSpan.FromSeconds(1), reporting.Token);
        IHostApplicationLifetime lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
        EventSnnService service = host.Services.GetServices<IHostedService>().OfType<EventSnnService>().Single();
        try
        {
            // Ends when cancelled, or by itself when every source is finite and done.
            await Task.WhenAny(Task.Delay(Timeout.Infinite, cancellationToken), service.ExecuteTask ?? Task.CompletedTask).ConfigureAwait(false);
        }
        finally
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await reporting.CancelAsync().ConfigureAwait(false);
            await report.ConfigureAwait(false);
        }

        if (service.ExecuteTask is { IsFaulted: true } failed)
        {
            await failed.ConfigureAwait(false);
        }

        StatusSnapshot final = status.Snapshot();
        onStatus?.Invoke(final);
        return final;
    }

    private static async Task Report(EventSnnStatus status, Action<StatusSnapshot>? onStatus, TimeSpan interval, CancellationToken cancellationToken)
    {
        if (onStatus is null)
        {
            return;
        }

        using var timer = new PeriodicTimer(interval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                onStatus(status.Snapshot());
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
