namespace EventSnn.Devices.Lanes;

/// <summary>
/// A lane of float32 values that per-neuron model code is written against once, and that each device instantiates
/// with its own type: <see cref="VectorLane"/> (<see cref="System.Numerics.Vector{T}"/>-wide SIMD on the CPU),
/// <see cref="ScalarLane"/> (one neuron at a time: the reference path, and the form GPU kernels compile).
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
/// <typeparam name="TMask">Its mask type (the result of comparisons).</typeparam>
/// <remarks>
/// Every operation is an IEEE-754 single-precision operation per lane, with no fused multiply-add and no
/// approximation: the same model code gives bit-identical results in every lane type (test
/// <c>LaneTests.VectorAndScalarLanesAgreeBitForBit</c>). Transcendental functions are written once in terms of these
/// primitives (<see cref="LaneMath"/>) for the same reason.
/// </remarks>
public interface ILane<TSelf, TMask>
    where TSelf : struct, ILane<TSelf, TMask>
    where TMask : struct, ILaneMask<TMask>
{
    /// <summary>Every lane set to <paramref name="value"/>.</summary>
    /// <param name="value">The value.</param>
    static abstract TSelf Splat(float value);

    /// <summary>Lane-wise sum.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator +(TSelf left, TSelf right);

    /// <summary>Lane-wise difference.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator -(TSelf left, TSelf right);

    /// <summary>Lane-wise product.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator *(TSelf left, TSelf right);

    /// <summary>Lane-wise quotient.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator /(TSelf left, TSelf right);

    /// <summary>Lane-wise negation.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf operator -(TSelf value);

    /// <summary>Lane-wise minimum.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf Min(TSelf left, TSelf right);

    /// <summary>Lane-wise maximum.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf Max(TSelf left, TSelf right);

    /// <summary>Lane-wise absolute value.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf Abs(TSelf value);

    /// <summary>Lane-wise largest integer ≤ the value.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf Floor(TSelf value);

    /// <summary>Lane-wise smallest integer ≥ the value.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf Ceiling(TSelf value);

    /// <summary>Lane-wise nearest integer, ties to even.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf Round(TSelf value);

    /// <summary>Lane-wise square root.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf Sqrt(TSelf value);

    /// <summary>Lane-wise <c>x·2ⁿ</c> for integral <paramref name="n"/> in [−126, 127] (exact).</summary>
    /// <param name="x">The value.</param>
    /// <param name="n">Integral exponents.</param>
    static abstract TSelf ScaleB(TSelf x, TSelf n);

    /// <summary>Lane-wise <c>left &gt; right</c>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TMask GreaterThan(TSelf left, TSelf right);

    /// <summary>Lane-wise <c>left ≥ right</c>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TMask GreaterThanOrEqual(TSelf left, TSelf right);

    /// <summary>Lane-wise <c>left &lt; right</c>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TMask LessThan(TSelf left, TSelf right);

    /// <summary>Lane-wise <c>left ≤ right</c>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TMask LessThanOrEqual(TSelf left, TSelf right);

    /// <summary>Lane-wise <c>left == right</c>.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TMask Equal(TSelf left, TSelf right);

    /// <summary>Per lane: <paramref name="ifTrue"/> where <paramref name="mask"/> holds, else <paramref name="ifFalse"/>.</summary>
    /// <param name="mask">The mask.</param>
    /// <param name="ifTrue">Values where the mask holds.</param>
    /// <param name="ifFalse">Values elsewhere.</param>
    static abstract TSelf Select(TMask mask, TSelf ifTrue, TSelf ifFalse);
}

/// <summary>The result of a lane comparison: one truth value per lane.</summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
public interface ILaneMask<TSelf>
    where TSelf : struct, ILaneMask<TSelf>
{
    /// <summary>Every lane true.</summary>
    static abstract TSelf True { get; }

    /// <summary>Every lane false.</summary>
    static abstract TSelf False { get; }

    /// <summary>Lane-wise and.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator &(TSelf left, TSelf right);

    /// <summary>Lane-wise or.</summary>
    /// <param name="left">Left operand.</param>
    /// <param name="right">Right operand.</param>
    static abstract TSelf operator |(TSelf left, TSelf right);

    /// <summary>Lane-wise not.</summary>
    /// <param name="value">The operand.</param>
    static abstract TSelf operator ~(TSelf value);

    /// <summary>Whether any lane is true.</summary>
    /// <param name="mask">The mask.</param>
    static abstract bool Any(TSelf mask);

    /// <summary>Whether every lane is true.</summary>
    /// <param name="mask">The mask.</param>
    static abstract bool All(TSelf mask);
}
