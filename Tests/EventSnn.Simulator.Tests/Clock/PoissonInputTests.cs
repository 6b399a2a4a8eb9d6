using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Clock;

/// <summary>Poisson input drawn per neuron and per step (<see cref="PoissonInputSpec"/>).</summary>
public sealed class PoissonInputTests
{
    private static readonly SimDuration s_dt = SimDuration.FromMicroseconds(100);

    [Theory]
    [InlineData(8.0, 40, 0.032)]
    [InlineData(8.0, 2900, 2.32)]
    [InlineData(500.0, 800, 40.0)]
    public void CountsHaveThePoissonMeanVarianceAndZeroProbability(double rateHz, int sources, double mean)
    {
        var spec = new PoissonInputSpec("e", rateHz, sources, 1.0, Seed: 77);
        var input = new PoissonStepInput(spec, 0, 2000, s_dt.Ticks, "p");
        Assert.Equal(mean, input.Mean, 12);

        const int Steps = 400;
        double m = 2000.0 * Steps;
        double sum = 0, sumSq = 0, zeros = 0;
        for (long k = 1; k <= Steps; k++)
        {
            for (int j = 0; j < 2000; j++)
            {
                int n = input.Count(j, k);
                sum += n;
                sumSq += (double)n * n;
                zeros += n == 0 ? 1 : 0;
            }
        }

        double sampleMean = sum / m;
        double sampleVar = (sumSq / m) - (sampleMean * sampleMean);

        // Closed form: E[n] = Var[n] = λ, P(n = 0) = e^{−λ}; standard errors of the estimates over m draws:
        // √(λ/m) for the mean, √((λ + 2λ²)/m) for the variance, √(p(1 − p)/m) for the zero fraction.
        double lambda = input.Mean;
        double p0 = Math.Exp(-lambda);
        Assert.True(Math.Abs(sampleMean - lambda) < 5 * Math.Sqrt(lambda / m), $"mean {sampleMean} vs λ = {lambda}");
        Assert.True(Math.Abs(sampleVar - lambda) < 5 * Math.Sqrt((lambda + (2 * lambda * lambda)) / m), $"variance {sampleVar} vs λ = {lambda}");
        Assert.True(Math.Abs((zeros / m) - p0) < 5 * Math.Sqrt((p0 * (1 - p0) / m) + 1e-18), $"P(0) {zeros / m} vs {p0}");
    }

    [Fact]
    public void CountsDependOnSeedNeuronAndStepOnly()
    {
        var a = new PoissonStepInput(new PoissonInputSpec("e", 8, 2100, 1, 5), 0, 300, s_dt.Ticks, "p");
        var b = new PoissonStepInput(new PoissonInputSpec("e", 8, 2100, 1, 5), 0, 300, s_dt.Ticks, "p");
        var c = new PoissonStepInput(new PoissonInputSpec("e", 8, 2100, 1, 6), 0, 300, s_dt.Ticks, "p");
        int differ = 0, neighbours = 0;
        for (long k = 1; k < 200; k++)
        {
            for (int j = 0; j < 300; j++)
            {
                Assert.Equal(a.Count(j, k), b.Count(j, k));
                differ += a.Count(j, k) != c.Count(j, k) ? 1 : 0;
                neighbours += j > 0 && a.Count(j, k) == a.Count(j - 1, k) ? 1 : 0;
            }
        }

        // Another seed is another draw; neighbouring neurons are independent (P(equal) = Σ p(n)² ≈ 0.19 at λ = 1.68).
        Assert.True(differ > 30_000, $"{differ} of 59,700 counts differ between seeds");
        Assert.InRange(neighbours / (199.0 * 299), 0.15, 0.23);

        float[] row = new float[300];
        a.AddTo(row, 17, 10, 251);
        for (int j = 0; j < 300; j++)
        {
            Assert.Equal(j is >= 10 and < 251 ? a.Count(j, 17) * 1f : 0f, row[j]);
        }
    }

    [Fact]
    public void MeanPotentialEqualsTheEquivalentConstantCurrent()
    {
        // cuba_lif: the mean of the exponential current is w·ν·τe for Poisson input of total rate ν, as for the constant
        // current i_offset = w·ν·τe (exact propagator: each step's count is integrated exactly). Threshold out of reach.
        const double Rate = 8, Weight = 0.4, TauE = 0.5, VRest = -65;
        const int Sources = 2000, N = 800;
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("p", N, NeuronModel.CubaLif, p => p.Set("tau_m", 10).Set("tau_e", TauE).Set("tau_i", 0.5).Set("v_rest", VRest).Set("v_thresh", 1000).Set("v_reset", VRest).Set("t_ref", 2)
                .Initial("v", VRest).ClockDriven(s_dt).PoissonInput("e", Rate, Sources, Weight, seed: 3))
            .Build();
        using var engine = new SimulationEngine(net, new EngineOptions { Threads = 2 });
        double[] perNeuron = new double[N];
        const int Samples = 60;
        engine.RunUntil(SimTime.FromMilliseconds(50L));
        for (int s = 1; s <= Samples; s++)
        {
            engine.RunUntil(SimTime.FromMilliseconds(50L + (5L * s)));
            for (int j = 0; j < N; j++)
            {
                perNeuron[j] += engine.ReadState(0, j, 0) / Samples;
            }
        }

        double expected = VRest + (Weight * Rate * Sources * TauE * 1e-3);
        double mean = perNeuron.Average();
        double se = Math.Sqrt(perNeuron.Sum(v => (v - mean) * (v - mean)) / (N - 1) / N);
        Assert.True(se > 0, "the input fluctuates");
        Assert.True(Math.Abs(mean - expected) < 5 * se, $"mean v {mean} mV, expected {expected} mV (standard error {se})");
    }

    [Fact]
    public void SpikesAreIdenticalForEveryThreadCountChunkSizeAndWindow()
    {
        foreach (long delay in new long[] { 100_000, 500_000 })
        {
            NetworkSpec net = Recurrent(delay);
            ulong? reference = null;
            (int Threads, int Chunk)[] devices = delay == 100_000 ? [(1, 4096), (2, 4096), (3, 1024), (2, 64)] : [(1, 4096), (3, 64)];
            foreach ((int threads, int chunk) in devices)
            {
                using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = chunk, MinParallelCount = 0 }); // every boundary split
                using var engine = new SimulationEngine(net, new EngineOptions { Device = device });
                var spikes = new SpikeList();
                engine.AddSpikeMonitor(spikes);
                engine.RunUntil(SimTime.FromMilliseconds(40L));
                Assert.True(spikes.Spikes.Count > 1000, $"{spikes.Spikes.Count} spikes");
                reference ??= spikes.Hash();
                Assert.Equal(reference, spikes.Hash());
            }
        }
    }

    [Fact]
    public void EventDrivenPopulationsAndBadInputsAreRefused()
    {
        var ex = Assert.ThrowsAny<ArgumentException>(() => new NetworkBuilder()
            .AddNeurons("p", 10, NeuronModel.CubaLif, p => p.EventDriven().PoissonInput("x", -1, 0, double.NaN, 1))
            .Build());
        Assert.Contains("'x' is not a receptor of model 'cuba_lif'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("rate must be in 0..1e9 Hz (got -1)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("sources must be ≥ 1 (got 0)", ex.Message, StringComparison.Ordinal);
        Assert.Contains("weight must be finite", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs clock-driven execution", ex.Message, StringComparison.Ordinal);

        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("p", 10, NeuronModel.CubaLif, p => p.PoissonInput("e", 8, 100, 1, 1))
            .Build();
        var e2 = Assert.Throws<ArgumentException>(() => TestEngines.Event(net));
        Assert.Contains("population 'p'", e2.Message, StringComparison.Ordinal);
        Assert.Contains("needs clock-driven execution", e2.Message, StringComparison.Ordinal);

        NetworkSpec huge = new NetworkBuilder()
            .AddNeurons("p", 10, NeuronModel.CubaLif, p => p.ClockDriven(SimDuration.FromMilliseconds(1)).PoissonInput("e", 1e6, 100, 1, 1))
            .Build();
        var e3 = Assert.Throws<ArgumentException>(() => new SimulationEngine(huge));
        Assert.Contains("at most 10000 is supported", e3.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheFileFormIsTheBuilderForm()
    {
        PopulationSpec f = NetworkFiles.NetworkFileTestSupport.Parse(NetworkFiles.NetworkFileTestSupport.WithA(popExtra: """
            , "execution": {"mode": "clock", "dt_ms": 0.1}, "poisson_input": [{"receptor": "v", "rate_hz": 8, "sources": 1600, "weight": 0.15, "seed": 4}, {"receptor": "v", "rate_hz": 3, "weight": -0.5, "seed": 5}]
            """)).Network.Populations[0];
        Assert.Equal([new PoissonInputSpec("v", 8, 1600, 0.15, 4), new PoissonInputSpec("v", 3, 1, -0.5, 5)], f.PoissonInputs.ToArray());
    }

    [Theory]
    [InlineData("""[{"receptor": "e", "rate_hz": 8, "weight": 1, "seed": 1}]""", "$.populations[0].poisson_input[0].receptor", "'e' is not a receptor of model 'lif'")]
    [InlineData("""[{"receptor": "v", "rate_hz": -8, "weight": 1, "seed": 1}]""", "$.populations[0].poisson_input[0].rate_hz", "must be in 0..1e9 Hz")]
    [InlineData("""[{"receptor": "v", "rate_hz": 8, "sources": 0, "weight": 1, "seed": 1}]""", "$.populations[0].poisson_input[0].sources", "")]
    [InlineData("""[{"receptor": "v", "rate_hz": 8, "weight": 1}]""", "$.populations[0].poisson_input[0]", "seed")]
    [InlineData("""[{"receptor": "v", "rate_hz": 8, "weight": 1, "seed": 1, "delay_ms": 1}]""", "$.populations[0].poisson_input[0]", "delay_ms")]
    [InlineData("""{"receptor": "v"}""", "$.populations[0].poisson_input", "array")]
    public void BadFileInputsNameTheirPath(string input, string path, string problem)
    {
        var ex = NetworkFiles.NetworkFileTestSupport.Fails(NetworkFiles.NetworkFileTestSupport.WithA(popExtra: $$""", "poisson_input": {{input}}"""));
        Assert.StartsWith(path, ex.JsonPath, StringComparison.Ordinal);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// Two clock-driven populations spread over several chunks: fixed_total_number projections (targets ascending within
    /// each delay group, multapses, normal weights of both signs), one explicit projection whose groups list targets in
    /// descending order, and Poisson input on both populations.
    /// </summary>
    private static NetworkSpec Recurrent(long delayTicks)
    {
        var delay = SimDuration.FromTicks(delayTicks);
        int[] pre = [.. Enumerable.Range(0, 3000).Select(k => k % 40)];
        int[] post = [.. Enumerable.Range(0, 3000).Select(k => 2999 - (k * 7 % 3000))];
        return new NetworkBuilder()
            .AddNeurons("e", 3000, NeuronModel.CubaLif, p => Neurons(p, 1).PoissonInput("e", 8, 1600, 3.5, seed: 21))
            .AddNeurons("i", 800, NeuronModel.CubaLif, p => Neurons(p, 2).PoissonInput("e", 8, 1500, 3.5, seed: 22))
            .Connect("e", "e", ConnectivitySpec.FixedTotalNumber(240_000, seed: 31), c => c.WeightNormal(0.45, 0.2, seed: 32).Receptor("e").DelayNormal(SimDuration.FromMilliseconds(1.5), SimDuration.FromMilliseconds(0.75), delay, SimDuration.FromMicroseconds(100), seed: 33))
            .Connect("e", "i", ConnectivitySpec.FixedTotalNumber(60_000, seed: 34), c => c.WeightNormal(0.45, 0.3, seed: 35).Receptor("e").Delay(delay))
            .Connect("i", "e", ConnectivitySpec.FixedTotalNumber(180_000, seed: 36), c => c.WeightNormal(-1.8, 0.5, seed: 37).Receptor("i").Delay(delay))
            .Connect("i", "i", ConnectivitySpec.FixedTotalNumber(48_000, seed: 38), c => c.WeightNormal(-1.8, 0.5, seed: 39).Receptor("i").Delay(delay))
            .Connect("i", "e", ConnectivitySpec.Explicit(pre, post), c => c.Named("explicit").Weight(0.3).Receptor("e").Delay(delay))
            .Build();
    }

    private static PopulationOptions Neurons(PopulationOptions p, ulong seed) =>
        p.Set("tau_m", 10).Set("tau_e", 0.5).Set("tau_i", 0.5).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("t_ref", 2)
            .InitialUniform("v", -70, -55, seed).ClockDriven(s_dt);
}
