using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class StdpTests
{
    private const double APlus = 0.01;
    private const double AMinus = 0.012;
    private const double TauPlus = 16.8;
    private const double TauMinus = 33.7;

    // A pre source and a post "driver" source make the post neuron spike exactly when wanted (weight 20 ⇒ immediate spike).
    private static float RunPair(long tPre, long tPost, float w0, ConnectivitySpec plasticConn, double wMax = 1.0)
    {
        long d = 1000;
        var net = new NetworkBuilder()
            .AddSpikeSource("pre", [TestTime.Ticks(tPre)])
            .AddSpikeSource("drive", [TestTime.Ticks(tPost - d)])
            .AddNeurons("post", 1, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(20).Delay(SimDuration.FromTicks(d)))
            .Connect("pre", "post", plasticConn, c => c.Named("plastic").Weight(w0).Delay(SimDuration.FromTicks(5)).Stdp(new StdpSpec(APlus, AMinus, TauPlus, TauMinus, 0, wMax)))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromTicks(Math.Max(tPre, tPost) + Units.Ms(1)));
        Assert.Equal([tPost], s.TimesOf(2, 0));
        return e.GetSynapses(1).Weights[0];
    }

    [Theory]
    [InlineData(1_000_000L, 11_000_000L)]
    [InlineData(5_000_000L, 5_000_100L)]
    [InlineData(2_000_000L, 40_000_000L)]
    public void PreBeforePostPotentiatesByClosedForm(long tPre, long tPost)
    {
        const float w0 = 0.5f;
        double expected = w0 + (APlus * Math.Exp(-(tPost - tPre) / (TauPlus * 1e6)));
        Assert.Equal((float)expected, RunPair(tPre, tPost, w0, ConnectivitySpec.AllToAll()), 6);
        Assert.Equal((float)expected, RunPair(tPre, tPost, w0, ConnectivitySpec.FixedProbability(1.0, 3)), 6);
    }

    [Theory]
    [InlineData(11_000_000L, 1_000_000L)]
    [InlineData(5_000_100L, 5_000_000L)]
    public void PostBeforePreDepressesByClosedForm(long tPre, long tPost)
    {
        const float w0 = 0.5f;
        double expected = w0 - (AMinus * Math.Exp(-(tPre - tPost) / (TauMinus * 1e6)));
        Assert.Equal((float)expected, RunPair(tPre, tPost, w0, ConnectivitySpec.Explicit([0], [0])), 6);
    }

    [Fact]
    public void HardBoundsClip()
    {
        Assert.Equal(0.5f, RunPair(1_000_000, 1_000_100, 0.499f, ConnectivitySpec.AllToAll(), wMax: 0.5));
        Assert.Equal(0f, RunPair(1_000_100, 1_000_000, 0.001f, ConnectivitySpec.AllToAll()));
    }

    [Fact]
    public void TraceModesDifferAsDefined()
    {
        // Two pre spikes 5 ms apart then a post spike 10 ms after the second: additive sums both, nearest keeps the last.
        var trace = new Plasticity.SynapticTrace(1, 20e6, TraceMode.Additive);
        trace.OnSpike(0, 0);
        trace.OnSpike(0, 5_000_000);
        Assert.Equal(Math.Exp(-15.0 / 20) + Math.Exp(-10.0 / 20), trace.At(0, 15_000_000), 14);
        var nearest = new Plasticity.SynapticTrace(1, 20e6, TraceMode.Nearest);
        nearest.OnSpike(0, 0);
        nearest.OnSpike(0, 5_000_000);
        Assert.Equal(Math.Exp(-10.0 / 20), nearest.At(0, 15_000_000), 14);
    }
}

public class StdpBothEnginesTests
{
    [Theory]
    [InlineData(1_000_000L, 11_000_000L)]
    [InlineData(11_000_000L, 1_000_000L)]
    [InlineData(4_000_000L, 4_300_000L)]
    public void GridAlignedPairGivesTheClosedFormInBothEngines(long tPre, long tPost)
    {
        const double aPlus = 0.01;
        const double aMinus = 0.012;
        const float w0 = 0.5f;
        long d = 100_000;
        var net = new NetworkBuilder()
            .AddSpikeSource("pre", [TestTime.Ticks(tPre)])
            .AddSpikeSource("drive", [TestTime.Ticks(tPost - d)])
            .AddNeurons("post", 1, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(20).Delay(SimDuration.FromTicks(d)))
            .Connect("pre", "post", ConnectivitySpec.AllToAll(), c => c.Named("plastic").Weight(w0).Delay(SimDuration.FromTicks(d)).Stdp(new StdpSpec(aPlus, aMinus, 20, 30, 0, 1)))
            .Build();
        double dt = tPost - tPre;
        double expected = dt > 0 ? w0 + (aPlus * Math.Exp(-dt / 20e6)) : w0 - (aMinus * Math.Exp(dt / 30e6));

        var ev = TestEngines.Event(net);
        ev.RunUntil(SimTime.FromMilliseconds(20L));
        using var clock = TestEngines.Clock(net);
        var cs = new SpikeList();
        clock.AddSpikeMonitor(cs);
        clock.RunUntil(SimTime.FromMilliseconds(20L));
        Assert.Equal([tPost], cs.TimesOf(2, 0));
        Assert.Equal((float)expected, ev.GetSynapses(1).Weights[0], 6);
        Assert.Equal((float)expected, clock.GetSynapses(1).Weights[0], 6);
    }
}
