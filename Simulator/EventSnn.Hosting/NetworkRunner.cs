using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Hosting;

/// <summary>What <see cref="NetworkRunner.Process"/> did with one batch.</summary>
/// <param name="Injected">Events injected into the input population.</param>
/// <param name="Outside">Events outside the input population's shape (skipped).</param>
/// <param name="Late">Events older than the network's time, injected at that time.</param>
/// <param name="Rebased">Whether the time base was re-anchored in this batch.</param>
public readonly record struct BatchResult(int Injected, int Outside, int Late, bool Rebased);

/// <summary>
/// Runs a network on DVS event batches, event by event: maps each event onto the external input population
/// (<see cref="ExternalEventMap"/>), delivers it at its own time (to event-driven and clock-driven populations alike, as
/// the network declares them), runs the engine to the batch's last event, and collects the output spikes and decisions
/// to publish. Used by one thread at a time (the engine's rule).
/// </summary>
/// <remarks>
/// <para><b>Time.</b> Event time t (µs) maps to tick <c>baseTick + (t − baseUs)·1000</c>. The base is set by the first
/// event (to the network's time then) and kept across reconnections and checkpoints, so a camera's absolute clock
/// carries through. An event more than <c>lateTolerance</c> before the latest mapped time, or more than
/// <c>maxJump</c> after it, re-anchors the base at that event (mapped to the latest time): a restarted replay or a reset
/// camera does not freeze or fast-forward the network. Smaller lateness is clamped to the network's time and counted.</para>
/// </remarks>
public sealed class NetworkRunner
{
    private readonly ISimulationEngine _engine;
    private readonly int _input;
    private readonly PopulationShape _shape;
    private readonly Collector _collector;
    private readonly long _lateTicks;
    private readonly long _jumpTicks;

    // The simulation engine when the input population's spikes may be emitted at once instead of queued (see Process).
    private readonly SimulationEngine? _direct;

    // Half the smallest clock-driven step: with direct emission the engine is advanced through a batch in slices this
    // long, so that what an input delivers lands in the targets' rings of pending input (which reach a few steps ahead).
    private readonly long _slice = long.MaxValue;

    /// <summary>Wires the runner to an engine.</summary>
    /// <param name="engine">The engine (its network has the input population).</param>
    /// <param name="inputPopulation">The external input population's name.</param>
    /// <param name="outputPopulation">The output population's name, or null for every neuron population (no decisions).</param>
    /// <param name="decisionWindow">The decision window (≥ 1 tick).</param>
    /// <param name="lateTolerance">Lateness clamped rather than re-anchored.</param>
    /// <param name="maxJump">The largest forward jump followed rather than re-anchored.</param>
    /// <exception cref="ArgumentException">A population is missing or the input is not external.</exception>
    public NetworkRunner(ISimulationEngine engine, string inputPopulation, string? outputPopulation, SimDuration decisionWindow, SimDuration lateTolerance, SimDuration maxJump)
    {
        ArgumentNullException.ThrowIfNull(engine);
        _engine = engine;
        NetworkSpec network = engine.Network;
        PopulationSpec input = Find(network, inputPopulation, nameof(inputPopulation));
        if (input.Kind != PopulationKind.External)
        {
            throw new ArgumentException($"population '{inputPopulation}' is {input.Kind}, not an external input population", nameof(inputPopulation));
        }

        _input = input.Id;
        _shape = input.Shape;
        _lateTicks = lateTolerance.Ticks;
        _jumpTicks = maxJump.Ticks;
        PopulationSpec? output = string.IsNullOrEmpty(outputPopulation) ? null : Find(network, outputPopulation, nameof(outputPopulation));
        bool[] publish = new bool[network.Populations.Length];
        foreach (PopulationSpec p in network.Populations)
        {
            publish[p.Id] = output is null ? p.Kind == PopulationKind.Neurons : p.Id == output.Id;
        }

        _collector = new Collector(publish, output is null ? null : new DecisionDecoder(output.Size, decisionWindow));
        engine.AddSpikeMonitor(_collector);
        LatestTick = engine.Now.Ticks;
        if (engine is SimulationEngine se && !publish[input.Id]
            && network.Projections.All(pr => pr.Pre != input.Id || se.GetPlasticity(pr.Id) is null))
        {
            _direct = se;
            foreach (PopulationSpec p in network.Populations)
            {
                if (se.GetExecution(p.Id) is { Mode: ExecutionMode.Clock } ex)
                {
                    _slice = Math.Min(_slice, Math.Max(1, ex.Dt.Ticks / 2));
                }
            }
        }
    }

    /// <summary>The engine.</summary>
    public ISimulationEngine Engine => _engine;

    /// <summary>The event time (µs) of the time base, when set.</summary>
    public long BaseMicroseconds { get; private set; }

    /// <summary>The tick the time base maps to.</summary>
    public long BaseTick { get; private set; }

    /// <summary>Whether the time base is set (after the first event).</summary>
    public bool HasBase { get; private set; }

    /// <summary>The latest tick an event was injected at.</summary>
    public long LatestTick { get; private set; }

    /// <summary>The spikes collected since the last <see cref="ClearOutputs"/>.</summary>
    public ReadOnlySpan<OutputSpike> Spikes => _collector.Spikes;

    /// <summary>The decisions collected since the last <see cref="ClearOutputs"/>.</summary>
    public ReadOnlySpan<Decision> Decisions => _collector.Decisions;

    /// <summary>Restores the time base (from a checkpoint).</summary>
    public void SetTimeBase(bool hasBase, long baseMicroseconds, long baseTick, long latestTick)
    {
        HasBase = hasBase;
        BaseMicroseconds = baseMicroseconds;
        BaseTick = baseTick;
        LatestTick = Math.Max(latestTick, _engine.Now.Ticks);
    }

    /// <summary>Injects a batch and runs the network to its last event (or leaves it where it is for an empty batch).</summary>
    /// <param name="events">The events (times in µs, non-decreasing within a session).</param>
    public BatchResult Process(EventSpan events)
    {
        ReadOnlySpan<long> t = events.T;
        ReadOnlySpan<ushort> xs = events.X;
        ReadOnlySpan<ushort> ys = events.Y;
        ReadOnlySpan<byte> ps = events.P;
        long now = _engine.Now.Ticks;
        int outside = 0, late = 0, injected = 0;
        bool rebased = false;
        if (!HasBase && t.Length > 0)
        {
            HasBase = true;
            BaseMicroseconds = t[0];
            BaseTick = Math.Max(now, LatestTick);
        }

        long latest = LatestTick;

        // Every event of the batch is due by the run's end (its latest time): with the simulation engine, nothing else
        // watching spikes and no plasticity on the input's projections, an input spike is emitted at once (its
        // deliveries go into the targets' input rings or the queue), as the engine would emit it at its time, instead
        // of passing through the event queue as a source event.
        SimulationEngine? direct = _direct is { SpikeMonitorCount: 1 } ? _direct : null;
        for (int k = 0; k < t.Length; k++)
        {
            int src = ExternalEventMap.SourceOf(_shape, xs[k], ys[k], ps[k]);
            if (src < 0)
            {
                outside++;
                continue;
            }

            long tick = Map(t[k]);
            if (tick < latest - _lateTicks || tick > latest + _jumpTicks)
            {
                BaseMicroseconds = t[k];
                BaseTick = Math.Max(latest, now);
                tick = BaseTick;
                rebased = true;
            }

            if (tick < now)
            {
                tick = now;
                late++;
            }

            if (direct is not null)
            {
                if (tick - now > _slice)
                {
                    // Advance through the batch so that deliveries fit the clock-driven targets' input rings.
                    direct.RunUntil(SimTime.FromTicks(tick - _slice));
                    now = tick - _slice;
                }

                direct.EmitSpike(_input, src, tick);
            }
            else
            {
                _engine.InjectEvent(SimTime.FromTicks(tick), _input, src);
            }

            injected++;
            if (tick > latest)
            {
                latest = tick;
            }
        }

        LatestTick = latest;
        if (latest > now)
        {
            _engine.RunUntil(SimTime.FromTicks(latest));
        }

        _collector.Flush(_engine.Now);
        return new BatchResult(injected, outside, late, rebased);
    }

    /// <summary>Forgets the collected spikes and decisions (after publishing them).</summary>
    public void ClearOutputs() => _collector.Clear();

    private long Map(long us)
    {
        long delta = us - BaseMicroseconds;
        const long Limit = long.MaxValue / 2000;
        if (delta > Limit || delta < -Limit)
        {
            return delta > 0 ? long.MaxValue / 2 : long.MinValue / 2;
        }

        return BaseTick + (delta * 1000);
    }

    private static PopulationSpec Find(NetworkSpec network, string name, string parameter)
    {
        PopulationSpec? p = network.Populations.FirstOrDefault(p => p.Name == name);
        return p ?? throw new ArgumentException(
            $"population '{name}' is not in the network (populations: {string.Join(", ", network.Populations.Select(x => x.Name))})", parameter);
    }

    /// <summary>Collects the spikes of the published populations and the decisions; buffers grow to the largest batch and are reused.</summary>
    private sealed class Collector(bool[] publish, DecisionDecoder? decoder) : ISpikeMonitor
    {
        private OutputSpike[] _spikes = new OutputSpike[1024];
        private Decision[] _decisions = new Decision[16];
        private int _spikeCount;
        private int _decisionCount;

        public ReadOnlySpan<OutputSpike> Spikes => _spikes.AsSpan(0, _spikeCount);

        public ReadOnlySpan<Decision> Decisions => _decisions.AsSpan(0, _decisionCount);

        public void OnSpike(SimTime time, int population, int neuron)
        {
            if (!publish[population])
            {
                return;
            }

            if (_spikeCount == _spikes.Length)
            {
                Array.Resize(ref _spikes, _spikes.Length * 2);
            }

            _spikes[_spikeCount++] = new OutputSpike(time, population, neuron);
            if (decoder is not null && decoder.Add(time, neuron, out Decision d))
            {
                AddDecision(d);
            }
        }

        public void Flush(SimTime now)
        {
            if (decoder is not null && decoder.Flush(now, out Decision d))
            {
                AddDecision(d);
            }
        }

        public void Clear()
        {
            _spikeCount = 0;
            _decisionCount = 0;
        }

        private void AddDecision(Decision d)
        {
            if (_decisionCount == _decisions.Length)
            {
                Array.Resize(ref _decisions, _decisions.Length * 2);
            }

            _decisions[_decisionCount++] = d;
        }
    }
}
