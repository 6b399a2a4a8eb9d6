using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class DeterminismTests
{
    internal static NetworkSpec Network(ulong seed = 1, int n = 400)
    {
        int ne = n * 4 / 5;
        return new NetworkBuilder()
            .AddNeurons("exc", ne, NeuronModel.CubaLif, p => p.Set("v_rest", -49).Set("t_ref", 5).InitialUniform("v", -60, -50, seed))
            .AddNeurons("inh", n - ne, NeuronModel.CubaLif, p => p.Set("v_rest", -49).Set("t_ref", 5).InitialUniform("v", -60, -50, seed + 1))
            .AddPoisson("noise", 50, 20, seed + 2)
            .Connect("exc", "exc", ConnectivitySpec.FixedProbability(0.05, seed + 3), c => c.Receptor("e").Weight(1.62).DelayUniform(SimDuration.FromTicks(100_000), SimDuration.FromTicks(2_000_000), seed + 4))
            .Connect("exc", "inh", ConnectivitySpec.FixedProbability(0.05, seed + 5), c => c.Receptor("e").Weight(1.62).Delay(SimDuration.FromTicks(100_000)))
            .Connect("inh", "exc", ConnectivitySpec.FixedProbability(0.05, seed + 6), c => c.Receptor("i").Weight(-9).Delay(SimDuration.FromTicks(100_000)))
            .Connect("inh", "inh", ConnectivitySpec.FixedProbability(0.05, seed + 7), c => c.Receptor("i").Weight(-9).Delay(SimDuration.FromTicks(100_000)))
            .Connect("noise", "exc", ConnectivitySpec.FixedProbability(0.1, seed + 8), c => c.Receptor("e").Weight(0.5).Delay(SimDuration.FromTicks(50_000))
                .Stdp(new StdpSpec(0.01, 0.012, 20, 20, 0, 2)))
            .Build();
    }

    private static (ulong Hash, int Count, SimulationEngine Engine) Run(NetworkSpec net, params long[] stops)
    {
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        foreach (long t in stops)
        {
            e.RunUntil(SimTime.FromTicks(t));
        }

        return (s.Hash(), s.Spikes.Count, e);
    }

    [Fact]
    public void SameSeedSameRasterAcrossRunsThreadsAndPauses()
    {
        NetworkSpec net = Network();
        long end = Units.Ms(200);
        var a = Run(net, end);
        Assert.True(a.Count > 100, $"only {a.Count} spikes: the network should be active");
        var b = Run(Network(), end);
        Assert.Equal(a.Hash, b.Hash);

        // Pause/resume at arbitrary boundaries (including odd ticks) changes nothing.
        var c = Run(net, 1, Units.Ms(13) + 7, Units.Ms(13) + 7, Units.Ms(100), end);
        Assert.Equal(a.Hash, c.Hash);

        // Several engines on several threads at once give the same raster.
        ulong[] hashes = new ulong[4];
        Parallel.For(0, hashes.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, i => hashes[i] = Run(net, end).Hash);
        Assert.All(hashes, h => Assert.Equal(a.Hash, h));

        // A different seed gives a different raster.
        Assert.NotEqual(a.Hash, Run(Network(seed: 2), end).Hash);
    }

    [Fact]
    public void SaveRestoreContinuesIdentically()
    {
        NetworkSpec net = Network();
        long mid = Units.Ms(77) + 3;
        long end = Units.Ms(200);

        var full = TestEngines.Event(net);
        var fullSpikes = new SpikeList();
        full.AddSpikeMonitor(fullSpikes);
        full.RunUntil(SimTime.FromTicks(end));

        var first = TestEngines.Event(net);
        first.RunUntil(SimTime.FromTicks(mid));
        string path = Path.Combine(Path.GetTempPath(), $"eventsnn-state-{Guid.NewGuid():N}.bin");
        try
        {
            using (FileStream f = File.Create(path))
            {
                first.Save(f);
            }

            var restored = TestEngines.Event(net);
            using (FileStream f = File.OpenRead(path))
            {
                restored.Restore(f);
            }

            Assert.Equal(first.Now, restored.Now);
            var tail = new SpikeList();
            restored.AddSpikeMonitor(tail);
            restored.RunUntil(SimTime.FromTicks(end));

            var expectedTail = fullSpikes.Spikes.Where(s => s.T > mid).ToList();
            Assert.NotEmpty(expectedTail);
            Assert.Equal(expectedTail, tail.Spikes.Where(s => s.T > mid).ToList());
            Assert.Equal(full.GetSynapses(4).Weights, restored.GetSynapses(4).Weights);
            for (int j = 0; j < 320; j += 17)
            {
                Assert.Equal(full.ReadState(0, j, 0), restored.ReadState(0, j, 0));
            }

            // Corrupt and foreign states are rejected with a clear error and leave the engine usable.
            byte[] bytes = File.ReadAllBytes(path);
            var victim = TestEngines.Event(net);
            Assert.Throws<InvalidDataException>(() => victim.Restore(new MemoryStream(bytes[..(bytes.Length / 2)])));
            bytes[^30] ^= 0xFF;
            Exception? ex = Record.Exception(() => victim.Restore(new MemoryStream(bytes)));
            Assert.True(ex is null or InvalidDataException, ex?.ToString());
            var foreign = TestEngines.Event(Network(n: 300));
            Assert.Throws<InvalidDataException>(() => foreign.Restore(new MemoryStream(File.ReadAllBytes(path))));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void StateReadingDoesNotChangeTheRun()
    {
        NetworkSpec net = Network();
        long end = Units.Ms(100);
        var plain = Run(net, end);

        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        var sampler = new Sampler();
        e.AddStateSampler(sampler, SimDuration.FromMicroseconds(250L));
        e.RunUntil(SimTime.FromTicks(end));
        Assert.Equal(plain.Hash, s.Hash());
        Assert.Equal(401, sampler.Count);
    }

    private sealed class Sampler : Simulator.Monitors.IStateSampler
    {
        public int Count { get; private set; }

        public void Sample(SimTime time, Simulator.Monitors.IStateReader reader)
        {
            Assert.Equal(time, reader.Now);
            double v = reader.ReadState(0, 3, 0);
            Assert.InRange(v, -100, -50 + 1e-9);
            Count++;
        }
    }

    [Fact]
    public void PoissonRateAndReproducibility()
    {
        const double rate = 40;
        const int n = 200;
        var net = new NetworkBuilder().AddPoisson("p", n, rate, 11, start: SimTime.FromMilliseconds(100L), stop: SimTime.FromMilliseconds(1100L)).Build();
        var e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromSeconds(2L));
        double mean = n * rate * 1.0;
        Assert.InRange(s.Spikes.Count, mean - (5 * Math.Sqrt(mean)), mean + (5 * Math.Sqrt(mean)));
        Assert.All(s.Spikes, x => Assert.InRange(x.T, Units.Ms(100), Units.Ms(1100) - 1));

        // Inter-spike intervals are exponential: their coefficient of variation is 1 (± sampling error).
        var isis = Enumerable.Range(0, n).SelectMany(j => s.TimesOf(0, j).Zip(s.TimesOf(0, j).Skip(1), (a, b) => (double)(b - a))).ToArray();
        double m = isis.Average();
        double cv = Math.Sqrt(isis.Select(x => (x - m) * (x - m)).Average()) / m;
        Assert.InRange(cv, 0.9, 1.1);
    }
}
