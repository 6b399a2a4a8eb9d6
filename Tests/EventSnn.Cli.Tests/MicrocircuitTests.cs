using System.Text.Json;
using EventSnn.Cli.Networks;
using EventSnn.EventQueue;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Tests;

/// <summary>The Potjans &amp; Diesmann (2014) microcircuit builder and <c>eventsnn bench microcircuit</c> (tiny scales only).</summary>
public sealed class MicrocircuitTests
{
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(100);

    [Fact]
    public void TheExcitatoryPscIsThePublished87Point8Pa()
    {
        // The paper's 87.8 pA for a 0.15 mV PSP (C_m 250 pF, τm 10 ms, τs 0.5 ms); checked here against the peak of the
        // PSP found by integrating the membrane equation numerically.
        double peak = 0;
        double v = 0;
        double i = 1.0;
        const double h = 1e-4;
        for (double t = 0; t < 20; t += h)
        {
            v += h * ((-v / Microcircuit.TauMMs) + (i / Microcircuit.CmPf));
            i -= h * i / Microcircuit.TauSynMs;
            peak = Math.Max(peak, v);
        }

        Assert.Equal(1 / peak, Microcircuit.PscPerPsp, 1e-3 * Microcircuit.PscPerPsp);
        Assert.Equal(87.8, Microcircuit.PspExcMv * Microcircuit.PscPerPsp, 0.05);
    }

    [Fact]
    public void FullScaleHas77169NeuronsAndAbout0Point3BillionSynapses()
    {
        Microcircuit.Parameters p = Microcircuit.Derive(1, 1, MicrocircuitBackground.Poisson);
        Assert.Equal(77_169, p.Sizes.Sum());
        long total = 0;
        for (int t = 0; t < 8; t++)
        {
            for (int s = 0; s < 8; s++)
            {
                total += p.Synapses[t, s];

                // K = ln(1 − p)/ln(1 − 1/(N_pre N_post)): for small p, K ≈ p·N_pre·N_post (slightly above).
                double pairs = (double)p.Sizes[t] * p.Sizes[s];
                double pr = Microcircuit.ConnectionProbabilities[t, s];
                Assert.InRange(p.Synapses[t, s], Math.Floor(pr * pairs), Math.Ceiling(-Math.Log(1 - pr) * pairs * 1.0001));
                Assert.Equal(Math.Sign(p.WeightPa[t, s]), s % 2 == 0 ? 1 : -1);
            }

            Assert.Equal(0, p.DcPa[t]);
        }

        Assert.InRange(total, 0.29e9, 0.31e9);
        Assert.Equal(2 * p.WeightPa[1, 2], p.WeightPa[0, 2], 1e-9);
        Assert.Equal(-4 * p.WeightPa[0, 0], p.WeightPa[0, 1], 1e-9);
    }

    [Fact]
    public void ScalingDividesWeightsBySqrtKAndDcReplacesTheLostMeanInput()
    {
        Microcircuit.Parameters full = Microcircuit.Derive(1, 1, MicrocircuitBackground.Dc);
        Microcircuit.Parameters half = Microcircuit.Derive(0.5, 0.25, MicrocircuitBackground.Poisson);
        Assert.Equal(full.WeightPa[3, 5] * 2, half.WeightPa[3, 5], 1e-9);
        double[,] k = Microcircuit.FullSynapses();
        for (int t = 0; t < 8; t++)
        {
            // DC background: the Poisson mean, rate·K_ext·w·τs.
            double bg = Microcircuit.BackgroundRateHz * Microcircuit.ExternalInDegree[t] * full.ExternalWeightPa * Microcircuit.TauSynMs * 1e-3;
            Assert.Equal(bg, full.DcPa[t], 1e-9 * bg);

            // Scaled: the mean input lost by the scaled in-degree × weight, recurrent (at the published rates) and external.
            double meanFull = bg;
            double meanScaled = (Microcircuit.BackgroundRateHz * half.ExternalInDegree[t] * half.ExternalWeightPa * Microcircuit.TauSynMs * 1e-3) + half.DcPa[t];
            for (int s = 0; s < 8; s++)
            {
                double inDegree = k[t, s] / Microcircuit.FullSizes[t];
                meanFull += full.WeightPa[t, s] * inDegree * Microcircuit.ReferenceRatesHz[s] * Microcircuit.TauSynMs * 1e-3;
                meanScaled += half.WeightPa[t, s] * inDegree * 0.25 * Microcircuit.ReferenceRatesHz[s] * Microcircuit.TauSynMs * 1e-3;
            }

            Assert.Equal(meanFull, meanScaled, 1e-2 * Math.Abs(meanFull));
        }
    }

    [Fact]
    public void TheBuiltNetworkHasTheDerivedSynapsesWeightsAndDelays()
    {
        NetworkSpec net = Microcircuit.Build(0.02, 0.05, MicrocircuitBackground.Poisson, 3, Dt);
        Microcircuit.Parameters p = Microcircuit.Derive(0.02, 0.05, MicrocircuitBackground.Poisson);
        Assert.Equal(p.Sizes.Sum(), net.Populations.Where(x => x.Model is not null).Sum(x => x.Size));
        var l4e = (ExplicitConnectivity)net.Projection("L4E->L23E").Connectivity;
        Assert.Equal(p.Synapses[0, 2], l4e.Pre.Length);
        Assert.All(l4e.Weights, w => Assert.True(w > 0));
        double meanW = l4e.Weights.Average(w => (double)w);
        Assert.Equal(p.WeightPa[0, 2] * 0.04, meanW, 0.05 * meanW);
        var inh = (ExplicitConnectivity)net.Projection("L4I->L4E").Connectivity;
        Assert.All(inh.Weights, w => Assert.True(w < 0));
        Assert.All(inh.Delays, d => Assert.True(d.Ticks >= Dt.Ticks && d.Ticks % Dt.Ticks == 0));
        Assert.Equal(0.75, inh.Delays.Average(d => d.Ticks / 1e6), 0.1);
        Assert.Equal(1.5, l4e.Delays.Average(d => d.Ticks / 1e6), 0.1);
        Assert.Equal(8 * p.ExternalInDegree[0], net.Population("L23E.bg").Poisson!.RateHz);
    }

    [Fact]
    public void BenchReportsRatesNextToThePublishedOnes()
    {
        var (code, stdout, stderr) = Cli.Run("bench", "microcircuit", "--scale", "0.01", "--duration", "0.2", "--transient", "0.05", "--threads", "1", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        Microcircuit.Parameters p = Microcircuit.Derive(0.01, 0.01, MicrocircuitBackground.Poisson);
        Assert.Equal(p.Sizes.Sum(), r.GetProperty("neurons").GetInt32());
        long synapses = 0;
        foreach (long k in p.Synapses)
        {
            synapses += k;
        }

        Assert.Equal(synapses, r.GetProperty("synapses").GetInt64());
        Assert.True(r.GetProperty("real_time_factor").GetDouble() > 0);
        Assert.InRange(r.GetProperty("bytes_per_synapse").GetDouble(), 4, 64);
        JsonElement[] pops = [.. r.GetProperty("populations").EnumerateArray()];
        Assert.Equal(Microcircuit.Names, pops.Select(x => x.GetProperty("name").GetString()!));
        Assert.Equal(Microcircuit.ReferenceRatesHz, pops.Select(x => x.GetProperty("published_rate_hz").GetDouble()));
        Assert.True(r.GetProperty("spikes").GetInt64() > 0);
        Assert.All(pops, x => Assert.InRange(x.GetProperty("rate_hz").GetDouble(), 0, 200));
    }

    [Theory]
    [InlineData("--scale", "0")]
    [InlineData("--scale", "1.5")]
    [InlineData("--k-scale", "-1")]
    [InlineData("--transient", "5")]
    [InlineData("--duration", "nan")]
    public void BadOptionsAreOneLineErrors(string option, string value)
    {
        var (code, _, stderr) = Cli.Run("bench", "microcircuit", "--duration", "0.1", option, value);
        Assert.NotEqual(0, code);
        Assert.Contains(option, Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public void IlgpuCpuGivesTheCpuDeviceSpikes()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"eventsnn-mc-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            // ILGPU's CPU accelerator emulates a GPU (a few milliseconds per launch): a few steps of the smallest network that spikes.
            string[] common = ["bench", "microcircuit", "--scale", "0.01", "--duration", "0.005", "--transient", "0", "--threads", "1", "--json"];
            var (c1, a, e1) = Cli.Run([.. common, "--device", "cpu", "--spikes", Path.Combine(dir, "cpu.csv")]);
            var (c2, b, e2) = Cli.Run([.. common, "--device", "ilgpu-cpu", "--spikes", Path.Combine(dir, "gpu.csv")]);
            Assert.True(c1 == 0, e1);
            Assert.True(c2 == 0, e2);
            Assert.Contains("ilgpu(", b, StringComparison.Ordinal);
            byte[] cpu = File.ReadAllBytes(Path.Combine(dir, "cpu.csv"));
            Assert.True(File.ReadAllLines(Path.Combine(dir, "cpu.csv")).Length > 2, "the run must spike");
            Assert.Equal(cpu, File.ReadAllBytes(Path.Combine(dir, "gpu.csv")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
