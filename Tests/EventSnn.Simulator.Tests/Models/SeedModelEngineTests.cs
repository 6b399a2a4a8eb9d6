using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Models.Matterhorn;
using EventSnn.Simulator.Models.SnnTorch;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Tracing;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// The seed models inside the engine: the summed deliveries of a step are the analog input of the trace, population-wide
/// rules (winner-take-all inhibition) and recurrence (a projection onto the population with a one-step delay) give the
/// trace's spikes and state, graded outputs scale deliveries, and the event-driven forms give the clock form's spike times.
/// Input weights are multiples of 1/64, so every sum is exact whatever the order of deliveries.
/// </summary>
public sealed class SeedModelEngineTests
{
    private const long Dt = 1_000_000;

    /// <summary>Spike sources firing on step boundaries into a population: the network and the per-step summed inputs.</summary>
    private sealed record Drive(int Sources, int[] Pre, int[] Post, float[] Weights, SimTime[][] Times, float[][] X);

    private static Drive MakeDrive(int n, int steps, int delaySteps, int seed, double rate = 0.3, int scale = 40)
    {
        var rng = new Random(seed);
        int m = 3 * n;
        var pre = new List<int>();
        var post = new List<int>();
        var weights = new List<float>();
        for (int s = 0; s < m; s++)
        {
            for (int i = 0; i < n; i++)
            {
                if (rng.NextDouble() < 0.5)
                {
                    pre.Add(s);
                    post.Add(i);
                    weights.Add((rng.Next(2 * scale + 1) - (scale / 2)) / 64f);
                }
            }
        }

        var times = new SimTime[m][];
        var x = new float[steps][];
        for (int t = 0; t < steps; t++)
        {
            x[t] = new float[n];
        }

        for (int s = 0; s < m; s++)
        {
            var ts = new List<SimTime>();
            for (int k = 0; k + delaySteps <= steps; k++)
            {
                if (rng.NextDouble() < rate)
                {
                    ts.Add(SimTime.FromTicks(k * Dt));
                    for (int e = 0; e < pre.Count; e++)
                    {
                        if (pre[e] == s)
                        {
                            // Arrives at (k + delaySteps)·dt: engine step k + delaySteps, trace step k + delaySteps − 1.
                            x[k + delaySteps - 1][post[e]] += weights[e];
                        }
                    }
                }
            }

            times[s] = [.. ts];
        }

        return new Drive(m, [.. pre], [.. post], [.. weights], times, x);
    }

    private static NetworkBuilder Network(Drive d, NeuronModel model, int n, int delaySteps, Action<PopulationOptions> configure)
        => new NetworkBuilder()
            .AddSpikeSource("in", d.Times)
            .AddNeurons("n", n, model, configure)
            .Connect("in", "n", ConnectivitySpec.Explicit(d.Pre, d.Post, d.Weights), c => c.Delay(SimDuration.FromTicks(delaySteps * Dt)).Receptor("x"));

    private static (SpikeList Spikes, SimulationEngine Engine) Run(NetworkSpec net, int steps, int maxWindow = 64)
    {
        var engine = new SimulationEngine(net, new EngineOptions { MaxWindowSteps = maxWindow, Threads = 1 });
        var spikes = new SpikeList();
        engine.AddSpikeMonitor(spikes);
        engine.RunUntil(SimTime.FromTicks(steps * Dt));
        return (spikes, engine);
    }

    private static TraceResult Trace(string model, string json, float[][] x, int n)
    {
        TraceSetup setup = SeedTraces.Parse(model, json, n);
        return TraceRunner.Run(setup, [.. x.SelectMany(r => r)], x.Length);
    }

    /// <summary>(time, neuron) of every non-zero output of a trace: trace step s is engine step s + 1.</summary>
    private static List<(long, int)> TraceSpikes(TraceResult r)
    {
        var list = new List<(long, int)>();
        float[] o = r.Values[0];
        for (int k = 0; k < o.Length; k++)
        {
            if (o[k] != 0)
            {
                list.Add((((k / r.Size) + 1) * Dt, k % r.Size));
            }
        }

        return list;
    }

    private static List<(long, int)> EngineSpikes(SpikeList s, int population)
        => [.. s.Spikes.Where(x => x.Pop == population).Select(x => (x.T, x.Neuron))];

    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 64)]
    [InlineData(3, 1)]
    public void Inhibition_runs_in_the_engine_as_in_the_trace(int delaySteps, int maxWindow)
    {
        const int N = 6, T = 300;
        Drive d = MakeDrive(N, T, delaySteps, seed: 11);
        NetworkSpec net = Network(d, NeuronModel.For<Leaky>(), N, delaySteps, o => o
            .Set("beta", 0.875).Set("inhibition", 1).Set("reset_delay", 0).Set("graded_spikes_factor", 2).ClockDriven(SimDuration.FromTicks(Dt))).Build();
        var (spikes, engine) = Run(net, T, maxWindow);
        TraceResult r = Trace("snntorch.leaky", """{"beta": 0.875, "inhibition": true, "reset_delay": false, "graded_spikes_factor": 2}""", d.X, N);

        List<(long, int)> expected = TraceSpikes(r);
        Assert.True(expected.Count > 20, $"only {expected.Count} spikes");
        Assert.Equal(expected, EngineSpikes(spikes, 1));
        Assert.True(expected.GroupBy(s => s.Item1).All(g => g.Count() == 1), "inhibition lets one neuron fire per step");
        for (int i = 0; i < N; i++)
        {
            Assert.Equal(r.Values[1][((T - 1) * N) + i], (float)engine.GetPopulationState(1)!.GetStored(i, 0));
        }
    }

    [Fact]
    public void Inhibition_tie_goes_to_the_lowest_index()
    {
        // Neurons 1 and 3 receive identical inputs and are the most depolarised: neuron 1 fires, neuron 3 never does.
        float[][] x = [.. Enumerable.Range(0, 40).Select(t => new[] { 0.1f, 0.6f, 0.2f, 0.6f })];
        TraceResult r = Trace("snntorch.leaky", """{"beta": 0.5, "inhibition": true}""", x, 4);
        List<(long, int)> s = TraceSpikes(r);
        Assert.NotEmpty(s);
        Assert.All(s, e => Assert.Equal(1, e.Item2));
    }

    [Fact]
    public void Graded_spikes_scale_their_deliveries()
    {
        const int N = 5, T = 200;
        Drive d = MakeDrive(N, T, 1, seed: 5);
        NetworkSpec net = Network(d, NeuronModel.For<Leaky>(), N, 1, o => o.Set("beta", 0.75).Set("graded_spikes_factor", 2.5).ClockDriven(SimDuration.FromTicks(Dt)))
            .AddNeurons("sum", 1, NeuronModel.For<MatterhornIf>(), o => o.Set("u_threshold", 1e9).ClockDriven(SimDuration.FromTicks(Dt)))
            .Connect("n", "sum", ConnectivitySpec.AllToAll(), c => c.Weight(1).Delay(SimDuration.FromTicks(Dt)).Receptor("x"))
            .Build();
        var (_, engine) = Run(net, T + 1);
        TraceResult r = Trace("snntorch.leaky", """{"beta": 0.75, "graded_spikes_factor": 2.5}""", d.X, N);
        float delivered = r.Values[0].Sum();
        Assert.True(delivered > 50);
        Assert.Equal(delivered, (float)engine.GetPopulationState(2)!.GetStored(0, 0));
    }

    [Fact]
    public void All_to_all_recurrence_is_a_projection_with_a_one_step_delay()
    {
        const int N = 6, T = 300;
        Drive d = MakeDrive(N, T, 1, seed: 23);
        var rng = new Random(3);
        float[] w = [.. Enumerable.Range(0, N * N).Select(_ => (rng.Next(41) - 20) / 64f)];
        float[] bias = [.. Enumerable.Range(0, N).Select(_ => (rng.Next(9) - 4) / 256f)];
        int[] pre = [.. Enumerable.Range(0, N * N).Select(k => k % N)];
        int[] post = [.. Enumerable.Range(0, N * N).Select(k => k / N)];
        NetworkSpec net = Network(d, NeuronModel.For<RLeaky>(), N, 1, o => o
                .Set("beta", 0.875).SetPerNeuron("V_bias", [.. bias.Select(b => (double)b)]).ClockDriven(SimDuration.FromTicks(Dt)))
            .Connect("n", "n", ConnectivitySpec.Explicit(pre, post, w), c => c.Delay(SimDuration.FromTicks(Dt)).Receptor("rec"))
            .Build();
        var (spikes, engine) = Run(net, T);
        string rows = string.Join(", ", Enumerable.Range(0, N).Select(i => "[" + string.Join(", ", Enumerable.Range(0, N).Select(j => w[(i * N) + j].ToString("R", System.Globalization.CultureInfo.InvariantCulture))) + "]"));
        string json = $$"""{"beta": 0.875, "V_weight": [{{rows}}], "V_bias": [{{string.Join(", ", bias.Select(b => b.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))}}]}""";
        TraceResult r = Trace("snntorch.rleaky", json, d.X, N);
        List<(long, int)> expected = TraceSpikes(r);
        Assert.True(expected.Count > 20);
        Assert.Equal(expected, EngineSpikes(spikes, 1));
        for (int i = 0; i < N; i++)
        {
            Assert.Equal(r.Values[1][((T - 1) * N) + i], (float)engine.GetPopulationState(1)!.GetStored(i, 0));
        }
    }

    [Theory]
    [InlineData("snntorch.leaky", """{"beta": 0.5, "threshold": 0.9}""")]
    [InlineData("snntorch.leaky", """{"beta": 0.5, "threshold": 0.9, "reset_mechanism": "zero", "reset_delay": false}""")]
    [InlineData("snntorch.lapicque", """{"R": 2.0, "C": 1.0, "threshold": 0.9}""")]
    [InlineData("matterhorn.lif", """{"tau_m": 2.0, "u_threshold": 0.55}""")]
    [InlineData("matterhorn.lif", """{"tau_m": 2.0, "u_threshold": 0.55, "hard_reset": false}""")]
    [InlineData("matterhorn.if", """{"u_threshold": 0.9, "u_rest": -0.3}""")]
    public void Event_driven_form_fires_when_the_clock_form_does(string model, string json)
    {
        const int N = 5, T = 300;
        Drive d = MakeDrive(N, T, 1, seed: 31, rate: 0.15, scale: 24);
        Assert.True(NeuronModels.TryGet(model, out NeuronModel? m));
        TraceSetup setup = SeedTraces.Parse(model, json, N);
        void Configure(PopulationOptions o, bool eventDriven)
        {
            foreach (var kv in setup.Parameters)
            {
                o.Set(kv.Key, kv.Value);
            }

            if (eventDriven)
            {
                o.EventDriven();
            }
            else
            {
                o.ClockDriven(SimDuration.FromTicks(Dt));
            }
        }

        var (clock, _) = Run(Network(d, m, N, 1, o => Configure(o, false)).Build(), T);
        var (evt, _) = Run(Network(d, m, N, 1, o => Configure(o, true)).Build(), T);
        List<(long, int)> expected = EngineSpikes(clock, 1);
        Assert.True(expected.Count > 10, $"only {expected.Count} spikes");
        Assert.Equal(expected, EngineSpikes(evt, 1).OrderBy(s => s.Item1).ThenBy(s => s.Item2).ToList());
        Assert.Equal(TraceSpikes(TraceRunner.Run(setup, [.. d.X.SelectMany(r => r)], T)), expected);
    }

    [Fact]
    public void Event_execution_is_refused_with_a_population_rule_or_without_an_event_form()
    {
        Drive d = MakeDrive(3, 10, 1, seed: 1);
        NetworkSpec inhibited = Network(d, NeuronModel.For<Leaky>(), 3, 1, o => o.Set("beta", 0.9).Set("inhibition", 1).EventDriven()).Build();
        var ex = Assert.Throws<ArgumentException>(() => new SimulationEngine(inhibited));
        Assert.Contains("population 'n'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("inhibition", ex.Message, StringComparison.Ordinal);

        NetworkSpec synaptic = Network(d, NeuronModel.For<Synaptic>(), 3, 1, o => o.Set("alpha", 0.9).Set("beta", 0.8).EventDriven()).Build();
        ex = Assert.Throws<ArgumentException>(() => new SimulationEngine(synaptic));
        Assert.Contains("snntorch.synaptic", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Library_spike_rules_are_kept_and_engine_rules_refused()
    {
        // Exactly at threshold: snnTorch does not fire (mem − θ > 0), Matterhorn and PySNN do (≥).
        float[][] one = [[1f]];
        Assert.Equal(0f, Trace("snntorch.leaky", """{"beta": 0.5}""", one, 1).Values[0][0]);
        Assert.Equal(1f, Trace("matterhorn.if", "{}", one, 1).Values[0][0]);
        Assert.Equal(1f, Trace("pysnn.if", """{"thresh": 1, "v_rest": 0, "alpha_v": 1, "alpha_t": 1, "dt": 1, "duration_refrac": 0, "tau_t": 0.5}""", one, 1).Values[0][0]);

        // Negative input drives below rest and never fires.
        float[][] negative = [.. Enumerable.Range(0, 50).Select(_ => new[] { -0.5f })];
        Assert.All(Trace("matterhorn.lif", "{}", negative, 1).Values[0], o => Assert.Equal(0f, o));

        var ex = Assert.Throws<NetworkValidationException>(() => new NetworkBuilder()
            .AddNeurons("n", 2, NeuronModel.For<Leaky>(), o => o.Set("beta", 0.9).Threshold(ThresholdComparison.Greater)).Build());
        Assert.Contains("reset_mechanism", ex.Message, StringComparison.Ordinal);
        ex = Assert.Throws<NetworkValidationException>(() => new NetworkBuilder()
            .AddNeurons("n", 2, NeuronModel.For<MatterhornLif>(), o => o.Reset(ResetMode.Subtract)).Build());
        Assert.Contains("reset", ex.Message, StringComparison.Ordinal);
    }
}
