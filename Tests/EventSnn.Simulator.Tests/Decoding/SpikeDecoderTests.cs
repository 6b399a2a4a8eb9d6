using EventSnn.Simulator.Decoding;

namespace EventSnn.Simulator.Tests.Decoding;

/// <summary>
/// Decoders and accuracy measures held against the libraries' equations, written out independently here over random
/// [T, N] and [T, B, N] records with ties and silent neurons: Matterhorn's <c>decode_sum_spike</c>,
/// <c>decode_avg_spike</c>, <c>decode_min_time</c> (argmax over time, <c>empty_fill</c> where Σ ≤ 0),
/// <c>decode_avg_time</c>, the maximum membrane, and snnTorch's <c>accuracy_rate</c> (incl. population code) and
/// <c>accuracy_temporal</c> (shadow spike at T − 1).
/// </summary>
public class SpikeDecoderTests
{
    private static float[] RandomSpikes(Random rng, int length, double density) =>
        [.. Enumerable.Range(0, length).Select(_ => rng.NextDouble() < density ? 1f : 0f)];

    [Fact]
    public void Sum_average_first_and_mean_times_follow_matterhorn()
    {
        var rng = new Random(3);
        for (int trial = 0; trial < 50; trial++)
        {
            int t = 1 + rng.Next(12), n = 1 + rng.Next(9);
            float[] x = RandomSpikes(rng, t * n, rng.NextDouble() * 0.5);
            float[] sum = new float[n], avg = new float[n], first = new float[n], mean = new float[n];
            SpikeDecoders.SumSpikes(x, t, sum);
            SpikeDecoders.AverageSpikes(x, t, avg);
            SpikeDecoders.FirstSpikeTime(x, t, first, offset: 2, emptyFill: -7);
            SpikeDecoders.AverageSpikeTime(x, t, mean, offset: 2);
            for (int i = 0; i < n; i++)
            {
                float[] col = [.. Enumerable.Range(0, t).Select(s => x[(s * n) + i])];
                Assert.Equal(col.Sum(), sum[i]);
                Assert.Equal(col.Sum() / t, avg[i], 6);
                int argmax = Array.IndexOf(col, col.Max());
                Assert.Equal(col.Sum() > 0 ? argmax + 2 : -7, first[i]);
                float weighted = Enumerable.Range(0, t).Sum(s => s * col[s]);
                Assert.Equal(col.Sum() > 0 ? (weighted / col.Sum()) + 2 : -1, mean[i], 5);
            }
        }
    }

    [Fact]
    public void First_spike_time_of_graded_values_is_the_step_of_the_largest_value_as_argmax_gives()
    {
        // Matterhorn takes argmax over time: for graded outputs that is the largest value's first step, not the first spike.
        float[] x = [0.5f, 0f, 2f, 2f];
        float[] first = new float[1];
        SpikeDecoders.FirstSpikeTime(x, 4, first);
        Assert.Equal(2, first[0]);
    }

    [Fact]
    public void Max_membrane_is_the_largest_value_over_time()
    {
        var rng = new Random(8);
        float[] u = [.. Enumerable.Range(0, 7 * 4).Select(_ => (float)(rng.NextDouble() * 4 - 2))];
        float[] m = new float[4];
        SpikeDecoders.MaxMembrane(u, 7, m);
        for (int i = 0; i < 4; i++)
        {
            Assert.Equal(Enumerable.Range(0, 7).Max(s => u[(s * 4) + i]), m[i]);
        }
    }

    [Fact]
    public void Accuracy_rate_and_temporal_follow_snntorch()
    {
        var rng = new Random(12);
        for (int trial = 0; trial < 40; trial++)
        {
            int t = 1 + rng.Next(10), b = 1 + rng.Next(6), classes = 2 + rng.Next(4), per = 1 + rng.Next(3);
            int n = classes * per;
            float[] spk = RandomSpikes(rng, t * b * n, 0.2);
            int[] targets = [.. Enumerable.Range(0, b).Select(_ => rng.Next(n))];
            int[] classTargets = [.. Enumerable.Range(0, b).Select(_ => rng.Next(classes))];
            float At(int s, int bi, int i) => spk[(((s * b) + bi) * n) + i];

            // accuracy_rate: _, idx = spk_out.sum(0).max(1)
            int rateOk = 0, popOk = 0, tempOk = 0;
            for (int bi = 0; bi < b; bi++)
            {
                float[] counts = [.. Enumerable.Range(0, n).Select(i => Enumerable.Range(0, t).Sum(s => At(s, bi, i)))];
                rateOk += Array.IndexOf(counts, counts.Max()) == targets[bi] ? 1 : 0;
                float[] pop = [.. Enumerable.Range(0, classes).Select(k => Enumerable.Range(n * k / classes, n / classes).Sum(i => counts[i]))];
                popOk += Array.IndexOf(pop, pop.Max()) == classTargets[bi] ? 1 : 0;

                // accuracy_temporal: spike × (step + 1), first non-zero kept, zeros become T, minus 1; argmin.
                float[] firstTime = new float[n];
                for (int s = 0; s < t; s++)
                {
                    for (int i = 0; i < n; i++)
                    {
                        firstTime[i] += firstTime[i] == 0 ? At(s, bi, i) * (s + 1) : 0;
                    }
                }

                for (int i = 0; i < n; i++)
                {
                    firstTime[i] = (firstTime[i] == 0 ? t : firstTime[i]) - 1;
                }

                tempOk += Array.IndexOf(firstTime, firstTime.Min()) == targets[bi] ? 1 : 0;
            }

            Assert.Equal((double)rateOk / b, SpikeDecoders.AccuracyRate(spk, t, targets, n));
            Assert.Equal((double)popOk / b, SpikeDecoders.AccuracyRate(spk, t, classTargets, n, populationClasses: classes));
            Assert.Equal((double)tempOk / b, SpikeDecoders.AccuracyTemporal(spk, t, targets, n));
        }
    }

    [Fact]
    public void A_neuron_firing_only_at_the_last_step_ties_with_silent_ones_in_accuracy_temporal()
    {
        // T = 3, B = 1, N = 3: neuron 2 fires at step 2 = T − 1, the shadow time of silent neurons 0 and 1: argmin → 0.
        float[] spk = [0, 0, 0, 0, 0, 0, 0, 0, 1];
        Assert.Equal(1.0, SpikeDecoders.AccuracyTemporal(spk, 3, [0], 3));
        Assert.Equal(0.0, SpikeDecoders.AccuracyTemporal(spk, 3, [2], 3));
    }

    [Fact]
    public void Shapes_that_disagree_are_refused()
    {
        Assert.Throws<ArgumentException>(() => SpikeDecoders.SumSpikes(new float[7], 2, new float[3]));
        Assert.Throws<ArgumentException>(() => SpikeDecoders.AccuracyRate(new float[12], 2, [0, 1], 4));
        Assert.Throws<ArgumentException>(() => SpikeDecoders.AccuracyRate(new float[12], 2, [0, 1], 3, populationClasses: 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => SpikeDecoders.AverageSpikes(new float[3], 0, new float[3]));
        Assert.Equal(-1, SpikeDecoders.ArgMax(ReadOnlySpan<float>.Empty));
        Assert.Equal(-1, SpikeDecoders.ArgMinFirstSpike([-1, -1]));
        Assert.Equal(1, SpikeDecoders.ArgMinFirstSpike([-1, 5, 5, 9]));
    }
}
