using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// Receives AEStream UDP datagrams (<see cref="AeStreamUdp"/>) on a bound port. One session lasts until cancelled
/// (UDP has no connection to lose). Malformed datagrams are dropped and counted
/// (<see cref="ReaderDiagnostics.SkippedRecords"/>); events sent without timestamps get the receive time in µs since
/// the source was created. Datagrams the kernel drops before they are read (a full socket buffer, 4 MiB requested)
/// cannot be seen or counted: UDP carries no sequence numbers.
/// </summary>
public sealed class UdpEventSource : IEventSource
{
    private readonly EventSourceAddress _address;
    private readonly EventSourceOptions _options;
    private readonly long _created = Stopwatch.GetTimestamp();
    private Socket? _socket;

    /// <summary>Creates the source; the port is bound at the first <see cref="Open"/>.</summary>
    /// <param name="address">A <c>udp://HOST:PORT</c> address (HOST: loopback unless remote listeners are allowed).</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <exception cref="ArgumentException">Not a UDP address, or a non-loopback host while remote listeners are not allowed.</exception>
    public UdpEventSource(EventSourceAddress address, EventSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Kind != EventSourceKind.Udp)
        {
            throw new ArgumentException($"'{address.Text}' is not a udp:// address.", nameof(address));
        }

        _options = options ?? EventSourceOptions.Default;
        _options.Validate();
        EventSources.CheckListenerHost(address, _options);
        _address = address;
    }

    /// <inheritdoc/>
    public string Name => _address.Text;

    /// <inheritdoc/>
    public bool IsLive => true;

    /// <inheritdoc/>
    public EndPoint? LocalEndPoint => _socket?.LocalEndPoint;

    /// <inheritdoc/>
    public IEventReader Open(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_socket is null)
        {
            IPEndPoint endpoint = _address.ResolveEndPoint();
            var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                socket.ReceiveBufferSize = 4 << 20;
                socket.Bind(endpoint);
            }
            catch (SocketException ex)
            {
                socket.Dispose();
                throw new EventSourceException($"{_address.Text}: cannot bind ({ex.SocketErrorCode})", ex);
            }

            _socket = socket;
        }

        return new Session(this, _socket, cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _socket?.Dispose();
        _socket = null;
    }

    private long NowUs() => (long)Stopwatch.GetElapsedTime(_created).TotalMicroseconds;

    private sealed class Session : IEventReader
    {
        private readonly UdpEventSource _owner;
        private readonly Socket _socket;
        private readonly CancellationToken _cancellation;
        private readonly AeStreamUdpDecoder _decoder = new();
        private readonly byte[] _datagram = new byte[AeStreamUdp.MaxDatagramBytes + 1];
        private long _reportedMalformed;

        public Session(UdpEventSource owner, Socket socket, CancellationToken cancellation)
        {
            _owner = owner;
            _socket = socket;
            _cancellation = cancellation;
            Info = new EventStreamInfo(EventFormat.Unknown, owner._address.Sensor ?? owner._options.Sensor, "AEStream UDP", null, owner._address.Text);
        }

        public EventStreamInfo Info { get; }

        public ReaderDiagnostics Diagnostics { get; } = new();

        public int ReadBatch(EventBatch batch)
        {
            ArgumentNullException.ThrowIfNull(batch);
            int added = 0;
            const int MaxEventsPerDatagram = AeStreamUdp.MaxDatagramBytes / 4;
            while (batch.Free > 0)
            {
                if (added > 0 && (_socket.Available == 0 || batch.Free < MaxEventsPerDatagram))
                {
                    break;
                }

                int n = Receive();
                if (n > AeStreamUdp.MaxDatagramBytes)
                {
                    continue;
                }

                int before = batch.Count;
                using var scratch = batch.Free >= MaxEventsPerDatagram ? null : new EventBatch(MaxEventsPerDatagram);
                EventBatch target = scratch ?? batch;
                _decoder.Decode(_datagram.AsSpan(0, n), target, _owner.NowUs());
                if (scratch is not null)
                {
                    // Too little room for a whole datagram: keep what fits and count the rest as dropped.
                    int fit = Math.Min(scratch.Count, batch.Free);
                    for (int i = 0; i < fit; i++)
                    {
                        batch.Add(scratch.T[i], scratch.X[i], scratch.Y[i], scratch.P[i]);
                    }

                    Diagnostics.DroppedEvents += scratch.Count - fit;
                }

                added += batch.Count - before;
                if (_decoder.MalformedDatagrams != _reportedMalformed)
                {
                    Diagnostics.SkippedRecords += _decoder.MalformedDatagrams - _reportedMalformed;
                    _reportedMalformed = _decoder.MalformedDatagrams;
                    Diagnostics.Warn($"{_owner._address.Text}: malformed datagram of {n} bytes dropped");
                }
            }

            return added;
        }

        public void Dispose()
        {
            // The socket stays bound for the next session; the source owns it.
        }

        private int Receive()
        {
            while (true)
            {
                _cancellation.ThrowIfCancellationRequested();
                try
                {
                    // Poll in short slices so that cancellation is seen without closing the shared socket.
                    if (!_socket.Poll(100_000, SelectMode.SelectRead))
                    {
                        continue;
                    }

                    return _socket.Receive(_datagram);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.MessageSize)
                {
                    Diagnostics.SkippedRecords++;
                    Diagnostics.Warn($"{_owner._address.Text}: oversize datagram dropped");
                }
                catch (ObjectDisposedException ex)
                {
                    throw new OperationCanceledException($"{_owner._address.Text}: source closed", ex, _cancellation);
                }
            }
        }
    }
}
