using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>Limits and defaults shared by the event sources (all optional).</summary>
public sealed record EventSourceOptions
{
    /// <summary>The default options.</summary>
    public static EventSourceOptions Default { get; } = new();

    /// <summary>
    /// The largest AEDAT 4 IOHeader or packet accepted from a peer, stored or decompressed (default 8 MiB, 1 KiB..64 MiB).
    /// A longer length field disconnects the peer before anything is allocated.
    /// </summary>
    public int MaxFrameBytes { get; init; } = 8 << 20;

    /// <summary>The read buffer of raw EVT 2.0 / 3.0 streams (default 256 KiB).</summary>
    public int ReadBufferBytes { get; init; } = 256 << 10;

    /// <summary>
    /// How long a TCP peer may send nothing (between frames or in the middle of one) before it is disconnected as
    /// stalled (default 10 s; <see cref="TimeSpan.Zero"/> waits forever).
    /// </summary>
    public TimeSpan IdleTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a TCP client waits for a connection before failing (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Whether listeners (TCP server, UDP) may bind an address other than loopback (default false).</summary>
    public bool AllowRemoteListeners { get; init; }

    /// <summary>The sensor size when the stream does not state it (raw EVT, UDP); a source address's width/height wins.</summary>
    public SensorSize? Sensor { get; init; }

    /// <summary>Checks the ranges.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public void Validate()
    {
        if (MaxFrameBytes is < 1024 or > (64 << 20))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxFrameBytes), MaxFrameBytes, "MaxFrameBytes must be in 1 KiB..64 MiB.");
        }

        if (ReadBufferBytes is < 4096 or > (64 << 20))
        {
            throw new ArgumentOutOfRangeException(nameof(ReadBufferBytes), ReadBufferBytes, "ReadBufferBytes must be in 4 KiB..64 MiB.");
        }

        if (IdleTimeout < TimeSpan.Zero || IdleTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), IdleTimeout, "IdleTimeout must be in 0..1 day.");
        }

        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectTimeout), ConnectTimeout, "ConnectTimeout must be in (0, 1 h].");
        }
    }
}
