using System.Globalization;
using System.Net;
using System.Net.Sockets;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>The kinds of event source (and sender destination) an address names.</summary>
public enum EventSourceKind
{
    /// <summary><c>tcp://HOST:PORT</c>: connect to a peer that sends (a dv-processing network writer, <c>eventsnn stream --to tcp-listen://…</c>).</summary>
    TcpClient,

    /// <summary><c>tcp-listen://HOST:PORT</c>: listen and accept one sending peer at a time (<c>eventsnn stream --to tcp://…</c>).</summary>
    TcpListener,

    /// <summary><c>udp://HOST:PORT</c>: receive AEStream datagrams on a bound port (a sender sends to it).</summary>
    Udp,

    /// <summary><c>file:PATH</c>: replay an event file in real time (scaled by <c>speed</c>).</summary>
    File,

    /// <summary><c>emulator:</c>: events of the DVS emulator watching a synthetic scene (a dot orbiting the centre), in real time.</summary>
    Emulator,
}

/// <summary>
/// A parsed event-source (or sender-destination) address: <c>tcp://HOST:PORT</c>, <c>tcp-listen://HOST:PORT</c>,
/// <c>udp://HOST:PORT</c>, <c>file:PATH</c> or <c>emulator:</c>, each with optional <c>?key=value&amp;…</c> settings.
/// </summary>
/// <remarks>
/// <para>Settings: <c>format</c> = <c>aedat4</c> (default) | <c>evt2</c> | <c>evt3</c> (TCP); <c>width</c>, <c>height</c>
/// (sensor size for streams that do not state it); <c>speed</c> (replay factor, default 1; 0 = as fast as possible);
/// <c>compression</c> = <c>lz4</c> (default) | <c>zstd</c> | <c>none</c> (AEDAT 4 senders); <c>timestamps</c> =
/// <c>true</c> (default) | <c>false</c> (UDP senders); <c>datagram</c> = bytes per datagram (UDP senders, default 512);
/// <c>frame_us</c> (emulator frame interval, default 1000) and <c>duration_us</c> (emulator length, default 0 = endless).
/// An unknown setting or a bad value is an error that names it.</para>
/// </remarks>
public sealed record EventSourceAddress
{
    private static readonly string[] s_keys =
        ["format", "width", "height", "speed", "compression", "timestamps", "datagram", "frame_us", "duration_us"];

    private EventSourceAddress(string text, EventSourceKind kind, IReadOnlyDictionary<string, string> settings)
    {
        Text = text;
        Kind = kind;
        Settings = settings;
    }

    /// <summary>The address as given.</summary>
    public string Text { get; }

    /// <summary>What the address names.</summary>
    public EventSourceKind Kind { get; }

    /// <summary>The host (network kinds).</summary>
    public string Host { get; private init; } = string.Empty;

    /// <summary>The port (network kinds; 0 lets a listener pick one, see <see cref="IEventSource.LocalEndPoint"/>).</summary>
    public int Port { get; private init; }

    /// <summary>The file path (<see cref="EventSourceKind.File"/>).</summary>
    public string Path { get; private init; } = string.Empty;

    /// <summary>The wire format of a TCP stream (<see cref="EventFormat.Aedat4"/>, <see cref="EventFormat.Evt2"/> or <see cref="EventFormat.Evt3"/>).</summary>
    public EventFormat Format { get; private init; } = EventFormat.Aedat4;

    /// <summary>The sensor size given by <c>width</c> and <c>height</c>, else null.</summary>
    public SensorSize? Sensor { get; private init; }

    /// <summary>The replay speed factor (1 = real time, 2 = twice as fast, 0 = as fast as possible).</summary>
    public double Speed { get; private init; } = 1;

    /// <summary>The settings after <c>?</c>, by lower-case key.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; }

    /// <summary>Whether the address is a listener (TCP server or UDP receiver) when used as a source.</summary>
    public bool IsListener => Kind is EventSourceKind.TcpListener or EventSourceKind.Udp;

    /// <summary>Parses an address.</summary>
    /// <param name="text">The address.</param>
    /// <exception cref="FormatException">The address is malformed; the message names it and what is wrong.</exception>
    public static EventSourceAddress Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            throw new FormatException("event source address is empty (expected tcp://HOST:PORT, tcp-listen://HOST:PORT, udp://HOST:PORT, file:PATH or emulator:)");
        }

        int q = text.IndexOf('?', StringComparison.Ordinal);
        string head = q >= 0 ? text[..q] : text;
        Dictionary<string, string> settings = ParseSettings(text, q >= 0 ? text[(q + 1)..] : string.Empty);
        int colon = head.IndexOf(':', StringComparison.Ordinal);
        string scheme = colon > 0 ? head[..colon].ToLowerInvariant() : string.Empty;
        EventSourceAddress address = scheme switch
        {
            "tcp" => Network(text, EventSourceKind.TcpClient, head, settings),
            "tcp-listen" => Network(text, EventSourceKind.TcpListener, head, settings),
            "udp" => Network(text, EventSourceKind.Udp, head, settings),
            "file" => FileAddress(text, head[(colon + 1)..], settings),
            "emulator" => new EventSourceAddress(text, EventSourceKind.Emulator, settings),
            _ => throw new FormatException($"event source address '{text}': unknown scheme (expected tcp://, tcp-listen://, udp://, file: or emulator:)"),
        };
        return address with
        {
            Format = FormatSetting(text, settings),
            Sensor = SensorSetting(text, settings),
            Speed = SpeedSetting(text, settings),
        };
    }

    /// <summary>An integer setting, or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="FormatException">The value is not an integer in range.</exception>
    public long GetInt64(string key, long fallback, long min, long max)
    {
        if (!Settings.TryGetValue(key, out string? value))
        {
            return fallback;
        }

        if (!long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) || v < min || v > max)
        {
            throw new FormatException($"event source address '{Text}': {key}={value} is not an integer in {min}..{max}");
        }

        return v;
    }

    /// <summary>A boolean setting (<c>true</c>/<c>false</c>/<c>1</c>/<c>0</c>), or <paramref name="fallback"/> when absent.</summary>
    /// <exception cref="FormatException">The value is not a boolean.</exception>
    public bool GetBoolean(string key, bool fallback)
    {
        if (!Settings.TryGetValue(key, out string? value))
        {
            return fallback;
        }

        return value.ToLowerInvariant() switch
        {
            "true" or "1" or "yes" => true,
            "false" or "0" or "no" => false,
            _ => throw new FormatException($"event source address '{Text}': {key}={value} is not true or false"),
        };
    }

    /// <summary>The endpoint of a network address (an IP literal or a host name resolved now).</summary>
    /// <exception cref="IOException">The host name does not resolve.</exception>
    public IPEndPoint ResolveEndPoint()
    {
        if (IPAddress.TryParse(Host, out IPAddress? ip))
        {
            return new IPEndPoint(ip, Port);
        }

        try
        {
            IPAddress[] addresses = Dns.GetHostAddresses(Host);
            IPAddress? chosen = addresses.FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork) ?? addresses.FirstOrDefault();
            return chosen is null
                ? throw new IOException($"event source address '{Text}': host '{Host}' has no address")
                : new IPEndPoint(chosen, Port);
        }
        catch (SocketException ex)
        {
            throw new IOException($"event source address '{Text}': host '{Host}' does not resolve ({ex.Message})", ex);
        }
    }

    /// <summary>Formats the address as given.</summary>
    public override string ToString() => Text;

    private static Dictionary<string, string> ParseSettings(string text, string query)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string part in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = part.IndexOf('=', StringComparison.Ordinal);
            string key = (eq >= 0 ? part[..eq] : part).Trim().ToLowerInvariant();
            string value = eq >= 0 ? Uri.UnescapeDataString(part[(eq + 1)..].Trim()) : "true";
            if (!s_keys.Contains(key))
            {
                throw new FormatException($"event source address '{text}': unknown setting '{key}' (known: {string.Join(", ", s_keys)})");
            }

            if (!settings.TryAdd(key, value))
            {
                throw new FormatException($"event source address '{text}': setting '{key}' given twice");
            }
        }

        return settings;
    }

    private static EventSourceAddress Network(string text, EventSourceKind kind, string head, Dictionary<string, string> settings)
    {
        int slashes = head.IndexOf("://", StringComparison.Ordinal);
        if (slashes < 0)
        {
            throw new FormatException($"event source address '{text}': expected {head[..head.IndexOf(':', StringComparison.Ordinal)]}://HOST:PORT");
        }

        string authority = head[(slashes + 3)..].TrimEnd('/');
        string host;
        string portText;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= authority.Length || authority[close + 1] != ':')
            {
                throw new FormatException($"event source address '{text}': expected [IPv6]:PORT");
            }

            host = authority[1..close];
            portText = authority[(close + 2)..];
        }
        else
        {
            int colon = authority.LastIndexOf(':');
            if (colon <= 0)
            {
                throw new FormatException($"event source address '{text}': expected HOST:PORT");
            }

            host = authority[..colon];
            portText = authority[(colon + 1)..];
        }

        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            throw new FormatException($"event source address '{text}': port '{portText}' is not in 0..65535");
        }

        return new EventSourceAddress(text, kind, settings) { Host = host, Port = port };
    }

    private static EventSourceAddress FileAddress(string text, string path, Dictionary<string, string> settings)
    {
        if (path.StartsWith("//", StringComparison.Ordinal))
        {
            path = path[2..];
        }

        if (path.Length == 0)
        {
            throw new FormatException($"event source address '{text}': expected file:PATH");
        }

        return new EventSourceAddress(text, EventSourceKind.File, settings) { Path = path };
    }

    private static EventFormat FormatSetting(string text, Dictionary<string, string> settings)
    {
        if (!settings.TryGetValue("format", out string? value))
        {
            return EventFormat.Aedat4;
        }

        return value.ToLowerInvariant() switch
        {
            "aedat4" or "aedat" => EventFormat.Aedat4,
            "evt2" => EventFormat.Evt2,
            "evt3" => EventFormat.Evt3,
            _ => throw new FormatException($"event source address '{text}': format={value} is not aedat4, evt2 or evt3"),
        };
    }

    private static SensorSize? SensorSetting(string text, Dictionary<string, string> settings)
    {
        bool hasW = settings.TryGetValue("width", out string? w);
        bool hasH = settings.TryGetValue("height", out string? h);
        if (!hasW && !hasH)
        {
            return null;
        }

        if (!hasW || !hasH
            || !int.TryParse(w, NumberStyles.None, CultureInfo.InvariantCulture, out int width)
            || !int.TryParse(h, NumberStyles.None, CultureInfo.InvariantCulture, out int height)
            || width is < 1 or > 65536 || height is < 1 or > 65536)
        {
            throw new FormatException($"event source address '{text}': width and height must both be given, each in 1..65536");
        }

        return new SensorSize(width, height);
    }

    private static double SpeedSetting(string text, Dictionary<string, string> settings)
    {
        if (!settings.TryGetValue("speed", out string? value))
        {
            return 1;
        }

        if (!double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double speed) || !double.IsFinite(speed) || speed < 0 || speed > 1e6)
        {
            throw new FormatException($"event source address '{text}': speed={value} is not a number in 0..1e6 (0 = as fast as possible)");
        }

        return speed;
    }
}
