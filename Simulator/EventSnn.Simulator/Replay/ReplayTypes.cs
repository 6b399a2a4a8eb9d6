using EventSnn.Events;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.Replay;

/// <summary>How an offline replay turns the output population's spikes of one sample into a predicted class.</summary>
public enum ReplayDecoding
{
    /// <summary>The output neuron with the most spikes (snnTorch <c>accuracy_rate</c>); ties go to the lowest index.</summary>
    SpikeCount = 0,

    /// <summary>The output neuron that fires first (snnTorch <c>accuracy_temporal</c>); ties go to the lowest index.</summary>
    FirstSpike = 1,
}

/// <summary>Where an offline replay puts a sample's events in simulated time.</summary>
public enum ReplayAlignment
{
    /// <summary>The sample's first event lands at the sample's start (recordings with absolute timestamps start at once).</summary>
    FirstEvent = 0,

    /// <summary>Event time 0 µs lands at the sample's start (events before 0 are skipped and counted).</summary>
    SampleTime = 1,
}

/// <summary>What an <see cref="OfflineReplay"/> feeds and decodes.</summary>
public sealed record ReplayOptions
{
    /// <summary>The external population the events drive, by name; null: the network's only external population.</summary>
    public string? Input { get; init; }

    /// <summary>The neuron population whose spikes are decoded, by name; null: the network's last neuron population.</summary>
    public string? Output { get; init; }

    /// <summary>How a prediction is made from the output spikes (default: spike count).</summary>
    public ReplayDecoding Decoding { get; init; } = ReplayDecoding.SpikeCount;

    /// <summary>
    /// Classes per output group: with <c>c</c> classes and <c>n</c> output neurons (<c>n</c> a multiple of <c>c</c>),
    /// class <c>k</c> is decoded from neurons <c>k·n/c … (k+1)·n/c − 1</c> (snnTorch's population code, spike count
    /// decoding only); null: one neuron per class.
    /// </summary>
    public int? PopulationCodeClasses { get; init; }

    /// <summary>Where events land in simulated time (default: the first event at the sample's start).</summary>
    public ReplayAlignment Alignment { get; init; } = ReplayAlignment.FirstEvent;

    /// <summary>Simulated time after a sample's last event, so that its spikes reach the output (default 10 ms).</summary>
    public SimDuration Tail { get; init; } = SimDuration.FromMilliseconds(10L);

    /// <summary>Events later than this after the sample's start are not fed (counted as cut); null: every event.</summary>
    public SimDuration? MaxDuration { get; init; }

    /// <summary>Whether plasticity traces survive <c>ResetState</c> between samples (default false).</summary>
    public bool KeepTraces { get; init; }

    /// <summary>
    /// Samples <see cref="OfflineReplay.Run"/> runs at once over the engine's CPU threads (default 1: one after another
    /// through the engine). Above 1, a network whose neuron populations are all clock-driven runs them as the members of
    /// one <see cref="Engines.SimulationBatch"/> (one dt, static projections); any other network runs them on copies of
    /// the engine, one per thread (static projections, inputs through external populations only). Every sample's
    /// result equals the one-by-one replay's.
    /// </summary>
    public int Batch { get; init; } = 1;
}

/// <summary>One sample to replay: where it comes from, its label when known, and how to open its events.</summary>
/// <param name="Source">The sample's name in messages and reports (usually a file path).</param>
/// <param name="Label">The class label, or null when unknown.</param>
/// <param name="Open">Opens the sample's events (the replay disposes the reader).</param>
public sealed record ReplayItem(string Source, int? Label, Func<IEventReader> Open);

/// <summary>What one replayed sample gave.</summary>
/// <param name="Index">The sample's position in the replay (0-based).</param>
/// <param name="Source">The sample's name.</param>
/// <param name="Label">The class label, or null.</param>
/// <param name="Prediction">The decoded class, or −1 when the output population stayed silent.</param>
/// <param name="Events">Events read from the sample.</param>
/// <param name="Injected">Events fed into the input population.</param>
/// <param name="Skipped">Events not fed: outside the input shape, before time 0, out of order, or after <see cref="ReplayOptions.MaxDuration"/>.</param>
/// <param name="OutputSpikes">Spikes of the output population during the sample.</param>
/// <param name="Duration">Simulated time of the sample (last fed event + tail).</param>
public sealed record ReplaySampleResult(int Index, string Source, int? Label, int Prediction, long Events, long Injected, long Skipped, long OutputSpikes, SimDuration Duration)
{
    /// <summary>Whether the sample has a label and the prediction equals it.</summary>
    public bool Correct => Label is int l && l == Prediction;
}

/// <summary>Progress of a replay, reported after every sample.</summary>
/// <param name="Done">Samples replayed.</param>
/// <param name="Total">Samples in the replay, when known.</param>
/// <param name="Labelled">Replayed samples with a label.</param>
/// <param name="Correct">Labelled samples predicted correctly.</param>
/// <param name="Events">Events read so far.</param>
/// <param name="Elapsed">Wall-clock time since the replay started.</param>
public readonly record struct ReplayProgress(int Done, int? Total, int Labelled, int Correct, long Events, TimeSpan Elapsed)
{
    /// <summary>Correct / labelled, or NaN before the first labelled sample.</summary>
    public double Accuracy => Labelled == 0 ? double.NaN : (double)Correct / Labelled;

    /// <summary>Samples per wall-clock second.</summary>
    public double SamplesPerSecond => Elapsed > TimeSpan.Zero ? Done / Elapsed.TotalSeconds : 0;

    /// <summary>Events per wall-clock second.</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}

/// <summary>The outcome of a whole replay.</summary>
/// <param name="Results">One result per sample, in replay order.</param>
/// <param name="Elapsed">Wall-clock time of the replay loop (reading, feeding, simulating, decoding).</param>
public sealed record ReplaySummary(IReadOnlyList<ReplaySampleResult> Results, TimeSpan Elapsed)
{
    /// <summary>Samples replayed.</summary>
    public int Samples => Results.Count;

    /// <summary>Samples with a label.</summary>
    public int Labelled => Results.Count(r => r.Label is not null);

    /// <summary>Labelled samples predicted correctly.</summary>
    public int Correct => Results.Count(r => r.Correct);

    /// <summary>Correct / labelled, or NaN when no sample has a label.</summary>
    public double Accuracy => Labelled == 0 ? double.NaN : (double)Correct / Labelled;

    /// <summary>Events read.</summary>
    public long Events => Results.Sum(r => r.Events);

    /// <summary>Events fed into the network.</summary>
    public long Injected => Results.Sum(r => r.Injected);

    /// <summary>Samples per wall-clock second.</summary>
    public double SamplesPerSecond => Elapsed > TimeSpan.Zero ? Samples / Elapsed.TotalSeconds : 0;

    /// <summary>Events read per wall-clock second.</summary>
    public double EventsPerSecond => Elapsed > TimeSpan.Zero ? Events / Elapsed.TotalSeconds : 0;
}
