using Microsoft.Extensions.Hosting;

namespace EventSnn.Hosting;

/// <summary>
/// The hosted service: on start builds the engine and restores the checkpoint (a failure stops the host's start), then
/// runs <see cref="EventSnnPipeline"/> until the host stops; stopping drains the channel and saves the checkpoint.
/// </summary>
public sealed class EventSnnService : BackgroundService
{
    private readonly EventSnnPipeline _pipeline;

    /// <summary>Creates the service around the pipeline.</summary>
    /// <param name="pipeline">The pipeline (a singleton).</param>
    public EventSnnService(EventSnnPipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        _pipeline = pipeline;
    }

    /// <inheritdoc/>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _pipeline.Initialize();
        return base.StartAsync(cancellationToken);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await Task.Yield();
        await _pipeline.RunAsync(stoppingToken).ConfigureAwait(false);
    }
}
