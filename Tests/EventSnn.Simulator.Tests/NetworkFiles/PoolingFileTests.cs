using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>The pooling rules of network files (max_pool2d, avg_pool2d) and the N-MNIST conv sample.</summary>
public sealed class PoolingFileTests
{
    private static string File2(string rule, string extra, int[] post, string weight = "") => $$"""
        {
          "populations": [
            { "name": "in", "kind": "external", "shape": [2, 5, 6] },
            { "name": "pool", "model": "if", "shape": [{{string.Join(", ", post)}}] }
          ],
          "projections": [ { "pre": "in", "post": "pool"{{weight}}, "connectivity": { "rule": "{{rule}}"{{extra}} } } ]
        }
        """;

    /// <summary>Output-centric windows from the definition: (c, oy, ox) holds (c, oy·s − p + ky, ox·s − p + kx) for ky &lt; kh, kx &lt; kw, inside the input.</summary>
    private static List<(int Pre, int Post)> Windows(int c, int h, int w, int kh, int kw, int sy, int sx, int py, int px)
    {
        int ho = ((h + (2 * py) - kh) / sy) + 1, wo = ((w + (2 * px) - kw) / sx) + 1;
        var r = new List<(int, int)>();
        for (int ch = 0; ch < c; ch++)
        {
            for (int oy = 0; oy < ho; oy++)
            {
                for (int ox = 0; ox < wo; ox++)
                {
                    for (int ky = 0; ky < kh; ky++)
                    {
                        for (int kx = 0; kx < kw; kx++)
                        {
                            int y = (oy * sy) - py + ky, x = (ox * sx) - px + kx;
                            if (y >= 0 && y < h && x >= 0 && x < w)
                            {
                                r.Add((((ch * h) + y) * w + x, ((ch * ho) + oy) * wo + ox));
                            }
                        }
                    }
                }
            }
        }

        return r;
    }

    [Theory]
    [InlineData("max_pool2d", 2, 2, 2, 2, 0, 0)]
    [InlineData("max_pool2d", 3, 2, 1, 2, 1, 0)]
    [InlineData("avg_pool2d", 2, 3, 2, 1, 1, 1)]
    [InlineData("avg_pool2d", 3, 3, 2, 2, 1, 1)]
    public void Pooling_connects_each_input_to_every_window_that_holds_it(string rule, int kh, int kw, int sy, int sx, int py, int px)
    {
        int ho = ((5 + (2 * py) - kh) / sy) + 1, wo = ((6 + (2 * px) - kw) / sx) + 1;
        string extra = $", \"kernel\": [{kh}, {kw}], \"stride\": [{sy}, {sx}], \"padding\": [{py}, {px}]";
        NetworkFile f = Parse(File2(rule, extra, [2, ho, wo], ", \"weight\": 6"));
        var e = Assert.IsType<ExplicitConnectivity>(f.Network.Projections[0].Connectivity);
        var expected = Windows(2, 5, 6, kh, kw, sy, sx, py, px).Order().ToArray();
        Assert.Equal(expected, e.Pre.Zip(e.Post).Order().ToArray());
        if (rule == "avg_pool2d")
        {
            Assert.All(e.Weights, w => Assert.Equal(6f / (kh * kw), w));
        }
        else
        {
            Assert.True(e.Weights.IsDefaultOrEmpty);
            Assert.Equal(6.0, f.Network.Projections[0].Weight.Low);
        }
    }

    [Fact]
    public void Pooling_in_a_file_equals_the_layer_apis_max_and_average_pooling()
    {
        // Stride defaults to the kernel, as in PyTorch and the layer API.
        NetworkFile f = Parse(File2("max_pool2d", ", \"kernel\": 2", [2, 2, 3], $", \"weight\": {Sequential.PoolWeight}"));
        NetworkSpec layers = new LayerGraph().AddInput("in", new PopulationShape(2, 5, 6)).AddMaxPool2d("pool", "in", 2).Build();
        var a = Assert.IsType<ExplicitConnectivity>(f.Network.Projections[0].Connectivity);
        var b = Assert.IsType<ExplicitConnectivity>(layers.Projections[0].Connectivity);
        Assert.Equal(b.Pre.Zip(b.Post).Order().ToArray(), a.Pre.Zip(a.Post).Order().ToArray());

        NetworkFile g = Parse(File2("avg_pool2d", ", \"kernel\": 2, \"padding\": 1", [2, 3, 4]));
        NetworkSpec avg = new LayerGraph().AddInput("in", new PopulationShape(2, 5, 6)).AddLayer("pool", "in", p => p.AvgPool2d(2, padding: 1), NeuronModel.IntegrateAndFire).Build();
        var c = Assert.IsType<ExplicitConnectivity>(g.Network.Projections[0].Connectivity);
        var d = Assert.IsType<ExplicitConnectivity>(avg.Projections[0].Connectivity);
        Assert.Equal(d.Pre.Zip(d.Post, (x, y) => (x, y)).Zip(d.Weights).Order().ToArray(), c.Pre.Zip(c.Post, (x, y) => (x, y)).Zip(c.Weights).Order().ToArray());
    }

    [Theory]
    [InlineData("max_pool2d", ", \"kernel\": 2", new[] { 2, 3, 3 }, "", "$.projections[0].connectivity", "must have shape [2, 2, 3]")]
    [InlineData("avg_pool2d", ", \"kernel\": 2", new[] { 2, 2, 3 }, ", \"weight\": {\"uniform\": [0, 1], \"seed\": 1}", "$.projections[0].weight", "needs a constant weight")]
    [InlineData("max_pool2d", ", \"kernel\": 9", new[] { 2, 1, 1 }, "", "$.projections[0].connectivity", "does not fit")]
    [InlineData("max_pool2d", ", \"kernel\": 2, \"dilation\": 2", new[] { 2, 2, 3 }, "", "$.projections[0].connectivity.dilation", "unknown key 'dilation'")]
    [InlineData("avg_pool2d", "", new[] { 2, 2, 3 }, "", "$.projections[0].connectivity", "missing key 'kernel'")]
    public void Bad_pooling_is_one_line_naming_the_path(string rule, string extra, int[] post, string weight, string path, string problem)
    {
        NetworkFileException ex = Fails(File2(rule, extra, post, weight));
        Assert.Equal(path, ex.JsonPath);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_nmnist_conv_sample_has_the_benchmark_shape()
    {
        NetworkSpec net = NetworkFile.Load(Sample("nmnist-conv.json")).Network;
        Assert.Equal(
            [("dvs", new PopulationShape(2, 34, 34)), ("conv1", new PopulationShape(12, 30, 30)), ("pool1", new PopulationShape(12, 15, 15)), ("conv2", new PopulationShape(32, 11, 11)), ("pool2", new PopulationShape(32, 5, 5)), ("out", PopulationShape.Linear(10))],
            net.Populations.Select(p => (p.Name, p.Shape)));
        Assert.Equal(["lif", "if", "lif", "if", "lif"], net.Populations.Skip(1).Select(p => p.Model!.Info.Name));
        Assert.IsType<Conv2DConnectivity>(net.Projections[0].Connectivity);
        Assert.IsType<Conv2DConnectivity>(net.Projections[2].Connectivity);
        Assert.IsType<AllToAllConnectivity>(net.Projections[4].Connectivity);
    }
}
