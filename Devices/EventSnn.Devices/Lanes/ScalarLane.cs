using System.Runtime.CompilerServices;

namespace EventSnn.Devices.Lanes;

/// <summary>One float32 value: the reference lane, used one neuron at a time (per-neuron parameters, GPU kernels).</summary>
/// <param name="Value">The value.</param>
public readonly record struct ScalarLane(float Value) : ILane<ScalarLane, ScalarMask>
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Splat(float value) => new(value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane operator +(ScalarLane left, ScalarLane right) => new(left.Value + right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane operator -(ScalarLane left, ScalarLane right) => new(left.Value - right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane operator *(ScalarLane left, ScalarLane right) => new(left.Value * right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane operator /(ScalarLane left, ScalarLane right) => new(left.Value / right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane operator -(ScalarLane value) => new(-value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Min(ScalarLane left, ScalarLane right) => new(MathF.Min(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Max(ScalarLane left, ScalarLane right) => new(MathF.Max(left.Value, right.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Abs(ScalarLane value) => new(MathF.Abs(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Floor(ScalarLane value) => new(MathF.Floor(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Ceiling(ScalarLane value) => new(MathF.Ceiling(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Round(ScalarLane value) => new(MathF.Round(value.Value, MidpointRounding.ToEven));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Sqrt(ScalarLane value) => new(MathF.Sqrt(value.Value));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane ScaleB(ScalarLane x, ScalarLane n)
        => new(x.Value * BitConverter.Int32BitsToSingle(((int)n.Value + 127) << 23));

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask GreaterThan(ScalarLane left, ScalarLane right) => new(left.Value > right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask GreaterThanOrEqual(ScalarLane left, ScalarLane right) => new(left.Value >= right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask LessThan(ScalarLane left, ScalarLane right) => new(left.Value < right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask LessThanOrEqual(ScalarLane left, ScalarLane right) => new(left.Value <= right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask Equal(ScalarLane left, ScalarLane right) => new(left.Value == right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarLane Select(ScalarMask mask, ScalarLane ifTrue, ScalarLane ifFalse) => mask.Value ? ifTrue : ifFalse;
}

/// <summary>The mask of a <see cref="ScalarLane"/>.</summary>
/// <param name="Value">The truth value.</param>
public readonly record struct ScalarMask(bool Value) : ILaneMask<ScalarMask>
{
    /// <inheritdoc/>
    public static ScalarMask True => new(true);

    /// <inheritdoc/>
    public static ScalarMask False => new(false);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask operator &(ScalarMask left, ScalarMask right) => new(left.Value & right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask operator |(ScalarMask left, ScalarMask right) => new(left.Value | right.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ScalarMask operator ~(ScalarMask value) => new(!value.Value);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool Any(ScalarMask mask) => mask.Value;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool All(ScalarMask mask) => mask.Value;
}
