using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Learning;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class DiehlCookModelTests
{
    private static NetworkSpec Driven(NeuronModel model, double thetaPlus, double initialTheta = 0)
        => new NetworkBuilder()
            .AddSpikeSource("in", [[.. Enumerable.Range(1, 60).Select(k => SimTime.FromMilliseconds(k * 0.5))]])
            .AddNeurons("n", 1, model, p =>
            {
                if (model == NeuronModel.DiehlCookLif)
                {
                    p.Set("theta_plus", thetaPlus).Set("t_ref", 2).Set("tau_m", 20);
                    if (initialTheta != 0)
                    {
                        p.Initial("theta", initialTheta);
                    }
                }
                else
                {
                    p.Set("tau_m", 20).Set("tau_e", 1).Set("tau_i", 2).Set("v_rest", -65).Set("v_thresh", -52).Set("v_reset", -65).Set("e_inh", -100).Set("t_ref", 2);
                }
            })
            .Connect("in", "n", ConnectivitySpec.OneToOne(), c => c.Weight(1.0).Receptor("e").Delay(SimDuration.FromMicroseconds(100)))
            .Build();

    [Fact]
    public void WithoutAdaptationItIsTheConductanceLifExactly()
    {
        using SimulationEngine a = TestEngines.Event(Driven(NeuronModel.DiehlCookLif, 0));
        using SimulationEngine b = TestEngines.Event(Driven(NeuronModel.CobaLif, 0));
        var sa = new SpikeList();
        var sb = new SpikeList();
        a.AddSpikeMonitor(sa);
        b.AddSpikeMonitor(sb);
        a.RunUntil(SimTime.FromMilliseconds(40L));
        b.RunUntil(SimTime.FromMilliseconds(40L));
        Assert.True(sb.TimesOf(1, 0).Length > 3);
        Assert.Equal(sb.TimesOf(1, 0), sa.TimesOf(1, 0));
        Assert.Equal(b.ReadState(1, 0, 0), a.ReadState(1, 0, 0), 9);
    }

    [Fact]
    public void EverySpikeRaisesTheThresholdByThetaPlus()
    {
        foreach (bool clock in (bool[])[false, true])
        {
            using SimulationEngine e = clock ? TestEngines.Clock(Driven(NeuronModel.DiehlCookLif, 3)) : TestEngines.Event(Driven(NeuronModel.DiehlCookLif, 3));
            var s = new SpikeList();
            e.AddSpikeMonitor(s);
            e.RunUntil(SimTime.FromMilliseconds(40L));
            int spikes = s.TimesOf(1, 0).Length;
            using SimulationEngine plain = TestEngines.Event(Driven(NeuronModel.DiehlCookLif, 0));
            var sp = new SpikeList();
            plain.AddSpikeMonitor(sp);
            plain.RunUntil(SimTime.FromMilliseconds(40L));
            Assert.True(spikes >= 2 && spikes < sp.TimesOf(1, 0).Length, $"adaptation lowers the rate ({spikes} vs {sp.TimesOf(1, 0).Length})");

            // θ decays with τθ = 10⁷ ms: after 40 ms it is the number of spikes times θ₊ to 1e-5.
            Assert.Equal(spikes * 3.0, e.ReadState(1, 0, 3), 3);
        }
    }

    [Fact]
    public void TheThresholdIsVThreshPlusTheta()
    {
        // With θ = 30 mV the neuron's effective threshold is −22 mV, which this drive never reaches.
        using SimulationEngine e = TestEngines.Event(Driven(NeuronModel.DiehlCookLif, 0, initialTheta: 30));
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(40L));
        Assert.Empty(s.TimesOf(1, 0));
        Assert.True(e.ReadState(1, 0, 0) > -52, "the potential passed v_thresh without firing");
    }

    [Fact]
    public void ThetaRelaxesTowardsThetaRest()
    {
        foreach (bool clock in (bool[])[false, true])
        {
            NetworkSpec net = new NetworkBuilder()
                .AddNeurons("n", 1, NeuronModel.DiehlCookLif, p => p.Set("theta_rest", -20).Set("tau_theta", 50).Set("theta_plus", 0).Set("v_rest", -90).Set("v_reset", -90).Initial("theta", 5))
                .Build();
            using SimulationEngine e = clock ? TestEngines.Clock(net) : TestEngines.Event(net);
            e.RunUntil(SimTime.FromMilliseconds(30L));

            // θ(t) = θ_rest + (θ₀ − θ_rest)·e^{−t/τθ}.
            double expected = -20 + (25 * Math.Exp(-30.0 / 50));
            Assert.Equal(expected, e.ReadState(0, 0, 3), clock ? 3 : 9);
        }
    }

    [Fact]
    public void ANegativeThetaRestLowersTheThresholdOfASilentNeuronUntilItFires()
    {
        // v stays at v_rest = −65 mV; the threshold −52 + θ sinks towards −72 mV and meets v when θ = −13 mV,
        // at t = τθ·ln(20/7). With θ_rest = 0 the neuron never fires.
        double tFirst = 20 * Math.Log(20.0 / 7);
        foreach (bool clock in (bool[])[false, true])
        {
            foreach (double rest in (double[])[-20, 0])
            {
                NetworkSpec net = new NetworkBuilder()
                    .AddNeurons("n", 1, NeuronModel.DiehlCookLif, p => p.Set("theta_rest", rest).Set("tau_theta", 20).Set("theta_plus", 0))
                    .Build();
                using SimulationEngine e = clock ? TestEngines.Clock(net) : TestEngines.Event(net);
                var s = new SpikeList();
                e.AddSpikeMonitor(s);
                e.RunUntil(SimTime.FromMilliseconds(40L));
                long[] times = s.TimesOf(0, 0);
                if (rest == 0)
                {
                    Assert.Empty(times);
                }
                else
                {
                    Assert.NotEmpty(times);
                    Assert.InRange(times[0] / 1e6, tFirst - 0.01, tFirst + 0.11);
                }
            }
        }
    }

    [Fact]
    public void EventAndClockExecutionsAgreeOnTheSpikeCount()
    {
        using SimulationEngine ev = TestEngines.Event(Driven(NeuronModel.DiehlCookLif, 0.2));
        using SimulationEngine ck = TestEngines.Clock(Driven(NeuronModel.DiehlCookLif, 0.2), SimDuration.FromMicroseconds(50));
        var a = new SpikeList();
        var b = new SpikeList();
        ev.AddSpikeMonitor(a);
        ck.AddSpikeMonitor(b);
        ev.RunUntil(SimTime.FromMilliseconds(40L));
        ck.RunUntil(SimTime.FromMilliseconds(40L));
        Assert.InRange(b.TimesOf(1, 0).Length - a.TimesOf(1, 0).Length, -1, 1);
        Assert.True(a.TimesOf(1, 0).Length >= 3);
    }

    [Fact]
    public void EventAndClockExecutionsAgreeWhenTheMembraneIntegratesDuringTheRefractoryPeriod()
    {
        // refractory_v = integrate with a drive that brings v over the threshold within the refractory period: both
        // executions fire again as the period ends, so the intervals equal t_ref (event: exactly; clock: to one step).
        static NetworkSpec Net() => new NetworkBuilder()
            .AddSpikeSource("in", [[.. Enumerable.Range(1, 80).Select(k => SimTime.FromMilliseconds(k * 0.5))]])
            .AddNeurons("n", 1, NeuronModel.DiehlCookLif, p => p.Set("theta_plus", 0).Set("t_ref", 5).Set("refractory_v", 1))
            .Connect("in", "n", ConnectivitySpec.OneToOne(), c => c.Weight(5).Receptor("e").Delay(SimDuration.FromMicroseconds(100)))
            .Build();
        using SimulationEngine ev = TestEngines.Event(Net());
        using SimulationEngine ck = TestEngines.Clock(Net(), SimDuration.FromMicroseconds(50));
        var a = new SpikeList();
        var b = new SpikeList();
        ev.AddSpikeMonitor(a);
        ck.AddSpikeMonitor(b);
        ev.RunUntil(SimTime.FromMilliseconds(40L));
        ck.RunUntil(SimTime.FromMilliseconds(40L));
        long[] te = a.TimesOf(1, 0);
        long[] tc = b.TimesOf(1, 0);
        Assert.True(te.Length >= 4, $"{te.Length} spikes");
        Assert.InRange(tc.Length - te.Length, -1, 1);
        long tRef = Units.Ms(5);
        long step = SimDuration.FromMicroseconds(50).Ticks;
        Assert.Contains(te.Zip(te.Skip(1), (x, y) => y - x), d => d == tRef);
        Assert.All(te.Zip(te.Skip(1), (x, y) => y - x), d => Assert.True(d >= tRef));
        Assert.Contains(tc.Zip(tc.Skip(1), (x, y) => y - x), d => Math.Abs(d - tRef) <= step);
    }
}

public class LabelAssignmentTests
{
    [Fact]
    public void NeuronsTakeTheClassOfTheirHighestMeanResponse()
    {
        var la = new LabelAssignment(3, 3);
        la.Add([4, 0, 0], 0);
        la.Add([2, 0, 1], 0);
        la.Add([1, 5, 0], 1);
        la.Add([0, 0, 0], 2);
        la.Add([0, 1, 3], 2);
        int[] a = la.Assign();

        // neuron 0: means 3, 1, 0 → class 0; neuron 1: 0, 5, 0.5 → 1; neuron 2: 0.5, 0, 1.5 → 2.
        Assert.Equal([0, 1, 2], a);
        Assert.Equal(1, LabelAssignment.Predict([1, 4, 2], a, 3));
        Assert.Equal(-1, LabelAssignment.Predict([0, 0, 0], a, 3));
    }

    [Fact]
    public void SilentNeuronsAreUnassignedAndTiesGoToTheLowerClass()
    {
        var la = new LabelAssignment(2, 2);
        la.Add([0, 2], 0);
        la.Add([0, 2], 1);
        Assert.Equal([-1, 0], la.Assign());
        Assert.Throws<ArgumentException>(() => la.Add([1], 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => la.Add([1, 1], 2));
    }
}

public class DiehlCookNetworkTests
{
    private static readonly DiehlCookOptions Small = new() { Neurons = 8, Inputs = 16, Seed = 11, MaxBoosts = 3 };

    /// <summary>Four 4×4 bar patterns (rows and columns).</summary>
    private static float[] Pattern(int k)
    {
        float[] p = new float[16];
        for (int i = 0; i < 4; i++)
        {
            p[k < 2 ? (k * 2 * 4) + i : (i * 4) + ((k - 2) * 2)] = 1;
        }

        return p;
    }

    [Fact]
    public void SameSeedSameLearnedState()
    {
        using var a = new DiehlCookNetwork(Small);
        using var b = new DiehlCookNetwork(Small);
        for (int k = 0; k < 6; k++)
        {
            a.Present(Pattern(k % 4), learn: true);
            b.Present(Pattern(k % 4), learn: true);
        }

        Assert.Equal(a.Weights, b.Weights);
        Assert.Equal(a.Theta, b.Theta);
        Assert.Contains(a.Theta.Take(8), t => t > 0);
    }

    [Fact]
    public void ResumingFromACheckpointContinuesIdentically()
    {
        // Strong input with long input delays: neurons fire during the rests, and those spikes count towards the next
        // presentation, so the checkpoint must carry them.
        DiehlCookOptions o = Small with { MaxRateHz = 400, InputDelayMax = SimDuration.FromMilliseconds(20L) };
        using var full = new DiehlCookNetwork(o);
        var counts = new List<int[]>();
        for (int k = 0; k < 6; k++)
        {
            counts.Add(full.Present(Pattern(k % 4), learn: true, sequence: k).ToArray());
        }

        using var first = new DiehlCookNetwork(o);
        for (int k = 0; k < 3; k++)
        {
            first.Present(Pattern(k % 4), learn: true, sequence: k);
        }

        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            first.Save(w);
        }

        ms.Position = 0;
        using var resumed = new DiehlCookNetwork(o);
        using (var r = new BinaryReader(ms))
        {
            resumed.Load(r);
        }

        for (int k = 3; k < 6; k++)
        {
            Assert.Equal(counts[k], resumed.Present(Pattern(k % 4), learn: true, sequence: k).ToArray());
        }

        Assert.Equal(full.Weights, resumed.Weights);
        Assert.Equal(full.Theta.Take(8), resumed.Theta.Take(8));
    }

    [Fact]
    public void WeightsStayNormalisedAndFrozenPresentationsDoNotLearn()
    {
        using var net = new DiehlCookNetwork(Small);
        for (int k = 0; k < 4; k++)
        {
            net.Present(Pattern(k), learn: true);
        }

        float[] before = [.. net.Weights];
        float[] theta = [.. net.Theta];
        ReadOnlySpan<int> counts = net.Present(Pattern(0), learn: false);
        Assert.Equal(8, counts.Length);
        Assert.Equal(before, net.Weights);
        Assert.Equal(theta, net.Theta);

        // Each excitatory neuron's input weights summed to 78 at the start of the last learning presentation; STDP moves
        // them by at most ν_post per post spike per synapse.
        for (int j = 0; j < 8; j++)
        {
            double sum = Enumerable.Range(0, 16).Sum(i => (double)before[(i * 8) + j]);
            Assert.InRange(sum, 0, 78 + (16 * 0.01 * 50));
        }
    }

    [Fact]
    public void TheRestIsSimulatedAndThetaSinksTowardsMinusTheOffset()
    {
        // A blank image drives nothing: no neuron fires, every presentation (no boosts) lasts 350 ms + 150 ms of rest,
        // and θ relaxes from 0 towards −ThetaOffset with τθ over the whole simulated time, rest included.
        DiehlCookOptions o = Small with { MaxBoosts = 0, TauThetaMs = 2000 };
        using var net = new DiehlCookNetwork(o);
        float[] blank = new float[16];
        net.Present(blank, learn: true);
        net.Present(blank, learn: true);
        Assert.Equal(SimTime.FromMilliseconds(1000L), net.Now);
        double expected = -20 * (1 - Math.Exp(-1000.0 / 2000));
        Assert.All(net.Theta.Take(8), t => Assert.Equal(expected, t, 0.005)); // float steps

        // Frozen presentations keep θ (and take their own simulated time).
        float[] theta = [.. net.Theta.Take(8)];
        net.Present(blank, learn: false);
        Assert.Equal(theta, net.Theta.Take(8));
        Assert.Equal(SimTime.FromMilliseconds(1000L), net.Now);

        // Without the offset θ stays at 0.
        using var plain = new DiehlCookNetwork(o with { ThetaOffset = 0 });
        plain.Present(blank, learn: true);
        Assert.All(plain.Theta.Take(8), t => Assert.Equal(0f, t));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(o with { ThetaOffset = -1 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(o with { ThetaPlus = -0.05 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(o with { ThetaPlus = double.NaN }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new DiehlCookNetwork(o with { TauThetaMs = 0 }));
    }

    [Fact]
    public void ThetaDecaysByItsClosedFormAtThePapersTimeConstant()
    {
        // τθ = 10⁷ ms: per 0.5 ms step θ − θ_rest changes by a relative 5·10⁻⁸, which float32 state cannot hold (a
        // per-step decay in the clock columns loses 20 mV × 5.96·10⁻⁸ rounded to one ulp of 20, 1.9·10⁻⁶ mV, each step:
        // about twice the decay). After two blank examples (1000 ms) θ must be −20·(1 − e^{−1000/10⁷}).
        DiehlCookOptions o = Small with { MaxBoosts = 0 };
        Assert.Equal(1e7, o.TauThetaMs);
        using var net = new DiehlCookNetwork(o);
        float[] blank = new float[16];
        net.Present(blank, learn: true);
        net.Present(blank, learn: true);
        double expected = -20 * (1 - Math.Exp(-1000.0 / 1e7));
        Assert.All(net.Theta.Take(8), t => Assert.Equal(expected, t, 1e-7));
    }

    [Fact]
    public void BoostedRepeatsEachTakeAPresentationAndARest()
    {
        // A blank image never reaches 5 spikes: it is presented 1 + MaxBoosts times, each followed by its rest.
        using var net = new DiehlCookNetwork(Small);
        net.Present(new float[16], learn: true);
        Assert.Equal(1 + Small.MaxBoosts, net.Presentations);
        Assert.Equal(SimTime.FromMilliseconds(500L * (1 + Small.MaxBoosts)), net.Now);
    }

    [Fact]
    public void BadCheckpointsAreRejectedWithAClearMessage()
    {
        using var net = new DiehlCookNetwork(Small);
        using var ms = new MemoryStream();
        using (var w = new BinaryWriter(ms, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            w.Write(9);
            w.Write(16);
        }

        ms.Position = 0;
        using var r = new BinaryReader(ms);
        Assert.Contains("9 neurons", Assert.Throws<InvalidDataException>(() => net.Load(r)).Message);
        Assert.Throws<ArgumentException>(() => net.Present(new float[5], learn: true));
    }
}
