using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// Plastic deliveries with arrival semantics into a clock-driven population wait in per-step buckets and act just before
/// their step: the weights must equal a per-synapse replay of the rule, and the spikes and weights those of the queued path.
/// </summary>
public class DeferredDeliveryTests
{
    private const int Inputs = 12;
    private const int Outputs = 5;
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(500);
    private static readonly long[] DelaysUs = [500, 700, 1000, 1300, 2000, 3500, 5000];

    public static TheoryData<string> Rules => ["nearest", "all-to-all"];

    internal static TripletStdpSpec Rule(string name) => name == "nearest"
        ? TripletStdpSpec.DiehlCook2015(0.004, 0.05, 1) with { PreAtArrival = true }
        : new TripletStdpSpec(0.004, 0.02, 0.003, 0.002, 16.8, 33.7, 101, 125, 0, 1) { PreAtArrival = true };

    internal static NetworkSpec Build(TripletStdpSpec rule, bool withStaticNeighbour, ulong seed = 7)
    {
        var rng = new Xoshiro256(seed);
        var trains = new SimTime[Inputs][];
        for (int i = 0; i < Inputs; i++)
        {
            var times = new List<SimTime>();
            long t = 0;
            while (true)
            {
                // Poisson at 120 Hz on arbitrary ticks (not on the clock grid).
                t += 1 + (long)(-Math.Log(rng.NextDoubleNonZero()) * (Units.TicksPerSecond / 120.0));
                if (t >= Units.Ms(300))
                {
                    break;
                }

                times.Add(SimTime.FromTicks(t));
            }

            trains[i] = [.. times];
        }

        var pre = new List<int>();
        var post = new List<int>();
        var w = new List<float>();
        var d = new List<SimDuration>();
        for (int i = 0; i < Inputs; i++)
        {
            for (int j = 0; j < Outputs; j++)
            {
                pre.Add(i);
                post.Add(j);
                w.Add((float)(0.3 + (0.7 * rng.NextDouble())));
                d.Add(SimDuration.FromMicroseconds(DelaysUs[rng.NextBelow((ulong)DelaysUs.Length)]));
            }
        }

        NetworkBuilder b = new NetworkBuilder()
            .AddSpikeSource("in", trains)
            .AddNeurons("out", Outputs, NeuronModel.DiehlCookLif, p => p.Set("theta_plus", 0).Set("v_thresh", -60).ClockDriven(Dt))
            .Connect("in", "out", ConnectivitySpec.Explicit([.. pre], [.. post], [.. w], [.. d]), c => c.Receptor("e").Plasticity(rule));
        if (withStaticNeighbour)
        {
            // A silent static projection onto the same receptor: the deliveries of the plastic one then go through the queue.
            b.AddSpikeSource("silent", [Array.Empty<SimTime>()])
                .Connect("silent", "out", ConnectivitySpec.AllToAll(), c => c.Weight(0).Delay(Dt).Receptor("e"));
        }

        return b.Build();
    }

    private static (SpikeList Spikes, float[] Weights, SimulationEngine Engine) Run(NetworkSpec net, long until)
    {
        var e = new SimulationEngine(net, new EngineOptions());
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromTicks(until));
        return (s, [.. e.GetSynapses(0).Weights], e);
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void DeferredDeliveriesEqualAPerSynapseReplayOfTheRule(string name)
    {
        TripletStdpSpec rule = Rule(name);
        NetworkSpec net = Build(rule, withStaticNeighbour: false);
        using var e = new SimulationEngine(net, new EngineOptions());
        Assert.True(e.DefersDeliveries(0));
        SynapseTable tb = e.GetSynapses(0);
        float[] w0 = [.. tb.Weights];
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(320L));
        float[] w = e.GetSynapses(0).Weights;

        // Replay every synapse on its own: arrivals t_pre + d, postsynaptic spikes; an arrival at the tick of a
        // postsynaptic spike comes first (it is part of the step that spikes).
        int changed = 0;
        int posts = 0;
        for (int i = 0; i < Inputs; i++)
        {
            long[] preTimes = s.TimesOf(0, i);
            for (int g = tb.SourceGroupStart[i]; g < tb.SourceGroupStart[i + 1]; g++)
            {
                for (int k = tb.GroupStart[g]; k < tb.GroupStart[g + 1]; k++)
                {
                    long[] postTimes = s.TimesOf(1, tb.Targets[k]);
                    posts += postTimes.Length;
                    float expected = Replay(rule, w0[k], [.. preTimes.Select(t => t + tb.GroupDelay[g])], postTimes);
                    Assert.True(Math.Abs(expected - w[k]) <= 2e-5, $"synapse {k} ({i}→{tb.Targets[k]}, delay {tb.GroupDelay[g]}): {w[k]} instead of {expected}");
                    changed += Math.Abs(w[k] - w0[k]) > 1e-3 ? 1 : 0;
                }
            }
        }

        Assert.True(posts > 10 * Inputs, $"only {posts / Inputs} postsynaptic spikes");
        Assert.True(changed > Inputs * Outputs / 2, $"only {changed} weights changed");
    }

    /// <summary>The triplet rule with arrival semantics on one synapse, straight from its definition.</summary>
    private static float Replay(TripletStdpSpec r, float w, long[] arrivals, long[] posts)
    {
        var r1 = new Trace(r.TauPlusMs, r.Mode);
        var r2 = new Trace(r.TauXMs, r.Mode);
        var o1 = new Trace(r.TauMinusMs, r.Mode);
        var o2 = new Trace(r.TauYMs, r.Mode);
        int a = 0;
        int p = 0;
        while (a < arrivals.Length || p < posts.Length)
        {
            if (p >= posts.Length || (a < arrivals.Length && arrivals[a] <= posts[p]))
            {
                long t = arrivals[a++];
                double o = o1.At(t);
                if (o != 0)
                {
                    w = Math.Clamp((float)(w - ((r.A2Minus + (r.A3Minus * r2.At(t))) * o)), (float)r.WMin, (float)r.WMax);
                }

                r1.Spike(t);
                r2.Spike(t);
            }
            else
            {
                long t = posts[p++];
                double x = r1.At(t);
                if (x != 0)
                {
                    w = Math.Clamp((float)(w + ((r.A2Plus + (r.A3Plus * o2.At(t))) * x)), (float)r.WMin, (float)r.WMax);
                }

                o1.Spike(t);
                o2.Spike(t);
            }
        }

        return w;
    }

    private sealed class Trace(double tauMs, TraceMode mode)
    {
        private readonly double _tau = tauMs * Units.TicksPerSecond / 1000;
        private double _x;
        private long _last;

        public double At(long t) => _x == 0 ? 0 : _x * Math.Exp(-(t - _last) / _tau);

        public void Spike(long t)
        {
            _x = mode == TraceMode.Nearest ? 1 : At(t) + 1;
            _last = t;
        }
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void DeferredAndQueuedDeliveriesGiveIdenticalSpikesAndWeights(string name)
    {
        TripletStdpSpec rule = Rule(name);
        long until = Units.Ms(320);
        (SpikeList s1, float[] w1, SimulationEngine e1) = Run(Build(rule, withStaticNeighbour: false), until);
        (SpikeList s2, float[] w2, SimulationEngine e2) = Run(Build(rule, withStaticNeighbour: true), until);
        using (e1)
        using (e2)
        {
            Assert.True(e1.DefersDeliveries(0));
            Assert.False(e2.DefersDeliveries(0));
            Assert.Equal(e2.Statistics.Deliveries, e1.Statistics.Deliveries);
        }

        Assert.True(s1.Spikes.Count(x => x.Pop == 1) > 50);
        Assert.Equal(s2.Spikes.Where(x => x.Pop != 2), s1.Spikes);
        Assert.Equal(w2, w1); // bit for bit
    }

    [Fact]
    public void SavingWithDeliveriesInFlightResumesIdentically()
    {
        TripletStdpSpec rule = Rule("all-to-all");
        NetworkSpec net = Build(rule, withStaticNeighbour: false);
        long mid = Units.Ms(123) + 137_000; // between two steps, with deliveries in flight
        long end = Units.Ms(320);
        (SpikeList whole, float[] wWhole, SimulationEngine e0) = Run(net, end);
        e0.Dispose();

        using var first = new SimulationEngine(net, new EngineOptions());
        first.RunUntil(SimTime.FromTicks(mid));
        Assert.True(first.PendingEvents > Inputs);
        using var ms = new MemoryStream();
        first.Save(ms);
        ms.Position = 0;
        using var second = new SimulationEngine(net, new EngineOptions());
        second.Restore(ms);
        Assert.Equal(first.PendingEvents, second.PendingEvents);
        var s = new SpikeList();
        second.AddSpikeMonitor(s);
        second.RunUntil(SimTime.FromTicks(end));
        Assert.Equal(whole.Spikes.Where(x => x.T > mid), s.Spikes);
        Assert.Equal(wWhole, second.GetSynapses(0).Weights);

        // Restoring and saving again gives the same bytes (deferred deliveries are saved as the queued ones they stand for).
        ms.Position = 0;
        using var third = new SimulationEngine(net, new EngineOptions());
        third.Restore(ms);
        using var again = new MemoryStream();
        third.Save(again);
        Assert.Equal(ms.ToArray(), again.ToArray());
    }
}

/// <summary>The deferred-delivery path allocates nothing per step once its buckets have grown.</summary>
[Collection(Clock.AllocationMeasurements.Name)]
public class DeferredDeliveryAllocationTests
{
    [Fact]
    public void DeferredDeliveriesAllocateNothingPerStep()
    {
        NetworkSpec net = DeferredDeliveryTests.Build(DeferredDeliveryTests.Rule("all-to-all"), withStaticNeighbour: false);
        using var engine = new SimulationEngine(net, new EngineOptions());
        Assert.True(engine.DefersDeliveries(0));
        engine.RunUntil(SimTime.FromMilliseconds(100L));
        using var saved = new MemoryStream();
        engine.Save(saved);
        long delivered = engine.Statistics.Deliveries;
        engine.RunUntil(SimTime.FromMilliseconds(300L));
        delivered = engine.Statistics.Deliveries - delivered;

        long allocated = TestEngines.AllocatedOnReplay(engine, saved, SimTime.FromMilliseconds(300L));

        Assert.True(delivered > 500, $"only {delivered} deliveries");
        Assert.Equal(0, allocated);
    }
}
