using System.Runtime.CompilerServices;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines.EventDriven;

/// <summary>
/// The event-driven execution of one neuron population: neurons are brought forward lazily with their model's exact
/// solution, simultaneous inputs are summed and applied together, and threshold crossings between inputs are predicted
/// and woken up through the engine's queue.
/// </summary>
internal abstract class EventPopulation
{
    private protected EventPopulation(EventPopulationState state) => State = state;

    /// <summary>The population's stored state.</summary>
    public EventPopulationState State { get; }

    /// <summary>The population id.</summary>
    public int Id => State.Spec.Id;

    /// <summary>Whether the population runs in scaled form (<see cref="ScaledEventPopulation{TModel}"/>).</summary>
    public virtual bool IsScaled => false;

    /// <summary>Whether inputs of the current tick are waiting for <see cref="Flush"/>.</summary>
    public abstract bool HasPending { get; }

    /// <summary>Resets every neuron to its initial state, valid at tick <paramref name="now"/> (clears predictions and pending inputs).</summary>
    /// <param name="now">The tick the initial state is valid at.</param>
    public abstract void Initialize(long now = 0);

    /// <summary>Predicts every neuron's first crossing and schedules its wake-up (at the start of a run).</summary>
    /// <param name="engine">The engine.</param>
    public abstract void Start(SimulationEngine engine);

    /// <summary>Adds one delivery's weights to the inputs its targets receive at tick <paramref name="t"/> (tested at <see cref="Flush"/>).</summary>
    /// <param name="t">The current tick.</param>
    /// <param name="targets">Target neurons.</param>
    /// <param name="weights">Weights, one per target.</param>
    /// <param name="receptor">Receptor index.</param>
    /// <param name="amplitude">The spike's amplitude (1 for binary spikes): it scales every weight.</param>
    public abstract void Accumulate(long t, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, int receptor, float amplitude);

    /// <summary>
    /// Applies every input accumulated for tick <paramref name="t"/>: each touched neuron is brought forward to t (emitting
    /// crossings on the way), receives the sum of its inputs per receptor, and is tested against its threshold once.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="t">The tick.</param>
    /// <returns>The number of neurons updated.</returns>
    public abstract int Flush(SimulationEngine engine, long t);

    /// <summary>
    /// Handles a wake-up of <paramref name="neuron"/> at the current tick (a predicted crossing or re-check): the neuron is
    /// brought forward at <see cref="Flush"/>, together with any input of the same tick.
    /// </summary>
    /// <param name="t">The current tick.</param>
    /// <param name="neuron">The neuron.</param>
    public abstract void Wake(long t, int neuron);

    /// <summary>
    /// Handles the population's wake-up sweep at tick <paramref name="t"/>: queues the wake-ups due within the next sweep
    /// window that were deferred (see <see cref="EventPopulation{TModel}.SweepWindow"/>); a superseded sweep is ignored.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="t">The tick.</param>
    public abstract void Sweep(SimulationEngine engine, long t);

    /// <summary>After a restore: rebuilds the deferred wake-up bookkeeping from the restored state and arms a sweep.</summary>
    /// <param name="engine">The engine.</param>
    public abstract void Rearm(SimulationEngine engine);

    /// <summary>
    /// Brings the stored state (<see cref="EventPopulationState"/>: potentials, remaining refractory times, last updates) up
    /// to tick <paramref name="now"/> for readers of the state and for saving, where the execution keeps its state in
    /// another form; the generic execution stores it as it goes.
    /// </summary>
    /// <param name="now">The engine's time (no event after it has been processed).</param>
    public virtual void Synchronize(long now)
    {
    }

    /// <summary>The generation a sweep event carries (<see cref="EngineEventKind.Wake"/> with neuron 0); no neuron's wake-up uses it.</summary>
    public const int SweepMark = int.MinValue;

    /// <summary>The value of a state variable at tick <paramref name="now"/>, advancing a copy (the stored state is not touched).</summary>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="variable">Variable index.</param>
    /// <param name="now">The tick (≥ the neuron's last update).</param>
    public abstract double Read(int neuron, int variable, long now);
}

/// <summary>The event-driven execution of a population of model <typeparamref name="TModel"/>.</summary>
/// <typeparam name="TModel">The neuron model.</typeparam>
internal sealed class EventPopulation<TModel> : EventPopulation
    where TModel : struct, INeuronModel<TModel>
{
    /// <summary>Longest interval (ticks) a crossing prediction searches before scheduling a re-check: 10 s.</summary>
    public const double PredictionHorizon = 1e10;

    private readonly TModel[] _models;
    private readonly bool _closedRefractory;
    private readonly double[] _input0;
    private readonly double[] _input1;
    private readonly int[] _touched;
    private readonly int[] _stamp;
    private int _touchedCount;
    private int _currentStamp = 1;

    /// <summary>
    /// Length of a sweep window (ticks): wake-ups due at or after the armed sweep are not queued when predicted but by the
    /// sweep that precedes them, so that the many predictions superseded by a later input before they come due never
    /// enter the queue.
    /// </summary>
    public const long SweepWindow = 1_000_000;

    /// <summary>Smallest population that uses sweeps (a sweep scans every neuron).</summary>
    public const int SweepMinSize = 128;

    // Tick each neuron needs its next wake-up at (long.MaxValue: none). Invariant: every neuron whose due tick is before
    // _sweepTick has a wake-up queued no later than it (WakeTick ≤ due).
    private readonly long[] _due;
    private readonly bool _sweeps;

    // Advances computed in lanes (CobaLif.Lanes at a time) before a flush (see PrepareAdvances), by position in the
    // flush's list of neurons.
    private readonly bool _laneAdvances;
    private readonly NeuronState[] _advanced;
    private readonly bool[] _prepared;
    private long _sweepTick = long.MaxValue;

    public EventPopulation(PopulationSpec spec)
        : base(new EventPopulationState(spec))
    {
        int n = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        _models = new TModel[n];
        Span<double> p = stackalloc double[spec.Parameters.Length];
        for (int j = 0; j < n; j++)
        {
            spec.GetParameters(j, p);
            _models[j] = TModel.Create(p, spec.Rules);
        }

        _closedRefractory = spec.RefractoryEnd == RefractoryEnd.Closed;
        _input0 = new double[spec.Size];
        _input1 = TModel.Info.Receptors.Length > 1 ? new double[spec.Size] : [];
        _touched = new int[spec.Size];
        _stamp = new int[spec.Size];
        _due = new long[spec.Size];
        _sweeps = spec.Size >= SweepMinSize;
        _laneAdvances = typeof(TModel) == typeof(CobaLif) && _models.Length == 1;
        _advanced = _laneAdvances ? new NeuronState[spec.Size] : [];
        _prepared = _laneAdvances ? new bool[spec.Size] : [];
        Initialize();
    }

    public override bool HasPending => _touchedCount != 0;

    public override void Initialize(long now = 0)
    {
        State.Initialize(j => ModelOf(j).InitialState);
        State.ResetBookkeeping();
        Array.Fill(State.LastUpdate, now);
        Array.Clear(_input0);
        Array.Clear(_input1);
        for (int k = 0; k < _touchedCount; k++)
        {
            _stamp[_touched[k]] = 0;
        }

        _touchedCount = 0;
        Array.Fill(_due, long.MaxValue);
        _sweepTick = long.MaxValue;
    }

    private ref readonly TModel ModelOf(int j) => ref _models.Length == 1 ? ref _models[0] : ref _models[j];

    public override double Read(int neuron, int variable, long now)
    {
        NeuronState s = State.Load(neuron);
        long last = State.LastUpdate[neuron];
        if (now > last)
        {
            ExactSteps.Advance(ModelOf(neuron), ref s, now - last);
        }

        return s.Get(variable);
    }

    public override void Start(SimulationEngine engine)
    {
        EventPopulationState st = State;
        for (int j = 0; j < st.Size; j++)
        {
            st.Crossing[j] = Predict(ModelOf(j), st.Load(j), out st.Recheck[j]);
        }

        Rearm(engine);
    }

    /// <summary>
    /// Predicts the offset of the next crossing from state <paramref name="s"/>; with a closed refractory period a neuron
    /// still above threshold when the period ends fires one tick after its end (it cannot fire at any instant of it).
    /// </summary>
    private double Predict(in TModel m, in NeuronState s, out double recheck) => Predict(m, s, double.PositiveInfinity, out recheck);

    /// <summary>As <see cref="Predict(in TModel, in NeuronState, out double)"/>, knowing that the crossing is no later than <paramref name="notAfter"/> ticks (+∞: unknown).</summary>
    private double Predict(in TModel m, in NeuronState s, double notAfter, out double recheck)
    {
        double c = PredictFree(m, s, notAfter, out recheck);
        return _closedRefractory && s.Refractory > 0 && c == s.Refractory ? c + 1 : c;
    }

    public override void Sweep(SimulationEngine engine, long t)
    {
        if (t != _sweepTick)
        {
            return;
        }

        EventPopulationState st = State;
        long[] due = _due;
        long[] queued = st.WakeTick;
        long end = t + SweepWindow;
        long rest = long.MaxValue;
        for (int j = 0; j < due.Length; j++)
        {
            long d = due[j];
            if (d < end)
            {
                if (queued[j] > d)
                {
                    Push(engine, j, d);
                }
            }
            else if (d < rest)
            {
                rest = d;
            }
        }

        Arm(engine, rest);
    }

    public override void Rearm(SimulationEngine engine)
    {
        EventPopulationState st = State;
        for (int j = 0; j < _due.Length; j++)
        {
            _due[j] = DueTick(st, j);
        }

        _sweepTick = long.MaxValue;
        if (_sweeps)
        {
            Arm(engine, engine.QueueNow);
        }
        else
        {
            for (int j = 0; j < _due.Length; j++)
            {
                if (_due[j] != long.MaxValue && st.WakeTick[j] > _due[j])
                {
                    Push(engine, j, _due[j]);
                }
            }
        }
    }

    private void Arm(SimulationEngine engine, long tick)
    {
        tick = tick == long.MaxValue ? tick : Math.Max(tick, engine.QueueNow);
        _sweepTick = tick;
        if (tick != long.MaxValue)
        {
            engine.ScheduleWake(tick, Id, 0, SweepMark);
        }
    }

    public override void Wake(long t, int neuron)
    {
        if (_stamp[neuron] != _currentStamp)
        {
            _stamp[neuron] = _currentStamp;
            _touched[_touchedCount++] = neuron;
        }
    }

    public override void Accumulate(long t, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, int receptor, float amplitude)
    {
        double[] input = receptor == 0 ? _input0 : _input1;
        int[] stamp = _stamp;
        int current = _currentStamp;
        for (int k = 0; k < targets.Length; k++)
        {
            int j = targets[k];
            input[j] += amplitude == 1f ? weights[k] : (double)weights[k] * amplitude;
            if (stamp[j] != current)
            {
                stamp[j] = current;
                _touched[_touchedCount++] = j;
            }
        }
    }

    public override int Flush(SimulationEngine engine, long t)
    {
        EventPopulationState st = State;
        int count = _touchedCount;
        _touchedCount = 0;
        if (++_currentStamp == int.MaxValue)
        {
            Array.Clear(_stamp);
            _currentStamp = 1;
        }

        bool two = _input1.Length != 0;
        bool prepared = _laneAdvances && count >= 2 && PrepareAdvances(t, count);
        for (int k = 0; k < count; k++)
        {
            int j = _touched[k];
            // Called by reference: a struct model held in an array is never copied for a call (a readonly reference to a
            // generic struct would be copied before each method call).
            ref TModel m = ref Unsafe.AsRef(in ModelOf(j));
            NeuronState s;
            bool crossingNow;
            if (prepared && _prepared[k])
            {
                s = _advanced[k];
                crossingNow = FinishPrepared(j, t);
            }
            else
            {
                s = st.Load(j);
                crossingNow = BringForward(engine, j, ref s, t, m);
            }
            double in0 = _input0[j];
            _input0[j] = 0;
            bool input = in0 != 0;
            if (input)
            {
                m.ApplyInput(ref s, 0, in0);
            }

            double in1 = 0;
            if (two)
            {
                in1 = _input1[j];
                _input1[j] = 0;
                if (in1 != 0)
                {
                    input = true;
                    m.ApplyInput(ref s, 1, in1);
                }
            }

            // A crossing exactly at t is tested together with t's inputs (as a clock step tests its end); with no input
            // it fires even if rounding left the potential a hair below the threshold at the crossing point.
            bool spiked = false;
            if (crossingNow && !input && s.Refractory <= 0)
            {
                engine.EmitSpike(Id, j, t);
                ExactSteps.Spike(m, ref s);
                spiked = true;
            }

            while (s.Refractory <= 0 && m.IsAboveThreshold(s))
            {
                engine.EmitSpike(Id, j, t);
                ExactSteps.Spike(m, ref s);
                spiked = true;
            }

            double cross = st.Crossing[j];
            int direction = input && !spiked && cross > 0 ? EventHints.InputDirection(m, s, in0, in1) : 0;
            if (direction < 0 && !(double.IsPositiveInfinity(cross) && EventHints.CheapBound(m)))
            {
                // The inputs can only lower the trajectory: no crossing before the previous prediction, which stays as a
                // re-check point (its wake-up is already queued). A model whose bound is cheap re-predicts instead when
                // it had only a re-check point: the bound from the lowered state usually lies later.
                if (double.IsFinite(cross))
                {
                    st.Recheck[j] = cross;
                    st.Crossing[j] = double.PositiveInfinity;
                }
            }
            else
            {
                st.Crossing[j] = direction > 0 && double.IsFinite(cross)
                    ? Predict(m, s, cross, out st.Recheck[j])
                    : Predict(m, s, double.PositiveInfinity, out st.Recheck[j]);
            }

            st.Store(j, s);
            Schedule(engine, j);
        }

        return count;
    }

    private void Schedule(SimulationEngine engine, int neuron)
    {
        EventPopulationState st = State;
        long wake = DueTick(st, neuron);
        _due[neuron] = wake;
        if (wake == long.MaxValue || st.WakeTick[neuron] <= wake)
        {
            // None needed, or a wake-up is already pending no later than needed: it will re-predict then (saves queue
            // traffic).
            return;
        }

        if (wake >= _sweepTick)
        {
            // The armed sweep queues it if it is still due then.
            return;
        }

        if (_sweeps && _sweepTick == long.MaxValue && wake - engine.QueueNow >= SweepWindow)
        {
            // Far ahead and no sweep armed: arm one there instead of queueing the wake-up.
            Arm(engine, wake);
            return;
        }

        Push(engine, neuron, wake);
    }

    /// <summary>The tick neuron <paramref name="neuron"/> needs its next wake-up at, from its prediction (long.MaxValue: none).</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static long DueTick(EventPopulationState st, int neuron)
    {
        double c = st.Crossing[neuron];
        double r = st.Recheck[neuron];
        long last = st.LastUpdate[neuron];
        if (double.IsFinite(c))
        {
            return last + (long)Math.Ceiling(c);
        }

        if (double.IsFinite(r))
        {
            // No crossing before the re-check point r: look again at ⌈r⌉ (any crossing c ≥ r is emitted at ⌈c⌉ ≥ ⌈r⌉, and
            // bringing the neuron forward there re-predicts from r first).
            return last + Math.Max(1, (long)Math.Ceiling(r));
        }

        return long.MaxValue;
    }

    private static void Push(SimulationEngine engine, int neuron, long wake, EventPopulationState st, int id)
    {
        st.WakeTick[neuron] = wake;
        int gen = ++st.WakeGeneration[neuron];
        if (gen == SweepMark)
        {
            gen = st.WakeGeneration[neuron] = 0;
        }

        engine.ScheduleWake(wake, id, neuron, gen);
    }

    private void Push(SimulationEngine engine, int neuron, long wake) => Push(engine, neuron, wake, State, Id);

    /// <summary>
    /// Before a flush at tick <paramref name="t"/>: for the neurons whose bringing forward is a single free advance of one
    /// series step (no crossing or re-check before t, not refractory; <see cref="CobaLif.IsSingleLaneStep"/>), computes
    /// those advances eight at a time (<see cref="CobaLif.AdvanceFreeLanes"/>, bit-identical to one at a time) and marks them
    /// by position. Nothing is emitted or stored here: the flush then goes through the neurons in their order as before.
    /// </summary>
    /// <returns>Whether any advance was prepared.</returns>
    private bool PrepareAdvances(long t, int count)
    {
        EventPopulationState st = State;
        ref CobaLif m = ref Unsafe.As<TModel, CobaLif>(ref _models[0]);
        int[] touched = _touched;
        bool[] prepared = _prepared;
        Span<NeuronState> lanes = stackalloc NeuronState[CobaLif.Lanes];
        Span<double> spans = stackalloc double[CobaLif.Lanes];
        Span<int> slots = stackalloc int[CobaLif.Lanes];
        int pending = 0;
        bool any = false;
        for (int k = 0; k < count; k++)
        {
            prepared[k] = false;
            int j = touched[k];
            double span = t - st.LastUpdate[j];
            double cross = st.Crossing[j];
            if (!(span > 0) || cross < span || (st.Recheck[j] < span && double.IsPositiveInfinity(cross)) || st.Refractory[j] > 0)
            {
                continue;
            }

            NeuronState s = st.Load(j);
            if (!m.IsSingleLaneStep(s, span))
            {
                continue;
            }

            lanes[pending] = s;
            spans[pending] = span;
            slots[pending] = k;
            if (++pending == CobaLif.Lanes)
            {
                Advance(ref m, lanes, spans, slots, pending);
                pending = 0;
                any = true;
            }
        }

        if (pending >= 2)
        {
            // The spare lanes repeat the first neuron (their results are not used).
            for (int i = pending; i < CobaLif.Lanes; i++)
            {
                lanes[i] = lanes[0];
                spans[i] = spans[0];
            }

            Advance(ref m, lanes, spans, slots, pending);
            any = true;
        }

        return any;

        void Advance(ref CobaLif m, Span<NeuronState> lanes, Span<double> spans, Span<int> slots, int used)
        {
            m.AdvanceFreeLanes(lanes, spans);
            for (int i = 0; i < used; i++)
            {
                _advanced[slots[i]] = lanes[i];
                _prepared[slots[i]] = true;
            }
        }
    }

    /// <summary>
    /// The end of <see cref="BringForward"/> for a neuron whose advance to <paramref name="t"/> was prepared by
    /// <see cref="PrepareAdvances"/> (no crossing or re-check before t, not refractory): the bookkeeping moves to t.
    /// </summary>
    private bool FinishPrepared(int j, long t)
    {
        EventPopulationState st = State;
        double span = t - st.LastUpdate[j];
        double cross = st.Crossing[j];
        bool crossingNow = cross == span;
        st.LastUpdate[j] = t;
        st.Crossing[j] = cross - span;
        st.Recheck[j] -= span;
        return crossingNow;
    }

    /// <summary>
    /// Brings neuron <paramref name="j"/> forward from its last update to tick <paramref name="t"/>, emitting every
    /// threshold crossing before t at tick ⌈crossing⌉, with the state carried exactly from the crossing instant. A crossing
    /// exactly at t is not emitted here: the method returns true and the caller tests it together with t's inputs.
    /// With a closed refractory period that ends exactly at <paramref name="t"/>, the neuron stays refractory for the
    /// inputs of tick t (its remaining refractory time is set to the smallest positive double).
    /// </summary>
    private bool BringForward(SimulationEngine engine, int j, ref NeuronState s, long t, in TModel m)
    {
        EventPopulationState st = State;
        long last = st.LastUpdate[j];
        double cross = st.Crossing[j];
        double recheck = st.Recheck[j];
        bool crossingNow = false;
        while (true)
        {
            double span = t - last;
            if (cross < span)
            {
                ExactSteps.Advance(m, ref s, cross);
                double whole = Math.Ceiling(cross);
                long tick = last + (long)whole;
                engine.EmitSpike(Id, j, tick);
                ExactSteps.Spike(m, ref s);
                ExactSteps.Advance(m, ref s, whole - cross);
                last = tick;
                cross = Predict(m, s, out recheck);
                continue;
            }

            if (recheck < span && double.IsPositiveInfinity(cross))
            {
                // The prediction must be redone before t (a re-check point lies inside the interval).
                double step = Math.Max(1, Math.Floor(recheck));
                ExactSteps.Advance(m, ref s, step);
                last += (long)step;
                cross = Predict(m, s, out recheck);
                continue;
            }

            crossingNow = cross == span;
            if (span > 0)
            {
                bool endsNow = _closedRefractory && s.Refractory > 0 && s.Refractory == span;
                ExactSteps.Advance(m, ref s, span);
                cross -= span;
                recheck -= span;
                if (endsNow)
                {
                    s.Refractory = double.Epsilon;
                }
            }

            break;
        }

        st.LastUpdate[j] = t;
        st.Crossing[j] = cross;
        st.Recheck[j] = recheck;
        return crossingNow;
    }

    /// <summary>Predicts the offset of the next crossing from state <paramref name="s"/> (+∞: none known; then <paramref name="recheck"/> says when to look again).</summary>
    private static double PredictFree(in TModel m, in NeuronState s, double notAfter, out double recheck)
    {
        double r = s.Refractory;
        NeuronState free = s;
        if (r > 0)
        {
            Unsafe.AsRef(in m).AdvanceRefractory(ref free, r);
            free.Refractory = 0;
        }

        double delta = !(notAfter - r >= 0 && notAfter - r < PredictionHorizon)
            ? Unsafe.AsRef(in m).FindCrossing(free, PredictionHorizon, out recheck)
            : EventHints.FindCrossing(m, free, PredictionHorizon, notAfter - r, out recheck);
        recheck += r;
        return r + delta;
    }
}
