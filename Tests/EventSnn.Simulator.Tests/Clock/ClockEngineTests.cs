using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Simulator.Tests.Clock;

[Collection(AllocationMeasurements.Name)]
public sealed class ClockEngineTests
{
    private const double TauM = 20, TauE = 5, TauI = 10;

    private static CurrentLifPopulation SingleNeuron(ClockEngine engine, double el, double refractoryMs, int size = 1) =>
        new("n", size, engine.Device, new CurrentLifParameters(engine.Dt.TotalMilliseconds, TauM, TauE, TauI, el, -50, -60, refractoryMs));

    [Theory]
    [InlineData(100_000)]
    [InlineData(50_000)]
    [InlineData(10_000)]
    [InlineData(25_000)]
    public void ConstantDriveLifIsiMatchesClosedFormWithinOneStep(long dtTicks)
    {
        // v relaxes towards El = -45 mV > Vt = -50 mV from Vr = -60 mV: it crosses threshold after
        // T = taum * ln((Vr - El) / (Vt - El)); then it is clamped for the refractory period and starts again from Vr.
        const double El = -45, Vt = -50, Vr = -60, Refractory = 2;
        double crossing = TauM * Math.Log((Vr - El) / (Vt - El));
        double dtMs = dtTicks / 1e6;
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        using var engine = new ClockEngine(device, new ClockEngineOptions { Dt = SimDuration.FromTicks(dtTicks) });
        CurrentLifPopulation p = SingleNeuron(engine, El, Refractory);
        p.V[0] = (float)Vr;
        engine.AddPopulation(p);
        var recorder = new SpikeRecorder();
        engine.AddMonitor(recorder);
        engine.RunUntil(SimTime.FromMilliseconds(500L));

        Assert.True(recorder.Count >= 10, $"expected regular firing, got {recorder.Count} spikes");
        double first = recorder.TimeTicks[0] / 1e6;
        Assert.InRange(first, crossing, crossing + dtMs);

        // Each interval is the closed-form period (refractory + crossing time), rounded up to the grid from a
        // grid-aligned restart: within one dt.
        double period = Refractory + crossing;
        for (int i = 1; i < recorder.Count; i++)
        {
            double isi = (recorder.TimeTicks[i] - recorder.TimeTicks[i - 1]) / 1e6;
            Assert.InRange(isi, period - 1e-9, period + dtMs + 1e-9);
        }

        double meanIsi = (recorder.TimeTicks[^1] - recorder.TimeTicks[0]) / 1e6 / (recorder.Count - 1);
        Assert.InRange(meanIsi, period, period + dtMs);
    }

    [Fact]
    public void GridAlignedInputsMatchExactEventDrivenSolution()
    {
        // A subthreshold neuron receives excitatory and inhibitory current jumps at times on the dt grid. The exact
        // (event-driven) solution between inputs is v(t) = El + (v0 - El) e^{-t/tm} + sum_k A_k (e^{-t/tk} - e^{-t/tm})
        // with A_k = g_k tk / (tk - tm), evaluated here in double precision at every grid point. The clock engine's
        // float32 state must agree to 1e-4 mV: the propagators are exact, so the only difference is float32 rounding
        // (about 1e-7 relative per operation, accumulated over a few hundred steps).
        const double El = -65;
        var dt = SimDuration.FromMicroseconds(100);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        using var engine = new ClockEngine(device, new ClockEngineOptions { Dt = dt });
        CurrentLifPopulation p = SingleNeuron(engine, El, 2);
        engine.AddPopulation(p);
        var inputs = new (long Step, int Receptor, float Weight)[] { (3, 0, 4f), (10, 1, -2.5f), (10, 0, 1.25f), (57, 0, 3f), (130, 1, -1f) };
        foreach (var (step, receptor, weight) in inputs)
        {
            engine.InjectInput(SimTime.FromTicks(step * dt.Ticks), 0, 0, receptor, weight);
        }

        var recorder = new StateRecorder(0, "v", [0], everySteps: 1);
        engine.AddStateRecorder(recorder);
        engine.RunUntil(SimTime.FromMilliseconds(25L));
        Assert.Equal(250, recorder.SampleCount);

        double v = El, ge = 0, gi = 0;
        double h = dt.TotalMilliseconds;
        int next = 0;
        for (int k = 0; k < 250; k++)
        {
            while (next < inputs.Length && inputs[next].Step == k)
            {
                if (inputs[next].Receptor == 0)
                {
                    ge += inputs[next].Weight;
                }
                else
                {
                    gi += inputs[next].Weight;
                }

                next++;
            }

            double em = Math.Exp(-h / TauM), ee = Math.Exp(-h / TauE), ei = Math.Exp(-h / TauI);
            v = El + ((v - El) * em) + (ge * TauE / (TauE - TauM) * (ee - em)) + (gi * TauI / (TauI - TauM) * (ei - em));
            ge *= ee;
            gi *= ei;
            Assert.Equal((k + 1) * dt.Ticks, recorder.TimeTicks[k]);
            Assert.True(Math.Abs(recorder.SampleValues(k)[0] - v) < 1e-4, $"step {k}: clock {recorder.SampleValues(k)[0]} vs exact {v}");
        }

        Assert.True(Math.Abs(v - El) > 0.01, "the inputs must have moved the potential");
    }

    [Fact]
    public void RasterIsIdenticalForEveryThreadCount()
    {
        string? reference = null;
        long spikes = 0;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            var (engine, device, recorder) = ClockTestNetworks.Cuba(3000, threads);
            using (device)
            using (engine)
            {
                engine.RunUntil(SimTime.FromMilliseconds(300L));
                string hash = ClockTestNetworks.RasterHash(recorder);
                reference ??= hash;
                spikes = recorder.Count;
                Assert.Equal(reference, hash);
            }
        }

        Assert.True(spikes > 1000, $"the network should be active, got {spikes} spikes");
    }

    [Fact]
    public void WindowsOfStepsGiveTheSameRasterAsSingleSteps()
    {
        // Delays of 1.0-1.5 ms (10-15 steps) let the engine run windows of up to 11 steps while no delivery is
        // pending (a small, sparsely firing network, so that such stretches exist).
        string? reference = null;
        foreach (int maxWindow in new[] { 1, 16 })
        {
            using var device = new CpuDevice(new CpuDeviceOptions { Threads = 2, ChunkSize = 64, MinParallelCount = 0 });
            using var engine = new ClockEngine(device, new ClockEngineOptions { MaxWindowSteps = maxWindow });
            var pop = new CurrentLifPopulation("n", 40, device, new CurrentLifParameters(0.1, TauM, TauE, TauI, -49, -50, -60, 5));
            var rng = new Random(5);
            for (int i = 0; i < pop.Size; i++)
            {
                pop.V[i] = (float)(-60 + (10 * rng.NextDouble()));
            }

            engine.AddPopulation(pop);
            var rowStart = new int[41];
            var targets = new List<int>();
            var delays = new List<long>();
            var weights = new List<float>();
            for (int i = 0; i < 40; i++)
            {
                rowStart[i] = targets.Count;
                for (int k = 0; k < 10; k++)
                {
                    targets.Add(rng.Next(40));
                    delays.Add(1_000_000 + (rng.Next(6) * 100_000));
                    weights.Add(i < 32 ? 3f : -6f);
                }
            }

            rowStart[40] = targets.Count;
            engine.AddProjection(new ClockProjection("e", 0, 0, 0, rowStart, [.. targets], [.. weights], [.. delays]));
            var recorder = new SpikeRecorder();
            engine.AddMonitor(recorder);
            engine.RunUntil(SimTime.FromMilliseconds(400L));
            Assert.Equal(4000, engine.StepCount);
            if (maxWindow == 16)
            {
                Assert.True(engine.WindowCount < engine.StepCount / 2, $"windows should cover several steps ({engine.WindowCount} windows)");
            }
            else
            {
                Assert.Equal(engine.StepCount, engine.WindowCount);
            }

            string hash = ClockTestNetworks.RasterHash(recorder);
            Assert.True(recorder.Count > 200, $"{recorder.Count} spikes");
            reference ??= hash;
            Assert.Equal(reference, hash);
        }
    }

    [Fact]
    public void SpikesTravelWithTheirDelayAndSourceSpikesReachMonitors()
    {
        // A source spike at 1.0 ms drives a neuron far above threshold through a 2 ms synapse: the input
        // arrives at 3.0 ms and the neuron spikes at the end of that step (3.1 ms); its 50 ms refractory period
        // keeps it from spiking again within the run.
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        using var engine = new ClockEngine(device);
        int source = engine.AddPopulation(new SpikeSourcePopulation("in", 2));
        var target = new CurrentLifPopulation("out", 1, device, new CurrentLifParameters(0.1, TauM, TauE, TauI, -60, -50, -60, 50));
        int t = engine.AddPopulation(target);
        engine.AddProjection(new ClockProjection("in->out", source, t, 0, [0, 1, 1], [0], [1e5f], [2_000_000L]));
        var recorder = new SpikeRecorder();
        engine.AddMonitor(recorder);
        engine.InjectSpike(SimTime.FromMilliseconds(1L), source, 0);
        engine.InjectSpike(SimTime.FromTicks(1_230_000), source, 1);
        engine.RunUntil(SimTime.FromMilliseconds(10L));

        Assert.Equal(new long[] { 1_000_000, 1_300_000, 3_100_000 }, recorder.TimeTicks.ToArray());
        Assert.Equal(new[] { source, source, t }, recorder.Populations.ToArray());
        Assert.Equal(new[] { 0, 1, 0 }, recorder.Neurons.ToArray());
        Assert.Equal(1, engine.SpikeCount);
    }

    [Fact]
    public void PauseAndSnapshotResumeGiveTheUninterruptedRaster()
    {
        var (full, d1, r1) = ClockTestNetworks.Cuba(1000, 1, seed: 3);
        using (d1)
        using (full)
        {
            full.RunUntil(SimTime.FromMilliseconds(200L));
        }

        var (paused, d2, r2) = ClockTestNetworks.Cuba(1000, 1, seed: 3);
        using (d2)
        using (paused)
        {
            var pauser = new PauseAfter(paused, 50);
            paused.AddMonitor(pauser);
            Assert.Equal(ClockRunResult.Paused, paused.RunUntil(SimTime.FromMilliseconds(200L)));
            Assert.True(paused.Now < SimTime.FromMilliseconds(200L));
            ClockEngineSnapshot snapshot = paused.Capture();

            // Restore into a fresh engine built the same way, and finish the run there.
            var (restored, d3, r3) = ClockTestNetworks.Cuba(1000, 1, seed: 3);
            using (d3)
            using (restored)
            {
                restored.Restore(snapshot);
                Assert.Equal(paused.Now, restored.Now);
                Assert.Equal(ClockRunResult.Completed, restored.RunUntil(SimTime.FromMilliseconds(200L)));
                Assert.Equal(r1.Count - r2.Count, r3.Count);
                Assert.Equal(r1.TimeTicks[r2.Count..].ToArray(), r3.TimeTicks.ToArray());
                Assert.Equal(r1.Neurons[r2.Count..].ToArray(), r3.Neurons.ToArray());
            }

            // And the paused engine itself resumes to the same result.
            pauser.Limit = long.MaxValue;
            Assert.Equal(ClockRunResult.Completed, paused.RunUntil(SimTime.FromMilliseconds(200L)));
            Assert.Equal(ClockTestNetworks.RasterHash(r1), ClockTestNetworks.RasterHash(r2));
        }
    }

    [Fact]
    public void StepsDoNotAllocateInSteadyState()
    {
        // The queue's per-step buckets grow (amortised doubling) until each holds the largest burst it has seen, so
        // the first pass over a stretch of network activity may still grow a bucket now and then. Replaying the same
        // stretch from a snapshot meets only bursts already seen: the step path itself must allocate nothing.
        var (engine, device, _) = ClockTestNetworks.Cuba(2000, 2);
        using (device)
        using (engine)
        {
            var counter = new CountingMonitor();
            engine.AddMonitor(counter);
            engine.RunUntil(SimTime.FromMilliseconds(300L));
            ClockEngineSnapshot snapshot = engine.Capture();
            long atSnapshot = counter.Count;
            engine.RunUntil(SimTime.FromMilliseconds(500L));
            long firstPass = counter.Count - atSnapshot;
            engine.Restore(snapshot);
            long before = GC.GetAllocatedBytesForCurrentThread();
            engine.RunUntil(SimTime.FromMilliseconds(500L));
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(firstPass > 100);
            Assert.Equal(atSnapshot + (2 * firstPass), counter.Count);
            Assert.Equal(0, allocated);
        }
    }

    [Fact]
    public void ValidatesInputs()
    {
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClockEngine(device, new ClockEngineOptions { Dt = SimDuration.Zero }));
        Assert.Throws<ArgumentException>(() => new ClockEngine(device, new ClockEngineOptions { Start = SimTime.FromTicks(5) }));
        using var engine = new ClockEngine(device);
        var p = new CurrentLifPopulation("n", 3, device, new CurrentLifParameters(0.1, TauM, TauE, TauI, -60, -50, -60, 5));
        engine.AddPopulation(p);
        Assert.Throws<ArgumentException>(() => engine.AddProjection(new ClockProjection("bad", 0, 0, 0, [0, 1, 1, 1], [3], [1f], [0L])));
        Assert.Throws<ArgumentException>(() => engine.AddProjection(new ClockProjection("bad", 0, 0, 2, [0, 1, 1, 1], [0], [1f], [0L])));
        Assert.Throws<ArgumentException>(() => engine.AddProjection(new ClockProjection("bad", 0, 0, 0, [0, 1], [0], [1f], [0L])));
        Assert.Throws<ArgumentException>(() => new ClockProjection("bad", 0, 0, 0, [0, 2], [0], [1f], [0L]));
        Assert.Throws<ArgumentException>(() => new ClockProjection("bad", 0, 0, 0, [0, 1], [0], [float.NaN], [0L]));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ClockProjection("bad", 0, 0, 0, [0, 1], [0], [1f], [-1L]));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectInput(SimTime.Zero, 0, 3, 0, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectInput(SimTime.Zero, 0, 0, 2, 1f));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectInput(SimTime.Zero, 0, 0, 0, float.PositiveInfinity));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectSpike(SimTime.Zero, 1, 0));
        Assert.Throws<ArgumentException>(() => engine.AddStateRecorder(new StateRecorder(0, "w", [0])));
        Assert.Throws<ArgumentException>(() => engine.AddStateRecorder(new StateRecorder(0, "v", [3])));
        engine.RunUntil(SimTime.FromMilliseconds(1L));
        Assert.Throws<ArgumentOutOfRangeException>(() => engine.InjectInput(SimTime.Zero, 0, 0, 0, 1f));
        Assert.Throws<InvalidOperationException>(() => engine.AddPopulation(new SpikeSourcePopulation("late", 1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CurrentLifParameters(0.1, 20, 20, 10, -60, -50, -60, 5));
    }

    private sealed class PauseAfter(ClockEngine engine, long limit) : ISpikeMonitor
    {
        private long _count;

        public long Limit { get; set; } = limit;

        public void OnSpike(SimTime time, int population, int neuron)
        {
            if (++_count == Limit)
            {
                engine.RequestPause();
            }
        }
    }

    private sealed class CountingMonitor : ISpikeMonitor
    {
        public long Count { get; private set; }

        public void OnSpike(SimTime time, int population, int neuron) => Count++;
    }
}
