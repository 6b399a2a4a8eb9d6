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
/// <para><b>Batched:</b> with <see cref="ReplayOptions.Batch"/> above 1, <see cref="Run"/> runs the samples B at a time:
/// a network whose neuron populations are all clock-driven as the members of one <see cref="SimulationBatch"/> over the
/// engine's CPU threads (each member counted up to its own sample's end), any other network on copies of the engine, one
/// per CPU thread (<see cref="EngineOptions.Threads"/>), each brought to the engine's state (weights included) at the
/// start of every <see cref="Run"/>. Either way every result equals the one-by-one replay's, and the engine itself does
/// not run.</para>
/// <para>One replay uses its engine from one thread at a time; monitors added to the engine see every sample (not the
/// members of a batched replay, which run outside the engine).</para>
/// </remarks>
public sealed class OfflineReplay : IDisposable
{
    private readonly SimulationEngine _engine;
    private readonly OutputRecorder _recorder;
    private readonly PopulationShape _shape;
    private readonly long _grid;
    private readonly long[] _groupCounts;
    private readonly EventBatch _batch = new();
    private readonly SimulationBatch? _members;
    private readonly int _workers;
    private OfflineReplay[]? _copies;
    private MemoryStream? _saved;
    private readonly List<BatchEvent> _memberEvents = [];
    private readonly int[] _memberCounts;
    private readonly long[] _memberFirsts;

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

        if (Options.Batch < 1)
        {
            throw new ArgumentException($"Batched replay needs a batch of 1 or more samples (got {Options.Batch}).", nameof(options));
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
        _memberCounts = new int[outputs];
        _memberFirsts = new long[outputs];
        if (Options.Batch > 1 && AllClockDriven(engine, spec))
        {
            try
            {
                _members = engine.CreateBatch(Options.Batch);
            }
            catch (ArgumentException ex)
            {
                string why = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
                throw new ArgumentException($"Batched replay (a batch of {Options.Batch} samples) runs the network as a clock-driven batch, which it cannot be: {why}", nameof(options), ex);
            }

            _members.RecordSpikes(spec.Populations[OutputPopulation].Name);
        }
        else if (Options.Batch > 1)
        {
            string? why = CopyObstacle(engine, spec);
            if (why is not null)
            {
                throw new ArgumentException($"Batched replay (a batch of {Options.Batch} samples) runs the samples of a network with event-driven populations on copies of the engine, one per CPU thread, which needs samples that do not depend on each other or on the time: {why}.", nameof(options));
            }

            _workers = Math.Min(Options.Batch, engine.Options.Threads);
        }

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
        var sink = new EngineSink(this, start);
        SampleStats stats = ReadSample(item, ref sink);
        SimTime end = start + SimDuration.FromTicks(stats.End);
        if (end > _engine.Now)
        {
            _engine.RunUntil(end);
        }

        int prediction = Decode(_recorder.Counts, _recorder.FirstSpikes, _recorder.Total);
        return new ReplaySampleResult(index, item.Source, item.Label, prediction, stats.Read, stats.Injected, stats.Skipped, _recorder.Total, end - start);
    }

    /// <summary>Replays <paramref name="items"/> one after another.</summary>
    /// <param name="items">The samples.</param>
    /// <param name="total">The number of samples, when known (for progress).</param>
    /// <param name="progress">Receives progress after every sample (null: none).</param>
    /// <param name="cancellationToken">Stops between samples.</param>
    /// <returns>Every sample's result, accuracy and throughput.</returns>
    /// <remarks>
    /// With <see cref="ReplayOptions.Batch"/> B above 1, the samples run B at a time as the members of one
    /// <see cref="SimulationBatch"/> (each member from the initial state, for its own sample's length, events fed and
    /// skipped exactly as <see cref="RunSample"/> does), and each result equals <see cref="RunSample"/>'s; the
    /// engine itself does not run and its time does not move. Progress is reported after every sample, B at a time.
    /// </remarks>
    public ReplaySummary Run(IEnumerable<ReplayItem> items, int? total = null, IProgress<ReplayProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(items);
        var results = new List<ReplaySampleResult>(total ?? 16);
        var watch = Stopwatch.StartNew();
        int labelled = 0, correct = 0;
        long events = 0;
        void Add(ReplaySampleResult r)
        {
            results.Add(r);
            events += r.Events;
            if (r.Label is not null)
            {
                labelled++;
                correct += r.Correct ? 1 : 0;
            }

            progress?.Report(new ReplayProgress(results.Count, total, labelled, correct, events, watch.Elapsed));
        }

        var pending = new List<ReplayItem>(Options.Batch);
        bool oneByOne = Options.Batch == 1;
        if (!oneByOne && _members is null)
        {
            SyncCopies();
        }

        foreach (ReplayItem item in items)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (oneByOne)
            {
                Add(RunSample(item, results.Count));
                continue;
            }

            ArgumentNullException.ThrowIfNull(item, nameof(items));
            pending.Add(item);
            if (pending.Count == Options.Batch)
            {
                RunPending(pending, results.Count, Add);
                pending.Clear();
            }
        }

        if (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            RunPending(pending, results.Count, Add);
        }

        watch.Stop();
        return new ReplaySummary(results, watch.Elapsed);
    }

    /// <summary>Releases the replay's event buffer, batch and engine copies (the engine is the caller's).</summary>
    public void Dispose()
    {
        _batch.Dispose();
        _members?.Dispose();
        _saved?.Dispose();
        foreach (OfflineReplay copy in _copies ?? [])
        {
            copy.Dispose();
            copy._engine.Dispose();
        }
    }

    /// <summary>Whether every neuron population runs clock-driven (then a batch runs the members).</summary>
    private static bool AllClockDriven(SimulationEngine engine, NetworkSpec spec) =>
        spec.Populations.All(p => p.Kind != PopulationKind.Neurons || engine.GetExecution(p.Id) is { Mode: ExecutionMode.Clock });

    /// <summary>Why the samples could not run on copies of the engine with the one-by-one results (null: they can).</summary>
    private static string? CopyObstacle(SimulationEngine engine, NetworkSpec spec)
    {
        foreach (PopulationSpec p in spec.Populations)
        {
            if (p.Kind is not PopulationKind.Neurons and not PopulationKind.External)
            {
                return $"population '{p.Name}' is a {p.Kind} source, whose spikes follow the time rather than the sample";
            }

            if (!p.PoissonInputs.IsEmpty)
            {
                return $"population '{p.Name}' has Poisson input drawn per step, which follows the time rather than the sample";
            }
        }

        foreach (ProjectionSpec pr in spec.Projections)
        {
            if (pr.Plasticity is not null)
            {
                return $"projection '{pr.Name}' is plastic, so a sample's weights depend on the samples before it";
            }
        }

        return engine.Options.Device is not null and not Devices.CpuDevice || engine.Options.PopulationDevices is { Count: > 0 }
            ? "the engine runs populations on a device other than the CPU device, which the copies do not share"
            : null;
    }

    /// <summary>Brings the engine copies (created on first use) to the engine's current state: weights, neuron state, time.</summary>
    private void SyncCopies()
    {
        EngineOptions options = _engine.Options with { Device = null, PopulationDevices = null, Threads = 1 };
        _copies ??= [.. Enumerable.Range(0, _workers).Select(_ => new OfflineReplay(new SimulationEngine(_engine.Network, options), Options with { Batch = 1 }))];
        MemoryStream saved = _saved ??= new MemoryStream();
        saved.SetLength(0);
        _engine.Save(saved);
        foreach (OfflineReplay copy in _copies)
        {
            saved.Position = 0;
            copy._engine.Restore(saved);
        }
    }

    private void RunPending(List<ReplayItem> items, int firstIndex, Action<ReplaySampleResult> report)
    {
        if (_members is not null)
        {
            RunMembers(items, firstIndex, report);
            return;
        }

        // Sample k runs on copy k mod W, each copy one sample after another on its own thread; samples do not depend on
        // each other (CopyObstacle), so every result is the one-by-one replay's whatever W is.
        var results = new ReplaySampleResult?[items.Count];
        var errors = new Exception?[items.Count];
        OfflineReplay[] copies = _copies!;
        Parallel.For(0, Math.Min(copies.Length, items.Count), new ParallelOptions { MaxDegreeOfParallelism = copies.Length }, w =>
        {
            for (int k = w; k < items.Count; k += copies.Length)
            {
                try
                {
                    results[k] = copies[w].RunSample(items[k], firstIndex + k);
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    errors[k] = ex;
                    return;
                }
            }
        });

        for (int k = 0; k < items.Count; k++)
        {
            if (errors[k] is { } error)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
            }

            report(results[k]!);
        }
    }

    /// <summary>
    /// Reads one sample's events, skipping (and counting) those outside the input shape, before time 0, after the
    /// maximum duration, or earlier than the time already run to; hands each kept event to the sink at its time after
    /// the sample's start, and lets the sink run to just before each read batch's latest event (an event of the next
    /// batch at that same instant is still processed together with it).
    /// </summary>
    private SampleStats ReadSample<TSink>(ReplayItem item, ref TSink sink)
        where TSink : struct, ISampleSink
    {
        long read = 0, injected = 0, skipped = 0;
        long last = 0, runTo = 0;
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
                long batchLast = runTo;
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
                    if (rel > maxTicks || rel < runTo)
                    {
                        skipped++;
                        continue;
                    }

                    sink.Add(rel, src);
                    injected++;
                    batchLast = Math.Max(batchLast, rel);
                }

                last = Math.Max(last, batchLast);
                if (batchLast - 1 > runTo)
                {
                    runTo = batchLast - 1;
                    sink.RunTo(runTo);
                }

                _batch.Clear();
            }
        }

        return new SampleStats(read, injected, skipped, checked(last + Options.Tail.Ticks));
    }

    /// <summary>Runs up to B samples as the members of the batch and reports each one's result.</summary>
    private void RunMembers(List<ReplayItem> items, int firstIndex, Action<ReplaySampleResult> report)
    {
        SimulationBatch batch = _members!;
        long dt = batch.Dt.Ticks;
        var stats = new SampleStats[items.Count];
        _memberEvents.Clear();
        long steps = 1;
        for (int b = 0; b < items.Count; b++)
        {
            int from = _memberEvents.Count;
            var sink = new MemberSink(_memberEvents, b);
            stats[b] = ReadSample(items[b], ref sink);
            SortByTime(_memberEvents, from);
            steps = Math.Max(steps, stats[b].End / dt);
        }

        if (steps > int.MaxValue)
        {
            throw new ArgumentException($"Sample '{items[0].Source}' and the ones batched with it last {SimDuration.FromTicks(steps * dt)}, more than a batch runs ({int.MaxValue} steps of {batch.Dt}).", nameof(items));
        }

        int total = (int)steps;
        batch.Run(BatchInput.FromEvents(_engine.Network.Populations[InputPopulation].Name, _memberEvents), total);
        ReadOnlySpan<float> spikes = batch.GetSpikes(_engine.Network.Populations[OutputPopulation].Name);
        int n = _memberCounts.Length, members = batch.Members;
        for (int b = 0; b < items.Count; b++)
        {
            // The one-by-one replay runs to the sample's end: the steps that end at or before it.
            long own = stats[b].End / dt;
            Array.Clear(_memberCounts);
            Array.Fill(_memberFirsts, -1L);
            long outputSpikes = 0;
            for (int k = 0; k < own; k++)
            {
                ReadOnlySpan<float> row = spikes.Slice(((k * members) + b) * n, n);
                for (int j = 0; j < n; j++)
                {
                    if (row[j] != 0)
                    {
                        if (_memberCounts[j]++ == 0)
                        {
                            _memberFirsts[j] = (k + 1) * dt;
                        }

                        outputSpikes++;
                    }
                }
            }

            ReplayItem item = items[b];
            int prediction = Decode(_memberCounts, _memberFirsts, outputSpikes);
            report(new ReplaySampleResult(firstIndex + b, item.Source, item.Label, prediction, stats[b].Read, stats[b].Injected, stats[b].Skipped, outputSpikes, SimDuration.FromTicks(stats[b].End)));
        }
    }

    /// <summary>Sorts a member's events from <paramref name="from"/> by time, keeping the order of equal times (as the engine's queue does).</summary>
    private static void SortByTime(List<BatchEvent> events, int from)
    {
        for (int i = from + 1; i < events.Count; i++)
        {
            if (events[i].Time < events[i - 1].Time)
            {
                BatchEvent[] sorted = [.. events.Skip(from).OrderBy(e => e.Time)];
                for (int k = 0; k < sorted.Length; k++)
                {
                    events[from + k] = sorted[k];
                }

                return;
            }
        }
    }

    private int Decode(ReadOnlySpan<int> counts, ReadOnlySpan<long> firstSpikes, long total)
    {
        if (total == 0)
        {
            return -1;
        }

        if (Options.Decoding == ReplayDecoding.FirstSpike)
        {
            return SpikeDecoders.ArgMinFirstSpike(firstSpikes);
        }

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

    /// <summary>Where <see cref="ReadSample"/> puts a sample's events: times are ticks after the sample's start.</summary>
    private interface ISampleSink
    {
        void Add(long time, int source);

        void RunTo(long time);
    }

    /// <summary>A sample's counts of events read, fed and skipped, and its end (last event fed + tail) after its start.</summary>
    private readonly record struct SampleStats(long Read, long Injected, long Skipped, long End);

    /// <summary>Feeds the engine: events injected at start + time, the engine run as the reader asks.</summary>
    private readonly struct EngineSink(OfflineReplay replay, SimTime start) : ISampleSink
    {
        public void Add(long time, int source) => replay._engine.InjectEvent(start + SimDuration.FromTicks(time), replay.InputPopulation, source);

        public void RunTo(long time) => replay._engine.RunUntil(start + SimDuration.FromTicks(time));
    }

    /// <summary>Collects one batch member's events.</summary>
    private readonly struct MemberSink(List<BatchEvent> events, int member) : ISampleSink
    {
        public void Add(long time, int source) => events.Add(new BatchEvent(member, SimTime.FromTicks(time), source));

        public void RunTo(long time)
        {
        }
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
