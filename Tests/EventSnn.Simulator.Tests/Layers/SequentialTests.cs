using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Layers;

/// <summary>
/// The layer container compiles to explicit synapses equal to the dense layer equations written out here (output-centric
/// loops over PyTorch's definitions), and runs event- and clock-driven.
/// </summary>
public sealed class SequentialTests
{
    private static Dictionary<(int Pre, int Post), float> Synapses(NetworkSpec spec, int projection)
    {
        var e = Assert.IsType<ExplicitConnectivity>(spec.Projections[projection].Connectivity);
        var d = new Dictionary<(int, int), float>();
        for (int i = 0; i < e.Pre.Length; i++)
        {
            d[(e.Pre[i], e.Post[i])] = e.Weights[i];
        }

        return d;
    }

    private static void AssertSame(Dictionary<(int, int), double> expected, Dictionary<(int Pre, int Post), float> actual)
    {
        foreach (var kv in expected.Where(kv => Math.Abs(kv.Value) > 1e-9))
        {
            Assert.True(actual.TryGetValue(kv.Key, out float w), $"missing synapse {kv.Key}");
            Assert.Equal(kv.Value, w, 4);
        }

        Assert.Equal(expected.Count(kv => Math.Abs(kv.Value) > 1e-9), actual.Count);
    }

    [Theory]
    [InlineData(1, 0, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(3, 2, 1)]
    public void Conv2d_synapses_follow_the_convolution_with_stride_padding_and_dilation(int stride, int padding, int dilation)
    {
        const int cIn = 2, h = 7, w = 6, cOut = 3, k = 3;
        var rng = new Random(stride * 31 + padding);
        float[] kernel = [.. Enumerable.Range(0, cOut * cIn * k * k).Select(_ => (float)(rng.NextDouble() - 0.5))];
        NetworkSpec spec = new Sequential(new PopulationShape(cIn, h, w))
            .Conv2d(cOut, k, stride, padding, dilation, kernel)
            .Neurons(NeuronModel.IntegrateAndFire)
            .Build();
        int ho = ((h + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1, wo = ((w + (2 * padding) - (dilation * (k - 1)) - 1) / stride) + 1;
        Assert.Equal(new PopulationShape(cOut, ho, wo), spec.Populations[1].Shape);
        var expected = new Dictionary<(int, int), double>();
        for (int o = 0; o < cOut; o++)
        {
            for (int oy = 0; oy < ho; oy++)
            {
                for (int ox = 0; ox < wo; ox++)
                {
                    for (int c = 0; c < cIn; c++)
                    {
                        for (int ky = 0; ky < k; ky++)
                        {
                            for (int kx = 0; kx < k; kx++)
                            {
                                int y = (oy * stride) - padding + (ky * dilation), x = (ox * stride) - padding + (kx * dilation);
                                if (y < 0 || y >= h || x < 0 || x >= w)
                                {
                                    continue;
                                }

                                var key = ((((c * h) + y) * w) + x, (((o * ho) + oy) * wo) + ox);
                                expected[key] = expected.GetValueOrDefault(key) + kernel[(((((o * cIn) + c) * k) + ky) * k) + kx];
                            }
                        }
                    }
                }
            }
        }

        AssertSame(expected, Synapses(spec, 0));
    }

    [Fact]
    public void AvgPool_then_Linear_compose_into_one_projection_equal_to_the_matrix_product()
    {
        const int c = 2, h = 4, w = 4, outF = 3;
        var rng = new Random(2);
        float[] lin = [.. Enumerable.Range(0, outF * c * 2 * 2).Select(_ => (float)rng.NextDouble())];
        NetworkSpec spec = new Sequential(new PopulationShape(c, h, w))
            .AvgPool2d(2)
            .Flatten()
            .Dropout(0.3)
            .Linear(outF, lin)
            .Neurons(NeuronModel.IntegrateAndFire)
            .Build();
        var expected = new Dictionary<(int, int), double>();
        for (int ch = 0; ch < c; ch++)
        {
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    int pooled = (((ch * 2) + (y / 2)) * 2) + (x / 2);
                    for (int o = 0; o < outF; o++)
                    {
                        expected[((((ch * h) + y) * w) + x, o)] = lin[(o * c * 4) + pooled] / 4.0;
                    }
                }
            }
        }

        AssertSame(expected, Synapses(spec, 0));
    }

    [Fact]
    public void BatchNorm_and_bias_fold_into_weights_and_the_constant_input()
    {
        float[] w = [1f, -2f, 0.5f, 3f]; // [2, 2]
        float[] b = [0.1f, -0.2f];
        float[] mean = [0.5f, -1f], var = [4f, 0.25f], gamma = [2f, 1f], beta = [0.3f, 0f];
        NetworkSpec spec = new Sequential(PopulationShape.Linear(2))
            .Linear(2, w, b)
            .BatchNorm(mean, var, gamma, beta, eps: 0)
            .Neurons(NeuronModel.IntegrateAndFire)
            .Build();
        var syn = Synapses(spec, 0);
        for (int o = 0; o < 2; o++)
        {
            double s = gamma[o] / Math.Sqrt(var[o]);
            for (int i = 0; i < 2; i++)
            {
                Assert.Equal(s * w[(o * 2) + i], syn[(i, o)], 5);
            }

            Assert.Equal((s * (b[o] - mean[o])) + beta[o], spec.Populations[1].PerNeuronParameters["i_offset"][o], 5);
        }
    }

    [Fact]
    public void A_bias_on_a_model_without_a_constant_input_is_refused()
    {
        NeuronModel leaky = NeuronModels.All.First(m => m.Info.Name == "snntorch.leaky");
        var ex = Assert.Throws<ArgumentException>(() => new Sequential(PopulationShape.Linear(2)).Linear(2, [1, 0, 0, 1], [1, 1]).Neurons(leaky));
        Assert.Contains("i_offset", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Max_pooling_fires_when_any_input_of_its_window_fires_event_and_clock_driven()
    {
        // Input 1×4×4 → MaxPool 2: pool (py, px) fires once per instant at which any of its four inputs fires.
        var rng = new Random(4);
        (long T, int Pixel)[] input = [.. Enumerable.Range(0, 30).Select(_ => ((long)rng.Next(20), rng.Next(16)))];
        foreach (bool clock in new[] { false, true })
        {
            NetworkSpec spec = new Sequential(new PopulationShape(1, 4, 4)).MaxPool2d(2, name: "pool").Build();
            using SimulationEngine engine = clock ? TestEngines.Clock(spec, SimDuration.FromMilliseconds(1L)) : TestEngines.Event(spec);
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            foreach ((long t, int p) in input)
            {
                engine.InjectEvent(SimTime.Zero + SimDuration.FromMilliseconds(t), 0, p);
            }

            engine.RunUntil(SimTime.Zero + SimDuration.FromMilliseconds(25L));
            var expected = input.Select(e => (e.T + 1, ((e.Pixel / 4) / 2 * 2) + ((e.Pixel % 4) / 2))).Distinct().Order().ToArray();
            var actual = spikes.Spikes.Where(s => s.Pop == 1).Select(s => (s.T / 1_000_000, s.Neuron)).Order().ToArray();
            Assert.Equal(expected, actual);
        }
    }

    [Fact]
    public void A_small_conv_net_gives_the_same_spikes_event_and_clock_driven_on_a_whole_step_grid()
    {
        var rng = new Random(9);
        NetworkSpec Net() => new Sequential(new PopulationShape(2, 8, 8))
            .Conv2d(3, 3, padding: 1, init: WeightInit.Uniform(0, 12, 5))
            .Neurons(NeuronModel.IntegrateAndFire, name: "conv")
            .MaxPool2d(2)
            .Flatten()
            .Linear(4, init: WeightInit.Uniform(0, 10, 6))
            .Neurons(NeuronModel.IntegrateAndFire, name: "out")
            .Build();
        (long, int)[] input = [.. Enumerable.Range(0, 200).Select(_ => ((long)rng.Next(30), rng.Next(128)))];
        long[][] counts = new long[2][];
        for (int mode = 0; mode < 2; mode++)
        {
            NetworkSpec spec = Net();
            using SimulationEngine engine = mode == 1 ? TestEngines.Clock(spec, SimDuration.FromMilliseconds(1L)) : TestEngines.Event(spec);
            var spikes = new SpikeList();
            engine.AddSpikeMonitor(spikes);
            foreach ((long t, int p) in input.Distinct())
            {
                engine.InjectEvent(SimTime.Zero + SimDuration.FromMilliseconds(t), 0, p);
            }

            engine.RunUntil(SimTime.Zero + SimDuration.FromMilliseconds(40L));
            counts[mode] = [.. Enumerable.Range(0, spec.Populations.Length).Select(p => (long)spikes.Spikes.Count(s => s.Pop == p))];
        }

        Assert.True(counts[0][^1] > 0, "the output layer should fire");
        Assert.Equal(counts[0], counts[1]);
    }

    [Theory]
    [InlineData(WeightInitKind.XavierUniform, 30, 20)]
    [InlineData(WeightInitKind.XavierNormal, 30, 20)]
    [InlineData(WeightInitKind.KaimingUniform, 50, 10)]
    [InlineData(WeightInitKind.KaimingNormal, 50, 10)]
    public void Initialisers_have_pytorchs_bounds_and_spread(WeightInitKind kind, int fanIn, int fanOut)
    {
        var init = new WeightInit(kind, 0, 1, 3);
        float[] w = new float[20_000];
        init.Fill(w, fanIn, fanOut);
        double scale = kind switch
        {
            WeightInitKind.XavierUniform => Math.Sqrt(6.0 / (fanIn + fanOut)),
            WeightInitKind.XavierNormal => Math.Sqrt(2.0 / (fanIn + fanOut)),
            WeightInitKind.KaimingUniform => Math.Sqrt(2.0) * Math.Sqrt(3.0 / fanIn),
            _ => Math.Sqrt(2.0) / Math.Sqrt(fanIn),
        };
        bool uniform = kind is WeightInitKind.XavierUniform or WeightInitKind.KaimingUniform;
        double sd = Math.Sqrt(w.Select(v => (double)v * v).Average());
        double expectedSd = uniform ? scale / Math.Sqrt(3) : scale;
        Assert.InRange(sd, expectedSd * 0.97, expectedSd * 1.03);
        Assert.InRange(w.Average(v => (double)v), -0.03 * expectedSd, 0.03 * expectedSd);
        if (uniform)
        {
            Assert.All(w, v => Assert.InRange(v, -scale, scale));
        }
    }

    [Fact]
    public void Bad_layer_arguments_are_refused()
    {
        Assert.Throws<ArgumentException>(() => new Sequential(new PopulationShape(1, 4, 4)).Conv2d(2, 5));
        Assert.Throws<ArgumentException>(() => new Sequential(PopulationShape.Linear(3)).Linear(2, [1, 2, 3]));
        Assert.Throws<InvalidOperationException>(() => new Sequential(new PopulationShape(1, 4, 4)).AvgPool2d(2).MaxPool2d(2));
        Assert.Throws<InvalidOperationException>(() => new Sequential(PopulationShape.Linear(3)).Linear(2).Build());
        Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential(PopulationShape.Linear(3)).Dropout(1));
    }
}
