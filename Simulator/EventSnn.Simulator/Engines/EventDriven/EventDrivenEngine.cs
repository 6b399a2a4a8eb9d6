using System.Diagnostics.Metrics;
using System.Runtime.InteropServices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;
using EventSnn.Simulator.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Simulator.Engines.EventDriven;

/// <summary>
/// Event-driven engine: continuous integer time, every delivery and input processed at its own tick in the queue's
/// deterministic order (time, then insertion order), neurons brought forward lazily with their exact solution.
/// </summary>
/// <remarks>
/// <para><b>Deliveries.</b> A spike of source i at tick t enqueues one event per outgoing delay group at t + d; the event
/// applies every synapse of the group in storage order. Any number of spikes may be in flight on one synapse.</para>
/// <para><b>Neurons.</b> On an input, a neuron is advanced from its last update to the event tick (exactly for linear
/// models), the input is applied, the threshold is tested (the spike happens at that tick if it holds), and the next
/// threshold crossing without further input is predicted (closed form or <see cref="Models.CrossingSearch"/>). A wake-up
/// event is queued at ⌈crossing⌉; the spike is emitted at that tick, and the state is reset at the exact crossing instant
/// and carried forward to the tick, so inter-spike intervals keep full precision. See docs/Simulator.md.</para>
/// <para><b>Allocation.</b> None per event or spike in steady state (the queue's storage grows by doubling and is kept).</para>
/// </remarks>
public sealed class EventDrivenEngine : ISimulationEngine
{
    private const uint Magic = 0x56455345; // "ESEV"
    private const int FormatVersion = 2;
    private static readonly Meter s_meter = new("EventSnn.Simulator");
    private static readonly Counter<long> s_spikes = s_meter.CreateCounter<long>("eventsnn.event_engine.spikes", description: "Spikes emitted by event-driven engines.");

    private readonly NeuronPopulationState?[] _states;
    private readonly SynapseTable[] _tables;
    private readonly int[] _receptor;
    private readonly int[][] _outgoing;
    private readonly StdpRule?[] _rules;
    private readonly StdpRule[][] _preRules;
    private readonly StdpRule[][] _postRules;
    private readonly int[]?[] _sourceCursor;
    private readonly Xoshiro256[] _poissonRng;
    private readonly double[] _poissonP;
    private readonly RadixHeapQueue<EngineEvent> _queue;
    private readonly List<(IStateSampler Sampler, long Interval, long Next)> _samplers = [];
    private readonly ILogger _logger;
    private ISpikeMonitor[] _monitors = [];
    private long _now;
    private long _spikeCount;
    private long _eventCount;
    private long _pendingSpikes;

    /// <summary>Builds the runtime (synapse tables, state, initial source events) for a network.</summary>
    /// <param name="network">The validated network.</param>
    /// <param name="logger">Optional logger.</param>
    public EventDrivenEngine(NetworkSpec network, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        Network = network;
        _logger = logger ?? NullLogger.Instance;
        int np = network.Populations.Length;
        _states = new NeuronPopulationState?[np];
        _sourceCursor = new int[]?[np];
        _poissonRng = new Xoshiro256[np];
        _poissonP = new double[np];
        foreach (PopulationSpec p in network.Populations)
        {
            if (p.Model is not null)
            {
                _states[p.Id] = p.Model.CreateState(p);
            }
            else if (p.Kind == PopulationKind.SpikeSource)
            {
                _sourceCursor[p.Id] = new int[p.Size];
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                _poissonRng[p.Id] = new Xoshiro256(p.Poisson!.Seed);
                _poissonP[p.Id] = PoissonProcess.ProbabilityPerTick(p.Poisson.RateHz);
            }
        }

        int nj = network.Projections.Length;
        _tables = new SynapseTable[nj];
        _receptor = new int[nj];
        _rules = new StdpRule?[nj];
        var outgoing = new List<int>[np];
        var pre = new List<StdpRule>[np];
        var post = new List<StdpRule>[np];
        for (int i = 0; i < np; i++)
        {
            outgoing[i] = [];
            pre[i] = [];
            post[i] = [];
        }

        foreach (ProjectionSpec pr in network.Projections)
        {
            _tables[pr.Id] = SynapseTable.Build(pr, network.Populations[pr.Pre], network.Populations[pr.Post]);
            _receptor[pr.Id] = pr.Receptor;
            outgoing[pr.Pre].Add(pr.Id);
            if (pr.Stdp is not null)
            {
                var rule = new StdpRule(pr.Stdp, _tables[pr.Id]);
                _rules[pr.Id] = rule;
                pre[pr.Pre].Add(rule);
                post[pr.Post].Add(rule);
            }
        }

        _outgoing = [.. outgoing.Select(l => l.ToArray())];
        _preRules = [.. pre.Select(l => l.ToArray())];
        _postRules = [.. post.Select(l => l.ToArray())];
        _queue = new RadixHeapQueue<EngineEvent>();
        ScheduleInitial();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            long syn = _tables.Sum(t => (long)t.SynapseCount);
            long bytes = _tables.Sum(t => t.MemoryBytes);
            _logger.LogInformation("Event-driven engine: {Populations} populations, {Neurons} neurons, {Synapses} synapses ({Bytes} bytes of synapse storage)", np, network.TotalSize, syn, bytes);
        }
    }

    /// <inheritdoc/>
    public NetworkSpec Network { get; }

    /// <inheritdoc/>
    public SimTime Now => SimTime.FromTicks(_now);

    /// <inheritdoc/>
    public long SpikeCount => _spikeCount;

    /// <summary>Number of queue events processed so far.</summary>
    public long EventCount => _eventCount;

    /// <summary>Number of events pending in the queue.</summary>
    public int PendingEvents => _queue.Count;

    /// <summary>Total synapses over all projections.</summary>
    public long SynapseCount => _tables.Sum(t => (long)t.SynapseCount);

    /// <summary>Total bytes of synapse storage (all arrays of all tables).</summary>
    public long SynapseBytes => _tables.Sum(t => t.MemoryBytes);

    /// <summary>The STDP state of a projection, or null when it is static.</summary>
    /// <param name="projection">Projection id.</param>
    public StdpRule? GetPlasticity(int projection) => _rules[projection];

    /// <inheritdoc/>
    public NeuronPopulationState? GetPopulationState(int population) => _states[population];

    /// <inheritdoc/>
    public SynapseTable GetSynapses(int projection) => _tables[projection];

    /// <inheritdoc/>
    public void AddSpikeMonitor(ISpikeMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitors = [.. _monitors, monitor];
    }

    /// <inheritdoc/>
    public void AddStateSampler(IStateSampler sampler, SimDuration interval)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval.Ticks, 1, nameof(interval));
        _samplers.Add((sampler, interval.Ticks, _now));
    }

    /// <inheritdoc/>
    public double ReadState(int population, int neuron, int variable)
    {
        NeuronPopulationState s = CheckNeuron(population, neuron);
        if ((uint)variable >= (uint)s.Columns.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(variable), variable, $"Population '{s.Spec.Name}' has {s.Columns.Length} state variables.");
        }

        return s.Read(neuron, variable, _now);
    }

    /// <inheritdoc/>
    public void InjectEvent(SimTime time, int population, int neuron)
    {
        if ((uint)population >= (uint)Network.Populations.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(population), population, "No such population.");
        }

        PopulationSpec p = Network.Populations[population];
        if (p.Kind != PopulationKind.External)
        {
            throw new ArgumentException($"{p} is not an external input population.", nameof(population));
        }

        if ((uint)neuron >= (uint)p.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"{p} has {p.Size} sources.");
        }

        long floor = Math.Max(_now, _queue.Now.Ticks);
        if (time.Ticks < floor)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, $"Cannot inject an event at {time}, before the current time {SimTime.FromTicks(floor)}.");
        }

        _queue.Enqueue(time, new EngineEvent(EngineEventKind.Source, population, neuron, 0));
    }

    /// <inheritdoc/>
    public void RunUntil(SimTime until)
    {
        long u = until.Ticks;
        if (u < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, $"Cannot run back to {until}; the current time is {Now}.");
        }

        var visitor = new Visitor(this);
        while (true)
        {
            long sample = long.MaxValue;
            foreach (var s in _samplers)
            {
                sample = Math.Min(sample, s.Next);
            }

            long limit = Math.Min(sample, u);
            _queue.DequeueUntil(SimTime.FromTicks(limit), ref visitor);
            _now = limit;
            FlushMetrics();
            if (sample > u)
            {
                return;
            }

            for (int k = 0; k < _samplers.Count; k++)
            {
                var s = _samplers[k];
                if (s.Next == sample)
                {
                    s.Sampler.Sample(SimTime.FromTicks(sample), this);
                    _samplers[k] = (s.Sampler, s.Interval, s.Next + s.Interval);
                }
            }

            if (sample == u)
            {
                return;
            }
        }
    }

    /// <inheritdoc/>
    public SimTime Step()
    {
        if (_queue.TryPeek(out SimTime t, out _))
        {
            RunUntil(SimTime.Max(t, Now));
        }

        return Now;
    }

    private void FlushMetrics()
    {
        if (_pendingSpikes != 0 && s_spikes.Enabled)
        {
            s_spikes.Add(_pendingSpikes);
        }

        _pendingSpikes = 0;
    }

    private NeuronPopulationState CheckNeuron(int population, int neuron)
    {
        if ((uint)population >= (uint)_states.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(population), population, "No such population.");
        }

        NeuronPopulationState s = _states[population] ?? throw new ArgumentException($"{Network.Populations[population]} has no neuron state.", nameof(population));
        if ((uint)neuron >= (uint)s.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"Population '{s.Spec.Name}' has {s.Size} neurons.");
        }

        return s;
    }

    private void ScheduleInitial()
    {
        foreach (PopulationSpec p in Network.Populations)
        {
            switch (p.Kind)
            {
                case PopulationKind.SpikeSource:
                    for (int j = 0; j < p.Size; j++)
                    {
                        if (p.SpikeTimes[j].Length > 0)
                        {
                            _queue.Enqueue(SimTime.FromTicks(p.SpikeTimes[j][0]), new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
                        }
                    }

                    break;
                case PopulationKind.Poisson:
                    for (int j = 0; j < p.Size; j++)
                    {
                        SchedulePoisson(p, j, p.Poisson!.Start - 1);
                    }

                    break;
                case PopulationKind.Neurons:
                    _states[p.Id]!.EventStart(this);
                    break;
            }
        }
    }

    private void SchedulePoisson(PopulationSpec p, int j, long previous)
    {
        long next = PoissonProcess.NextSpike(ref _poissonRng[p.Id], _poissonP[p.Id], previous);
        if (next < p.Poisson!.Stop)
        {
            _queue.Enqueue(SimTime.FromTicks(next), new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
        }
    }

    private void Handle(long t, in EngineEvent e)
    {
        _eventCount++;
        switch (e.Kind)
        {
            case EngineEventKind.Deliver:
            {
                SynapseTable tb = _tables[e.A];
                int g = e.B;
                int from = tb.GroupStart[g];
                int len = tb.GroupStart[g + 1] - from;
                _states[Network.Projections[e.A].Post]!.EventDeliver(this, t, tb.Targets.AsSpan(from, len), tb.Weights.AsSpan(from, len), _receptor[e.A]);
                break;
            }

            case EngineEventKind.Wake:
            {
                NeuronPopulationState s = _states[e.A]!;
                if (s.WakeGeneration[e.B] == e.C)
                {
                    s.WakeTick[e.B] = long.MaxValue;
                    s.EventWake(this, e.B, t);
                }

                break;
            }

            default:
            {
                EmitSpike(e.A, e.B, t);
                PopulationSpec p = Network.Populations[e.A];
                if (p.Kind == PopulationKind.SpikeSource)
                {
                    int[] cursor = _sourceCursor[e.A]!;
                    int next = ++cursor[e.B];
                    if (next < p.SpikeTimes[e.B].Length)
                    {
                        _queue.Enqueue(SimTime.FromTicks(p.SpikeTimes[e.B][next]), e);
                    }
                }
                else if (p.Kind == PopulationKind.Poisson)
                {
                    SchedulePoisson(p, e.B, t);
                }

                break;
            }
        }
    }

    /// <summary>Emits a spike of (population, neuron) at tick <paramref name="tick"/>: monitors, plasticity, fan-out.</summary>
    internal void EmitSpike(int population, int neuron, long tick)
    {
        _spikeCount++;
        _pendingSpikes++;
        ISpikeMonitor[] monitors = _monitors;
        if (monitors.Length != 0)
        {
            SimTime st = SimTime.FromTicks(tick);
            foreach (ISpikeMonitor m in monitors)
            {
                m.OnSpike(st, population, neuron);
            }
        }

        foreach (StdpRule r in _preRules[population])
        {
            r.OnPreSpike(neuron, tick);
        }

        foreach (StdpRule r in _postRules[population])
        {
            r.OnPostSpike(neuron, tick);
        }

        long floor = _queue.Now.Ticks;
        foreach (int pr in _outgoing[population])
        {
            SynapseTable tb = _tables[pr];
            int first = tb.SourceGroupStart[neuron];
            int end = tb.SourceGroupStart[neuron + 1];
            for (int g = first; g < end; g++)
            {
                _queue.Enqueue(SimTime.FromTicks(Math.Max(tick + tb.GroupDelay[g], floor)), new EngineEvent(EngineEventKind.Deliver, pr, g, 0));
            }
        }
    }

    internal void ScheduleWake(long tick, int population, int neuron, int generation)
        => _queue.Enqueue(SimTime.FromTicks(Math.Max(tick, _queue.Now.Ticks)), new EngineEvent(EngineEventKind.Wake, population, neuron, generation));

    private struct Visitor(EventDrivenEngine engine) : IEventVisitor<EngineEvent>
    {
        public readonly void Visit(SimTime time, in EngineEvent payload) => engine.Handle(time.Ticks, payload);
    }

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(Magic);
        w.Write(FormatVersion);
        WriteFingerprint(w);
        w.Write(_now);
        w.Write(_spikeCount);
        w.Write(_eventCount);
        Span<ulong> st = stackalloc ulong[4];
        foreach (PopulationSpec p in Network.Populations)
        {
            NeuronPopulationState? s = _states[p.Id];
            if (s is not null)
            {
                foreach (double[] col in s.Columns)
                {
                    WriteArray<double>(w, col);
                }

                WriteArray<double>(w, s.Refractory);
                WriteArray<long>(w, s.LastUpdate);
                WriteArray<double>(w, s.Crossing);
                WriteArray<double>(w, s.Recheck);
                WriteArray<long>(w, s.WakeTick);
                WriteArray<int>(w, s.WakeGeneration);
            }
            else if (_sourceCursor[p.Id] is int[] cursor)
            {
                WriteArray<int>(w, cursor);
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                _poissonRng[p.Id].GetState(st);
                WriteArray<ulong>(w, st);
            }
        }

        for (int i = 0; i < _tables.Length; i++)
        {
            WriteArray<float>(w, _tables[i].Weights);
            if (_rules[i] is StdpRule r)
            {
                WriteArray<double>(w, r.PreTrace.Values);
                WriteArray<long>(w, r.PreTrace.LastUpdate);
                WriteArray<double>(w, r.PostTrace.Values);
                WriteArray<long>(w, r.PostTrace.LastUpdate);
            }
        }

        var pending = new PendingEvent<EngineEvent>[_queue.Count];
        _queue.CopyPendingTo(pending);
        w.Write(_queue.Now.Ticks);
        w.Write(pending.Length);
        WriteArray<PendingEvent<EngineEvent>>(w, pending);
        w.Write(Magic);
    }

    /// <inheritdoc/>
    public void Restore(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            RestoreCore(stream);
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException("The saved state is truncated.", ex);
        }
    }

    private void RestoreCore(Stream stream)
    {
        using var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (r.ReadUInt32() != Magic)
        {
            throw new InvalidDataException("Not an event-driven engine state (bad magic number).");
        }

        int version = r.ReadInt32();
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"Unsupported state format version {version} (expected {FormatVersion}).");
        }

        using (var expected = new MemoryStream())
        {
            using (var fw = new BinaryWriter(expected, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                WriteFingerprint(fw);
            }

            byte[] actual = r.ReadBytes((int)expected.Length);
            if (!actual.AsSpan().SequenceEqual(expected.GetBuffer().AsSpan(0, (int)expected.Length)))
            {
                throw new InvalidDataException("The saved state belongs to a different network (populations, models or synapse counts differ).");
            }
        }

        // Read everything into temporaries first so that a corrupt file leaves the engine unchanged.
        long now = r.ReadInt64();
        long spikes = r.ReadInt64();
        long events = r.ReadInt64();
        var actions = new List<Action>();
        foreach (PopulationSpec p in Network.Populations)
        {
            NeuronPopulationState? s = _states[p.Id];
            if (s is not null)
            {
                var cols = s.Columns.Select(c => ReadArray<double>(r, c.Length)).ToArray();
                double[] refr = ReadArray<double>(r, s.Size);
                long[] last = ReadArray<long>(r, s.Size);
                double[] cross = ReadArray<double>(r, s.Size);
                double[] recheck = ReadArray<double>(r, s.Size);
                long[] wake = ReadArray<long>(r, s.Size);
                int[] gen = ReadArray<int>(r, s.Size);
                actions.Add(() =>
                {
                    for (int k = 0; k < cols.Length; k++)
                    {
                        cols[k].CopyTo(s.Columns[k], 0);
                    }

                    refr.CopyTo(s.Refractory, 0);
                    last.CopyTo(s.LastUpdate, 0);
                    cross.CopyTo(s.Crossing, 0);
                    recheck.CopyTo(s.Recheck, 0);
                    wake.CopyTo(s.WakeTick, 0);
                    gen.CopyTo(s.WakeGeneration, 0);
                });
            }
            else if (_sourceCursor[p.Id] is int[] cursor)
            {
                int[] c = ReadArray<int>(r, cursor.Length);
                for (int j = 0; j < c.Length; j++)
                {
                    if ((uint)c[j] > (uint)p.SpikeTimes[j].Length)
                    {
                        throw new InvalidDataException($"Saved spike-source cursor {c[j]} of {p} source {j} is out of range.");
                    }
                }

                actions.Add(() => c.CopyTo(cursor, 0));
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                ulong[] st = ReadArray<ulong>(r, 4);
                if ((st[0] | st[1] | st[2] | st[3]) == 0)
                {
                    throw new InvalidDataException($"Saved random state of {p} is all zero.");
                }

                int id = p.Id;
                actions.Add(() => _poissonRng[id].SetState(st));
            }
        }

        for (int i = 0; i < _tables.Length; i++)
        {
            SynapseTable tb = _tables[i];
            float[] wts = ReadArray<float>(r, tb.SynapseCount);
            actions.Add(() => wts.CopyTo(tb.Weights, 0));
            if (_rules[i] is StdpRule rule)
            {
                double[] pv = ReadArray<double>(r, tb.PreSize);
                long[] pl = ReadArray<long>(r, tb.PreSize);
                double[] qv = ReadArray<double>(r, tb.PostSize);
                long[] ql = ReadArray<long>(r, tb.PostSize);
                actions.Add(() =>
                {
                    pv.CopyTo(rule.PreTrace.Values, 0);
                    pl.CopyTo(rule.PreTrace.LastUpdate, 0);
                    qv.CopyTo(rule.PostTrace.Values, 0);
                    ql.CopyTo(rule.PostTrace.LastUpdate, 0);
                });
            }
        }

        long queueNow = r.ReadInt64();
        int count = r.ReadInt32();
        if (count < 0 || (stream.CanSeek && (long)count * System.Runtime.CompilerServices.Unsafe.SizeOf<PendingEvent<EngineEvent>>() > stream.Length - stream.Position))
        {
            throw new InvalidDataException($"Saved pending-event count {count} is invalid.");
        }

        PendingEvent<EngineEvent>[] pending = ReadArray<PendingEvent<EngineEvent>>(r, count);
        foreach (PendingEvent<EngineEvent> pe in pending)
        {
            ValidateEvent(pe);
        }

        if (r.ReadUInt32() != Magic)
        {
            throw new InvalidDataException("The saved state is corrupt (bad end marker).");
        }

        if (queueNow > now)
        {
            throw new InvalidDataException("The saved state is corrupt (queue time after engine time).");
        }

        try
        {
            _queue.Restore(SimTime.FromTicks(queueNow), pending);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException("The saved pending events are not in delivery order.", ex);
        }

        foreach (Action a in actions)
        {
            a();
        }

        _now = now;
        _spikeCount = spikes;
        _eventCount = events;
        for (int k = 0; k < _samplers.Count; k++)
        {
            var s = _samplers[k];
            _samplers[k] = (s.Sampler, s.Interval, Math.Max(s.Next, now));
        }
    }

    private void ValidateEvent(in PendingEvent<EngineEvent> pe)
    {
        EngineEvent e = pe.Payload;
        bool ok = e.Kind switch
        {
            EngineEventKind.Deliver => (uint)e.A < (uint)_tables.Length && (uint)e.B < (uint)_tables[e.A].GroupCount,
            EngineEventKind.Wake => (uint)e.A < (uint)_states.Length && _states[e.A] is { } s && (uint)e.B < (uint)s.Size,
            EngineEventKind.Source => (uint)e.A < (uint)_states.Length && _states[e.A] is null && (uint)e.B < (uint)Network.Populations[e.A].Size,
            _ => false,
        };
        if (!ok)
        {
            throw new InvalidDataException($"Saved pending event {e} at {pe.Time} does not fit this network.");
        }
    }

    private void WriteFingerprint(BinaryWriter w)
    {
        w.Write(Network.Populations.Length);
        foreach (PopulationSpec p in Network.Populations)
        {
            w.Write((int)p.Kind);
            w.Write(p.Size);
            w.Write(p.Model?.Info.Name ?? string.Empty);
        }

        w.Write(_tables.Length);
        foreach (SynapseTable t in _tables)
        {
            w.Write(t.SynapseCount);
            w.Write(t.GroupCount);
        }
    }

    private static void WriteArray<T>(BinaryWriter w, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        w.Write(data.Length);
        w.Write(MemoryMarshal.AsBytes(data));
    }

    private static T[] ReadArray<T>(BinaryReader r, int expectedLength)
        where T : unmanaged
    {
        int n = r.ReadInt32();
        if (n != expectedLength)
        {
            throw new InvalidDataException($"Saved array has {n} elements where {expectedLength} were expected.");
        }

        var a = new T[n];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }
}
