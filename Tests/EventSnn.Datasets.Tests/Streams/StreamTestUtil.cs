using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Streams;

/// <summary>Helpers for the stream tests: deterministic event sets and bounded reads.</summary>
internal static class StreamTestUtil
{
    /// <summary>n events with non-decreasing times from <paramref name="start"/>, coordinates below the bounds, mixed polarity.</summary>
    public static DvsEvent[] MakeEvents(int n, int seed, long start = 0, int width = 640, int height = 480, int maxStepUs = 50)
    {
        var rng = new Random(seed);
        var events = new DvsEvent[n];
        long t = start;
        for (int i = 0; i < n; i++)
        {
            t += rng.Next(0, maxStepUs + 1);
            events[i] = new DvsEvent(t, (ushort)rng.Next(width), (ushort)rng.Next(height), (byte)rng.Next(2));
        }

        return events;
    }

    public static EventBatch Batch(IReadOnlyList<DvsEvent> events)
    {
        var batch = new EventBatch(Math.Max(1, events.Count));
        foreach (DvsEvent e in events)
        {
            batch.Add(e);
        }

        return batch;
    }

    /// <summary>Reads everything (or until <paramref name="max"/> events or the deadline).</summary>
    public static List<DvsEvent> ReadAll(IEventReader reader, int max = int.MaxValue, int timeoutMs = 10_000)
    {
        var list = new List<DvsEvent>();
        using var batch = new EventBatch(4096);
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (list.Count < max && DateTime.UtcNow < deadline)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            for (int i = 0; i < batch.Count; i++)
            {
                list.Add(batch[i]);
            }
        }

        return list;
    }

    /// <summary>An in-memory reader over a fixed event list.</summary>
    public sealed class ListReader(IReadOnlyList<DvsEvent> events, SensorSize? sensor = null) : IEventReader
    {
        private int _position;

        public EventStreamInfo Info { get; } = new(EventFormat.Unknown, sensor ?? new SensorSize(640, 480), "test", null, "list");

        public ReaderDiagnostics Diagnostics { get; } = new();

        public int ReadBatch(EventBatch batch)
        {
            int n = 0;
            while (!batch.IsFull && _position < events.Count)
            {
                batch.Add(events[_position++]);
                n++;
            }

            return n;
        }

        public void Dispose()
        {
        }
    }
}
