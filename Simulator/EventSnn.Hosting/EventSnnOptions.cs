namespace EventSnn.Hosting;

/// <summary>What the ingest pipeline does when its bounded channel is full.</summary>
public enum IngestFullMode
{
    /// <summary>Sources wait (back-pressure: TCP peers slow down; nothing is dropped).</summary>
    Wait = 0,

    /// <summary>The oldest queued batch is dropped to make room (freshest data wins); its events are counted as dropped.</summary>
    DropOldest = 1,

    /// <summary>The incoming batch is dropped (queued data wins); its events are counted as dropped.</summary>
    DropNewest = 2,
}

/// <summary>
/// Options of the EventSnn hosted service (configuration section <c>EventSnn</c> by convention). Validated when the
/// host starts (<c>ValidateOnStart</c>): a bad value stops the start with a message naming the option.
/// </summary>
public sealed class EventSnnOptions
{
    /// <summary>The configuration section name used by the samples.</summary>
    public const string SectionName = "EventSnn";

    /// <summary>
    /// Event source addresses (at least one): <c>tcp://HOST:PORT</c>, <c>tcp-listen://HOST:PORT</c>, <c>udp://HOST:PORT</c>,
    /// <c>file:PATH?speed=X</c>, <c>emulator:</c> (see docs/Hosting.md).
    /// </summary>
    public IList<string> Sources { get; } = new List<string>();

    /// <summary>The name of the network's external input population that DVS events drive (shape C×H×W, C = 1 or 2).</summary>
    public string InputPopulation { get; set; } = string.Empty;

    /// <summary>
    /// The population whose spikes are published and decoded into decisions; null or empty publishes every neuron
    /// population's spikes and makes no decisions.
    /// </summary>
    public string? OutputPopulation { get; set; }

    /// <summary>The channel's capacity in batches (1..65536; default 64).</summary>
    public int ChannelCapacity { get; set; } = 64;

    /// <summary>The most events in one batch (64..1 Mi; default 8192). Memory bound: see docs/Hosting.md.</summary>
    public int BatchEvents { get; set; } = 8192;

    /// <summary>What happens when the channel is full (default <see cref="IngestFullMode.Wait"/>).</summary>
    public IngestFullMode FullMode { get; set; } = IngestFullMode.Wait;

    /// <summary>The decision window in µs of event time (1..3.6e9; default 10 000 = 10 ms).</summary>
    public long DecisionWindowMicroseconds { get; set; } = 10_000;

    /// <summary>The first delay before reconnecting a lost source (default 100 ms); it doubles per failure up to <see cref="ReconnectMaxDelay"/>.</summary>
    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>The longest delay between reconnection attempts (default 5 s).</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a TCP peer may stay silent before it is disconnected as stalled (default 10 s; 0 = never).</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a TCP client source waits for a connection (default 5 s).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The largest AEDAT 4 header or packet accepted from a peer (1 KiB..64 MiB; default 8 MiB).</summary>
    public int MaxFrameBytes { get; set; } = 8 << 20;

    /// <summary>The lag above which the lag health check reports degraded (default 1 s).</summary>
    public TimeSpan MaxLag { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Events more than this many µs before the network's time are not clamped but start a new time base (a replay that
    /// restarted, a camera reset); default 1 s. Within it, late events are injected at the current time and counted.
    /// </summary>
    public long LateToleranceMicroseconds { get; set; } = 1_000_000;

    /// <summary>An event more than this many µs after the latest one starts a new time base instead of fast-forwarding the network (default 60 s).</summary>
    public long MaxTimeJumpMicroseconds { get; set; } = 60_000_000;

    /// <summary>Where the network's state is saved on shutdown and restored from on start (null: no checkpoint).</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>A TCP address to serve output spikes and decisions on as text lines, e.g. <c>tcp-listen://127.0.0.1:7800</c> (null: none).</summary>
    public string? Output { get; set; }

    /// <summary>Each output subscriber's queue in items (16..16 Mi; default 65 536); a slow subscriber loses its oldest items, counted.</summary>
    public int OutputQueueCapacity { get; set; } = 65_536;

    /// <summary>Whether listeners (sources and the output) may bind addresses other than loopback (default false).</summary>
    public bool AllowRemoteListeners { get; set; }
}
