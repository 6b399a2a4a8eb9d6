using System.Runtime.CompilerServices;
using EventSnn.Devices.Lanes;
using ILGPU;
using ILGPU.Algorithms;
using ILGPU.Runtime.Cuda;

namespace EventSnn.Devices.Ilgpu;

/// <summary>
/// One float32 value per GPU thread: the lane type ILGPU compiles model steps over. Arithmetic is IEEE-754 single precision,
/// rounded to nearest, never contracted into fused multiply-adds, so model code gives the same bits as on the CPU device.
/// </summary>
/// <remarks>
/// On CUDA, <c>+ − × ÷</c> are emitted as PTX instructions with an explicit <c>.rn</c> rounding modifier, which the PTX
/// assembler never fuses (plain <c>mul</c>/<c>add</c> pairs may be contracted into <c>fma</c>). Other accelerators run the
/// plain operators: ILGPU's CPU accelerator executes .NET code, and ILGPU's OpenCL backend emits one statement per operation.
/// <see cref="ScaleB"/> builds the power of two from its exponent bits with <see cref="Interop.IntAsFloat(uint)"/>.
/// </remarks>
/// <param name="Value">The value.</param>
public readonly record struct IlgpuLane(float Value) : ILane<IlgpuLane, IlgpuMask>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static IlgpuLane Splat(float value) => new(value);

    /// <inheritdoc/>
    public static IlgpuLane operator +(IlgpuLane left, IlgpuLane right) => new(DeviceMath.Add(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane operator -(IlgpuLane left, IlgpuLane right) => new(DeviceMath.Sub(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane operator *(IlgpuLane left, IlgpuLane right) => new(DeviceMath.Mul(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane operator /(IlgpuLane left, IlgpuLane right) => new(DeviceMath.Div(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane operator -(IlgpuLane value) => new(-value.Value);

    /// <inheritdoc/>
    public static IlgpuLane Min(IlgpuLane left, IlgpuLane right) => new(XMath.Min(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane Max(IlgpuLane left, IlgpuLane right) => new(XMath.Max(left.Value, right.Value));

    /// <inheritdoc/>
    public static IlgpuLane Abs(IlgpuLane value) => new(XMath.Abs(value.Value));

    /// <inheritdoc/>
    public static IlgpuLane Floor(IlgpuLane value) => new(XMath.Floor(value.Value));

    /// <inheritdoc/>
    public static IlgpuLane Ceiling(IlgpuLane value) => new(XMath.Ceiling(value.Value));

    /// <inheritdoc/>
    public static IlgpuLane Round(IlgpuLane value) => new(XMath.RoundToEven(value.Value));

    /// <inheritdoc/>
    public static IlgpuLane Sqrt(IlgpuLane value) => new(XMath.Sqrt(value.Value));

    /// <inheritdoc/>
    public static IlgpuLane ScaleB(IlgpuLane x, IlgpuLane n)
        => new(DeviceMath.Mul(x.Value, Interop.IntAsFloat((uint)(((int)n.Value + 127) << 23))));

    /// <inheritdoc/>
    public static IlgpuMask GreaterThan(IlgpuLane left, IlgpuLane right) => new(left.Value > right.Value);

    /// <inheritdoc/>
    public static IlgpuMask GreaterThanOrEqual(IlgpuLane left, IlgpuLane right) => new(left.Value >= right.Value);

    /// <inheritdoc/>
    public static IlgpuMask LessThan(IlgpuLane left, IlgpuLane right) => new(left.Value < right.Value);

    /// <inheritdoc/>
    public static IlgpuMask LessThanOrEqual(IlgpuLane left, IlgpuLane right) => new(left.Value <= right.Value);

    /// <inheritdoc/>
    public static IlgpuMask Equal(IlgpuLane left, IlgpuLane right) => new(left.Value == right.Value);

    /// <inheritdoc/>
    public static IlgpuLane Select(IlgpuMask mask, IlgpuLane ifTrue, IlgpuLane ifFalse) => mask.Value ? ifTrue : ifFalse;
}

/// <summary>The mask of an <see cref="IlgpuLane"/>.</summary>
/// <param name="Value">The truth value.</param>
public readonly record struct IlgpuMask(bool Value) : ILaneMask<IlgpuMask>
{
    /// <inheritdoc/>
    public static IlgpuMask True => new(true);

    /// <inheritdoc/>
    public static IlgpuMask False => new(false);

    /// <inheritdoc/>
    public static IlgpuMask operator &(IlgpuMask left, IlgpuMask right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    public static IlgpuMask operator |(IlgpuMask left, IlgpuMask right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    public static IlgpuMask operator ~(IlgpuMask value) => new(!value.Value);

    /// <inheritdoc/>
    public static bool Any(IlgpuMask mask) => mask.Value;

    /// <inheritdoc/>
    public static bool All(IlgpuMask mask) => mask.Value;
}

/// <summary>Float32 arithmetic that no accelerator contracts into fused multiply-adds (see <see cref="IlgpuLane"/>).</summary>
public static class DeviceMath
{
    /// <summary><c>a + b</c>, rounded to nearest.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    public static float Add(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("add.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }

        return a + b;
    }

    /// <summary><c>a − b</c>, rounded to nearest.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    public static float Sub(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("sub.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }

        return a - b;
    }

    /// <summary><c>a × b</c>, rounded to nearest.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    public static float Mul(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("mul.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }

        return a * b;
    }

    /// <summary><c>a ÷ b</c>, correctly rounded to nearest.</summary>
    /// <param name="a">Left operand.</param>
    /// <param name="b">Right operand.</param>
    public static float Div(float a, float b)
    {
        if (CudaAsm.IsSupported)
        {
            CudaAsm.Emit("div.rn.f32 %0, %1, %2;", out float r, a, b);
            return r;
        }

        return a / b;
    }
}
