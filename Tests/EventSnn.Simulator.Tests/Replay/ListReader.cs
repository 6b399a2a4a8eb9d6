using EventSnn.Events;

namespace EventSnn.Simulator.Tests.Replay;

/// <summary>An in-memory reader handing out a few events per batch (so batches split instants and samples).</summary>
internal sealed class ListReader(DvsEvent[] events, int batch) : IEventReader
{
    private int _next;

    public EventStreamInfo Info { get; } = new(EventFormat.Unknown, new SensorSize(8, 1), null, null, "list");

    public ReaderDiagnostics Diagnostics { get; } = new();

    public int ReadBatch(EventBatch output)
    {
        int n = 0;
        while (_next < events.Length && n < batch && !output.IsFull)
        {
            output.Add(events[_next++]);
            n++;
        }

        return n;
    }

    public void Dispose()
    {
    }
}
