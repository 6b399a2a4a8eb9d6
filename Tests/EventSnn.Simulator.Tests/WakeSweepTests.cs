using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// Wake-up sweeps (populations of at least <see cref="EventPopulation{TModel}.SweepMinSize"/> event-driven neurons defer
/// far wake-ups to a per-population sweep) change when wake-ups enter the queue, never which spikes happen: the same
/// neurons in populations too small for sweeps, and a run paused, saved and restored in the middle, spike identically.
/// </summary>
public sealed class WakeSweepTests
{
    private const int Size = 200;

    private static SimTime[][] Trains()
    {
        var rng = new Random(12);
        var trains = new SimTime[Size][];
        for (int j = 0; j < Size; j++)
        {
            // Sparse drive (a few inputs per 100 ms): most wake-ups are predicted far ahead of the next input.
            trains[j] = [.. Enumerable.Range(0, 8).Select(_ => SimTime.FromMicroseconds(rng.Next(1, 300_000))).Distinct().Order()];
        }

        return trains;
    }

    private static double[] InitialV()
    {
        var rng = new Random(13);
        return [.. Enumerable.Range(0, Size).Select(j => j % 17 == 0 ? -50 : -60 + (10 * rng.NextDouble()))];
    }

    private static NetworkBuilder Part(NetworkBuilder b, string name, SimTime[][] trains, double[] v0, bool cuba)
    {
        // Both drive the neurons above threshold at rest (spontaneous crossings between inputs); CUBA inhibition is a
        // negative current, COBA inhibition a conductance towards e_inh.
        NeuronModel model = cuba ? NeuronModel.CubaLif : NeuronModel.CobaLif;
        return b.AddSpikeSource("drive-" + name, trains)
            .AddNeurons(name, trains.Length, model, o => (cuba ? o.Set("v_rest", -49.5) : o.Set("i_offset", 10.5)).Set("t_ref", 2).InitialPerNeuron("v", v0).EventDriven())
            .Connect("drive-" + name, name, ConnectivitySpec.OneToOne(), c => c.Named("e-" + name).Weight(cuba ? 4 : 0.3).Receptor("e").Delay(SimDuration.FromMicroseconds(100)))
            .Connect("drive-" + name, name, ConnectivitySpec.OneToOne(), c => c.Named("i-" + name).Weight(cuba ? -6 : 1.5).Receptor("i").Delay(SimDuration.FromMicroseconds(700)));
    }

    private static NetworkSpec Whole(bool cuba) => Part(new NetworkBuilder(), "n", Trains(), InitialV(), cuba).Build();

    private static NetworkSpec Halves(bool cuba)
    {
        SimTime[][] t = Trains();
        double[] v0 = InitialV();
        int h = Size / 2;
        return Part(Part(new NetworkBuilder(), "a", t[..h], v0[..h], cuba), "b", t[h..], v0[h..], cuba).Build();
    }

    /// <summary>Spike times per neuron of the whole population (halves mapped back to whole indices).</summary>
    private static long[][] PerNeuron(List<(long T, int Pop, int Neuron)> spikes, int[] pops, int[] offsets)
    {
        var result = new List<long>[Size];
        for (int j = 0; j < Size; j++)
        {
            result[j] = [];
        }

        foreach (var (t, pop, n) in spikes)
        {
            int k = Array.IndexOf(pops, pop);
            if (k >= 0)
            {
                result[offsets[k] + n].Add(t);
            }
        }

        return [.. result.Select(r => r.ToArray())];
    }

    public static TheoryData<string> Models => new() { "cuba_lif", "coba_lif" };

    [Theory]
    [MemberData(nameof(Models))]
    public void SweptPopulationSpikesAsSmallPopulations(string model)
    {
        Assert.True(Size >= EventPopulation<CubaLif>.SweepMinSize && Size / 2 < EventPopulation<CubaLif>.SweepMinSize);
        bool cuba = model == "cuba_lif";
        var whole = new SpikeList();
        using (SimulationEngine e = TestEngines.Event(Whole(cuba)))
        {
            e.AddSpikeMonitor(whole);
            e.RunUntil(SimTime.FromMilliseconds(400L));
        }

        var halves = new SpikeList();
        using (SimulationEngine e = TestEngines.Event(Halves(cuba)))
        {
            e.AddSpikeMonitor(halves);
            e.RunUntil(SimTime.FromMilliseconds(400L));
        }

        long[][] expected = PerNeuron(halves.Spikes, [1, 3], [0, Size / 2]);
        long[][] actual = PerNeuron(whole.Spikes, [1], [0]);
        Assert.True(expected.Sum(x => x.Length) > 400, $"{model}: only {expected.Sum(x => x.Length)} spikes");
        for (int j = 0; j < Size; j++)
        {
            Assert.Equal(expected[j], actual[j]);
        }
    }

    [Fact]
    public void PausedSavedAndRestoredSweptRunContinuesIdentically()
    {
        NetworkSpec spec = Whole(cuba: true);
        var reference = new SpikeList();
        using (SimulationEngine e = TestEngines.Event(spec))
        {
            e.AddSpikeMonitor(reference);
            e.RunUntil(SimTime.FromMilliseconds(400L));
        }

        // Pauses at odd ticks, then a save in the middle of a sweep window and a restore into a fresh engine.
        var first = new SpikeList();
        using var saved = new MemoryStream();
        using (SimulationEngine e = TestEngines.Event(spec))
        {
            e.AddSpikeMonitor(first);
            foreach (long t in new[] { 12_345_677L, 50_000_001L, 123_456_789L })
            {
                e.RunUntil(SimTime.FromTicks(t));
            }

            e.Save(saved);
        }

        var second = new SpikeList();
        using (SimulationEngine e = TestEngines.Event(spec))
        {
            saved.Position = 0;
            e.Restore(saved);
            e.AddSpikeMonitor(second);
            e.RunUntil(SimTime.FromMilliseconds(400L));
        }

        Assert.True(reference.Spikes.Count > 400, $"only {reference.Spikes.Count} spikes");
        Assert.Equal(reference.Spikes, [.. first.Spikes, .. second.Spikes]);
    }
}
