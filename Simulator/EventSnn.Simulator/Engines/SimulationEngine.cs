using System.Diagnostics.Metrics;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;
using EventSnn.Simulator.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Simulator.Engines;

/// <summary>
/// The simulation engine: one priority queue carries every spike between populations with per-synapse delays, while each
/// neuron population runs as it declares — event-driven (exact, lazy, per neuron, in continuous integer time) or
/// clock-driven (dense float32 steps of its own dt on a compute device, several steps per device call where nothing can
/// arrive). All-event and all-clock networks are the two extremes of the same engine.
/// </summary>
/// <remarks>
/// <para><b>Order of processing.</b> Time advances to the earliest of: the next queued event, the next clock boundary (the
/// end of a clock-driven population's next step), the next state sample, the end of the run. Every queued event with a time
/// ≤ that point is processed first, in queue order (time, then insertion order); all deliveries that reach one
/// event-driven neuron at one tick are summed per receptor and applied together at the end of that tick, then its
/// threshold is tested once. Then clock-driven populations whose step ends there emit that step's spikes (in population
/// order, then ascending neuron index), computing a new window of steps first if needed. Then samplers run.</para>
/// <para><b>Clock-driven populations.</b> Step k of a population with step dt covers ((k − 1)·dt, k·dt]; a delivery
/// arriving at tick a is added to step ⌈a / dt⌉ and applied at its end, after integration and before the threshold test;
/// spikes of that step are stamped k·dt. A population runs a window of K steps in one device call when nothing not yet
/// emitted can reach it within them: K ≤ ⌈d_in / dt⌉ where d_in is the smallest delay of its incoming projections, and
/// K is also bounded by the run's end, the next sample, queued deliveries to clock-driven populations and
/// <see cref="EngineOptions.MaxWindowSteps"/>. Windows never change results (test <c>WindowsDoNotChangeResults</c>).
/// Deliveries of a plastic projection whose rule changes weights only at arrivals and at its target's spikes
/// (<see cref="TripletStdpSpec.PreAtArrival"/>) into a clock-driven population wait in per-step buckets instead of the
/// queue and act, in the queue's order, just before their step: the same weights and sums, bit for bit.</para>
/// <para><b>Determinism.</b> Everything queued is deterministic, device chunking does not depend on the number of threads,
/// so the same network, options and injected events give identical spikes for every thread count and execution mix.</para>
/// </remarks>
public sealed class SimulationEngine : ISimulationEngine, IDisposable
{
    private const uint Magic = 0x4E455345; // "ESEN"
    private const int FormatVersion = 4;
    private static readonly EngineStateIO s_format = new(Magic, FormatVersion, "engine state", "Not an EventSnn engine state (bad magic number).", "The saved state belongs to a different network or execution (populations, models, synapse counts, modes or steps differ).");
    private static readonly Meter s_meter = new("EventSnn.Simulator");
    private static readonly Counter<long> s_spikes = s_meter.CreateCounter<long>("eventsnn.engine.spikes", description: "Spikes emitted by simulation engines.");
    private static readonly Counter<long> s_steps = s_meter.CreateCounter<long>("eventsnn.engine.clock_steps", description: "Clock-driven population steps run by simulation engines.");

    private readonly EngineTopology _topology;
    private readonly EngineOptions _options;
    private readonly CpuDevice? _ownedDevice;

    /// <summary>The CPU device whose threads add waiting deliveries to host clock-driven populations (null: each population uses its own).</summary>
    private readonly CpuDevice? _inputDevice;

    /// <summary>Scratch: the populations of one dispatch in parts.</summary>
    private readonly ClockPopulation[] _partPopulations;
    private readonly NeuronPopulationState?[] _states;
    private readonly EventPopulation?[] _event;
    private readonly ClockPopulation?[] _clock;
    private readonly ClockPopulation[] _clocks;
    private readonly int[] _windowByDelay;
    private readonly SynapseTable[] _tables;
    private readonly int[] _receptor;
    private readonly int[] _post;
    private readonly bool[] _queued;
    private readonly ClockPopulation?[] _direct;
    private readonly bool[] _deferred;
    private readonly DeferredDeliveries?[] _deferredIn;
    private readonly int[][] _outgoing;
    private readonly PlasticityRule?[] _rules;
    private readonly PlasticityRule?[] _syncRules;
    private readonly PlasticityRule[][] _preRules;
    private readonly PlasticityRule[][] _postRules;
    private readonly int[]?[] _sourceCursor;
    private readonly Xoshiro256[] _poissonRng;
    private readonly double[] _poissonP;
    private readonly RadixHeapQueue<EngineEvent> _queue = new();
    private readonly RadixHeapQueue<int> _clockDeliveries = new();
    private readonly EventPopulation[] _pending;
    private readonly DeliveryFifo?[] _fifo;
    private readonly DeliveryFifo[] _fifos;
    private readonly bool[] _isPending;
    private readonly List<(IStateSampler Sampler, long Interval, long Next)> _samplers = [];
    private readonly ILogger _logger;
    private ISpikeMonitor[] _monitors = [];
    private int _pendingCount;
    private int _deferredCount;
    private long _deferredNow = long.MinValue;
    private long _tick = long.MinValue;
    private long _now;
    private long _spikeCount;
    private long _eventCount;
    private long _deliveries;
    private long _synapticEvents;
    private long _neuronUpdates;
    private long _wakeUps;
    private long _staleWakeUps;
    private long _stepCount;
    private long _windowCount;
    private long _metricSpikes;
    private long _metricSteps;

    /// <summary>Builds the runtime of <paramref name="network"/>: synapse tables, population state, initial source events.</summary>
    /// <param name="network">The validated network.</param>
    /// <param name="options">Settings; null for the defaults (populations as declared, undeclared ones event-driven).</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">The device is not host-visible.</exception>
    public SimulationEngine(NetworkSpec network, EngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new EngineOptions();
        options.Validate();
        Network = network;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        _topology = new EngineTopology(network);
        _tables = _topology.Tables;
        _receptor = _topology.Receptor;
        _post = _topology.Post;
        _outgoing = _topology.Outgoing;
        _rules = _topology.Rules;
        _preRules = _topology.PreRules;
        _postRules = _topology.PostRules;
        _syncRules = [.. _rules.Select(r => r is { NeedsSync: true } ? r : null)];
        _sourceCursor = _topology.SourceCursor;
        _poissonRng = _topology.PoissonRng;
        _poissonP = _topology.PoissonP;

        int np = network.Populations.Length;
        _states = new NeuronPopulationState?[np];
        _event = new EventPopulation?[np];
        _clock = new ClockPopulation?[np];
        _windowByDelay = new int[np];
        _pending = new EventPopulation[np];
        _isPending = new bool[np];
        var executions = new ExecutionSpec?[np];
        foreach (PopulationSpec p in network.Populations)
        {
            if (p.Model is not null)
            {
                executions[p.Id] = options.ExecutionOf(p);
            }
        }

        foreach (string name in options.PopulationDevices?.Keys ?? Enumerable.Empty<string>())
        {
            if (!network.Populations.Any(p => p.Name == name && p.Model is not null))
            {
                throw new ArgumentException($"EngineOptions.PopulationDevices names '{name}', which is not a neuron population of the network.", nameof(options));
            }
        }

        // Deliveries into clock-driven populations go straight into their input rings unless plasticity can change the
        // weight while the spike is in flight: those wait in the queue and are added when due (the weight read then).
        _queued = new bool[network.Projections.Length];
        var minDelayIn = new long[np];
        var maxDelayIn = new long[np];
        Array.Fill(minDelayIn, long.MaxValue);
        foreach (ProjectionSpec pr in network.Projections)
        {
            SynapseTable t = _tables[pr.Id];
            _queued[pr.Id] = executions[pr.Post]!.Mode == ExecutionMode.Event || pr.Plasticity is not null;
            if (t.SynapseCount > 0)
            {
                minDelayIn[pr.Post] = Math.Min(minDelayIn[pr.Post], t.MinDelay);
                maxDelayIn[pr.Post] = Math.Max(maxDelayIn[pr.Post], t.MaxDelay);
            }
        }

        IComputeDevice? device = options.Device;
        var clocks = new List<ClockPopulation>();
        foreach (PopulationSpec p in network.Populations)
        {
            if (executions[p.Id] is not { } ex)
            {
                continue;
            }

            if (ex.Mode == ExecutionMode.Event)
            {
                if (!p.PoissonInputs.IsEmpty)
                {
                    throw new ArgumentException($"{p}: its Poisson input is drawn per step and needs clock-driven execution (declare the population clock-driven).", nameof(network));
                }

                if (!p.Model!.Info.SupportsEventDriven)
                {
                    throw new ArgumentException($"{p}: model '{p.Model.Info.Name}' has no exact event-driven form; declare the population clock-driven (or run with clock execution).", nameof(network));
                }

                EventPopulation ep = p.Model!.CreateEventPopulation(p, options.ScaledForm);
                _event[p.Id] = ep;
                _states[p.Id] = ep.State;
                continue;
            }

            IComputeDevice populationDevice = options.DeviceFor(p) ?? (device ??= _ownedDevice = new CpuDevice(new CpuDeviceOptions { Threads = options.Threads }));
            long dt = ex.Dt.Ticks;
            _windowByDelay[p.Id] = minDelayIn[p.Id] == long.MaxValue
                ? options.MaxWindowSteps
                : (int)Math.Clamp((minDelayIn[p.Id] + dt - 1) / dt, 1, options.MaxWindowSteps);
            long ahead = maxDelayIn[p.Id] == 0 ? 1 : ((maxDelayIn[p.Id] + dt - 1) / dt) + 1;
            long memoryCap = Math.Max(2, (16L << 20) / Math.Max(1L, (long)p.Size * p.Model!.Info.Receptors.Length));
            int slots = (int)Math.Clamp(ahead + 1, 2, Math.Min(options.MaxRingSlots, memoryCap));
            ClockPopulation cp = p.Model!.CreateClockPopulation(p, ex.Dt, slots, options.MaxWindowSteps, populationDevice);
            _clock[p.Id] = cp;
            _states[p.Id] = cp.State;
            clocks.Add(cp);
        }

        _clocks = [.. clocks];
        _direct = new ClockPopulation?[network.Projections.Length];
        foreach (ProjectionSpec pr in network.Projections)
        {
            _direct[pr.Id] = _queued[pr.Id] ? null : _clock[pr.Post];
        }


        // Static single-delay projections into populations in scaled form carry their deliveries in arrival order outside
        // the priority queue (spikes are emitted in time order).
        _fifo = new DeliveryFifo?[network.Projections.Length];
        foreach (ProjectionSpec pr in network.Projections)
        {
            SynapseTable t = _tables[pr.Id];
            if (_event[pr.Post] is { IsScaled: true } && pr.Plasticity is null && _rules[pr.Id] is null && t.SynapseCount > 0 && t.MinDelay == t.MaxDelay)
            {
                _fifo[pr.Id] = new DeliveryFifo(pr.Id);
            }
        }

        _fifos = [.. _fifo.OfType<DeliveryFifo>()];
        Device = device ?? (clocks.Count > 0 ? options.DeviceFor(network.Populations[clocks[0].Id]) : null);
        _inputDevice = device as CpuDevice ?? _ownedDevice;
        _partPopulations = new ClockPopulation[_clocks.Length];
        foreach (ProjectionSpec pr in network.Projections)
        {
            _clock[pr.Post]?.AttachIncoming(pr.Id, _tables[pr.Id], _receptor[pr.Id], pr.Stdp is not null);
        }

        (_deferred, _deferredIn) = DeferredProjections(network);

        ScheduleInitial();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                "Simulation engine: {Populations} populations ({Event} event-driven, {Clock} clock-driven), {Neurons} neurons, {Synapses} synapses ({Bytes} bytes of synapse storage), device {Device}",
                np,
                _event.Count(e => e is not null),
                _clocks.Length,
                network.TotalSize,
                SynapseCount,
                SynapseBytes,
                device?.Name ?? "none");
        }
    }

    /// <inheritdoc/>
    public NetworkSpec Network { get; }

    /// <summary>The device that runs the clock-driven populations (null when every population is event-driven).</summary>
    public IComputeDevice? Device { get; }

    /// <inheritdoc/>
    public SimTime Now => SimTime.FromTicks(_now);

    /// <inheritdoc/>
    public long SpikeCount => _spikeCount;

    /// <summary>Queue events processed so far (deliveries, wake-ups, source spikes).</summary>
    public long EventCount => _eventCount;

    /// <summary>Counts of the work done since the engine was built (deliveries, synaptic events, neuron updates, wake-ups).</summary>
    public EngineStatistics Statistics => new(_deliveries, _synapticEvents, _neuronUpdates, _wakeUps, _staleWakeUps);

    /// <summary>Clock-driven population steps run so far (summed over populations).</summary>
    public long StepCount => _stepCount;

    /// <summary>Device calls so far (one per window of one or more steps of one population).</summary>
    public long WindowCount => _windowCount;

    /// <summary>
    /// Events waiting: queued events, deliveries waiting in the per-step buckets of clock-driven populations and deliveries
    /// in the arrival-order buffers of populations in scaled form.
    /// </summary>
    public int PendingEvents
    {
        get
        {
            int n = _queue.Count + _deferredCount;
            foreach (DeliveryFifo f in _fifos)
            {
                n += f.Count;
            }

            return n;
        }
    }

    /// <summary>Total synapses over all projections.</summary>
    public long SynapseCount => _topology.SynapseCount;

    /// <summary>Total bytes of synapse storage (all arrays of all tables).</summary>
    public long SynapseBytes => _topology.SynapseBytes;

    /// <summary>The execution each population runs with (null for input populations).</summary>
    /// <param name="population">Population id.</param>
    public ExecutionSpec? GetExecution(int population) => _states[population]?.Execution;

    /// <summary>Whether the deliveries of <paramref name="projection"/> wait in per-step buckets of their clock-driven target instead of the queue.</summary>
    /// <param name="projection">Projection id.</param>
    internal bool DefersDeliveries(int projection) => _deferred[projection];

    /// <summary>The plasticity rule of a projection (its traces and state), or null when it is static.</summary>
    /// <param name="projection">Projection id.</param>
    public PlasticityRule? GetPlasticity(int projection) => _rules[projection];

    /// <summary>
    /// Sets the reward input of every reward-modulated rule (<see cref="MstdpSpec"/>, <see cref="MstdpetSpec"/>) from the
    /// current time on; the reward is piecewise constant and starts at 0.
    /// </summary>
    /// <param name="reward">The reward (finite).</param>
    public void SetReward(double reward)
    {
        foreach (PlasticityRule? r in _rules)
        {
            if (r is { Spec.UsesReward: true })
            {
                r.SetReward(reward, _now);
            }
        }
    }

    /// <summary>Sets the reward input of one projection's reward-modulated rule from the current time on.</summary>
    /// <param name="projection">The projection's name.</param>
    /// <param name="reward">The reward (finite).</param>
    /// <exception cref="ArgumentException">The projection has no reward-modulated rule.</exception>
    public void SetReward(string projection, double reward)
    {
        ProjectionSpec p = Network.Projection(projection);
        if (_rules[p.Id] is not { Spec.UsesReward: true } r)
        {
            throw new ArgumentException($"{p} has no reward-modulated plasticity rule.", nameof(projection));
        }

        r.SetReward(reward, _now);
    }

    /// <inheritdoc/>
    public NeuronPopulationState? GetPopulationState(int population)
    {
        if ((uint)population < (uint)_clock.Length)
        {
            _clock[population]?.SyncHost();
            _event[population]?.Synchronize(_now);
        }

        return _states[population];
    }

    /// <summary>
    /// Hands state the caller wrote into <see cref="GetPopulationState"/>'s columns of a clock-driven population back to where
    /// the population runs (a no-op for populations that run on the host).
    /// </summary>
    internal void PushPopulationState(int population)
    {
        if ((uint)population < (uint)_clock.Length)
        {
            _clock[population]?.PushHost();
        }
    }

    /// <inheritdoc/>
    /// <remarks>Plastic weights that change continuously or live in a shared kernel are brought up to the current time first.</remarks>
    public SynapseTable GetSynapses(int projection)
    {
        _syncRules[projection]?.Synchronize(_now);
        return _tables[projection];
    }

    /// <summary>Whether event-driven population <paramref name="population"/> runs in scaled form (docs/Simulator.md, "Scaled form").</summary>
    /// <param name="population">Population id.</param>
    internal bool RunsInScaledForm(int population) => _event[population]?.IsScaled == true;

    /// <summary>The number of spike monitors registered (the embedding stepper checks that its own is the only one).</summary>
    internal int SpikeMonitorCount => _monitors.Length;

    /// <inheritdoc/>
    public void AddSpikeMonitor(ISpikeMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitors = [.. _monitors, monitor];
    }

    /// <inheritdoc/>
    /// <remarks>A sample at T sees every event with time ≤ T; clock-driven populations are read at their last step ending ≤ T.</remarks>
    public void AddStateSampler(IStateSampler sampler, SimDuration interval)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval.Ticks, 1, nameof(interval));
        _samplers.Add((sampler, interval.Ticks, _now));
    }

    /// <inheritdoc/>
    public double ReadState(int population, int neuron, int variable)
    {
        NeuronPopulationState s = CheckStateVariable(population, neuron, variable);
        _clock[population]?.SyncHost();
        return _event[population] is { } ep ? ep.Read(neuron, variable, _now) : s.GetStored(neuron, variable);
    }

    /// <inheritdoc/>
    public void InjectEvent(SimTime time, int population, int neuron)
    {
        _topology.CheckExternalSource(population, neuron);
        long floor = Math.Max(_now, QueueNow);
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

        while (true)
        {
            long boundary = NextBoundary();
            long sample = NextSample();
            long limit = Math.Min(Math.Min(boundary, sample), u);
            Drain(limit);
            _now = Math.Max(_now, limit);
            if (boundary == limit)
            {
                ProcessBoundary(boundary, u, sample);
                continue;
            }

            if (sample == limit)
            {
                RunDeferredUntil(sample);
                RunSamplers(sample);
                continue;
            }

            break;
        }

        RunDeferredUntil(_now);
        FlushMetrics();
    }

    /// <inheritdoc/>
    /// <remarks>Advances to the next time anything happens: the next queued event or the next clock boundary.</remarks>
    public SimTime Step()
    {
        long next = Math.Min(NextBoundary(), NextFifo());
        if (_queue.TryPeek(out SimTime t, out _))
        {
            next = Math.Min(next, t.Ticks);
        }

        if (next != long.MaxValue)
        {
            RunUntil(SimTime.FromTicks(Math.Max(next, _now)));
        }

        return Now;
    }

    /// <summary>
    /// Starts a new sample at the current time: every neuron returns to its initial state, spikes in flight and predicted
    /// crossings are dropped, (unless <paramref name="keepTraces"/>) plasticity traces are cleared, and projections with
    /// weight normalisation are normalised. Weights, source
    /// populations (spike arrays, Poisson generators, injected external events) and time are kept. For dataset replays and
    /// training loops that present samples one after another.
    /// </summary>
    /// <param name="keepTraces">Whether plasticity traces keep their values.</param>
    public void ResetState(bool keepTraces = false)
    {
        FlushPending();
        var pending = new PendingEvent<EngineEvent>[_queue.Count];
        int n = _queue.CopyPendingTo(pending);
        int kept = 0;
        for (int k = 0; k < n; k++)
        {
            if (pending[k].Payload.Kind == EngineEventKind.Source)
            {
                pending[kept++] = pending[k];
            }
        }

        _queue.Restore(_queue.Now, pending.AsSpan(0, kept));
        _clockDeliveries.Clear();
        foreach (DeferredDeliveries? d in _deferredIn)
        {
            d?.Clear();
        }

        _deferredCount = 0;
        foreach (DeliveryFifo f in _fifos)
        {
            f.Clear();
        }

        foreach (ClockPopulation c in _clocks)
        {
            c.Initialize();
        }

        foreach (EventPopulation? e in _event)
        {
            e?.Initialize(_now);
        }

        foreach (EventPopulation? e in _event)
        {
            e?.Start(this);
        }

        if (!keepTraces)
        {
            foreach (PlasticityRule? r in _rules)
            {
                r?.ClearTraces();
            }
        }

        NormalizeWeights();
    }

    /// <summary>
    /// Normalises every projection that declares weight normalisation now (what <see cref="ResetState"/> does last),
    /// leaving neuron state, traces, spikes in flight and time as they are: for training loops that let the state decay
    /// between samples instead of resetting it.
    /// </summary>
    public void NormalizeWeights()
    {
        FlushPending();
        foreach (ProjectionSpec pr in Network.Projections)
        {
            if (pr.Normalization is { } norm)
            {
                WeightNormalization.Apply(_tables[pr.Id], norm.Total);
            }
        }
    }

    /// <summary>
    /// Creates a batch of <paramref name="members"/> independent copies of this network's neuron state that share its
    /// weights, for clock-driven inference on many samples at once (<see cref="SimulationBatch"/>).
    /// </summary>
    /// <param name="members">The batch size B (≥ 1).</param>
    /// <returns>The batch (dispose it when done).</returns>
    /// <exception cref="ArgumentException">The network cannot run batched (a population is event-driven, steps differ, a projection is plastic, …).</exception>
    public SimulationBatch CreateBatch(int members) => new(this, members, _options.Threads);

    /// <summary>The options the engine was built with.</summary>
    internal EngineOptions Options => _options;

    /// <summary>Releases device-resident populations, and the device if the engine created it.</summary>
    public void Dispose()
    {
        foreach (ClockPopulation c in _clocks)
        {
            (c as IDisposable)?.Dispose();
        }

        _ownedDevice?.Dispose();
    }

    private long NextBoundary()
    {
        long b = long.MaxValue;
        foreach (ClockPopulation c in _clocks)
        {
            b = Math.Min(b, c.NextBoundary);
        }

        return b;
    }

    private long NextSample()
    {
        long s = long.MaxValue;
        foreach (var x in _samplers)
        {
            s = Math.Min(s, x.Next);
        }

        return s;
    }

    /// <summary>
    /// Processes every queued event with a time ≤ <paramref name="limit"/>, one instant at a time: all events of an instant
    /// (including those it adds at the same instant), then the summed inputs of that instant are applied, before the
    /// queue moves on, so what an instant schedules is never later than it should be.
    /// </summary>
    private void Drain(long limit)
    {
        var visitor = new Visitor(this);
        if (_fifos.Length == 0)
        {
            while (_queue.TryPeek(out SimTime t, out _) && t.Ticks <= limit)
            {
                _queue.DequeueUntil(t, ref visitor);
                FlushPending();
            }

            return;
        }

        while (true)
        {
            long t = NextFifo();
            bool queued = _queue.TryPeek(out SimTime q, out _);
            if (queued && q.Ticks < t)
            {
                t = q.Ticks;
            }

            if (t > limit || t == long.MaxValue)
            {
                return;
            }

            // The instant's deliveries held in arrival order, then its queued events, then the summed inputs are tested.
            foreach (DeliveryFifo f in _fifos)
            {
                while (f.Head == t)
                {
                    // The next delivery is known: start loading its synapses while this one is applied.
                    if (f.NextGroup is >= 0 and int next)
                    {
                        FanoutPrefetch.Group(_tables[f.Projection], next);
                    }

                    f.Pop(out _, out int group, out int amplitude);
                    _tick = t;
                    _eventCount++;
                    Deliver(t, f.Projection, group, amplitude);
                }
            }

            if (queued && q.Ticks == t)
            {
                _queue.DequeueUntil(q, ref visitor);
            }

            FlushPending();
        }
    }

    private void RunSamplers(long time)
    {
        for (int k = 0; k < _samplers.Count; k++)
        {
            var s = _samplers[k];
            if (s.Next == time)
            {
                s.Sampler.Sample(SimTime.FromTicks(time), this);
                _samplers[k] = (s.Sampler, s.Interval, s.Next + s.Interval);
            }
        }
    }

    /// <summary>
    /// Runs the windows due at <paramref name="boundary"/>, then emits the spikes of that boundary, population by
    /// population. Host populations on the CPU device run together in one dispatch over its threads: thread p adds the
    /// waiting deliveries of its p-th range of every population's neurons and steps that range (each neuron receives its
    /// inputs in acceptance order, so the result does not depend on the thread count). Spikes emitted at the boundary
    /// arrive no earlier than the ends of the windows just run (the window rule), so running every window first changes no
    /// result.
    /// </summary>
    private void ProcessBoundary(long boundary, long until, long sample)
    {
        if (_deferredCount != 0)
        {
            // Deferred deliveries of the steps about to be computed (all arrived by now, before any spike of this boundary).
            foreach (ClockPopulation c in _clocks)
            {
                if (c.NextBoundary == boundary && c.StateTime == c.EmittedTime && _deferredIn[c.Id] is { Count: > 0 } d)
                {
                    RunDeferred(c, d, c.StateStep + 1, boundary);
                }
            }
        }

        int parts = 0;
        long work = 0;
        if (_inputDevice is { } cpu)
        {
            foreach (ClockPopulation c in _clocks)
            {
                if (!c.CanRunInParts)
                {
                    continue;
                }

                int window = 0;
                if (c.NextBoundary == boundary && c.StateTime == c.EmittedTime)
                {
                    window = WindowFor(c, until, sample);
                    _stepCount += window;
                    _metricSteps += window;
                    _windowCount++;
                }
                else if (!c.HasPendingInput)
                {
                    continue;
                }

                c.BeginParts(window);
                work += c.PartWork(window);
                _partPopulations[parts++] = c;
            }

            if (parts > 0)
            {
                // Small boundaries run on the calling thread: a hand-off costs more than it saves (the split does not
                // change any result, each neuron's inputs keep their order).
                int threads = work >= cpu.MinParallelCount ? cpu.Parallelism : 1;
                var kernel = new PartsKernel { Populations = _partPopulations, Count = parts, Parts = threads };
                cpu.ForEachPart(threads, ref kernel);
                for (int k = 0; k < parts; k++)
                {
                    _partPopulations[k].EndParts();
                }
            }
        }

        foreach (ClockPopulation c in _clocks)
        {
            if (c.NextBoundary == boundary && c.StateTime == c.EmittedTime)
            {
                int window = WindowFor(c, until, sample);
                c.RunWindow(window);
                _stepCount += window;
                _metricSteps += window;
                _windowCount++;
            }
        }

        foreach (ClockPopulation c in _clocks)
        {
            if (c.NextBoundary != boundary)
            {
                continue;
            }

            int step = (int)((boundary - (c.StateTime - (c.Spikes.Steps * c.Dt))) / c.Dt) - 1;
            c.EmittedTime = boundary;
            bool graded = c.Graded;
            ReadOnlySpan<int> spiked = c.Spikes.ForStep(step);
            FanoutPrefetch.Rows(spiked, _outgoing[c.Id], _tables);
            foreach (int n in spiked)
            {
                EmitSpike(c.Id, n, boundary, graded ? c.Amplitude(step, n) : 1f);
            }
        }
    }

    /// <summary>
    /// The number of steps population <paramref name="c"/> may run from its current state without missing an input:
    /// nothing emitted at or after its next boundary B can arrive before B + d_in, nothing queued for clock-driven
    /// populations before its time, and the window ends by the run's end and the next sample.
    /// </summary>
    private int WindowFor(ClockPopulation c, long until, long sample)
    {
        long dt = c.Dt;
        long start = c.StateTime;
        long limit = Math.Min(until, sample);
        long k = Math.Min(_windowByDelay[c.Id], (limit - start) / dt);
        if (_clockDeliveries.TryPeek(out SimTime due, out _))
        {
            k = Math.Min(k, c.StepOf(due.Ticks) - 1 - (start / dt));
        }

        if (_deferredIn[c.Id] is { Count: > 0 } d)
        {
            k = Math.Min(k, d.FirstStep(c.StateStep) - 1 - c.StateStep);
        }

        return (int)Math.Max(1, k);
    }

    private void FlushPending()
    {
        if (_pendingCount == 0)
        {
            return;
        }

        // Flushing can emit spikes but never adds inputs at the current tick (delays are at least one tick).
        for (int k = 0; k < _pendingCount; k++)
        {
            EventPopulation p = _pending[k];
            _isPending[p.Id] = false;
            _neuronUpdates += p.Flush(this, _tick);
        }

        _pendingCount = 0;
    }

    private void Handle(long t, in EngineEvent e)
    {
        _tick = t;
        _eventCount++;
        switch (e.Kind)
        {
            case EngineEventKind.Deliver:
                Deliver(t, e.A, e.B, e.C);
                break;

            case EngineEventKind.Wake:
            {
                EventPopulation ep = _event[e.A]!;
                EventPopulationState s = ep.State;
                if (e.C == EventPopulation.SweepMark)
                {
                    ep.Sweep(this, t);
                }
                else if (s.WakeGeneration[e.B] != e.C)
                {
                    _staleWakeUps++;
                }
                else
                {
                    _wakeUps++;
                    s.WakeTick[e.B] = long.MaxValue;
                    ep.Wake(t, e.B);
                    if (!_isPending[e.A])
                    {
                        _isPending[e.A] = true;
                        _pending[_pendingCount++] = ep;
                    }
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
                        _queue.Enqueue(p.SpikeTimes[e.B][next], e);
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

    /// <summary>Delivers group <paramref name="group"/> of projection <paramref name="projection"/> at tick <paramref name="t"/>.</summary>
    private void Deliver(long t, int projection, int group, int amplitudeBits)
    {
        SynapseTable tb = _tables[projection];
        _syncRules[projection]?.BeforeDelivery(group, t);
        int from = tb.GroupStart[group];
        int len = tb.GroupStart[group + 1] - from;
        int post = _post[projection];
        float amplitude = BitConverter.Int32BitsToSingle(amplitudeBits);
        _deliveries++;
        _synapticEvents += len;
        if (_event[post] is { } ep)
        {
            ep.Accumulate(t, tb.Targets.AsSpan(from, len), tb.Weights.AsSpan(from, len), _receptor[projection], amplitude);
            if (!_isPending[post])
            {
                _isPending[post] = true;
                _pending[_pendingCount++] = ep;
            }
        }
        else
        {
            _clockDeliveries.TryDequeue(out _, out _);
            if (!_clock[post]!.TryAddInput(t, projection, group, amplitude))
            {
                throw new InvalidOperationException($"Internal error: a due delivery at {SimTime.FromTicks(t)} does not fit the input ring of '{Network.Populations[post].Name}'.");
            }
        }
    }

    /// <summary>The arrival tick of the earliest delivery held outside the queue (long.MaxValue: none).</summary>
    private long NextFifo()
    {
        long t = long.MaxValue;
        foreach (DeliveryFifo f in _fifos)
        {
            t = Math.Min(t, f.Head);
        }

        return t;
    }

    /// <summary>Moves the deliveries held outside the queue into it (before saving: the saved queue holds every pending event).</summary>
    private void SpillFifos()
    {
        foreach (DeliveryFifo f in _fifos)
        {
            while (f.Count > 0)
            {
                f.Pop(out long arrival, out int group, out int amplitude);
                _queue.Enqueue(SimTime.FromTicks(arrival), new EngineEvent(EngineEventKind.Deliver, f.Projection, group, amplitude));
            }

            f.Clear();
        }
    }

    /// <summary>
    /// Emits a spike of (population, neuron) at tick <paramref name="tick"/>: monitors, plasticity, fan-out. A graded spike's
    /// <paramref name="amplitude"/> scales the weights of its deliveries.
    /// </summary>
    internal void EmitSpike(int population, int neuron, long tick, float amplitude = 1f)
    {
        _spikeCount++;
        _metricSpikes++;
        EngineTopology.NotifySpike(_monitors, _preRules[population], _postRules[population], population, neuron, tick);
        Fanout(population, neuron, tick, amplitude);
    }

    /// <summary>
    /// Emits a binary spike that no monitor and no plasticity rule observes (the caller has checked that none can): it is
    /// counted and fanned out exactly as <see cref="EmitSpike"/> would, without the notifications.
    /// </summary>
    internal void EmitUnobserved(int population, int neuron, long tick)
    {
        _spikeCount++;
        _metricSpikes++;
        Fanout(population, neuron, tick, 1f);
    }

    /// <summary>
    /// Asks the processor to start loading the synapse rows that a spike of (population, neuron) will read, so that a
    /// caller emitting many spikes one after another overlaps their loads (a hint: nothing changes).
    /// </summary>
    internal void PrefetchFanout(int population, int neuron) => FanoutPrefetch.Row(neuron, _outgoing[population], _tables);

    /// <summary>
    /// The deliveries of a spike: each delay group of each outgoing projection is added into a clock-driven target's input
    /// ring when it fits there (and plasticity cannot change it in flight), and queued otherwise.
    /// </summary>
    private void Fanout(int population, int neuron, long tick, float amplitude)
    {
        long floor = QueueNow;
        int[] outgoing = _outgoing[population];
        for (int o = 0; o < outgoing.Length; o++)
        {
            int pr = outgoing[o];
            SynapseTable tb = _tables[pr];
            int[] sourceStart = tb.SourceGroupStart;
            int first = sourceStart[neuron];
            int end = sourceStart[neuron + 1];
            ClockPopulation? direct = _direct[pr];
            ClockPopulation? deferred = _deferred[pr] ? _clock[_post[pr]] : null;
            DeliveryFifo? fifo = _fifo[pr];
            long[] delays = tb.GroupDelay;
            for (int g = first; g < end; g++)
            {
                long arrival = Math.Max(tick + delays[g], floor);
                if (fifo is not null && fifo.TryPush(arrival, g, BitConverter.SingleToInt32Bits(amplitude)))
                {
                    continue;
                }

                if (deferred is not null)
                {
                    Defer(deferred, arrival, pr, g, amplitude);
                    continue;
                }

                if (direct is not null && direct.TryAddInput(arrival, pr, g, amplitude))
                {
                    continue;
                }

                Enqueue(pr, g, arrival, amplitude);
            }
        }
    }

    private void Enqueue(int projection, int group, long arrival, float amplitude)
    {
        if (_clock[_post[projection]] is not null)
        {
            _clockDeliveries.Enqueue(SimTime.FromTicks(arrival), 0);
        }

        _queue.Enqueue(SimTime.FromTicks(arrival), new EngineEvent(EngineEventKind.Deliver, projection, group, BitConverter.SingleToInt32Bits(amplitude)));
    }

    private void Defer(ClockPopulation target, long arrival, int projection, int group, float amplitude)
    {
        DeferredDeliveries d = _deferredIn[target.Id]!;
        long step = target.StepOf(arrival);
        long ahead = step - target.StateStep;
        if (ahead <= 0 || ahead >= d.Size)
        {
            throw new InvalidOperationException($"Internal error: a delivery at tick {arrival} into '{Network.Populations[target.Id].Name}' lies {ahead} steps after its computed state (state at {target.StateTime}).");
        }

        d.Add(step, arrival, projection, group, amplitude);
        _deferredCount++;
    }

    /// <summary>Applies the deferred deliveries of step <paramref name="step"/> that arrived by <paramref name="until"/>, in (tick, insertion) order.</summary>
    private void RunDeferred(ClockPopulation c, DeferredDeliveries d, long step, long until)
    {
        ReadOnlySpan<DeferredDeliveries.Entry> entries = d.Sorted(step);
        int n = 0;
        for (; n < entries.Length; n++)
        {
            DeferredDeliveries.Entry x = entries[n];
            if (x.Tick > until)
            {
                break;
            }

            int[] groupStart = _tables[x.Projection].GroupStart;
            _eventCount++;
            _deliveries++;
            _synapticEvents += groupStart[x.Group + 1] - groupStart[x.Group];
            _deferredNow = Math.Max(_deferredNow, x.Tick);
            PlasticityRule? rule = _syncRules[x.Projection];
            if (x.Amplitude == 1f && rule is not null && c.HostInputRow(x.Tick, x.Projection) is float[] row && rule.DeliverInto(x.Group, x.Tick, row))
            {
                continue;
            }

            rule?.BeforeDelivery(x.Group, x.Tick);
            if (!c.TryAddInput(x.Tick, x.Projection, x.Group, x.Amplitude))
            {
                throw new InvalidOperationException($"Internal error: a due delivery at {SimTime.FromTicks(x.Tick)} does not fit the input ring of '{Network.Populations[c.Id].Name}'.");
            }
        }

        d.RemoveFirst(step, n);
        _deferredCount -= n;
    }

    /// <summary>Applies every deferred delivery that has arrived by <paramref name="tick"/> (a run ending or a sample between boundaries).</summary>
    private void RunDeferredUntil(long tick)
    {
        if (_deferredCount == 0)
        {
            return;
        }

        foreach (ClockPopulation c in _clocks)
        {
            if (_deferredIn[c.Id] is { Count: > 0 } d && c.StateTime == c.EmittedTime)
            {
                RunDeferred(c, d, c.StateStep + 1, tick);
            }
        }
    }

    /// <summary>
    /// The projections whose deliveries into a clock-driven population wait in per-step buckets instead of the queue: a
    /// plastic rule that changes weights only at arrivals and at the target's spikes, on a receptor that no other kind of
    /// projection feeds (so that the input ring sums in the queue's order).
    /// </summary>
    private (bool[] Deferred, DeferredDeliveries?[] Buckets) DeferredProjections(NetworkSpec network)
    {
        bool[] deferred = new bool[network.Projections.Length];
        var buckets = new DeferredDeliveries?[network.Populations.Length];
        foreach (ProjectionSpec pr in network.Projections)
        {
            ClockPopulation? target = _clock[pr.Post];
            if (target is null || _rules[pr.Id] is not { DefersDeliveries: true } || _tables[pr.Id].SynapseCount == 0)
            {
                continue;
            }

            bool alone = true;
            foreach (ProjectionSpec other in network.Projections)
            {
                if (other.Post == pr.Post && _receptor[other.Id] == _receptor[pr.Id] && _rules[other.Id] is not { DefersDeliveries: true })
                {
                    alone = false;
                }
            }

            if (alone)
            {
                deferred[pr.Id] = true;
            }
        }

        foreach (PopulationSpec p in network.Populations)
        {
            if (_clock[p.Id] is not { } c)
            {
                continue;
            }

            long maxDelay = -1;
            foreach (ProjectionSpec pr in network.Projections)
            {
                if (pr.Post == p.Id && deferred[pr.Id])
                {
                    maxDelay = Math.Max(maxDelay, _tables[pr.Id].MaxDelay);
                }
            }

            if (maxDelay >= 0)
            {
                // A spike is emitted at most one step after the computed state and arrives within ⌈d_max / dt⌉ steps of it.
                buckets[p.Id] = new DeferredDeliveries((int)Math.Min(int.MaxValue - 2, ((maxDelay + c.Dt - 1) / c.Dt) + 2));
            }
        }

        return (deferred, buckets);
    }

    /// <summary>
    /// The queue's current time (ticks): nothing can be scheduled before it (the queue's own time, or the instant being
    /// processed when that instant held only deliveries outside the queue).
    /// </summary>
    internal long QueueNow => Math.Max(_queue.Now.Ticks, _tick);

    internal void ScheduleWake(long tick, int population, int neuron, int generation)
        => _queue.Enqueue(SimTime.FromTicks(Math.Max(tick, QueueNow)), new EngineEvent(EngineEventKind.Wake, population, neuron, generation));

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
                            _queue.Enqueue(p.SpikeTimes[j][0], new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
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
                    _event[p.Id]?.Start(this);
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

    private void FlushMetrics()
    {
        if (_metricSpikes != 0 && s_spikes.Enabled)
        {
            s_spikes.Add(_metricSpikes);
        }

        if (_metricSteps != 0 && s_steps.Enabled)
        {
            s_steps.Add(_metricSteps);
        }

        _metricSpikes = 0;
        _metricSteps = 0;
    }

    private NeuronPopulationState CheckStateVariable(int population, int neuron, int variable)
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

        if ((uint)variable >= (uint)s.VariableCount)
        {
            throw new ArgumentOutOfRangeException(nameof(variable), variable, $"Population '{s.Spec.Name}' has {s.VariableCount} state variables.");
        }

        return s;
    }

    private readonly struct Visitor(SimulationEngine engine) : IEventVisitor<EngineEvent>
    {
        public void Visit(SimTime time, in EngineEvent payload) => engine.Handle(time.Ticks, payload);
    }

    /// <inheritdoc/>
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        SpillFifos();
        using BinaryWriter w = s_format.BeginWrite(stream, WriteFingerprint);
        w.Write(_now);
        w.Write(_spikeCount);
        w.Write(_eventCount);
        w.Write(_stepCount);
        _topology.WritePopulations(w, WriteNeurons, writePoissonExtra: null);
        _topology.WriteSynapses(w);
        var clockPending = new PendingEvent<int>[_clockDeliveries.Count];
        _clockDeliveries.CopyPendingTo(clockPending);
        if (_deferredCount == 0)
        {
            w.Write(clockPending.Length);
            foreach (PendingEvent<int> pe in clockPending)
            {
                w.Write(pe.Time.Ticks);
            }

            s_format.EndWrite(w, Math.Max(_queue.Now.Ticks, _deferredNow), QueuedEvents());
            return;
        }

        // Deferred deliveries are saved as the queued deliveries they stand for (a queue event and a clock delivery each),
        // merged into the queue's events by time.
        var deferred = new List<DeferredDeliveries.Entry>(_deferredCount);
        foreach (ClockPopulation c in _clocks)
        {
            _deferredIn[c.Id]?.CopyTo(c.StateStep, deferred);
        }

        if (_deferredIn.Count(d => d is { Count: > 0 }) > 1)
        {
            deferred = [.. deferred.OrderBy(e => e.Tick)]; // stable: each population's deliveries keep their order
        }
        long[] clockTimes = new long[clockPending.Length + deferred.Count];
        for (int k = 0; k < clockPending.Length; k++)
        {
            clockTimes[k] = clockPending[k].Time.Ticks;
        }

        for (int k = 0; k < deferred.Count; k++)
        {
            clockTimes[clockPending.Length + k] = deferred[k].Tick;
        }

        Array.Sort(clockTimes);
        w.Write(clockTimes.Length);
        foreach (long t in clockTimes)
        {
            w.Write(t);
        }

        PendingEvent<EngineEvent>[] queued = QueuedEvents();
        var merged = new PendingEvent<EngineEvent>[queued.Length + deferred.Count];
        int q = 0;
        int m = 0;
        foreach (DeferredDeliveries.Entry x in deferred)
        {
            while (q < queued.Length && queued[q].Time.Ticks <= x.Tick)
            {
                merged[m++] = queued[q++];
            }

            merged[m++] = new PendingEvent<EngineEvent>(SimTime.FromTicks(x.Tick), new EngineEvent(EngineEventKind.Deliver, x.Projection, x.Group, BitConverter.SingleToInt32Bits(x.Amplitude)));
        }

        while (q < queued.Length)
        {
            merged[m++] = queued[q++];
        }

        s_format.EndWrite(w, Math.Max(_queue.Now.Ticks, _deferredNow), merged);
    }

    /// <summary>The queue's pending events in delivery order.</summary>
    private PendingEvent<EngineEvent>[] QueuedEvents()
    {
        var queued = new PendingEvent<EngineEvent>[_queue.Count];
        _queue.CopyPendingTo(queued);
        return queued;
    }

    /// <inheritdoc/>
    public void Restore(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        s_format.Guard(() => RestoreCore(stream));
    }

    private void WriteFingerprint(BinaryWriter w)
    {
        _topology.WriteFingerprint(w);
        foreach (NeuronPopulationState? s in _states)
        {
            w.Write(s is null ? -1 : (int)s.Execution.Mode);
            w.Write(s?.Execution.Dt.Ticks ?? 0);
        }
    }

    private void WriteNeurons(BinaryWriter w, PopulationSpec p)
    {
        if (_event[p.Id] is { } ep)
        {
            ep.Synchronize(_now);
            EventPopulationState s = ep.State;
            foreach (double[] col in s.Columns)
            {
                EngineStateIO.WriteArray<double>(w, col);
            }

            EngineStateIO.WriteArray<double>(w, s.Refractory);
            EngineStateIO.WriteArray<long>(w, s.LastUpdate);
            EngineStateIO.WriteArray<double>(w, s.Crossing);
            EngineStateIO.WriteArray<double>(w, s.Recheck);
            EngineStateIO.WriteArray<long>(w, s.WakeTick);
            EngineStateIO.WriteArray<int>(w, s.WakeGeneration);
            return;
        }

        ClockPopulation c = _clock[p.Id]!;
        c.SyncHost();
        foreach (float[] col in c.State.Columns)
        {
            EngineStateIO.WriteArray<float>(w, col);
        }

        EngineStateIO.WriteArray<float>(w, c.State.RefractorySteps);
        w.Write(c.StateTime);
        foreach (float[] slot in c.Ring)
        {
            EngineStateIO.WriteArray<float>(w, slot);
        }
    }

    private Action ReadNeurons(BinaryReader r, PopulationSpec p)
    {
        if (_event[p.Id] is { } ep)
        {
            EventPopulationState s = ep.State;
            double[][] cols = [.. s.Columns.Select(c => EngineStateIO.ReadArray<double>(r, c.Length))];
            double[] refr = EngineStateIO.ReadArray<double>(r, s.Size);
            long[] last = EngineStateIO.ReadArray<long>(r, s.Size);
            double[] cross = EngineStateIO.ReadArray<double>(r, s.Size);
            double[] recheck = EngineStateIO.ReadArray<double>(r, s.Size);
            long[] wake = EngineStateIO.ReadArray<long>(r, s.Size);
            int[] gen = EngineStateIO.ReadArray<int>(r, s.Size);
            return () =>
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
                ep.Rearm(this);
            };
        }

        ClockPopulation c = _clock[p.Id]!;
        ClockPopulationState st = c.State;
        float[][] columns = [.. st.Columns.Select(col => EngineStateIO.ReadArray<float>(r, col.Length))];
        float[] steps = EngineStateIO.ReadArray<float>(r, st.PaddedSize);
        long time = r.ReadInt64();
        if (time < 0 || time % c.Dt != 0)
        {
            throw new InvalidDataException($"The saved engine state is corrupt (time {time} of clock-driven population '{p.Name}' is not on its grid).");
        }

        float[][] ring = [.. c.Ring.Select(slot => EngineStateIO.ReadArray<float>(r, slot.Length))];
        return () =>
        {
            for (int k = 0; k < columns.Length; k++)
            {
                columns[k].CopyTo(st.Columns[k], 0);
            }

            steps.CopyTo(st.RefractorySteps, 0);
            for (int k = 0; k < ring.Length; k++)
            {
                ring[k].CopyTo(c.Ring[k], 0);
            }

            c.StateTime = time;
            c.EmittedTime = time;
            c.PushHost();
        };
    }

    private void RestoreCore(Stream stream)
    {
        using BinaryReader r = s_format.BeginRead(stream, WriteFingerprint);

        // Read everything into temporaries first so that a corrupt file leaves the engine unchanged.
        long now = r.ReadInt64();
        long spikes = r.ReadInt64();
        long events = r.ReadInt64();
        long steps = r.ReadInt64();
        if (now < 0 || spikes < 0 || events < 0 || steps < 0)
        {
            throw new InvalidDataException("The saved engine state is corrupt (time or counters).");
        }

        var actions = new List<Action>();
        _topology.ReadPopulations(r, actions, ReadNeurons, readPoissonExtra: null);
        _topology.ReadSynapses(r, actions);
        int clockCount = r.ReadInt32();
        if (clockCount < 0 || (stream.CanSeek && clockCount * 8L > stream.Length - stream.Position))
        {
            throw new InvalidDataException($"The saved engine state is corrupt (clock delivery count {clockCount}).");
        }

        var clockPending = new PendingEvent<int>[clockCount];
        for (int k = 0; k < clockCount; k++)
        {
            clockPending[k] = new PendingEvent<int>(SimTime.FromTicks(r.ReadInt64()), 0);
        }

        PendingEvent<EngineEvent>[] pending = EngineStateIO.ReadPending(r, pe => _topology.Fits(pe.Payload, allowWake: true) && (pe.Payload.Kind != EngineEventKind.Wake || _event[pe.Payload.A] is not null), out long queueNow);
        s_format.ReadEnd(r);
        if (queueNow > now)
        {
            throw new InvalidDataException("The saved engine state is corrupt (queue time after engine time).");
        }

        // Queued deliveries of deferred projections go back into their buckets (each with its clock delivery).
        var deferred = new List<PendingEvent<EngineEvent>>();
        if (_deferredIn.Any(d => d is not null))
        {
            var rest = new List<PendingEvent<EngineEvent>>(pending.Length);
            var times = new List<long>();
            foreach (PendingEvent<EngineEvent> pe in pending)
            {
                if (pe.Payload.Kind == EngineEventKind.Deliver && _deferred[pe.Payload.A])
                {
                    deferred.Add(pe);
                    times.Add(pe.Time.Ticks);
                }
                else
                {
                    rest.Add(pe);
                }
            }

            if (deferred.Count > 0)
            {
                pending = [.. rest];
                times.Sort();
                var kept = new List<PendingEvent<int>>(clockPending.Length);
                int j = 0;
                foreach (PendingEvent<int> cp in clockPending)
                {
                    if (j < times.Count && cp.Time.Ticks == times[j])
                    {
                        j++;
                    }
                    else
                    {
                        kept.Add(cp);
                    }
                }

                if (j != times.Count)
                {
                    throw new InvalidDataException("The saved engine state is corrupt (queued deliveries without their clock deliveries).");
                }

                clockPending = [.. kept];
            }
        }

        EngineStateIO.RestoreQueue(_queue, queueNow, pending);
        foreach (DeliveryFifo f in _fifos)
        {
            f.Clear();
        }

        try
        {
            _clockDeliveries.Restore(SimTime.FromTicks(queueNow), clockPending);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException("The saved clock deliveries are not in time order.", ex);
        }

        // The restored populations re-arm their wake-ups from the restored queue time (QueueNow), not from this engine's past.
        _tick = long.MinValue;
        foreach (Action a in actions)
        {
            a();
        }

        foreach (DeferredDeliveries? d in _deferredIn)
        {
            d?.Clear();
        }

        _deferredCount = 0;
        foreach (PendingEvent<EngineEvent> pe in deferred)
        {
            ClockPopulation target = _clock[_post[pe.Payload.A]]!;
            long ahead = target.StepOf(pe.Time.Ticks) - target.StateStep;
            if (ahead <= 0 || ahead >= _deferredIn[target.Id]!.Size)
            {
                throw new InvalidDataException($"The saved engine state is corrupt (a delivery at {pe.Time} lies {ahead} steps after the state of '{Network.Populations[target.Id].Name}').");
            }

            Defer(target, pe.Time.Ticks, pe.Payload.A, pe.Payload.B, BitConverter.Int32BitsToSingle(pe.Payload.C));
        }

        _now = now;
        _spikeCount = spikes;
        _eventCount = events;
        _stepCount = steps;
        EngineTopology.ClampSamplers(_samplers, now);
    }
}
