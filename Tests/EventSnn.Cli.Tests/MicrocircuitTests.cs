using System.Text.Json;
using EventSnn.Cli.Networks;
using EventSnn.EventQueue;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Cli.Tests;

/// <summary>The Potjans &amp; Diesmann (2014) microcircuit builder and <c>eventsnn bench microcircuit</c> (tiny scales only).</summary>
public sealed class MicrocircuitTests
{
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(100);

    /// <summary>Connection probabilities of the paper (Potjans &amp; Diesmann 2014, Table 5), [target, source].</summary>
    private static readonly double[,] Probabilities = new double[8, 8]
    {
        { 0.1009, 0.1689, 0.0437, 0.0818, 0.0323, 0.0, 0.0076, 0.0 },
        { 0.1346, 0.1371, 0.0316, 0.0515, 0.0755, 0.0, 0.0042, 0.0 },
        { 0.0077, 0.0059, 0.0497, 0.135, 0.0067, 0.0003, 0.0453, 0.0 },
        { 0.0691, 0.0029, 0.0794, 0.1597, 0.0033, 0.0, 0.1057, 0.0 },
        { 0.1004, 0.0622, 0.0505, 0.0057, 0.0831, 0.3726, 0.0204, 0.0 },
        { 0.0548, 0.0269, 0.0257, 0.0022, 0.06, 0.3158, 0.0086, 0.0 },
        { 0.0156, 0.0066, 0.0211, 0.0166, 0.0572, 0.0197, 0.0396, 0.2252 },
        { 0.0364, 0.001, 0.0034, 0.0005, 0.0277, 0.008, 0.0658, 0.1443 },
    };

    /// <summary>Population sizes of the paper (Table 5).</summary>
    private static readonly int[] PaperSizes = [20683, 5834, 21915, 5479, 4850, 1065, 14395, 2948];

    private static string SampleJson() => File.ReadAllText(Microcircuit.DefaultPath);

    private static NetworkSpec Full() => NetworkFile.Load(Microcircuit.DefaultPath).Network;

    [Fact]
    public void TheToolCarriesTheSampleFile()
        => Assert.Equal(File.ReadAllText(Path.Combine(RepoRoot(), "Samples", "networks", "microcircuit.json")), SampleJson());

    [Fact]
    public void TheFileHasThePapersPopulationsAndSynapseNumbers()
    {
        NetworkSpec net = Full();
        Assert.Equal(PaperSizes, Microcircuit.Names.Select(n => net.Population(n).Size));
        Assert.Equal(77_169, PaperSizes.Sum());
        long total = 0;
        for (int t = 0; t < 8; t++)
        {
            for (int s = 0; s < 8; s++)
            {
                double pairs = (double)PaperSizes[t] * PaperSizes[s];
                long expected = (long)Math.Round(Math.Log(1 - Probabilities[t, s]) / Math.Log((pairs - 1) / pairs));
                ProjectionSpec? p = net.Projections.SingleOrDefault(x => x.Name == $"{Microcircuit.Names[s]}->{Microcircuit.Names[t]}");
                if (expected == 0)
                {
                    Assert.Null(p);
                    continue;
                }

                var ft = Assert.IsType<FixedTotalNumberConnectivity>(p!.Connectivity);
                Assert.Equal(expected, ft.Count);
                total += ft.Count;
                Assert.True(p.Weight.IsNormal);
                Assert.Equal(s % 2 == 0 ? 1 : -1, Math.Sign(p.Weight.Mean));
                Assert.Equal(0.1 * Math.Abs(p.Weight.Mean), p.Weight.StandardDeviation, 1e-5);
                Assert.Equal(s % 2 == 0 ? 0 : double.NegativeInfinity, p.Weight.Low);
                Assert.Equal(s % 2 == 0 ? double.PositiveInfinity : 0, p.Weight.High);
                Assert.Equal(s % 2 == 0 ? 1_500_000 : 750_000, p.Delay.Mean.Ticks);
                Assert.Equal(p.Delay.Mean.Ticks / 2, p.Delay.StandardDeviation.Ticks);
                Assert.Equal(Dt, p.Delay.Step);
                Assert.Equal(Dt, p.Delay.Low);
            }
        }

        Assert.InRange(total, 0.29e9, 0.31e9);
        double w = net.Projection("L23E->L23I").Weight.Mean;
        Assert.Equal(2 * w, net.Projection("L4E->L23E").Weight.Mean, 1e-5);
        Assert.Equal(-4 * w, net.Projection("L23I->L23E").Weight.Mean, 1e-5);
    }

    [Fact]
    public void TheExcitatoryWeightIsThePublished87Point8Pa()
    {
        // The paper's 87.8 pA for a 0.15 mV PSP (C_m 250 pF, τm 10 ms, τs 0.5 ms), found here by integrating the membrane
        // equation numerically; the file holds currents as the potential across the membrane resistance (τm/C_m = 0.04 mV/pA).
        double peak = 0;
        double v = 0;
        double i = 1.0;
        const double h = 1e-4;
        for (double t = 0; t < 20; t += h)
        {
            v += h * ((-v / 10) + (i / 250));
            i -= h * i / 0.5;
            peak = Math.Max(peak, v);
        }

        double pa = 0.15 / peak;
        Assert.Equal(87.8, pa, 0.05);
        Assert.Equal(pa * 0.04, Full().Projection("L23E->L23E").Weight.Mean, 1e-3);
        Assert.All(Full().Populations.Where(p => p.Model is not null), p => Assert.Equal(pa * 0.04, Assert.Single(p.PoissonInputs).Weight, 1e-3));
    }

    [Fact]
    public void TheBackgroundIsKExtSourcesAt8HzDrawnPerStep()
    {
        // K_ext of the paper (Table 5) at 8 Hz each, on the excitatory receptor, one seed per population.
        int[] kExt = [1600, 1500, 2100, 1900, 2000, 1900, 2900, 2100];
        NetworkSpec net = Full();
        Assert.DoesNotContain(net.Populations, p => p.Poisson is not null);
        PoissonInputSpec[] inputs = [.. Microcircuit.Names.Select(n => Assert.Single(net.Population(n).PoissonInputs))];
        Assert.Equal(kExt, inputs.Select(i => i.Sources));
        Assert.All(inputs, i => Assert.Equal(8, i.RateHz));
        Assert.All(inputs, i => Assert.Equal("e", i.Receptor));
        Assert.Equal(8, inputs.Select(i => i.Seed).Distinct().Count());

        // On a GPU the bench expresses the same background as Poisson populations with one-to-one projections.
        NetworkSpec events = Microcircuit.Load(Microcircuit.DefaultPath, 0.01, 0.01, MicrocircuitBackground.Poisson, 1, Dt, poissonAsPopulations: true);
        NetworkSpec scaled = Scaled(0.01, 0.01, MicrocircuitBackground.Poisson);
        foreach (string n in Microcircuit.Names)
        {
            PoissonInputSpec pi = Assert.Single(scaled.Population(n).PoissonInputs);
            Assert.Empty(events.Population(n).PoissonInputs);
            PopulationSpec bg = events.Population(n + ".bg");
            Assert.Equal(pi.RateHz * pi.Sources, bg.Poisson!.RateHz, 1e-9);
            Assert.Equal(events.Population(n).Size, bg.Size);
            Assert.Equal(pi.Weight, events.Projection(n + ".bg->" + n).Weight.Low, 1e-9);
        }
    }

    [Fact]
    public void ScalingDividesWeightsBySqrtKAndDcReplacesTheLostMeanInput()
    {
        NetworkSpec full = Full();
        NetworkSpec half = Scaled(0.5, 0.25, MicrocircuitBackground.Poisson);
        NetworkSpec dc = Scaled(1, 1, MicrocircuitBackground.Dc);
        Assert.DoesNotContain(dc.Populations, p => p.Poisson is not null || !p.PoissonInputs.IsEmpty);
        for (int t = 0; t < 8; t++)
        {
            string post = Microcircuit.Names[t];
            Assert.Equal(Math.Round(PaperSizes[t] * 0.5, MidpointRounding.ToEven), half.Population(post).Size);
            double MeanInput(NetworkSpec net, double rateScale)
            {
                // τs·(Σ_s w·K/N·ν_s + ν_bg·w_bg) + i_offset: the mean input at the published rates, in mV.
                double sum = 0;
                foreach (ProjectionSpec p in net.Projections.Where(p => p.Post == net.Population(post).Id))
                {
                    PopulationSpec pre = net.Populations[p.Pre];
                    if (pre.Poisson is { } bg)
                    {
                        sum += bg.RateHz * p.Weight.Low;
                    }
                    else
                    {
                        long k = ((FixedTotalNumberConnectivity)p.Connectivity).Count;
                        sum += p.Weight.Mean * k / net.Population(post).Size * Microcircuit.ReferenceRatesHz[Microcircuit.Names.IndexOf(pre.Name)] * rateScale;
                    }
                }

                sum += net.Population(post).PoissonInputs.Sum(pi => pi.RateHz * pi.Sources * pi.Weight);
                return (0.5e-3 * sum) + net.Population(post).Parameters[6];
            }

            double m = MeanInput(full, 1);
            Assert.Equal(m, MeanInput(half, 1), 2e-3 * Math.Abs(m));
            Assert.Equal(m, MeanInput(dc, 1), 1e-6 * Math.Abs(m));
            Assert.Equal(0, full.Population(post).Parameters[6]);
        }

        Assert.Equal(2 * full.Projection("L4I->L5E").Weight.Mean, half.Projection("L4I->L5E").Weight.Mean, 1e-9);
        Assert.Equal(
            Math.Round(((FixedTotalNumberConnectivity)full.Projection("L4I->L5E").Connectivity).Count * 0.125, MidpointRounding.ToEven),
            ((FixedTotalNumberConnectivity)half.Projection("L4I->L5E").Connectivity).Count);
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EventSnn.sln not found above the test directory.");
    }

    /// <summary>The file with every <c>poisson_input</c> replaced by a Poisson population and a one-to-one projection (1.5 ms).</summary>
    private static string WithBackgroundPopulations(string json)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        var pops = root["populations"]!.AsArray();
        var projs = root["projections"]!.AsArray();
        foreach (var p in pops.Select(x => x!.AsObject()).ToList())
        {
            if (p["poisson_input"] is not System.Text.Json.Nodes.JsonArray inputs)
            {
                continue;
            }

            var pi = Assert.Single(inputs)!.AsObject();
            string name = (string)p["name"]!;
            pops.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["name"] = name + ".bg", ["kind"] = "poisson", ["size"] = p["size"]!.DeepClone(),
                ["rate_hz"] = (double)pi["rate_hz"]! * (double)pi["sources"]!, ["seed"] = pi["seed"]!.DeepClone(),
            });
            projs.Add(new System.Text.Json.Nodes.JsonObject
            {
                ["pre"] = name + ".bg", ["post"] = name, ["receptor"] = "e", ["weight"] = pi["weight"]!.DeepClone(), ["delay_ms"] = 1.5,
                ["connectivity"] = new System.Text.Json.Nodes.JsonObject { ["rule"] = "one_to_one" },
            });
            p.Remove("poisson_input");
        }

        return root.ToJsonString();
    }

    private static NetworkSpec Scaled(double n, double k, MicrocircuitBackground bg)
        => Microcircuit.Load(Microcircuit.DefaultPath, n, k, bg, 1, Dt);

    [Fact]
    public void BenchReportsRatesNextToThePublishedOnes()
    {
        var (code, stdout, stderr) = Cli.Run("bench", "microcircuit", "--scale", "0.01", "--duration", "0.2", "--transient", "0.05", "--threads", "1", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        NetworkSpec net = Scaled(0.01, 0.01, MicrocircuitBackground.Poisson);
        Assert.Equal(Microcircuit.Names.Sum(n => net.Population(n).Size), r.GetProperty("neurons").GetInt32());
        long synapses = net.Projections.Select(p => p.Connectivity).OfType<FixedTotalNumberConnectivity>().Sum(c => c.Count);

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
            // A GPU takes the Poisson background as Poisson populations (queued events): give both devices that form of the file.
            string file = Path.Combine(dir, "microcircuit-events.json");
            File.WriteAllText(file, WithBackgroundPopulations(SampleJson()));
            string[] common = ["bench", "microcircuit", "--network", file, "--scale", "0.01", "--duration", "0.005", "--transient", "0", "--threads", "1", "--json"];
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
