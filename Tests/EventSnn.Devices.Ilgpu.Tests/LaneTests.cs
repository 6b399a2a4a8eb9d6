using CsCheck;
using EventSnn.Devices.Lanes;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>The ILGPU lane computes what the reference scalar lane computes, bit for bit (on the host).</summary>
public sealed class LaneTests
{
    [Fact]
    public void IlgpuLaneAgreesWithScalarLaneBitForBit()
    {
        Gen.Select(Gen.Float[-200f, 200f], Gen.Float[-200f, 200f]).Sample((a, b) =>
        {
            Same(new ScalarLane(a) + new ScalarLane(b), new IlgpuLane(a) + new IlgpuLane(b));
            Same(new ScalarLane(a) - new ScalarLane(b), new IlgpuLane(a) - new IlgpuLane(b));
            Same(new ScalarLane(a) * new ScalarLane(b), new IlgpuLane(a) * new IlgpuLane(b));
            Same(new ScalarLane(a) / new ScalarLane(b), new IlgpuLane(a) / new IlgpuLane(b));
            Same(ScalarLane.Min(new(a), new(b)), IlgpuLane.Min(new(a), new(b)));
            Same(ScalarLane.Max(new(a), new(b)), IlgpuLane.Max(new(a), new(b)));
            Same(ScalarLane.Round(new(a)), IlgpuLane.Round(new(a)));
            Same(ScalarLane.Floor(new(a)), IlgpuLane.Floor(new(a)));
            Same(ScalarLane.Ceiling(new(a)), IlgpuLane.Ceiling(new(a)));
            Same(ScalarLane.Sqrt(new(MathF.Abs(a))), IlgpuLane.Sqrt(new(MathF.Abs(a))));
            Same(LaneMath.Exp<ScalarLane, ScalarMask>(new(a)), LaneMath.Exp<IlgpuLane, IlgpuMask>(new(a)));
            Assert.Equal(ScalarLane.GreaterThan(new(a), new(b)).Value, IlgpuLane.GreaterThan(new(a), new(b)).Value);
        });
    }

    [Fact]
    public void RoundTiesGoToEvenAndScaleBIsExact()
    {
        Assert.Equal(2f, IlgpuLane.Round(new(2.5f)).Value);
        Assert.Equal(-4f, IlgpuLane.Round(new(-3.5f)).Value);
        Assert.Equal(3f * MathF.Pow(2, -126), IlgpuLane.ScaleB(new(3f), new(-126f)).Value);
        Assert.Equal(1.5f * MathF.Pow(2, 127), IlgpuLane.ScaleB(new(1.5f), new(127f)).Value);
    }

    [Fact]
    public void BlittableBoolRoundTrips()
    {
        BlittableBool t = true;
        BlittableBool f = false;
        Assert.True(t);
        Assert.False(f);
        Assert.NotEqual(t, f);
        Assert.Equal(1, System.Runtime.CompilerServices.Unsafe.SizeOf<BlittableBool>());
    }

    private static void Same(ScalarLane expected, IlgpuLane actual)
        => Assert.Equal(BitConverter.SingleToInt32Bits(expected.Value), BitConverter.SingleToInt32Bits(actual.Value));
}
