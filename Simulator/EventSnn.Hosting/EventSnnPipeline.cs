using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using EventSnn.Datasets.Streams;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Hosting;

/// <summary>
/// The ingest pipeline: one reader thread per source decodes batches into a bounded channel; one consumer takes them
/// in order, runs the network on them (<see cref="NetworkRunner"/>) and publishes the outputs. Owns the engine, the
/// sources and the output server. <see cref="EventSnnService"/> hosts it; it can also run on its own.
/// </summary>
/// <remarks>
/// <para><b>Accounting.</b> Every decoded event is counted once as received, then exactly once as processed or
/// dropped (a batch the full channel drops is counted in full); after <see cref="RunAsync"/> returns,
/// received = processed + dropped. Events a decoder rejects before they form events (a malformed stream, a datagram the
/// kernel dropped) are not events: the session's failure is logged and counted per source instead.</para>
/// <para><b>Memory bound.</b> Batches are pooled: at most capacity + sources + 2 batches exist, each
/// <see cref="EventSnnOptions.BatchEvents"/> × 13 bytes; each TCP session adds its decoder's buffers (AEDAT 4: at most
/// 2 × <see cref="EventSnnOptions.MaxFrameBytes"/>; raw EVT: 256 KiB); each output subscriber at most 2 ×
/// <see cref="EventSnnOptions.OutputQueueCapacity"/> items.</para>
/// </remarks>
public sealed partial class EventSnnPipeline : IAsyncDisposable
{
    private readonly NetworkSpec _network;
    private readonly Func<NetworkSpec, ISimulationEngine> _engineFactory;
    private readonly EventSnnOptions _options;
    private readonly EventSnnStatus _status;
    private readonly EventSnnMetrics _metrics;
    private readonly EventSnnOutputs _outputs;
    private readonly ILogger _logger;
    private readonly EventSourceFactory _sourceFactory;
    private readonly Channel<Batch> _channel;
    private readonly ConcurrentQueue<Batch> _pool = new();
    private readonly CancellationTokenSource _stopSources = new();
    private readonly List<IEventSource> _sources = [];
    private readonly List<Thread> _pumps = [];
    private int _pumpsRunning;
    private readonly TaskCompletionSource _pumpsDone = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _batchesCreated;
    private NetworkRunner? _runner;
    private OutputServer? _outputServer;
    private bool _ran;

    /// <summary>Creates the pipeline; nothing starts until <see cref="Initialize"/> and <see cref="RunAsync"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="engineFactory">Builds the engine for the network.</param>
    /// <param name="options">Validated options.</param>
    /// <param name="status">Where the counters go.</param>
    /// <param name="metrics">The instruments.</param>
    /// <param name="outputs">Where outputs are published.</param>
    /// <param name="loggerFactory">Logging; null for none.</param>
    /// <param name="sourceFactory">Creates a source from an address; null for <see cref="EventSources.Create(string, EventSourceOptions?)"/>.</param>
    public EventSnnPipeline(
        NetworkSpec network,
        Func<NetworkSpec, ISimulationEngine> engineFactory,
        EventSnnOptions options,
        EventSnnStatus status,
        EventSnnMetrics metrics,
        EventSnnOutputs outputs,
        ILoggerFactory? loggerFactory = null,
        EventSourceFactory? sourceFactory = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(engineFactory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(metrics);
        ArgumentNullException.ThrowIfNull(outputs);
        _network = network;
        _engineFactory = engineFactory;
        _options = options;
        _status = status;
        _metrics = metrics;
        _outputs = outputs;
        _sourceFactory = sourceFactory ?? EventSources.Create;
        _logger = (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger("EventSnn.Hosting.Pipeline");
        var channelOptions = new BoundedChannelOptions(options.ChannelCapacity)
        {
            FullMode = options.FullMode switch
            {
                IngestFullMode.DropOldest => BoundedChannelFullMode.DropOldest,
                IngestFullMode.DropNewest => BoundedChannelFullMode.DropWrite,
                _ => BoundedChannelFullMode.Wait,
            },
            SingleReader = true,
            SingleWriter = false,
            AllowSynchronousContinuations = false,
        };
        _channel = Channel.CreateBounded<Batch>(channelOptions, OnDropped);
    }

    /// <summary>The network runner (after <see cref="Initialize"/>).</summary>
    public NetworkRunner Runner => _runner ?? throw new InvalidOperationException("The pipeline is not initialized.");

    /// <summary>The most batches that can exist at once (the memory bound's batch count).</summary>
    public int MaxBatches => _options.ChannelCapacity + _options.Sources.Count + 2;

    /// <summary>Batches created so far (never more than <see cref="MaxBatches"/>).</summary>
    public int BatchesCreated => Volatile.Read(ref _batchesCreated);

    /// <summary>The output server's endpoint (when <see cref="EventSnnOptions.Output"/> is set, after <see cref="Initialize"/>).</summary>
    public System.Net.EndPoint? OutputEndPoint => _outputServer?.LocalEndPoint;

    /// <summary>
    /// Builds the engine, restores the checkpoint when one exists, creates the sources and starts the output server.
    /// </summary>
    /// <exception cref="InvalidDataException">The checkpoint is corrupt or belongs to another network.</exception>
    public void Initialize()
    {
        if (_runner is not null)
        {
            return;
        }

        ISimulationEngine engine = _engineFactory(_network);
        var runner = new NetworkRunner(
            engine,
            _options.InputPopulation,
            _options.OutputPopulation,
            SimDuration.FromMicroseconds(_options.DecisionWindowMicroseconds),
            SimDuration.FromMicroseconds(_options.LateToleranceMicroseconds),
            SimDuration.FromMicroseconds(_options.MaxTimeJumpMicroseconds));
        if (_options.CheckpointPath is string path && File.Exists(path))
        {
            Checkpoint.Restore(path, runner);
            LogRestored(_logger, path, engine.Now.Ticks);
        }

        _status.SetNetworkTime(engine.Now.Ticks);
        var sourceOptions = new EventSourceOptions
        {
            MaxFrameBytes = _options.MaxFrameBytes,
            IdleTimeout = _options.IdleTimeout,
            ConnectTimeout = _options.ConnectTimeout,
            AllowRemoteListeners = _options.AllowRemoteListeners,
            Sensor = new SensorSize(runner.Engine.Network.Population(_options.InputPopulation).Shape.Width, runner.Engine.Network.Population(_options.InputPopulation).Shape.Height),
        };
        foreach (string address in _options.Sources)
        {
            _sources.Add(_sourceFactory(address, sourceOptions));
        }

        _status.InitSources([.. _options.Sources], [.. _sources.Select(source => (Func<System.Net.EndPoint?>)(() => source.LocalEndPoint))]);
        if (!string.IsNullOrEmpty(_options.Output))
        {
            EventSourceAddress output = EventSourceAddress.Parse(_options.Output);
            _outputServer = new OutputServer(output, _outputs, _options.OutputQueueCapacity, _logger);
            _outputServer.Start();
            LogOutput(_logger, _outputServer.LocalEndPoint);
        }

        _runner = runner;
    }

    /// <summary>
    /// Starts the sources and runs the network on their events until <paramref name="stoppingToken"/> is cancelled
    /// (or every source is finite and done); then stops the sources, drains the channel, saves the checkpoint and
    /// completes the outputs.
    /// </summary>
    /// <param name="stoppingToken">Requests a graceful stop.</param>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        Initialize();
        if (_ran)
        {
            throw new InvalidOperationException("The pipeline has already run.");
        }

        _ran = true;
        NetworkRunner runner = _runner!;

        // Never run the consumer loop on the caller's thread: under load it would not return until stopped.
        await Task.Yield();
        StartPumps();
        using CancellationTokenRegistration stop = stoppingToken.Register(() => _stopSources.Cancel());
        _ = CompleteWhenPumpsEnd();
        ChannelReader<Batch> reader = _channel.Reader;
        while (await reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (reader.TryRead(out Batch? batch))
            {
                Process(runner, batch);
            }

            _status.Idle();
        }

        if (_options.CheckpointPath is string path)
        {
            Checkpoint.Save(path, runner);
            LogSaved(_logger, path, runner.Engine.Now.Ticks);
        }

        _outputs.Complete();
        foreach (IEventSource source in _sources)
        {
            source.Dispose();
        }
    }

    /// <summary>Stops the sources (if running) and releases them and the output server.</summary>
    public async ValueTask DisposeAsync()
    {
        await _stopSources.CancelAsync().ConfigureAwait(false);
        if (_ran)
        {
            await _pumpsDone.Task.ConfigureAwait(false);
        }

        foreach (IEventSource source in _sources)
        {
            source.Dispose();
        }

        if (_outputServer is not null)
        {
            await _outputServer.DisposeAsync().ConfigureAwait(false);
        }

        _stopSources.Dispose();
        while (_pool.TryDequeue(out Batch? batch))
        {
            batch.Events.Dispose();
        }
    }

    private void Process(NetworkRunner runner, Batch batch)
    {
        int n = batch.Events.Count;
        _status.Dequeued(n, dropped: false);
        long start = Stopwatch.GetTimestamp();
        long lag = (long)Stopwatch.GetElapsedTime(batch.Received, start).TotalMicroseconds;
        BatchResult result = runner.Process(batch.Events.AsSpan());
        long us = (long)Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        ReturnBatch(batch);
        _metrics.StepDuration.Record(us);
        _metrics.Processed.Add(n);
        if (result.Outside > 0)
        {
            _metrics.Outside.Add(result.Outside);
        }

        if (result.Late > 0)
        {
            _metrics.Late.Add(result.Late);
        }

        if (result.Rebased)
        {
            _status.Rebased();
            LogRebased(_logger, runner.BaseMicroseconds, runner.BaseTick);
        }

        _status.Processed(n, result.Outside, result.Late, lag, runner.Engine.Now.Ticks);
        ReadOnlySpan<OutputSpike> spikes = runner.Spikes;
        ReadOnlySpan<Decision> decisions = runner.Decisions;
        if (spikes.Length > 0 || decisions.Length > 0)
        {
            _outputs.Publish(spikes, decisions);
            _status.Published(spikes.Length, decisions.Length);
            _metrics.SpikesOut.Add(spikes.Length);
            _metrics.Decisions.Add(decisions.Length);
            runner.ClearOutputs();
        }
    }

    private void OnDropped(Batch batch)
    {
        int n = batch.Events.Count;
        _status.Dequeued(n, dropped: true);
        _metrics.Dropped.Add(n);
        ReturnBatch(batch);
    }

    private Batch RentBatch()
    {
        if (_pool.TryDequeue(out Batch? batch))
        {
            return batch;
        }

        Interlocked.Increment(ref _batchesCreated);
        return new Batch(_options.BatchEvents);
    }

    private void ReturnBatch(Batch batch)
    {
        batch.Events.Clear();
        _pool.Enqueue(batch);
    }

    private void StartPumps()
    {
        _pumpsRunning = _sources.Count;
        if (_sources.Count == 0)
        {
            _pumpsDone.TrySetResult();
        }

        for (int i = 0; i < _sources.Count; i++)
        {
            int index = i;
            var thread = new Thread(() => Pump(index)) { IsBackground = true, Name = $"EventSnn source {i}" };
            _pumps.Add(thread);
            thread.Start();
        }
    }

    private async Task CompleteWhenPumpsEnd()
    {
        await _pumpsDone.Task.ConfigureAwait(false);
        _channel.Writer.TryComplete();
    }

    /// <summary>Reads one source, session after session, until stopped (live) or done (finite).</summary>
    private void Pump(int index)
    {
        IEventSource source = _sources[index];
        CancellationToken stop = _stopSources.Token;
        var tag = new KeyValuePair<string, object?>("source", source.Name);
        int failures = 0;
        try
        {
            while (!stop.IsCancellationRequested)
            {
                _status.UpdateSource(index, s => s with { State = SourceState.Connecting });
                long delivered = 0;
                Batch? batch = null;
                string? error = null;
                try
                {
                    using IEventReader session = source.Open(stop);
                    _status.UpdateSource(index, s => s with { State = SourceState.Connected, Sessions = s.Sessions + 1 });
                    LogConnected(_logger, source.Name, session.Info.SourceName);
                    while (true)
                    {
                        batch = RentBatch();
                        if (session.ReadBatch(batch.Events) == 0)
                        {
                            ReturnBatch(batch);
                            batch = null;
                            break;
                        }

                        delivered += Publish(index, batch, tag);
                        batch = null;
                        failures = 0;
                    }

                    LogEnded(_logger, source.Name, delivered, session.Diagnostics.DroppedEvents, session.Diagnostics.SkippedRecords);
                }
                catch (OperationCanceledException) when (stop.IsCancellationRequested)
                {
                    // Stopping: keep what was already decoded.
                }
                catch (Exception ex) when (ex is IOException or InvalidDataException or FormatException or ArgumentException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
                {
                    error = ex.Message;
                }
                finally
                {
                    // Events decoded before a failure or a stop are delivered, never lost uncounted.
                    if (batch is not null)
                    {
                        if (batch.Events.Count > 0)
                        {
                            delivered += Publish(index, batch, tag);
                        }
                        else
                        {
                            ReturnBatch(batch);
                        }
                    }
                }

                long sessionEvents = delivered;
                _status.UpdateSource(index, s => s with { Events = s.Events + sessionEvents });
                if (stop.IsCancellationRequested)
                {
                    break;
                }

                if (error is not null)
                {
                    failures++;
                    _metrics.SourceFailures.Add(1, tag);
                    LogFailed(_logger, source.Name, error);
                    _status.UpdateSource(index, s => s with { Failures = s.Failures + 1, LastError = error });
                    if (!source.IsLive)
                    {
                        _status.UpdateSource(index, s => s with { State = SourceState.Faulted });
                        return;
                    }
                }
                else if (!source.IsLive)
                {
                    _status.UpdateSource(index, s => s with { State = SourceState.Completed });
                    return;
                }

                // Reconnect: at once after a clean end, with exponential backoff after failures.
                TimeSpan delay = Backoff(failures, error is null);
                if (delay > TimeSpan.Zero)
                {
                    _status.UpdateSource(index, s => s with { State = SourceState.Backoff });
                    stop.WaitHandle.WaitOne(delay);
                }
            }

            _status.UpdateSource(index, s => s with { State = SourceState.Stopped });
        }
        catch (Exception ex)
        {
            LogCrashed(_logger, ex, source.Name);
            _status.UpdateSource(index, s => s with { State = SourceState.Faulted, LastError = ex.Message });
        }
        finally
        {
            if (Interlocked.Decrement(ref _pumpsRunning) == 0)
            {
                _pumpsDone.TrySetResult();
            }
        }
    }

    private TimeSpan Backoff(int failures, bool clean)
    {
        if (failures == 0)
        {
            return clean ? TimeSpan.Zero : _options.ReconnectMinDelay;
        }

        double ms = _options.ReconnectMinDelay.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 30));
        return TimeSpan.FromMilliseconds(Math.Min(ms, _options.ReconnectMaxDelay.TotalMilliseconds));
    }

    /// <summary>Counts a batch as received and queues it (waiting or dropping as configured); returns its event count.</summary>
    private int Publish(int index, Batch batch, KeyValuePair<string, object?> tag)
    {
        int n = batch.Events.Count;
        batch.Received = Stopwatch.GetTimestamp();
        batch.Source = index;
        _metrics.Received.Add(n, tag);
        ChannelWriter<Batch> writer = _channel.Writer;
        while (true)
        {
            _status.Enqueued(n);
            if (writer.TryWrite(batch))
            {
                return n;
            }

            _status.Dequeued(n, dropped: false);
            _status.Unreceive(n);

            // Wait mode and full: wait for room (not cancellable: the consumer keeps draining until the pumps end).
            if (!writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
            {
                throw new InvalidOperationException("The ingest channel was completed while a source was running.");
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Restored checkpoint {Path} (network time {Ticks} ns)")]
    private static partial void LogRestored(ILogger logger, string path, long ticks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Saved checkpoint {Path} (network time {Ticks} ns)")]
    private static partial void LogSaved(ILogger logger, string path, long ticks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output served on tcp {EndPoint}")]
    private static partial void LogOutput(ILogger logger, System.Net.EndPoint endPoint);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: connected ({Session})")]
    private static partial void LogConnected(ILogger logger, string source, string session);

    [LoggerMessage(Level = LogLevel.Information, Message = "Source {Source}: session ended after {Events} events ({Dropped} dropped and {Skipped} records skipped by the decoder)")]
    private static partial void LogEnded(ILogger logger, string source, long events, long dropped, long skipped);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Source {Source}: disconnected: {Reason}")]
    private static partial void LogFailed(ILogger logger, string source, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Source {Source}: reader thread failed")]
    private static partial void LogCrashed(ILogger logger, Exception ex, string source);

    [LoggerMessage(Level = LogLevel.Information, Message = "Time base re-anchored: event time {BaseUs} µs maps to {BaseTick} ns")]
    private static partial void LogRebased(ILogger logger, long baseUs, long baseTick);

    /// <summary>A pooled batch with its arrival time and source.</summary>
    private sealed class Batch(int capacity)
    {
        public EventBatch Events { get; } = new(capacity);

        public long Received { get; set; }

        public int Source { get; set; }
    }
}
