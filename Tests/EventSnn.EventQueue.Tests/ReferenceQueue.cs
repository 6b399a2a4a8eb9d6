using EventSnn.EventQueue;

namespace EventSnn.EventQueue.Tests;

/// <summary>The obvious model of the queue contract: a binary heap keyed by (time, insertion sequence).</summary>
internal sealed class ReferenceQueue
{
    private readonly PriorityQueue<long, (long Time, long Seq)> _heap = new();
    private long _seq;

    public ReferenceQueue(long now = 0) => Now = now;

    public long Now { get; private set; }

    public int Count => _heap.Count;

    public void Enqueue(long time, long payload)
    {
        if (time < Now)
        {
            throw new InvalidOperationException("reference: past");
        }

        _heap.Enqueue(payload, (time, _seq++));
    }

    public bool TryPeek(out long time, out long payload)
    {
        if (_heap.TryPeek(out payload, out var key))
        {
            time = key.Time;
            return true;
        }

        time = 0;
        return false;
    }

    public bool TryDequeue(out long time, out long payload)
    {
        if (_heap.TryDequeue(out payload, out var key))
        {
            time = key.Time;
            Now = time;
            return true;
        }

        time = 0;
        return false;
    }

    public void Clear() => _heap.Clear();

    public void Reset(long now)
    {
        _heap.Clear();
        Now = now;
    }

    /// <summary>All pending events in delivery order (non-destructive).</summary>
    public List<(long Time, long Payload)> Pending()
    {
        var items = _heap.UnorderedItems.Select(x => (x.Priority, x.Element)).ToList();
        items.Sort((a, b) => a.Priority.CompareTo(b.Priority));
        return items.Select(x => (x.Priority.Time, x.Element)).ToList();
    }
}
