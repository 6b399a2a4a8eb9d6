using System.Text.Json.Nodes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Simulator.Tests.Layers;

/// <summary>Saved layer models: a save/load round trip gives the same spec and spikes; broken files give one-line errors naming the file and the JSON path.</summary>
public sealed class LayerModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-layers-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static LayerGraph Model()
    {
        var rng = new Random(3);
        float[] D(int n, double lo, double hi) => [.. Enumerable.Range(0, n).Select(_ => (float)(lo + ((hi - lo) * rng.NextDouble())))];
        return new LayerGraph(SimDuration.FromMicroseconds(700))
            .AddInput("dvs", new PopulationShape(2, 8, 8))
            .AddLayer("conv", "dvs", p => p.Conv2d(3, 3, padding: 1, dilation: 1, weights: D(54, -2, 10), bias: D(3, -1, 1)).BatchNorm(D(3, -1, 1), D(3, 0.5, 2), D(3, 0.5, 1.5), D(3, -1, 1)), NeuronModel.Lif, o => o
                .Set("tau_m", 12.5).Set("t_ref", 1).Reset(ResetMode.Subtract).Threshold(ThresholdComparison.Greater).RefractoryEnd(RefractoryEnd.Closed)
                .ClockDriven(SimDuration.FromMicroseconds(500)).InitialUniform("v", -70, -60, 9))
            .AddMaxPool2d("pool", "conv", 2)
            .AddLayer("out", "pool", p => p.AvgPool2d(2, 1).Flatten().Dropout(0.1).Linear(5, D(5 * 27, -3, 14)), NeuronModel.Lif, o => o
                .SetPerNeuron("tau_m", [10, 11, 12, 13, 14]).EventDriven().InitialPerNeuron("v", [-65, -64, -63, -62, -61]))
            .AddConnection("out", "out", p => p.Linear(5, D(25, -5, 0)), receptor: "v", delay: SimDuration.FromMilliseconds(2L))
            .RecordSpikes("out");
    }

    private static void AssertSameSpec(NetworkSpec a, NetworkSpec b)
    {
        Assert.Equal(a.Populations.Length, b.Populations.Length);
        for (int i = 0; i < a.Populations.Length; i++)
        {
            PopulationSpec p = a.Populations[i], q = b.Populations[i];
            Assert.Equal((p.Name, p.Kind, p.Shape, p.Model, p.Rules, p.Execution), (q.Name, q.Kind, q.Shape, q.Model, q.Rules, q.Execution));
            Assert.Equal(p.Parameters.ToArray(), q.Parameters.ToArray());
            Assert.Equal(p.PerNeuronParameters.Keys.Order(), q.PerNeuronParameters.Keys.Order());
            foreach (string k in p.PerNeuronParameters.Keys)
            {
                Assert.Equal(p.PerNeuronParameters[k].ToArray(), q.PerNeuronParameters[k].ToArray());
            }

            Assert.Equal(p.Initial.Length, q.Initial.Length);
            for (int j = 0; j < p.Initial.Length; j++)
            {
                Assert.Equal((p.Initial[j].Variable, p.Initial[j].Low, p.Initial[j].High, p.Initial[j].Seed), (q.Initial[j].Variable, q.Initial[j].Low, q.Initial[j].High, q.Initial[j].Seed));
                Assert.Equal(p.Initial[j].Values.IsDefault ? [] : p.Initial[j].Values.ToArray(), q.Initial[j].Values.IsDefault ? [] : q.Initial[j].Values.ToArray());
            }
        }

        Assert.Equal(a.Projections.Length, b.Projections.Length);
        for (int j = 0; j < a.Projections.Length; j++)
        {
            ProjectionSpec p = a.Projections[j], q = b.Projections[j];
            Assert.Equal((p.Name, p.Pre, p.Post, p.Receptor, p.Delay), (q.Name, q.Pre, q.Post, q.Receptor, q.Delay));
            var x = Assert.IsType<ExplicitConnectivity>(p.Connectivity);
            var y = Assert.IsType<ExplicitConnectivity>(q.Connectivity);
            Assert.Equal(x.Pre.ToArray(), y.Pre.ToArray());
            Assert.Equal(x.Post.ToArray(), y.Post.ToArray());
            Assert.Equal(x.Weights.ToArray(), y.Weights.ToArray());
        }

        Assert.Equal(a.Monitors.Length, b.Monitors.Length);
    }

    private string Saved()
    {
        string path = Path.Combine(_dir, "net.layers.json");
        Model().Save(path);
        return path;
    }

    [Fact]
    public void A_saved_model_loads_back_to_the_same_spec_and_the_same_spikes()
    {
        string path = Saved();
        Assert.True(LayerGraph.IsModelFile(path));
        Assert.True(File.Exists(Path.Combine(_dir, "net.layers.weights")));
        LayerGraph loaded = LayerGraph.Load(path);
        NetworkSpec original = Model().Build(), back = loaded.Build();
        AssertSameSpec(original, back);

        var rng = new Random(5);
        var input = Enumerable.Range(0, 300).Select(_ => (Us: (long)rng.Next(30_000), Pixel: rng.Next(128))).Distinct().OrderBy(e => e.Us).ToArray();
        List<(long, int, int)> Spikes(NetworkSpec spec)
        {
            using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Event });
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            foreach ((long us, int p) in input)
            {
                engine.InjectEvent(SimTime.Zero + SimDuration.FromMicroseconds(us), 0, p);
            }

            engine.RunUntil(SimTime.Zero + SimDuration.FromMilliseconds(40L));
            return spikes.Spikes;
        }

        List<(long, int, int)> expected = Spikes(original);
        Assert.Contains(expected, s => s.Item2 == 3);
        Assert.Equal(expected, Spikes(back));

        // Saving the loaded graph again gives byte-identical files.
        string again = Path.Combine(_dir, "again.layers.json");
        loaded.Save(again);
        Assert.Equal(File.ReadAllBytes(Path.Combine(_dir, "net.layers.weights")), File.ReadAllBytes(Path.Combine(_dir, "again.layers.weights")));
        Assert.Equal(File.ReadAllText(path).Replace("net.layers.weights", "again.layers.weights", StringComparison.Ordinal), File.ReadAllText(again));
    }

    [Fact]
    public void A_network_file_is_not_a_saved_model()
    {
        string path = Path.Combine(_dir, "net.json");
        File.WriteAllText(path, """{ "populations": [ { "name": "a", "model": "lif", "size": 1 } ] }""");
        Assert.False(LayerGraph.IsModelFile(path));
        File.WriteAllText(path, "not json");
        Assert.False(LayerGraph.IsModelFile(path));
    }

    public static TheoryData<string, string> Breakages => new()
    {
        { "$.layers[1].modle", "unknown key 'modle'" },
        { "$.layers[1].model", "unknown model 'nope'" },
        { "$.layers[1].params.tau_m", "did you mean 'tau_m_ms'" },
        { "$.connections[0].layers[0].weight.count", "needs 54 values" },
        { "$.connections[0].layers[0].weight.offset", "run past the end" },
        { "$.connections[0].layers[1].type", "unknown layer type 'batchnorm'" },
        { "$.connections[1].from", "unknown layer 'ghost'" },
        { "$.layers[2].from", "unknown layer 'ghost'" },
        { "$.layers[1].execution", "missing key 'dt_ns'" },
        { "$.format", "must be 'eventsnn-layer-model'" },
        { "$.weights_sha256", "does not match its SHA-256" },
        { "$.connections[0].layers[0]", "does not fit an input" },
    };

    [Theory]
    [MemberData(nameof(Breakages))]
    public void A_broken_model_gives_one_line_naming_the_file_and_the_path(string jsonPath, string problem)
    {
        string path = Saved();
        JsonNode root = JsonNode.Parse(File.ReadAllText(path))!;
        JsonNode conv = root["connections"]![0]!["layers"]![0]!;
        switch (jsonPath)
        {
            case "$.layers[1].modle":
                root["layers"]![1]!["modle"] = "lif";
                break;
            case "$.layers[1].model":
                root["layers"]![1]!["model"] = "nope";
                break;
            case "$.layers[1].params.tau_m":
                root["layers"]![1]!["params"]!["tau_m"] = 5;
                break;
            case "$.connections[0].layers[0].weight.count":
                conv["weight"]!["count"] = 53;
                break;
            case "$.connections[0].layers[0].weight.offset":
                conv["weight"]!["offset"] = 1 << 20;
                break;
            case "$.connections[0].layers[1].type":
                root["connections"]![0]!["layers"]![1]!["type"] = "batchnorm";
                break;
            case "$.connections[1].from":
                root["connections"]![1]!["from"] = "ghost";
                break;
            case "$.layers[2].from":
                root["layers"]![2]!["from"] = "ghost";
                break;
            case "$.layers[1].execution":
                root["layers"]![1]!["execution"]!.AsObject().Remove("dt_ns");
                break;
            case "$.format":
                root["format"] = "network";
                break;
            case "$.weights_sha256":
                byte[] w = File.ReadAllBytes(Path.Combine(_dir, "net.layers.weights"));
                w[10] ^= 1;
                File.WriteAllBytes(Path.Combine(_dir, "net.layers.weights"), w);
                break;
            default:
                conv["kernel"] = 11;
                conv["weight"]!["count"] = 3 * 2 * 11 * 11;
                conv["weight"]!["offset"] = 0;
                root.AsObject().Remove("weights_sha256");
                root.AsObject().Remove("weights_bytes");
                File.WriteAllBytes(Path.Combine(_dir, "net.layers.weights"), new byte[4 * 3 * 2 * 11 * 11]);
                break;
        }

        File.WriteAllText(path, root.ToJsonString());
        var ex = Assert.Throws<NetworkFileException>(() => LayerGraph.Load(path));
        Assert.DoesNotContain('\n', ex.Message);
        Assert.StartsWith($"{path}: {jsonPath}: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_weights_file_is_named()
    {
        string path = Saved();
        File.Delete(Path.Combine(_dir, "net.layers.weights"));
        var ex = Assert.Throws<NetworkFileException>(() => LayerGraph.Load(path));
        Assert.Contains("$.weights", ex.Message, StringComparison.Ordinal);
        Assert.Contains("net.layers.weights does not exist", ex.Message, StringComparison.Ordinal);
    }
}
