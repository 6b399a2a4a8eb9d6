using System.Globalization;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>docs/NetworkFiles.md names every key, every model parameter with its default, and shows real error messages.</summary>
public sealed class NetworkFileDocsTests
{
    private static string Docs() => File.ReadAllText(Path.Combine(RepoRoot(), "docs", "NetworkFiles.md"));

    [Fact]
    public void TheDocsNameEveryFixedKeyAndEveryTimeBase()
    {
        string docs = Docs();
        foreach (KeySet keys in NetworkFileKeys.All)
        {
            foreach (string key in keys.Keys)
            {
                Assert.Contains($"`{key}`", docs, StringComparison.Ordinal);
            }

            foreach (string time in keys.TimeBases)
            {
                Assert.Contains($"`{time}_", docs, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public void TheDocsListEveryParameterWithItsDefault()
    {
        string docs = Docs();
        foreach (NeuronModel model in NetworkFile.BuiltInModels)
        {
            string row = docs.Split('\n').Single(l => l.StartsWith("| `", StringComparison.Ordinal) && l.Contains($"`{model.Info.Name}`", StringComparison.Ordinal) && l.Contains("tau_m_ms", StringComparison.Ordinal));
            foreach (NeuronParameterInfo p in model.Info.Parameters)
            {
                string value = p.Default.ToString(CultureInfo.InvariantCulture).Replace('-', '−');
                Assert.Contains($"`{NetworkFile.ParameterKey(p)}` ({value}", row, StringComparison.Ordinal);
            }

            Assert.Equal(model.Info.Parameters.Length, row.Split("_ms` (").Length - 1 + row.Split("_mV` (").Length - 1 + model.Info.Parameters.Count(p => p.Unit == "1"));
        }
    }

    [Theory]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 1}, {"name": "b", "model": "lif", "size": 1}, {"name": "c", "model": "lif", "size": 1, "params": {"tau_m_ms": -3}}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3, "modle": "lif"}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3}], "projections": [{"pre": "a", "post": "ghost", "connectivity": {"rule": "one_to_one"}}]}""")]
    [InlineData("""{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "clock", "dt_ms": 1e-7}}]}""")]
    [InlineData("""{"populations": [] } x""")]
    [InlineData("""{"populations": [{"name": "a", "model": "cuba_lif", "size": 3}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "fixed_total_number", "count": 5, "seed": 1}, "delay_ms": {"normal": {"mean": 1, "sd": 0.5}, "min": 0.01, "step": 0.1, "seed": 2}}]}""")]
    public void ErrorExamplesInTheDocsAreWhatTheLoaderSays(string json)
    {
        NetworkFileException ex = Fails(json);
        Assert.Contains("\n" + ex.Message + "\n", Docs(), StringComparison.Ordinal);
    }
}
