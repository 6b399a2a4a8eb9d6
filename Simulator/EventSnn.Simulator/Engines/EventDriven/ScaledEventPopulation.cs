using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines.EventDriven;

/// <summary>
/// The event-driven execution of a population whose model has a qualifying <see cref="JumpDecayForm"/> (LIF and IF with
/// delta synapses, a reset to a value and a relaxation level below the threshold), in scaled form: each neuron stores
/// <c>u = (v − v∞)·e^{(t − t₀)/τ}</c> relative to the population's epoch t₀, which does not change between inputs. A
/// delivery at tick t adds <c>w·e^{(t − t₀)/τ}</c> (one factor per tick, shared by every target) and the threshold test
/// compares u with <c>(θ − v∞)·e^{(t − t₀)/τ}</c>, so a delivery costs one multiply-add and one compare and a neuron is
/// never brought forward. Such a neuron can only cross its threshold by an input, so no crossing is ever predicted or
/// woken up. Equivalent to <see cref="EventPopulation{TModel}"/> up to rounding (docs/Simulator.md, "Scaled form").
/// </summary>
/// <typeparam name="TModel">The neuron model.</typeparam>
internal sealed class ScaledEventPopulation<TModel> : EventPopulation
    where TModel : struct, INeuronModel<TModel>
{
    /// <summary>The epoch moves to the current tick when <c>(t − t₀)/τ</c> would exceed this (e^30 ≈ 1.1e13).</summary>
    public const double RebaseExponent = 30;

    /// <summary>
    /// The tie band of the threshold test, relative to <c>θ − v∞</c>: a potential within it of the threshold counts as
    /// exactly at it (2⁻⁴⁰ ≈ 9.1e-13), so that sums that land on the threshold in exact arithmetic follow the comparison
    /// whatever the rounding of the scaled form.
    /// </summary>
    public static readonly double TieBand = Math.ScaleB(1.0, -40);

    private readonly TModel _model;
    private readonly double _invTau;
    private readonly double _rest;
    private readonly double _theta;
    private readonly double _resetU;
    private readonly double _tref;
    private readonly bool _strict;
    private readonly bool _closed;
    private readonly double[] _u;
    private readonly double[] _refractoryEnd;
    private readonly int[] _refractoryQueue;
    private readonly int[] _candidates;
    private readonly int[] _stamp;
    private int _refractoryHead;
    private int _refractoryCount;
    private int _candidateCount;
    private int _currentStamp = 1;
    private long _epoch;
    private long _tick = long.MinValue;
    private double _factor = 1;
    private double _candidateBound;
    private double _fireBound;

    public ScaledEventPopulation(PopulationSpec spec, TModel model, JumpDecayForm form)
        : base(new EventPopulationState(spec))
    {
        _model = model;
        _invTau = double.IsPositiveInfinity(form.TauTicks) ? 0 : 1 / form.TauTicks;
        _rest = form.Rest;
        _theta = form.Threshold - form.Rest;
        _resetU = form.ResetValue - form.Rest;
        _tref = form.RefractoryTicks;
        _strict = form.Strict;
        _closed = spec.RefractoryEnd == RefractoryEnd.Closed;
        _u = new double[spec.Size];
        _refractoryEnd = new double[spec.Size];
        _refractoryQueue = new int[spec.Size];
        _candidates = new int[spec.Size];
        _stamp = new int[spec.Size];
        Initialize();
    }

    public override bool HasPending => _candidateCount != 0;

    public override bool IsScaled => true;

    public override void Initialize(long now = 0)
    {
        EventPopulationState st = State;
        st.Initialize(_ => _model.InitialState);
        st.ResetBookkeeping();
        Array.Fill(st.LastUpdate, now);
        _epoch = now;
        _tick = long.MinValue;
        double[] v = st.Columns[0];
        for (int j = 0; j < _u.Length; j++)
        {
            _u[j] = v[j] - _rest;
        }

        Array.Fill(_refractoryEnd, double.NegativeInfinity);
        _refractoryHead = 0;
        _refractoryCount = 0;
        ClearCandidates();
    }

    public override void Start(SimulationEngine engine) => WakeAboveThreshold(engine);

    public override void Sweep(SimulationEngine engine, long t)
    {
        // No sweep is ever armed: neurons in scaled form have no predicted crossings.
    }

    public override void Rearm(SimulationEngine engine)
    {
        // After a restore: the stored state is the potential and remaining refractory time at each neuron's last update.
        EventPopulationState st = State;
        long epoch = long.MinValue;
        foreach (long last in st.LastUpdate)
        {
            epoch = Math.Max(epoch, last);
        }

        _epoch = epoch == long.MinValue ? 0 : epoch;
        _tick = long.MinValue;
        _refractoryHead = 0;
        _refractoryCount = 0;
        ClearCandidates();
        var refractory = new List<(double End, int Neuron)>();
        double[] v = st.Columns[0];
        for (int j = 0; j < _u.Length; j++)
        {
            long last = st.LastUpdate[j];
            double r = st.Refractory[j];
            if (r > 0)
            {
                _u[j] = double.NegativeInfinity;
                _refractoryEnd[j] = last + r;
                refractory.Add((_refractoryEnd[j], j));
            }
            else
            {
                _u[j] = (v[j] - _rest) * Math.Exp((last - _epoch) * _invTau);
                _refractoryEnd[j] = double.NegativeInfinity;
            }
        }

        refractory.Sort();
        foreach ((double _, int j) in refractory)
        {
            _refractoryQueue[_refractoryCount++] = j;
        }

        WakeAboveThreshold(engine);
    }

    public override void Synchronize(long now)
    {
        EventPopulationState st = State;
        double[] v = st.Columns[0];
        for (int j = 0; j < _u.Length; j++)
        {
            v[j] = Potential(j, now, out double remaining);
            st.Refractory[j] = remaining;
            st.LastUpdate[j] = now;
        }
    }

    public override double Read(int neuron, int variable, long now) => Potential(neuron, now, out _);

    /// <summary>The potential of <paramref name="j"/> at tick <paramref name="now"/> and its remaining refractory time there.</summary>
    private double Potential(int j, long now, out double remaining)
    {
        double u = _u[j];
        remaining = 0;
        if (!double.IsNegativeInfinity(u))
        {
            return _rest + (u * Math.Exp(-(now - _epoch) * _invTau));
        }

        double end = _refractoryEnd[j];
        if (_closed ? end >= now : end > now)
        {
            // Still refractory at now (a closed period ending exactly now keeps discarding the inputs of now).
            remaining = end > now ? end - now : double.Epsilon;
            return _rest + _resetU;
        }

        return _rest + (_resetU * Math.Exp(-(now - end) * _invTau));
    }

    public override void Wake(long t, int neuron)
    {
        if (t != _tick)
        {
            BeginTick(t);
        }

        AddCandidate(neuron);
    }

    public override void Accumulate(long t, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, int receptor, float amplitude)
    {
        if (t != _tick)
        {
            BeginTick(t);
        }

        double f = amplitude == 1f ? _factor : _factor * amplitude;
        double bound = _candidateBound;
        double[] u = _u;
        int n = Math.Min(targets.Length, weights.Length);
        ref int t0 = ref MemoryMarshal.GetReference(targets);
        ref float w0 = ref MemoryMarshal.GetReference(weights);

        // u[targets[k]] += weights[k]·f, four at a time: synapse rows are walked without bounds checks (targets and weights
        // have the same length), every target is still checked against u. A target that reaches the tie band of the
        // threshold becomes a candidate for the test at the end of the tick (rare).
        int k = 0;
        for (; k + 4 <= n; k += 4)
        {
            int j0 = Unsafe.Add(ref t0, k);
            int j1 = Unsafe.Add(ref t0, k + 1);
            int j2 = Unsafe.Add(ref t0, k + 2);
            int j3 = Unsafe.Add(ref t0, k + 3);
            double x0 = u[j0] + (Unsafe.Add(ref w0, k) * f);
            u[j0] = x0;
            double x1 = u[j1] + (Unsafe.Add(ref w0, k + 1) * f);
            u[j1] = x1;
            double x2 = u[j2] + (Unsafe.Add(ref w0, k + 2) * f);
            u[j2] = x2;
            double x3 = u[j3] + (Unsafe.Add(ref w0, k + 3) * f);
            u[j3] = x3;
            if ((x0 >= bound) | (x1 >= bound) | (x2 >= bound) | (x3 >= bound))
            {
                AddCandidates(j0, j1, j2, j3, bound);
            }
        }

        for (; k < n; k++)
        {
            int j = Unsafe.Add(ref t0, k);
            double x = u[j] + (Unsafe.Add(ref w0, k) * f);
            u[j] = x;
            if (x >= bound)
            {
                AddCandidate(j);
            }
        }
    }

    private void AddCandidates(int j0, int j1, int j2, int j3, double bound)
    {
        // Tested on the final values: a target listed twice in the four is tested once.
        double[] u = _u;
        if (u[j0] >= bound)
        {
            AddCandidate(j0);
        }

        if (u[j1] >= bound)
        {
            AddCandidate(j1);
        }

        if (u[j2] >= bound)
        {
            AddCandidate(j2);
        }

        if (u[j3] >= bound)
        {
            AddCandidate(j3);
        }
    }

    public override int Flush(SimulationEngine engine, long t)
    {
        int n = _candidateCount;
        _candidateCount = 0;
        if (++_currentStamp == int.MaxValue)
        {
            Array.Clear(_stamp);
            _currentStamp = 1;
        }

        double[] u = _u;
        double bound = _fireBound;
        for (int k = 0; k < n; k++)
        {
            int j = _candidates[k];
            double x = u[j];
            if (_strict ? x > bound : x >= bound)
            {
                engine.EmitSpike(Id, j, t);
                if (_tref > 0)
                {
                    u[j] = double.NegativeInfinity;
                    _refractoryEnd[j] = t + _tref;
                    int slot = _refractoryHead + _refractoryCount;
                    _refractoryQueue[slot >= _refractoryQueue.Length ? slot - _refractoryQueue.Length : slot] = j;
                    _refractoryCount++;
                }
                else
                {
                    u[j] = _resetU * _factor;
                }
            }
        }

        return n;
    }

    /// <summary>
    /// Starts tick <paramref name="t"/>: moves the epoch when the factor would grow too large, ends the refractory periods
    /// that let the inputs of t through (the potential then relaxes from the reset value from the period's end), and computes
    /// the tick's factor and threshold bounds.
    /// </summary>
    private void BeginTick(long t)
    {
        _tick = t;
        if ((t - _epoch) * _invTau > RebaseExponent)
        {
            Rebase(t);
        }

        while (_refractoryCount > 0)
        {
            int j = _refractoryQueue[_refractoryHead];
            double end = _refractoryEnd[j];
            if (_closed ? end >= t : end > t)
            {
                break;
            }

            _u[j] = _resetU * Math.Exp((end - _epoch) * _invTau);
            _refractoryHead = _refractoryHead + 1 == _refractoryQueue.Length ? 0 : _refractoryHead + 1;
            _refractoryCount--;
        }

        _factor = _invTau == 0 ? 1 : Math.Exp((t - _epoch) * _invTau);
        double threshold = _theta * _factor;
        _candidateBound = threshold * (1 - TieBand);
        _fireBound = _strict ? threshold * (1 + TieBand) : _candidateBound;
    }

    /// <summary>Moves the epoch to <paramref name="t"/>: every scaled potential is multiplied by e^{−(t − t₀)/τ}.</summary>
    private void Rebase(long t)
    {
        double f = Math.Exp(-(t - _epoch) * _invTau);
        double[] u = _u;
        if (f == 0)
        {
            for (int j = 0; j < u.Length; j++)
            {
                if (!double.IsNegativeInfinity(u[j]))
                {
                    u[j] = 0;
                }
            }
        }
        else
        {
            for (int j = 0; j < u.Length; j++)
            {
                u[j] *= f;
            }
        }

        _epoch = t;
    }

    private void AddCandidate(int j)
    {
        if (_stamp[j] != _currentStamp)
        {
            _stamp[j] = _currentStamp;
            _candidates[_candidateCount++] = j;
        }
    }

    private void ClearCandidates()
    {
        _candidateCount = 0;
        Array.Clear(_stamp);
        _currentStamp = 1;
    }

    /// <summary>Queues a wake-up now for every neuron that is not refractory and at or above its threshold (an initial state above it).</summary>
    private void WakeAboveThreshold(SimulationEngine engine)
    {
        EventPopulationState st = State;
        long now = engine.QueueNow;
        for (int j = 0; j < _u.Length; j++)
        {
            if (!double.IsNegativeInfinity(_u[j]) && _model.IsAboveThreshold(new NeuronState { V = Potential(j, Math.Max(now, _epoch), out _) }))
            {
                st.WakeTick[j] = now;
                int gen = ++st.WakeGeneration[j];
                if (gen == SweepMark)
                {
                    gen = st.WakeGeneration[j] = 0;
                }

                engine.ScheduleWake(now, Id, j, gen);
            }
        }
    }
}
