using System.Net;
using System.Net.Sockets;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// A TCP event source: as a client (<c>tcp://</c>) each session connects to the peer; as a server
/// (<c>tcp-listen://</c>) the source binds once and each session accepts the next peer (one at a time; others wait in
/// the backlog). The wire format is AEDAT 4 as dv-processing sends it (size-prefixed IOHeader, then packets, LZ4/zstd
/// as the header says) or raw EVT 2.0 / 3.0 words.
/// </summary>
public sealed class TcpEventSource : IEventSource
{
    private readonly EventSourceAddress _address;
    private readonly EventSourceOptions _options;
    private TcpListener? _listener;

    /// <summary>Creates the source; nothing is connected or bound until <see cref="Open"/>.</summary>
    /// <param name="address">A <c>tcp://</c> or <c>tcp-listen://</c> address.</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <exception cref="ArgumentException">The address is of another kind, or a listener's host is not loopback while remote listeners are not allowed.</exception>
    public TcpEventSource(EventSourceAddress address, EventSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Kind is not (EventSourceKind.TcpClient or EventSourceKind.TcpListener))
        {
            throw new ArgumentException($"'{address.Text}' is not a tcp:// or tcp-listen:// address.", nameof(address));
        }

        _options = options ?? EventSourceOptions.Default;
        _options.Validate();
        if (address.Kind == EventSourceKind.TcpListener)
        {
            EventSources.CheckListenerHost(address, _options);
        }

        _address = address;
    }

    /// <inheritdoc/>
    public string Name => _address.Text;

    /// <inheritdoc/>
    public bool IsLive => true;

    /// <inheritdoc/>
    public EndPoint? LocalEndPoint => _listener?.LocalEndpoint;

    /// <inheritdoc/>
    public IEventReader Open(CancellationToken cancellationToken)
    {
        Socket socket = _address.Kind == EventSourceKind.TcpClient ? Connect(cancellationToken) : Accept(cancellationToken);
        return SocketSession.Start(socket, _address, _options, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _listener?.Stop();
        _listener?.Dispose();
        _listener = null;
    }

    private Socket Connect(CancellationToken cancellationToken)
    {
        IPEndPoint endpoint = _address.ResolveEndPoint();
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        try
        {
            socket.ConnectAsync(endpoint, timeout.Token).AsTask().GetAwaiter().GetResult();
            return socket;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            socket.Dispose();
            throw new EventSourceException($"{_address.Text}: no connection within {_options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            socket.Dispose();
            throw new EventSourceException($"{_address.Text}: cannot connect ({ex.SocketErrorCode})", ex);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private Socket Accept(CancellationToken cancellationToken)
    {
        if (_listener is null)
        {
            var listener = new TcpListener(_address.ResolveEndPoint());
            try
            {
                listener.Start(backlog: 4);
            }
            catch (SocketException ex)
            {
                listener.Dispose();
                throw new EventSourceException($"{_address.Text}: cannot listen ({ex.SocketErrorCode})", ex);
            }

            _listener = listener;
        }

        return _listener.AcceptSocketAsync(cancellationToken).AsTask().GetAwaiter().GetResult();
    }
}
