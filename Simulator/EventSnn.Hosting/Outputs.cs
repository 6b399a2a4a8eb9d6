using System.Threading.Channels;
using EventSnn.EventQueue;

namespace EventSnn.Hosting;

/// <summary>An output spike: a neuron of an output population fired.</summary>
/// <param name="Time">The spike time (network time).</param>
/// <param name="Population">The population id.</param>
/// <param name="Neuron">The neuron index.</param>
public readonly record struct OutputSpike(SimTime Time, int Population, int Neuron);

/// <summary>
/// A decision: the most active neuron of the output population over one window of network time
/// [<paramref name="WindowStart"/>, <paramref name="WindowEnd"/>); ties go to the lowest index. Windows without a
/// spike make no decision.
/// </summary>
/// <param name="WindowStart">The window's start.</param>
/// <param name="WindowEnd">The window's end (exclusive).</param>
/// <param name="Neuron">The winning neuron.</param>
/// <param name="Count">Its spikes in the window.</param>
/// <param name="Total">All output spikes in the window.</param>
public readonly record struct Decision(SimTime WindowStart, SimTime WindowEnd, int Neuron, int Count, int Total);

/// <summary>
/// One subscriber's view of the outputs: two bounded queues. A subscriber that falls behind loses its oldest items
/// (counted in <see cref="DroppedSpikes"/> / <see cref="DroppedDecisions"/>); it never slows the network.
/// </summary>
public sealed class OutputSubscription : IDisposable
{
    private readonly EventSnnOutputs _owner;
    private readonly Channel<OutputSpike> _spikes;
    private readonly Channel<Decision> _decisions;
    private long _droppedSpikes;
    private long _droppedDecisions;

    internal OutputSubscription(EventSnnOutputs owner, int capacity)
    {
        _owner = owner;
        var options = new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleWriter = true };
        _spikes = Channel.CreateBounded<OutputSpike>(options, _ => Interlocked.Increment(ref _droppedSpikes));
        _decisions = Channel.CreateBounded<Decision>(options, _ => Interlocked.Increment(ref _droppedDecisions));
    }

    /// <summary>Output spikes, in network-time order.</summary>
    public ChannelReader<OutputSpike> Spikes => _spikes.Reader;

    /// <summary>Decisions, in window order.</summary>
    public ChannelReader<Decision> Decisions => _decisions.Reader;

    /// <summary>Spikes this subscriber lost because its queue was full.</summary>
    public long DroppedSpikes => Interlocked.Read(ref _droppedSpikes);

    /// <summary>Decisions this subscriber lost because its queue was full.</summary>
    public long DroppedDecisions => Interlocked.Read(ref _droppedDecisions);

    /// <summary>Ends the subscription (its queues complete).</summary>
    public void Dispose()
    {
        _owner.Remove(this);
        Complete();
    }

    internal void Write(OutputSpike spike) => _spikes.Writer.TryWrite(spike);

    internal void Write(Decision decision) => _decisions.Writer.TryWrite(decision);

    internal void Complete()
    {
        _spikes.Writer.TryComplete();
        _decisions.Writer.TryComplete();
    }
}

/// <summary>
/// Publishes the network's output spikes and decisions to in-process subscribers (and the TCP output). Thread-safe:
/// subscribe and unsubscribe from any thread.
/// </summary>
public sealed class EventSnnOutputs
{
    private readonly object _lock = new();
    private OutputSubscription[] _subscribers = [];
    private bool _completed;

    /// <summary>Subscribers now (in process and TCP output clients); each receives what is published after it subscribed.</summary>
    public int SubscriberCount => Volatile.Read(ref _subscribers).Length;

    /// <summary>Subscribes to the outputs from now on.</summary>
    /// <param name="capacity">Queue capacity of each of the two queues (16..16 Mi).</param>
    /// <exception cref="ArgumentOutOfRangeException">The capacity is out of range.</exception>
    public OutputSubscription Subscribe(int capacity = 65_536)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 16);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 16 << 20);
        var subscription = new OutputSubscription(this, capacity);
        lock (_lock)
        {
            if (_completed)
            {
                subscription.Complete();
                return subscription;
            }

            _subscribers = [.. _subscribers, subscription];
        }

        return subscription;
    }

    internal void Publish(ReadOnlySpan<OutputSpike> spikes, ReadOnlySpan<Decision> decisions)
    {
        OutputSubscription[] subscribers = Volatile.Read(ref _subscribers);
        foreach (OutputSubscription s in subscribers)
        {
            foreach (OutputSpike spike in spikes)
            {
                s.Write(spike);
            }

            foreach (Decision d in decisions)
            {
                s.Write(d);
            }
        }
    }

    internal void Remove(OutputSubscription subscription)
    {
        lock (_lock)
        {
            _subscribers = [.. _subscribers.Where(s => s != subscription)];
        }
    }

    internal void Complete()
    {
        OutputSubscription[] subscribers;
        lock (_lock)
        {
            _completed = true;
            subscribers = _subscribers;
            _subscribers = [];
        }

        foreach (OutputSubscription s in subscribers)
        {
            s.Complete();
        }
    }
}
