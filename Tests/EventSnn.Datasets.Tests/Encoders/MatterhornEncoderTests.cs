using EventSnn.Datasets.Encoders;

namespace EventSnn.Datasets.Tests.Encoders;

/// <summary>
/// Matterhorn 2.0's encoders held against its equations, written out independently here: Direct (<c>x.swapaxes(0, 1)</c>),
/// Analog (<c>stack([x]·T)</c>), Poisson (<c>p = clamp((x − min)/(max − min), 0, 1 − precision)</c>,
/// <c>r ~ Poisson(−ln(1 − p))</c>, spike = r &gt; 0), Temporal (<c>x ≤ t + t_offset</c> and <c>u ≤ prob</c>) and
/// binary (<c>encode_binary</c>).
/// </summary>
public class MatterhornEncoderTests
{
    [Fact]
    public void Direct_swaps_the_batch_and_time_axes()
    {
        const int b = 3, t = 4, f = 5;
        float[] x = [.. Enumerable.Range(0, b * t * f).Select(i => (float)i)];
        float[] y = new float[x.Length];
        DirectEncoder.Encode(x, b, t, y);
        for (int bi = 0; bi < b; bi++)
        {
            for (int ti = 0; ti < t; ti++)
            {
                for (int fi = 0; fi < f; fi++)
                {
                    Assert.Equal(x[(((bi * t) + ti) * f) + fi], y[(((ti * b) + bi) * f) + fi]);
                }
            }
        }

        Assert.Throws<ArgumentException>(() => DirectEncoder.Encode(x, 7, t, y));
    }

    [Fact]
    public void Analog_repeats_the_input_at_every_step()
    {
        float[] x = [0.25f, -1f, 3.5f];
        var enc = new AnalogEncoder(timeSteps: 4);
        float[] y = new float[12];
        enc.Encode(x, y);
        for (int s = 0; s < 4; s++)
        {
            Assert.Equal(x, y.AsSpan(s * 3, 3).ToArray());
        }

        Assert.Throws<ArgumentException>(() => enc.Encode(x, new float[11]));
    }

    [Fact]
    public void Poisson_spikes_with_the_probability_of_the_scaled_clamped_input()
    {
        // Range [−1, 3]: x' = (x + 1)/4; below −1 never fires, above 3 fires with 1 − precision.
        float[] x = [-2f, -1f, 0f, 1f, 2.2f, 3f, 9f];
        const int steps = 6000;
        var enc = new PoissonEncoder(steps, min: -1, max: 3, precision: 1e-5, seed: 7);
        float[] y = new float[steps * x.Length];
        enc.Encode(x, y);
        for (int i = 0; i < x.Length; i++)
        {
            double p = Math.Clamp((x[i] + 1) / 4.0, 0, 1 - 1e-5);
            Assert.Equal(p, enc.Probability(x[i]), 12);
            double fired = Enumerable.Range(0, steps).Count(s => y[(s * x.Length) + i] == 1);
            Assert.All(Enumerable.Range(0, steps), s => Assert.True(y[(s * x.Length) + i] is 0 or 1));
            double sd = Math.Sqrt(steps * p * (1 - p));
            Assert.InRange(fired, (steps * p) - (5 * sd) - 1, (steps * p) + (5 * sd) + 1);
        }
    }

    [Fact]
    public void Poisson_counts_have_the_mean_minus_log_one_minus_p_and_the_spike_train_holds_them()
    {
        float[] x = [0.3f, 0.9f, 0.999f];
        const int steps = 5000;
        var dense = new PoissonEncoder(steps, count: true, seed: 3);
        float[] y = new float[steps * x.Length];
        dense.Encode(x, y);
        var again = new PoissonEncoder(steps, count: true, seed: 3);
        var train = new SpikeTrain();
        again.Encode(x, train);
        for (int i = 0; i < x.Length; i++)
        {
            double lambda = -Math.Log(1 - (double)x[i]);
            double total = Enumerable.Range(0, steps).Sum(s => (double)y[(s * x.Length) + i]);
            double sd = Math.Sqrt(steps * lambda);
            Assert.InRange(total, (steps * lambda) - (5 * sd), (steps * lambda) + (5 * sd));
            // The same seed gives the same draws: the spike list holds count k as k spikes at that step.
            Assert.Equal(total, train.Neurons.ToArray().Count(n => n == i));
        }
    }

    [Fact]
    public void Poisson_is_fixed_by_its_seed()
    {
        float[] x = [0.2f, 0.6f];
        float[] a = new float[200], b = new float[200], c = new float[200];
        new PoissonEncoder(100, seed: 9).Encode(x, a);
        new PoissonEncoder(100, seed: 9).Encode(x, b);
        new PoissonEncoder(100, seed: 10).Encode(x, c);
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
    }

    [Fact]
    public void Temporal_fires_from_the_step_it_is_given_on_including_an_exact_hit()
    {
        float[] x = [0f, 2f, 2.5f, -1f, 10f, float.NaN];
        var enc = new TemporalEncoder(timeSteps: 5);
        float[] y = new float[5 * x.Length];
        int next = enc.Encode(x, y, offset: 1);
        Assert.Equal(6, next);
        for (int t = 0; t < 5; t++)
        {
            for (int i = 0; i < x.Length; i++)
            {
                float expected = x[i] <= t + 1 ? 1 : 0; // NaN compares false: never fires
                Assert.Equal(expected, y[(t * x.Length) + i]);
            }
        }
    }

    [Fact]
    public void Temporal_with_a_probability_fires_only_after_the_time_and_at_that_rate()
    {
        float[] x = [0f, 100f, 400f];
        const int steps = 600;
        var enc = new TemporalEncoder(steps, prob: 0.3, seed: 4);
        var train = new SpikeTrain();
        Assert.Equal(steps, enc.Encode(x, train));
        for (int i = 0; i < x.Length; i++)
        {
            int[] at = [.. Enumerable.Range(0, train.Count).Where(k => train.Neurons[k] == i).Select(k => train.Steps[k])];
            Assert.All(at, s => Assert.True(s >= x[i]));
            int eligible = steps - (int)x[i];
            double sd = Math.Sqrt(eligible * 0.3 * 0.7);
            Assert.InRange(at.Length, (eligible * 0.3) - (5 * sd), (eligible * 0.3) + (5 * sd));
        }
    }

    [Theory]
    [InlineData(5f, 4)]
    [InlineData(255f, 8)]
    [InlineData(256f, 8)]
    [InlineData(2.7f, 3)]
    [InlineData(-3f, 4)]
    [InlineData(-2.5f, 4)]
    [InlineData(0f, 1)]
    public void Binary_sends_the_bits_most_significant_first_and_repeats_them(float x, int length)
    {
        // encode_binary: b = x if x ≥ 0 else x + (2 << length), cast to an integer (toward zero); step i carries bit length−1−i.
        double shifted = x >= 0 ? x : x + (2L << length);
        long b = (long)Math.Truncate(shifted);
        var enc = new BinaryEncoder(length, repeat: 2);
        Assert.Equal(b, enc.Bits(x));
        float[] y = new float[2 * length];
        enc.Encode([x], y);
        for (int r = 0; r < 2; r++)
        {
            for (int i = 0; i < length; i++)
            {
                Assert.Equal((float)((b >> (length - 1 - i)) & 1), y[(r * length) + i]);
            }
        }
    }

    [Fact]
    public void Bad_encoder_arguments_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PoissonEncoder(4, min: 1, max: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new TemporalEncoder(4, prob: 1.5));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryEncoder(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new BinaryEncoder(8).Bits(float.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => new AnalogEncoder(0));
    }
}
