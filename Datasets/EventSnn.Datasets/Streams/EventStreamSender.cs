using System.Net;
using System.Net.Sockets;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>Options for <see cref="EventStreamSender"/>.</summary>
public sealed record EventSenderOptions
{
    /// <summary>Replay speed factor (1 = real time, the default; 0 = as fast as the peer takes them).</summary>
    public double Speed { get; init; } = 1;

    /// <summary>Whether a <c>tcp-listen://</c> destination may bind an address other than loopback.</summary>
    public bool AllowRemoteListeners { get; init; }

    /// <summary>How long to wait for a TCP connection (client) or for a peer (listener); default 30 s.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Called once a TCP listener is bound, with its endpoint (useful with port 0).</summary>
    public Action<EndPoint>? Listening { get; init; }
}

/// <summary>
/// Sends the events of a reader to a destination address, in real time or faster: <c>tcp://HOST:PORT</c> connects and
/// sends, <c>tcp-listen://HOST:PORT</c> waits for one peer and sends to it, <c>udp://HOST:PORT</c> sends AEStream
/// datagrams. TCP streams are AEDAT 4 as dv-processing sends them (<c>?compression=lz4|zstd|none</c>) or raw EVT
/// words (<c>?format=evt2|evt3</c>); raw EVT streams carry times relative to the first event (their counters are
/// 24 / 34 bits wide). UDP settings: <c>timestamps=true|false</c>, <c>datagram=BYTES</c> (default 512).
/// </summary>
public static class EventStreamSender
{
    /// <summary>Sends every event of <paramref name="reader"/>; returns the number sent.</summary>
    /// <param name="reader">The events (not disposed).</param>
    /// <param name="destination">The destination address.</param>
    /// <param name="options">Speed and limits; null for defaults.</param>
    /// <param name="cancellationToken">Stops sending (the connection is closed).</param>
    /// <exception cref="FormatException">The destination is malformed.</exception>
    /// <exception cref="IOException">The connection failed or was closed by the peer.</exception>
    /// <exception cref="ArgumentException">An event does not fit the wire format, or the sensor size is unknown for AEDAT 4.</exception>
    public static long Send(IEventReader reader, string destination, EventSenderOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reader);
        options ??= new EventSenderOptions();
        EventSourceAddress address = EventSourceAddress.Parse(destination);
        if (address.Kind is EventSourceKind.File or EventSourceKind.Emulator)
        {
            throw new FormatException($"destination '{destination}': expected tcp://, tcp-listen:// or udp://");
        }

        if (address.Kind == EventSourceKind.TcpListener)
        {
            EventSources.CheckListenerHost(address, new EventSourceOptions { AllowRemoteListeners = options.AllowRemoteListeners });
        }

        using var paced = new PacedEventReader(new NonOwning(reader), options.Speed, cancellation: cancellationToken);
        return address.Kind == EventSourceKind.Udp
            ? SendUdp(paced, address, cancellationToken)
            : SendTcp(paced, reader.Info.Sensor, address, options, cancellationToken);
    }

    private static long SendTcp(IEventReader events, SensorSize? sensor, EventSourceAddress address, EventSenderOptions options, CancellationToken cancellationToken)
    {
        using Socket socket = OpenTcp(address, options, cancellationToken);
        using CancellationTokenRegistration registration = cancellationToken.Register(static s => ((Socket)s!).Dispose(), socket);
        using var stream = new NetworkStream(socket, ownsSocket: false);
        using var batch = new EventBatch();
        long sent = 0;
        try
        {
            if (address.Format == EventFormat.Aedat4)
            {
                SensorSize size = address.Sensor ?? sensor
                    ?? throw new ArgumentException($"destination '{address.Text}': the sensor size is unknown; give ?width=W&height=H");
                var writerOptions = new Aedat4WriterOptions { Sensor = size, Compression = Compression(address) };
                using Aedat4Writer writer = Aedat4Writer.CreateNetworkStream(stream, writerOptions);
                while (Next(events, batch) > 0)
                {
                    writer.Write(batch);
                    writer.Flush();
                    sent += batch.Count;
                }
            }
            else
            {
                using var writer = new EvtWriter(stream, address.Format, address.Sensor ?? sensor, writeHeader: false);
                using var shifted = new EventBatch(batch.Capacity);
                long t0 = long.MinValue;
                while (Next(events, batch) > 0)
                {
                    t0 = t0 == long.MinValue ? batch.T[0] : t0;
                    Rebase(batch, shifted, t0);
                    writer.Write(shifted);
                    writer.Flush();
                    sent += batch.Count;
                }
            }

            socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is IOException or ObjectDisposedException or SocketException)
        {
            throw new OperationCanceledException("sending cancelled", ex, cancellationToken);
        }

        return sent;
    }

    private static Socket OpenTcp(EventSourceAddress address, EventSenderOptions options, CancellationToken cancellationToken)
    {
        IPEndPoint endpoint = address.ResolveEndPoint();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.ConnectTimeout);
        try
        {
            if (address.Kind == EventSourceKind.TcpClient)
            {
                var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.ConnectAsync(endpoint, timeout.Token).AsTask().GetAwaiter().GetResult();
                    return socket;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            }

            using var listener = new TcpListener(endpoint);
            listener.Start(1);
            options.Listening?.Invoke(listener.LocalEndpoint);
            Socket peer = listener.AcceptSocketAsync(timeout.Token).AsTask().GetAwaiter().GetResult();
            peer.NoDelay = true;
            return peer;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new IOException($"destination '{address.Text}': no connection within {options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (SocketException ex)
        {
            throw new IOException($"destination '{address.Text}': {ex.SocketErrorCode}", ex);
        }
    }

    private static long SendUdp(IEventReader events, EventSourceAddress address, CancellationToken cancellationToken)
    {
        bool timestamps = address.GetBoolean("timestamps", true);
        int size = (int)address.GetInt64("datagram", AeStreamUdp.DefaultDatagramBytes, 8, AeStreamUdp.MaxDatagramBytes);
        IPEndPoint endpoint = address.ResolveEndPoint();
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        using var batch = new EventBatch();
        byte[] datagram = new byte[size];
        long sent = 0;
        while (Next(events, batch) > 0)
        {
            EventSpan span = batch.AsSpan();
            while (!span.IsEmpty)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int length = AeStreamUdp.Encode(span, timestamps, datagram, out int consumed);
                socket.SendTo(datagram.AsSpan(0, length), SocketFlags.None, endpoint);
                span = span.Slice(consumed);
                sent += consumed;
            }
        }

        return sent;
    }

    private static int Next(IEventReader events, EventBatch batch)
    {
        batch.Clear();
        return events.ReadBatch(batch);
    }

    private static void Rebase(EventBatch batch, EventBatch shifted, long t0)
    {
        shifted.Clear();
        shifted.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
        ReadOnlySpan<long> source = batch.T;
        for (int i = 0; i < source.Length; i++)
        {
            t[i] = source[i] - t0;
        }

        batch.X.CopyTo(x);
        batch.Y.CopyTo(y);
        batch.P.CopyTo(p);
        shifted.Commit(batch.Count);
    }

    private static Aedat4Compression Compression(EventSourceAddress address)
    {
        if (!address.Settings.TryGetValue("compression", out string? value))
        {
            return Aedat4Compression.Lz4;
        }

        return value.ToLowerInvariant() switch
        {
            "lz4" => Aedat4Compression.Lz4,
            "lz4high" or "lz4_high" => Aedat4Compression.Lz4High,
            "zstd" => Aedat4Compression.Zstd,
            "zstdhigh" or "zstd_high" => Aedat4Compression.ZstdHigh,
            "none" => Aedat4Compression.None,
            _ => throw new FormatException($"destination '{address.Text}': compression={value} is not lz4, zstd or none"),
        };
    }

    /// <summary>Lends a reader to <see cref="PacedEventReader"/> without handing over its disposal.</summary>
    private sealed class NonOwning(IEventReader inner) : IEventReader
    {
        public EventStreamInfo Info => inner.Info;

        public ReaderDiagnostics Diagnostics => inner.Diagnostics;

        public int ReadBatch(EventBatch batch) => inner.ReadBatch(batch);

        public void Dispose()
        {
        }
    }
}
