using System.Numerics;
using EventSnn.Devices.Lanes;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tests.Models;

public sealed class ClockSpikeRuleTests
{
    // Remaining refractory steps, including values a restored or hand-set state may hold: fractions, −0, negatives, NaN.
    private static readonly float[] s_counts = [0f, -0f, 1f, 2f, 50f, 0.5f, 1.5f, -3f, float.NaN, float.PositiveInfinity, 1e-7f, 16_777_216f];

    [Theory]
    [InlineData(RefractoryEnd.HalfOpen)]
    [InlineData(RefractoryEnd.Closed)]
    public void BeginCountsDownLikeAnIeeeMaximumOnEveryLaneType(RefractoryEnd end)
    {
        var rule = new ClockSpikeRule(-50, -60, 2_000_000, 100_000, new SpikeRules(ResetMode.ToValue, ThresholdComparison.GreaterOrEqual, end));
        int w = Vector<float>.Count;
        for (int start = 0; start < s_counts.Length; start += w)
        {
            float[] lanes = new float[w];
            for (int l = 0; l < w; l++)
            {
                lanes[l] = s_counts[(start + l) % s_counts.Length];
            }

            var vector = new ClockNeuron<VectorLane> { Refractory = VectorLane.Load(lanes) };
            rule.Begin(ref vector, out VectorMask vectorIntegrate, out VectorMask vectorActive);
            for (int l = 0; l < w; l++)
            {
                float r = lanes[l];
                float expected = MathF.Max(r - 1f, 0f);
                var scalar = new ClockNeuron<ScalarLane> { Refractory = new(r) };
                rule.Begin(ref scalar, out ScalarMask scalarIntegrate, out ScalarMask scalarActive);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(scalar.Refractory.Value));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected), BitConverter.SingleToInt32Bits(vector.Refractory.Value[l]));
                bool free = r <= 0f;
                Assert.Equal(free, scalarIntegrate.Value);
                Assert.Equal(free, vectorIntegrate.Value[l] != 0);
                bool active = end == RefractoryEnd.Closed ? free : expected <= 0f;
                Assert.Equal(active, scalarActive.Value);
                Assert.Equal(active, vectorActive.Value[l] != 0);
            }
        }
    }
}
