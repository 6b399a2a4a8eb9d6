using EventSnn.Devices.Lanes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// CUBA LIF with the library's shortcuts switched off: the same dynamics (it delegates to <see cref="CubaLif"/>), but
/// crossings found by the generic <see cref="CrossingSearch"/> scan instead of the power-form root isolation, and unknown to
/// <see cref="EventHints"/> (no input-direction narrowing or skipping). The reference the shortcuts are checked against.
/// </summary>
internal readonly struct ReferenceCubaLif : ISearchableModel<ReferenceCubaLif>
{
    private readonly CubaLif _m;

    private ReferenceCubaLif(CubaLif m) => _m = m;

    public static NeuronModelInfo Info { get; } = CubaLif.Info with { Name = "cuba_lif_reference" };

    public NeuronState InitialState => _m.InitialState;

    public double RefractoryTicks => _m.RefractoryTicks;

    public double Threshold => _m.Threshold;

    public double StepTicks => _m.StepTicks;

    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules) => CubaLif.Validate(parameters, rules);

    public static ReferenceCubaLif Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(CubaLif.Create(parameters, rules));

    public ReferenceCubaLif WithTimeStep(double dtTicks) => new(_m.WithTimeStep(dtTicks));

    public void AdvanceFree(ref NeuronState state, double dt) => _m.AdvanceFree(ref state, dt);

    public void AdvanceRefractory(ref NeuronState state, double dt) => _m.AdvanceRefractory(ref state, dt);

    public void ApplyInput(ref NeuronState state, int receptor, double weight) => _m.ApplyInput(ref state, receptor, weight);

    public bool IsAboveThreshold(in NeuronState state) => _m.IsAboveThreshold(state);

    public void Reset(ref NeuronState state) => _m.Reset(ref state);

    public double FindCrossing(in NeuronState state, double horizon, out double recheck) => CrossingSearch.Find(this, state, horizon, out recheck);

    public double Derivative(in NeuronState state) => _m.Derivative(state);

    public bool CanReachThreshold(in NeuronState state) => _m.CanReachThreshold(state);

    public double SafeTime(in NeuronState state) => _m.SafeTime(state);

    public double ScanStep(in NeuronState state) => _m.ScanStep(state);

    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
        => _m.StepClock<TLane, TMask>(ref neuron, input0, input1);
}

/// <summary>
/// The event-driven shortcuts (power-form crossing search of CUBA LIF, narrowing a re-prediction to before the previous
/// crossing after inputs that can only raise the trajectory, keeping the previous prediction as a re-check point after
/// inputs that can only lower it) give what the unoptimised path gives: adversarial states (mixed-sign currents,
/// starts exactly at threshold, grazing trajectories) and whole networks with mixed-sign simultaneous inputs.
/// </summary>
public sealed class PredictionShortcutTests
{
    private const double Ms = 1e6;
    private const double Horizon = 200 * Ms;

    private static CubaLif Cuba(ThresholdComparison comparison, double vRest = -49)
    {
        double[] p = [20, 5, 10, vRest, -50, -60, 0, 5];
        return CubaLif.Create(p, new SpikeRules(ResetMode.ToValue, comparison, RefractoryEnd.HalfOpen));
    }

    /// <summary>The first crossing within <paramref name="horizon"/> by the engine's loop (re-checks followed).</summary>
    private static double Crossing<TModel>(in TModel model, NeuronState s, double horizon)
        where TModel : struct, INeuronModel<TModel>
    {
        double t = 0;
        for (int k = 0; k < 100_000 && t < horizon; k++)
        {
            double delta = model.FindCrossing(s, horizon - t, out double recheck);
            if (double.IsFinite(delta))
            {
                return t + delta <= horizon ? t + delta : double.PositiveInfinity;
            }

            if (double.IsPositiveInfinity(recheck))
            {
                return double.PositiveInfinity;
            }

            double step = Math.Max(1, Math.Floor(recheck));
            ExactSteps.Advance(model, ref s, step);
            t += step;
        }

        return double.PositiveInfinity;
    }

    private static IEnumerable<NeuronState> AdversarialStates(int seed, int count)
    {
        var rng = new Random(seed);

        // Exactly at threshold with rising, flat and falling currents; just below; grazing from below.
        foreach (double ie in new[] { -5.0, 0, 5 })
        {
            yield return new NeuronState { V = -50, S1 = ie };
            yield return new NeuronState { V = Math.BitDecrement(-50.0), S1 = ie };
        }

        yield return new NeuronState { V = -60, S1 = 0, S2 = 0 };
        for (int k = 0; k < count; k++)
        {
            // Mixed-sign currents: strong excitation against strong inhibition makes rise-then-fall and fall-then-rise shapes.
            yield return new NeuronState
            {
                V = -60 + (10 * rng.NextDouble()),
                S1 = -10 + (50 * rng.NextDouble()),
                S2 = -60 + (70 * rng.NextDouble()),
            };
        }
    }

    [Theory]
    [InlineData(ThresholdComparison.Greater)]
    [InlineData(ThresholdComparison.GreaterOrEqual)]
    public void Power_form_crossing_equals_the_generic_scan(ThresholdComparison comparison)
    {
        foreach (double vRest in new[] { -49.0, -55 })
        {
            CubaLif fast = Cuba(comparison, vRest);
            Assert.True(fast.UsesPowerForm);
            ReferenceCubaLif slow = ReferenceCubaLif.Create([20, 5, 10, vRest, -50, -60, 0, 5], new SpikeRules(ResetMode.ToValue, comparison, RefractoryEnd.HalfOpen));
            int crossings = 0;
            foreach (NeuronState s in AdversarialStates(11, 400))
            {
                double a = Crossing(fast, s, Horizon);
                double b = Crossing(slow, s, Horizon);
                string where = $"v={s.V:R} ie={s.S1:R} ii={s.S2:R} rest={vRest}: power {a:R}, scan {b:R}";
                if (double.IsFinite(a) || double.IsFinite(b))
                {
                    crossings++;
                    Assert.True(Math.Abs(a - b) <= 1e-5 * (1 + Math.Min(a, b)), where);
                }
            }

            Assert.True(crossings > 15, $"only {crossings} crossings");
        }
    }

    [Theory]
    [InlineData(-49.0)]
    [InlineData(-60.0)]
    [InlineData(-55.0)]
    public void Vectorised_lazy_recheck_is_bit_identical_to_the_scalar_one(double vRest)
    {
        // The eight horizons tested together must give the scalar loop's result to the bit: states placed exactly on the
        // bound's threshold at each horizon (±3 ulps of the potential and ±40 of the excitatory current around the point where
        // the bound equals the threshold less its rounding margin), mixed-sign currents (a negative current does not count
        // in the bound), potentials at and around the threshold, and random states.
        CubaLif m = Cuba(ThresholdComparison.Greater, vRest);
        double vinf = vRest;
        double vt = -50;
        double c = vt - vinf;
        var states = new List<NeuronState>();
        var rng = new Random(17);
        foreach (NeuronState s in AdversarialStates(13, 2000))
        {
            states.Add(s);
        }

        foreach (double v in new[] { vt, Math.BitDecrement(vt), Math.BitIncrement(vt), vinf, -60, -80 })
        {
            foreach (double ie in new[] { -20.0, 0, 0.5, 10, 40 })
            {
                states.Add(new NeuronState { V = v, S1 = ie, S2 = -ie });
                states.Add(new NeuronState { V = v, S1 = -ie, S2 = ie });
            }
        }

        for (int k = 0; k < 8; k++)
        {
            double e = m.LazyFactor(k);
            for (int r = 0; r < 12; r++)
            {
                // b above the threshold, a solving a·e + b·(1 − e) = c − eps (eps depends on a: iterate); the bound rises
                // from a to b, so it stays below at the horizons before k.
                double b = Math.Max(0, c) + 0.5 + ((r < 6 ? 2 : 30) * rng.NextDouble());
                double a = c - 1;
                for (int it = 0; it < 8; it++)
                {
                    double eps = 1e-12 * (Math.Abs(a) + Math.Abs(b) + Math.Abs(c));
                    a = (c - eps - (b * (1 - e))) / e;
                }

                double split = r % 3 == 0 ? 0 : 5 * rng.NextDouble();
                for (int da = -3; da <= 3; da++)
                {
                    for (int db = -40; db <= 40; db++)
                    {
                        double v = Ulps(vinf + a, da);
                        double ib = Ulps(b, db);

                        // The bound's b is ie⁺ + ii⁺: all on one receptor, split over both, or beside a negative current.
                        states.Add(new NeuronState { V = v, S1 = ib, S2 = r % 2 == 0 ? -split : 0 });
                        states.Add(new NeuronState { V = v, S1 = ib - split, S2 = split });
                        states.Add(new NeuronState { V = v, S1 = -split, S2 = ib });
                    }
                }
            }
        }

        var outcomes = new HashSet<double>();
        int ties = 0;
        foreach (NeuronState s in states)
        {
            double scalar = m.LazyRecheckScalar(s);
            double vector = m.LazyRecheckVector(s);
            Assert.True(
                BitConverter.DoubleToInt64Bits(scalar) == BitConverter.DoubleToInt64Bits(vector),
                $"v={s.V:R} ie={s.S1:R} ii={s.S2:R}: scalar {scalar:R}, vector {vector:R}");
            outcomes.Add(scalar);
            ties += IsTie(m, s, vinf, vt) ? 1 : 0;
        }

        // Every outcome occurs (0, each of the eight horizons, and never when the bound stays below), and some states sit
        // exactly on the bound's threshold at a horizon; for v_rest above the threshold the bound can never stay below.
        int expected = c > 0 ? 10 : 9;
        Assert.True(outcomes.Count >= expected, $"only {outcomes.Count} distinct outcomes: {string.Join(", ", outcomes)}");
        Assert.True(ties > 10, $"only {ties} states exactly on the bound's threshold ({states.Count} states)");
    }

    /// <summary>Whether the bound of some horizon lands exactly on the threshold less its margin (the comparison's tie).</summary>
    private static bool IsTie(in CubaLif m, in NeuronState s, double vinf, double vt)
    {
        double a = s.V - vinf;
        double b = Math.Max(0, s.S1) + Math.Max(0, s.S2);
        double c = vt - vinf;
        double eps = 1e-12 * (Math.Abs(a) + Math.Abs(b) + Math.Abs(c));
        for (int k = 0; k < 8; k++)
        {
            double e = m.LazyFactor(k);
            if ((a * e) + (b * (1 - e)) == c - eps)
            {
                return true;
            }
        }

        return false;
    }

    private static double Ulps(double x, int n)
    {
        for (; n > 0; n--)
        {
            x = Math.BitIncrement(x);
        }

        for (; n < 0; n++)
        {
            x = Math.BitDecrement(x);
        }

        return x;
    }

    [Fact]
    public void Narrowed_search_after_raising_inputs_equals_the_full_search()
    {
        CubaLif m = Cuba(ThresholdComparison.Greater);
        var rng = new Random(5);
        int narrowed = 0;
        foreach (NeuronState s0 in AdversarialStates(12, 400))
        {
            double c0 = m.FindCrossing(s0, Horizon, out _);
            if (!double.IsFinite(c0) || c0 == 0)
            {
                continue;
            }

            // Inputs a CUBA neuron can receive at one tick that can only raise it: excitation, or nothing on one receptor.
            double we = rng.NextDouble() < 0.2 ? 0 : 3 * rng.NextDouble();
            double wi = 0;
            Assert.Equal(1, CubaLif.InputDirection(we, wi));
            NeuronState s1 = s0;
            m.ApplyInput(ref s1, 0, we);
            double full = m.FindCrossing(s1, Horizon, out _);
            double quick = m.FindCrossing(s1, Horizon, c0, out _);
            Assert.True(full <= c0 + 1e-9, $"raising input moved the crossing later: {c0:R} → {full:R}");
            Assert.True(Math.Abs(full - quick) <= 1e-6 * (1 + full), $"v={s0.V:R} ie={s0.S1:R} ii={s0.S2:R} we={we:R}: full {full:R}, narrowed {quick:R}");
            narrowed++;
        }

        Assert.True(narrowed > 50, $"only {narrowed} narrowed searches");
    }

    [Fact]
    public void Input_directions_bound_the_trajectories()
    {
        // CUBA: the sign of the summed weights decides; mixed signs are unknown (0).
        Assert.Equal(1, CubaLif.InputDirection(2, 0));
        Assert.Equal(-1, CubaLif.InputDirection(0, -3));
        Assert.Equal(0, CubaLif.InputDirection(2, -3));
        Check(Cuba(ThresholdComparison.Greater), 21, (m, s, a, b) => CubaLif.InputDirection(a, b), signedInhibition: true);

        // COBA: conductances; the direction depends on where v lies relative to the reversal potentials.
        double[] p = [20, 5, 10, -60, -50, -60, 0, -80, 20, 5];
        CobaLif coba = CobaLif.Create(p, new SpikeRules(ResetMode.ToValue, ThresholdComparison.Greater, RefractoryEnd.HalfOpen));
        Check(coba, 22, (m, s, a, b) => m.InputDirection(s, a, b), signedInhibition: false);
    }

    private static void Check<TModel>(TModel m, int seed, Func<TModel, NeuronState, double, double, int> direction, bool signedInhibition)
        where TModel : struct, INeuronModel<TModel>
    {
        var rng = new Random(seed);
        int up = 0, down = 0;
        for (int trial = 0; trial < 300; trial++)
        {
            var s = new NeuronState { V = -75 + (30 * rng.NextDouble()), S1 = 2 * rng.NextDouble(), S2 = 3 * rng.NextDouble() };
            if (signedInhibition)
            {
                s.S2 = -s.S2;
            }

            double a = rng.NextDouble() < 0.4 ? 0 : rng.NextDouble();
            double b = rng.NextDouble() < 0.4 ? 0 : 2 * rng.NextDouble() * (signedInhibition ? -1 : 1);
            int d = direction(m, s, a, b);
            if (d == 0)
            {
                continue;
            }

            NeuronState with = s, without = s;
            m.ApplyInput(ref with, 0, a);
            m.ApplyInput(ref with, 1, b);
            for (int k = 1; k <= 60; k++)
            {
                ExactSteps.Advance(m, ref with, 0.5 * Ms);
                ExactSteps.Advance(m, ref without, 0.5 * Ms);
                double diff = with.V - without.V;
                Assert.True(d * diff >= -1e-9, $"trial {trial}: direction {d} but v differs by {diff:R} at {k * 0.5} ms");
            }

            if (d > 0)
            {
                up++;
            }
            else
            {
                down++;
            }
        }

        Assert.True(up > 20 && down > 20, $"directions seen: {up} up, {down} down");
    }

    /// <summary>
    /// A recurrent CUBA network with mixed-sign weights, many simultaneous inputs (grid-aligned Poisson drive and a shared
    /// delay) and neurons starting at threshold, run event-driven with the shortcuts and with the reference model.
    /// </summary>
    private static NetworkSpec Network(NeuronModel model, ThresholdComparison comparison, RefractoryEnd end)
    {
        double[] v0 = new double[120];
        var rng = new Random(3);
        for (int j = 0; j < v0.Length; j++)
        {
            v0[j] = j % 10 == 0 ? -50 : -60 + (10 * rng.NextDouble());
        }

        return new NetworkBuilder()
            .AddSpikeSource("drive", [.. Enumerable.Range(0, 40).Select(k => Enumerable.Range(1, 60).Select(i => SimTime.FromMicroseconds(100L * (1 + ((i * 37 + k * 11) % 400)))).Distinct().Order().ToArray())])
            .AddNeurons("n", 120, model, o => o.Set("v_rest", -49).Set("t_ref", 2).Threshold(comparison).RefractoryEnd(end).InitialPerNeuron("v", v0).EventDriven())
            .Connect("drive", "n", ConnectivitySpec.FixedProbability(0.3, 7), c => c.Named("drive-e").Weight(3).Receptor("e").Delay(SimDuration.FromMicroseconds(100)))
            .Connect("drive", "n", ConnectivitySpec.FixedProbability(0.2, 8), c => c.Named("drive-i").Weight(-2.5).Receptor("i").Delay(SimDuration.FromMicroseconds(100)))
            .Connect("n", "n", ConnectivitySpec.FixedProbability(0.1, 9), c => c.Named("rec-e").Weight(0.8).Receptor("e").Delay(SimDuration.FromMicroseconds(200)))
            .Connect("n", "n", ConnectivitySpec.FixedProbability(0.1, 10), c => c.Named("rec-i").Weight(-1.2).Receptor("i").Delay(SimDuration.FromMicroseconds(200)))
            .Build();
    }

    [Theory]
    [InlineData(ThresholdComparison.Greater, RefractoryEnd.HalfOpen)]
    [InlineData(ThresholdComparison.GreaterOrEqual, RefractoryEnd.Closed)]
    public void Networks_spike_as_with_the_unoptimised_path(ThresholdComparison comparison, RefractoryEnd end)
    {
        List<(long T, int Pop, int Neuron)> Run(NeuronModel model)
        {
            using SimulationEngine e = TestEngines.Event(Network(model, comparison, end));
            var spikes = new SpikeList();
            e.AddSpikeMonitor(spikes);
            e.RunUntil(SimTime.FromMilliseconds(150L));
            return spikes.Spikes;
        }

        List<(long T, int Pop, int Neuron)> fast = Run(NeuronModel.CubaLif);
        List<(long T, int Pop, int Neuron)> reference = Run(NeuronModel.For<ReferenceCubaLif>());
        Assert.True(fast.Count(s => s.Pop == 1) > 100, $"only {fast.Count(s => s.Pop == 1)} neuron spikes");
        Assert.Equal(reference, fast);
    }

    [Fact]
    public void Statistics_count_the_work_of_a_known_network()
    {
        // Three source spikes, each delivered to two neurons far below threshold: three deliveries, six synaptic events,
        // six neuron updates (one per target and tick), no wake-ups (the neurons never reach threshold).
        NetworkSpec spec = new NetworkBuilder()
            .AddSpikeSource("s", [[SimTime.FromMilliseconds(1L), SimTime.FromMilliseconds(2L), SimTime.FromMilliseconds(3L)]])
            .AddNeurons("n", 2, NeuronModel.CubaLif, o => o.Set("v_rest", -70).EventDriven())
            .Connect("s", "n", ConnectivitySpec.AllToAll(), c => c.Weight(0.5).Receptor("e").Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
        using SimulationEngine e = TestEngines.Event(spec);
        e.RunUntil(SimTime.FromMilliseconds(10L));
        EngineStatistics st = e.Statistics;
        int sources = spec.Populations[0].SpikeTimes[0].Length;
        int targets = spec.Populations[1].Size;
        Assert.Equal(sources, st.Deliveries);
        Assert.Equal(sources * targets, st.SynapticEvents);
        Assert.Equal(sources * targets, st.NeuronUpdates);
        Assert.Equal(0, st.WakeUps);
        Assert.Equal(e.EventCount, st.Deliveries + st.WakeUps + st.StaleWakeUps + sources);
    }
}
