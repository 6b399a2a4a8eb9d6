using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Layers;

/// <summary>
/// The PySNN-style layer graph: a chain graph equals the equivalent Sequential container spike for spike, cycles
/// reverberate as the connection delays say, and several connections into one layer add up.
/// </summary>
public sealed class LayerGraphTests
{
    private static float[] Draw(int n, int seed, double low, double high)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, n).Select(_ => (float)(low + ((high - low) * rng.NextDouble())))];
    }

    private static (long T, int Pixel)[] Input(int seed, int count, int pixels, int ms)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => ((long)rng.Next(ms * 1000), rng.Next(pixels))).Distinct()];
    }

    private static List<(long T, int Pop, int Neuron)> Run(NetworkSpec spec, bool clock, (long Us, int Pixel)[] input, long untilMs)
    {
        using SimulationEngine engine = clock ? TestEngines.Clock(spec, SimDuration.FromMilliseconds(1L)) : TestEngines.Event(spec);
        var spikes = new SpikeList();
        engine.AddSpikeMonitor(spikes);
        foreach ((long us, int p) in input.OrderBy(e => e.Us))
        {
            engine.InjectEvent(SimTime.Zero + SimDuration.FromMicroseconds(us), 0, p);
        }

        engine.RunUntil(SimTime.Zero + SimDuration.FromMilliseconds(untilMs));
        return spikes.Spikes;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_chain_graph_equals_the_equivalent_sequential_spike_for_spike(bool clock)
    {
        float[] k1 = Draw(4 * 2 * 3 * 3, 1, -2, 9), b1 = Draw(4, 2, -1, 3), w2 = Draw(6 * 4 * 4 * 4, 3, -3, 12);
        NetworkSpec sequential = new Sequential(new PopulationShape(2, 10, 10), "dvs")
            .Conv2d(4, 3, weights: k1, bias: b1).Neurons(NeuronModel.Lif, o => o.Set("tau_m", 10), name: "conv")
            .MaxPool2d(2, name: "pool")
            .Flatten().Dropout(0.3)
            .Linear(6, w2).Neurons(NeuronModel.Lif, name: "out")
            .Build();
        NetworkSpec graph = new LayerGraph()
            .AddInput("dvs", new PopulationShape(2, 10, 10))
            .AddLayer("conv", "dvs", p => p.Conv2d(4, 3, weights: k1, bias: b1), NeuronModel.Lif, o => o.Set("tau_m", 10))
            .AddMaxPool2d("pool", "conv", 2)
            .AddLayer("out", "pool", p => p.Flatten().Dropout(0.3).Linear(6, w2), NeuronModel.Lif)
            .Build();

        Assert.Equal(sequential.Populations.Select(p => (p.Name, p.Shape, p.Model?.Info.Name)), graph.Populations.Select(p => (p.Name, p.Shape, p.Model?.Info.Name)));
        for (int j = 0; j < sequential.Projections.Length; j++)
        {
            var a = Assert.IsType<ExplicitConnectivity>(sequential.Projections[j].Connectivity);
            var b = Assert.IsType<ExplicitConnectivity>(graph.Projections[j].Connectivity);
            Assert.Equal(a.Pre.ToArray(), b.Pre.ToArray());
            Assert.Equal(a.Post.ToArray(), b.Post.ToArray());
            Assert.Equal(a.Weights.ToArray(), b.Weights.ToArray());
        }

        (long, int)[] input = Input(7, 600, 200, 40);
        List<(long T, int Pop, int Neuron)> expected = Run(sequential, clock, input, 50), actual = Run(graph, clock, input, 50);
        Assert.True(expected.Any(s => s.Pop == 3), "the output layer should fire");
        Assert.Equal(expected, actual);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_recurrent_cycle_reverberates_one_delay_per_hop(bool clock)
    {
        // in → a → b → a: one input spike at 0 makes a fire at 1, 3, 5, … ms and b at 2, 4, 6, … ms (delay 1 ms per hop).
        NetworkSpec spec = new LayerGraph()
            .AddInput("in", PopulationShape.Linear(1))
            .AddLayer("a", "in", p => p.Linear(1, [20f]), NeuronModel.IntegrateAndFire)
            .AddLayer("b", "a", p => p.Linear(1, [20f]), NeuronModel.IntegrateAndFire)
            .AddConnection("b", "a", p => p.Linear(1, [20f]))
            .Build();
        Assert.Equal(["in->a", "a->b", "b->a"], spec.Projections.Select(p => p.Name));
        List<(long T, int Pop, int Neuron)> spikes = Run(spec, clock, [(0, 0)], 12);
        long[] a = [.. spikes.Where(s => s.Pop == 1).Select(s => s.T / 1_000_000)], b = [.. spikes.Where(s => s.Pop == 2).Select(s => s.T / 1_000_000)];
        Assert.Equal([1L, 3, 5, 7, 9, 11], a);
        Assert.Equal([2L, 4, 6, 8, 10, 12], b);
    }

    [Fact]
    public void A_refractory_period_of_one_step_caps_event_driven_firing_and_leaves_clock_driven_firing_unchanged()
    {
        // Strong input (each event alone crosses the threshold) at distinct microsecond times, several per millisecond.
        NetworkSpec Net(double tRef) => new LayerGraph()
            .AddInput("in", PopulationShape.Linear(4))
            .AddLayer("a", "in", p => p.Linear(2, [20, 20, 0, 0, 0, 0, 20, 20]), NeuronModel.Lif, o => o.Set("t_ref", tRef))
            .Build();
        (long, int)[] input = Input(3, 400, 4, 30);
        List<(long T, int Pop, int Neuron)> clock0 = Run(Net(0), true, input, 40), clock1 = Run(Net(1), true, input, 40);
        List<(long T, int Pop, int Neuron)> event0 = Run(Net(0), false, input, 40), event1 = Run(Net(1), false, input, 40);
        Assert.Equal(clock0, clock1);
        int PerMs(List<(long T, int Pop, int Neuron)> s) => s.Where(x => x.Pop == 1).GroupBy(x => (x.Neuron, x.T / 1_000_000)).Max(g => g.Count());
        Assert.True(PerMs(event0) > 1, "without a refractory period a neuron fires several times within a millisecond");
        Assert.Equal(1, PerMs(clock0));
        foreach (var n in event1.Where(x => x.Pop == 1).GroupBy(x => x.Neuron))
        {
            long[] t = [.. n.Select(x => x.T)];
            Assert.All(t.Zip(t.Skip(1)), p => Assert.True(p.Second - p.First >= 1_000_000, $"spikes {p.First} and {p.Second} closer than 1 ms"));
        }

        Assert.True(event0.Count(x => x.Pop == 1) > 2 * event1.Count(x => x.Pop == 1));
    }

    [Fact]
    public void An_inhibitory_self_connection_stops_a_layer_after_its_first_spike()
    {
        // a fires once on the drive, then its own inhibition (−40 mV, 0.5 ms) holds it below threshold for later drive spikes.
        NetworkSpec spec = new LayerGraph()
            .AddInput("in", PopulationShape.Linear(1))
            .AddLayer("a", "in", p => p.Linear(1, [16f]), NeuronModel.IntegrateAndFire)
            .AddConnection("a", "a", p => p.Linear(1, [-40f]), delay: SimDuration.FromMicroseconds(500))
            .Build();
        List<(long T, int Pop, int Neuron)> spikes = Run(spec, false, [(0, 0), (2000, 0), (4000, 0)], 10);
        Assert.Equal([1_000_000L], spikes.Where(s => s.Pop == 1).Select(s => s.T));
    }

    [Fact]
    public void Biases_of_every_connection_into_a_layer_add_up_into_its_constant_input()
    {
        NetworkSpec spec = new LayerGraph()
            .AddInput("x", PopulationShape.Linear(2))
            .AddInput("y", PopulationShape.Linear(3))
            .AddNeurons("h", PopulationShape.Linear(2), NeuronModel.Lif)
            .AddConnection("x", "h", p => p.Linear(2, [1, 0, 0, 1], [0.5f, -1f]))
            .AddConnection("y", "h", p => p.Linear(2, [1, 1, 1, 1, 1, 1], [0.25f, 2f]))
            .Build();
        Assert.Equal([0.75, 1.0], spec.Populations[2].PerNeuronParameters["i_offset"].ToArray());
        Assert.Equal(2, spec.Projections.Length);
    }

    [Fact]
    public void Bad_graphs_are_refused_with_the_layer_named()
    {
        var g = new LayerGraph().AddInput("in", PopulationShape.Linear(4)).AddLayer("h", "in", p => p.Linear(3), NeuronModel.Lif);
        Assert.Contains("'ghost'", Assert.Throws<ArgumentException>(() => g.AddConnection("ghost", "h")).Message, StringComparison.Ordinal);
        Assert.Contains("an input", Assert.Throws<ArgumentException>(() => g.AddConnection("h", "in")).Message, StringComparison.Ordinal);
        Assert.Contains("has 3", Assert.Throws<ArgumentException>(() => g.AddConnection("in", "h")).Message, StringComparison.Ordinal);
        Assert.Contains("already exists", Assert.Throws<ArgumentException>(() => g.AddInput("h", PopulationShape.Linear(1))).Message, StringComparison.Ordinal);
        NeuronModel leaky = NeuronModels.All.First(m => m.Info.Name == "snntorch.leaky");
        var biased = new LayerGraph().AddInput("in", PopulationShape.Linear(2)).AddLayer("o", "in", p => p.Linear(2, [1, 0, 0, 1], [1, 1]), leaky);
        Assert.Contains("i_offset", Assert.Throws<ArgumentException>(() => biased.Build()).Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new LayerGraph().Build());
    }
}
