using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class DeliveryTests
{
    // A LIF at rest with no leak drive: an input of 20 mV takes it from -65 to -45 ≥ -50, so it spikes exactly on arrival.
    private static NetworkBuilder Relay(long[] sourceTimes, long delay, double weight = 20, double trefMs = 0, ResetMode reset = ResetMode.ToValue, ThresholdComparison cmp = ThresholdComparison.GreaterOrEqual)
        => new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(sourceTimes)])
            .AddNeurons("n", 1, NeuronModel.Lif, p => p.Set("t_ref", trefMs).Reset(reset).Threshold(cmp))
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(weight).Delay(SimDuration.FromTicks(delay)));

    private static (SimulationEngine, SpikeList) Run(NetworkSpec net, long until)
    {
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromTicks(until));
        return (e, s);
    }

    [Theory]
    [InlineData(1L)]
    [InlineData(1_000L)]
    [InlineData(1_234_567L)]
    public void SpikeAtTArrivesAtTPlusD(long d)
    {
        long t0 = 3_000_001;
        var (_, s) = Run(Relay([t0], d).Build(), t0 + d + 10);
        Assert.Equal([t0], s.TimesOf(0, 0));
        Assert.Equal([t0 + d], s.TimesOf(1, 0));
    }

    [Fact]
    public void TwoSpikesInFlightOnOneSynapseBothArrive()
    {
        long d = Units.Ms(5);
        long[] src = [Units.Ms(1), Units.Ms(2), Units.Ms(2) + 7];
        var (_, s) = Run(Relay(src, d).Build(), Units.Ms(10));
        Assert.Equal(src.Select(t => t + d).ToArray(), s.TimesOf(1, 0));
    }

    [Fact]
    public void RandomDelaysAreDeliveredAtTheirOwnTimes()
    {
        const int N = 50;
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [TestTime.Ticks(1000L)])
            .AddNeurons("n", N, NeuronModel.Lif)
            .Connect("src", "n", ConnectivitySpec.AllToAll(), c => c.Weight(20).DelayUniform(SimDuration.FromTicks(1), SimDuration.FromTicks(10_000), seed: 9))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromTicks(20_000));
        var table = e.GetSynapses(0);
        for (int g = 0; g < table.GroupCount; g++)
        {
            foreach (int j in table.GroupTargets(g))
            {
                Assert.Equal([1000 + table.GroupDelay[g]], s.TimesOf(1, j));
            }
        }

        // Spikes are emitted in non-decreasing time.
        Assert.True(s.Spikes.Zip(s.Spikes.Skip(1)).All(p => p.First.T <= p.Second.T));
    }

    [Fact]
    public void InputsDuringRefractoryAreDiscardedAndVIsFrozen()
    {
        long d = 1000;
        long tref = Units.Ms(2);
        long[] src = [0, Units.Ms(1), Units.Ms(2) + 1];
        var (e, s) = Run(Relay(src, d, trefMs: 2).Build(), Units.Ms(5));

        // Spike at d; the input at 1 ms + d falls inside [d, d + 2 ms) and is ignored; the input at 2 ms + 1 + d is after it.
        Assert.Equal([d, src[2] + d], s.TimesOf(1, 0));
        Assert.True(src[2] + d >= d + tref);
    }

    [Fact]
    public void ResetToValue()
    {
        var (e, s) = Run(Relay([0], 1000, weight: 30).Build(), 1000);
        Assert.Single(s.TimesOf(1, 0));
        Assert.Equal(-65.0, e.ReadState(1, 0, 0));
    }

    [Fact]
    public void ResetSubtractKeepsOvershoot()
    {
        // -65 + 30 = -35 ≥ -50: spike, v ← -35 − (−50 − (−65)) = -50 ≥ -50: spike again at the same tick, v ← -65.
        var (e, s) = Run(Relay([0], 1000, weight: 30, reset: ResetMode.Subtract).Build(), 1000);
        Assert.Equal([1000L, 1000L], s.TimesOf(1, 0));
        Assert.Equal(-65.0, e.ReadState(1, 0, 0));

        var (e2, s2) = Run(Relay([0], 1000, weight: 20, reset: ResetMode.Subtract).Build(), 1000);
        Assert.Equal([1000L], s2.TimesOf(1, 0));
        Assert.Equal(-65.0 + 20.0 - 15.0, e2.ReadState(1, 0, 0), 12);
    }

    [Fact]
    public void ResetNoneLeavesVAndFiresOncePerRefractoryPeriodWhileAbove()
    {
        // With no leak drive the potential decays back below threshold: v(t) = -65 + 20·e^{−t/20ms} ≥ -50 while t ≤ 20·ln(20/15) ms.
        var net = Relay([0], 1000, weight: 20, trefMs: 1, reset: ResetMode.None).Build();
        var (e, s) = Run(net, Units.Ms(20));
        double above = 20e6 * Math.Log(20.0 / 15.0);

        // Spikes at 1000, then whenever refractoriness ends (v frozen while refractory, so it is still above): every 1 ms.
        long[] t = s.TimesOf(1, 0);
        Assert.Equal(1000, t[0]);
        for (int k = 1; k < t.Length; k++)
        {
            Assert.Equal(t[k - 1] + Units.Ms(1), t[k]);
        }

        // v only decays while not refractory: the neuron stays above for `above` ticks of free time.
        int expected = (int)Math.Floor(above / Units.Ms(1)) + 1;
        Assert.Equal(expected, t.Length);
    }

    [Theory]
    [InlineData(ThresholdComparison.GreaterOrEqual, 1)]
    [InlineData(ThresholdComparison.Greater, 0)]
    public void ExactlyAtThreshold(ThresholdComparison cmp, int expectedSpikes)
    {
        // -65 + 15 = -50 exactly (all values exact in binary floating point).
        var (e, s) = Run(Relay([0], 1000, weight: 15, cmp: cmp).Build(), 1000);
        Assert.Equal(expectedSpikes, s.TimesOf(1, 0).Length);
        Assert.Equal(expectedSpikes == 1 ? -65.0 : -50.0, e.ReadState(1, 0, 0));
    }

    [Fact]
    public void RecurrentLoopKeepsCirculating()
    {
        // A ring of 3 neurons: each spike triggers the next after 1 ms.
        var net = new NetworkBuilder()
            .AddSpikeSource("kick", [TestTime.Ticks(0L)])
            .AddNeurons("ring", 3, NeuronModel.Lif)
            .Connect("kick", "ring", ConnectivitySpec.Explicit([0], [0]), c => c.Weight(20).Delay(SimDuration.FromMilliseconds(1)))
            .Connect("ring", "ring", ConnectivitySpec.Explicit([0, 1, 2], [1, 2, 0]), c => c.Weight(20).Delay(SimDuration.FromMilliseconds(1)))
            .Build();
        var (_, s) = Run(net, Units.Ms(10));
        var ring = s.Spikes.Where(x => x.Pop == 1).ToArray();
        Assert.Equal(10, ring.Length);
        for (int k = 0; k < ring.Length; k++)
        {
            Assert.Equal(Units.Ms(k + 1), ring[k].T);
            Assert.Equal(k % 3, ring[k].Neuron);
        }
    }

    [Fact]
    public void ExternalEventsFanOutAndLateEventsAreRejected()
    {
        var net = new NetworkBuilder()
            .AddExternalInput("dvs", new PopulationShape(2, 4, 5))
            .AddNeurons("n", new PopulationShape(2, 4, 5), NeuronModel.Lif)
            .Connect("dvs", "n", ConnectivitySpec.OneToOne(), c => c.Weight(20).Delay(SimDuration.FromTicks(10)))
            .Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        using var batch = new EventSnn.Events.EventBatch(8);
        batch.Add(5, 3, 2, 1);
        batch.Add(7, 4, 3, 0);
        batch.Add(9, 9, 9, 0); // outside the 5×4 sensor
        int skipped = Inputs.ExternalEventMap.Inject(e, 0, batch);
        Assert.Equal(1, skipped);
        e.RunUntil(SimTime.FromMicroseconds(100L));
        Assert.Equal([5000L + 10], s.TimesOf(1, ((1 * 4) + 2) * 5 + 3));
        Assert.Equal([7000L + 10], s.TimesOf(1, ((0 * 4) + 3) * 5 + 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.InjectEvent(SimTime.FromMicroseconds(99L), 0, 0));
        Assert.Throws<ArgumentException>(() => e.InjectEvent(SimTime.FromMicroseconds(200L), 1, 0));
    }
}
