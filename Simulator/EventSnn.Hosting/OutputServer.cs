using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using EventSnn.Datasets.Streams;
using Microsoft.Extensions.Logging;

namespace EventSnn.Hosting;

/// <summary>
/// Serves the outputs over TCP as text lines, one subscription per client: <c>S TICK POPULATION NEURON</c> for a spike
/// and <c>D START END NEURON COUNT TOTAL</c> for a decision (times in ns ticks). A client that reads too slowly loses
/// its oldest lines (its subscription's queue is bounded); a client that disconnects is dropped.
/// </summary>
internal sealed partial class OutputServer : IAsyncDisposable
{
    private readonly EventSnnOutputs _outputs;
    private readonly int _queueCapacity;
    private readonly ILogger _logger;
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _clients = [];
    private Task? _accept;

    public OutputServer(EventSourceAddress address, EventSnnOutputs outputs, int queueCapacity, ILogger logger)
    {
        _outputs = outputs;
        _queueCapacity = queueCapacity;
        _logger = logger;
        _listener = new TcpListener(address.ResolveEndPoint());
    }

    public EndPoint LocalEndPoint => _listener.LocalEndpoint;

    public void Start()
    {
        _listener.Start();
        _accept = AcceptLoop();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_accept is not null)
        {
            await _accept.ConfigureAwait(false);
        }

        Task[] clients;
        lock (_clients)
        {
            clients = [.. _clients];
        }

        await Task.WhenAll(clients).ConfigureAwait(false);
        _listener.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptSocketAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            Task serve = Serve(client);
            lock (_clients)
            {
                _clients.RemoveAll(t => t.IsCompleted);
                _clients.Add(serve);
            }
        }
    }

    private async Task Serve(Socket client)
    {
        EndPoint? peer = client.RemoteEndPoint;
        LogClient(_logger, peer);
        using OutputSubscription subscription = _outputs.Subscribe(_queueCapacity);
        await using var stream = new NetworkStream(client, ownsSocket: true);
        var text = new StringBuilder();
        byte[] buffer = new byte[64 << 10];
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                text.Clear();
                while (text.Length < 60_000 && subscription.Decisions.TryRead(out Decision d))
                {
                    text.Append(CultureInfo.InvariantCulture, $"D {d.WindowStart.Ticks} {d.WindowEnd.Ticks} {d.Neuron} {d.Count} {d.Total}\n");
                }

                while (text.Length < 60_000 && subscription.Spikes.TryRead(out OutputSpike s))
                {
                    text.Append(CultureInfo.InvariantCulture, $"S {s.Time.Ticks} {s.Population} {s.Neuron}\n");
                }

                if (text.Length > 0)
                {
                    int n = Encoding.ASCII.GetBytes(text.ToString(), buffer);
                    await stream.WriteAsync(buffer.AsMemory(0, n), _stop.Token).ConfigureAwait(false);
                    continue;
                }

                Task<bool> spikes = subscription.Spikes.WaitToReadAsync(_stop.Token).AsTask();
                Task<bool> decisions = subscription.Decisions.WaitToReadAsync(_stop.Token).AsTask();
                await Task.WhenAny(spikes, decisions).ConfigureAwait(false);
                if ((spikes.IsCompletedSuccessfully && !spikes.Result) && (decisions.IsCompletedSuccessfully && !decisions.Result))
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or SocketException or ObjectDisposedException)
        {
            // The client left or the server is stopping.
        }

        LogClientGone(_logger, peer, subscription.DroppedSpikes);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Output client {Peer} connected")]
    private static partial void LogClient(ILogger logger, EndPoint? peer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Output client {Peer} disconnected ({Dropped} spikes dropped for it)")]
    private static partial void LogClientGone(ILogger logger, EndPoint? peer, long dropped);
}
