using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// The advance of COBA LIF in lanes (several neurons' power-form series in the lanes of one vector) gives, for each neuron, the
/// very bits of its own advance: adversarial states (conductances from zero to far above the leak, potentials beyond the
/// reversal potentials, intervals from one tick to the step limit, lanes whose series stop at different terms).
/// </summary>
public sealed class CobaLaneAdvanceTests
{
    private static CobaLif Coba(double taue, double taui, double offset)
        => CobaLif.Create([20, taue, taui, -60, -50, -60, 0, -80, offset, 5], new SpikeRules(ResetMode.ToValue, ThresholdComparison.Greater, RefractoryEnd.HalfOpen));

    [Theory]
    [InlineData(5.0, 10.0, 20.0)]
    [InlineData(5.0, 10.0, 0.0)]
    [InlineData(5.0, 5.0, 20.0)]
    [InlineData(10.0, 5.0, 3.0)]
    public void Advance_in_lanes_is_bit_identical_to_single_advances(double taue, double taui, double offset)
    {
        CobaLif m = Coba(taue, taui, offset);
        Assert.True(m.UsesPowerForm);
        if (!System.Runtime.Intrinsics.X86.Fma.IsSupported)
        {
            // Without fused multiply-add in hardware the engine never pairs advances.
            Assert.False(m.IsSingleLaneStep(new NeuronState { V = -60 }, 1));
            return;
        }

        var rng = new Random(23);
        double[] spans = [1, 2, 1e3, 1e5, 3e5, 1e6, 2.5e6];
        int pairs = 0;
        var distinctSpans = new HashSet<double>();
        for (int n = 0; n < 20_000; n++)
        {
            var starts = new NeuronState[CobaLif.Lanes];
            var h = new double[CobaLif.Lanes];
            bool ok = true;
            for (int i = 0; i < starts.Length; i++)
            {
                starts[i] = n % 7 == 0 && i > 0 ? starts[0] : State(rng);
                h[i] = n % 5 == 0 && i > 0 ? h[0] : n % 3 == i % 3 ? spans[rng.Next(spans.Length)] : Math.Floor(1 + (2.6e6 * rng.NextDouble()));
                ok &= m.IsSingleLaneStep(starts[i], h[i]);
            }

            if (!ok)
            {
                continue;
            }

            NeuronState[] lanes = (NeuronState[])starts.Clone();
            m.AdvanceFreeLanes(lanes, h);
            for (int i = 0; i < starts.Length; i++)
            {
                NeuronState single = starts[i];
                m.AdvanceFree(ref single, h[i]);
                AssertSame(single, lanes[i], starts[i], h[i]);
                distinctSpans.Add(h[i]);
            }

            pairs++;
        }

        Assert.True(pairs > 2000, $"only {pairs} groups");
        Assert.True(distinctSpans.Count > 1000, $"only {distinctSpans.Count} spans");

        // Past the step limit the advance is not a single step and is never paired.
        Assert.False(m.IsSingleLaneStep(new NeuronState { V = -60, S1 = 100, S2 = 100 }, 2.5e6));
    }

    private static NeuronState State(Random rng)
    {
        double kind = rng.NextDouble();
        return new NeuronState
        {
            V = kind < 0.1 ? -50 : kind < 0.2 ? 10 - (100 * rng.NextDouble()) : -80 + (30 * rng.NextDouble()),
            S1 = kind < 0.3 ? 0 : 40 * Math.Pow(rng.NextDouble(), 3),
            S2 = kind > 0.8 ? 0 : 40 * Math.Pow(rng.NextDouble(), 3),
        };
    }

    private static void AssertSame(in NeuronState expected, in NeuronState actual, in NeuronState start, double h)
    {
        string where = $"v={start.V:R} ge={start.S1:R} gi={start.S2:R} h={h:R}";
        Assert.True(BitConverter.DoubleToInt64Bits(expected.V) == BitConverter.DoubleToInt64Bits(actual.V), $"v: {expected.V:R} vs {actual.V:R} at {where}");
        Assert.True(BitConverter.DoubleToInt64Bits(expected.S1) == BitConverter.DoubleToInt64Bits(actual.S1), $"ge at {where}");
        Assert.True(BitConverter.DoubleToInt64Bits(expected.S2) == BitConverter.DoubleToInt64Bits(actual.S2), $"gi at {where}");
    }
}
