using System.Runtime.CompilerServices;

namespace EventSnn.Devices.Lanes;

/// <summary>
/// A truth value stored in one byte that is blittable (unlike <see cref="bool"/>), so that model structs holding flags can be
/// passed to GPU kernels as they are: ILGPU accepts only blittable kernel parameters and element types.
/// </summary>
/// <remarks>Converts implicitly to and from <see cref="bool"/>, so a field can change type without touching its uses.</remarks>
public readonly struct BlittableBool : IEquatable<BlittableBool>
{
    private readonly byte _value;

    private BlittableBool(bool value) => _value = value ? (byte)1 : (byte)0;

    /// <summary>Whether the value is true.</summary>
    public bool Value
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => _value != 0;
    }

    /// <summary>Wraps a <see cref="bool"/>.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator BlittableBool(bool value) => new(value);

    /// <summary>Unwraps to a <see cref="bool"/>.</summary>
    /// <param name="value">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static implicit operator bool(BlittableBool value) => value._value != 0;

    /// <summary>Equality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator ==(BlittableBool left, BlittableBool right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    public static bool operator !=(BlittableBool left, BlittableBool right) => !left.Equals(right);

    /// <summary>Wraps a <see cref="bool"/> (the named form of the implicit conversion).</summary>
    /// <param name="value">The value.</param>
    public static BlittableBool FromBoolean(bool value) => new(value);

    /// <summary>Unwraps to a <see cref="bool"/> (the named form of the implicit conversion).</summary>
    public bool ToBoolean() => Value;

    /// <inheritdoc/>
    public bool Equals(BlittableBool other) => Value == other.Value;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is BlittableBool other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => Value ? 1 : 0;

    /// <inheritdoc/>
    public override string ToString() => Value ? "True" : "False";
}
