using System.Net;

namespace EventSnn.Datasets.Streams;

/// <summary>Creates event sources from addresses (see <see cref="EventSourceAddress"/>).</summary>
public static class EventSources
{
    /// <summary>Creates the source an address names.</summary>
    /// <param name="address">The address text (<c>tcp://</c>, <c>tcp-listen://</c>, <c>udp://</c>, <c>file:</c>, <c>emulator:</c>).</param>
    /// <param name="options">Limits; null for defaults.</param>
    /// <exception cref="FormatException">The address is malformed.</exception>
    /// <exception cref="ArgumentException">A listener's host is not loopback while remote listeners are not allowed.</exception>
    public static IEventSource Create(string address, EventSourceOptions? options = null) => Create(EventSourceAddress.Parse(address), options);

    /// <summary>Creates the source a parsed address names.</summary>
    /// <param name="address">The address.</param>
    /// <param name="options">Limits; null for defaults.</param>
    public static IEventSource Create(EventSourceAddress address, EventSourceOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        return address.Kind switch
        {
            EventSourceKind.TcpClient or EventSourceKind.TcpListener => new TcpEventSource(address, options),
            EventSourceKind.Udp => new UdpEventSource(address, options),
            EventSourceKind.File => ReplaySource.ForFile(address),
            _ => ReplaySource.ForEmulator(address),
        };
    }

    /// <summary>Refuses a listener host other than loopback unless <see cref="EventSourceOptions.AllowRemoteListeners"/> is set.</summary>
    /// <exception cref="ArgumentException">The host is not a loopback address or <c>localhost</c>.</exception>
    internal static void CheckListenerHost(EventSourceAddress address, EventSourceOptions options)
    {
        if (options.AllowRemoteListeners)
        {
            return;
        }

        bool loopback = string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(address.Host, out IPAddress? ip) && IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            throw new ArgumentException($"event source address '{address.Text}': listening on '{address.Host}' is refused: listeners bind loopback (127.0.0.1, ::1) unless remote listeners are allowed");
        }
    }
}
