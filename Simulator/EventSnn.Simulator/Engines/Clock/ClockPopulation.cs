using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSnn.Devices;
using EventSnn.Devices.Lanes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// The clock-driven execution of one neuron population: float32 state advanced by fixed steps of dt on a compute device,
/// in windows of one or more steps, with a ring of summed synaptic input per pending step.
/// </summary>
/// <remarks>
/// <para><b>Grid.</b> Step k covers ((k − 1)·dt, k·dt]. A delivery arriving at tick a is added to the input of step
/// ⌈a / dt⌉ (never early) and applied at that step's end, after integration and before the threshold test.</para>
/// <para><b>Ring.</b> Slot k mod R holds the summed input per receptor of step k; a step's kernel reads its slot and clears
/// it. A delivery further ahead than the ring reaches is left to the engine's queue and added when it is due.</para>
/// <para><b>Times.</b> <see cref="StateTime"/> is the end of the last computed step; <see cref="EmittedTime"/> the end of the
/// last step whose spikes the engine has emitted (≤ <see cref="StateTime"/> while a window's spikes are being handed out).</para>
/// </remarks>
internal abstract class ClockPopulation
{
    private readonly long _ringSpan;
    private readonly double _inverseDt;
    private readonly bool _hostRing;
    private Incoming[] _incoming = [];
    private long _stateTime;
    private long _currentStep;
    private int _currentSlot;

    private protected ClockPopulation(ClockPopulationState state, long dt, int ringSlots, int receptors, bool hostRing)
    {
        State = state;
        Dt = dt;
        RingSlots = ringSlots;
        Receptors = receptors;
        _ringSpan = dt > long.MaxValue / ringSlots ? long.MaxValue : ringSlots * dt;
        _inverseDt = 1.0 / dt;
        _hostRing = hostRing;
        Ring = new float[ringSlots * receptors][];
        for (int k = 0; k < Ring.Length; k++)
        {
            Ring[k] = new float[state.PaddedSize];
        }
    }

    /// <summary>The population's stored state.</summary>
    public ClockPopulationState State { get; }

    /// <summary>The population id.</summary>
    public int Id => State.Spec.Id;

    /// <summary>The step in ticks.</summary>
    public long Dt { get; }

    /// <summary>The number of ring slots (pending steps whose input can be held).</summary>
    public int RingSlots { get; }

    /// <summary>The number of receptors.</summary>
    public int Receptors { get; }

    /// <summary>The ring: slot s, receptor r at index <c>s·Receptors + r</c>.</summary>
    public float[][] Ring { get; }

    /// <summary>The end of the last computed step (ticks).</summary>
    public long StateTime
    {
        get => _stateTime;
        set
        {
            _stateTime = value;
            _currentStep = value / Dt;
            _currentSlot = (int)(_currentStep % RingSlots);
        }
    }

    /// <summary>The index of the last computed step (<see cref="StateTime"/> / <see cref="Dt"/>).</summary>
    public long StateStep => _currentStep;

    /// <summary>The end of the last step whose spikes have been emitted (ticks).</summary>
    public long EmittedTime { get; set; }

    /// <summary>The end of the next step whose spikes are due.</summary>
    public long NextBoundary => EmittedTime + Dt;

    /// <summary>The spikes of the last window, per step.</summary>
    public abstract SpikeBuffer Spikes { get; }

    /// <summary>Whether spikes carry an amplitude (<see cref="NeuronModelInfo.GradedOutput"/>).</summary>
    public abstract bool Graded { get; }

    /// <summary>The amplitude of neuron <paramref name="neuron"/>'s spike at step <paramref name="step"/> of the last window (1 for binary models).</summary>
    /// <param name="step">The step within the window.</param>
    /// <param name="neuron">The neuron.</param>
    public abstract float Amplitude(int step, int neuron);

    /// <summary>The step index whose end is at or after tick <paramref name="ticks"/>: ⌈ticks / dt⌉.</summary>
    /// <param name="ticks">A tick.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long StepOf(long ticks) => ticks <= 0 ? 0 : ((ticks - 1) / Dt) + 1;

    /// <summary>
    /// Registers projection <paramref name="projection"/> as an input of this population, so that <see cref="TryAddInput"/>
    /// can deliver its delay groups.
    /// </summary>
    /// <param name="projection">The projection id.</param>
    /// <param name="table">Its synapses.</param>
    /// <param name="receptor">Its target receptor.</param>
    /// <param name="plastic">Whether its weights change during the run (STDP).</param>
    public void AttachIncoming(int projection, SynapseTable table, int receptor, bool plastic)
    {
        if (projection >= _incoming.Length)
        {
            Array.Resize(ref _incoming, Math.Max(projection + 1, _incoming.Length * 2));
        }

        _incoming[projection] = new Incoming(table, receptor, OnAttach(table, plastic));
    }

    /// <summary>
    /// Adds delay group <paramref name="group"/> of projection <paramref name="projection"/>, arriving at tick
    /// <paramref name="arrival"/>, to the input of the step containing it. Returns false (adding nothing) when that step lies
    /// beyond the ring; the caller then queues the delivery until it is due.
    /// </summary>
    /// <param name="arrival">The arrival tick (after <see cref="StateTime"/>).</param>
    /// <param name="projection">A projection registered with <see cref="AttachIncoming"/>.</param>
    /// <param name="group">The delay group.</param>
    /// <param name="amplitude">The spike's amplitude (1 for binary spikes): it scales every weight.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool TryAddInput(long arrival, int projection, int group, float amplitude = 1f)
    {
        int row = RowOf(arrival, projection);
        if (row < 0)
        {
            return false;
        }

        Incoming input = _incoming[projection];
        if (_hostRing)
        {
            AddHostGroup(Ring[row], input.Table, group, amplitude);
        }
        else
        {
            AddGroup(row, input, group, amplitude);
        }

        return true;
    }

    /// <summary>
    /// The host ring row (input per neuron) that a delivery of <paramref name="projection"/> arriving at
    /// <paramref name="arrival"/> adds to, for callers that add the weights themselves; null when the ring does not live
    /// on the host or the step lies beyond the ring.
    /// </summary>
    /// <param name="arrival">The arrival tick (after <see cref="StateTime"/>).</param>
    /// <param name="projection">A projection registered with <see cref="AttachIncoming"/>.</param>
    public float[]? HostInputRow(long arrival, int projection)
    {
        if (!_hostRing)
        {
            return null;
        }

        int row = RowOf(arrival, projection);
        return row < 0 ? null : Ring[row];
    }

    /// <summary>The ring row (slot·Receptors + receptor) of a delivery, or −1 when its step lies beyond the ring.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected int RowOf(long arrival, int projection)
    {
        // Steps ahead of the state (the state ends on the grid): ⌈offset / dt⌉, computed without a branch on the offset
        // (inputs land one or two steps ahead at random, which a predictor cannot learn).
        long offset = arrival - _stateTime;
        if ((ulong)(offset - 1) >= (ulong)_ringSpan)
        {
            if (offset <= 0)
            {
                ThrowLate(arrival);
            }

            return -1; // ⌈offset / dt⌉ > RingSlots
        }

        int slot = _currentSlot + StepsAhead(offset);
        slot = slot >= RingSlots ? slot - RingSlots : slot;
        return (slot * Receptors) + _incoming[projection].Receptor;
    }

    /// <summary>
    /// ⌈<paramref name="offset"/> / dt⌉ for 0 &lt; offset ≤ RingSlots·dt, without a 64-bit division (a control loop places
    /// every input with it): a floating-point quotient (relative error a few units in 2⁻⁵³ of a quotient below 2¹⁷),
    /// exact after one correction.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int StepsAhead(long offset)
    {
        long numerator = offset - 1;
        long q = (long)(numerator * _inverseDt);
        long rest = numerator - (q * Dt);
        if (rest < 0)
        {
            q--;
        }
        else if (rest >= Dt)
        {
            q++;
        }

        return (int)q + 1;
    }

    /// <summary>Adds delay group <paramref name="group"/> of <paramref name="table"/>, scaled by <paramref name="amplitude"/>, into a host ring row.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddHostGroup(float[] slot, SynapseTable table, int group, float amplitude)
    {
        int[] groupStart = table.GroupStart;
        int from = groupStart[group];
        int length = groupStart[group + 1] - from;
        ReadOnlySpan<int> targets = table.Targets.AsSpan(from, length);
        ReadOnlySpan<float> weights = table.Weights.AsSpan(from, length);
        if (amplitude == 1f)
        {
            AddRow(slot, targets, weights);
        }
        else
        {
            for (int k = 0; k < targets.Length; k++)
            {
                slot[targets[k]] += weights[k] * amplitude;
            }
        }
    }

    /// <summary>
    /// slot[targets[k]] += weights[k] for every k. Rows are short and of varying length (a delay group's synapses), so the
    /// loop is the plain one: an unrolled body with a remainder loop mispredicts its exits more often than it saves. Synapse
    /// rows and weights are walked without bounds checks (they have the same length); every target is still checked against
    /// the slot, so a bad target throws instead of writing outside it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private protected static void AddRow(Span<float> slot, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        ref int t = ref MemoryMarshal.GetReference(targets);
        ref float w = ref MemoryMarshal.GetReference(weights);
        int n = Math.Min(targets.Length, weights.Length);
        for (int k = 0; k < n; k++)
        {
            slot[Unsafe.Add(ref t, k)] += Unsafe.Add(ref w, k);
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private void ThrowLate(long arrival)
        => throw new InvalidOperationException($"Internal error: a delivery at tick {arrival} reached population '{State.Spec.Name}' after its step ending at {StepOf(arrival) * Dt} was computed (state at {StateTime}).");

    /// <summary>
    /// Adds <paramref name="weights"/>[k] to the input of neuron <paramref name="targets"/>[k] on receptor
    /// <paramref name="receptor"/> in the step containing tick <paramref name="arrival"/>, without a projection (analog input
    /// per step, as <c>eventsnn trace</c> feeds it). Only for populations whose ring lives on the host.
    /// </summary>
    /// <param name="arrival">The arrival tick (after <see cref="StateTime"/>, within the ring).</param>
    /// <param name="receptor">The receptor.</param>
    /// <param name="targets">Target neurons.</param>
    /// <param name="weights">The input per target.</param>
    public void AddDirectInput(long arrival, int receptor, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights)
    {
        FlushPendingInput();
        long step = StepOf(arrival);
        long current = StateTime / Dt;
        if (step <= current || step - current > RingSlots)
        {
            throw new InvalidOperationException($"Internal error: direct input at tick {arrival} is outside the ring of population '{State.Spec.Name}' (state at {StateTime}).");
        }

        float[] slot = Ring[((int)(step % RingSlots) * Receptors) + receptor];
        for (int k = 0; k < targets.Length; k++)
        {
            slot[targets[k]] += weights[k];
        }
    }

    /// <summary>Brings <see cref="State"/> and <see cref="Ring"/> up to date on the host (waiting deliveries are added).</summary>
    public virtual void SyncHost() => FlushPendingInput();

    /// <summary>
    /// Whether deliveries accepted by <see cref="TryAddInput"/> are waiting to be added to <see cref="Ring"/>. A population
    /// whose ring lives on the host defers the additions until the ring is next read, so that they can be spread over the
    /// threads by target range (<see cref="RunPart"/>); populations resident on another device never wait.
    /// </summary>
    public virtual bool HasPendingInput => false;

    /// <summary>
    /// Whether the population can run a window in parts (<see cref="BeginParts"/>, <see cref="RunPart"/>,
    /// <see cref="EndParts"/>): a host population on the CPU device whose model has no population-wide rule.
    /// </summary>
    public virtual bool CanRunInParts => false;

    /// <summary>
    /// The work of a window of <paramref name="steps"/> steps run in parts, in element operations (neuron steps plus
    /// synapses of the waiting deliveries), to decide whether spreading it over threads pays.
    /// </summary>
    /// <param name="steps">The window length (0: deliveries only).</param>
    public virtual long PartWork(int steps) => 0;

    /// <summary>Prepares a window of <paramref name="steps"/> steps to be run in parts (0: only the waiting deliveries are added).</summary>
    /// <param name="steps">The window length, or 0.</param>
    public virtual void BeginParts(int steps) => throw new NotSupportedException();

    /// <summary>
    /// Runs part <paramref name="part"/> of <paramref name="parts"/> of the window begun by <see cref="BeginParts"/>: a
    /// contiguous range of whole device chunks, whose waiting deliveries are added first — in the order they were accepted,
    /// so every neuron receives its inputs in the same order whatever the number of parts — and then stepped. Parts touch
    /// disjoint neurons and may run concurrently.
    /// </summary>
    /// <param name="part">The part, in [0, <paramref name="parts"/>).</param>
    /// <param name="parts">The number of parts.</param>
    public virtual void RunPart(int part, int parts) => throw new NotSupportedException();

    /// <summary>Completes a window run in parts: forgets the applied deliveries, collects the spikes, advances the time.</summary>
    public virtual void EndParts() => throw new NotSupportedException();

    /// <summary>Forgets the waiting deliveries (after every part has applied them, or when the ring is replaced).</summary>
    public virtual void ClearPendingInput()
    {
    }

    /// <summary>Adds every waiting delivery now, split by target range over the threads of the population's device.</summary>
    public virtual void FlushPendingInput()
    {
    }

    /// <summary>Copies <see cref="State"/> and <see cref="Ring"/> to where the population runs, after the host changed them (restore).</summary>
    public virtual void PushHost()
    {
    }

    /// <summary>Prepares an incoming projection; returns the handle the population uses for it.</summary>
    /// <param name="table">Its synapses.</param>
    /// <param name="plastic">Whether its weights change during the run.</param>
    private protected virtual int OnAttach(SynapseTable table, bool plastic) => 0;

    /// <summary>Adds one delay group into ring row <paramref name="row"/> (slot·Receptors + receptor).</summary>
    /// <param name="row">The ring row.</param>
    /// <param name="input">The incoming projection.</param>
    /// <param name="group">The delay group.</param>
    /// <param name="amplitude">Scales every weight.</param>
    private protected abstract void AddGroup(int row, in Incoming input, int group, float amplitude);

    /// <summary>Resets the state to the spec's initial values and clears the ring (time is not changed).</summary>
    public abstract void Initialize();

    /// <summary>Runs <paramref name="steps"/> steps from <see cref="StateTime"/> on the device, collecting spikes per step into <see cref="Spikes"/>.</summary>
    /// <param name="steps">The window length (1 to the spike buffer's capacity).</param>
    public abstract void RunWindow(int steps);

    /// <summary>An incoming projection: its synapses, receptor and the population's handle for it.</summary>
    /// <param name="Table">The synapses.</param>
    /// <param name="Receptor">The target receptor.</param>
    /// <param name="Handle">The population's handle (device-resident populations).</param>
    private protected readonly record struct Incoming(SynapseTable Table, int Receptor, int Handle);
}

/// <summary>The clock-driven execution of a population of model <typeparamref name="TModel"/>.</summary>
/// <typeparam name="TModel">The neuron model.</typeparam>
internal sealed class ClockPopulation<TModel> : ClockPopulation
    where TModel : struct, INeuronModel<TModel>
{
    private readonly TModel[] _models;
    private readonly TModel[] _initialModels;
    private readonly IComputeDevice _device;
    private readonly SpikeBuffer _spikes;
    private readonly float[][]? _amplitudes;
    private readonly PopulationRuleSteps? _ruleSteps;
    private readonly ClockPopulation[] _self;
    private readonly PoissonStepInput[]? _poissonInputs;
    private PendingDelivery[] _pendingInput = new PendingDelivery[256];
    private int _pendingInputCount;
    private long _pendingSynapses;
    private float[] _snapshot = [];
    private int _snapshotCount;
    private int _partSteps;
    private StepKernel _partKernel;

    public ClockPopulation(PopulationSpec spec, SimDuration dt, int ringSlots, int maxWindow, IComputeDevice device)
        : base(new ClockPopulationState(spec, dt, PadToVectors(spec.Size)), dt.Ticks, ringSlots, TModel.Info.Receptors.Length, hostRing: device is not CpuDevice { Parallelism: > 1 })
    {
        int n = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        _models = new TModel[n];
        _initialModels = new TModel[n];
        Span<double> p = stackalloc double[spec.Parameters.Length];
        for (int j = 0; j < n; j++)
        {
            spec.GetParameters(j, p);
            _initialModels[j] = TModel.Create(p, spec.Rules);
            _models[j] = _initialModels[j].WithTimeStep(dt.Ticks);
        }

        _device = device;
        _self = [this];
        if (!spec.PoissonInputs.IsEmpty)
        {
            _poissonInputs = [.. spec.PoissonInputs.Select(pi => new PoissonStepInput(pi, TModel.Info.ReceptorIndex(pi.Receptor), spec.Size, dt.Ticks, spec.Name))];
        }

        _spikes = device.CreateSpikeBuffer(State.PaddedSize, maxWindow);
        if (TModel.Info.GradedOutput)
        {
            _amplitudes = new float[maxWindow][];
            for (int k = 0; k < maxWindow; k++)
            {
                _amplitudes[k] = new float[State.PaddedSize];
            }
        }

        if (TModel.UsesPopulationRule(_models))
        {
            _ruleSteps = new PopulationRuleSteps(device, State.PaddedSize, maxWindow, _amplitudes);
        }

        Initialize();
    }

    public override SpikeBuffer Spikes => _spikes;

    public override bool Graded => _amplitudes is not null;

    public override bool HasPendingInput => _pendingInputCount > 0;

    /// <summary>Handle 1 marks a plastic projection: its weights are copied when a delivery is accepted (they may change before the flush).</summary>
    private protected override int OnAttach(SynapseTable table, bool plastic)
    {
        _ = table.TargetsAscendingWithinGroups;
        return plastic ? 1 : 0;
    }

    private protected override void AddGroup(int row, in Incoming input, int group, float amplitude)
    {
        // Deferred: the ring row is fixed now (the slot cannot be reused before the step that reads it runs, and that step
        // flushes first); the synapses are added by ApplyPendingInput, in this order.
        if (_pendingInputCount == _pendingInput.Length)
        {
            Array.Resize(ref _pendingInput, _pendingInput.Length * 2);
        }

        SynapseTable table = input.Table;
        int snapshot = int.MinValue;
        if (input.Handle == 1)
        {
            // Plastic: the weights as they are now, when the delivery arrives.
            int from = table.GroupStart[group];
            int length = table.GroupStart[group + 1] - from;
            if (_snapshotCount + length > _snapshot.Length)
            {
                Array.Resize(ref _snapshot, Math.Max(_snapshot.Length * 2, _snapshotCount + length));
            }

            table.Weights.AsSpan(from, length).CopyTo(_snapshot.AsSpan(_snapshotCount));
            snapshot = _snapshotCount - from;
            _snapshotCount += length;
        }

        _pendingInput[_pendingInputCount++] = new PendingDelivery(table, row, group, amplitude, table.TargetsAscendingWithinGroups, snapshot);
        _pendingSynapses += table.GroupStart[group + 1] - table.GroupStart[group];
    }

    public override long PartWork(int steps) => ((long)State.PaddedSize * steps) + _pendingSynapses;

    public override bool CanRunInParts => _ruleSteps is null && _device is CpuDevice;

    public override void BeginParts(int steps)
    {
        _partSteps = steps;
        if (steps > 0)
        {
            _partKernel = CreateStepKernel();
        }
    }

    public override void RunPart(int part, int parts)
    {
        int chunkSize = _device.ChunkSize;
        int padded = State.PaddedSize;
        int chunks = (padded + chunkSize - 1) / chunkSize;

        // Rotated by the population id, so that populations of one chunk do not all land on the first part.
        int p = (int)((part + (long)Id) % parts);
        int c0 = (int)((long)chunks * p / parts);
        int c1 = (int)((long)chunks * (p + 1) / parts);
        if (c0 >= c1)
        {
            return;
        }

        int lo = c0 * chunkSize;
        int hi = Math.Min(c1 * chunkSize, State.Size);
        if (_pendingInputCount > 0 && lo < hi)
        {
            ApplyPendingInput(lo, hi);
        }

        if (_partSteps > 0)
        {
            StepKernel kernel = _partKernel;
            ((CpuDevice)_device).RunStepChunks(padded, _partSteps, ref kernel, _spikes, c0, c1);
        }
    }

    public override void EndParts()
    {
        ClearPendingInput();
        int steps = _partSteps;
        _partSteps = 0;
        if (steps > 0)
        {
            _partKernel = default;
            ((CpuDevice)_device).FinishSteps(State.PaddedSize, steps, _spikes);
            StateTime += steps * Dt;
        }
    }

    /// <summary>Adds the waiting deliveries to the neurons in [<paramref name="lo"/>, <paramref name="hi"/>), in order.</summary>
    private void ApplyPendingInput(int lo, int hi)
    {
        int size = State.Size;
        bool whole = lo == 0 && hi >= size;
        for (int e = 0; e < _pendingInputCount; e++)
        {
            ref readonly PendingDelivery d = ref _pendingInput[e];
            SynapseTable table = d.Table;
            int from = table.GroupStart[d.Group];
            int to = table.GroupStart[d.Group + 1];
            int[] targets = table.Targets;

            // Weights of synapse k: weights[k + shift] (the table's, or the copy taken on acceptance for a plastic projection).
            float[] weights = d.Snapshot == int.MinValue ? table.Weights : _snapshot;
            int shift = d.Snapshot == int.MinValue ? 0 : d.Snapshot;
            Span<float> slot = Ring[d.Row];
            if (!whole && !d.Sorted)
            {
                for (int k = from; k < to; k++)
                {
                    int t = targets[k];
                    if ((uint)(t - lo) < (uint)(hi - lo))
                    {
                        slot[t] += d.Amplitude == 1f ? weights[k + shift] : weights[k + shift] * d.Amplitude;
                    }
                }

                continue;
            }

            if (!whole)
            {
                from = lo == 0 ? from : LowerBound(targets, from, to, lo);
                to = hi >= size ? to : LowerBound(targets, from, to, hi);
            }

            ReadOnlySpan<int> ts = targets.AsSpan(from, to - from);
            ReadOnlySpan<float> ws = weights.AsSpan(from + shift, to - from);
            if (d.Amplitude == 1f)
            {
                AddRow(slot, ts, ws);
            }
            else
            {
                for (int k = 0; k < ts.Length; k++)
                {
                    slot[ts[k]] += ws[k] * d.Amplitude;
                }
            }
        }
    }

    public override void ClearPendingInput()
    {
        Array.Clear(_pendingInput, 0, _pendingInputCount);
        _pendingInputCount = 0;
        _pendingSynapses = 0;
        _snapshotCount = 0;
    }

    public override void FlushPendingInput()
    {
        if (_pendingInputCount == 0)
        {
            return;
        }

        if (_device is CpuDevice cpu && cpu.Parallelism > 1 && _pendingSynapses >= cpu.MinParallelCount)
        {
            BeginParts(0);
            var kernel = new PartsKernel { Populations = _self, Count = 1, Parts = cpu.Parallelism };
            cpu.ForEachPart(cpu.Parallelism, ref kernel);
            EndParts();
        }
        else
        {
            ApplyPendingInput(0, State.Size);
            ClearPendingInput();
        }
    }

    public override void SyncHost() => FlushPendingInput();

    public override void PushHost() => ClearPendingInput();

    /// <summary>
    /// The first index in [from, to) whose target is ≥ <paramref name="value"/> (targets ascending), or <paramref name="to"/>.
    /// Branch-free halving (a conditional move per step): the outcome of each comparison is unpredictable.
    /// </summary>
    private static int LowerBound(int[] targets, int from, int to, int value)
    {
        int n = to - from;
        if (n <= 0)
        {
            return from;
        }

        ref int t = ref MemoryMarshal.GetArrayDataReference(targets);
        int b = from;
        while (n > 1)
        {
            int half = n >> 1;
            b = Unsafe.Add(ref t, b + half) < value ? b + half : b;
            n -= half;
        }

        return Unsafe.Add(ref t, b) < value ? b + 1 : b;
    }

    public override float Amplitude(int step, int neuron) => _amplitudes is null ? 1f : _amplitudes[step][neuron];

    /// <summary>The column length for <paramref name="size"/> neurons: a whole number of SIMD vectors.</summary>
    public static int PadToVectors(int size)
    {
        int w = Vector<float>.Count;
        return (int)Math.Min(int.MaxValue - w, ((long)size + w - 1) / w * w);
    }

    public override void Initialize()
    {
        ClearPendingInput();
        State.Initialize(j => _initialModels[_initialModels.Length == 1 ? 0 : j].InitialState);
        foreach (float[] slot in Ring)
        {
            Array.Clear(slot);
        }
    }

    public override void RunWindow(int steps)
    {
        FlushPendingInput();
        ClockPopulationState st = State;
        StepKernel kernel = CreateStepKernel();
        if (_ruleSteps is null)
        {
            _device.RunSteps(st.PaddedSize, steps, ref kernel, _spikes);
        }
        else
        {
            RunWithPopulationRule(ref kernel, steps);
        }

        StateTime += steps * Dt;
    }

    private StepKernel CreateStepKernel()
    {
        ClockPopulationState st = State;
        float[][] c = st.Columns;
        return new StepKernel
        {
            Models = _models,
            V = c[0],
            S1 = c.Length > 1 ? c[1] : null,
            S2 = c.Length > 2 ? c[2] : null,
            S3 = c.Length > 3 ? c[3] : null,
            Refractory = st.RefractorySteps,
            Ring = Ring,
            Receptors = Receptors,
            RingSlots = RingSlots,
            FirstStep = (StateTime / Dt) + 1,
            Size = st.Size,
            Amplitudes = _amplitudes,
            PoissonInputs = _poissonInputs,
        };
    }

    /// <summary>
    /// Runs a window one step at a time for a model with a population-wide rule: each step's lane kernel, then the rule on
    /// the whole population (host), then the kept spikes of every step are collected into <see cref="Spikes"/> by a replay
    /// kernel on the device.
    /// </summary>
    private void RunWithPopulationRule(ref StepKernel kernel, int steps)
    {
        PopulationRuleSteps r = _ruleSteps!;
        ClockPopulationState st = State;
        float[][] c = st.Columns;
        long first = kernel.FirstStep;
        for (int s = 0; s < steps; s++)
        {
            kernel.FirstStep = first + s;
            kernel.Amplitudes = r.StepAmplitudes?[s];
            _device.RunSteps(st.PaddedSize, 1, ref kernel, r.Scratch);
            ReadOnlySpan<int> fired = r.Scratch.ForStep(0);
            int[] kept = r.Kept[s];
            fired.CopyTo(kept);
            var view = new ClockPopulationView(
                st.Size,
                c[0],
                c.Length > 1 ? c[1] : [],
                c.Length > 2 ? c[2] : [],
                c.Length > 3 ? c[3] : [],
                st.RefractorySteps,
                _amplitudes is null ? [] : _amplitudes[s]);
            int n = TModel.ApplyPopulationRule(_models, view, kept.AsSpan(0, fired.Length));
            if ((uint)n > (uint)fired.Length)
            {
                throw new InvalidOperationException($"Model '{TModel.Info.Name}': its population rule kept {n} of {fired.Length} spikes.");
            }

            r.Counts[s] = n;
        }

        var replay = new ReplayKernel { Kept = r.Kept, Counts = r.Counts };
        _device.RunSteps(st.PaddedSize, steps, ref replay, _spikes);
    }

    /// <summary>The buffers of a population whose model applies a population-wide rule after every step.</summary>
    private sealed class PopulationRuleSteps
    {
        public PopulationRuleSteps(IComputeDevice device, int paddedSize, int maxWindow, float[][]? amplitudes)
        {
            Scratch = device.CreateSpikeBuffer(paddedSize, 1);
            Kept = new int[maxWindow][];
            for (int k = 0; k < maxWindow; k++)
            {
                Kept[k] = new int[paddedSize];
            }

            Counts = new int[maxWindow];
            if (amplitudes is not null)
            {
                StepAmplitudes = new float[maxWindow][][];
                for (int k = 0; k < maxWindow; k++)
                {
                    StepAmplitudes[k] = [amplitudes[k]];
                }
            }
        }

        /// <summary>The spikes of one step before the rule.</summary>
        public SpikeBuffer Scratch { get; }

        /// <summary>Per window step: the spikes the rule kept (ascending), <see cref="Counts"/> of them.</summary>
        public int[][] Kept { get; }

        /// <summary>Per window step: how many spikes the rule kept.</summary>
        public int[] Counts { get; }

        /// <summary>Per window step: a one-step amplitude table whose only row is that step's row.</summary>
        public float[][][]? StepAmplitudes { get; }
    }

    /// <summary>A delivery waiting to be added: delay group <c>Group</c> of <c>Table</c> into ring row <c>Row</c>, weights × <c>Amplitude</c>.
    /// <c>Snapshot</c>: for a plastic projection, the offset from synapse index to its weight copied on acceptance; otherwise int.MinValue.</summary>
    private readonly record struct PendingDelivery(SynapseTable Table, int Row, int Group, float Amplitude, bool Sorted, int Snapshot);

    /// <summary>Hands the spikes a population rule kept to the device's spike buffer (no state is touched).</summary>
    private struct ReplayKernel : IStepKernel
    {
        public int[][] Kept;
        public int[] Counts;

        public readonly int Step(int step, int start, int end, Span<int> spiked)
        {
            int[] kept = Kept[step];
            int count = Counts[step];
            int n = 0;
            for (int k = 0; k < count; k++)
            {
                int j = kept[k];
                if (j >= start && j < end)
                {
                    spiked[n++] = j;
                }
            }

            return n;
        }
    }

    /// <summary>One step of a range of neurons: the model's lane step over SIMD vectors (shared parameters) or one neuron at a time (per-neuron parameters).</summary>
    private struct StepKernel : IStepKernel
    {
        public TModel[] Models;
        public float[] V;
        public float[]? S1;
        public float[]? S2;
        public float[]? S3;
        public float[] Refractory;
        public float[][] Ring;
        public int Receptors;
        public int RingSlots;
        public long FirstStep;
        public int Size;
        public float[][]? Amplitudes;
        public PoissonStepInput[]? PoissonInputs;

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public readonly int Step(int step, int start, int end, Span<int> spiked)
        {
            int slot = (int)((FirstStep + step) % RingSlots) * Receptors;
            if (PoissonInputs is not null)
            {
                // Added after the step's deliveries, before the model reads the input.
                int stop = Math.Min(end, Size);
                foreach (PoissonStepInput pi in PoissonInputs)
                {
                    pi.AddTo(Ring[slot + pi.Receptor], FirstStep + step, start, stop);
                }
            }

            float[] in0 = Ring[slot];
            float[]? in1 = Receptors > 1 ? Ring[slot + 1] : null;
            float[]? amplitudes = Amplitudes?[step];
            if (Models.Length != 1)
            {
                return StepScalars(in0, in1, amplitudes, start, end, spiked);
            }

            // Specialise the SIMD loop on the number of state columns, so it carries no per-vector null checks.
            return (S3 is not null, S2 is not null, S1 is not null) switch
            {
                (true, _, _) => StepVectors<C3>(Models[0], in0, in1, amplitudes, start, end, spiked),
                (false, true, _) => StepVectors<C2>(Models[0], in0, in1, amplitudes, start, end, spiked),
                (false, false, true) => StepVectors<C1>(Models[0], in0, in1, amplitudes, start, end, spiked),
                _ => StepVectors<C0>(Models[0], in0, in1, amplitudes, start, end, spiked),
            };
        }

        private readonly int StepVectors<TColumns>(TModel model, float[] in0, float[]? in1, float[]? amplitudes, int start, int end, Span<int> spiked)
            where TColumns : struct, ICount // state columns besides v
        {
            // Columns and ring slots are PaddedSize long and chunks are whole vectors, so every access is in range. The
            // model is a by-value local and the columns are references taken once, so that the loop keeps its constants
            // and bases in registers instead of reloading them after every store; each input vector is cleared as it is
            // read (the slot is free again for step + RingSlots).
            nuint w = (nuint)VectorLane.Count;
            int n = 0;
            ref float v = ref MemoryMarshal.GetArrayDataReference(V);
            ref float r = ref MemoryMarshal.GetArrayDataReference(Refractory);
            ref float s1 = ref TColumns.Value > 0 ? ref MemoryMarshal.GetArrayDataReference(S1!) : ref v;
            ref float s2 = ref TColumns.Value > 1 ? ref MemoryMarshal.GetArrayDataReference(S2!) : ref v;
            ref float s3 = ref TColumns.Value > 2 ? ref MemoryMarshal.GetArrayDataReference(S3!) : ref v;
            ref float x0 = ref MemoryMarshal.GetArrayDataReference(in0);
            bool two = in1 is not null;
            ref float x1 = ref two ? ref MemoryMarshal.GetArrayDataReference(in1!) : ref x0;
            for (nuint i = (nuint)start; i < (nuint)end; i += w)
            {
                var nr = new ClockNeuron<VectorLane>
                {
                    V = new(Vector.LoadUnsafe(ref v, i)),
                    Refractory = new(Vector.LoadUnsafe(ref r, i)),
                };
                if (TColumns.Value > 0)
                {
                    nr.S1 = new(Vector.LoadUnsafe(ref s1, i));
                }

                if (TColumns.Value > 1)
                {
                    nr.S2 = new(Vector.LoadUnsafe(ref s2, i));
                }

                if (TColumns.Value > 2)
                {
                    nr.S3 = new(Vector.LoadUnsafe(ref s3, i));
                }

                VectorLane i0 = new(Vector.LoadUnsafe(ref x0, i));
                Vector<float>.Zero.StoreUnsafe(ref x0, i);
                VectorLane i1 = default;
                if (two)
                {
                    i1 = new(Vector.LoadUnsafe(ref x1, i));
                    Vector<float>.Zero.StoreUnsafe(ref x1, i);
                }

                VectorMask spike = model.StepClock<VectorLane, VectorMask>(ref nr, i0, i1);
                nr.V.Value.StoreUnsafe(ref v, i);
                nr.Refractory.Value.StoreUnsafe(ref r, i);
                if (TColumns.Value > 0)
                {
                    nr.S1.Value.StoreUnsafe(ref s1, i);
                }

                if (TColumns.Value > 1)
                {
                    nr.S2.Value.StoreUnsafe(ref s2, i);
                }

                if (TColumns.Value > 2)
                {
                    nr.S3.Value.StoreUnsafe(ref s3, i);
                }

                uint bits = MaskBits.Of(spike.Value);
                if (bits != 0)
                {
                    // Rare (a spike in this vector): collected here without a call, so nothing is spilled around it.
                    if (amplitudes is not null)
                    {
                        nr.Output.Value.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(amplitudes), i);
                    }

                    int first = (int)i;
                    do
                    {
                        int neuron = first + BitOperations.TrailingZeroCount(bits);
                        if (neuron >= Size)
                        {
                            break; // padding lanes past the population never spike
                        }

                        spiked[n++] = neuron;
                        bits &= bits - 1;
                    }
                    while (bits != 0);
                }
            }

            return n;
        }

        private readonly int StepScalars(float[] in0, float[]? in1, float[]? amplitudes, int start, int end, Span<int> spiked)
        {
            int n = 0;
            int stop = Math.Min(end, Size);
            for (int i = start; i < stop; i++)
            {
                var nr = new ClockNeuron<ScalarLane>
                {
                    V = new(V[i]),
                    S1 = S1 is null ? default : new(S1[i]),
                    S2 = S2 is null ? default : new(S2[i]),
                    S3 = S3 is null ? default : new(S3[i]),
                    Refractory = new(Refractory[i]),
                };
                ScalarMask spike = Models[i].StepClock<ScalarLane, ScalarMask>(ref nr, new(in0[i]), in1 is null ? default : new(in1[i]));
                V[i] = nr.V.Value;
                if (S1 is not null)
                {
                    S1[i] = nr.S1.Value;
                }

                if (S2 is not null)
                {
                    S2[i] = nr.S2.Value;
                }

                if (S3 is not null)
                {
                    S3[i] = nr.S3.Value;
                }

                Refractory[i] = nr.Refractory.Value;
                in0[i] = 0;
                if (in1 is not null)
                {
                    in1[i] = 0;
                }

                if (spike.Value)
                {
                    if (amplitudes is not null)
                    {
                        amplitudes[i] = nr.Output.Value;
                    }

                    spiked[n++] = i;
                }
            }

            if (stop < end)
            {
                in0.AsSpan(stop, end - stop).Clear();
                in1?.AsSpan(stop, end - stop).Clear();
            }

            return n;
        }
    }
}

/// <summary>The lanes of a SIMD mask as bits (lane l is bit l).</summary>
file static class MaskBits
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Of(Vector<int> mask)
    {
        if (Vector<int>.Count == 8)
        {
            return mask.AsVector256().ExtractMostSignificantBits();
        }

        if (Vector<int>.Count == 16)
        {
            return (uint)mask.AsVector512().ExtractMostSignificantBits();
        }

        if (Vector<int>.Count == 4)
        {
            return mask.AsVector128().ExtractMostSignificantBits();
        }

        uint bits = 0;
        for (int l = 0; l < Vector<int>.Count && l < 32; l++)
        {
            bits |= mask[l] != 0 ? 1u << l : 0u;
        }

        return bits;
    }
}

/// <summary>Runs part p of the windows (or waiting deliveries) of several clock-driven populations on one thread.</summary>
internal struct PartsKernel : IRangeKernel
{
    /// <summary>The populations (the first <see cref="Count"/>), each begun with <see cref="ClockPopulation.BeginParts"/>.</summary>
    public ClockPopulation[] Populations;

    /// <summary>How many of <see cref="Populations"/> take part.</summary>
    public int Count;

    /// <summary>The number of parts each population is split into.</summary>
    public int Parts;

    /// <inheritdoc/>
    public readonly void Execute(int start, int end)
    {
        for (int part = start; part < end; part++)
        {
            for (int k = 0; k < Count; k++)
            {
                Populations[k].RunPart(part, Parts);
            }
        }
    }
}
