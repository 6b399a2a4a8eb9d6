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

    /// <summary>A read-only, non-seekable view of a byte array that returns at most <paramref name="chunk"/> bytes per read (like a socket).</summary>
    public sealed class TrickleStream(byte[] data, int chunk, bool blockAtEnd = false) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (blockAtEnd && _position == data.Length)
            {
                throw new InvalidOperationException("read past the data sent so far: a live reader would block here");
            }

            int n = Math.Min(Math.Min(count, chunk), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
