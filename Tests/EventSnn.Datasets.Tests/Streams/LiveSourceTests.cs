using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Streams;
using EventSnn.Events;
using static EventSnn.Datasets.Tests.Streams.StreamTestUtil;

namespace EventSnn.Datasets.Tests.Streams;

/// <summary>
/// Live sources on loopback: sender to source round trips, hostile peers, a stalled peer. Every network wait is bounded
/// (cancellation after a few seconds) so a failure cannot hang the suite.
/// </summary>
public sealed class LiveSourceTests
{
    private static readonly EventSourceOptions Fast = new() { IdleTimeout = TimeSpan.FromMilliseconds(500), ConnectTimeout = TimeSpan.FromSeconds(2) };

    private static int PortOf(IEventSource source)
    {
        var deadline = Stopwatch.StartNew();
        while (source.LocalEndPoint is null)
        {
            Assert.True(deadline.ElapsedMilliseconds < 5000, "the listener did not bind");
            Thread.Sleep(5);
        }

        return ((IPEndPoint)source.LocalEndPoint).Port;
    }

    [Theory]
    [InlineData("")]
    [InlineData("?compression=zstd")]
    [InlineData("?format=evt3")]
    [InlineData("?format=evt2")]
    public async Task Sender_to_a_tcp_listener_source_delivers_every_event(string settings)
    {
        DvsEvent[] events = MakeEvents(50_000, seed: 11, start: 1_000, width: 640, height: 480);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using IEventSource source = EventSources.Create("tcp-listen://127.0.0.1:0" + settings, Fast);
        Task<List<DvsEvent>> receive = Task.Run(() =>
        {
            using IEventReader session = source.Open(cts.Token);
            return ReadAll(session);
        });
        int port = PortOf(source);
        long sent = EventStreamSender.Send(new ListReader(events), $"tcp://127.0.0.1:{port}{settings}", new EventSenderOptions { Speed = 0 }, cts.Token);
        Assert.Equal(events.Length, sent);
        List<DvsEvent> got = await receive;

        // Raw EVT streams carry times relative to the first event.
        long shift = settings.Contains("evt", StringComparison.Ordinal) ? events[0].T : 0;
        Assert.Equal(events.Select(e => e with { T = e.T - shift }), got);
    }

    [Fact]
    public async Task Tcp_client_source_reads_a_listening_sender()
    {
        DvsEvent[] events = MakeEvents(5_000, seed: 12);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        var bound = new TaskCompletionSource<int>();
        Task<long> send = Task.Run(() => EventStreamSender.Send(
            new ListReader(events),
            "tcp-listen://127.0.0.1:0",
            new EventSenderOptions { Speed = 0, Listening = ep => bound.SetResult(((IPEndPoint)ep).Port) },
            cts.Token));
        int port = await bound.Task.WaitAsync(TimeSpan.FromSeconds(5));
        using IEventSource source = EventSources.Create($"tcp://127.0.0.1:{port}", Fast);
        using IEventReader session = source.Open(cts.Token);
        Assert.Equal(events, ReadAll(session));
        Assert.Equal(events.Length, await send);
    }

    [Fact]
    public async Task Udp_source_receives_paced_aestream_datagrams()
    {
        DvsEvent[] events = MakeEvents(2_000, seed: 13, start: 10, maxStepUs: 100);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using IEventSource source = EventSources.Create("udp://127.0.0.1:0", Fast);
        using IEventReader session = source.Open(cts.Token);
        int port = ((IPEndPoint)source.LocalEndPoint!).Port;

        // 2,000 events over ~0.1 s at 2x speed: paced, so the kernel buffer never fills.
        Task<long> send = Task.Run(() => EventStreamSender.Send(new ListReader(events), $"udp://127.0.0.1:{port}", new EventSenderOptions { Speed = 2 }, cts.Token));
        List<DvsEvent> got = ReadAll(session, max: events.Length, timeoutMs: 5000);
        Assert.Equal(events.Length, await send);
        Assert.Equal(events, got);
    }

    [Fact]
    public async Task Garbage_from_a_peer_is_refused_with_a_format_error_and_the_listener_serves_the_next_peer()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));

        // A longer idle timeout than the other tests keeps a busy machine from
        // disconnecting the second, well-behaved peer before it has written its header.
        using IEventSource source = EventSources.Create("tcp-listen://127.0.0.1:0", new EventSourceOptions { IdleTimeout = TimeSpan.FromSeconds(2), ConnectTimeout = TimeSpan.FromSeconds(2) });
        Task<IEventReader> first = Task.Run(() => source.Open(cts.Token));
        int port = PortOf(source);
        using (var peer = new TcpClient())
        {
            peer.Connect(IPAddress.Loopback, port);
            byte[] garbage = new byte[4096];
            new Random(1).NextBytes(garbage);
            garbage[3] = 0; // a plausible small length field, then nonsense
            garbage[2] = 0;
            peer.GetStream().Write(garbage);
            var ex = await Assert.ThrowsAnyAsync<IOException>(() => first);
            Assert.Contains("127.0.0.1", ex.Message, StringComparison.Ordinal);
        }

        DvsEvent[] events = MakeEvents(100, seed: 14);
        Task<List<DvsEvent>> second = Task.Run(() =>
        {
            using IEventReader session = source.Open(cts.Token);
            return ReadAll(session);
        });
        EventStreamSender.Send(new ListReader(events), $"tcp://127.0.0.1:{port}", new EventSenderOptions { Speed = 0 }, cts.Token);
        Assert.Equal(events, await second);
    }

    [Fact]
    public async Task A_peer_that_stalls_mid_frame_is_disconnected_after_the_idle_timeout_with_bounded_memory()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using IEventSource source = EventSources.Create("tcp-listen://127.0.0.1:0", Fast);
        Task<IEventReader> open = Task.Run(() => source.Open(cts.Token));
        int port = PortOf(source);
        using var peer = new TcpClient();
        peer.Connect(IPAddress.Loopback, port);
        var header = new MemoryStream();
        using (Aedat4Writer.CreateNetworkStream(header, new Aedat4WriterOptions { Sensor = new SensorSize(64, 64) }))
        {
        }

        // A valid header, then a packet header announcing 4 MiB, 10 bytes of it, then silence.
        peer.GetStream().Write([.. header.ToArray(), 0, 0, 0, 0, 0, 0, 0x40, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        using IEventReader session = await open;
        using var batch = new EventBatch(64);
        var clock = Stopwatch.StartNew();
        var ex = Assert.Throws<EventSourceException>(() => session.ReadBatch(batch));
        Assert.Contains("stalled", ex.Message, StringComparison.Ordinal);
        Assert.InRange(clock.ElapsedMilliseconds, 300, 5000);
    }

    [Fact]
    public async Task Cancelling_a_blocked_session_ends_the_read_promptly()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cts.Token);
        using IEventSource source = EventSources.Create("tcp-listen://127.0.0.1:0", new EventSourceOptions { IdleTimeout = TimeSpan.Zero });
        Task<IEventReader> open = Task.Run(() => source.Open(stop.Token));
        int port = PortOf(source);
        using var peer = new TcpClient();
        peer.Connect(IPAddress.Loopback, port);
        var header = new MemoryStream();
        using (Aedat4Writer.CreateNetworkStream(header, new Aedat4WriterOptions { Sensor = new SensorSize(64, 64) }))
        {
        }

        peer.GetStream().Write(header.ToArray());
        using IEventReader session = await open;
        using var batch = new EventBatch(64);
        Task<int> read = Task.Run(() => session.ReadBatch(batch));
        await Task.Delay(100);
        Assert.False(read.IsCompleted);
        stop.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => read);
    }

    [Fact]
    public void Paced_replay_takes_the_recorded_time_divided_by_the_speed()
    {
        DvsEvent[] events = [new(0, 1, 1, 1), new(100_000, 2, 2, 0), new(200_000, 3, 3, 1)];
        var clock = Stopwatch.StartNew();
        using (var paced = new PacedEventReader(new ListReader(events), speed: 2))
        {
            Assert.Equal(events, ReadAll(paced));
        }

        long ms = clock.ElapsedMilliseconds;
        Assert.InRange(ms, 95, 2000); // 200 ms of events at 2x: about 100 ms
        clock.Restart();
        using (var unpaced = new PacedEventReader(new ListReader(events), speed: 0))
        {
            Assert.Equal(events, ReadAll(unpaced));
        }

        Assert.True(clock.ElapsedMilliseconds < 90, $"unpaced replay took {clock.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void Emulator_source_emits_events_of_the_orbiting_dot_within_the_sensor()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using IEventSource source = EventSources.Create("emulator:?width=32&height=24&duration_us=50000&speed=0");
        Assert.False(source.IsLive);
        using IEventReader session = source.Open(cts.Token);
        List<DvsEvent> events = ReadAll(session);
        Assert.NotEmpty(events);
        Assert.All(events, e => Assert.True(e.X < 32 && e.Y < 24 && e.T <= 50_000));
        Assert.Contains(events, e => e.P == 1);
        Assert.Contains(events, e => e.P == 0);
    }
}
