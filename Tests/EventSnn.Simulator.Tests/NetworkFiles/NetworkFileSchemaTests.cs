using System.Text.Json;
using System.Text.Json.Nodes;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.NetworkFiles;
using Json.Schema;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>The shipped JSON Schema (docs/network-file.schema.json) stays in step with the loader.</summary>
public sealed class NetworkFileSchemaTests
{
    private static readonly JsonDocumentOptions Lenient = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    private static JsonElement SchemaDocument() => JsonDocument.Parse(File.ReadAllText(SchemaPath)).RootElement;

    private static JsonElement Def(string name) => SchemaDocument().GetProperty("$defs").GetProperty(name);

    private static string[] PropertyNames(JsonElement def) => [.. def.GetProperty("properties").EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)];

    // The schema has an $id, which the library registers once per process: build it once.
    private static readonly Lazy<JsonSchema> Built = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    private static JsonSchema Schema() => Built.Value;

    private static EvaluationResults Validate(string jsonPath)
        => Schema().Evaluate(JsonDocument.Parse(File.ReadAllText(jsonPath), Lenient).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });

    private static string Describe(EvaluationResults r)
        => string.Join("; ", (r.Details ?? []).Where(d => d.Errors is { Count: > 0 }).Select(d => $"{d.InstanceLocation}: {string.Join(", ", d.Errors!.Values)}"));

    [Fact]
    public void TheSchemaIsDraft2020_12AndStartsAtTheNetwork()
    {
        JsonElement root = SchemaDocument();
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", root.GetProperty("$schema").GetString());
        Assert.Equal("#/$defs/network", root.GetProperty("$ref").GetString());
    }

    [Fact]
    public void EveryObjectKindListsExactlyTheKeysTheLoaderAccepts()
    {
        foreach (KeySet keys in NetworkFileKeys.All)
        {
            string[] loader = [.. keys.AllKeys.Order(StringComparer.Ordinal)];
            Assert.True(loader.SequenceEqual(PropertyNames(Def(keys.Name))), $"$defs/{keys.Name}: schema [{string.Join(", ", PropertyNames(Def(keys.Name)))}] vs loader [{string.Join(", ", loader)}]");
        }
    }

    [Fact]
    public void ParameterAndInitialKeysOfEveryBuiltInModelMatchTheSchema()
    {
        string[] models = [.. Def("neuronPopulation").GetProperty("properties").GetProperty("model").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!)];
        Assert.Equal(NetworkFile.BuiltInModels.Select(m => m.Info.Name), models);
        foreach (NeuronModel model in NetworkFile.BuiltInModels)
        {
            NeuronModelInfo info = model.Info;
            Assert.Equal(info.Parameters.Select(NetworkFile.ParameterKey).Order(StringComparer.Ordinal), PropertyNames(Def($"params_{info.Name}")));
            Assert.Equal(Enumerable.Range(0, info.StateVariables.Length).Select(j => NetworkFile.StateKey(info, j)).Order(StringComparer.Ordinal), PropertyNames(Def($"initial_{info.Name}")));

            // Ranges in the schema are those of the model (strict minimum ↔ exclusiveMinimum).
            foreach (NeuronParameterInfo p in info.Parameters)
            {
                JsonElement number = Def($"params_{info.Name}").GetProperty("properties").GetProperty(NetworkFile.ParameterKey(p)).GetProperty("oneOf")[0];
                if (double.IsNegativeInfinity(p.Minimum))
                {
                    Assert.False(number.TryGetProperty("minimum", out _) || number.TryGetProperty("exclusiveMinimum", out _), p.Name);
                }
                else
                {
                    Assert.Equal(p.Minimum, number.GetProperty(p.StrictMinimum ? "exclusiveMinimum" : "minimum").GetDouble());
                }
            }
        }
    }

    [Theory]
    [InlineData("Samples/networks/brette-cuba.json")]
    [InlineData("Samples/networks/brette-coba.json")]
    [InlineData("Samples/networks/nmnist-conv.json")]
    [InlineData("Samples/networks/microcircuit.json")]
    [InlineData("Tests/EventSnn.Simulator.Tests/NetworkFiles/Fixtures/kitchen-sink.json")]
    public void SampleFilesValidateAgainstTheSchemaAndLoad(string relative)
    {
        string path = Path.Combine(RepoRoot(), relative);
        EvaluationResults r = Validate(path);
        Assert.True(r.IsValid, Describe(r));
        NetworkFile f = NetworkFile.Load(path);
        Assert.NotEmpty(f.Network.Populations);
    }

    [Fact]
    public void TheKitchenSinkUsesEveryKeyOfTheFormat()
    {
        // Every fixed key and every time key (in every unit; the one top-level duration in ms) of every object kind appears
        // somewhere in the fixture, so loading it proves the loader accepts what the schema lists.
        var used = new HashSet<string>(StringComparer.Ordinal);
        void Walk(JsonNode? n)
        {
            if (n is JsonObject o)
            {
                foreach (KeyValuePair<string, JsonNode?> kv in o)
                {
                    used.Add(kv.Key);
                    Walk(kv.Value);
                }
            }
            else if (n is JsonArray a)
            {
                foreach (JsonNode? item in a)
                {
                    Walk(item);
                }
            }
        }

        Walk(JsonNode.Parse(File.ReadAllText(FixturePath("kitchen-sink.json"))));
        string[] missing = [.. NetworkFileKeys.All.SelectMany(k => k.AllKeys).Where(k => !k.StartsWith("duration_", StringComparison.Ordinal) || k == "duration_ms").Where(k => !used.Contains(k)).Distinct()];
        Assert.True(missing.Length == 0, "not used: " + string.Join(", ", missing));
    }

    [Theory]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3, "modle": 1}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m": 10}}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "coba_lif", "size": 3, "initial": {"ge_mV": 1}}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3}], "projections": [{"pre": "a", "post": "a", "delay": 1, "connectivity": {"rule": "one_to_one"}}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3, "reset": "soft"}]}""")]
    [InlineData("""{"populations": [{"name": "a", "kind": "poisson", "size": 3, "rate_hz": 1}]}""")]
    public void TheSchemaAndTheLoaderBothRejectBrokenFiles(string json)
    {
        EvaluationResults r = Schema().Evaluate(JsonDocument.Parse(json).RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.False(r.IsValid);
        Assert.Throws<NetworkFileException>(() => Parse(json));
    }

    [Fact]
    public void EveryEnumerationValueInTheSchemaLoads()
    {
        foreach (string reset in Def("neuronPopulation").GetProperty("properties").GetProperty("reset").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!))
        {
            Parse($$$"""{"populations": [{"name": "a", "model": "lif", "size": 1, "params": {"t_ref_ms": 1}, "reset": "{{{reset}}}"}]}""");
        }

        foreach (string cmp in Def("neuronPopulation").GetProperty("properties").GetProperty("threshold_comparison").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!))
        {
            Parse($$$"""{"populations": [{"name": "a", "model": "lif", "size": 1, "threshold_comparison": "{{{cmp}}}"}]}""");
        }

        foreach (string end in Def("neuronPopulation").GetProperty("properties").GetProperty("refractory_end").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!))
        {
            Parse($$$"""{"populations": [{"name": "a", "model": "lif", "size": 1, "refractory_end": "{{{end}}}"}]}""");
        }

        foreach (string mode in Def("execution").GetProperty("properties").GetProperty("mode").GetProperty("enum").EnumerateArray().Select(e => e.GetString()!))
        {
            string dt = mode == "clock" ? ", \"dt_ms\": 0.1" : string.Empty;
            Parse($$$"""{"populations": [{"name": "a", "model": "lif", "size": 1, "execution": {"mode": "{{{mode}}}"{{{dt}}}}}]}""");
        }

        using var dir = new TempFolder();
        dir.Write("rec.bin", "x");
        foreach (string property in new[] { "format", "align" })
        {
            foreach (string value in Def("eventInput").GetProperty("properties").GetProperty(property).GetProperty("enum").EnumerateArray().Select(e => e.GetString()!))
            {
                Parse($$$"""{"populations": [{"name": "d", "kind": "external", "size": 1}], "event_inputs": [{"population": "d", "path": "rec.bin", "{{{property}}}": "{{{value}}}"}]}""", dir.Path);
            }
        }
    }
}
