using System.Diagnostics;
using System.Net;

namespace EventSnn.Hosting;

/// <summary>The state of one source in the pipeline.</summary>
public enum SourceState
{
    /// <summary>Opening a session (connecting, waiting for a peer, binding).</summary>
    Connecting,

    /// <summary>A session is open and being read.</summary>
    Connected,

    /// <summary>The last session failed; waiting before the next attempt.</summary>
    Backoff,

    /// <summary>A finite source (a replay) ended.</summary>
    Completed,

    /// <summary>A finite source failed and will not be retried.</summary>
    Faulted,

    /// <summary>The pipeline stopped.</summary>
    Stopped,
}

/// <summary>What one source did so far.</summary>
/// <param name="Name">The source's address.</param>
/// <param name="State">Its state now.</param>
/// <param name="Sessions">Sessions opened.</param>
/// <param name="Events">Events it delivered to the channel.</param>
/// <param name="Failures">Sessions that ended with an error (malformed stream, stalled peer, refused connection).</param>
/// <param name="LastError">The last error's message, or null.</param>
/// <param name="LocalEndPoint">A listener's bound endpoint, or null.</param>
public sealed record SourceStatus(string Name, SourceState State, long Sessions, long Events, long Failures, string? LastError, EndPoint? LocalEndPoint);

/// <summary>A consistent-enough copy of the pipeline's counters at one moment (each counter is read atomically).</summary>
/// <param name="Timestamp">When it was taken (<see cref="Stopwatch.GetTimestamp"/>).</param>
/// <param name="EventsReceived">Events the sources put into the channel (after decoding).</param>
/// <param name="EventsDropped">Events of batches the channel dropped (drop modes).</param>
/// <param name="EventsProcessed">Events taken from the channel and run through the network.</param>
/// <param name="EventsOutside">Processed events outside the input population's shape (skipped).</param>
/// <param name="EventsLate">Processed events older than the network's time, injected at that time.</param>
/// <param name="TimeRebases">Times the event-to-network time base was re-anchored.</param>
/// <param name="SpikesOut">Output spikes published.</param>
/// <param name="Decisions">Decisions published.</param>
/// <param name="QueuedBatches">Batches waiting in the channel.</param>
/// <param name="LagMicroseconds">Age of the batch being processed when it was taken (0 when idle), µs of wall time.</param>
/// <param name="NetworkTimeTicks">The network's time (ns ticks).</param>
/// <param name="Sources">Each source's status.</param>
public sealed record StatusSnapshot(
    long Timestamp,
    long EventsReceived,
    long EventsDropped,
    long EventsProcessed,
    long EventsOutside,
    long EventsLate,
    long TimeRebases,
    long SpikesOut,
    long Decisions,
    int QueuedBatches,
    long LagMicroseconds,
    long NetworkTimeTicks,
    IReadOnlyList<SourceStatus> Sources)
{
    /// <summary>Received events per second of wall time since <paramref name="earlier"/>.</summary>
    public double EventsPerSecond(StatusSnapshot earlier) => Rate(EventsReceived - (earlier?.EventsReceived ?? 0), earlier);

    /// <summary>Output spikes per second of wall time since <paramref name="earlier"/>.</summary>
    public double SpikesPerSecond(StatusSnapshot earlier) => Rate(SpikesOut - (earlier?.SpikesOut ?? 0), earlier);

    /// <summary>Whether every event received is accounted for: processed, dropped or still queued.</summary>
    public bool Balanced => EventsReceived == EventsProcessed + EventsDropped + QueuedEvents;

    /// <summary>Events in queued batches at the moment of the snapshot.</summary>
    public long QueuedEvents { get; init; }

    private double Rate(long delta, StatusSnapshot? earlier)
    {
        ArgumentNullException.ThrowIfNull(earlier);
        double seconds = Stopwatch.GetElapsedTime(earlier.Timestamp, Timestamp).TotalSeconds;
        return seconds > 0 ? delta / seconds : 0;
    }
}

/// <summary>
/// The live counters of the pipeline (thread-safe), for status views and tests; metrics export the same values.
/// Registered as a singleton by <see cref="EventSnnServiceCollectionExtensions.AddEventSnn(Microsoft.Extensions.DependencyInjection.IServiceCollection, Func{IServiceProvider, Simulator.Network.NetworkSpec})"/>.
/// </summary>
public sealed class EventSnnStatus
{
    private readonly object _sourcesLock = new();
    private SourceStatus[] _sources = [];
    private Func<EndPoint?>[] _endpoints = [];
    private long _received;
    private long _dropped;
    private long _processed;
    private long _outside;
    private long _late;
    private long _rebases;
    private long _spikes;
    private long _decisions;
    private long _lag;
    private long _now;
    private int _queued;
    private long _queuedEvents;

    /// <summary>Takes a snapshot of every counter.</summary>
    public StatusSnapshot Snapshot()
    {
        SourceStatus[] sources;
        lock (_sourcesLock)
        {
            sources = (SourceStatus[])_sources.Clone();
            for (int i = 0; i < sources.Length; i++)
            {
                sources[i] = sources[i] with { LocalEndPoint = _endpoints[i]() };
            }
        }

        return new StatusSnapshot(
            Stopwatch.GetTimestamp(),
            Interlocked.Read(ref _received),
            Interlocked.Read(ref _dropped),
            Interlocked.Read(ref _processed),
            Interlocked.Read(ref _outside),
            Interlocked.Read(ref _late),
            Interlocked.Read(ref _rebases),
            Interlocked.Read(ref _spikes),
            Interlocked.Read(ref _decisions),
            Volatile.Read(ref _queued),
            Interlocked.Read(ref _lag),
            Interlocked.Read(ref _now),
            sources)
        {
            QueuedEvents = Interlocked.Read(ref _queuedEvents),
        };
    }

    /// <summary>Sources connected now.</summary>
    public int ConnectedSources
    {
        get
        {
            lock (_sourcesLock)
            {
                return _sources.Count(s => s.State == SourceState.Connected);
            }
        }
    }

    internal long LagMicroseconds => Interlocked.Read(ref _lag);

    internal int QueuedBatches => Volatile.Read(ref _queued);

    internal void InitSources(IReadOnlyList<string> names, IReadOnlyList<Func<EndPoint?>> endpoints)
    {
        lock (_sourcesLock)
        {
            _sources = names.Select(n => new SourceStatus(n, SourceState.Connecting, 0, 0, 0, null, null)).ToArray();
            _endpoints = [.. endpoints];
        }
    }

    internal void UpdateSource(int index, Func<SourceStatus, SourceStatus> update)
    {
        lock (_sourcesLock)
        {
            _sources[index] = update(_sources[index]);
        }
    }

    internal void Enqueued(int events)
    {
        Interlocked.Add(ref _received, events);
        Interlocked.Add(ref _queuedEvents, events);
        Interlocked.Increment(ref _queued);
    }

    internal void Unreceive(int events) => Interlocked.Add(ref _received, -events);

    internal void Dequeued(int events, bool dropped)
    {
        Interlocked.Add(ref _queuedEvents, -events);
        Interlocked.Decrement(ref _queued);
        if (dropped)
        {
            Interlocked.Add(ref _dropped, events);
        }
    }

    internal void Processed(int events, int outside, int late, long lagMicroseconds, long nowTicks)
    {
        Interlocked.Add(ref _processed, events);
        Interlocked.Add(ref _outside, outside);
        Interlocked.Add(ref _late, late);
        Interlocked.Exchange(ref _lag, lagMicroseconds);
        Interlocked.Exchange(ref _now, nowTicks);
    }

    internal void Idle() => Interlocked.Exchange(ref _lag, 0);

    internal void Rebased() => Interlocked.Increment(ref _rebases);

    internal void Published(int spikes, int decisions)
    {
        Interlocked.Add(ref _spikes, spikes);
        Interlocked.Add(ref _decisions, decisions);
    }

    internal void SetNetworkTime(long ticks) => Interlocked.Exchange(ref _now, ticks);
}
