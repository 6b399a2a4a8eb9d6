using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Cli.Commands.Run;

/// <summary>
/// Streams one event file into an external population while a network runs: events are read in batches (bounded
/// memory), mapped to sources with <see cref="ExternalEventMap"/>, and injected up to each chunk's end.
/// </summary>
internal sealed class EventFileFeed : IDisposable
{
    private readonly IEventReader _reader;
    private readonly EventBatch _batch = new();
    private readonly PopulationShape _shape;
    private readonly int _population;
    private SimTime _origin;
    private bool _aligned;
    private int _next;
    private bool _ended;

    private EventFileFeed(EventFileInput input, IEventReader reader, PopulationShape shape)
    {
        Input = input;
        _reader = reader;
        _shape = shape;
        _population = input.PopulationId;
        _origin = SimTime.Zero + input.TimeOffset;
        _aligned = input.Alignment == EventTimeAlignment.File;
    }

    /// <summary>The input this feed reads.</summary>
    public EventFileInput Input { get; }

    /// <summary>The format of the file.</summary>
    public EventFormat Format => _reader.Info.Format;

    /// <summary>Events read from the file so far.</summary>
    public long Read { get; private set; }

    /// <summary>Events injected into the engine.</summary>
    public long Injected { get; private set; }

    /// <summary>Events whose (x, y, p) lies outside the population's shape.</summary>
    public long SkippedOutside { get; private set; }

    /// <summary>Events mapped before time 0 (a negative offset).</summary>
    public long SkippedBeforeZero { get; private set; }

    /// <summary>Events earlier than an event already injected from a previous chunk (out of order in the file).</summary>
    public long SkippedLate { get; private set; }

    /// <summary>Opens the file of <paramref name="input"/> with the reader for its format (named, or detected from the content).</summary>
    public static EventFileFeed Open(EventFileInput input, NetworkSpec spec)
    {
        IEventReader reader = input.Format is EventFormat format
            ? EventFile.Open(new FileStream(input.Path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan), format, null, input.Path)
            : EventFile.Open(input.Path);
        return new EventFileFeed(input, reader, spec.Populations[input.PopulationId].Shape);
    }

    /// <summary>Injects every remaining event mapped at or before <paramref name="until"/> (and at or after the engine's time).</summary>
    public void InjectUntil(ISimulationEngine engine, SimTime until)
    {
        while (!_ended)
        {
            if (_next == _batch.Count)
            {
                _batch.Clear();
                _next = 0;
                if (_reader.ReadBatch(_batch) == 0)
                {
                    _ended = true;
                    return;
                }

                Read += _batch.Count;
                if (!_aligned)
                {
                    _origin -= SimDuration.FromMicroseconds(_batch.T[0]);
                    _aligned = true;
                }
            }

            ReadOnlySpan<long> t = _batch.T;
            ReadOnlySpan<ushort> x = _batch.X;
            ReadOnlySpan<ushort> y = _batch.Y;
            ReadOnlySpan<byte> p = _batch.P;
            SimTime now = engine.Now;
            for (; _next < t.Length; _next++)
            {
                SimTime time = _origin + SimDuration.FromMicroseconds(t[_next]);
                if (time > until)
                {
                    return;
                }

                int source = ExternalEventMap.SourceOf(_shape, x[_next], y[_next], p[_next]);
                if (source < 0)
                {
                    SkippedOutside++;
                }
                else if (time < SimTime.Zero)
                {
                    SkippedBeforeZero++;
                }
                else if (time < now)
                {
                    SkippedLate++;
                }
                else
                {
                    engine.InjectEvent(time, _population, source);
                    Injected++;
                }
            }
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader.Dispose();
        _batch.Dispose();
    }
}
