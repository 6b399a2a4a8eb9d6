using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace EventSnn.Simulator.Models;

/// <summary>
/// Eight double lanes as two 256-bit vectors, with the lane-wise operations of <see cref="CobaLif.AdvanceFreeLanes"/>:
/// each operation is the IEEE operation per lane (as the scalar code's), and the two halves give two independent
/// dependency chains.
/// </summary>
internal readonly struct Lanes8
{
    private readonly Vector256<double> _lo;
    private readonly Vector256<double> _hi;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private Lanes8(Vector256<double> lo, Vector256<double> hi)
    {
        _lo = lo;
        _hi = hi;
    }

    /// <summary>Lanes of zero.</summary>
    public static Lanes8 Zero => default;

    /// <summary>Lanes with every bit set (a mask that is true everywhere).</summary>
    public static Lanes8 AllBitsSet => new(Vector256<double>.AllBitsSet, Vector256<double>.AllBitsSet);

    /// <summary>The value in every lane.</summary>
    /// <param name="x">The value.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Create(double x) => new(Vector256.Create(x), Vector256.Create(x));

    /// <summary>The first eight values of a span.</summary>
    /// <param name="x">The values.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Load(ReadOnlySpan<double> x) => new(Vector256.Create(x), Vector256.Create(x[4..]));

    /// <summary>Writes the lanes to the first eight elements of a span.</summary>
    /// <param name="x">The destination.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Store(Span<double> x)
    {
        _lo.CopyTo(x);
        _hi.CopyTo(x[4..]);
    }

    /// <summary>Whether no lane has its sign bit set (for a mask: no lane true).</summary>
    public bool NoneSet
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => (_lo.ExtractMostSignificantBits() | _hi.ExtractMostSignificantBits()) == 0;
    }

    /// <summary>Lane-wise sum.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a._lo + b._lo, a._hi + b._hi);

    /// <summary>Lane-wise difference.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a._lo - b._lo, a._hi - b._hi);

    /// <summary>Lane-wise product.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a._lo * b._lo, a._hi * b._hi);

    /// <summary>Lane-wise bitwise and (of masks).</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 operator &(Lanes8 a, Lanes8 b) => new(a._lo & b._lo, a._hi & b._hi);

    /// <summary>Lane-wise absolute value.</summary>
    /// <param name="a">The operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Abs(Lanes8 a) => new(Vector256.Abs(a._lo), Vector256.Abs(a._hi));

    /// <summary>Lane-wise a·b + c with one rounding.</summary>
    /// <param name="a">The first factor.</param>
    /// <param name="b">The second factor.</param>
    /// <param name="c">The addend.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 FusedMultiplyAdd(Lanes8 a, Lanes8 b, Lanes8 c)
        => new(Vector256.FusedMultiplyAdd(a._lo, b._lo, c._lo), Vector256.FusedMultiplyAdd(a._hi, b._hi, c._hi));

    /// <summary>Lane-wise: <paramref name="a"/> where <paramref name="mask"/> is set, else <paramref name="b"/>.</summary>
    /// <param name="mask">The mask (all bits set or clear per lane).</param>
    /// <param name="a">Taken where the mask is set.</param>
    /// <param name="b">Taken elsewhere.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 Select(Lanes8 mask, Lanes8 a, Lanes8 b)
        => new(Vector256.ConditionalSelect(mask._lo, a._lo, b._lo), Vector256.ConditionalSelect(mask._hi, a._hi, b._hi));

    /// <summary>Lane-wise a ≤ b as a mask.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 LessThanOrEqual(Lanes8 a, Lanes8 b)
        => new(Vector256.LessThanOrEqual(a._lo, b._lo), Vector256.LessThanOrEqual(a._hi, b._hi));

    /// <summary>Lane-wise a ≥ b as a mask.</summary>
    /// <param name="a">The left operand.</param>
    /// <param name="b">The right operand.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 GreaterThanOrEqual(Lanes8 a, Lanes8 b)
        => new(Vector256.GreaterThanOrEqual(a._lo, b._lo), Vector256.GreaterThanOrEqual(a._hi, b._hi));

    /// <summary>Lane-wise a and not b (of masks).</summary>
    /// <param name="a">The mask kept.</param>
    /// <param name="b">The mask removed.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Lanes8 AndNot(Lanes8 a, Lanes8 b) => new(Vector256.AndNot(a._lo, b._lo), Vector256.AndNot(a._hi, b._hi));
}
