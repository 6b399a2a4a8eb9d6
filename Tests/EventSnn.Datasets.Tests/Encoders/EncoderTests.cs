using EventSnn.Datasets.Encoders;

namespace EventSnn.Datasets.Tests.Encoders;

public class EncoderTests
{
    [Fact]
    public void Rate_EmpiricalMeanWithinBinomialBound()
    {
        float[] x = [0f, 0.05f, 0.3f, 0.5f, 0.9f, 1f, 1.7f, -0.2f];
        const int steps = 4000;
        var enc = new RateEncoder(steps, gain: 0.8, offset: 0.05, seed: 123);
        var train = new SpikeTrain();
        enc.Encode(x, train);
        int[] counts = new int[x.Length];
        foreach (int n in train.Neurons)
        {
            counts[n]++;
        }

        for (int i = 0; i < x.Length; i++)
        {
            double p = Math.Clamp((x[i] * 0.8) + 0.05, 0, 1);
            double sd = Math.Sqrt(steps * p * (1 - p));
            Assert.InRange(counts[i], (steps * p) - (5 * sd) - 1e-9, (steps * p) + (5 * sd) + 1e-9);
        }
    }

    [Fact]
    public void Rate_ExtremesAreExact_FirstSpikeTimeSilencesEarlySteps_AndSeedFixesTrain()
    {
        var train = new SpikeTrain();
        new RateEncoder(10, firstSpikeTime: 3, seed: 1).Encode([1f, 0f], train);
        Assert.Equal(7, train.Count);
        Assert.All(train.Neurons.ToArray(), n => Assert.Equal(0, n));
        Assert.Equal(Enumerable.Range(3, 7).ToArray(), train.Steps.ToArray());

        var a = new SpikeTrain();
        var b = new SpikeTrain();
        float[] x = [0.2f, 0.4f, 0.6f];
        new RateEncoder(50, seed: 77).Encode(x, a);
        new RateEncoder(50, seed: 77).Encode(x, b);
        Assert.Equal(a.Steps.ToArray(), b.Steps.ToArray());
        Assert.Equal(a.Neurons.ToArray(), b.Neurons.ToArray());
    }

    [Fact]
    public void Latency_LogCodeMatchesClosedForm()
    {
        float[] x = [0.02f, 0.1f, 0.5f, 1f, 0.005f];
        const double tau = 5, th = 0.01;
        var train = new SpikeTrain();
        new LatencyEncoder(100, threshold: th, tau: tau).Encode(x, train);
        var expected = new List<(int, int)>();
        for (int i = 0; i < x.Length; i++)
        {
            double v = Math.Max(x[i], th + 1e-7);
            double t = tau * Math.Log(v / (v - th));
            expected.Add(((int)Math.Round(t, MidpointRounding.ToEven), i));
        }

        // 0.005 is clamped to θ+ε: t = 5·ln(0.0100001/1e-7) ≈ 57.6 → step 58.
        Assert.Equal(expected.OrderBy(e => e.Item1).ThenBy(e => e.Item2).ToArray(), train.Steps.ToArray().Zip(train.Neurons.ToArray()).ToArray());
    }

    [Fact]
    public void Latency_LinearNormalizedMatchesSnnTorchExample()
    {
        // snnTorch docstring: latency([0.02, 0.5, 1], num_steps=5, normalize=True, linear=True) has spikes at steps 4, 2, 0.
        float[] x = [0.02f, 0.5f, 1f];
        var enc = new LatencyEncoder(5, normalize: true, linear: true);
        double[] times = new double[3];
        bool[] below = new bool[3];
        enc.ComputeSpikeTimes(x, times, below);
        for (int i = 0; i < 3; i++)
        {
            double tau = 5 - 1;
            Assert.Equal(Math.Min(-tau * (x[i] - 1), -tau * (0.01 - 1)), times[i], 6);
        }

        var train = new SpikeTrain();
        enc.Encode(x, train);
        Assert.Equal([0, 2, 4], train.Steps.ToArray());
        Assert.Equal([2, 1, 0], train.Neurons.ToArray());
    }

    [Fact]
    public void Latency_ClipSilencesBelowThreshold_AndOverflowClearsLastStep()
    {
        var train = new SpikeTrain();
        new LatencyEncoder(10, threshold: 0.1, clip: true, linear: true, tau: 5).Encode([0.05f, 0.5f], train);

        // 0.5 → 5·0.5 = 2.5 → round-half-even 2; 0.05 is silenced.
        Assert.Equal([2], train.Steps.ToArray());
        Assert.Equal([1], train.Neurons.ToArray());

        // Log code, 3 steps, τ = 1: x = 0.011 gives t ≈ 2.4 (step 2), x = 0.0105 gives t ≈ 3.0 → beyond the last step,
        // so all times are clamped to 2 and step 2 is cleared; x = 1 gives t ≈ 0.01 → step 0.
        train.Clear();
        float[] x = [0.011f, 0.0105f, 1f];
        new LatencyEncoder(3, tau: 1).Encode(x, train);
        double t0 = Math.Log(0.011 / (0.011 - 0.01));
        double t1 = Math.Log(0.0105 / (0.0105 - 0.01));
        Assert.True(t1 > 2.5 && t0 < 2.5, "the chosen inputs straddle the last step");
        Assert.Equal([0], train.Steps.ToArray());
        Assert.Equal([2], train.Neurons.ToArray());
    }

    [Fact]
    public void Latency_FirstSpikeTimeShiftsEarliestSpike()
    {
        float[] x = [0.2f, 0.9f];
        double[] times = new double[2];
        bool[] below = new bool[2];
        new LatencyEncoder(50, tau: 10, firstSpikeTime: 4).ComputeSpikeTimes(x, times, below);
        double a = 10 * Math.Log(0.2f / (0.2f - 0.01)), b = 10 * Math.Log(0.9f / (0.9f - 0.01));
        Assert.Equal(4, times[1], 9);
        Assert.Equal(a - b + 4, times[0], 9);
    }

    [Fact]
    public void Latency_NormalizeWithEqualInputsStaysFinite()
    {
        double[] times = new double[3];
        bool[] below = new bool[3];
        new LatencyEncoder(10, firstSpikeTime: 2, normalize: true).ComputeSpikeTimes([0.5f, 0.5f, 0.5f], times, below);
        Assert.All(times, t => Assert.Equal(2.0, t, 9));
        var train = new SpikeTrain();
        new LatencyEncoder(10, firstSpikeTime: 2, normalize: true).Encode([0.5f, 0.5f, 0.5f], train);
        Assert.Equal([2, 2, 2], train.Steps.ToArray());
    }

    [Fact]
    public void Delta_ThresholdOnDifferences()
    {
        // Two neurons, 5 steps (step-major).
        float[] series = [1f, 0f, 2f, 0.5f, 0f, 0.5f, 2f, 0.3f, 2.95f, 0.3f];
        var train = new SpikeTrain();
        new DeltaEncoder(1, offSpikes: true).Encode(series, 2, train);
        var expected = new List<(int, int, int)>();
        for (int t = 0; t < 5; t++)
        {
            for (int i = 0; i < 2; i++)
            {
                double prev = t == 0 ? 0 : series[((t - 1) * 2) + i];
                double d = series[(t * 2) + i] - prev;
                if (d >= 1)
                {
                    expected.Add((t, i, 1));
                }
                else if (d <= -1)
                {
                    expected.Add((t, i, -1));
                }
            }
        }

        var actual = Enumerable.Range(0, train.Count).Select(k => (train.Steps[k], train.Neurons[k], (int)train.Signs[k])).ToList();
        Assert.Equal(expected, actual);
        Assert.Contains((2, 0, -1), actual);

        train.Clear();
        new DeltaEncoder(1, padding: true).Encode(series, 2, train);
        Assert.DoesNotContain(0, train.Steps.ToArray());
        Assert.Throws<ArgumentException>(() => new DeltaEncoder().Encode(series, 3, train));
    }

    [Fact]
    public void SpikeTrain_ToDense()
    {
        var train = new SpikeTrain();
        train.Add(0, 1);
        train.Add(2, 0, -1);
        float[] dense = new float[6];
        train.ToDense(3, 2, dense);
        Assert.Equal([0f, 1f, 0f, 0f, -1f, 0f], dense);
        Assert.Throws<ArgumentException>(() => train.ToDense(2, 2, dense));
    }
}
