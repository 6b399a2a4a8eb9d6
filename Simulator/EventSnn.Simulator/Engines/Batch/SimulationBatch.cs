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
/// <para><b>Delivery.</b> At each instant the spikes of a population are grouped by source neuron; a dense projection
/// (a weight matrix <c>[pre, post]</c>, as linear layers compile to) walks the active sources once and adds each weight
/// row into every member where that source spiked, tile by tile of post neurons so the row slice stays in registers
/// and the members' tiles in cache; binary spikes add rows, zeros are skipped. Tiles run on the CPU threads of the engine
/// (<see cref="EngineOptions.Threads"/>), each column on one thread, so results do not depend on the thread count.
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

    private readonly CpuDevice _stepDevice;
    private readonly CpuDevice _deliveryDevice;
    private readonly Node?[] _nodes;
    private readonly Layer[] _layers;
    private readonly long _dt;
    private int[] _eventOrder = [];
    private int[] _eventBucket = [];
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

        _stepDevice = new CpuDevice(new CpuDeviceOptions { Threads = threads });
        _deliveryDevice = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 64, MinParallelCount = 0 });
        try
        {
            var maxLag = new long[net.Populations.Length];
            var tables = new SynapseTable[net.Projections.Length];
            foreach (ProjectionSpec pr in net.Projections)
            {
                tables[pr.Id] = engine.GetSynapses(pr.Id);
                if (tables[pr.Id].SynapseCount > 0)
                {
                    maxLag[pr.Post] = Math.Max(maxLag[pr.Post], LagOf(tables[pr.Id].MaxDelay));
                }
            }

            _nodes = new Node?[net.Populations.Length];
            var layers = new List<Layer>();
            var dt = SimDuration.FromTicks(_dt);
            foreach (PopulationSpec p in net.Populations)
            {
                if (p.Kind == PopulationKind.External)
                {
                    _nodes[p.Id] = new Node(p, members);
                    continue;
                }

                int ring = (int)Math.Max(2, maxLag[p.Id] + 1);
                ClockPopulation clock = p.Model!.CreateClockPopulation(Tile(p, members, dt), dt, ring, 1, _stepDevice);
                ClockPopulation single = p.Model.CreateClockPopulation(p, dt, 2, 1, _stepDevice);
                var layer = new Layer(p, members, clock, single.State);
                _nodes[p.Id] = layer;
                layers.Add(layer);
            }

            _layers = [.. layers];
            var outgoing = new List<Link>[net.Populations.Length];
            foreach (ProjectionSpec pr in net.Projections)
            {
                (outgoing[pr.Pre] ??= []).Add(new Link(pr, tables[pr.Id], (Layer)_nodes[pr.Post]!, _dt));
            }

            foreach (Node? node in _nodes)
            {
                node!.Out = outgoing[node.Spec.Id] is { } o ? [.. o] : [];
            }
        }
        catch
        {
            _stepDevice.Dispose();
            _deliveryDevice.Dispose();
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
        Node src = FindInput(input.Population);
        int n = src.Spec.Size;
        long per = (long)Members * n;
        int frames = 0;
        ReadOnlySpan<float> dense = default;
        if (input.Events is null)
        {
            if (input.Dense.Length == 0 || input.Dense.Length % per != 0)
            {
                throw new ArgumentException($"Input '{src.Spec.Name}' takes [T, {Members}, {ShapeText(src.Spec.Shape)}] values (a positive multiple of {per}); got {input.Dense.Length}.", nameof(input));
            }

            frames = (int)(input.Dense.Length / per);
            dense = input.Dense.Span;
        }

        int total = steps ?? (input.Events is null ? frames : throw new ArgumentException($"Input '{src.Spec.Name}' is an event stream: give the number of steps to run.", nameof(steps)));
        ArgumentOutOfRangeException.ThrowIfLessThan(total, 1, nameof(steps));
        if (input.Events is { } events)
        {
            BucketEvents(src, events, total);
        }

        Reset(total);
        for (int k = 0; k <= total; k++)
        {
            if (k < frames && k < total)
            {
                src.Spikes.FromDense(dense.Slice((int)(k * per), (int)per), src.Spec.Name, k);
                Deliver(src, k, total);
            }

            if (input.Events is { } ev)
            {
                for (int e = _eventBucket[k]; e < _eventBucket[k + 1]; e++)
                {
                    BatchEvent be = ev[_eventOrder[e]];
                    foreach (Link link in src.Out)
                    {
                        link.DeliverEvent(be.Member, be.Neuron, be.Time.Ticks, total);
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
        Layer layer = FindLayer(population);
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
        Layer layer = FindLayer(population);
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
        _stepDevice.Dispose();
        _deliveryDevice.Dispose();
    }

    private static string ShapeText(PopulationShape s) => s.IsSpatial ? $"{s.Channels}, {s.Height}, {s.Width}" : s.Size.ToString(System.Globalization.CultureInfo.InvariantCulture);

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

    private long LagOf(long delay) => (delay + _dt - 1) / _dt;

    private Node FindInput(string name)
    {
        foreach (Node? node in _nodes)
        {
            if (node!.Spec.Name == name)
            {
                return node is Layer
                    ? throw new ArgumentException($"Input '{name}' is a neuron layer, not an external input population.", nameof(name))
                    : node;
            }
        }

        throw new ArgumentException($"Input '{name}' is not a population of the network.", nameof(name));
    }

    private Layer FindLayer(string name)
    {
        foreach (Layer layer in _layers)
        {
            if (layer.Spec.Name == name)
            {
                return layer;
            }
        }

        throw new ArgumentException($"Layer '{name}' is not a neuron population of the network.", nameof(name));
    }

    private void BucketEvents(Node src, IReadOnlyList<BatchEvent> events, int total)
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
        int n = src.Spec.Size;
        for (int e = 0; e < count; e++)
        {
            BatchEvent be = events[e];
            if ((uint)be.Member >= (uint)Members || (uint)be.Neuron >= (uint)n || be.Time.Ticks < 0)
            {
                throw new ArgumentException($"Input '{src.Spec.Name}' event {e} (member {be.Member}, neuron {be.Neuron}, time {be.Time}) is outside [B = {Members}, N = {n}] or before the sample's start.", nameof(events));
            }

            if (be.Time.Ticks < last[be.Member])
            {
                throw new ArgumentException($"Input '{src.Spec.Name}' event {e} (member {be.Member}, time {be.Time}) is earlier than that member's previous event; give each member's events in time order.", nameof(events));
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

    private void Reset(int total)
    {
        foreach (Layer layer in _layers)
        {
            layer.Reset(total);
        }
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

        int[] counts = layer.Counts;
        foreach (int s in spikes)
        {
            counts[s]++;
        }

        if (layer.Recording && layer.Recorded is { } rec)
        {
            int offset = (k - 1) * Members * layer.Spec.Size;
            bool graded = c.Graded;
            foreach (int s in spikes)
            {
                rec[offset + s] = graded ? c.Amplitude(0, s) : 1f;
            }
        }

        if (k < total && layer.Out.Length > 0)
        {
            layer.Spikes.FromSpikes(spikes, c.Graded ? c : null);
            Deliver(layer, k, total);
        }
    }

    private void Deliver(Node from, int k, int total)
    {
        if (from.Spikes.Total == 0)
        {
            return;
        }

        foreach (Link link in from.Out)
        {
            link.Deliver(from.Spikes, k, total, _deliveryDevice);
        }
    }

    /// <summary>A population of the batch: its spikes of the current instant grouped by source, and its projections.</summary>
    private class Node(PopulationSpec spec, int members)
    {
        public PopulationSpec Spec { get; } = spec;

        public MemberSpikes Spikes { get; } = new(spec.Size, members);

        public Link[] Out { get; set; } = [];
    }

    /// <summary>A neuron population of the batch: B copies of its clock-driven state.</summary>
    private sealed class Layer : Node
    {
        private readonly float[][] _initial;
        private readonly float[] _initialRefractory;
        private readonly int _members;

        public Layer(PopulationSpec spec, int members, ClockPopulation clock, ClockPopulationState single)
            : base(spec, members)
        {
            Clock = clock;
            _members = members;
            _initial = [.. single.Columns.Select(c => c.AsSpan(0, spec.Size).ToArray())];
            _initialRefractory = single.RefractorySteps.AsSpan(0, spec.Size).ToArray();
            Counts = new int[spec.Size * members];
        }

        public ClockPopulation Clock { get; }

        public int[] Counts { get; }

        public bool Recording { get; set; }

        public float[]? Recorded { get; private set; }

        public int RecordedSteps { get; private set; }

        public void Reset(int steps)
        {
            foreach (float[] slot in Clock.Ring)
            {
                Array.Clear(slot);
            }

            Clock.StateTime = 0;
            Clock.EmittedTime = 0;
            int n = Spec.Size;
            ClockPopulationState st = Clock.State;
            for (int v = 0; v < _initial.Length; v++)
            {
                for (int b = 0; b < _members; b++)
                {
                    _initial[v].CopyTo(st.Columns[v], b * n);
                }
            }

            for (int b = 0; b < _members; b++)
            {
                _initialRefractory.CopyTo(st.RefractorySteps, b * n);
            }

            Array.Clear(Counts);
            RecordedSteps = 0;
            if (Recording)
            {
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

    /// <summary>One projection: a dense weight matrix shared by every member, or its synapse table.</summary>
    private sealed class Link
    {
        private readonly SynapseTable _table;
        private readonly Layer _target;
        private readonly int _receptor;
        private readonly long _dt;
        private readonly float[]? _dense;
        private readonly long _delay;
        private readonly int _post;

        public Link(ProjectionSpec pr, SynapseTable table, Layer target, long dt)
        {
            _table = table;
            _target = target;
            _receptor = pr.Receptor;
            _dt = dt;
            _post = target.Spec.Size;
            _dense = Densify(table, out _delay);
        }

        public void Deliver(MemberSpikes spikes, int k, int total, CpuDevice device)
        {
            if (_dense is not null)
            {
                long arrival = k + StepsAfter(_delay);
                if (arrival > total)
                {
                    return;
                }

                var kernel = new DenseDeliveryKernel { Weights = _dense, Post = _post, Slot = Row(arrival), Spikes = spikes };
                if ((long)spikes.Total * _post < 1 << 16)
                {
                    kernel.Execute(0, _post);
                }
                else
                {
                    device.For(_post, ref kernel);
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

        private long StepsAfter(long delay) => (delay + _dt - 1) / _dt;

        private long StepOf(long tick) => tick <= 0 ? 0 : ((tick - 1) / _dt) + 1;

        private float[] Row(long step)
        {
            ClockPopulation c = _target.Clock;
            return c.Ring[((int)(step % c.RingSlots) * c.Receptors) + _receptor];
        }
    }
}
