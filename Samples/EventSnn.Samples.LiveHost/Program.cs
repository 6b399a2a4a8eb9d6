using EventSnn.EventQueue;
using EventSnn.Hosting;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using ILogger = Microsoft.Extensions.Logging.ILogger;

namespace EventSnn.Samples.LiveHost;

/// <summary>
/// A generic host that runs an EventSnn network on live event streams. Everything is configured in appsettings.json:
/// the sources (the DVS emulator by default, so it runs without a camera; point it at <c>tcp://HOST:PORT</c> for a
/// dv-processing server, or at <c>tcp-listen://127.0.0.1:7777</c> and run <c>eventsnn stream FILE --to tcp://127.0.0.1:7777</c>),
/// the pipeline options, and Serilog (console and a rolling file under logs/). Decisions are logged as they come;
/// spikes and decisions are also served as text lines on tcp 127.0.0.1:7800. Ctrl+C stops it: the channel is
/// drained and the network's state saved to state/eventsnn.ckpt, from which the next start continues.
/// </summary>
internal static partial class Program
{
    public static async Task<int> Main(string[] args)
    {
        // appsettings.json is read from beside the program; logs/ and state/ go to the working directory.
        HostApplicationBuilder builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddSerilog((services, logger) => logger.ReadFrom.Configuration(builder.Configuration));
        builder.Services.AddEventSnn(_ => BuildNetwork()).BindConfiguration(EventSnnOptions.SectionName);
        builder.Services.AddHostedService<DecisionLogger>();
        using IHost host = builder.Build();
        try
        {
            await host.RunAsync().ConfigureAwait(false);
            return 0;
        }
        catch (Microsoft.Extensions.Options.OptionsValidationException ex)
        {
            await Console.Error.WriteLineAsync($"eventsnn: invalid configuration: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return 2;
        }
    }

    /// <summary>A 2×64×64 DVS input onto 16 leaky integrate-and-fire neurons, each watching a random fifth of the pixels.</summary>
    private static NetworkSpec BuildNetwork() => new NetworkBuilder()
        .AddExternalInput("dvs", new PopulationShape(2, 64, 64))
        .AddNeurons("out", 16, NeuronModel.Lif, p => p.Set("tau_m", 20))
        .Connect("dvs", "out", ConnectivitySpec.FixedProbability(0.2, seed: 1), c => c.Weight(0.5).Delay(SimDuration.FromMilliseconds(1L)))
        .Build();

    /// <summary>Logs each decision (the most active output neuron per window).</summary>
    private sealed partial class DecisionLogger(EventSnnOutputs outputs, ILogger<DecisionLogger> logger) : BackgroundService
    {
        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            using OutputSubscription subscription = outputs.Subscribe(1024);
            try
            {
                await foreach (Decision d in subscription.Decisions.ReadAllAsync(stoppingToken).ConfigureAwait(false))
                {
                    LogDecision(logger, d.WindowStart.TotalMilliseconds, d.Neuron, d.Count, d.Total);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        [LoggerMessage(Level = LogLevel.Information, Message = "Decision at {TimeMs:0} ms: neuron {Neuron} ({Count} of {Total} spikes)")]
        private static partial void LogDecision(ILogger logger, double timeMs, int neuron, int count, int total);
    }
}
