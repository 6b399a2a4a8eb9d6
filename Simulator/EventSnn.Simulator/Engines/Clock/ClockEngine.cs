using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>Settings of a <see cref="ClockEngine"/>.</summary>
public sealed record ClockEngineOptions
{
    /// <summary>The step (default 0.1 ms = 100,000 ticks). Positive.</summary>
    public SimDuration Dt { get; init; } = SimDuration.FromMicroseconds(100);

    /// <summary>The time of step 0 (default 0); a multiple of <see cref="Dt"/>.</summary>
    public SimTime Start { get; init; } = SimTime.Zero;

    /// <summary>
    /// The most steps run in one device window (default 16). A window of K steps is used only when no delivery
    /// can arrive within it (minimum delay and queued events permitting) and no state recorder is attached.
    /// </summary>
    public int MaxWindowSteps { get; init; } = 16;

    /// <summary>An optional logger (default: none).</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>How a call to <see cref="ClockEngine.RunUntil"/> ended.</summary>
public enum ClockRunResult
{
    /// <summary>The engine reached the requested time.</summary>
    Completed = 0,

    /// <summary><see cref="ClockEngine.RequestPause"/> was called; call <see cref="ClockEngine.RunUntil"/> again to resume.</summary>
    Paused = 1,

    /// <summary>The cancellation token was cancelled.</summary>
    Cancelled = 2,
}

/// <summary>
/// The clock-driven engine: advances every population by a fixed step <c>dt</c> (integer ticks) on a compute device,
/// and moves spikes between populations through a bucket ring event queue with step-quantised delays.
/// </summary>
/// <remarks>
/// <para><b>One step</b> <c>[t, t + dt)</c>: (1) every queued event with time ≤ <c>t</c> is delivered (synaptic weights added to
/// receptor columns; injected source spikes reported and fanned out); (2) each population with dynamics is advanced by
/// one dense step on the device; (3) the neurons that crossed threshold spike at <c>t + dt</c>, in population then neuron
/// order: monitors are called and, for every outgoing (row, delay) group, one event is queued at <c>t + dt + delay</c>.
/// A zero delay therefore reaches its target at the start of the next step, as in Brian2 (where a spike in step n
/// changes the targets' state before step n + 1 integrates).</para>
/// <para><b>Times</b> are multiples of <c>dt</c>: delays are rounded to the nearest step (as Brian2 does); injected
/// events off the grid are delivered at the next grid point (never early).</para>
/// <para><b>Windows:</b> when the minimum delay is <c>D</c> steps, spikes of a step cannot reach any neuron for <c>D</c> more steps,
/// so the engine asks the device for up to <c>min(D + 1, MaxWindowSteps)</c> steps at once (fewer if a queued event or the
/// run's end comes first), then reports and schedules the window's spikes step by step: results are identical.</para>
/// <para><b>Allocation:</b> none per step in steady state (the queue's buckets and the spike buffers are reused).</para>
/// <para><b>Threading:</b> one caller at a time; <see cref="RequestPause"/> may be called from any thread.</para>
/// </remarks>
public sealed class ClockEngine : IDisposable
{
    private readonly IComputeDevice _device;
    private readonly bool _ownsDevice;
    private readonly ILogger _logger;
    private readonly List<ClockPopulation> _populations = [];
    private readonly List<ClockProjection> _projections = [];
    private readonly List<ISpikeMonitor> _monitors = [];
    private readonly List<StateRecorder> _stateRecorders = [];
    private readonly BucketRingQueue<ClockEvent> _queue;
    private readonly long _dt;
    private Runtime? _runtime;
    private volatile bool _pauseRequested;
    private long _now;
    private long _steps;
    private long _spikes;
    private long _windows;

    /// <summary>Creates an engine on <paramref name="device"/>.</summary>
    /// <param name="device">The compute device (not disposed by the engine).</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException"><see cref="ClockEngineOptions.Start"/> is not a multiple of dt.</exception>
    public ClockEngine(IComputeDevice device, ClockEngineOptions? options = null)
        : this(device, options, ownsDevice: false)
    {
    }

    private ClockEngine(IComputeDevice device, ClockEngineOptions? options, bool ownsDevice)
    {
        ArgumentNullException.ThrowIfNull(device);
        options ??= new ClockEngineOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Dt.Ticks, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxWindowSteps, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxWindowSteps, 4096, nameof(options));
        if (!options.Start.IsMultipleOf(options.Dt))
        {
            throw new ArgumentException($"The start time {options.Start} is not a multiple of dt {options.Dt}.", nameof(options));
        }

        _device = device;
        _ownsDevice = ownsDevice;
        _logger = options.Logger ?? NullLogger.Instance;
        _dt = options.Dt.Ticks;
        _now = options.Start.Ticks;
        MaxWindowSteps = options.MaxWindowSteps;
        _queue = new BucketRingQueue<ClockEvent>(options.Dt, options.Start);
    }

    /// <summary>Creates an engine that owns a new <see cref="CpuDevice"/> with <paramref name="threads"/> threads.</summary>
    /// <param name="threads">Threads of the CPU device (1 or more).</param>
    /// <param name="options">Engine settings.</param>
    /// <returns>The engine; disposing it disposes the device.</returns>
    public static ClockEngine OnCpu(int threads, ClockEngineOptions? options = null) =>
        new(new CpuDevice(new CpuDeviceOptions { Threads = threads }), options, ownsDevice: true);

    /// <summary>The device.</summary>
    public IComputeDevice Device => _device;

    /// <summary>The step.</summary>
    public SimDuration Dt => SimDuration.FromTicks(_dt);

    /// <summary>The current time: the start of the next step.</summary>
    public SimTime Now => SimTime.FromTicks(_now);

    /// <summary>Steps run so far.</summary>
    public long StepCount => _steps;

    /// <summary>Spikes emitted so far by populations with dynamics (injected source spikes not included).</summary>
    public long SpikeCount => _spikes;

    /// <summary>Device dispatches so far: one per window of one or more steps.</summary>
    public long WindowCount => _windows;

    /// <summary>Events waiting in the queue.</summary>
    public int PendingEvents => _queue.Count;

    /// <summary>The most steps per device window.</summary>
    public int MaxWindowSteps { get; }

    /// <summary>The populations, by index.</summary>
    public IReadOnlyList<ClockPopulation> Populations => _populations;

    /// <summary>The projections, by index.</summary>
    public IReadOnlyList<ClockProjection> Projections => _projections;

    /// <summary>The total number of synapses.</summary>
    public long SynapseCount
    {
        get
        {
            long n = 0;
            foreach (ClockProjection p in _projections)
            {
                n += p.SynapseCount;
            }

            return n;
        }
    }

    /// <summary>Bytes of synapse storage held by the engine (all projection arrays).</summary>
    public long SynapseStorageBytes
    {
        get
        {
            long n = 0;
            foreach (ClockProjection p in _projections)
            {
                n += p.StorageBytes;
            }

            return n;
        }
    }

    /// <summary>Adds a population; returns its index.</summary>
    /// <param name="population">The population.</param>
    /// <returns>The population index.</returns>
    /// <exception cref="InvalidOperationException">The engine has already run.</exception>
    public int AddPopulation(ClockPopulation population)
    {
        ArgumentNullException.ThrowIfNull(population);
        CheckNotStarted();
        _populations.Add(population);
        return _populations.Count - 1;
    }

    /// <summary>Adds a projection between populations already added; returns its index.</summary>
    /// <param name="projection">The projection.</param>
    /// <returns>The projection index.</returns>
    /// <exception cref="ArgumentException">The projection does not fit its populations.</exception>
    /// <exception cref="InvalidOperationException">The engine has already run.</exception>
    public int AddProjection(ClockProjection projection)
    {
        ArgumentNullException.ThrowIfNull(projection);
        CheckNotStarted();
        if (projection.Source >= _populations.Count || projection.Target >= _populations.Count)
        {
            throw new ArgumentException($"Projection '{projection.Name}' refers to population {Math.Max(projection.Source, projection.Target)}, but only {_populations.Count} exist.", nameof(projection));
        }

        ClockPopulation source = _populations[projection.Source];
        ClockPopulation target = _populations[projection.Target];
        if (projection.Rows != source.Size)
        {
            throw new ArgumentException($"Projection '{projection.Name}' has {projection.Rows} rows but source '{source.Name}' has {source.Size} neurons.", nameof(projection));
        }

        if (projection.Receptor >= target.Receptors.Count)
        {
            throw new ArgumentException($"Projection '{projection.Name}' targets receptor {projection.Receptor}, but '{target.Name}' has {target.Receptors.Count}.", nameof(projection));
        }

        foreach (int t in projection.Targets)
        {
            if ((uint)t >= (uint)target.Size)
            {
                throw new ArgumentException($"Projection '{projection.Name}' has a synapse onto neuron {t}, outside '{target.Name}' ({target.Size} neurons).", nameof(projection));
            }
        }

        foreach (long d in projection.GroupDelay)
        {
            if (QuantiseDelay(d) > BucketRingQueue<ClockEvent>.MaxSlots / 2)
            {
                throw new ArgumentException($"Projection '{projection.Name}' has a delay of {SimDuration.FromTicks(d)}, too long for dt {Dt}.", nameof(projection));
            }
        }

        _projections.Add(projection);
        return _projections.Count - 1;
    }

    /// <summary>Adds a spike monitor (called for every spike, including injected source spikes).</summary>
    /// <param name="monitor">The monitor.</param>
    public void AddMonitor(ISpikeMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitors.Add(monitor);
    }

    /// <summary>Adds a state recorder; the engine samples it after each step when it is due.</summary>
    /// <param name="recorder">The recorder.</param>
    /// <exception cref="ArgumentException">The population or variable does not exist, or a neuron is out of range.</exception>
    public void AddStateRecorder(StateRecorder recorder)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        if (recorder.Population >= _populations.Count)
        {
            throw new ArgumentException($"State recorder refers to population {recorder.Population}, but only {_populations.Count} exist.", nameof(recorder));
        }

        ClockPopulation p = _populations[recorder.Population];
        _ = p.Variable(recorder.Variable);
        foreach (int n in recorder.Neurons)
        {
            if (n >= p.Size)
            {
                throw new ArgumentException($"State recorder neuron {n} is outside '{p.Name}' ({p.Size} neurons).", nameof(recorder));
            }
        }

        _stateRecorders.Add(recorder);
    }

    /// <summary>
    /// Schedules synaptic input: <paramref name="weight"/> is added to <paramref name="receptor"/> of neuron
    /// <paramref name="neuron"/> of <paramref name="population"/> at <paramref name="time"/> (rounded up to the dt grid).
    /// </summary>
    /// <param name="time">The time (not before <see cref="Now"/>).</param>
    /// <param name="population">The target population.</param>
    /// <param name="neuron">The target neuron.</param>
    /// <param name="receptor">The receptor index.</param>
    /// <param name="weight">The amount added (finite).</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range or the time is in the past.</exception>
    public void InjectInput(SimTime time, int population, int neuron, int receptor, float weight)
    {
        ClockPopulation p = CheckNeuron(population, neuron);
        if ((uint)receptor >= (uint)p.Receptors.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(receptor), receptor, $"Population '{p.Name}' has {p.Receptors.Count} receptor(s).");
        }

        if (!float.IsFinite(weight))
        {
            throw new ArgumentOutOfRangeException(nameof(weight), weight, "The weight must be finite.");
        }

        _queue.Enqueue(GridTime(time), new ClockEvent(population, neuron, receptor, weight));
    }

    /// <summary>
    /// Injects a spike of neuron <paramref name="neuron"/> of <paramref name="population"/> (typically a
    /// <see cref="SpikeSourcePopulation"/>) at <paramref name="time"/> (rounded up to the dt grid): monitors see it and
    /// it is fanned out through the population's projections like any spike.
    /// </summary>
    /// <param name="time">The time (not before <see cref="Now"/>).</param>
    /// <param name="population">The population.</param>
    /// <param name="neuron">The neuron.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range or the time is in the past.</exception>
    public void InjectSpike(SimTime time, int population, int neuron)
    {
        CheckNeuron(population, neuron);
        _queue.Enqueue(GridTime(time), new ClockEvent(population, neuron, ClockEvent.SourceSpike, 0f));
    }

    /// <summary>
    /// Asks a running <see cref="RunUntil"/> to stop after the current step or window (thread-safe; a monitor may call it
    /// from inside a step). A request made while no run is in progress is dropped when the next run starts.
    /// </summary>
    public void RequestPause() => _pauseRequested = true;

    /// <summary>Runs exactly one step (a pending pause request is cleared).</summary>
    public void Step()
    {
        _pauseRequested = false;
        Advance(_now + _dt);
    }

    /// <summary>Runs whole steps until <see cref="Now"/> ≥ <paramref name="until"/>, a pause request, or cancellation.</summary>
    /// <param name="until">The time to reach (rounded up to the grid).</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    /// <returns>How the run ended.</returns>
    public ClockRunResult RunUntil(SimTime until, CancellationToken cancellationToken = default)
    {
        long target = GridTime(SimTime.Max(until, Now)).Ticks;
        _pauseRequested = false;
        while (_now < target)
        {
            if (_pauseRequested)
            {
                _pauseRequested = false;
                _logger.LogDebug("Clock engine paused at {Time}", Now);
                return ClockRunResult.Paused;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return ClockRunResult.Cancelled;
            }

            Advance(target);
        }

        return ClockRunResult.Completed;
    }

    /// <summary>Runs for <paramref name="duration"/> from <see cref="Now"/>.</summary>
    /// <param name="duration">The duration (0 or more).</param>
    /// <param name="cancellationToken">Stops the run between steps.</param>
    /// <returns>How the run ended.</returns>
    public ClockRunResult RunFor(SimDuration duration, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(duration.Ticks, nameof(duration));
        return RunUntil(Now + duration, cancellationToken);
    }

    /// <summary>Captures the engine's state (time, counters, population columns, pending events).</summary>
    /// <returns>A snapshot that <see cref="Restore"/> accepts on an engine with the same structure.</returns>
    public ClockEngineSnapshot Capture()
    {
        var columns = new List<float[]>();
        var refractory = new List<int[]>();
        foreach (ClockPopulation p in _populations)
        {
            foreach (string v in p.Variables)
            {
                columns.Add(p.Variable(v).ToArray());
            }

            refractory.Add(p is TwoReceptorLifPopulation lif ? (int[])lif.Refractory.Clone() : []);
        }

        var pending = new PendingEvent<ClockEvent>[_queue.Count];
        int n = _queue.CopyPendingTo(pending);
        return new ClockEngineSnapshot(_now, _steps, _spikes, _dt, columns, refractory, pending.AsSpan(0, n).ToArray());
    }

    /// <summary>Restores a snapshot taken with <see cref="Capture"/> from an engine with the same populations and dt.</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <exception cref="ArgumentException">The snapshot does not match this engine's structure.</exception>
    public void Restore(ClockEngineSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        if (snapshot.DtTicks != _dt)
        {
            throw new ArgumentException($"The snapshot was taken with dt = {SimDuration.FromTicks(snapshot.DtTicks)}, this engine uses {Dt}.", nameof(snapshot));
        }

        int c = 0;
        for (int i = 0; i < _populations.Count; i++)
        {
            ClockPopulation p = _populations[i];
            foreach (string v in p.Variables)
            {
                Span<float> column = p.Variable(v);
                if (c >= snapshot.Columns.Count || snapshot.Columns[c].Length != column.Length)
                {
                    throw new ArgumentException($"The snapshot does not match population '{p.Name}' variable '{v}'.", nameof(snapshot));
                }

                snapshot.Columns[c++].CopyTo(column);
            }

            if (p is TwoReceptorLifPopulation lif)
            {
                if (snapshot.Refractory[i].Length != lif.Refractory.Length)
                {
                    throw new ArgumentException($"The snapshot does not match population '{p.Name}'.", nameof(snapshot));
                }

                snapshot.Refractory[i].CopyTo(lif.Refractory, 0);
            }
        }

        _now = snapshot.NowTicks;
        _steps = snapshot.Steps;
        _spikes = snapshot.Spikes;
        _queue.Restore(SimTime.FromTicks(_now), snapshot.Pending);
    }

    /// <summary>Disposes the device if the engine owns it.</summary>
    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }

    private void Advance(long limit)
    {
        Runtime rt = _runtime ??= BuildRuntime();
        var visitor = new DeliveryVisitor(this, rt);
        _queue.DequeueUntil(SimTime.FromTicks(_now), ref visitor);

        int window = 1;
        if (rt.WindowLimit > 1 && _stateRecorders.Count == 0)
        {
            long stepsLeft = (limit - _now) / _dt;
            window = (int)Math.Min(rt.WindowLimit, Math.Max(1, stepsLeft));
            if (window > 1 && _queue.TryPeek(out SimTime next, out _))
            {
                window = (int)Math.Max(1, Math.Min(window, (next.Ticks - _now) / _dt));
            }
        }

        List<ClockPopulation> populations = _populations;
        for (int p = 0; p < populations.Count; p++)
        {
            if (rt.Dynamic[p])
            {
                populations[p].RunSteps(_device, window, rt.Spikes[p]);
            }
        }

        for (int s = 0; s < window; s++)
        {
            long spikeTime = _now + ((s + 1) * _dt);
            for (int p = 0; p < populations.Count; p++)
            {
                if (!rt.Dynamic[p])
                {
                    continue;
                }

                ReadOnlySpan<int> spiked = rt.Spikes[p].ForStep(s);
                if (spiked.IsEmpty)
                {
                    continue;
                }

                _spikes += spiked.Length;
                EmitAll(rt, p, spiked, spikeTime);
            }
        }

        _now += window * _dt;
        _steps += window;
        _windows++;
        if (_stateRecorders.Count > 0)
        {
            SampleState();
        }
    }

    private void EmitAll(Runtime rt, int population, ReadOnlySpan<int> spiked, long spikeTime)
    {
        if (_monitors.Count > 0)
        {
            var time = SimTime.FromTicks(spikeTime);
            foreach (int n in spiked)
            {
                foreach (ISpikeMonitor m in _monitors)
                {
                    m.OnSpike(time, population, n);
                }
            }
        }

        int[] outgoing = rt.Outgoing[population];
        for (int o = 0; o < outgoing.Length; o++)
        {
            int projectionIndex = outgoing[o];
            ClockProjection projection = _projections[projectionIndex];
            int[] rowGroup = projection.RowGroup;
            int[] groupSteps = rt.GroupSteps[projectionIndex];
            foreach (int n in spiked)
            {
                for (int g = rowGroup[n]; g < rowGroup[n + 1]; g++)
                {
                    _queue.Enqueue(SimTime.FromTicks(spikeTime + (groupSteps[g] * _dt)), new ClockEvent(projectionIndex, g, ClockEvent.Synaptic, 0f));
                }
            }
        }
    }

    private void EmitSource(Runtime rt, SimTime time, int population, int neuron)
    {
        foreach (ISpikeMonitor m in _monitors)
        {
            m.OnSpike(time, population, neuron);
        }

        int[] outgoing = rt.Outgoing[population];
        for (int o = 0; o < outgoing.Length; o++)
        {
            int projectionIndex = outgoing[o];
            ClockProjection projection = _projections[projectionIndex];
            int[] rowGroup = projection.RowGroup;
            int[] groupSteps = rt.GroupSteps[projectionIndex];
            for (int g = rowGroup[neuron]; g < rowGroup[neuron + 1]; g++)
            {
                _queue.Enqueue(time + SimDuration.FromTicks(groupSteps[g] * _dt), new ClockEvent(projectionIndex, g, ClockEvent.Synaptic, 0f));
            }
        }
    }

    private void Deliver(Runtime rt, SimTime time, in ClockEvent e)
    {
        if (e.Kind == ClockEvent.Synaptic)
        {
            ClockProjection projection = _projections[e.Target];
            int[] groupStart = projection.GroupStart;
            int a = groupStart[e.Index];
            int b = groupStart[e.Index + 1];
            float[] column = rt.Columns[e.Target];
            ref float dst = ref MemoryMarshal.GetArrayDataReference(column);
            ref int targets = ref MemoryMarshal.GetArrayDataReference(projection.TargetArray);
            ref float weights = ref MemoryMarshal.GetArrayDataReference(projection.WeightArray);

            // Targets were checked against the column length when the projection was added.
            for (int s = a; s < b; s++)
            {
                Unsafe.Add(ref dst, Unsafe.Add(ref targets, s)) += Unsafe.Add(ref weights, s);
            }
        }
        else if (e.Kind == ClockEvent.SourceSpike)
        {
            EmitSource(rt, time, e.Target, e.Index);
        }
        else
        {
            _populations[e.Target].ReceptorColumn(e.Kind)[e.Index] += e.Weight;
        }
    }

    private void SampleState()
    {
        var time = SimTime.FromTicks(_now);
        foreach (StateRecorder r in _stateRecorders)
        {
            if (r.IsDue(_steps, time))
            {
                r.Record(time, _populations[r.Population].Variable(r.Variable));
            }
        }
    }

    private Runtime BuildRuntime()
    {
        var rt = new Runtime
        {
            Dynamic = new bool[_populations.Count],
            Spikes = new SpikeBuffer[_populations.Count],
            Outgoing = new int[_populations.Count][],
            Columns = new float[_projections.Count][],
            GroupSteps = new int[_projections.Count][],
        };

        long minDelaySteps = long.MaxValue;
        for (int j = 0; j < _projections.Count; j++)
        {
            ClockProjection projection = _projections[j];
            rt.Columns[j] = _populations[projection.Target].ReceptorColumn(projection.Receptor);
            long[] delays = projection.GroupDelay;
            int[] steps = new int[delays.Length];
            for (int g = 0; g < delays.Length; g++)
            {
                steps[g] = (int)QuantiseDelay(delays[g]);
                if (_populations[projection.Source].HasDynamics)
                {
                    minDelaySteps = Math.Min(minDelaySteps, steps[g]);
                }
            }

            rt.GroupSteps[j] = steps;
        }

        rt.WindowLimit = (int)Math.Min(MaxWindowSteps, minDelaySteps == long.MaxValue ? MaxWindowSteps : minDelaySteps + 1);
        for (int p = 0; p < _populations.Count; p++)
        {
            rt.Dynamic[p] = _populations[p].HasDynamics;
            rt.Spikes[p] = _device.CreateSpikeBuffer(_populations[p].Size, rt.WindowLimit);
            var outgoing = new List<int>();
            for (int j = 0; j < _projections.Count; j++)
            {
                if (_projections[j].Source == p)
                {
                    outgoing.Add(j);
                }
            }

            rt.Outgoing[p] = [.. outgoing];
        }

        _logger.LogInformation(
            "Clock engine: {Populations} populations, {Synapses} synapses, dt {Dt}, window up to {Window} steps on {Device}",
            _populations.Count,
            SynapseCount,
            Dt,
            rt.WindowLimit,
            _device.Name);
        return rt;
    }

    private long QuantiseDelay(long ticks) => (ticks + (_dt / 2)) / _dt;

    private SimTime GridTime(SimTime time)
    {
        if (time.Ticks < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, $"The time is before the engine's current time {Now}.");
        }

        long t = time.Ticks;
        long rem = t % _dt;
        return SimTime.FromTicks(rem == 0 ? t : checked(t + (_dt - rem)));
    }

    private ClockPopulation CheckNeuron(int population, int neuron)
    {
        if ((uint)population >= (uint)_populations.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(population), population, $"There are {_populations.Count} populations.");
        }

        ClockPopulation p = _populations[population];
        if ((uint)neuron >= (uint)p.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"Population '{p.Name}' has {p.Size} neurons.");
        }

        return p;
    }

    private void CheckNotStarted()
    {
        if (_runtime is not null)
        {
            throw new InvalidOperationException("Populations and projections must be added before the engine first runs.");
        }
    }

    private sealed class Runtime
    {
        public required bool[] Dynamic;
        public required SpikeBuffer[] Spikes;
        public required int[][] Outgoing;
        public required float[][] Columns;
        public required int[][] GroupSteps;
        public int WindowLimit;
    }

    private readonly struct DeliveryVisitor(ClockEngine engine, Runtime runtime) : IEventVisitor<ClockEvent>
    {
        public void Visit(SimTime time, in ClockEvent payload) => engine.Deliver(runtime, time, in payload);
    }
}

/// <summary>An event in the clock engine's queue.</summary>
/// <param name="Target">Projection index (synaptic) or population index (injected).</param>
/// <param name="Index">Delay-group index (synaptic) or neuron index (injected).</param>
/// <param name="Kind"><see cref="Synaptic"/>, <see cref="SourceSpike"/>, or a receptor index (0 or more) for injected input.</param>
/// <param name="Weight">The weight of injected input.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct ClockEvent(int Target, int Index, int Kind, float Weight)
{
    /// <summary>Kind of a synaptic delivery: one (row, delay) group of a projection.</summary>
    public const int Synaptic = -1;

    /// <summary>Kind of an injected spike of a source neuron.</summary>
    public const int SourceSpike = -2;
}

/// <summary>A saved state of a <see cref="ClockEngine"/> (see <see cref="ClockEngine.Capture"/>).</summary>
public sealed class ClockEngineSnapshot
{
    internal ClockEngineSnapshot(long now, long steps, long spikes, long dt, List<float[]> columns, List<int[]> refractory, PendingEvent<ClockEvent>[] pending)
    {
        NowTicks = now;
        Steps = steps;
        Spikes = spikes;
        DtTicks = dt;
        Columns = columns;
        Refractory = refractory;
        Pending = pending;
    }

    /// <summary>The engine time, in ticks.</summary>
    public long NowTicks { get; }

    /// <summary>Steps run.</summary>
    public long Steps { get; }

    /// <summary>Spikes emitted.</summary>
    public long Spikes { get; }

    /// <summary>The step, in ticks.</summary>
    public long DtTicks { get; }

    /// <summary>State columns, population by population, variable by variable.</summary>
    public IReadOnlyList<float[]> Columns { get; }

    /// <summary>Refractory counters per population (empty for populations without them).</summary>
    public IReadOnlyList<int[]> Refractory { get; }

    /// <summary>Pending queue events.</summary>
    public PendingEvent<ClockEvent>[] Pending { get; }
}
