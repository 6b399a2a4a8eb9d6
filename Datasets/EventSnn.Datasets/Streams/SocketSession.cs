using System.Net.Sockets;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// One TCP session: a connected socket read by the decoder of its wire format. Cancelling the session's token closes
/// the socket; a receive timeout (the idle timeout) turns into <see cref="EventSourceException"/>.
/// </summary>
internal sealed class SocketSession : IEventReader
{
    private readonly Socket _socket;
    private readonly IEventReader _reader;
    private readonly CancellationToken _cancellation;
    private readonly CancellationTokenRegistration _registration;
    private readonly string _name;
    private readonly TimeSpan _idle;

    private SocketSession(Socket socket, IEventReader reader, CancellationTokenRegistration registration, string name, TimeSpan idle, CancellationToken cancellation)
    {
        _socket = socket;
        _reader = reader;
        _cancellation = cancellation;
        _registration = registration;
        _name = name;
        _idle = idle;
    }

    public EventStreamInfo Info => _reader.Info;

    public ReaderDiagnostics Diagnostics => _reader.Diagnostics;

    /// <summary>Starts decoding a connected socket (reads the stream's header now); disposes the socket on failure.</summary>
    public static SocketSession Start(Socket socket, EventSourceAddress address, EventSourceOptions options, CancellationToken cancellation)
    {
        string name = $"{address.Text} (peer {socket.RemoteEndPoint})";
        CancellationTokenRegistration registration = default;
        try
        {
            socket.NoDelay = true;
            socket.ReceiveBufferSize = 1 << 20;
            if (options.IdleTimeout > TimeSpan.Zero)
            {
                socket.ReceiveTimeout = (int)Math.Min(int.MaxValue, options.IdleTimeout.TotalMilliseconds);
            }

            registration = cancellation.Register(static s => ((Socket)s!).Dispose(), socket);
            var stream = new NetworkStream(socket, ownsSocket: false);
            SensorSize? sensor = address.Sensor ?? options.Sensor;
            IEventReader reader = Guard(name, options.IdleTimeout, () => address.Format switch
            {
                EventFormat.Aedat4 => Aedat4Reader.OpenNetworkStream(stream, new EventReaderOptions { Live = true, Sensor = address.Sensor }, name, options.MaxFrameBytes),
                EventFormat.Evt2 => new Evt2Reader(stream, new EventReaderOptions { Live = true, Sensor = sensor, BufferSize = options.ReadBufferBytes }, name),
                _ => (IEventReader)new Evt3Reader(stream, new EventReaderOptions { Live = true, Sensor = sensor, BufferSize = options.ReadBufferBytes }, name),
            }, cancellation);
            return new SocketSession(socket, reader, registration, name, options.IdleTimeout, cancellation);
        }
        catch
        {
            registration.Dispose();
            socket.Dispose();
            throw;
        }
    }

    public int ReadBatch(EventBatch batch)
    {
        try
        {
            return _reader.ReadBatch(batch);
        }
        catch (Exception ex) when (Translate(ex, _name, _idle, _cancellation) is Exception mapped)
        {
            throw mapped;
        }
    }

    public void Dispose()
    {
        _registration.Dispose();
        try
        {
            _reader.Dispose();
        }
        finally
        {
            _socket.Dispose();
        }
    }

    /// <summary>Runs a blocking read, translating a receive timeout and a cancellation-closed socket.</summary>
    internal static T Guard<T>(string name, TimeSpan idle, Func<T> read, CancellationToken cancellation)
    {
        try
        {
            return read();
        }
        catch (Exception ex) when (Translate(ex, name, idle, cancellation) is Exception mapped)
        {
            throw mapped;
        }
    }

    /// <summary>The exception to throw instead of <paramref name="ex"/>, or null to let it through.</summary>
    internal static Exception? Translate(Exception ex, string name, TimeSpan idle, CancellationToken cancellation)
    {
        if (cancellation.IsCancellationRequested && ex is IOException or ObjectDisposedException or SocketException)
        {
            return new OperationCanceledException($"{name}: session cancelled", ex, cancellation);
        }

        if (ex is IOException { InnerException: SocketException { SocketErrorCode: SocketError.TimedOut or SocketError.WouldBlock } })
        {
            return new EventSourceException($"{name}: peer stalled (no data for {idle.TotalSeconds:0.###} s); disconnected", ex);
        }

        if (ex is IOException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted } })
        {
            return new EventSourceException($"{name}: the peer reset the connection", ex);
        }

        return null;
    }
}
