using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class ConnectivityTests
{
    private static SynapseTable Table(NetworkSpec net, int projection = 0)
    {
        ProjectionSpec p = net.Projections[projection];
        return SynapseTable.Build(p, net.Populations[p.Pre], net.Populations[p.Post]);
    }

    private static HashSet<(int Pre, int Post)> Pairs(SynapseTable t)
    {
        var set = new HashSet<(int, int)>();
        for (int i = 0; i < t.PreSize; i++)
        {
            var (first, count) = t.GroupsOf(i);
            for (int g = first; g < first + count; g++)
            {
                foreach (int j in t.GroupTargets(g))
                {
                    Assert.True(set.Add((i, j)), $"duplicate synapse {i}->{j}");
                }
            }
        }

        return set;
    }

    [Fact]
    public void AllToAllAndOneToOne()
    {
        var net = new NetworkBuilder()
            .AddNeurons("a", 7, NeuronModel.Lif)
            .AddNeurons("b", 5, NeuronModel.Lif)
            .Connect("a", "b", ConnectivitySpec.AllToAll())
            .Connect("a", "a", ConnectivitySpec.AllToAll(allowSelf: false))
            .Connect("b", "b", ConnectivitySpec.OneToOne(), c => c.Named("b-self"))
            .Build();
        Assert.Equal(35, Pairs(Table(net, 0)).Count);
        var noSelf = Pairs(Table(net, 1));
        Assert.Equal(42, noSelf.Count);
        Assert.DoesNotContain(noSelf, p => p.Pre == p.Post);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => (i, i)).ToHashSet(), Pairs(Table(net, 2)));
    }

    [Fact]
    public void FixedProbabilityStatisticsWithinBinomialBounds()
    {
        const int N = 600;
        const double P = 0.05;
        var net = new NetworkBuilder()
            .AddNeurons("a", N, NeuronModel.Lif)
            .Connect("a", "a", ConnectivitySpec.FixedProbability(P, seed: 42, allowSelf: false))
            .Build();
        SynapseTable t = Table(net);
        var pairs = Pairs(t);
        Assert.DoesNotContain(pairs, p => p.Pre == p.Post);

        // Total count: Binomial(N(N−1), p); accept within 5 standard deviations.
        double n = (double)N * (N - 1);
        double mean = n * P;
        double sd = Math.Sqrt(n * P * (1 - P));
        Assert.InRange(pairs.Count, mean - (5 * sd), mean + (5 * sd));

        // Out-degree distribution: mean and variance of Binomial(N − 1, p), and no trend with the post index
        // (the first and second halves of the post range get equal shares within 5σ).
        double[] deg = [.. Enumerable.Range(0, N).Select(i => (double)pairs.Count(p => p.Pre == i))];
        double dm = deg.Average();
        double dv = deg.Select(d => (d - dm) * (d - dm)).Sum() / (N - 1);
        double expVar = (N - 1) * P * (1 - P);
        Assert.InRange(dm, ((N - 1) * P) - (5 * Math.Sqrt(expVar / N)), ((N - 1) * P) + (5 * Math.Sqrt(expVar / N)));
        Assert.InRange(dv, expVar * 0.7, expVar * 1.3);
        int low = pairs.Count(p => p.Post < N / 2);
        Assert.InRange(low, (pairs.Count / 2.0) - (5 * Math.Sqrt(pairs.Count / 4.0)), (pairs.Count / 2.0) + (5 * Math.Sqrt(pairs.Count / 4.0)));

        // Same seed ⇒ same synapses; another seed ⇒ different.
        Assert.Equal(t.Targets, Table(net).Targets);
        var other = new NetworkBuilder().AddNeurons("a", N, NeuronModel.Lif)
            .Connect("a", "a", ConnectivitySpec.FixedProbability(P, seed: 43, allowSelf: false)).Build();
        Assert.NotEqual(t.Targets, Table(other).Targets);
    }

    [Fact]
    public void ExplicitListsKeepWeightsAndDelaysGroupedByDelay()
    {
        int[] pre = [2, 0, 2, 1, 2, 0];
        int[] post = [1, 3, 0, 2, 3, 0];
        float[] w = [0.5f, 1.5f, 2.5f, 3.5f, 4.5f, 5.5f];
        SimDuration[] d = TestTime.Durations(30, 10, 10, 20, 30, 10);
        var net = new NetworkBuilder()
            .AddNeurons("a", 3, NeuronModel.Lif)
            .AddNeurons("b", 4, NeuronModel.Lif)
            .Connect("a", "b", ConnectivitySpec.Explicit(pre, post, w, d))
            .Build();
        SynapseTable t = Table(net);
        var found = new List<(int, int, float, long)>();
        for (int i = 0; i < 3; i++)
        {
            var (first, count) = t.GroupsOf(i);
            for (int g = first; g < first + count; g++)
            {
                if (g > first)
                {
                    Assert.True(t.GroupDelay[g] > t.GroupDelay[g - 1]);
                }

                var tg = t.GroupTargets(g);
                var wg = t.GroupWeights(g);
                for (int k = 0; k < tg.Length; k++)
                {
                    found.Add((i, tg[k], wg[k], t.GroupDelay[g]));
                }
            }
        }

        var expected = Enumerable.Range(0, pre.Length).Select(k => (pre[k], post[k], w[k], d[k].Ticks)).OrderBy(x => x).ToList();
        Assert.Equal(expected, found.OrderBy(x => x).ToList());

        // Source 2 has delays {10, 30}: two groups, so two queue entries cover its three synapses.
        Assert.Equal(2, t.GroupsOf(2).Count);
        Assert.True(t.BytesPerSynapse <= 24);
    }

    [Fact]
    public void CsvSynapseListMatchesArrays()
    {
        string path = Path.Combine(Path.GetTempPath(), $"eventsnn-syn-{Guid.NewGuid():N}.csv");
        File.WriteAllText(path, "pre,post,weight,delay_ticks\n# comment\n0,1,0.25,5\n1,0,-1.5,7\n\n1,1,2,5\n");
        try
        {
            ExplicitConnectivity c = ConnectivitySpec.FromCsv(path);
            Assert.Equal([0, 1, 1], c.Pre.ToArray());
            Assert.Equal([1, 0, 1], c.Post.ToArray());
            Assert.Equal([0.25f, -1.5f, 2f], c.Weights.ToArray());
            Assert.Equal(TestTime.Durations(5, 7, 5), c.Delays.ToArray());

            File.WriteAllText(path, "0,1\n1,x\n");
            var ex = Assert.Throws<FormatException>(() => ConnectivitySpec.FromCsv(path));
            Assert.Contains(":2:", ex.Message);
            Assert.Contains("post", ex.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Theory]
    [InlineData(2, 3, 9, 11, 3, 3, 1, 0)]
    [InlineData(1, 4, 8, 8, 3, 3, 2, 1)]
    [InlineData(2, 2, 7, 5, 2, 3, 3, 2)]
    public void ConvPatchesMatchIndependentForwardLoop(int cin, int cout, int h, int w, int kh, int kw, int stride, int pad)
    {
        int ho = ((h + (2 * pad) - kh) / stride) + 1;
        int wo = ((w + (2 * pad) - kw) / stride) + 1;
        float[] kernel = [.. Enumerable.Range(0, cout * cin * kh * kw).Select(i => (float)(i + 1))];
        var net = new NetworkBuilder()
            .AddExternalInput("in", new PopulationShape(cin, h, w))
            .AddNeurons("out", new PopulationShape(cout, ho, wo), NeuronModel.Lif)
            .Connect("in", "out", ConnectivitySpec.Conv2D(kernel, cout, cin, kh, kw, stride, pad))
            .Build();
        SynapseTable t = Table(net);

        // Independent forward definition: output (o, oy, ox) = Σ K[o,c,ky,kx] · input(c, oy·s − p + ky, ox·s − p + kx).
        var expected = new Dictionary<(int, int), float>();
        for (int o = 0; o < cout; o++)
        {
            for (int oy = 0; oy < ho; oy++)
            {
                for (int ox = 0; ox < wo; ox++)
                {
                    for (int c = 0; c < cin; c++)
                    {
                        for (int ky = 0; ky < kh; ky++)
                        {
                            for (int kx = 0; kx < kw; kx++)
                            {
                                int iy = (oy * stride) - pad + ky;
                                int ix = (ox * stride) - pad + kx;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= w)
                                {
                                    continue;
                                }

                                int src = (((c * h) + iy) * w) + ix;
                                int dst = (((o * ho) + oy) * wo) + ox;
                                expected.Add((src, dst), kernel[(((((o * cin) + c) * kh) + ky) * kw) + kx]);
                            }
                        }
                    }
                }
            }
        }

        var actual = new Dictionary<(int, int), float>();
        for (int i = 0; i < t.PreSize; i++)
        {
            var (first, count) = t.GroupsOf(i);
            for (int g = first; g < first + count; g++)
            {
                var tg = t.GroupTargets(g);
                var wg = t.GroupWeights(g);
                for (int k = 0; k < tg.Length; k++)
                {
                    actual.Add((i, tg[k]), wg[k]);
                }
            }
        }

        Assert.Equal(expected.OrderBy(kv => kv.Key), actual.OrderBy(kv => kv.Key));
    }

    [Fact]
    public void CompactStorageIsWithinBudget()
    {
        var net = new NetworkBuilder()
            .AddNeurons("a", 2000, NeuronModel.CubaLif)
            .Connect("a", "a", ConnectivitySpec.FixedProbability(0.02, seed: 1), c => c.Receptor("e").Delay(SimDuration.FromTicks(100_000)))
            .Connect("a", "a", ConnectivitySpec.FixedProbability(0.02, seed: 2), c => c.Named("plastic").Receptor("e").Stdp(new StdpSpec(0.01, 0.012, 20, 20, 0, 1)))
            .Build();
        SynapseTable s = Table(net, 0);
        Assert.InRange(s.BytesPerSynapse, 8, 9);
        SynapseTable p = Table(net, 1);
        p.BuildIncomingIndex();
        Assert.InRange(p.BytesPerSynapse, 16, 24);
    }
}
