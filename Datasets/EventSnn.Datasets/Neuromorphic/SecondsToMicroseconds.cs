namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// Converts floating-point seconds (as stored by SHD/SSC) to integer microseconds, exactly rounded.
/// </summary>
/// <remarks>
/// <para>The stored binary value v (a float16/32/64 widens to double without change) is multiplied by 10^6 in exact
/// integer arithmetic (v = m·2^e, so v·10^6 = m·10^6·2^e with a 128-bit product) and rounded to the nearest integer,
/// ties to even. No intermediate double product is formed, so the result is the integer nearest to the real number the
/// file stores. (tonic computes <c>times * 1e6</c> in float64 and truncates when casting to int, which can give one
/// microsecond less: the float32 0.7 s, stored as 0.699999988…, gives 700,000 µs here and 699,999 there.)</para>
/// </remarks>
public static class SecondsToMicroseconds
{
    /// <summary>Converts <paramref name="seconds"/> to µs, rounding to nearest, ties to even.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN, infinite, or its µs value does not fit in an int64.</exception>
    public static long Convert(double seconds)
    {
        if (!double.IsFinite(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), seconds, "Time must be a finite number of seconds.");
        }

        if (seconds == 0)
        {
            return 0;
        }

        bool negative = seconds < 0;
        ulong bits = BitConverter.DoubleToUInt64Bits(Math.Abs(seconds));
        int exponentField = (int)(bits >> 52) & 0x7FF;
        ulong fraction = bits & ((1UL << 52) - 1);
        ulong mantissa;
        int exponent;
        if (exponentField == 0)
        {
            mantissa = fraction;              // subnormal
            exponent = -1074;
        }
        else
        {
            mantissa = fraction | (1UL << 52);
            exponent = exponentField - 1075;
        }

        UInt128 product = (UInt128)mantissa * 1_000_000UL; // < 2^73
        UInt128 magnitude;
        if (exponent >= 0)
        {
            if (exponent > 62)
            {
                throw OutOfRange(seconds);
            }

            magnitude = product << exponent;
        }
        else
        {
            int shift = -exponent;
            if (shift >= 80)
            {
                magnitude = 0; // product < 2^73 < half of 2^shift
            }
            else
            {
                UInt128 quotient = product >> shift;
                UInt128 remainder = product - (quotient << shift);
                UInt128 half = UInt128.One << (shift - 1);
                if (remainder > half || (remainder == half && (quotient & UInt128.One) == UInt128.One))
                {
                    quotient++;
                }

                magnitude = quotient;
            }
        }

        if (magnitude > (UInt128)long.MaxValue)
        {
            throw OutOfRange(seconds);
        }

        long value = (long)magnitude;
        return negative ? -value : value;
    }

    private static ArgumentOutOfRangeException OutOfRange(double seconds) =>
        new(nameof(seconds), seconds, "The time in microseconds does not fit in a 64-bit integer.");
}
