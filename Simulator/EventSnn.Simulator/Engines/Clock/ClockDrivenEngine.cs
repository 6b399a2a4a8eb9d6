using System.Diagnostics.Metrics;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;
using EventSnn.Simulator.State;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>Settings of a <see cref="ClockDrivenEngine"/>.</summary>
public sealed record ClockDrivenEngineOptions
{
    /// <summary>The step (default 0.1 ms). Positive.</summary>
    public SimDuration Dt { get; init; } = SimDuration.FromMicroseconds(100);

    /// <summary>The most steps per device window (default 16); see <see cref="ClockDrivenEngine"/>.</summary>
    public int MaxWindowSteps { get; init; } = 16;

    /// <summary>An optional logger.</summary>
    public ILogger? Logger { get; init; }
}

/// <summary>
/// The clock-driven engine for a <see cref="NetworkSpec"/>: every neuron population advances by a fixed step with its
/// model's dense step (<see cref="NeuronPopulationState.StepDense"/>) on a compute device, and spikes travel through a
/// bucket ring queue with delays quantised to the step. Implements <see cref="ISimulationEngine"/>, so it runs the same
/// networks, monitors and samplers as the event-driven engine.
/// </summary>
/// <remarks>
/// <para><b>Step</b> n covers <c>(t, t + dt]</c>: (1) every queued event with time ≤ <c>t + dt</c> is processed: synaptic
/// deliveries are summed per target and receptor, source spikes are emitted (monitors, plasticity, fan-out);
/// (2) each neuron population integrates over the step, adds the summed inputs at <c>t + dt</c>, tests the threshold and
/// resets (the model's dense step); (3) neurons that spiked emit at <c>t + dt</c>, in population then neuron order, and
/// every (row, delay) group of their projections is queued at <c>t + dt + delay</c>.</para>
/// <para><b>Quantisation.</b> Delays are rounded to the nearest multiple of dt; event times (sources, injected events) are
/// rounded up to the grid. A delivery due at <c>t + dt</c> is applied at the end of step n, exactly when inputs and delays are
/// on the grid; a zero delay reaches its targets at the end of the following step (one dt of latency).</para>
/// <para><b>Agreement with the event-driven engine:</b> for linear models with exact propagators and inputs on the grid,
/// the state at every grid time equals the event-driven state to rounding; spike times agree exactly when crossings
/// happen at input times (voltage jumps) and are otherwise late by less than one dt.</para>
/// <para><b>Windows.</b> With a minimum delay of D ≥ 2 steps and no queued event in the next K ≤ D steps, the device runs
/// K steps in one dispatch; spikes are then emitted step by step, so results do not depend on the window length.</para>
/// <para><b>Time.</b> <see cref="Now"/> is always on the grid: <see cref="RunUntil"/> stops at the first grid time at or after
/// its argument.</para>
/// </remarks>
public sealed class ClockDrivenEngine : ISimulationEngine, IDisposable
{
    private const uint Magic = 0x4B435345; // "ESCK"
    private const int FormatVersion = 1;
    private static readonly EngineStateIO s_format = new(Magic, FormatVersion, "clock-engine state", "Not a clock-driven engine state (bad magic number).", "The saved state belongs to a different network or dt (populations, models, synapse counts or step differ).");
    private static readonly Meter s_meter = new("EventSnn.Simulator.Clock");
    private static readonly Counter<long> s_spikes = s_meter.CreateCounter<long>("eventsnn.clock_engine.spikes", description: "Spikes emitted by clock-driven engines.");
    private static readonly Counter<long> s_steps = s_meter.CreateCounter<long>("eventsnn.clock_engine.steps", description: "Steps run by clock-driven engines.");

    private readonly IComputeDevice _device;
    private readonly bool _ownsDevice;
    private readonly ILogger _logger;
    private readonly long _dt;
    private readonly EngineTopology _topology;
    private readonly NeuronPopulationState?[] _states;
    private readonly double[][][] _inputs;
    private readonly SpikeBuffer?[] _spikes;
    private readonly SynapseTable[] _tables;
    private readonly int[][] _groupSteps;
    private readonly int[] _receptor;
    private readonly int[] _post;
    private readonly int[][] _outgoing;
    private readonly StdpRule?[] _rules;
    private readonly StdpRule[][] _preRules;
    private readonly StdpRule[][] _postRules;
    private readonly int[]?[] _sourceCursor;
    private readonly Xoshiro256[] _poissonRng;
    private readonly double[] _poissonP;
    private readonly long[]?[] _poissonLast;
    private readonly BucketRingQueue<EngineEvent> _queue;
    private readonly List<(IStateSampler Sampler, long Interval, long Next)> _samplers = [];
    private readonly int _windowLimit;
    private ISpikeMonitor[] _monitors = [];
    private long _now;
    private long _spikeCount;
    private long _stepCount;
    private long _windowCount;

    /// <summary>Builds the engine for <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="device">The device (host-visible; not disposed by the engine), or <see langword="null"/> for a new single-threaded <see cref="CpuDevice"/> the engine owns.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    /// <exception cref="ArgumentException">A delay is too long for the step, or the device is not host-visible.</exception>
    public ClockDrivenEngine(NetworkSpec network, IComputeDevice? device = null, ClockDrivenEngineOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        options ??= new ClockDrivenEngineOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Dt.Ticks, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxWindowSteps, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.MaxWindowSteps, 4096, nameof(options));
        if (device is { IsHostVisible: false })
        {
            throw new ArgumentException($"The clock-driven engine needs a host-visible device; '{device.Name}' is not.", nameof(device));
        }

        Network = network;
        _ownsDevice = device is null;
        _device = device ?? new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        _logger = options.Logger ?? NullLogger.Instance;
        _dt = options.Dt.Ticks;
        _topology = new EngineTopology(network);
        _states = _topology.States;
        _sourceCursor = _topology.SourceCursor;
        _poissonRng = _topology.PoissonRng;
        _poissonP = _topology.PoissonP;
        _tables = _topology.Tables;
        _receptor = _topology.Receptor;
        _post = _topology.Post;
        _rules = _topology.Rules;
        _outgoing = _topology.Outgoing;
        _preRules = _topology.PreRules;
        _postRules = _topology.PostRules;
        int np = network.Populations.Length;
        _inputs = new double[np][][];
        _spikes = new SpikeBuffer?[np];
        _poissonLast = new long[]?[np];
        foreach (PopulationSpec p in network.Populations)
        {
            _inputs[p.Id] = [];
            if (_states[p.Id] is { } s)
            {
                s.PrepareClock(_dt);
                var inputs = new double[p.Model!.Info.Receptors.Length][];
                for (int r = 0; r < inputs.Length; r++)
                {
                    inputs[r] = new double[p.Size];
                }

                _inputs[p.Id] = inputs;
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                _poissonLast[p.Id] = new long[p.Size];
            }
        }

        _groupSteps = new int[network.Projections.Length][];
        long minDelaySteps = long.MaxValue;
        foreach (ProjectionSpec pr in network.Projections)
        {
            SynapseTable table = _tables[pr.Id];
            var steps = new int[table.GroupCount];
            for (int g = 0; g < steps.Length; g++)
            {
                long q = (table.GroupDelay[g] + (_dt / 2)) / _dt;
                if (q > BucketRingQueue<EngineEvent>.MaxSlots / 2)
                {
                    throw new ArgumentException($"{pr} has a delay of {SimDuration.FromTicks(table.GroupDelay[g])}, too long for dt {options.Dt}.", nameof(network));
                }

                steps[g] = (int)q;
                if (network.Populations[pr.Pre].HasState)
                {
                    minDelaySteps = Math.Min(minDelaySteps, q);
                }
            }

            _groupSteps[pr.Id] = steps;
        }

        _windowLimit = (int)Math.Min(options.MaxWindowSteps, Math.Max(1, minDelaySteps == long.MaxValue ? options.MaxWindowSteps : minDelaySteps));
        foreach (PopulationSpec p in network.Populations)
        {
            if (_states[p.Id] is not null)
            {
                _spikes[p.Id] = _device.CreateSpikeBuffer(p.Size, _windowLimit);
            }
        }

        _queue = new BucketRingQueue<EngineEvent>(options.Dt);
        ScheduleInitial();
        if (_logger.IsEnabled(LogLevel.Information))
        {
            _logger.LogInformation(
                "Clock-driven engine: {Populations} populations, {Neurons} neurons, {Synapses} synapses, dt {Dt}, windows up to {Window} steps on {Device}",
                np,
                network.TotalSize,
                SynapseCount,
                options.Dt,
                _windowLimit,
                _device.Name);
        }
    }

    /// <inheritdoc />
    public NetworkSpec Network { get; }

    /// <summary>The device running the dense steps.</summary>
    public IComputeDevice Device => _device;

    /// <summary>The step.</summary>
    public SimDuration Dt => SimDuration.FromTicks(_dt);

    /// <inheritdoc />
    public SimTime Now => SimTime.FromTicks(_now);

    /// <inheritdoc />
    public long SpikeCount => _spikeCount;

    /// <summary>Steps run so far.</summary>
    public long StepCount => _stepCount;

    /// <summary>Device dispatches so far (one per window of one or more steps).</summary>
    public long WindowCount => _windowCount;

    /// <summary>The longest window the delays allow (1 when the minimum delay is under two steps).</summary>
    public int WindowLimit => _windowLimit;

    /// <summary>Events waiting in the queue.</summary>
    public int PendingEvents => _queue.Count;

    /// <summary>The total number of synapses.</summary>
    public long SynapseCount => _topology.SynapseCount;

    /// <summary>Bytes of synapse storage.</summary>
    public long SynapseBytes => _topology.SynapseBytes;

    /// <summary>The STDP rule of a projection, or null.</summary>
    /// <param name="projection">Projection id.</param>
    /// <returns>The rule.</returns>
    public StdpRule? GetPlasticity(int projection) => _rules[projection];

    /// <inheritdoc />
    public NeuronPopulationState? GetPopulationState(int population) => _states[population];

    /// <inheritdoc />
    public SynapseTable GetSynapses(int projection) => _tables[projection];

    /// <inheritdoc />
    public void AddSpikeMonitor(ISpikeMonitor monitor)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        _monitors = [.. _monitors, monitor];
    }

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="interval"/> is not a positive multiple of dt.</exception>
    public void AddStateSampler(IStateSampler sampler, SimDuration interval)
    {
        ArgumentNullException.ThrowIfNull(sampler);
        if (interval.Ticks < _dt || interval.Ticks % _dt != 0)
        {
            throw new ArgumentException($"In clock mode the sampling interval must be a positive multiple of dt ({Dt}); got {interval}.", nameof(interval));
        }

        _samplers.Add((sampler, interval.Ticks, _now));
    }

    /// <inheritdoc />
    public double ReadState(int population, int neuron, int variable)
    {
        NeuronPopulationState s = _topology.CheckStateVariable(population, neuron, variable);
        return s.Columns[variable][neuron];
    }

    /// <inheritdoc />
    public void InjectEvent(SimTime time, int population, int neuron)
    {
        _topology.CheckExternalSource(population, neuron);
        if (time.Ticks < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(time), time, $"Cannot inject an event at {time}, before the current time {Now}.");
        }

        _queue.Enqueue(SimTime.FromTicks(CeilGrid(time.Ticks)), new EngineEvent(EngineEventKind.Source, population, neuron, 0));
    }

    /// <inheritdoc />
    /// <remarks>In clock mode <see cref="Now"/> ends at the first grid time at or after <paramref name="until"/>.</remarks>
    public void RunUntil(SimTime until)
    {
        if (until.Ticks < _now)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, $"Cannot run back to {until}; the current time is {Now}.");
        }

        long target = CeilGrid(until.Ticks);
        SampleDue();
        while (_now < target)
        {
            long limit = target;
            foreach (var s in _samplers)
            {
                limit = Math.Min(limit, Math.Max(s.Next, _now + _dt));
            }

            Advance(limit);
            SampleDue();
        }
    }

    /// <inheritdoc />
    public SimTime Step()
    {
        SampleDue();
        Advance(_now + _dt);
        SampleDue();
        return Now;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using BinaryWriter w = s_format.BeginWrite(stream, WriteFingerprint);
        w.Write(_now);
        w.Write(_spikeCount);
        w.Write(_stepCount);
        _topology.WritePopulations(w, EngineTopology.WriteNeuronColumns, (w, p) => EngineStateIO.WriteArray<long>(w, _poissonLast[p.Id]));
        _topology.WriteSynapses(w);
        s_format.EndWrite(w, _queue);
    }

    /// <inheritdoc />
    public void Restore(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        s_format.Guard(() => RestoreCore(stream));
    }

    /// <summary>Disposes the device if the engine created it.</summary>
    public void Dispose()
    {
        if (_ownsDevice)
        {
            _device.Dispose();
        }
    }

    private void Advance(long limit)
    {
        long end = _now + _dt;
        var visitor = new Visitor(this);
        _queue.DequeueUntil(SimTime.FromTicks(end), ref visitor);

        int window = 1;
        if (_windowLimit > 1)
        {
            window = (int)Math.Min(_windowLimit, Math.Max(1, (limit - _now) / _dt));
            if (window > 1 && _queue.TryPeek(out SimTime next, out _))
            {
                // An event at next (on the grid, after end) is applied at the end of the step ending at next.
                window = (int)Math.Max(1, Math.Min(window, (next.Ticks - _now) / _dt - 1));
            }
        }

        for (int p = 0; p < _states.Length; p++)
        {
            if (_states[p] is { } state)
            {
                double[][] inputs = _inputs[p];
                var kernel = new SpecStepKernel
                {
                    State = state,
                    Input0 = inputs.Length > 0 ? inputs[0] : [],
                    Input1 = inputs.Length > 1 ? inputs[1] : [],
                };
                _device.RunSteps(state.Size, window, ref kernel, _spikes[p]!);
            }
        }

        for (int s = 0; s < window; s++)
        {
            long t = _now + ((s + 1) * _dt);
            for (int p = 0; p < _states.Length; p++)
            {
                if (_spikes[p] is not { } buffer)
                {
                    continue;
                }

                foreach (int n in buffer.ForStep(s))
                {
                    EmitSpike(p, n, t);
                }
            }
        }

        _now += window * _dt;
        _stepCount += window;
        _windowCount++;
        if (s_steps.Enabled)
        {
            s_steps.Add(window);
        }
    }

    private void SampleDue()
    {
        for (int k = 0; k < _samplers.Count; k++)
        {
            var s = _samplers[k];
            if (s.Next <= _now)
            {
                s.Sampler.Sample(Now, this);
                _samplers[k] = (s.Sampler, s.Interval, _now + s.Interval);
            }
        }
    }

    private void Handle(long t, in EngineEvent e)
    {
        if (e.Kind == EngineEventKind.Deliver)
        {
            SynapseTable tb = _tables[e.A];
            int from = tb.GroupStart[e.B];
            int to = tb.GroupStart[e.B + 1];
            double[] input = _inputs[_post[e.A]][_receptor[e.A]];
            int[] targets = tb.Targets;
            float[] weights = tb.Weights;
            for (int k = from; k < to; k++)
            {
                input[targets[k]] += weights[k];
            }

            return;
        }

        EmitSpike(e.A, e.B, t);
        PopulationSpec p = Network.Populations[e.A];
        if (p.Kind == PopulationKind.SpikeSource)
        {
            int[] cursor = _sourceCursor[e.A]!;
            int next = ++cursor[e.B];
            if (next < p.SpikeTimes[e.B].Length)
            {
                _queue.Enqueue(SimTime.FromTicks(Math.Max(CeilGrid(p.SpikeTimes[e.B][next].Ticks), t)), e);
            }
        }
        else if (p.Kind == PopulationKind.Poisson)
        {
            SchedulePoisson(p, e.B, _poissonLast[e.A]![e.B]);
        }
    }

    private void EmitSpike(int population, int neuron, long tick)
    {
        _spikeCount++;
        EngineTopology.NotifySpike(_monitors, _preRules[population], _postRules[population], population, neuron, tick);

        foreach (int pr in _outgoing[population])
        {
            SynapseTable tb = _tables[pr];
            int[] steps = _groupSteps[pr];
            int first = tb.SourceGroupStart[neuron];
            int end = tb.SourceGroupStart[neuron + 1];
            for (int g = first; g < end; g++)
            {
                _queue.Enqueue(SimTime.FromTicks(tick + (steps[g] * _dt)), new EngineEvent(EngineEventKind.Deliver, pr, g, 0));
            }
        }

        if (s_spikes.Enabled)
        {
            s_spikes.Add(1);
        }
    }

    private void ScheduleInitial()
    {
        foreach (PopulationSpec p in Network.Populations)
        {
            if (p.Kind == PopulationKind.SpikeSource)
            {
                for (int j = 0; j < p.Size; j++)
                {
                    if (p.SpikeTimes[j].Length > 0)
                    {
                        _queue.Enqueue(SimTime.FromTicks(CeilGrid(Math.Max(0, p.SpikeTimes[j][0].Ticks))), new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
                    }
                }
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                for (int j = 0; j < p.Size; j++)
                {
                    SchedulePoisson(p, j, p.Poisson!.Start.Ticks - 1);
                }
            }
        }
    }

    private void SchedulePoisson(PopulationSpec p, int j, long previous)
    {
        long next = PoissonProcess.NextSpike(ref _poissonRng[p.Id], _poissonP[p.Id], previous);
        if (next < p.Poisson!.Stop.Ticks)
        {
            _poissonLast[p.Id]![j] = next;
            _queue.Enqueue(SimTime.FromTicks(Math.Max(CeilGrid(next), _queue.Now.Ticks)), new EngineEvent(EngineEventKind.Source, p.Id, j, 0));
        }
    }

    private long CeilGrid(long ticks)
    {
        long rem = ticks % _dt;
        if (rem < 0)
        {
            rem += _dt;
        }

        return rem == 0 ? ticks : checked(ticks + (_dt - rem));
    }

    private void RestoreCore(Stream stream)
    {
        using BinaryReader r = s_format.BeginRead(stream, WriteFingerprint);
        long now = r.ReadInt64();
        long spikes = r.ReadInt64();
        long steps = r.ReadInt64();
        if (now < 0 || now % _dt != 0 || spikes < 0 || steps < 0)
        {
            throw new InvalidDataException("The saved clock-engine state is corrupt (time or counters).");
        }

        var actions = new List<Action>();
        _topology.ReadPopulations(r, actions, EngineTopology.ReadNeuronColumns, ReadPoissonLast);
        _topology.ReadSynapses(r, actions);
        PendingEvent<EngineEvent>[] pending = EngineStateIO.ReadPending(r, pe => pe.Time.Ticks % _dt == 0 && _topology.Fits(pe.Payload, allowWake: false), out long queueNow);
        s_format.ReadEnd(r);
        if (queueNow > now || queueNow % _dt != 0)
        {
            throw new InvalidDataException("The saved clock-engine state is corrupt (queue time).");
        }

        EngineStateIO.RestoreQueue(_queue, queueNow, pending);
        foreach (Action a in actions)
        {
            a();
        }

        foreach (double[][] inputs in _inputs)
        {
            foreach (double[] input in inputs)
            {
                Array.Clear(input);
            }
        }

        _now = now;
        _spikeCount = spikes;
        _stepCount = steps;
        EngineTopology.ClampSamplers(_samplers, now);
    }

    private Action ReadPoissonLast(BinaryReader r, PopulationSpec p)
    {
        long[] last = EngineStateIO.ReadArray<long>(r, p.Size);
        long[] target = _poissonLast[p.Id]!;
        return () => last.CopyTo(target, 0);
    }

    private void WriteFingerprint(BinaryWriter w)
    {
        w.Write(_dt);
        _topology.WriteFingerprint(w);
    }

    private readonly struct Visitor(ClockDrivenEngine engine) : IEventVisitor<EngineEvent>
    {
        public void Visit(SimTime time, in EngineEvent payload) => engine.Handle(time.Ticks, payload);
    }

    /// <summary>Runs a population's model dense step on one chunk; inputs apply to the window's first step and are then cleared.</summary>
    private struct SpecStepKernel : IStepKernel
    {
        public NeuronPopulationState State;
        public double[] Input0;
        public double[] Input1;

        public readonly int Step(int step, int start, int end, Span<int> spiked)
        {
            if (step != 0)
            {
                return State.StepDense(start, end, default, default, spiked);
            }

            int n = State.StepDense(start, end, Input0, Input1, spiked);
            if (Input0.Length != 0)
            {
                Array.Clear(Input0, start, end - start);
            }

            if (Input1.Length != 0)
            {
                Array.Clear(Input1, start, end - start);
            }

            return n;
        }
    }
}
