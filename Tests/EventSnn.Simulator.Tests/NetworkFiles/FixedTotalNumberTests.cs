using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>
/// <c>fixed_total_number</c> connectivity with per-synapse normal weights and delays (the microcircuit's): exact counts,
/// the redraw windows, rounding to the step, grouping by delay, the same table for any number of threads, and the file form.
/// </summary>
public sealed class FixedTotalNumberTests
{
    private const string Projection = """
        {"pre": "a", "post": "b", "receptor": "i",
         "connectivity": {"rule": "fixed_total_number", "count": 60000, "seed": 3},
         "weight": {"normal": {"mean": -2, "sd": 1.5}, "max": 0, "seed": 4},
         "delay_ms": {"normal": {"mean": 0.75, "sd": 0.375}, "min": 0.1, "step": 0.1, "seed": 5}}
        """;

    private static string File(string projection = Projection) => $$"""
        {"populations": [
          {"name": "a", "model": "cuba_lif", "size": 300},
          {"name": "b", "model": "cuba_lif", "size": 200}],
         "projections": [{{projection}}]}
        """;

    private static NetworkSpec Built() => new NetworkBuilder()
        .AddNeurons("a", 300, NeuronModel.CubaLif)
        .AddNeurons("b", 200, NeuronModel.CubaLif)
        .Connect("a", "b", ConnectivitySpec.FixedTotalNumber(60000, 3), c => c
            .Receptor("i")
            .WeightNormal(-2, 1.5, 4, max: 0)
            .DelayNormal(SimDuration.FromMicroseconds(750), SimDuration.FromMicroseconds(375), SimDuration.FromMicroseconds(100), SimDuration.FromMicroseconds(100), 5))
        .Build();

    private static SynapseTable Table(NetworkSpec net) => SynapseTable.Build(net.Projections[0], net.Populations[0], net.Populations[1]);

    [Fact]
    public void TheFileGivesTheSpecTheBuilderGives()
    {
        ProjectionSpec f = Parse(File()).Network.Projections[0];
        ProjectionSpec b = Built().Projections[0];
        Assert.Equal(b.Connectivity, f.Connectivity);
        Assert.Equal(b.Weight, f.Weight);
        Assert.Equal(b.Delay, f.Delay);
        Assert.Equal(b.Receptor, f.Receptor);
    }

    [Fact]
    public void CountsWindowsStepsAndDelayGroupsHold()
    {
        SynapseTable t = Table(Built());
        Assert.Equal(60000, t.SynapseCount);
        Assert.All(t.Targets, j => Assert.InRange(j, 0, 199));
        Assert.All(t.Weights, w => Assert.True(w <= 0, $"inhibitory weight {w} must be ≤ 0"));
        double mean = t.Weights.Average(w => (double)w);

        // The mean of a normal(−2, 1.5) truncated to ≤ 0: −2 − 1.5·φ(4/3)/Φ(4/3), computed here.
        double z = 2 / 1.5;
        double phi = Math.Exp(-z * z / 2) / Math.Sqrt(2 * Math.PI);
        double cdf = 1 - (0.5 * Erfc(z / Math.Sqrt(2)));
        double expected = -2 - (1.5 * phi / cdf);
        Assert.InRange(mean, expected - 0.03, expected + 0.03);
        for (int i = 0; i < t.PreSize; i++)
        {
            (int first, int count) = t.GroupsOf(i);
            for (int g = first; g < first + count; g++)
            {
                Assert.Equal(0, t.GroupDelay[g] % 100_000);
                Assert.True(t.GroupDelay[g] >= 100_000);
                Assert.True(g == first || t.GroupDelay[g] > t.GroupDelay[g - 1], "delay groups of a source ascend");
            }
        }

        // Rounded delays: the share in the 0.1 ms group is P(0.1 ≤ d < 0.15 | d ≥ 0.1) for d ~ normal(0.75, 0.375).
        long shortest = 0;
        for (int g = 0; g < t.GroupCount; g++)
        {
            shortest += t.GroupDelay[g] == 100_000 ? t.GroupStart[g + 1] - t.GroupStart[g] : 0;
        }

        double p = (Cdf((0.15 - 0.75) / 0.375) - Cdf((0.1 - 0.75) / 0.375)) / (1 - Cdf((0.1 - 0.75) / 0.375));
        Assert.InRange(shortest / 60000.0, p * 0.85, p * 1.15);
    }

    [Fact]
    public void SourcesReceiveBinomialShares()
    {
        SynapseTable t = Table(Built());
        double mean = 60000.0 / 300;
        double sd = Math.Sqrt(60000 * (1.0 / 300) * (1 - (1.0 / 300)));
        for (int i = 0; i < t.PreSize; i++)
        {
            (int first, int count) = t.GroupsOf(i);
            int k = t.GroupStart[first + count] - t.GroupStart[first];
            Assert.InRange(k, mean - (6 * sd), mean + (6 * sd));
        }
    }

    [Fact]
    public void EveryDelayGroupListsItsTargetsInAscendingOrder()
    {
        // Delivery splits a group by target range with a binary search; the check below is the table's own flag, which a
        // shuffled table must clear.
        SynapseTable t = Table(Built());
        int multapses = 0;
        for (int g = 0; g < t.GroupCount; g++)
        {
            ReadOnlySpan<int> targets = t.GroupTargets(g);
            for (int k = 1; k < targets.Length; k++)
            {
                Assert.True(targets[k - 1] <= targets[k], $"group {g}: target {targets[k - 1]} before {targets[k]}");
                multapses += targets[k - 1] == targets[k] ? 1 : 0;
            }
        }

        Assert.True(multapses > 0, "60,000 draws over 300 × 200 pairs give repeated pairs");
        Assert.True(t.TargetsAscendingWithinGroups);

        NetworkSpec shuffled = new NetworkBuilder()
            .AddNeurons("a", 2, NeuronModel.CubaLif)
            .AddNeurons("b", 5, NeuronModel.CubaLif)
            .Connect("a", "b", ConnectivitySpec.Explicit([0, 0, 1], [4, 2, 3]), c => c.Weight(1))
            .Build();
        Assert.False(Table(shuffled).TargetsAscendingWithinGroups);
    }

    [Fact]
    public async Task TheTableIsTheSameOnOneThread()
    {
        NetworkSpec net = Built();
        SynapseTable parallel = Table(net);
        var one = new ConcurrentExclusiveSchedulerPair(TaskScheduler.Default, 1);
        SynapseTable serial = await Task.Factory.StartNew(() => Table(net), CancellationToken.None, TaskCreationOptions.None, one.ExclusiveScheduler);
        Assert.Equal(parallel.Targets, serial.Targets);
        Assert.Equal(parallel.Weights, serial.Weights);
        Assert.Equal(parallel.GroupDelay, serial.GroupDelay);
        Assert.Equal(parallel.GroupStart, serial.GroupStart);
        Assert.Equal(parallel.SourceGroupStart, serial.SourceGroupStart);
    }

    [Theory]
    [InlineData("\"delay_ms\": {\"normal\": {\"mean\": 0.75, \"sd\": 0.375}, \"min\": 0.01, \"step\": 0.1, \"seed\": 5}", "$.projections[0].delay_ms.min: must be ≥ half a step")]
    [InlineData("\"delay_ms\": {\"normal\": {\"mean\": 0.75, \"sd\": 0.375}, \"seed\": 5}", "$.projections[0].delay_ms: missing key 'step'")]
    [InlineData("\"delay_ms\": {\"normal\": {\"mean\": 0.75, \"sd\": 0.375}, \"step\": 0.1, \"seed\": 5, \"clip\": 1}", "$.projections[0].delay_ms.clip: unknown key 'clip'")]
    [InlineData("\"weight\": {\"normal\": {\"mean\": -2, \"sd\": -1}, \"seed\": 4}", "$.projections[0].weight.normal.sd: must be ≥ 0")]
    [InlineData("\"weight\": {\"normal\": {\"mean\": -2, \"sd\": 0.1}, \"min\": 0, \"seed\": 4}", "$.projections[0].weight: keeps [0, Infinity], which must overlap mean ± 3 sd")]
    [InlineData("\"weight\": {\"normal\": {\"mean\": 2, \"sd\": 0.1}, \"seed\": 4}, \"post\": \"c\"", "$.projections[0].weight: must be ≥ 0 for conductance model 'coba_lif'")]
    public void BadDrawsAreOneLineErrorsWithTheirPath(string change, string expected)
    {
        string projection = "{\"pre\": \"a\", \"post\": \"b\", \"connectivity\": {\"rule\": \"fixed_total_number\", \"count\": 10, \"seed\": 3}, " + change + "}";
        if (change.Contains("\"post\"", StringComparison.Ordinal))
        {
            projection = projection.Replace("\"post\": \"b\", ", string.Empty, StringComparison.Ordinal);
        }

        string json = $$"""
            {"populations": [
              {"name": "a", "model": "cuba_lif", "size": 3},
              {"name": "b", "model": "cuba_lif", "size": 2},
              {"name": "c", "model": "coba_lif", "size": 2}],
             "projections": [{{projection}}]}
            """;
        NetworkFileException ex = Fails(json);
        Assert.True(ex.Message.Contains(expected, StringComparison.Ordinal), ex.Message);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("2147483648")]
    [InlineData("1.5")]
    public void CountOutsideTheIntegerRangeIsAnError(string count)
    {
        NetworkFileException ex = Fails(File("{\"pre\": \"a\", \"post\": \"b\", \"connectivity\": {\"rule\": \"fixed_total_number\", \"count\": " + count + ", \"seed\": 3}}"));
        Assert.Contains("$.projections[0].connectivity.count", ex.Message, StringComparison.Ordinal);
    }

    private static double Cdf(double x) => 0.5 * Erfc(-x / Math.Sqrt(2));

    /// <summary>Complementary error function (Numerical Recipes' erfcc, relative error below 1.2e-7).</summary>
    private static double Erfc(double x)
    {
        double z = Math.Abs(x);
        double t = 1 / (1 + (0.5 * z));
        double[] c = [-1.26551223, 1.00002368, 0.37409196, 0.09678418, -0.18628806, 0.27886807, -1.13520398, 1.48851587, -0.82215223, 0.17087277];
        double poly = 0;
        for (int k = c.Length - 1; k >= 1; k--)
        {
            poly = t * (c[k] + poly);
        }

        double r = t * Math.Exp((-z * z) + c[0] + poly);
        return x >= 0 ? r : 2 - r;
    }
}
