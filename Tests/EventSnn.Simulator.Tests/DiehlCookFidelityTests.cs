using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Learning;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>The points where the Diehl &amp; Cook network follows the original Brian 1 code, each checked by hand.</summary>
public class DiehlCookFidelityTests
{
    private static readonly DiehlCookOptions Small = new() { Neurons = 8, Inputs = 16, Seed = 11, MaxBoosts = 3 };

    [Fact]
    public void TripletRuleCanCountPresynapticSpikesAtTheirArrival()
    {
        // One synapse with a 4 ms delay. Pre spikes at 10 and 27 ms arrive at 14 and 31 ms; post spikes at 20 and 30 ms.
        // Arrival semantics (Brian 1's STDP on a delayed connection): at the post spike of 30 ms r1 = e^{-(30-14)/20} (the
        // spike of 27 ms has not arrived), o2(t-ε) = e^{-10/40}; the arrival at 31 ms depresses by ν_pre·o1 = ν_pre·e^{-1/20}.
        const double nuPre = 0.01;
        const double nuPost = 0.1;
        TripletStdpSpec rule = TripletStdpSpec.DiehlCook2015(nuPre, nuPost, 10) with { PreAtArrival = true };
        long[] pre = [Units.Ms(10), Units.Ms(27)];
        long[] post = [Units.Ms(20), Units.Ms(30)];
        double expected = 0.5 + (nuPost * Math.Exp(-16.0 / 20) * Math.Exp(-10.0 / 40)) - (nuPre * Math.Exp(-1.0 / 20));
        Assert.Equal(expected, Run(rule, pre, post), 6);

        // At the spike (the default): r1 at 30 ms comes from the spike of 27 ms, and the depression at 27 ms sees o1 = e^{-7/20}.
        double atSpike = 0.5 + (nuPost * Math.Exp(-3.0 / 20) * Math.Exp(-10.0 / 40)) - (nuPre * Math.Exp(-7.0 / 20));
        Assert.Equal(atSpike, Run(rule with { PreAtArrival = false }, pre, post), 6);
    }

    private static double Run(TripletStdpSpec rule, long[] pre, long[] post)
    {
        const long driveDelay = 1_000_000;
        NetworkSpec net = new NetworkBuilder()
            .AddSpikeSource("pre", [TestTime.Ticks(pre)])
            .AddSpikeSource("drive", [TestTime.Ticks([.. post.Select(t => t - driveDelay)])])
            .AddNeurons("post", 1, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromTicks(driveDelay)))
            .Connect("pre", "post", ConnectivitySpec.AllToAll(), c => c.Weight(0.5).Delay(SimDuration.FromMilliseconds(4L)).Plasticity(rule))
            .Build();
        using SimulationEngine e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(40L));
        Assert.Equal(post, s.TimesOf(2, 0));
        return e.GetSynapses(1).Weights[0];
    }

    [Fact]
    public void ArrivalSemanticsAreRejectedOnConvolutions()
    {
        TripletStdpSpec rule = TripletStdpSpec.DiehlCook2015() with { PreAtArrival = true };
        Assert.False(rule.SupportsSharedKernel);
        Assert.True(TripletStdpSpec.DiehlCook2015().SupportsSharedKernel);
    }

    private static (double V, double Ge, double Gi) OneStep(int method, double v0, double ge0, double gi0)
    {
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("n", 1, NeuronModel.DiehlCookLif, p => p
                .Set("clock_method", method)
                .Initial("v", v0).Initial("ge", ge0).Initial("gi", gi0)
                .ClockDriven(SimDuration.FromMicroseconds(500)))
            .Build();
        using var e = new SimulationEngine(net, new EngineOptions());
        e.RunUntil(SimTime.FromMicroseconds(500));
        return (e.ReadState(0, 0, 0), e.ReadState(0, 0, 1), e.ReadState(0, 0, 2));
    }

    [Fact]
    public void ForwardEulerStepIsBrianOnesUpdate()
    {
        // τm 100 ms, τe 1 ms, τi 2 ms, v_rest −65, e_exc 0, e_inh −100, dt 0.5 ms; every derivative at the step's start.
        (double v, double ge, double gi) = OneStep(1, -60, 2, 1);
        double dv = (-65 - -60) + (2 * (0 - -60)) + (1 * (-100 - -60));
        Assert.Equal(-60 + (0.5 / 100 * dv), v, 4);
        Assert.Equal(2 * (1 - (0.5 / 1)), ge, 6);
        Assert.Equal(1 * (1 - (0.5 / 2)), gi, 6);
    }

    [Fact]
    public void EulerConductancesKeepTheExponentialEulerVoltageStep()
    {
        (double v, double ge, double gi) = OneStep(2, -60, 2, 1);
        double g = 1 + 2 + 1;
        double vinf = (-65 + (2 * 0) + (1 * -100)) / g;
        Assert.Equal(vinf + ((-60 - vinf) * Math.Exp(-g * 0.5 / 100)), v, 4);
        Assert.Equal(1.0, ge, 6);
        Assert.Equal(0.75, gi, 6);

        // The default keeps the exact conductance decay.
        (_, double ge0, double gi0) = OneStep(0, -60, 2, 1);
        Assert.Equal(2 * Math.Exp(-0.5), ge0, 5);
        Assert.Equal(Math.Exp(-0.25), gi0, 5);
    }

    [Fact]
    public void TheExcitatoryMembraneIntegratesDuringTheRefractoryPeriodAsInBrianOne()
    {
        // Brian 1 holds v at the reset during the refractory period only when the reset is a value; Diehl & Cook's excitatory
        // reset is code, so v integrates from −65 mV at once and only the spikes of the next 5 ms are discarded
        // (DiehlCookOptions.Refractory = "integrate", the default; "hold" holds v). Neuron 0
        // fires, neuron 1 (threshold out of reach) is put at the reset value in the same step: with the same conductances
        // both must then follow the same v, and neuron 0 must fire again exactly when its period ends although v crossed
        // the threshold earlier.
        int refractoryV = DiehlCookLif.Info.ParameterIndex("refractory_v");
        Assert.Equal(0, DiehlCookNetwork.Build(Small with { Refractory = "hold" }, learn: true).Population("exc").Parameters[refractoryV]);
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(Small with { Refractory = "clamp" }));
        NetworkSpec spec = DiehlCookNetwork.Build(Small, learn: false);
        PopulationSpec excSpec = spec.Population("exc");
        Assert.Equal(1, excSpec.Parameters[refractoryV]);
        double tRef = excSpec.Parameters[DiehlCookLif.Info.ParameterIndex("t_ref")];
        long dt = Small.Dt.Ticks;
        long refSteps = (long)Math.Round(Units.MsToTicks(tRef) / dt);
        Assert.Equal(10, refSteps);

        foreach (string mode in (string[])["integrate", "hold"])
        {
            NetworkSpec net = new NetworkBuilder()
                .AddSpikeSource("in", [[.. Enumerable.Range(1, 200).Select(k => SimTime.FromTicks(k * dt))]])
                .AddNeurons("n", 2, NeuronModel.DiehlCookLif, p => p
                    .Set("theta_plus", 0).Set("refractory_v", mode == "integrate" ? 1 : 0).Set("clock_method", 2)
                    .Threshold(ThresholdComparison.Greater)
                    .ClockDriven(Small.Dt))
                .Connect("in", "n", ConnectivitySpec.AllToAll(), c => c.Weight(5).Receptor("e").Delay(Small.Dt))
                .Build();
            using var e = new SimulationEngine(net, new EngineOptions());
            var s = new SpikeList();
            e.AddSpikeMonitor(s);
            int n = net.Population("n").Id;
            var st = (State.ClockPopulationState)e.GetPopulationState(n)!;
            st.Columns[3][1] = 1000f; // neuron 1 never fires
            e.PushPopulationState(n);
            long t = 0;
            while (s.TimesOf(n, 0).Length == 0)
            {
                t += dt;
                e.RunUntil(SimTime.FromTicks(t));
            }

            st = (State.ClockPopulationState)e.GetPopulationState(n)!;
            double vThresh = -52;
            Assert.Equal(-65f, st.Columns[0][0]);
            Assert.Equal(st.Columns[1][0], st.Columns[1][1]); // same conductance
            st.Columns[0][1] = -65f;
            e.PushPopulationState(n);
            bool crossed = false;
            for (long k = 1; k <= refSteps; k++)
            {
                e.RunUntil(SimTime.FromTicks(t + (k * dt)));
                st = (State.ClockPopulationState)e.GetPopulationState(n)!;
                float v0 = st.Columns[0][0];
                float v1 = st.Columns[0][1];
                if (k < refSteps)
                {
                    Assert.Single(s.TimesOf(n, 0)); // no spike inside the period
                    if (mode == "integrate")
                    {
                        Assert.Equal(v1, v0);
                    }
                    else
                    {
                        Assert.Equal(-65f, v0);
                    }

                    crossed |= v1 > vThresh;
                }
            }

            if (mode == "integrate")
            {
                // The drive crosses the threshold within the period; the next spike is the period's end.
                Assert.True(crossed);
                Assert.Equal(t + (refSteps * dt), s.TimesOf(n, 0)[1]);
            }
            else
            {
                Assert.Single(s.TimesOf(n, 0));
            }
        }
    }

    [Fact]
    public void InputSynapsesHaveBrianOnesRandomDelaysAndInitialWeights()
    {
        // Delays: one step plus k whole steps, k uniform in 0..19 (Brian 1 truncates U[0, 10 ms) to steps); weights
        // (u + 0.01)·0.3.
        using var net = new DiehlCookNetwork(Small with { Neurons = 50, Inputs = 100 });
        long dt = Small.Dt.Ticks;
        long[] d = net.InputDelays;
        Assert.Equal(5000, d.Length);
        Assert.All(d, x => Assert.True(x % dt == 0 && x >= dt && x <= 20 * dt, $"delay {x}"));
        int[] histogram = new int[21];
        foreach (long x in d)
        {
            histogram[x / dt]++;
        }

        // 5000 draws over 20 values: each count near 250 (σ ≈ 15.4).
        Assert.All(histogram.Skip(1), c => Assert.InRange(c, 170, 330));

        using var none = new DiehlCookNetwork(Small with { InputDelayMax = SimDuration.Zero });
        Assert.All(none.InputDelays, x => Assert.Equal(dt, x));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(Small with { InputDelayMax = SimDuration.FromMicroseconds(700) }));

        // The drawn weights (u + 0.01)·0.3 are normalised to 78 per neuron when the network is built: within a neuron the
        // ratio of any weight to the largest lies in [0.01/1.01, 1].
        using var fresh = new DiehlCookNetwork(Small with { Neurons = 50, Inputs = 100 });
        float[] w = fresh.Weights;
        for (int j = 0; j < 50; j++)
        {
            float[] column = [.. Enumerable.Range(0, 100).Select(i => w[(i * 50) + j])];
            Assert.Equal(78, column.Sum(), 3);
            Assert.All(column, x => Assert.InRange(x / column.Max(), (0.01 / 1.01) - 1e-6, 1 + 1e-6));
        }
    }

    [Fact]
    public void InhibitionLatencyDependsOnTheInhibitoryExecution()
    {
        // Brian 1 (zero-delay connections, update → threshold → propagate in each step): an excitatory spike at step n makes
        // its inhibitory partner fire at step n + 1 (its Euler step jumps 31 mV). Clock-driven with one-step delays the
        // partner fires at the end of step n + 2; event-driven with one-tick delays it fires at its exact crossing, about
        // 0.5 ms after the excitatory spike, and inhibits one step earlier than the clock-driven layer.
        foreach (bool eventDriven in (bool[])[true, false])
        {
            NetworkSpec spec = DiehlCookNetwork.Build(Small with { Inhibition = eventDriven ? "event" : "clock" }, learn: true);
            using var e = new SimulationEngine(spec, new EngineOptions());
            var s = new SpikeList();
            e.AddSpikeMonitor(s);
            int exc = spec.Population("exc").Id;
            int inh = spec.Population("inh").Id;
            e.RunUntil(SimTime.FromMilliseconds(1L));

            // Drive neuron 0 straight into a spike: set its membrane above threshold.
            var st = (State.ClockPopulationState)e.GetPopulationState(exc)!;
            st.Columns[0][0] = -40f;
            e.RunUntil(SimTime.FromMilliseconds(10L));
            long te = s.TimesOf(exc, 0)[0];
            long ti = s.TimesOf(inh, 0)[0];
            long dt = Small.Dt.Ticks;
            long recurrent = e.GetSynapses(spec.Projection("inh->exc").Id).MaxDelay;
            if (eventDriven)
            {
                Assert.InRange(ti - te, dt + 1, (2 * dt) - 1);
                Assert.Equal(1, recurrent);
            }
            else
            {
                Assert.Equal(2 * dt, ti - te);
                Assert.Equal(dt, recurrent);
            }
        }
    }

    [Theory]
    [InlineData("direct", 2)]
    [InlineData("clock", 4)]
    [InlineData("event", 3)]
    public void OtherNeuronsIntegrateTheInhibitionFromTheStepBrianOneDoes(string inhibition, int firstStep)
    {
        // Brian 1 (zero-delay connections; update → threshold → propagate per step): excitatory spike at step n → inhibitory
        // partner fires at n + 1 → the other excitatory neurons integrate gi from step n + 2. The default reproduces that;
        // the clock-driven inhibitory layer reaches them at n + 4, the event-driven one at n + 3.
        Assert.Equal("direct", new DiehlCookOptions().Inhibition);
        long dt = Small.Dt.Ticks;
        float[] withSpike = MembraneOfNeuronOne(inhibition, spike: true, firstStep + 1, out long te);
        float[] without = MembraneOfNeuronOne(inhibition, spike: false, firstStep + 1, out _);
        Assert.Equal(0, te % dt);
        for (int k = 1; k < firstStep; k++)
        {
            Assert.Equal(without[k], withSpike[k]);
        }

        Assert.True(withSpike[firstStep] < without[firstStep] - 0.1f, $"step n + {firstStep}: {withSpike[firstStep]} vs {without[firstStep]} mV");
    }

    [Fact]
    public void TheClockDrivenInhibitoryLayerIsARelayOfOneSpikePerExcitatorySpike()
    {
        // What lets the default replace the layer by a direct projection: every excitatory spike of a presentation makes its
        // partner fire exactly once, two steps later (the clock-driven form of Brian 1's next-step spike), and nothing else
        // makes it fire.
        using var net = new DiehlCookNetwork(Small with { Inhibition = "clock", Neurons = 20, Inputs = 64, InputDelayMax = SimDuration.Zero });
        NetworkSpec spec = net.TrainSpec;
        using var e = new SimulationEngine(spec, new EngineOptions());
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        int exc = spec.Population("exc").Id;
        int inh = spec.Population("inh").Id;
        var rng = new Random(5);
        for (int i = 0; i < 64; i++)
        {
            for (long t = rng.Next(0, 2000); t < Units.Ms(300); t += Units.Ms(3) + rng.Next(0, 4000))
            {
                e.InjectEvent(SimTime.FromTicks(t), spec.Population("input").Id, i);
            }
        }

        e.RunUntil(SimTime.FromMilliseconds(400L));
        int total = 0;
        for (int j = 0; j < 20; j++)
        {
            long[] te = [.. s.TimesOf(exc, j)];
            long[] ti = [.. s.TimesOf(inh, j)];
            Assert.Equal(te.Select(t => t + (2 * Small.Dt.Ticks)), ti);
            total += te.Length;
        }

        Assert.True(total >= 20, $"only {total} excitatory spikes");
    }

    /// <summary>v of excitatory neuron 1 at the ends of steps n … n + <paramref name="steps"/> after neuron 0's spike at step n.</summary>
    private static float[] MembraneOfNeuronOne(string inhibition, bool spike, int steps, out long te)
    {
        NetworkSpec spec = DiehlCookNetwork.Build(Small with { Inhibition = inhibition }, learn: true);
        using var e = new SimulationEngine(spec, new EngineOptions());
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        int exc = spec.Population("exc").Id;
        long dt = Small.Dt.Ticks;
        e.RunUntil(SimTime.FromMilliseconds(1L));
        var st = (State.ClockPopulationState)e.GetPopulationState(exc)!;
        st.Columns[0][1] = -60f;
        if (spike)
        {
            st.Columns[0][0] = -40f;
        }

        te = SimTime.FromMilliseconds(1L).Ticks + dt; // the forced spike is the next step's
        var v = new float[steps + 1];
        for (int k = 0; k <= steps; k++)
        {
            e.RunUntil(SimTime.FromTicks(te + (k * dt)));
            v[k] = ((State.ClockPopulationState)e.GetPopulationState(exc)!).Columns[0][1];
        }

        if (spike)
        {
            Assert.Equal(te, s.TimesOf(exc, 0)[0]);
        }

        return v;
    }
}

/// <summary>How the network counts a presentation's spikes: as Diehl &amp; Cook's SpikeCounter differences.</summary>
public class DiehlCookSpikeCountTests
{
    // Strong input and long input delays: input spikes still arrive during the rest, so neurons fire there.
    private static readonly DiehlCookOptions Options = new()
    {
        Neurons = 8,
        Inputs = 16,
        Seed = 11,
        MaxBoosts = 3,
        MaxRateHz = 400,
        InputDelayMax = SimDuration.FromMilliseconds(20L),
    };

    private static float[] Pattern(int k)
    {
        float[] p = new float[16];
        for (int i = 0; i < 4; i++)
        {
            p[k < 2 ? (k * 2 * 4) + i : (i * 4) + ((k - 2) * 2)] = 1;
        }

        return p;
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void APresentationCountsTheSpikesSinceThePreviousPresentationEnded(bool learn)
    {
        // The original reads a SpikeCounter after every presentation (before its rest) and takes the difference to the
        // previous reading: the spikes of the rest before a presentation belong to it, in the "< 5 spikes" check and in
        // the recorded response. Expected counts are computed from the spike times of the same network.
        using var net = new DiehlCookNetwork(Options);
        var spikes = new SpikeList();
        net.AddSpikeMonitor(spikes, learn);
        int exc = net.TrainSpec.Population("exc").Id;
        long presentation = Options.Presentation.Ticks;
        long rest = Options.Rest.Ticks;
        long step = presentation + rest;
        long previousEnd = 0; // the end of the previous presentation (the first one counts from the start)
        long now = 0;
        int restSpikesCounted = 0;
        for (int k = 0; k < 8; k++)
        {
            long presentationsBefore = net.Presentations;
            int[] counts = net.Present(Pattern(k % 4), learn, sequence: k).ToArray();
            long used = net.Presentations - presentationsBefore;
            now += used * step;
            long end = now - rest; // the end of the final presentation

            // Every presentation of this example, in order: windows (end of the previous presentation, its own end].
            for (long p = 0; p < used; p++)
            {
                long pEnd = end - ((used - 1 - p) * step);
                int[] expected = new int[Options.Neurons];
                foreach (var (t, pop, neuron) in spikes.Spikes)
                {
                    if (pop == exc && t >= previousEnd && t < pEnd)
                    {
                        expected[neuron]++;
                        restSpikesCounted += t < pEnd - presentation ? 1 : 0;
                    }
                }

                if (p < used - 1)
                {
                    Assert.True(expected.Sum() < Options.MinSpikes, $"example {k}: presentation {p} was repeated with {expected.Sum()} spikes");
                }
                else
                {
                    Assert.Equal(expected, counts);
                    Assert.True(expected.Sum() >= Options.MinSpikes || used == 1 + Options.MaxBoosts);
                }

                previousEnd = pEnd;
            }
        }

        // The case must arise: spikes fired during a rest counted towards the next presentation.
        Assert.True(restSpikesCounted > 0, "no spike fell into a rest");
    }
}
