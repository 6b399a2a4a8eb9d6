using CsCheck;
using EventSnn.Devices;

namespace EventSnn.Devices.Tests;

public sealed class DenseMathTests
{
    [Fact]
    public void CollectGreaterThanMatchesScalarScan()
    {
        Gen.Select(Gen.Float[-2f, 2f].Array[0, 300], Gen.Float[-1f, 1f], Gen.Int[0, 1000]).Sample((values, threshold, baseIndex) =>
        {
            var output = new int[values.Length];
            int n = DenseMath.CollectGreaterThan(values, threshold, baseIndex, output);
            var expected = new List<int>();
            for (int i = 0; i < values.Length; i++)
            {
                if (values[i] > threshold)
                {
                    expected.Add(baseIndex + i);
                }
            }

            return expected.SequenceEqual(output.Take(n));
        }, iter: 300);
    }

    [Fact]
    public void CollectGreaterThanHandlesNaNAndEdges()
    {
        float[] values = [float.NaN, 1f, 1.0000001f, float.PositiveInfinity, float.NegativeInfinity, 0.5f, 2f, 1f, float.NaN, 3f];
        var output = new int[values.Length];
        int n = DenseMath.CollectGreaterThan(values, 1f, 100, output);
        Assert.Equal(new[] { 102, 103, 106, 109 }, output.Take(n));
        Assert.Throws<ArgumentException>(() => DenseMath.CollectGreaterThan(values, 1f, 0, new int[3]));
    }

    [Fact]
    public void ScaleAddMatchesScalarBitForBit()
    {
        Gen.Select(Gen.Float[-100f, 100f].Array[0, 200], Gen.Float[0f, 1f], Gen.Float[-3f, 3f]).Sample((values, factor, weight) =>
        {
            float[] addend = values.Select((x, i) => x * 0.25f + i).ToArray();
            float[] actual = (float[])values.Clone();
            DenseMath.ScaleAdd(actual, factor, addend, weight);
            for (int i = 0; i < values.Length; i++)
            {
                float expected = (values[i] * factor) + (addend[i] * weight);
                if (BitConverter.SingleToInt32Bits(expected) != BitConverter.SingleToInt32Bits(actual[i]))
                {
                    return false;
                }
            }

            return true;
        }, iter: 200);
        Assert.Throws<ArgumentException>(() => DenseMath.ScaleAdd(new float[3], 1f, new float[2], 1f));
    }

    [Fact]
    public void ScaleMatchesScalar()
    {
        float[] values = Enumerable.Range(0, 37).Select(i => i * 1.5f - 7f).ToArray();
        float[] actual = (float[])values.Clone();
        DenseMath.Scale(actual, 0.75f);
        Assert.Equal(values.Select(v => v * 0.75f).ToArray(), actual);
    }
}
