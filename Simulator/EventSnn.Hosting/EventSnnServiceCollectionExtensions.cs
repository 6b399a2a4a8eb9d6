using System.Diagnostics.Metrics;
using EventSnn.Datasets.Streams;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace EventSnn.Hosting;

/// <summary>Registers the EventSnn hosted service.</summary>
public static class EventSnnServiceCollectionExtensions
{
    /// <summary>
    /// Adds the EventSnn hosted service for <paramref name="network"/>: validated options (<c>ValidateOnStart</c>), the
    /// engine factory (<see cref="Func{NetworkSpec, ISimulationEngine}"/>, default the event-driven engine; register your
    /// own before or after to replace it), the pipeline, status, outputs, metrics and the health checks
    /// <c>eventsnn-sources</c> and <c>eventsnn-lag</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="network">Gives the network (called once).</param>
    /// <returns>The options builder, to configure or bind the options (e.g. <c>.BindConfiguration("EventSnn")</c>).</returns>
    public static OptionsBuilder<EventSnnOptions> AddEventSnn(this IServiceCollection services, Func<IServiceProvider, NetworkSpec> network)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(network);
        services.AddMetrics();
        services.TryAddSingleton(sp => new EventSnnNetwork(network(sp)));
        services.TryAddSingleton<Func<NetworkSpec, ISimulationEngine>>(sp =>
        {
            ILoggerFactory? loggers = sp.GetService<ILoggerFactory>();
            return spec => EventSnnEngines.Create(spec, loggers?.CreateLogger("EventSnn.Engine"));
        });
        services.TryAddSingleton<EventSourceFactory>(EventSources.Create);
        services.TryAddSingleton<EventSnnStatus>();
        services.TryAddSingleton<EventSnnOutputs>();
        services.TryAddSingleton(sp => new EventSnnMetrics(sp.GetRequiredService<EventSnnStatus>(), sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new EventSnnPipeline(
            sp.GetRequiredService<EventSnnNetwork>().Spec,
            sp.GetRequiredService<Func<NetworkSpec, ISimulationEngine>>(),
            sp.GetRequiredService<IOptions<EventSnnOptions>>().Value,
            sp.GetRequiredService<EventSnnStatus>(),
            sp.GetRequiredService<EventSnnMetrics>(),
            sp.GetRequiredService<EventSnnOutputs>(),
            sp.GetService<ILoggerFactory>(),
            sp.GetService<EventSourceFactory>()));
        services.AddHostedService<EventSnnService>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EventSnnOptions>, EventSnnOptionsValidator>(
            sp => new EventSnnOptionsValidator(() => sp.GetRequiredService<EventSnnNetwork>(), sp.GetService<EventSourceFactory>())));
        services.AddHealthChecks()
            .AddCheck<EventSnnSourcesHealthCheck>(EventSnnSourcesHealthCheck.Name)
            .AddCheck<EventSnnLagHealthCheck>(EventSnnLagHealthCheck.Name);
        return services.AddOptions<EventSnnOptions>().ValidateOnStart();
    }

    /// <summary>Adds the EventSnn hosted service for a fixed network (see the other overload).</summary>
    /// <param name="services">The services.</param>
    /// <param name="network">The network.</param>
    /// <param name="configure">Sets the options; null to configure them elsewhere.</param>
    public static OptionsBuilder<EventSnnOptions> AddEventSnn(this IServiceCollection services, NetworkSpec network, Action<EventSnnOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        OptionsBuilder<EventSnnOptions> builder = services.AddEventSnn(_ => network);
        return configure is null ? builder : builder.Configure(configure);
    }
}
