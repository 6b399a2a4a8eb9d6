using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.State;

/// <summary>Typed population state: per-population (or per-neuron) model constants and the devirtualised operations.</summary>
/// <typeparam name="TModel">The neuron model.</typeparam>
public sealed class NeuronPopulationState<TModel> : NeuronPopulationState
    where TModel : struct, INeuronModel<TModel>
{
    /// <summary>Longest interval (ticks) a crossing prediction searches before scheduling a re-check: 10 s.</summary>
    public const double PredictionHorizon = 1e10;

    private readonly TModel[] _models;
    private TModel[] _stepModels = [];

    internal NeuronPopulationState(PopulationSpec spec)
        : base(spec, TModel.Info)
    {
        int n = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        _models = new TModel[n];
        Span<double> p = stackalloc double[spec.Parameters.Length];
        for (int j = 0; j < n; j++)
        {
            spec.GetParameters(j, p);
            _models[j] = TModel.Create(p, spec.Rules);
        }

        Initialize();
    }

    /// <summary>The model constants: one shared entry, or one per neuron.</summary>
    public ReadOnlySpan<TModel> Models => _models;

    /// <inheritdoc/>
    public override void Initialize()
    {
        for (int j = 0; j < Size; j++)
        {
            Store(j, ModelOf(j).InitialState);
        }

        foreach (InitialValueSpec iv in Spec.Initial)
        {
            double[] col = Columns[Info.StateIndex(iv.Variable)];
            if (!iv.Values.IsDefaultOrEmpty)
            {
                iv.Values.CopyTo(col);
            }
            else if (iv.Low == iv.High)
            {
                Array.Fill(col, iv.Low);
            }
            else
            {
                var rng = new Xoshiro256(iv.Seed);
                for (int j = 0; j < col.Length; j++)
                {
                    col[j] = iv.Low + ((iv.High - iv.Low) * rng.NextDouble());
                }
            }
        }

        Array.Clear(LastUpdate);
        Array.Fill(Crossing, double.PositiveInfinity);
        Array.Fill(Recheck, double.PositiveInfinity);
        Array.Fill(WakeTick, long.MaxValue);
        Array.Clear(WakeGeneration);
    }

    private ref readonly TModel ModelOf(int j) => ref _models.Length == 1 ? ref _models[0] : ref _models[j];

    /// <inheritdoc/>
    public override void PrepareClock(double dtTicks)
    {
        if (!(dtTicks > 0) || !double.IsFinite(dtTicks))
        {
            throw new ArgumentOutOfRangeException(nameof(dtTicks), dtTicks, "The step must be a positive number of ticks.");
        }

        _stepModels = new TModel[_models.Length];
        for (int j = 0; j < _models.Length; j++)
        {
            _stepModels[j] = _models[j].WithTimeStep(dtTicks);
        }
    }

    /// <inheritdoc/>
    public override int StepDense(int start, int end, ReadOnlySpan<double> input0, ReadOnlySpan<double> input1, Span<int> spiked)
    {
        if (_stepModels.Length == 0)
        {
            throw new InvalidOperationException("Call PrepareClock before StepDense.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(end, Size);
        return TModel.StepDense(_stepModels, GetBlock(input0, input1), start, end, spiked);
    }

    /// <inheritdoc/>
    public override double Read(int neuron, int variable, long now)
    {
        NeuronState s = Load(neuron);
        long last = LastUpdate[neuron];
        if (now != long.MinValue && now > last)
        {
            DenseStepper.Advance(ModelOf(neuron), ref s, now - last);
        }

        return s.Get(variable);
    }

    internal override void EventStart(EventDrivenEngine engine)
    {
        for (int j = 0; j < Size; j++)
        {
            Crossing[j] = Predict(ModelOf(j), Load(j), out Recheck[j]);
            EventSchedule(engine, j);
        }
    }

    internal override void EventDeliver(EventDrivenEngine engine, long t, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, int receptor)
    {
        for (int k = 0; k < targets.Length; k++)
        {
            int j = targets[k];
            ref readonly TModel m = ref ModelOf(j);
            NeuronState s = Load(j);
            BringForward(engine, j, ref s, t, m);
            m.ApplyInput(ref s, receptor, weights[k]);
            while (s.Refractory <= 0 && m.IsAboveThreshold(s))
            {
                engine.EmitSpike(Spec.Id, j, t);
                DenseStepper.Spike(m, ref s);
            }

            Crossing[j] = Predict(m, s, out Recheck[j]);
            Store(j, s);
            EventSchedule(engine, j);
        }
    }

    internal override void EventWake(EventDrivenEngine engine, int neuron, long t)
    {
        ref readonly TModel m = ref ModelOf(neuron);
        NeuronState s = Load(neuron);
        BringForward(engine, neuron, ref s, t, m);
        Crossing[neuron] = Predict(m, s, out Recheck[neuron]);
        Store(neuron, s);
        EventSchedule(engine, neuron);
    }

    internal override void EventSchedule(EventDrivenEngine engine, int neuron)
    {
        double c = Crossing[neuron];
        double r = Recheck[neuron];
        long last = LastUpdate[neuron];
        long wake;
        if (double.IsFinite(c))
        {
            wake = last + (long)Math.Ceiling(c);
        }
        else if (double.IsFinite(r))
        {
            // No crossing before the re-check point: look again there.
            wake = last + Math.Max(1, (long)r);
        }
        else
        {
            WakeTick[neuron] = long.MaxValue;
            return;
        }

        if (WakeTick[neuron] <= wake)
        {
            // A wake-up is already pending no later than needed: it will re-predict then (saves queue traffic).
            return;
        }

        WakeTick[neuron] = wake;
        int gen = ++WakeGeneration[neuron];
        engine.ScheduleWake(wake, Spec.Id, neuron, gen);
    }

    /// <summary>
    /// Brings neuron <paramref name="j"/> forward from its last update to tick <paramref name="t"/>, emitting every
    /// threshold crossing on the way at tick ⌈crossing⌉, with the state carried exactly from the crossing instant.
    /// </summary>
    private void BringForward(EventDrivenEngine engine, int j, ref NeuronState s, long t, in TModel m)
    {
        long last = LastUpdate[j];
        double cross = Crossing[j];
        double recheck = Recheck[j];
        while (true)
        {
            double span = t - last;
            if (cross <= span)
            {
                DenseStepper.Advance(m, ref s, cross);
                double whole = Math.Ceiling(cross);
                long tick = last + (long)whole;
                engine.EmitSpike(Spec.Id, j, tick);
                DenseStepper.Spike(m, ref s);
                DenseStepper.Advance(m, ref s, whole - cross);
                last = tick;
                cross = Predict(m, s, out recheck);
                continue;
            }

            if (recheck < span && double.IsPositiveInfinity(cross))
            {
                // The prediction must be redone before t (a re-check point lies inside the interval).
                double step = Math.Max(1, Math.Floor(recheck));
                DenseStepper.Advance(m, ref s, step);
                last += (long)step;
                cross = Predict(m, s, out recheck);
                continue;
            }

            if (span > 0)
            {
                DenseStepper.Advance(m, ref s, span);
                cross -= span;
                recheck -= span;
            }

            break;
        }

        LastUpdate[j] = t;
        Crossing[j] = cross;
        Recheck[j] = recheck;
    }

    /// <summary>Predicts the offset of the next crossing from state <paramref name="s"/> (+∞: none known; then <paramref name="recheck"/> says when to look again).</summary>
    private static double Predict(in TModel m, in NeuronState s, out double recheck)
    {
        double r = s.Refractory;
        NeuronState free = s;
        if (r > 0)
        {
            m.AdvanceRefractory(ref free, r);
            free.Refractory = 0;
        }

        double delta = m.FindCrossing(free, PredictionHorizon, out recheck);
        recheck += r;
        return r + delta;
    }
}
