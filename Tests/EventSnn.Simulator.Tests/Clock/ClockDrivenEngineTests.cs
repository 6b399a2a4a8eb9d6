using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Clock;

[Collection(AllocationMeasurements.Name)]
public sealed class ClockDrivenEngineTests
{
    private static readonly SimDuration s_dt = SimDuration.FromMicroseconds(100);

    /// <summary>
    /// External input → 40 LIF neurons (1 ms) → 12 LIF neurons (2 ms), positive voltage-jump synapses, refractory 2 ms.
    /// With no drive (i_offset 0, rest below threshold) neurons can only cross threshold at an input time.
    /// </summary>
    private static NetworkSpec FeedForward() => new NetworkBuilder()
        .AddExternalInput("in", PopulationShape.Linear(20))
        .AddNeurons("a", 40, NeuronModel.Lif, p => p.Set("tau_m", 15).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -70).Set("t_ref", 2).InitialUniform("v", -70, -55, seed: 4))
        .AddNeurons("b", 12, NeuronModel.Lif, p => p.Set("tau_m", 25).Set("v_rest", -65).Set("v_thresh", -52).Set("v_reset", -65).Set("t_ref", 2))
        .Connect("in", "a", ConnectivitySpec.FixedProbability(0.3, seed: 11), c => c.WeightUniform(2, 8, seed: 12).Delay(SimDuration.FromTicks(1_000_000)))
        .Connect("a", "b", ConnectivitySpec.FixedProbability(0.4, seed: 13), c => c.Weight(4.5).Delay(SimDuration.FromTicks(2_000_000)))
        .Build();

    private static List<(long T, int Pop, int Neuron)> Sorted(SpikeList s) => [.. s.Spikes.OrderBy(x => x.T).ThenBy(x => x.Pop).ThenBy(x => x.Neuron)];

    /// <summary>
    /// The accumulated float32 rounding of a clock-driven state of magnitude ≤ <paramref name="magnitude"/> under a
    /// propagator contracting by e^{-dt/τ} per step: each step adds at most 4 ulps (2^-22 relative), so the error stays
    /// below 2^-22·magnitude / (1 − e^{-dt/τ}).
    /// </summary>
    private static double Float32Bound(double magnitude, double tauMs) => Math.Pow(2, -22) * magnitude / (1 - Math.Exp(-0.1 / tauMs));

    [Fact]
    public void EventAndClockAgreeOnGridAlignedInputs()
    {
        // Inputs and delays are on the 0.1 ms grid and the Lif propagator is exact, so the clock-driven state at every
        // grid time equals the event-driven state up to rounding: float32 in clock mode, where each step adds at most a
        // few ulps of |v| and the propagator contracts older errors by e^{-dt/tau}; crossings happen only at input times,
        // so the spike trains are the same.
        NetworkSpec net = FeedForward();
        using var clock = TestEngines.Clock(net, s_dt);
        var eventEngine = TestEngines.Event(net);
        var cs = new SpikeList();
        var es = new SpikeList();
        clock.AddSpikeMonitor(cs);
        eventEngine.AddSpikeMonitor(es);
        var clockRates = new PopulationRateMonitor([20, 40, 12], SimDuration.FromMilliseconds(50L));
        var eventRates = new PopulationRateMonitor([20, 40, 12], SimDuration.FromMilliseconds(50L));
        clock.AddSpikeMonitor(clockRates);
        eventEngine.AddSpikeMonitor(eventRates);
        var clockState = new StateRecorder(2, "v", [0, 3, 11]);
        var eventState = new StateRecorder(2, "v", [0, 3, 11]);
        clock.AddStateSampler(clockState, SimDuration.FromMilliseconds(5L));
        eventEngine.AddStateSampler(eventState, SimDuration.FromMilliseconds(5L));
        var rng = new Random(21);
        for (int k = 0; k < 3000; k++)
        {
            var t = SimTime.FromTicks((1 + rng.Next(4000)) * s_dt.Ticks);
            int source = rng.Next(20);
            clock.InjectEvent(t, 0, source);
            eventEngine.InjectEvent(t, 0, source);
        }

        double maxDiff = 0;
        for (int ms = 10; ms <= 420; ms += 10)
        {
            var t = SimTime.FromMilliseconds((long)ms);
            clock.RunUntil(t);
            eventEngine.RunUntil(t);
            Assert.Equal(t, clock.Now);
            foreach (int pop in new[] { 1, 2 })
            {
                for (int n = 0; n < net.Populations[pop].Size; n++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(clock.ReadState(pop, n, 0) - eventEngine.ReadState(pop, n, 0)));
                }
            }
        }

        Assert.True(maxDiff < Float32Bound(70, 15), $"state differs by {maxDiff} mV (bound {Float32Bound(70, 15)})");
        Assert.True(cs.Spikes.Count(s => s.Pop == 2) > 20, "the second layer must fire");
        Assert.Equal(Sorted(es), Sorted(cs));

        // The monitors see the same thing through both engines.
        Assert.Equal(eventRates.Counts(2).ToArray(), clockRates.Counts(2).ToArray());
        Assert.Equal(eventState.TimeTicks.ToArray(), clockState.TimeTicks.ToArray());
        Assert.Equal(85, clockState.SampleCount);
        for (int i = 0; i < clockState.Values.Length; i++)
        {
            Assert.Equal(eventState.Values[i], clockState.Values[i], 1e-4f);
        }
    }

    [Fact]
    public void CurrentBasedStateAgreesWithEventModeOnTheGrid()
    {
        // CUBA neurons kept below threshold, excitatory and inhibitory current jumps at grid times: both executions use the
        // exact propagator of the same linear system, so v, ge and gi agree at grid times to rounding (float32 in clock mode).
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(10))
            .AddNeurons("n", 25, NeuronModel.CubaLif, p => p.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_rest", -65).Set("v_thresh", 0).Set("v_reset", -65).InitialUniform("v", -70, -60, seed: 2))
            .Connect("in", "n", ConnectivitySpec.FixedProbability(0.5, seed: 3), c => c.Named("in-e").WeightUniform(0.5, 3, seed: 4).Receptor("e").Delay(SimDuration.FromTicks(300_000)))
            .Connect("in", "n", ConnectivitySpec.FixedProbability(0.3, seed: 5), c => c.Named("in-i").WeightUniform(-3, -0.5, seed: 6).Receptor("i").Delay(SimDuration.FromTicks(700_000)))
            .Build();
        using var clock = TestEngines.Clock(net);
        var eventEngine = TestEngines.Event(net);
        var rng = new Random(8);
        for (int k = 0; k < 800; k++)
        {
            var t = SimTime.FromTicks((1 + rng.Next(2000)) * s_dt.Ticks);
            int source = rng.Next(10);
            clock.InjectEvent(t, 0, source);
            eventEngine.InjectEvent(t, 0, source);
        }

        double maxDiff = 0;
        for (int ms = 5; ms <= 230; ms += 5)
        {
            var t = SimTime.FromMilliseconds((long)ms);
            clock.RunUntil(t);
            eventEngine.RunUntil(t);
            for (int n = 0; n < 25; n++)
            {
                for (int variable = 0; variable < 3; variable++)
                {
                    maxDiff = Math.Max(maxDiff, Math.Abs(clock.ReadState(1, n, variable) - eventEngine.ReadState(1, n, variable)));
                }
            }
        }

        Assert.True(maxDiff < Float32Bound(75, 20), $"state differs by {maxDiff} (bound {Float32Bound(75, 20)})");
        Assert.True(Math.Abs(clock.ReadState(1, 0, 0) + 65) > 1e-3 || Math.Abs(clock.ReadState(1, 1, 0) + 65) > 1e-3, "inputs must have moved the neurons");
        Assert.Equal(0, clock.SpikeCount - 800);
    }

    [Fact]
    public void LifIsiMatchesClosedFormWithinOneStep()
    {
        // Constant drive: tau_m 20 ms, v_rest -65, i_offset 20 (v_inf = -45), threshold -50, reset -65, t_ref 2 ms:
        // period = t_ref + tau ln((v_inf - v_reset) / (v_inf - v_thresh)).
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("n", 1, NeuronModel.Lif, p => p.Set("tau_m", 20).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("i_offset", 20).Set("t_ref", 2))
            .Build();
        double period = 2 + (20 * Math.Log(20.0 / 5.0));
        foreach (long dtTicks in new long[] { 100_000, 50_000, 10_000 })
        {
            using var engine = TestEngines.Clock(net, SimDuration.FromTicks(dtTicks));
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            engine.RunUntil(SimTime.FromMilliseconds(1000L));
            long[] t = spikes.TimesOf(0, 0);
            Assert.True(t.Length > 25);
            double dtMs = dtTicks / 1e6;
            Assert.InRange(t[0] / 1e6, period - 2, period - 2 + dtMs);
            for (int i = 1; i < t.Length; i++)
            {
                Assert.InRange((t[i] - t[i - 1]) / 1e6, period - 1e-9, period + dtMs + 1e-9);
            }
        }
    }

    private static NetworkSpec Cuba(int n, long delayTicks = 100_000) => new NetworkBuilder()
        .AddNeurons("exc", n * 4 / 5, NeuronModel.CubaLif, p => CubaNeurons(p, 1))
        .AddNeurons("inh", n / 5, NeuronModel.CubaLif, p => CubaNeurons(p, 2))
        .Connect("exc", "exc", ConnectivitySpec.FixedProbability(80.0 / n, seed: 3), c => c.Weight(1.62).Receptor("e").Delay(SimDuration.FromTicks(delayTicks)))
        .Connect("exc", "inh", ConnectivitySpec.FixedProbability(80.0 / n, seed: 4), c => c.Weight(1.62).Receptor("e").Delay(SimDuration.FromTicks(delayTicks)))
        .Connect("inh", "exc", ConnectivitySpec.FixedProbability(80.0 / n, seed: 5), c => c.Weight(-9).Receptor("i").Delay(SimDuration.FromTicks(delayTicks)))
        .Connect("inh", "inh", ConnectivitySpec.FixedProbability(80.0 / n, seed: 6), c => c.Weight(-9).Receptor("i").Delay(SimDuration.FromTicks(delayTicks)))
        .Build();

    private static void CubaNeurons(PopulationOptions p, ulong seed) =>
        p.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_rest", -49).Set("v_thresh", -50).Set("v_reset", -60).Set("t_ref", 5).InitialUniform("v", -60, -50, seed);

    [Fact]
    public void RasterIsIdenticalForEveryThreadCount()
    {
        NetworkSpec net = Cuba(4000);
        ulong? reference = null;
        int count = 0;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 128, MinParallelCount = 0 });
            using var engine = TestEngines.Clock(net, device: device);
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            engine.RunUntil(SimTime.FromMilliseconds(200L));
            reference ??= spikes.Hash();
            count = spikes.Spikes.Count;
            Assert.Equal(reference, spikes.Hash());
        }

        Assert.True(count > 1000, $"{count} spikes");
    }

    [Fact]
    public void WindowsGiveTheSameRasterAsSingleSteps()
    {
        NetworkSpec net = FeedForward();
        ulong? reference = null;
        foreach (int maxWindow in new[] { 1, 16 })
        {
            using var engine = TestEngines.Clock(net, maxWindow: maxWindow);
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            for (int k = 1; k <= 200; k++)
            {
                engine.InjectEvent(SimTime.FromMilliseconds((long)(k * 3 % 250) + 1), 0, k % 20);
            }

            engine.RunUntil(SimTime.FromMilliseconds(300L));
            Assert.Equal(3000 * net.Populations.Count(p => p.HasState), engine.StepCount);
            if (maxWindow > 1)
            {
                Assert.True(engine.WindowCount < engine.StepCount / 2, $"{engine.WindowCount} windows for {engine.StepCount} steps");
            }

            Assert.True(spikes.Spikes.Count > 50);
            reference ??= spikes.Hash();
            Assert.Equal(reference, spikes.Hash());
        }
    }

    [Fact]
    public void PausingAtAnyTimeGivesTheSameRun()
    {
        // RunUntil(a); RunUntil(b) is the same run as RunUntil(b), also with windows in flight and off-grid pause times.
        NetworkSpec net = Cuba(1000, delayTicks: 1_500_000);
        using var whole = TestEngines.Clock(net);
        var a = new SpikeList();
        whole.AddSpikeMonitor(a);
        whole.RunUntil(SimTime.FromMilliseconds(300L));

        using var pieces = TestEngines.Clock(net);
        var b = new SpikeList();
        pieces.AddSpikeMonitor(b);
        var rng = new Random(4);
        while (pieces.Now < SimTime.FromMilliseconds(300L))
        {
            long next = Math.Min(300_000_000, pieces.Now.Ticks + rng.Next(1, 2_000_000));
            if (rng.Next(4) == 0)
            {
                pieces.Step();
            }
            else
            {
                pieces.RunUntil(SimTime.FromTicks(next));
            }
        }

        Assert.Equal(SimTime.FromMilliseconds(300L), pieces.Now);
        Assert.True(a.Spikes.Count > 100);
        Assert.Equal(a.Hash(), b.Hash());
        Assert.True(whole.WindowCount < whole.StepCount, "the whole run should use windows");
    }

    [Fact]
    public void SaveRestoreContinuesTheSameRun()
    {
        NetworkSpec net = Cuba(1000, delayTicks: 1_500_000);
        using var a = TestEngines.Clock(net);
        var sa = new SpikeList();
        a.RunUntil(SimTime.FromMilliseconds(100L));
        using var saved = new MemoryStream();
        a.Save(saved);
        a.AddSpikeMonitor(sa);
        a.RunUntil(SimTime.FromMilliseconds(250L));

        using var b = TestEngines.Clock(net);
        var sb = new SpikeList();
        b.AddSpikeMonitor(sb);
        saved.Position = 0;
        b.Restore(saved);
        Assert.Equal(SimTime.FromMilliseconds(100L), b.Now);
        b.RunUntil(SimTime.FromMilliseconds(250L));
        Assert.True(sa.Spikes.Count > 100);
        Assert.Equal(sa.Spikes, sb.Spikes);
        Assert.Equal(a.ReadState(0, 17, 0), b.ReadState(0, 17, 0));

        byte[] bytes = saved.ToArray();
        using var other = TestEngines.Clock(Cuba(500));
        Assert.Throws<InvalidDataException>(() => other.Restore(new MemoryStream(bytes)));
        Assert.Throws<InvalidDataException>(() => b.Restore(new MemoryStream(bytes[..(bytes.Length / 2)])));
        byte[] corrupt = (byte[])bytes.Clone();
        corrupt[0] ^= 0xFF;
        Assert.Throws<InvalidDataException>(() => b.Restore(new MemoryStream(corrupt)));
    }

    [Fact]
    public void SamplersSeeTheLastCompletedStepAndInputsAreValidated()
    {
        NetworkSpec net = FeedForward();
        using var engine = TestEngines.Clock(net);
        var sampler = new Sampler();
        engine.AddStateSampler(sampler, SimDuration.FromMilliseconds(1L));
        var offGrid = new StateRecorder(1, "v", [0, 5, 39]);
        var onGrid = new StateRecorder(1, "v", [0, 5, 39]);
        engine.AddStateSampler(offGrid, SimDuration.FromMicroseconds(150));
        engine.AddStateSampler(onGrid, SimDuration.FromMicroseconds(50));
        for (int k = 0; k < 40; k++)
        {
            engine.InjectEvent(SimTime.FromMicroseconds(100L * (k + 1)), 0, k % 20);
        }

        engine.RunUntil(SimTime.FromTicks(5_050_000));

        // The engine stops exactly where it is asked to; clock-driven state is that of the last step ending at or before it.
        Assert.Equal(SimTime.FromTicks(5_050_000), engine.Now);
        Assert.Equal(new long[] { 0, 1_000_000, 2_000_000, 3_000_000, 4_000_000, 5_000_000 }, sampler.Times);

        // A sample at 150 µs reads the step that ended at 100 µs: equal to the 50 µs-interval sampler at 100 µs (and 150 µs).
        Assert.True(offGrid.SampleCount > 30);
        for (int s = 0; s < offGrid.SampleCount; s++)
        {
            long t = offGrid.TimeTicks[s];
            int atGrid = (int)(t / 100_000 * 100_000 / 50_000);
            Assert.Equal(onGrid.SampleValues(atGrid).ToArray(), offGrid.SampleValues(s).ToArray());
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectEvent(SimTime.Zero, 0, 0));
        Assert.Throws<ArgumentException>(() => engine.InjectEvent(SimTime.FromMilliseconds(10L), 1, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectEvent(SimTime.FromMilliseconds(10L), 0, 20));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.RunUntil(SimTime.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.ReadState(1, 40, 0));
        Assert.Throws<ArgumentException>(() => engine.ReadState(0, 0, 0));

        // Step() advances to the next thing that happens: here the next step boundary.
        Assert.Equal(SimTime.FromTicks(5_100_000), engine.Step());
    }

    [Fact]
    public void StepsDoNotAllocateInSteadyState()
    {
        // As for ClockEngine: replay a stretch from a saved state, so the queue's buckets have already grown to the
        // largest burst of that stretch; the step path itself must allocate nothing. One device thread: the measurement
        // counts the calling thread only, and multi-threaded dispatch is measured by the device's own tests.
        NetworkSpec net = Cuba(2000);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1, ChunkSize = 256 });
        using var engine = TestEngines.Clock(net, device: device);
        var counter = new Counter();
        engine.AddSpikeMonitor(counter);
        engine.RunUntil(SimTime.FromMilliseconds(200L));
        using var saved = new MemoryStream();
        engine.Save(saved);
        engine.RunUntil(SimTime.FromMilliseconds(300L));
        long firstPass = counter.Count;

        long allocated = TestEngines.AllocatedOnReplay(engine, saved, SimTime.FromMilliseconds(300L));

        Assert.True(firstPass > 100);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void BretteSampleStepsAllocateNothingAndGiveTheSameSpikesForEveryThreadCount()
    {
        // The shipped CUBA network as `eventsnn run` builds it (clock-driven as declared, 1 ns delays: one step per window).
        NetworkSpec net = global::EventSnn.Simulator.NetworkFiles.NetworkFile.Load(NetworkFiles.NetworkFileTestSupport.Sample("brette-cuba.json")).Network;
        List<(long T, int Pop, int Neuron)> Run(int threads, bool measure)
        {
            using var engine = new SimulationEngine(net, new EngineOptions { Threads = threads });
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            engine.RunUntil(SimTime.FromMilliseconds(100L));
            if (measure)
            {
                // Replay 50 ms from a saved state (queue buckets already grown) until one replay allocates nothing: a
                // per-step allocation would show in every replay.
                using var saved = new MemoryStream();
                engine.Save(saved);
                engine.RunUntil(SimTime.FromMilliseconds(150L));
                long allocated = long.MaxValue;
                for (int replay = 0; replay < 6 && allocated != 0; replay++)
                {
                    saved.Position = 0;
                    engine.Restore(saved);
                    spikes.Spikes.Clear();
                    spikes.Spikes.Capacity = 100_000;
                    long before = GC.GetAllocatedBytesForCurrentThread();
                    engine.RunUntil(SimTime.FromMilliseconds(150L));
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }

                Assert.Equal(0, allocated);
                return spikes.Spikes;
            }

            engine.RunUntil(SimTime.FromMilliseconds(150L));
            return [.. spikes.Spikes.Where(s => s.T > 100_000_000)];
        }

        List<(long T, int Pop, int Neuron)> one = Run(1, measure: true);
        List<(long T, int Pop, int Neuron)> two = Run(2, measure: false);
        Assert.True(one.Count > 100, $"{one.Count} spikes in 50 ms");
        Assert.Equal(one, two);
    }

    [Fact]
    public void PoissonAndSpikeArraySourcesAndStdpRunInClockMode()
    {
        // Grid-aligned spike-array sources drive both engines identically; Poisson sources draw the same random
        // sequence in both engines (clock mode rounds each spike time up to the grid), so source spike counts match
        // exactly; STDP changes the weights in both.
        long[][] times = [[1_000_000, 5_000_000, 9_000_000], [2_000_000], [3_000_000, 3_100_000]];
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("noise", 50, 40, seed: 5)
            .AddSpikeSource("array", [.. times.Select(t => TestTime.Ticks(t))])
            .AddNeurons("n", 10, NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).Set("t_ref", 1))
            .Connect("noise", "n", ConnectivitySpec.FixedProbability(0.5, seed: 6), c => c.WeightUniform(0.5, 2.5, seed: 7).Delay(SimDuration.FromTicks(500_000)).Stdp(new StdpSpec(0.05, 0.06, 20, 20, 0, 3)))
            .Connect("array", "n", ConnectivitySpec.AllToAll(), c => c.Weight(1).Delay(SimDuration.FromTicks(100_000)))
            .Build();
        using var clock = TestEngines.Clock(net);
        var eventEngine = TestEngines.Event(net);
        var cs = new SpikeList();
        var es = new SpikeList();
        clock.AddSpikeMonitor(cs);
        eventEngine.AddSpikeMonitor(es);
        float[] initial = [.. clock.GetSynapses(0).Weights];
        clock.RunUntil(SimTime.FromMilliseconds(2000L));
        eventEngine.RunUntil(SimTime.FromMilliseconds(2000L));

        int ClockCount(int pop) => cs.Spikes.Count(x => x.Pop == pop);
        int EventCount(int pop) => es.Spikes.Count(x => x.Pop == pop);
        Assert.InRange(ClockCount(0), 0.8 * 50 * 40 * 2, 1.2 * 50 * 40 * 2);
        Assert.Equal(EventCount(0), ClockCount(0));
        Assert.Equal(6, ClockCount(1));
        Assert.Equal(es.Spikes.Where(x => x.Pop == 1), cs.Spikes.Where(x => x.Pop == 1));
        Assert.True(ClockCount(2) > 50, $"{ClockCount(2)} spikes");
        Assert.InRange(ClockCount(2), 0.8 * EventCount(2), 1.25 * EventCount(2));
        Assert.NotEqual(initial, clock.GetSynapses(0).Weights);
        Assert.NotEqual(initial, eventEngine.GetSynapses(0).Weights);
        Assert.All(clock.GetSynapses(0).Weights, w => Assert.InRange(w, 0f, 3f));
    }

    private sealed class Counter : ISpikeMonitor
    {
        public long Count { get; private set; }

        public void OnSpike(SimTime time, int population, int neuron) => Count++;
    }

    private sealed class Sampler : IStateSampler
    {
        public List<long> Times { get; } = [];

        public void Sample(SimTime time, IStateReader reader)
        {
            Assert.Equal(time, reader.Now);
            Times.Add(time.Ticks);
        }
    }
}
