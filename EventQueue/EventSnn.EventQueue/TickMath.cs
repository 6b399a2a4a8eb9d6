using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace EventSnn.EventQueue;

/// <summary>Checked conversions, formatting and parsing shared by <see cref="SimTime"/> and <see cref="SimDuration"/>.</summary>
internal static class TickMath
{
    public const long TicksPerMicrosecond = 1_000;
    public const long TicksPerMillisecond = 1_000_000;
    public const long TicksPerSecond = 1_000_000_000;

    // 2^63 as a double: the first double that does not fit in a long.
    private const double TwoPow63 = 9_223_372_036_854_775_808.0;

    public static long Multiply(long value, long ticksPerUnit, string unit, string paramName)
    {
        long result;
        if (!TryMultiply(value, ticksPerUnit, out result))
        {
            throw new OverflowException(string.Create(CultureInfo.InvariantCulture,
                $"{value} {unit} ({paramName}) does not fit in a 64-bit nanosecond tick count (range ±{long.MaxValue / ticksPerUnit} {unit})."));
        }

        return result;
    }

    private static bool TryMultiply(long value, long factor, out long result)
    {
        long high = Math.BigMul(value, factor, out long low);
        result = low;
        return high == (low >> 63);
    }

    public static long FromDouble(double value, double ticksPerUnit, string unit, string paramName)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(paramName, value, $"A time in {unit} must be a finite number.");
        }

        double ticks = Math.Round(value * ticksPerUnit, MidpointRounding.ToEven);
        if (ticks >= TwoPow63 || ticks < -TwoPow63)
        {
            throw new OverflowException(string.Create(CultureInfo.InvariantCulture,
                $"{value:R} {unit} ({paramName}) does not fit in a 64-bit nanosecond tick count."));
        }

        return (long)ticks;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryAdd(long a, long b, out long result)
    {
        result = unchecked(a + b);
        return ((a ^ result) & (b ^ result)) >= 0;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TrySubtract(long a, long b, out long result)
    {
        result = unchecked(a - b);
        return ((a ^ b) & (a ^ result)) >= 0;
    }

    /// <summary>Throws the overflow of <c>left op right</c>, naming both operands (formatting only on this cold path).</summary>
    [DoesNotReturn]
    [MethodImpl(MethodImplOptions.NoInlining)]
    public static void ThrowOverflow<TLeft, TRight>(TLeft left, string op, TRight right) =>
        throw new OverflowException($"{left} {op} {right} overflows the 64-bit tick range.");

    /// <summary>Divides rounding to the nearest integer, ties away from zero (divisor &gt; 0).</summary>
    public static long DivideRounded(long ticks, long divisor)
    {
        long q = Math.DivRem(ticks, divisor, out long rem);
        long twice = Math.Abs(rem) * 2; // |rem| < divisor <= 1e9, no overflow
        if (twice >= divisor)
        {
            q += ticks < 0 ? -1 : 1;
        }

        return q;
    }

    /// <summary>Largest multiple of <paramref name="divisor"/> not above <paramref name="ticks"/> (divisor &gt; 0), as a quotient.</summary>
    public static long FloorDiv(long ticks, long divisor)
    {
        long q = Math.DivRem(ticks, divisor, out long rem);
        return rem < 0 ? q - 1 : q;
    }

    /// <summary>Formats ticks as milliseconds with six decimals (exact: one decimal digit per nanosecond place).</summary>
    public static string Format(long ticks)
    {
        // Work in unsigned magnitude so long.MinValue formats correctly.
        ulong magnitude = ticks < 0 ? unchecked((ulong)(-(ticks + 1)) + 1UL) : (ulong)ticks;
        ulong whole = magnitude / TicksPerMillisecond;
        ulong frac = magnitude % TicksPerMillisecond;
        return string.Create(CultureInfo.InvariantCulture, $"{(ticks < 0 ? "-" : "")}{whole}.{frac:D6} ms");
    }

    public static bool TryParse(ReadOnlySpan<char> s, out long ticks)
    {
        ticks = 0;
        s = s.Trim();
        int i = s.Length;
        while (i > 0 && char.IsLetter(s[i - 1]))
        {
            i--;
        }

        ReadOnlySpan<char> unit = s[i..];
        ReadOnlySpan<char> number = s[..i].TrimEnd();
        long perUnit;
        switch (unit)
        {
            case "ns":
                perUnit = 1;
                break;
            case "us":
            case "\u00b5s":
            case "\u03bcs":
                perUnit = TicksPerMicrosecond;
                break;
            case "ms":
                perUnit = TicksPerMillisecond;
                break;
            case "s":
                perUnit = TicksPerSecond;
                break;
            default:
                return false;
        }

        if (number.IsEmpty || !decimal.TryParse(number, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal value))
        {
            return false;
        }

        decimal scaled;
        try
        {
            scaled = value * perUnit;
        }
        catch (OverflowException)
        {
            return false;
        }

        if (scaled != decimal.Truncate(scaled) || scaled > long.MaxValue || scaled < long.MinValue)
        {
            return false;
        }

        ticks = (long)scaled;
        return true;
    }

    public static long Parse(string s, string typeName)
    {
        ArgumentNullException.ThrowIfNull(s);
        if (!TryParse(s, out long ticks))
        {
            throw new FormatException(
                $"'{s}' is not a valid {typeName}: expected a decimal number followed by a unit (ns, us, ms or s) that is a whole number of nanoseconds within the 64-bit range, e.g. '12.345678 ms'.");
        }

        return ticks;
    }
}
