using System.Numerics;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Engines.Batch;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines;

/// <summary>
/// B independent copies of a <see cref="SimulationEngine"/>'s network state that share its weights: clock-driven
/// inference of a batch of samples at once, each member exactly as the engine runs one sample from its initial state.
/// </summary>
/// <remarks>
/// <para><b>Model.</b> Every neuron population becomes B copies of its state, stored member-major (index
/// <c>b·N + j</c>) and stepped by the population's own clock kernel; every projection keeps one set of weights for all
/// members. A run starts every member from the initial state (state is reset between samples), steps every population
/// together with their common dt, and returns spikes per member.</para>
/// <para><b>Threads.</b> Members are independent, so the batch is split into contiguous shards of members, one per CPU
/// thread of the engine (<see cref="EngineOptions.Threads"/>); each thread runs its shard through every step of the run
/// (input, delivery, neuron steps) without waiting for the others, and the threads meet once per run. A member's
/// arithmetic does not depend on which shard holds it, so results do not depend on the thread count.</para>
/// <para><b>Delivery.</b> At each instant the spikes of a population are listed per member by source neuron; a dense
/// projection (a weight matrix <c>[pre, post]</c>, as linear layers compile to) adds, tile by tile of post neurons held
/// in SIMD registers, the weight row of every source that spiked for a member (binary spikes: rows added, zeros
/// skipped), then stores the tile once; a block of weight rows stays in cache while every member of the shard uses it.
/// Sparse projections (convolutions, several delays) deliver synapse group by group.</para>
/// <para><b>Equivalence.</b> Member b's spikes equal those of a single run of the engine (fresh state, its inputs
/// injected at the same times, run for the same steps): for each member and target the contributions are summed in the
/// engine's order (inputs before the populations' spikes of the same instant, population order, ascending source),
/// with the same float arithmetic. A population that receives two projections from the same source population is
/// summed projection by projection rather than spike by spike, which may differ in the last bit.</para>
/// <para><b>Requirements.</b> Every neuron population clock-driven with one common dt, inputs through external
/// populations, static projections, no model with a population-wide rule (inhibition would span the batch).</para>
/// <para><b>Allocation.</b> After the first run with a given number of steps, a dense-input run allocates nothing.</para>
/// </remarks>
public sealed class SimulationBatch : IDisposable
{
    private const long MaxDenseWeights = 1L << 24;

    /// <summary>The dispatcher's chunk: one chunk of this many indices per shard.</summary>
    private const int ShardChunk = 64;

    private readonly CpuDevice _laneDevice;
    private readonly CpuDevice _shardDevice;
    private readonly PopulationSpec[] _inputs;
    private readonly LayerOutput[] _outputs;
    private readonly Shard[] _shards;
    private readonly long _dt;
    private int[] _eventOrder = [];
    private int[] _eventBucket = [];
    private RunInput _run;
    private bool _disposed;

    internal SimulationBatch(SimulationEngine engine, int members, int threads)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentOutOfRangeException.ThrowIfLessThan(members, 1);
        Engine = engine;
        Members = members;
        NetworkSpec net = engine.Network;
        string? dtOwner = null;
        foreach (PopulationSpec p in net.Populations)
        {
            if (p.Kind == PopulationKind.External)
            {
                continue;
            }

            if (p.Kind != PopulationKind.Neurons)
            {
                throw new ArgumentException($"Population '{p.Name}' is a {p.Kind} source; a batch takes its inputs through external input populations only.", nameof(engine));
            }

            ExecutionSpec ex = engine.GetExecution(p.Id)!;
            if (ex.Mode != ExecutionMode.Clock)
            {
                throw new ArgumentException($"Layer '{p.Name}' is event-driven; a batch runs clock-driven: declare it ClockDriven(dt) or build the engine with clock execution.", nameof(engine));
            }

            if (dtOwner is null)
            {
                _dt = ex.Dt.Ticks;
                dtOwner = p.Name;
            }
            else if (ex.Dt.Ticks != _dt)
            {
                throw new ArgumentException($"Layer '{p.Name}' steps by {ex.Dt} and layer '{dtOwner}' by {SimDuration.FromTicks(_dt)}; a batch steps every layer together with one dt.", nameof(engine));
            }

            if (!p.PoissonInputs.IsEmpty)
            {
                throw new ArgumentException($"Layer '{p.Name}' has Poisson input drawn per step; a batch does not run it (use the simulation engine).", nameof(engine));
            }

            if (p.Model!.UsesPopulationRule(p))
            {
                throw new ArgumentException($"Layer '{p.Name}': model '{p.Model.Info.Name}' applies a population-wide rule (inhibition), which would span the batch; it cannot run batched.", nameof(engine));
            }

            if ((long)p.Size * members > int.MaxValue / 4)
            {
                throw new ArgumentException($"Layer '{p.Name}' has {p.Size} neurons; {members} members of it exceed a batch's {int.MaxValue / 4} neurons per layer.", nameof(members));
            }
        }

        if (dtOwner is null)
        {
            throw new ArgumentException("The network has no neuron population to run.", nameof(engine));
        }

        foreach (ProjectionSpec pr in net.Projections)
        {
            if (pr.Plasticity is not null)
            {
                throw new ArgumentException($"Projection '{pr.Name}' is plastic; a batch shares one set of weights across members and runs static projections only.", nameof(engine));
            }
        }

        int shards = Math.Min(members, Math.Max(1, threads));
        _laneDevice = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        _shardDevice = new CpuDevice(new CpuDeviceOptions { Threads = shards, ChunkSize = ShardChunk, MinParallelCount = 0 });
        try
        {
            var maxLag = new long[net.Populations.Length];
            var links = new LinkSpec[net.Projections.Length];
            foreach (ProjectionSpec pr in net.Projections)
            {
                SynapseTable table = engine.GetSynapses(pr.Id);
                links[pr.Id] = new LinkSpec(pr, table, Densify(table, out long delay), delay);
                if (table.SynapseCount > 0)
                {
                    maxLag[pr.Post] = Math.Max(maxLag[pr.Post], LagOf(table.MaxDelay));
                }
            }

            var dt = SimDuration.FromTicks(_dt);
            var outputs = new LayerOutput?[net.Populations.Length];
            var layers = new List<LayerOutput>();
            var inputs = new List<PopulationSpec>();
            foreach (PopulationSpec p in net.Populations)
            {
                if (p.Kind == PopulationKind.External)
                {
                    inputs.Add(p);
                    continue;
                }

                ClockPopulationState single = p.Model!.CreateClockPopulation(p, dt, 2, 1, _laneDevice).State;
                var output = new LayerOutput(p, members, (int)Math.Max(2, maxLag[p.Id] + 1), single);
                outputs[p.Id] = output;
                layers.Add(output);
            }

            _inputs = [.. inputs];
            _outputs = [.. layers];
            _shards = new Shard[shards];
            for (int s = 0; s < shards; s++)
            {
                int first = (int)((long)members * s / shards);
                int next = (int)((long)members * (s + 1) / shards);
                _shards[s] = new Shard(net, outputs, links, first, next - first, members, _dt, _laneDevice);
            }
        }
        catch
        {
            _laneDevice.Dispose();
            _shardDevice.Dispose();
            throw;
        }
    }

    /// <summary>The engine whose network and weights the batch runs.</summary>
    public SimulationEngine Engine { get; }

    /// <summary>The number of members B.</summary>
    public int Members { get; }

    /// <summary>The common step of every layer.</summary>
    public SimDuration Dt => SimDuration.FromTicks(_dt);

    /// <summary>The number of steps of the last run (0 before the first).</summary>
    public int StepsRun { get; private set; }

    /// <summary>
    /// Records every spike of <paramref name="population"/> per step in the next runs (<see cref="GetSpikes"/>); spike
    /// counts are always kept.
    /// </summary>
    /// <param name="population">A neuron population (layer) name.</param>
    /// <exception cref="ArgumentException">No such neuron population.</exception>
    public void RecordSpikes(string population) => FindLayer(population).Recording = true;

    /// <summary>
    /// Runs every member from the initial state for <paramref name="steps"/> steps of dt with <paramref name="input"/>:
    /// step k (1-based) covers ((k − 1)·dt, k·dt] after the sample's start; dense frame t is injected at t·dt.
    /// </summary>
    /// <param name="input">The input of one external population (other external populations stay silent).</param>
    /// <param name="steps">Steps to run (default: the dense input's T; required for event input).</param>
    /// <exception cref="ArgumentException">The input names no external population, has the wrong shape or a bad event.</exception>
    public void Run(BatchInput input, int? steps = null)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(input);
        PopulationSpec src = FindInput(input.Population);
        int n = src.Size;
        long per = (long)Members * n;
        int frames = 0;
        if (input.Events is null)
        {
            if (input.Dense.Length == 0 || input.Dense.Length % per != 0)
            {
                throw new ArgumentException($"Input '{src.Name}' takes [T, {Members}, {ShapeText(src.Shape)}] values (a positive multiple of {per}); got {input.Dense.Length}.", nameof(input));
            }

            frames = (int)(input.Dense.Length / per);
        }

        int total = steps ?? (input.Events is null ? frames : throw new ArgumentException($"Input '{src.Name}' is an event stream: give the number of steps to run.", nameof(steps)));
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1, nameof(steps));
        if (input.Events is { } events)
        {
            BucketEvents(src, events, total);
        }

        foreach (LayerOutput output in _outputs)
        {
            output.Reset(total);
        }

        _run = new RunInput(src.Id, input.Dense, Math.Min(frames, total), total, input.Events, _eventOrder, _eventBucket);
        try
        {
            if (_shards.Length == 1)
            {
                _shards[0].Run(in _run);
            }
            else
            {
                var kernel = new ShardKernel { Batch = this };
                _shardDevice.For(_shards.Length * ShardChunk, ref kernel);
            }
        }
        finally
        {
            _run = default;
        }

        // A value that is not finite stops its shard; report the first in input order (step, then member), which does
        // not depend on how the batch is split.
        Shard? bad = null;
        foreach (Shard shard in _shards)
        {
            if (shard.BadIndex >= 0 && (bad is null || shard.BadStep < bad.BadStep))
            {
                bad = shard;
            }
        }

        if (bad is not null)
        {
            StepsRun = 0;
            long at = (((long)bad.BadStep * Members) + bad.First) * n + bad.BadIndex;
            float value = input.Dense.Span[(int)at];
            throw new ArgumentException($"Input '{src.Name}': value x[{bad.BadStep}, {bad.First + (bad.BadIndex / n)}, {bad.BadIndex % n}] = {value} is not finite.", nameof(input));
        }

        StepsRun = total;
    }

    /// <summary>The spike count of every neuron of <paramref name="population"/> in the last run, <c>[B, N]</c> (index <c>b·N + j</c>).</summary>
    /// <param name="population">A neuron population (layer) name.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentException">No such neuron population.</exception>
    public ReadOnlySpan<int> GetSpikeCounts(string population) => FindLayer(population).Counts;

    /// <summary>
    /// The spikes of <paramref name="population"/> in the last run, <c>[steps, B, N]</c> (index <c>((k − 1)·B + b)·N + j</c>
    /// for step k): the spike's amplitude (1 for binary spikes), 0 where none. Needs <see cref="RecordSpikes"/> before the run.
    /// </summary>
    /// <param name="population">A neuron population (layer) name.</param>
    /// <returns>The spikes.</returns>
    /// <exception cref="ArgumentException">No such neuron population.</exception>
    /// <exception cref="InvalidOperationException">The population was not recorded in the last run.</exception>
    public ReadOnlySpan<float> GetSpikes(string population)
    {
        LayerOutput layer = FindLayer(population);
        return layer.Recorded is { } r && layer.RecordedSteps == StepsRun && StepsRun > 0
            ? r.AsSpan(0, StepsRun * Members * layer.Spec.Size)
            : throw new InvalidOperationException($"Layer '{population}' was not recorded in the last run; call RecordSpikes(\"{population}\") before Run.");
    }

    /// <summary>
    /// The class of each member by spike count over <paramref name="population"/> (snnTorch's <c>accuracy_rate</c>
    /// decoding): the neuron with the most spikes, ties to the lowest index, −1 for a silent member.
    /// </summary>
    /// <param name="population">A neuron population (layer) name.</param>
    /// <param name="classes">B destinations.</param>
    /// <exception cref="ArgumentException">No such neuron population, or <paramref name="classes"/> is not B long.</exception>
    public void Classify(string population, Span<int> classes)
    {
        LayerOutput layer = FindLayer(population);
        if (classes.Length != Members)
        {
            throw new ArgumentException($"Classify needs {Members} destinations (one per member); got {classes.Length}.", nameof(classes));
        }

        int n = layer.Spec.Size;
        for (int b = 0; b < Members; b++)
        {
            ReadOnlySpan<int> c = layer.Counts.AsSpan(b * n, n);
            int best = -1;
            int most = 0;
            for (int j = 0; j < n; j++)
            {
                if (c[j] > most)
                {
                    most = c[j];
                    best = j;
                }
            }

            classes[b] = best;
        }
    }

    /// <summary>Releases the batch's CPU workers.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _shardDevice.Dispose();
        _laneDevice.Dispose();
    }

    private static string ShapeText(PopulationShape s) => s.IsSpatial ? $"{s.Channels}, {s.Height}, {s.Width}" : s.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A dense <c>[pre, post]</c> copy of the table's weights, when it is dense enough, small enough, has one delay and no repeated pair.</summary>
    private static float[]? Densify(SynapseTable table, out long delay)
    {
        delay = table.MinDelay;
        long size = (long)table.PreSize * table.PostSize;
        if (table.SynapseCount == 0 || table.MinDelay != table.MaxDelay || size > MaxDenseWeights || table.SynapseCount * 4L < size)
        {
            return null;
        }

        var dense = new float[size];
        var seen = new bool[size];
        for (int i = 0; i < table.PreSize; i++)
        {
            for (int g = table.SourceGroupStart[i]; g < table.SourceGroupStart[i + 1]; g++)
            {
                ReadOnlySpan<int> targets = table.GroupTargets(g);
                ReadOnlySpan<float> weights = table.GroupWeights(g);
                for (int k = 0; k < targets.Length; k++)
                {
                    long at = ((long)i * table.PostSize) + targets[k];
                    if (seen[at])
                    {
                        return null;
                    }

                    seen[at] = true;
                    dense[at] = weights[k];
                }
            }
        }

        return dense;
    }

    private long LagOf(long delay) => (delay + _dt - 1) / _dt;

    private void RunShard(int shard) => _shards[shard].Run(in _run);

    private PopulationSpec FindInput(string name)
    {
        foreach (PopulationSpec p in _inputs)
        {
            if (p.Name == name)
            {
                return p;
            }
        }

        foreach (LayerOutput layer in _outputs)
        {
            if (layer.Spec.Name == name)
            {
                throw new ArgumentException($"Input '{name}' is a neuron layer, not an external input population.", nameof(name));
            }
        }

        throw new ArgumentException($"Input '{name}' is not a population of the network.", nameof(name));
    }

    private LayerOutput FindLayer(string name)
    {
        foreach (LayerOutput layer in _outputs)
        {
            if (layer.Spec.Name == name)
            {
                return layer;
            }
        }

        throw new ArgumentException($"Layer '{name}' is not a neuron population of the network.", nameof(name));
    }

    private void BucketEvents(PopulationSpec src, IReadOnlyList<BatchEvent> events, int total)
    {
        int count = events.Count;
        if (_eventOrder.Length < count)
        {
            _eventOrder = new int[count];
        }

        if (_eventBucket.Length < total + 2)
        {
            _eventBucket = new int[total + 2];
        }

        Span<int> bucket = _eventBucket.AsSpan(0, total + 2);
        bucket.Clear();
        var last = new long[Members];
        int n = src.Size;
        for (int e = 0; e < count; e++)
        {
            BatchEvent be = events[e];
            if ((uint)be.Member >= (uint)Members || (uint)be.Neuron >= (uint)n || be.Time.Ticks < 0)
            {
                throw new ArgumentException($"Input '{src.Name}' event {e} (member {be.Member}, neuron {be.Neuron}, time {be.Time}) is outside [B = {Members}, N = {n}] or before the sample's start.", nameof(events));
            }

            if (be.Time.Ticks < last[be.Member])
            {
                throw new ArgumentException($"Input '{src.Name}' event {e} (member {be.Member}, time {be.Time}) is earlier than that member's previous event; give each member's events in time order.", nameof(events));
            }

            last[be.Member] = be.Time.Ticks;
            long k = (be.Time.Ticks + _dt - 1) / _dt;
            if (k <= total)
            {
                bucket[(int)k + 1]++;
            }
        }

        for (int k = 0; k <= total; k++)
        {
            bucket[k + 1] += bucket[k];
        }

        Span<int> cursor = new int[total + 1];
        bucket[..(total + 1)].CopyTo(cursor);
        for (int e = 0; e < count; e++)
        {
            long k = (events[e].Time.Ticks + _dt - 1) / _dt;
            if (k <= total)
            {
                _eventOrder[cursor[(int)k]++] = e;
            }
        }
    }

    /// <summary>Runs one shard per chunk (chunk c covers indices <c>c·64 .. c·64 + 63</c>).</summary>
    private struct ShardKernel : IRangeKernel
    {
        public SimulationBatch Batch;

        public readonly void Execute(int start, int end) => Batch.RunShard(start / ShardChunk);
    }

    /// <summary>What every shard reads during one run.</summary>
    /// <param name="Source">The input population's id.</param>
    /// <param name="Dense">The dense input <c>[T, B, N]</c> (empty for events).</param>
    /// <param name="Frames">Dense frames to inject (at steps 0 .. Frames − 1).</param>
    /// <param name="Total">Steps to run.</param>
    /// <param name="Events">The events (null for dense input).</param>
    /// <param name="EventOrder">Event indices by step.</param>
    /// <param name="EventBucket">Step k's events are <c>EventOrder[EventBucket[k] .. EventBucket[k + 1]]</c>.</param>
    private readonly record struct RunInput(int Source, ReadOnlyMemory<float> Dense, int Frames, int Total, IReadOnlyList<BatchEvent>? Events, int[] EventOrder, int[] EventBucket);

    /// <summary>A projection as every shard shares it: its synapses and, when dense, its weight matrix <c>[pre, post]</c>.</summary>
    /// <param name="Spec">The projection.</param>
    /// <param name="Table">Its synapses.</param>
    /// <param name="Dense">The dense weights, or null.</param>
    /// <param name="Delay">The dense weights' single delay.</param>
    private sealed record LinkSpec(ProjectionSpec Spec, SynapseTable Table, float[]? Dense, long Delay);

    /// <summary>What a run leaves for the caller about one neuron population, over the whole batch, and its initial state.</summary>
    private sealed class LayerOutput
    {
        private readonly int _members;

        public LayerOutput(PopulationSpec spec, int members, int ringSlots, ClockPopulationState single)
        {
            Spec = spec;
            _members = members;
            RingSlots = ringSlots;
            Initial = [.. single.Columns.Select(c => c.AsSpan(0, spec.Size).ToArray())];
            InitialRefractory = single.RefractorySteps.AsSpan(0, spec.Size).ToArray();
            Counts = new int[spec.Size * members];
        }

        public PopulationSpec Spec { get; }

        public int RingSlots { get; }

        /// <summary>One member's initial value of each state column.</summary>
        public float[][] Initial { get; }

        /// <summary>One member's initial refractory steps.</summary>
        public float[] InitialRefractory { get; }

        public int[] Counts { get; }

        public bool Recording { get; set; }

        public float[]? Recorded { get; private set; }

        public int RecordedSteps { get; private set; }

        public void Reset(int steps)
        {
            Array.Clear(Counts);
            RecordedSteps = 0;
            if (Recording)
            {
                int n = Spec.Size;
                long length = (long)steps * _members * n;
                if (length > Array.MaxLength)
                {
                    throw new ArgumentException($"Recording layer '{Spec.Name}' for {steps} steps needs {length} values, more than an array holds.", nameof(steps));
                }

                if (Recorded is null || Recorded.Length < length)
                {
                    Recorded = new float[length];
                }
                else
                {
                    Recorded.AsSpan(0, (int)length).Clear();
                }

                RecordedSteps = steps;
            }
        }
    }

    /// <summary>
    /// A contiguous range of members with its own state of every population, run by one thread through all the steps of a
    /// run: its input frames, deliveries and neuron steps touch only its own members.
    /// </summary>
    private sealed class Shard
    {
        private readonly Node?[] _nodes;
        private readonly Layer[] _layers;
        private readonly int _batchMembers;

        public Shard(NetworkSpec net, LayerOutput?[] outputs, LinkSpec[] links, int first, int members, int batchMembers, long dt, CpuDevice device)
        {
            First = first;
            Members = members;
            _batchMembers = batchMembers;
            _nodes = new Node?[net.Populations.Length];
            var layers = new List<Layer>();
            var step = SimDuration.FromTicks(dt);
            foreach (PopulationSpec p in net.Populations)
            {
                if (outputs[p.Id] is not { } output)
                {
                    _nodes[p.Id] = new Node(p, members);
                    continue;
                }

                ClockPopulation clock = p.Model!.CreateClockPopulation(Tile(p, members, step), step, output.RingSlots, 1, device);
                var layer = new Layer(output, members, clock);
                _nodes[p.Id] = layer;
                layers.Add(layer);
            }

            _layers = [.. layers];
            var outgoing = new List<Link>[net.Populations.Length];
            foreach (LinkSpec link in links)
            {
                (outgoing[link.Spec.Pre] ??= []).Add(new Link(link, (Layer)_nodes[link.Spec.Post]!, dt));
            }

            foreach (Node? node in _nodes)
            {
                node!.Out = outgoing[node.Spec.Id] is { } o ? [.. o] : [];
            }
        }

        /// <summary>The first member of the shard.</summary>
        public int First { get; }

        /// <summary>The number of members.</summary>
        public int Members { get; }

        /// <summary>The step of the first value of the last run that is not finite (valid when <see cref="BadIndex"/> ≥ 0).</summary>
        public int BadStep { get; private set; }

        /// <summary>The index of that value within the shard's part of its frame (<c>b·N + i</c>, b counted from <see cref="First"/>), or −1.</summary>
        public int BadIndex { get; private set; } = -1;

        public void Run(in RunInput run)
        {
            BadIndex = -1;
            foreach (Layer layer in _layers)
            {
                layer.Reset();
            }

            Node src = _nodes[run.Source]!;
            int n = src.Spec.Size;
            ReadOnlySpan<float> dense = run.Dense.Span;
            int total = run.Total;
            int last = First + Members;
            for (int k = 0; k <= total; k++)
            {
                if (k < run.Frames)
                {
                    int bad = src.Spikes.FromDense(dense.Slice((((k * _batchMembers) + First) * n), Members * n));
                    if (bad >= 0)
                    {
                        BadStep = k;
                        BadIndex = bad;
                        return;
                    }

                    Deliver(src, k, total);
                }

                if (run.Events is { } ev)
                {
                    for (int e = run.EventBucket[k]; e < run.EventBucket[k + 1]; e++)
                    {
                        BatchEvent be = ev[run.EventOrder[e]];
                        if (be.Member >= First && be.Member < last)
                        {
                            foreach (Link link in src.Out)
                            {
                                link.DeliverEvent(be.Member - First, be.Neuron, be.Time.Ticks, total);
                            }
                        }
                    }
                }

                if (k > 0)
                {
                    foreach (Layer layer in _layers)
                    {
                        Step(layer, k, total);
                    }
                }
            }
        }

        private static PopulationSpec Tile(PopulationSpec p, int members, SimDuration dt)
        {
            var per = System.Collections.Immutable.ImmutableDictionary.CreateBuilder<string, System.Collections.Immutable.ImmutableArray<double>>();
            foreach (var kv in p.PerNeuronParameters)
            {
                var values = new double[p.Size * members];
                for (int b = 0; b < members; b++)
                {
                    kv.Value.AsSpan().CopyTo(values.AsSpan(b * p.Size, p.Size));
                }

                per[kv.Key] = [.. values];
            }

            return new PopulationSpec(p.Id, p.Name, p.Kind, PopulationShape.Linear(p.Size * members))
            {
                Model = p.Model,
                Parameters = p.Parameters,
                PerNeuronParameters = per.ToImmutable(),
                Reset = p.Reset,
                Comparison = p.Comparison,
                RefractoryEnd = p.RefractoryEnd,
                Execution = ExecutionSpec.Clock(dt),
            };
        }

        private void Step(Layer layer, int k, int total)
        {
            ClockPopulation c = layer.Clock;
            c.RunWindow(1);
            c.EmittedTime = c.StateTime;
            ReadOnlySpan<int> spikes = c.Spikes.ForStep(0);
            if (spikes.IsEmpty)
            {
                return;
            }

            LayerOutput output = layer.Output;
            int n = output.Spec.Size;
            Span<int> counts = output.Counts.AsSpan(First * n, Members * n);
            foreach (int s in spikes)
            {
                counts[s]++;
            }

            if (output.Recording && output.Recorded is { } rec)
            {
                Span<float> row = rec.AsSpan((((k - 1) * _batchMembers) + First) * n, Members * n);
                bool graded = c.Graded;
                foreach (int s in spikes)
                {
                    row[s] = graded ? c.Amplitude(0, s) : 1f;
                }
            }

            if (k < total && layer.Out.Length > 0)
            {
                layer.Spikes.FromSpikes(spikes, c.Graded ? c : null);
                Deliver(layer, k, total);
            }
        }

        private static void Deliver(Node from, int k, int total)
        {
            if (from.Spikes.Total == 0)
            {
                return;
            }

            foreach (Link link in from.Out)
            {
                link.Deliver(from.Spikes, k, total);
            }
        }
    }

    /// <summary>A population of a shard: its spikes of the current instant listed per member, and its projections.</summary>
    private class Node(PopulationSpec spec, int members)
    {
        public PopulationSpec Spec { get; } = spec;

        public MemberSpikes Spikes { get; } = new(spec.Size, members);

        public Link[] Out { get; set; } = [];
    }

    /// <summary>A neuron population of a shard: its members' copies of the clock-driven state.</summary>
    private sealed class Layer : Node
    {
        private readonly int _members;

        public Layer(LayerOutput output, int members, ClockPopulation clock)
            : base(output.Spec, members)
        {
            Output = output;
            Clock = clock;
            _members = members;
        }

        public LayerOutput Output { get; }

        public ClockPopulation Clock { get; }

        public void Reset()
        {
            foreach (float[] slot in Clock.Ring)
            {
                Array.Clear(slot);
            }

            Clock.StateTime = 0;
            Clock.EmittedTime = 0;
            int n = Spec.Size;
            ClockPopulationState st = Clock.State;
            float[][] initial = Output.Initial;
            for (int v = 0; v < initial.Length; v++)
            {
                for (int b = 0; b < _members; b++)
                {
                    initial[v].CopyTo(st.Columns[v], b * n);
                }
            }

            for (int b = 0; b < _members; b++)
            {
                Output.InitialRefractory.CopyTo(st.RefractorySteps, b * n);
            }
        }
    }

    /// <summary>One projection of a shard: the shared dense weight matrix, or the shared synapse table, into the shard's target.</summary>
    private sealed class Link
    {
        private readonly SynapseTable _table;
        private readonly Layer _target;
        private readonly int _receptor;
        private readonly long _dt;
        private readonly float[]? _dense;
        private readonly long _delay;
        private readonly int _post;

        public Link(LinkSpec spec, Layer target, long dt)
        {
            _table = spec.Table;
            _target = target;
            _receptor = spec.Spec.Receptor;
            _dt = dt;
            _post = target.Spec.Size;
            _dense = spec.Dense;
            _delay = spec.Delay;
        }

        public void Deliver(MemberSpikes spikes, int k, int total)
        {
            if (_dense is not null)
            {
                long arrival = k + StepsAfter(_delay);
                if (arrival <= total)
                {
                    new DenseDeliveryKernel { Weights = _dense, Post = _post, Slot = Row(arrival), Spikes = spikes, Wide = DenseDeliveryKernel.DefaultWide }.Execute(0, _post);
                }

                return;
            }

            SynapseTable t = _table;
            for (int m = 0; m < spikes.Members; m++)
            {
                for (int s = spikes.Start[m]; s < spikes.Start[m + 1]; s++)
                {
                    int i = spikes.Source[s];
                    for (int g = t.SourceGroupStart[i]; g < t.SourceGroupStart[i + 1]; g++)
                    {
                        long arrival = k + StepsAfter(t.GroupDelay[g]);
                        if (arrival <= total)
                        {
                            AddGroup(Row(arrival).AsSpan(m * _post, _post), t.GroupTargets(g), t.GroupWeights(g), spikes.Amplitude[s]);
                        }
                    }
                }
            }
        }

        public void DeliverEvent(int member, int source, long tick, int total)
        {
            if (_dense is not null)
            {
                long arrival = StepOf(tick + _delay);
                if (arrival <= total)
                {
                    AddRow(Row(arrival).AsSpan(member * _post, _post), _dense.AsSpan(source * _post, _post));
                }

                return;
            }

            SynapseTable t = _table;
            for (int g = t.SourceGroupStart[source]; g < t.SourceGroupStart[source + 1]; g++)
            {
                long arrival = StepOf(tick + t.GroupDelay[g]);
                if (arrival <= total)
                {
                    AddGroup(Row(arrival).AsSpan(member * _post, _post), t.GroupTargets(g), t.GroupWeights(g), 1f);
                }
            }
        }

        private static void AddGroup(Span<float> acc, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, float amplitude)
        {
            if (amplitude == 1f)
            {
                for (int k = 0; k < targets.Length; k++)
                {
                    acc[targets[k]] += weights[k];
                }
            }
            else
            {
                for (int k = 0; k < targets.Length; k++)
                {
                    acc[targets[k]] += weights[k] * amplitude;
                }
            }
        }

        private static void AddRow(Span<float> acc, ReadOnlySpan<float> row)
        {
            int j = 0;
            int w = Vector<float>.Count;
            for (; j <= acc.Length - w; j += w)
            {
                (new Vector<float>(acc[j..]) + new Vector<float>(row[j..])).CopyTo(acc[j..]);
            }

            for (; j < acc.Length; j++)
            {
                acc[j] += row[j];
            }
        }

        private long StepsAfter(long delay) => (delay + _dt - 1) / _dt;

        private long StepOf(long tick) => tick <= 0 ? 0 : ((tick - 1) / _dt) + 1;

        private float[] Row(long step)
        {
            ClockPopulation c = _target.Clock;
            return c.Ring[((int)(step % c.RingSlots) * c.Receptors) + _receptor];
        }
    }
}
