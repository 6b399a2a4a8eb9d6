using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.CompilerServices;

namespace EventSnn.Devices.Lanes;

/// <summary><see cref="Vector{T}.Count"/> float32 values processed together with the CPU's SIMD instructions.</summary>
/// <param name="Value">The values.</param>
public readonly record struct VectorLane(Vector<float> Value) : ILane<VectorLane, VectorMask>
{
    /// <summary>The number of lanes.</summary>
    public static int Count => Vector<float>.Count;

    /// <summary>Loads <see cref="Count"/> values from <paramref name="source"/>.</summary>
    /// <param name="source">At least <see cref="Count"/> values.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Load(ReadOnlySpan<float> source) => new(new Vector<float>(source));

    /// <summary>Stores the values into <paramref name="destination"/>.</summary>
    /// <param name="destination">Room for at least <see cref="Count"/> values.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<float> destination) => Value.CopyTo(destination);

    /// <summary>Loads <see cref="Count"/> values at <paramref name="index"/> of an array without a bounds check.</summary>
    /// <param name="array">The array.</param>
    /// <param name="index">The first element (the caller guarantees <c>index + Count ≤ array.Length</c>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane LoadUnchecked(float[] array, int index)
        => new(Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index));

    /// <summary>Stores the values at <paramref name="index"/> of an array without a bounds check.</summary>
    /// <param name="array">The array.</param>
    /// <param name="index">The first element (the caller guarantees <c>index + Count ≤ array.Length</c>).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void StoreUnchecked(float[] array, int index)
        => Value.StoreUnsafe(ref MemoryMarshal.GetArrayDataReference(array), (nuint)index);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Splat(float value) => new(new Vector<float>(value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane operator +(VectorLane left, VectorLane right) => new(left.Value + right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane operator -(VectorLane left, VectorLane right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane operator *(VectorLane left, VectorLane right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane operator /(VectorLane left, VectorLane right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane operator -(VectorLane value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Min(VectorLane left, VectorLane right) => new(Vector.Min(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Max(VectorLane left, VectorLane right) => new(Vector.Max(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Abs(VectorLane value) => new(Vector.Abs(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Floor(VectorLane value) => new(Vector.Floor(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Ceiling(VectorLane value) => new(Vector.Ceiling(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Round(VectorLane value) => new(Vector.Round(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Sqrt(VectorLane value) => new(Vector.SquareRoot(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane ScaleB(VectorLane x, VectorLane n)
    {
        Vector<int> bits = (Vector.ConvertToInt32(n.Value) + new Vector<int>(127)) << 23;
        return new(x.Value * Vector.AsVectorSingle(bits));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask GreaterThan(VectorLane left, VectorLane right) => new(Vector.GreaterThan(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask GreaterThanOrEqual(VectorLane left, VectorLane right) => new(Vector.GreaterThanOrEqual(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask LessThan(VectorLane left, VectorLane right) => new(Vector.LessThan(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask LessThanOrEqual(VectorLane left, VectorLane right) => new(Vector.LessThanOrEqual(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask Equal(VectorLane left, VectorLane right) => new(Vector.Equals(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorLane Select(VectorMask mask, VectorLane ifTrue, VectorLane ifFalse)
        => new(Vector.ConditionalSelect(mask.Value, ifTrue.Value, ifFalse.Value));
}

/// <summary>The mask of a <see cref="VectorLane"/>: all bits set in a true lane.</summary>
/// <param name="Value">The lane masks.</param>
public readonly record struct VectorMask(Vector<int> Value) : ILaneMask<VectorMask>
{
    /// <inheritdoc/>
    public static VectorMask True => new(Vector<int>.AllBitsSet);

    /// <inheritdoc/>
    public static VectorMask False => new(Vector<int>.Zero);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask operator &(VectorMask left, VectorMask right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask operator |(VectorMask left, VectorMask right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static VectorMask operator ~(VectorMask value) => new(~value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(VectorMask mask) => mask.Value != Vector<int>.Zero;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(VectorMask mask) => mask.Value == Vector<int>.AllBitsSet;

    /// <summary>Whether lane <paramref name="index"/> is true.</summary>
    /// <param name="index">The lane.</param>
    public bool this[int index] => Value[index] != 0;
}
