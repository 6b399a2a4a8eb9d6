using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Streams;
using EventSnn.Events;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static EventSnn.Hosting.Tests.TestNetworks;

namespace EventSnn.Hosting.Tests;

/// <summary>
/// The hosted service end to end on loopback: options validation, reconnection after the sending source dies,
/// hostile peers, the TCP output, health checks and metrics. Every wait is bounded.
/// </summary>
public sealed class HostTests
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(30);

    private static async Task<T> Until<T>(Func<T?> probe, string what)
        where T : class
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < Limit)
        {
            if (probe() is T value)
            {
                return value;
            }

            await Task.Delay(10);
        }

        throw new TimeoutException($"timed out waiting for {what}");
    }

    private static async Task Until(Func<bool> probe, string what) =>
        await Until(() => probe() ? string.Empty : null, what);

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    [Fact]
    public async Task Invalid_options_stop_the_start_with_every_problem_named()
    {
        using IHost host = EventSnnHost.Build(Small(), ["ftp://nowhere:1", "tcp-listen://0.0.0.0:0", "file:/no/such/file.aedat4"], o =>
        {
            o.InputPopulation = "out";
            o.OutputPopulation = "nope";
            o.ChannelCapacity = 0;
            o.BatchEvents = 10;
            o.ReconnectMinDelay = TimeSpan.FromSeconds(2);
            o.ReconnectMaxDelay = TimeSpan.FromSeconds(1);
            o.Output = "udp://127.0.0.1:1";
        });
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        string[] expected =
        [
            "EventSnn:Sources[0]: event source address 'ftp://nowhere:1': unknown scheme",
            "EventSnn:Sources[1]: event source address 'tcp-listen://0.0.0.0:0': listening on '0.0.0.0' is refused",
            "EventSnn:Sources[2]: file '/no/such/file.aedat4' does not exist",
            "EventSnn:ChannelCapacity: 0 is not in 1..65536",
            "EventSnn:BatchEvents: 10 is not in 64..1048576",
            "EventSnn:ReconnectMinDelay/ReconnectMaxDelay",
            "EventSnn:Output: 'udp://127.0.0.1:1' must be a tcp-listen://HOST:PORT address",
            "EventSnn:InputPopulation: 'out' is Neurons, not an external input population",
            "EventSnn:OutputPopulation: 'nope' is not a population of the network (populations: dvs, out)",
        ];
        foreach (string e in expected)
        {
            Assert.Contains(ex.Failures, f => f.StartsWith(e, StringComparison.Ordinal));
        }

        Assert.Equal(expected.Length, ex.Failures.Count());
    }

    [Fact]
    public async Task No_sources_and_an_unknown_input_population_are_refused()
    {
        using IHost host = EventSnnHost.Build(Small(), [], o => o.InputPopulation = "camera");
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());
        Assert.Contains(ex.Failures, f => f.StartsWith("EventSnn:Sources: at least one event source is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("EventSnn:InputPopulation: 'camera' is not a population of the network (populations: dvs, out)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_source_killed_and_restarted_mid_stream_reconnects_and_loses_only_the_cut_packet()
    {
        // The camera side is a TCP server (like dv-processing's network writer); the service connects to it.
        DvsEvent[] events = MakeEvents(20_000, seed: 7);
        int port = FreePort();
        var logs = new ListLoggerProvider();
        using IHost host = EventSnnHost.Build(
            Small(),
            [$"tcp://127.0.0.1:{port}"],
            o =>
            {
                o.InputPopulation = "dvs";
                o.OutputPopulation = "out";
                o.ReconnectMinDelay = TimeSpan.FromMilliseconds(20);
                o.ReconnectMaxDelay = TimeSpan.FromMilliseconds(200);
            },
            logging => logging.AddProvider(logs));
        EventSnnStatus status = host.Services.GetRequiredService<EventSnnStatus>();
        await host.StartAsync();

        // The first server sends the first 12,000 events (packets of 1,000) and half of the next packet, then dies.
        using (var listener = new TcpListener(IPAddress.Loopback, port))
        {
            listener.Start();
            using Socket peer = await listener.AcceptSocketAsync().WaitAsync(Limit);
            var wire = new MemoryStream();
            using (var writer = Aedat4Writer.CreateNetworkStream(wire, new Aedat4WriterOptions { Sensor = new SensorSize(16, 16), PacketEvents = 1000 }))
            {
                using var batch = new EventBatch(13_000);
                foreach (DvsEvent e in events.Take(13_000))
                {
                    batch.Add(e);
                }

                writer.Write(batch);
                writer.Flush();
                byte[] bytes = wire.ToArray();
                long cut = bytes.Length - 3000; // inside the 13th packet
                peer.Send(bytes.AsSpan(0, (int)cut));
            }

            await Until(() => status.Snapshot().EventsProcessed == 12_000, "the first 12 packets");
            peer.LingerState = new LingerOption(true, 0);
            peer.Close(); // abrupt reset mid-packet
        }

        // The service now retries a refused connection with backoff; the server comes back and resends from event 12,000.
        await Until(() => status.Snapshot().Sources[0].Failures >= 2, "reconnection attempts");
        using (var listener = new TcpListener(IPAddress.Loopback, port))
        {
            listener.Start();
            using Socket peer = await listener.AcceptSocketAsync().WaitAsync(Limit);
            await using var stream = new NetworkStream(peer);
            using var writer = Aedat4Writer.CreateNetworkStream(stream, new Aedat4WriterOptions { Sensor = new SensorSize(16, 16), PacketEvents = 1000 });
            using var batch = new EventBatch(8000);
            foreach (DvsEvent e in events.Skip(12_000))
            {
                batch.Add(e);
            }

            writer.Write(batch);
            writer.Flush();
            await Until(() => status.Snapshot().EventsProcessed == 20_000, "every event");
        }

        await host.StopAsync();
        StatusSnapshot s = status.Snapshot();
        Assert.Equal(20_000, s.EventsReceived);
        Assert.Equal(20_000, s.EventsProcessed);
        Assert.Equal(0, s.EventsDropped);
        Assert.Equal(0, s.EventsLate);
        Assert.Equal(2, s.Sources[0].Sessions);
        Assert.True(logs.Messages.Any(m => m.Contains("disconnected:", StringComparison.Ordinal) && m.Contains("reset the connection", StringComparison.Ordinal)), string.Join("\n", logs.Messages));
        Assert.Contains(logs.Messages, m => m.Contains("cannot connect", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Hostile_peers_are_disconnected_and_the_host_keeps_serving()
    {
        var logs = new ListLoggerProvider();
        using IHost host = EventSnnHost.Build(
            Small(),
            ["tcp-listen://127.0.0.1:0"],
            o =>
            {
                o.InputPopulation = "dvs";
                // Long enough that a busy machine does not disconnect the well-behaved peer at the end
                // between its connect and its header (the stalled peer costs this long once).
                o.IdleTimeout = TimeSpan.FromSeconds(2);
                o.MaxFrameBytes = 1 << 20;
                o.ReconnectMinDelay = TimeSpan.FromMilliseconds(10);
            },
            logging => logging.AddProvider(logs));
        EventSnnStatus status = host.Services.GetRequiredService<EventSnnStatus>();
        await host.StartAsync();
        EndPoint endpoint = await Until(() => status.Snapshot().Sources[0].LocalEndPoint, "the listener");
        int port = ((IPEndPoint)endpoint).Port;

        // 1: garbage. 2: an IOHeader length of 2 GiB. 3: a valid header, then a packet announcing 1 MiB, then silence.
        var header = new MemoryStream();
        using (Aedat4Writer.CreateNetworkStream(header, new Aedat4WriterOptions { Sensor = new SensorSize(16, 16) }))
        {
        }

        byte[][] attacks =
        [
            [.. Enumerable.Range(0, 256).Select(i => (byte)(i * 37))],
            [0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0],
            [.. header.ToArray(), 0, 0, 0, 0, 0, 0, 0x10, 0, 1, 2, 3],
        ];
        for (int i = 0; i < attacks.Length; i++)
        {
            using var peer = new TcpClient();
            await peer.ConnectAsync(IPAddress.Loopback, port);
            await peer.GetStream().WriteAsync(attacks[i]);
            int attack = i + 1;
            await Until(() => status.Snapshot().Sources[0].Failures >= attack, $"attack {attack} to be refused");
        }

        StatusSnapshot s = status.Snapshot();
        Assert.Equal(3, s.Sources[0].Failures);
        string[] warnings = [.. logs.Messages.Where(m => m.Contains("disconnected:", StringComparison.Ordinal))];
        Assert.Equal(3, warnings.Length);
        Assert.Contains("IOHeader length 2147483647 exceeds", warnings[1], StringComparison.Ordinal);
        Assert.Contains("stalled", warnings[2], StringComparison.Ordinal);

        // A good peer is still served.
        DvsEvent[] events = MakeEvents(500, seed: 8);
        EventStreamSender.Send(new ArrayReader(events), $"tcp://127.0.0.1:{port}", new EventSenderOptions { Speed = 0 });
        await Until(() => status.Snapshot().EventsProcessed == 500, "the good peer's events");
        await host.StopAsync();
    }

    [Fact]
    public async Task Host_runner_serves_a_loopback_sender_with_live_status_health_metrics_and_tcp_output()
    {
        DvsEvent[] events = MakeEvents(30_000, seed: 9);
        var snapshots = new List<StatusSnapshot>();
        var received = new Dictionary<string, long>(StringComparer.Ordinal);
        using var listener = new MeterListener();
        IMeterFactory? meters = null;
        listener.InstrumentPublished = (instrument, l) =>
        {
            // Only this host's meter (other tests run hosts in parallel).
            if (instrument.Meter.Name == EventSnnMetrics.MeterName && meters is not null && ReferenceEquals(instrument.Meter.Scope, meters))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
        {
            lock (received)
            {
                received[instrument.Name] = received.GetValueOrDefault(instrument.Name) + value;
            }
        });
        int outputPort = FreePort();
        using var cts = new CancellationTokenSource(Limit);
        using IHost host = EventSnnHost.Build(Small(), ["tcp-listen://127.0.0.1:0"], o =>
        {
            o.InputPopulation = "dvs";
            o.OutputPopulation = "out";
            o.Output = $"tcp-listen://127.0.0.1:{outputPort}";
            o.MaxLag = TimeSpan.FromMinutes(1); // a loaded test machine can delay a batch by seconds
            o.OutputQueueCapacity = 1 << 22; // nothing dropped for a slow output client: every line is checked
        });
        EventSnnStatus status = host.Services.GetRequiredService<EventSnnStatus>();
        HealthCheckService health = host.Services.GetRequiredService<HealthCheckService>();
        meters = host.Services.GetRequiredService<IMeterFactory>();
        listener.Start();
        await host.StartAsync(cts.Token);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(cts.Token)).Entries[EventSnnSourcesHealthCheck.Name].Status);

        using var output = new TcpClient();
        await output.ConnectAsync(IPAddress.Loopback, outputPort, cts.Token);
        var lines = new List<string>();
        Task readLines = Task.Run(async () =>
        {
            using var reader = new StreamReader(output.GetStream());
            while (await reader.ReadLineAsync(cts.Token) is string line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });

        EndPoint endpoint = await Until(() => status.Snapshot().Sources[0].LocalEndPoint, "the listener");

        // The output client receives what is published after its subscription exists: wait for it before sending.
        EventSnnOutputs outputs = host.Services.GetRequiredService<EventSnnOutputs>();
        await Until(() => outputs.SubscriberCount == 1, "the output client's subscription");
        using (var sendCts = CancellationTokenSource.CreateLinkedTokenSource(cts.Token))
        {
            long sent = await Task.Run(() => EventStreamSender.Send(new ArrayReader(events), $"tcp://127.0.0.1:{((IPEndPoint)endpoint).Port}", new EventSenderOptions { Speed = 0 }, sendCts.Token));
            Assert.Equal(events.Length, sent);
        }

        await Until(() => status.Snapshot().EventsProcessed == events.Length, "every event");
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(cts.Token)).Entries[EventSnnLagHealthCheck.Name].Status);
        StatusSnapshot mid = status.Snapshot();
        await Until(() => { lock (lines) { return lines.Count(l => l.StartsWith("S ", StringComparison.Ordinal)) == mid.SpikesOut; } }, "the output lines");
        await host.StopAsync(cts.Token);
        await readLines.WaitAsync(cts.Token);
        listener.RecordObservableInstruments();

        StatusSnapshot s = status.Snapshot();
        Assert.Equal(events.Length, s.EventsReceived);
        Assert.Equal(events.Length, s.EventsProcessed);
        Assert.True(s.SpikesOut > 0);
        Assert.Equal(s.SpikesOut, lines.Count(l => l.StartsWith("S ", StringComparison.Ordinal)));
        Assert.Equal(s.Decisions, lines.Count(l => l.StartsWith("D ", StringComparison.Ordinal)));
        lock (received)
        {
            Assert.Equal(events.Length, received["eventsnn.events.received"]);
            Assert.Equal(events.Length, received["eventsnn.events.processed"]);
            Assert.Equal(s.SpikesOut, received["eventsnn.spikes.out"]);
            Assert.True(received.ContainsKey("eventsnn.step.duration"));
        }
    }

    [Fact]
    public async Task RunAsync_ends_by_itself_when_a_finite_source_is_done_and_reports_status()
    {
        string dir = Directory.CreateTempSubdirectory("eventsnn-run").FullName;
        try
        {
            string file = Path.Combine(dir, "scene.aedat4");
            DvsEvent[] events = MakeEvents(5_000, seed: 10);
            using (var writer = Aedat4Writer.Create(file, new Aedat4WriterOptions { Sensor = new SensorSize(16, 16) }))
            {
                using var batch = new EventBatch(events.Length);
                foreach (DvsEvent e in events)
                {
                    batch.Add(e);
                }

                writer.Write(batch);
            }

            var seen = new List<StatusSnapshot>();
            using var cts = new CancellationTokenSource(Limit);
            StatusSnapshot final = await EventSnnHost.RunAsync(
                Small(),
                [$"file:{file}?speed=0"],
                o => o.InputPopulation = "dvs",
                onStatus: seen.Add,
                statusInterval: TimeSpan.FromMilliseconds(50),
                cancellationToken: cts.Token);
            Assert.False(cts.IsCancellationRequested);
            Assert.Equal(events.Length, final.EventsProcessed);
            Assert.Equal(SourceState.Completed, final.Sources[0].State);
            Assert.Same(final, seen[^1]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task Health_checks_follow_the_source_states_and_the_lag_bound()
    {
        var status = new EventSnnStatus();
        status.InitSources(["a", "b"], [() => null, () => null]);
        var sources = new EventSnnSourcesHealthCheck(status);
        var lag = new EventSnnLagHealthCheck(status, Options.Create(new EventSnnOptions { MaxLag = TimeSpan.FromMilliseconds(5) }));
        var context = new HealthCheckContext();
        Assert.Equal(HealthStatus.Unhealthy, (await sources.CheckHealthAsync(context)).Status);
        status.UpdateSource(0, s => s with { State = SourceState.Connected });
        Assert.Equal(HealthStatus.Degraded, (await sources.CheckHealthAsync(context)).Status);
        status.UpdateSource(1, s => s with { State = SourceState.Completed });
        Assert.Equal(HealthStatus.Healthy, (await sources.CheckHealthAsync(context)).Status);
        status.UpdateSource(1, s => s with { State = SourceState.Faulted });
        Assert.Equal(HealthStatus.Unhealthy, (await sources.CheckHealthAsync(context)).Status);

        status.Processed(10, 0, 0, lagMicroseconds: 5_000, nowTicks: 0);
        Assert.Equal(HealthStatus.Healthy, (await lag.CheckHealthAsync(context)).Status);
        status.Processed(10, 0, 0, lagMicroseconds: 5_001, nowTicks: 0);
        Assert.Equal(HealthStatus.Degraded, (await lag.CheckHealthAsync(context)).Status);
        status.Idle();
        Assert.Equal(HealthStatus.Healthy, (await lag.CheckHealthAsync(context)).Status);
    }

    private sealed class ArrayReader(DvsEvent[] events) : IEventReader
    {
        private int _position;

        public EventStreamInfo Info { get; } = new(EventFormat.Unknown, new SensorSize(16, 16), "test", null, "array");

        public ReaderDiagnostics Diagnostics { get; } = new();

        public int ReadBatch(EventBatch batch)
        {
            int n = 0;
            while (!batch.IsFull && _position < events.Length)
            {
                batch.Add(events[_position++]);
                n++;
            }

            return n;
        }

        public void Dispose()
        {
        }
    }
}

/// <summary>Collects formatted log messages (thread-safe).</summary>
internal sealed class ListLoggerProvider : ILoggerProvider
{
    private readonly List<string> _messages = [];

    public IReadOnlyList<string> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this);

    public void Dispose()
    {
    }

    private sealed class Logger(ListLoggerProvider owner) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (owner._messages)
            {
                owner._messages.Add($"{logLevel}: {formatter(state, exception)}");
            }
        }
    }
}
