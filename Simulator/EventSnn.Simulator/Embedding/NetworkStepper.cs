using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Embedding;

/// <summary>
/// Embeds a network in a control loop: each call advances a <see cref="SimulationEngine"/> to a given time with the
/// input events of a span and writes the outputs of that interval into spans, without allocating, locking or
/// leaving the calling thread.
/// </summary>
/// <remarks>
/// <para><b>One call.</b> <c>Step(until, inputs, counts, decoded)</c> checks every input (time ≥ <see cref="Now"/>, an
/// external population, a source in range) before injecting any, so a bad input changes nothing; then runs the engine
/// to <c>until</c> (<see cref="ISimulationEngine.RunUntil"/>: everything due at or before it) and writes
/// <c>counts[k]</c> = the spikes of output k in (previous <see cref="Now"/>, until] and <c>decoded</c> = the decoded
/// values at <c>until</c>. Either span may be empty to skip it; otherwise it must have exactly
/// <see cref="OutputCount"/> (<see cref="DecodedCount"/>) elements. Inputs later than <c>until</c> wait in the engine
/// for a later call.</para>
/// <para><b>Inputs.</b> An input due by <c>until</c> is emitted at once, as the engine would emit it at its time: its
/// deliveries go straight into the input rings of clock-driven targets (or into the queue for event-driven ones)
/// without a source event in the queue, so a step with a clock-driven network costs no queue work per input. This holds
/// while the stepper's own counter is the engine's only spike monitor, no plastic projection leaves the input's
/// population and that population is not an output; otherwise, and for inputs after <c>until</c>, the input is queued
/// (<see cref="SimulationEngine.InjectEvent"/>) so that monitors and plasticity see every spike in time order. Either
/// way the network receives the same deliveries at the same times (test
/// <c>NetworkStepperTests.Inputs_to_a_clock_driven_network_skip_the_event_queue_and_give_the_queued_runs_spikes</c>).</para>
/// <para><b>Decoding.</b> Each output keeps a rate <c>r(t) = Σ exp(−(t − tₛ)/τ) / τ</c> (spikes per second) over its
/// spikes tₛ ≤ t, updated at each spike and decayed to <c>until</c> (double precision). The decoded values are the rates,
/// or the linear readout <see cref="StepperOptions.Readout"/> of them.</para>
/// <para><b>Allocation.</b> After the engine's queue has grown to its working set (a warm-up of a few hundred steps of
/// a steady input), a step allocates nothing: the engine's queue reuses its storage, outputs go to preallocated arrays
/// and spans are the caller's (test <c>NetworkStepperTests.Steps_allocate_nothing_after_warm_up</c>, benchmark
/// <c>StepperBenchmarks</c>).</para>
/// <para><b>Threads.</b> A stepper is bound to the thread that makes its first <c>Step</c> call; a call from any other
/// thread throws <see cref="InvalidOperationException"/> (the engine is not thread-safe and the hot path takes no lock).
/// Build the network on any thread and hand the stepper to the loop's thread.</para>
/// </remarks>
public sealed class NetworkStepper : IDisposable
{
    // How many inputs ahead the synapse rows are prefetched: far enough for a load to arrive, near enough to stay cached.
    private const int PrefetchDistance = 8;

    private readonly bool _ownsEngine;
    private readonly OutputCounter _counter;
    private readonly float[] _readout;
    private readonly int _cameraPopulation = -1;
    private readonly PopulationShape _cameraShape;
    private readonly long _cameraOrigin;

    // Per population id: its size when it is an external input population, else -1 (input checks without touching the spec).
    private readonly int[] _externalSize;

    // Per population id: whether its spikes may be emitted at once instead of queued (external, no plastic projection
    // out of it, not an output): nothing can tell the two apart while the stepper's counter is the engine's only monitor.
    private readonly bool[] _emitDirectly;
    private int _ownerThread;

    /// <summary>Builds an engine for <paramref name="network"/> and a stepper over it (the stepper owns the engine).</summary>
    /// <param name="network">The network.</param>
    /// <param name="options">Outputs, camera input and decoding.</param>
    /// <param name="engineOptions">Engine settings (null: populations as declared, undeclared ones event-driven).</param>
    /// <exception cref="ArgumentException">An option names no suitable population, or the readout's size does not fit the outputs.</exception>
    public NetworkStepper(NetworkSpec network, StepperOptions options, EngineOptions? engineOptions = null)
        : this(new SimulationEngine(network, engineOptions), options, ownsEngine: true)
    {
    }

    /// <summary>A stepper over an existing engine (not disposed with the stepper); its current time is the start.</summary>
    /// <param name="engine">The engine; nothing else may run it while the stepper is in use.</param>
    /// <param name="options">Outputs, camera input and decoding.</param>
    /// <exception cref="ArgumentException">An option names no suitable population, or the readout's size does not fit the outputs.</exception>
    public NetworkStepper(SimulationEngine engine, StepperOptions options)
        : this(engine, options, ownsEngine: false)
    {
    }

    private NetworkStepper(SimulationEngine engine, StepperOptions options, bool ownsEngine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        try
        {
            Engine = engine;
            _ownsEngine = ownsEngine;
            NetworkSpec network = engine.Network;
            if (options.Outputs.Count == 0)
            {
                throw new ArgumentException("StepperOptions.Outputs names no population; name at least one output population.", nameof(options));
            }

            var offsets = new int[network.Populations.Length];
            Array.Fill(offsets, -1);
            int total = 0;
            foreach (string name in options.Outputs)
            {
                PopulationSpec p = network.Populations.FirstOrDefault(q => q.Name == name)
                    ?? throw new ArgumentException($"StepperOptions.Outputs names '{name}', which is not a population of the network.", nameof(options));
                if (offsets[p.Id] >= 0)
                {
                    throw new ArgumentException($"StepperOptions.Outputs names '{name}' twice.", nameof(options));
                }

                offsets[p.Id] = total;
                total += p.Size;
            }

            OutputCount = total;
            if (options.RateTimeConstant.Ticks < 1)
            {
                throw new ArgumentException($"StepperOptions.RateTimeConstant must be at least 1 tick (got {options.RateTimeConstant}).", nameof(options));
            }

            if (options.Readout is { } readout)
            {
                if (readout.Count == 0 || readout.Count % total != 0)
                {
                    throw new ArgumentException($"StepperOptions.Readout has {readout.Count} weights, not a positive multiple of the {total} outputs.", nameof(options));
                }

                _readout = [.. readout];
                if (Array.Exists(_readout, w => !float.IsFinite(w)))
                {
                    throw new ArgumentException("StepperOptions.Readout has a weight that is not finite.", nameof(options));
                }

                DecodedCount = readout.Count / total;
            }
            else
            {
                _readout = [];
                DecodedCount = total;
            }

            if (options.CameraInput is { } camera)
            {
                PopulationSpec p = network.Populations.FirstOrDefault(q => q.Name == camera)
                    ?? throw new ArgumentException($"StepperOptions.CameraInput names '{camera}', which is not a population of the network.", nameof(options));
                if (p.Kind != PopulationKind.External)
                {
                    throw new ArgumentException($"StepperOptions.CameraInput names '{camera}', which is not an external input population.", nameof(options));
                }

                _cameraPopulation = p.Id;
                _cameraShape = p.Shape;
            }

            _cameraOrigin = options.CameraOrigin.Ticks;
            _externalSize = new int[network.Populations.Length];
            _emitDirectly = new bool[network.Populations.Length];
            foreach (PopulationSpec p in network.Populations)
            {
                bool external = p.Kind == PopulationKind.External;
                _externalSize[p.Id] = external ? p.Size : -1;
                _emitDirectly[p.Id] = external && offsets[p.Id] < 0
                    && network.Projections.All(pr => pr.Pre != p.Id || engine.GetPlasticity(pr.Id) is null);
            }

            _counter = new OutputCounter(offsets, total, options.RateTimeConstant.Ticks, engine.Now.Ticks);
            engine.AddSpikeMonitor(_counter);
        }
        catch
        {
            if (ownsEngine)
            {
                engine.Dispose();
            }

            throw;
        }
    }

    /// <summary>The engine underneath (read state, weights or counters from it between steps, on the stepper's thread).</summary>
    public SimulationEngine Engine { get; }

    /// <summary>The current time (the last step's <c>until</c>, or the engine's time before the first step).</summary>
    public SimTime Now => Engine.Now;

    /// <summary>The number of output neurons (the summed sizes of <see cref="StepperOptions.Outputs"/>).</summary>
    public int OutputCount { get; }

    /// <summary>The number of decoded values (the readout's rows, or <see cref="OutputCount"/> without a readout).</summary>
    public int DecodedCount { get; }

    /// <summary>Steps run so far.</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Injects <paramref name="inputs"/>, runs to <paramref name="until"/> and writes the interval's spike counts and the
    /// decoded values at <paramref name="until"/>.
    /// </summary>
    /// <param name="until">The time to run to (≥ <see cref="Now"/>).</param>
    /// <param name="inputs">Input spikes, each at or after <see cref="Now"/>, in any order.</param>
    /// <param name="counts">Receives the spikes per output in (Now, until]: <see cref="OutputCount"/> elements, or empty.</param>
    /// <param name="decoded">Receives the decoded values at <paramref name="until"/>: <see cref="DecodedCount"/> elements, or empty.</param>
    /// <exception cref="InvalidOperationException">Called from a thread other than the stepper's.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="until"/> or an input is before <see cref="Now"/>, or an input's source is out of range.</exception>
    /// <exception cref="ArgumentException">An input's population is not an external input, or a span has the wrong length.</exception>
    public void Step(SimTime until, ReadOnlySpan<InputSpike> inputs, Span<int> counts, Span<float> decoded = default)
    {
        BeginStep(until, counts, decoded);
        long now = Engine.Now.Ticks;
        int[] sizes = _externalSize;
        for (int k = 0; k < inputs.Length; k++)
        {
            ref readonly InputSpike s = ref inputs[k];
            if (s.Time.Ticks < now)
            {
                throw new ArgumentOutOfRangeException(nameof(inputs), s.Time, $"Input {k} is at {s.Time}, before the stepper's time {Engine.Now}.");
            }

            if ((uint)s.Population >= (uint)sizes.Length || sizes[s.Population] < 0)
            {
                throw new ArgumentException($"Input {k} names population {s.Population}, which is not an external input population.", nameof(inputs));
            }

            if ((uint)s.Neuron >= (uint)sizes[s.Population])
            {
                throw new ArgumentOutOfRangeException(nameof(inputs), s.Neuron, $"Input {k}: {Engine.Network.Populations[s.Population]} has {sizes[s.Population]} sources.");
            }
        }

        long u = until.Ticks;
        bool direct = Engine.SpikeMonitorCount == 1;
        bool[] emitDirectly = _emitDirectly;
        for (int k = 0; k < inputs.Length; k++)
        {
            ref readonly InputSpike s = ref inputs[k];
            if (k + PrefetchDistance < inputs.Length)
            {
                // The synapse rows of an input a few places on start loading while this one is delivered.
                ref readonly InputSpike next = ref inputs[k + PrefetchDistance];
                Engine.PrefetchFanout(next.Population, next.Neuron);
            }

            if (direct && emitDirectly[s.Population] && s.Time.Ticks <= u)
            {
                Engine.EmitUnobserved(s.Population, s.Neuron, s.Time.Ticks);
            }
            else
            {
                Engine.InjectEvent(s.Time, s.Population, s.Neuron);
            }
        }

        EndStep(until, counts, decoded);
    }

    /// <summary>
    /// Injects camera events into <see cref="StepperOptions.CameraInput"/> (time t µs → tick
    /// <c>CameraOrigin + 1000·t</c>; events outside the population's shape are skipped), runs to <paramref name="until"/>
    /// and writes the interval's spike counts and the decoded values at <paramref name="until"/>.
    /// </summary>
    /// <param name="until">The time to run to (≥ <see cref="Now"/>).</param>
    /// <param name="events">Camera events, each mapping to a tick at or after <see cref="Now"/>, in any order.</param>
    /// <param name="counts">Receives the spikes per output in (Now, until]: <see cref="OutputCount"/> elements, or empty.</param>
    /// <param name="decoded">Receives the decoded values at <paramref name="until"/>: <see cref="DecodedCount"/> elements, or empty.</param>
    /// <returns>The number of events skipped because they lie outside the camera population's shape.</returns>
    /// <exception cref="InvalidOperationException">Called from a thread other than the stepper's, or no camera input was configured.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="until"/> or an event is before <see cref="Now"/>.</exception>
    /// <exception cref="ArgumentException">A span has the wrong length.</exception>
    public int Step(SimTime until, ReadOnlySpan<DvsEvent> events, Span<int> counts, Span<float> decoded = default)
    {
        if (_cameraPopulation < 0)
        {
            throw new InvalidOperationException("This stepper has no camera input; set StepperOptions.CameraInput to feed DVS events.");
        }

        BeginStep(until, counts, decoded);
        long now = Engine.Now.Ticks;
        for (int k = 0; k < events.Length; k++)
        {
            long tick = _cameraOrigin + (events[k].T * SimDuration.TicksPerMicrosecond);
            if (tick < now)
            {
                throw new ArgumentOutOfRangeException(nameof(events), events[k].T, $"Event {k} at {events[k].T} µs maps to {SimTime.FromTicks(tick)}, before the stepper's time {Engine.Now}.");
            }
        }

        int skipped = 0;
        long u = until.Ticks;
        bool direct = _emitDirectly[_cameraPopulation] && Engine.SpikeMonitorCount == 1;
        for (int k = 0; k < events.Length; k++)
        {
            ref readonly DvsEvent e = ref events[k];
            int source = ExternalEventMap.SourceOf(_cameraShape, e.X, e.Y, e.P);
            if (source < 0)
            {
                skipped++;
                continue;
            }

            long tick = _cameraOrigin + (e.T * SimDuration.TicksPerMicrosecond);
            if (direct && tick <= u)
            {
                Engine.EmitUnobserved(_cameraPopulation, source, tick);
            }
            else
            {
                Engine.InjectEvent(SimTime.FromTicks(tick), _cameraPopulation, source);
            }
        }

        EndStep(until, counts, decoded);
        return skipped;
    }

    /// <summary>Releases the engine when the stepper built it.</summary>
    public void Dispose()
    {
        if (_ownsEngine)
        {
            Engine.Dispose();
        }
    }

    private void BeginStep(SimTime until, Span<int> counts, Span<float> decoded)
    {
        int thread = Environment.CurrentManagedThreadId;
        if (_ownerThread != thread)
        {
            if (_ownerThread != 0)
            {
                ThrowWrongThread(thread);
            }

            _ownerThread = thread;
        }

        if (until < Engine.Now)
        {
            throw new ArgumentOutOfRangeException(nameof(until), until, $"Cannot step back to {until}; the stepper's time is {Engine.Now}.");
        }

        if (counts.Length != 0 && counts.Length != OutputCount)
        {
            throw new ArgumentException($"The counts span has {counts.Length} elements; it must be empty or have one per output ({OutputCount}).", nameof(counts));
        }

        if (decoded.Length != 0 && decoded.Length != DecodedCount)
        {
            throw new ArgumentException($"The decoded span has {decoded.Length} elements; it must be empty or have one per decoded value ({DecodedCount}).", nameof(decoded));
        }
    }

    private void EndStep(SimTime until, Span<int> counts, Span<float> decoded)
    {
        Engine.RunUntil(until);
        StepCount++;
        _counter.TakeCounts(counts);
        if (decoded.Length == 0)
        {
            return;
        }

        _counter.DecayTo(until.Ticks);
        ReadOnlySpan<double> rates = _counter.Rates;
        if (_readout.Length == 0)
        {
            for (int k = 0; k < rates.Length; k++)
            {
                decoded[k] = (float)rates[k];
            }

            return;
        }

        int n = rates.Length;
        for (int d = 0; d < decoded.Length; d++)
        {
            ReadOnlySpan<float> row = _readout.AsSpan(d * n, n);
            double sum = 0;
            for (int k = 0; k < n; k++)
            {
                sum += row[k] * rates[k];
            }

            decoded[d] = (float)sum;
        }
    }

    private void ThrowWrongThread(int thread)
        => throw new InvalidOperationException($"This NetworkStepper is bound to managed thread {_ownerThread} (its first Step); it was called from thread {thread}. Run every step on one thread.");

    /// <summary>Counts output spikes and keeps their decoded rates; called by the engine for every spike.</summary>
    private sealed class OutputCounter : ISpikeMonitor
    {
        private readonly int[] _offsets;
        private readonly int[] _counts;
        private readonly double[] _rates;
        private readonly long[] _last;
        private readonly double _tau;
        private readonly double _increment;
        private long _decayed;

        public OutputCounter(int[] offsets, int outputs, long tauTicks, long start)
        {
            _offsets = offsets;
            _counts = new int[outputs];
            _rates = new double[outputs];
            _last = new long[outputs];
            Array.Fill(_last, start);
            _decayed = start;
            _tau = tauTicks;
            _increment = 1.0 / (tauTicks / (double)SimDuration.TicksPerSecond);
        }

        public ReadOnlySpan<double> Rates => _rates;

        public void OnSpike(SimTime time, int population, int neuron)
        {
            int offset = _offsets[population];
            if (offset < 0)
            {
                return;
            }

            int k = offset + neuron;
            _counts[k]++;
            long t = time.Ticks;
            _rates[k] = (_rates[k] * Math.Exp((_last[k] - t) / _tau)) + _increment;
            _last[k] = t;
        }

        public void TakeCounts(Span<int> counts)
        {
            if (counts.Length != 0)
            {
                _counts.CopyTo(counts);
            }

            Array.Clear(_counts);
        }

        public void DecayTo(long t)
        {
            // Outputs silent since the last decay share one factor; the others decay from their last spike.
            double shared = Math.Exp((_decayed - t) / _tau);
            for (int k = 0; k < _rates.Length; k++)
            {
                long last = _last[k];
                if (last != t)
                {
                    _rates[k] *= last == _decayed ? shared : Math.Exp((last - t) / _tau);
                    _last[k] = t;
                }
            }

            _decayed = t;
        }
    }
}
