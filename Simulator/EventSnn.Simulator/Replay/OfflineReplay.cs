using System.Diagnostics;
using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Decoding;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Replay;

/// <summary>
/// Offline dataset replay: streams each sample event by event into a network's external input population, resets the
/// network's state between samples, decodes the output population's spikes into a predicted class, and reports
/// predictions, accuracy where labels exist, and throughput.
/// </summary>
/// <remarks>
/// <para><b>Per sample:</b> <see cref="SimulationEngine.ResetState"/>; the start moves up to the next multiple of the
/// replay grid (the least common multiple of every clock-driven step and 1 µs, or 1 µs when that exceeds 1 s), so a
/// sample's result does not depend on the samples before it; events are read in batches (bounded memory), mapped with
/// <see cref="ExternalEventMap"/> and injected at <c>start + (t − t_0)</c> (<see cref="ReplayAlignment"/>); the engine
/// runs to just before each batch's last event, and after the last event for <see cref="ReplayOptions.Tail"/> more.
/// Events outside the input shape, before time 0, out of order across batches, or after
/// <see cref="ReplayOptions.MaxDuration"/> are skipped and counted.</para>
/// <para><b>Decoding:</b> per output neuron the spike count and first spike time of the sample are kept (no allocation
/// per spike); <see cref="ReplayDecoding.SpikeCount"/> predicts the neuron (or population-code group) with the most
/// spikes, <see cref="ReplayDecoding.FirstSpike"/> the one that fires first; ties go to the lowest index; a silent
/// output predicts −1 (no class).</para>
/// <para>One replay uses its engine from one thread at a time; monitors added to the engine see every sample.</para>
/// </remarks>
public sealed class OfflineReplay : IDisposable
{
    private readonly SimulationEngine _engine;
    private readonly OutputRecorder _recorder;
    private readonly PopulationShape _shape;
    private readonly long _grid;
    private readonly long[] _groupCounts;
    private readonly EventBatch _batch = new();

    /// <summary>Creates a replay over <paramref name="engine"/>.</summary>
    /// <param name="engine">The engine of the network (its time moves forward by every sample).</param>
    /// <param name="options">What to feed and decode (null: defaults).</param>
    /// <exception cref="ArgumentException">The input or output population is missing, ambiguous or of the wrong kind, or the options are out of range.</exception>
    public OfflineReplay(SimulationEngine engine, ReplayOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        Options = options ?? new ReplayOptions();
        NetworkSpec spec = engine.Network;
        InputPopulation = FindInput(spec, Options.Input);
        OutputPopulation = FindOutput(spec, Options.Output);
        if (Options.Tail < SimDuration.Zero)
        {
            throw new ArgumentException($"The replay tail must not be negative (got {Options.Tail}).", nameof(options));
        }

        if (Options.MaxDuration is { } max && max <= SimDuration.Zero)
        {
            throw new ArgumentException($"The replay's maximum sample duration must be positive (got {max}).", nameof(options));
        }

        int outputs = spec.Populations[OutputPopulation].Size;
        int classes = outputs;
        if (Options.PopulationCodeClasses is int c)
        {
            if (c < 1 || outputs % c != 0)
            {
                throw new ArgumentException($"A population code of {c} classes needs an output population whose size is a multiple of {c}; '{spec.Populations[OutputPopulation].Name}' has {outputs} neurons.", nameof(options));
            }

            if (Options.Decoding != ReplayDecoding.SpikeCount)
            {
                throw new ArgumentException("A population code is decoded by spike count only.", nameof(options));
            }

            classes = c;
        }

        _groupCounts = new long[classes];
        _shape = spec.Populations[InputPopulation].Shape;
        _grid = Grid(engine, spec);
        _recorder = new OutputRecorder(OutputPopulation, outputs);
        engine.AddSpikeMonitor(_recorder);
    }

    /// <summary>The options.</summary>
    public ReplayOptions Options { get; }

    /// <summary>The engine.</summary>
    public SimulationEngine Engine => _engine;

    /// <summary>The external population the events drive.</summary>
    public int InputPopulation { get; }

    /// <summary>The neuron population whose spikes are decoded.</summary>
    public int OutputPopulation { get; }

    /// <summary>The number of classes a prediction can name (output neurons, or population-code classes).</summary>
    public int Classes => _groupCounts.Length;

    /// <summary>Sample starts are whole multiples of this many ticks.</summary>
    public long GridTicks => _grid;

    /// <summary>The spike count of every output neuron during the last sample.</summary>
    public ReadOnlySpan<int> OutputCounts => _recorder.Counts;

    /// <summary>The first spike time of every output neuron during the last sample, in ticks after the sample's start (−1: silent).</summary>
    public ReadOnlySpan<long> OutputFirstSpikes => _recorder.FirstSpikes;

    /// <summary>Replays one sample.</summary>
    /// <param name="item">The sample.</param>
    /// <param name="index">Its position in the replay (reported back).</param>
    /// <returns>Its prediction and counts.</returns>
    /// <exception cref="EventFormatException">The sample's events are malformed.</exception>
    public ReplaySampleResult RunSample(ReplayItem item, int index = 0)
    {
        ArgumentNullException.ThrowIfNull(item);
        _engine.ResetState(Options.KeepTraces);
        long now = _engine.Now.Ticks;
        long startTicks = now % _grid == 0 ? now : checked(now + (_grid - (now % _grid)));
        var start = SimTime.FromTicks(startTicks);
        if (start > _engine.Now)
        {
            _engine.RunUntil(start);
        }

        _recorder.Begin(start);
        long read = 0, injected = 0, skipped = 0;
        SimTime last = start;
        long? firstUs = null;
        long maxTicks = Options.MaxDuration is { } md ? md.Ticks : long.MaxValue;
        using (IEventReader reader = item.Open())
        {
            _batch.Clear();
            while (reader.ReadBatch(_batch) > 0)
            {
                ReadOnlySpan<long> t = _batch.T;
                ReadOnlySpan<ushort> x = _batch.X;
                ReadOnlySpan<ushort> y = _batch.Y;
                ReadOnlySpan<byte> p = _batch.P;
                read += t.Length;
                firstUs ??= Options.Alignment == ReplayAlignment.FirstEvent ? t[0] : 0;
                SimTime now1 = _engine.Now;
                SimTime batchLast = now1;
                for (int k = 0; k < t.Length; k++)
                {
                    long relUs = t[k] - firstUs.Value;
                    int src = ExternalEventMap.SourceOf(_shape, x[k], y[k], p[k]);
                    if (src < 0 || relUs < 0 || relUs > maxTicks / 1000)
                    {
                        skipped++;
                        continue;
                    }

                    long rel = relUs * 1000;
                    if (rel > maxTicks)
                    {
                        skipped++;
                        continue;
                    }

                    SimTime time = start + SimDuration.FromTicks(rel);
                    if (time < now1)
                    {
                        skipped++;
                        continue;
                    }

                    _engine.InjectEvent(time, InputPopulation, src);
                    injected++;
                    if (time > batchLast)
                    {
                        batchLast = time;
                    }
                }

                if (batchLast > last)
                {
                    last = batchLast;
                }

                // Run to just before the latest event fed so far: an event of the next batch at that same instant is
                // still processed together with it.
                if (batchLast.Ticks - 1 > _engine.Now.Ticks)
                {
                    _engine.RunUntil(SimTime.FromTicks(batchLast.Ticks - 1));
                }

                _batch.Clear();
            }
        }

        SimTime end = last + Options.Tail;
        if (end > _engine.Now)
        {
            _engine.RunUntil(end);
        }

        int prediction = Decode();
        return new ReplaySampleResult(index, item.Source, item.Label, prediction, read, injected, skipped, _recorder.Total, end - start);
    }

    /// <summary>Replays <paramref name="items"/> one after another.</summary>
    /// <param name="items">The samples.</param>
    /// <param name="total">The number of samples, when known (for progress).</param>
    /// <param name="progress">Receives progress after every sample (null: none).</param>
    /// <param name="cancellationToken">Stops between samples.</param>
    /// <returns>Every sample's result, accuracy and throughput.</returns>
    public ReplaySummary Run(IEnumerable<ReplayItem> items, int? total = null, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<ReplaySampleResult>(total ?? 16);
        var watch = Stopwatch.StartNew();
        int labelled = 0, correct = 0;
        long events = 0;
        foreach (ReplayItem item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            ReplaySampleResult r = RunSample(item, results.Count);
            results.Add(r);
            events += r.Events;
            if (r.Label is not null)
            {
                labelled++;
                correct += r.Correct ? 1 : 0;
            }

            progress?.Report(new ReplayProgress(results.Count, total, labelled, correct, events, watch.Elapsed));
        }

        watch.Stop();
        return new ReplaySummary(results, watch.Elapsed);
    }

    /// <summary>Releases the replay's event buffer (the engine is the caller's).</summary>
    public void Dispose() => _batch.Dispose();

    private int Decode()
    {
        if (_recorder.Total == 0)
        {
            return -1;
        }

        if (Options.Decoding == ReplayDecoding.FirstSpike)
        {
            return SpikeDecoders.ArgMinFirstSpike(_recorder.FirstSpikes);
        }

        ReadOnlySpan<int> counts = _recorder.Counts;
        int n = counts.Length, c = _groupCounts.Length;
        Array.Clear(_groupCounts);
        for (int k = 0; k < c; k++)
        {
            long sum = 0;
            int lo = (int)((long)n * k / c), hi = (int)((long)n * (k + 1) / c);
            for (int i = lo; i < hi; i++)
            {
                sum += counts[i];
            }

            _groupCounts[k] = sum;
        }

        return SpikeDecoders.ArgMax(_groupCounts);
    }

    private static int FindInput(NetworkSpec spec, string? name)
    {
        if (name is not null)
        {
            PopulationSpec p = spec.Populations.FirstOrDefault(q => q.Name == name)
                ?? throw new ArgumentException($"The network has no population '{name}' to feed; external populations: {Names(spec, PopulationKind.External)}.", nameof(name));
            return p.Kind == PopulationKind.External
                ? p.Id
                : throw new ArgumentException($"Population '{name}' is not an external input; external populations: {Names(spec, PopulationKind.External)}.", nameof(name));
        }

        PopulationSpec[] externals = [.. spec.Populations.Where(p => p.Kind == PopulationKind.External)];
        return externals.Length switch
        {
            1 => externals[0].Id,
            0 => throw new ArgumentException("The network has no external input population for the events (add one of kind 'external', shape [2, height, width]).", nameof(name)),
            _ => throw new ArgumentException($"The network has several external populations ({Names(spec, PopulationKind.External)}); name the one to feed.", nameof(name)),
        };
    }

    private static int FindOutput(NetworkSpec spec, string? name)
    {
        if (name is not null)
        {
            PopulationSpec p = spec.Populations.FirstOrDefault(q => q.Name == name)
                ?? throw new ArgumentException($"The network has no population '{name}' to decode; neuron populations: {Names(spec, PopulationKind.Neurons)}.", nameof(name));
            return p.Kind == PopulationKind.Neurons
                ? p.Id
                : throw new ArgumentException($"Population '{name}' is not a neuron population; neuron populations: {Names(spec, PopulationKind.Neurons)}.", nameof(name));
        }

        PopulationSpec? lastNeurons = spec.Populations.LastOrDefault(p => p.Kind == PopulationKind.Neurons);
        return lastNeurons?.Id ?? throw new ArgumentException("The network has no neuron population to decode.", nameof(name));
    }

    private static string Names(NetworkSpec spec, PopulationKind kind)
    {
        string[] names = [.. spec.Populations.Where(p => p.Kind == kind).Select(p => $"'{p.Name}'")];
        return names.Length == 0 ? "none" : string.Join(", ", names);
    }

    private static long Grid(SimulationEngine engine, NetworkSpec spec)
    {
        long grid = 1000;
        foreach (PopulationSpec p in spec.Populations)
        {
            if (engine.GetExecution(p.Id) is { Mode: ExecutionMode.Clock } e && e.Dt.Ticks > 0)
            {
                long g = grid / Gcd(grid, e.Dt.Ticks) * e.Dt.Ticks;
                if (g > SimDuration.TicksPerSecond || g <= 0)
                {
                    return 1000;
                }

                grid = g;
            }
        }

        return grid;
    }

    private static long Gcd(long a, long b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }

    /// <summary>Per-neuron spike count and first spike time of the output population during one sample.</summary>
    private sealed class OutputRecorder(int population, int size) : ISpikeMonitor
    {
        private readonly int[] _counts = new int[size];
        private readonly long[] _first = new long[size];
        private long _start;

        public ReadOnlySpan<int> Counts => _counts;

        public ReadOnlySpan<long> FirstSpikes => _first;

        public long Total { get; private set; }

        public void Begin(SimTime start)
        {
            Array.Clear(_counts);
            Array.Fill(_first, -1L);
            Total = 0;
            _start = start.Ticks;
        }

        public void OnSpike(SimTime time, int pop, int neuron)
        {
            if (pop != population || time.Ticks < _start)
            {
                return;
            }

            if (_counts[neuron]++ == 0)
            {
                _first[neuron] = time.Ticks - _start;
            }

            Total++;
        }
    }
}
