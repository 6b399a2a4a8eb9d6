using System.Diagnostics.Metrics;
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
    private static readonly EngineStateIO s_format = new(Magic, FormatVersion, "state", "Not an event-driven engine state (bad magic number).", "The saved state belongs to a different network (populations, models or synapse counts differ).");
    private static readonly Meter s_meter = new("EventSnn.Simulator");
    private static readonly Counter<long> s_spikes = s_meter.CreateCounter<long>("eventsnn.event_engine.spikes", description: "Spikes emitted by event-driven engines.");

    private readonly EngineTopology _topology;
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
        _topology = new EngineTopology(network);
        _states = _topology.States;
        _sourceCursor = _topology.SourceCursor;
        _poissonRng = _topology.PoissonRng;
        _poissonP = _topology.PoissonP;
        _tables = _topology.Tables;
        _receptor = _topology.Receptor;
        _rules = _topology.Rules;
        _outgoing = _topology.Outgoing;
        _preRules = _topology.PreRules;
        _postRules = _topology.PostRules;
        _queue = new RadixHeapQueue<EngineEvent>();
        ScheduleInitial();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation("Event-driven engine: {Populations} populations, {Neurons} neurons, {Synapses} synapses ({Bytes} bytes of synapse storage)", network.Populations.Length, network.TotalSize, SynapseCount, SynapseBytes);
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
    public long SynapseCount => _topology.SynapseCount;

    /// <summary>Total bytes of synapse storage (all arrays of all tables).</summary>
    public long SynapseBytes => _topology.SynapseBytes;

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
        NeuronPopulationState s = _topology.CheckStateVariable(population, neuron, variable);
        return s.Read(neuron, variable, _now);
    }

    /// <inheritdoc/>
    public void InjectEvent(SimTime time, int population, int neuron)
    {
        _topology.CheckExternalSource(population, neuron);
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
                            _queue.Enqueue(SimTime.FromTicks(p.SpikeTimes[j][0].Ticks), new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
                        }
                    }

                    break;
                case PopulationKind.Poisson:
                    for (int j = 0; j < p.Size; j++)
                    {
                        SchedulePoisson(p, j, p.Poisson!.Start.Ticks - 1);
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
        if (next < p.Poisson!.Stop.Ticks)
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
                        _queue.Enqueue(SimTime.FromTicks(p.SpikeTimes[e.B][next].Ticks), e);
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
        EngineTopology.NotifySpike(_monitors, _preRules[population], _postRules[population], population, neuron, tick);

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
        using BinaryWriter w = s_format.BeginWrite(stream, _topology.WriteFingerprint);
        w.Write(_now);
        w.Write(_spikeCount);
        w.Write(_eventCount);
        _topology.WritePopulations(w, WriteNeurons, writePoissonExtra: null);
        _topology.WriteSynapses(w);
        s_format.EndWrite(w, _queue);
    }

    /// <inheritdoc/>
    public void Restore(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        s_format.Guard(() => RestoreCore(stream));
    }

    private static void WriteNeurons(BinaryWriter w, NeuronPopulationState s)
    {
        EngineTopology.WriteNeuronColumns(w, s);
        EngineStateIO.WriteArray<long>(w, s.LastUpdate);
        EngineStateIO.WriteArray<double>(w, s.Crossing);
        EngineStateIO.WriteArray<double>(w, s.Recheck);
        EngineStateIO.WriteArray<long>(w, s.WakeTick);
        EngineStateIO.WriteArray<int>(w, s.WakeGeneration);
    }

    private static Action ReadNeurons(BinaryReader r, NeuronPopulationState s)
    {
        Action columns = EngineTopology.ReadNeuronColumns(r, s);
        long[] last = EngineStateIO.ReadArray<long>(r, s.Size);
        double[] cross = EngineStateIO.ReadArray<double>(r, s.Size);
        double[] recheck = EngineStateIO.ReadArray<double>(r, s.Size);
        long[] wake = EngineStateIO.ReadArray<long>(r, s.Size);
        int[] gen = EngineStateIO.ReadArray<int>(r, s.Size);
        return () =>
        {
            columns();
            last.CopyTo(s.LastUpdate, 0);
            cross.CopyTo(s.Crossing, 0);
            recheck.CopyTo(s.Recheck, 0);
            wake.CopyTo(s.WakeTick, 0);
            gen.CopyTo(s.WakeGeneration, 0);
        };
    }

    private void RestoreCore(Stream stream)
    {
        using BinaryReader r = s_format.BeginRead(stream, _topology.WriteFingerprint);

        // Read everything into temporaries first so that a corrupt file leaves the engine unchanged.
        long now = r.ReadInt64();
        long spikes = r.ReadInt64();
        long events = r.ReadInt64();
        var actions = new List<Action>();
        _topology.ReadPopulations(r, actions, ReadNeurons, readPoissonExtra: null);
        _topology.ReadSynapses(r, actions);
        PendingEvent<EngineEvent>[] pending = EngineStateIO.ReadPending(r, pe => _topology.Fits(pe.Payload, allowWake: true), out long queueNow);
        s_format.ReadEnd(r);
        if (queueNow > now)
        {
            throw new InvalidDataException("The saved state is corrupt (queue time after engine time).");
        }

        EngineStateIO.RestoreQueue(_queue, queueNow, pending);
        foreach (Action a in actions)
        {
            a();
        }

        _now = now;
        _spikeCount = spikes;
        _eventCount = events;
        EngineTopology.ClampSamplers(_samplers, now);
    }
}
