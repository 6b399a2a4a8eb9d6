using System.Diagnostics.CodeAnalysis;

namespace EventSnn.EventQueue;

/// <summary>
/// A signed span of simulation time: a whole number of 1 ns ticks in a <see cref="long"/>.
/// </summary>
/// <remarks>
/// <para>One tick is one nanosecond. Event-camera timestamps in microseconds convert exactly (×1000), computed
/// spike times and synaptic delays get sub-microsecond resolution, and a <see cref="long"/> still spans about
/// ±292 years. See <c>docs/EventQueue.md</c>.</para>
/// <para>Durations may be negative (the difference of two instants is); queues and the simulator reject negative
/// delays where a delay is required. All arithmetic is checked: a result outside the 64-bit tick range throws
/// <see cref="OverflowException"/> naming the operands.</para>
/// </remarks>
public readonly struct SimDuration : IEquatable<SimDuration>, IComparable<SimDuration>, IComparable, IParsable<SimDuration>
{
    /// <summary>Ticks (nanoseconds) per microsecond.</summary>
    public const long TicksPerMicrosecond = TickMath.TicksPerMicrosecond;

    /// <summary>Ticks (nanoseconds) per millisecond.</summary>
    public const long TicksPerMillisecond = TickMath.TicksPerMillisecond;

    /// <summary>Ticks (nanoseconds) per second.</summary>
    public const long TicksPerSecond = TickMath.TicksPerSecond;

    private readonly long _ticks;

    private SimDuration(long ticks) => _ticks = ticks;

    /// <summary>The zero duration.</summary>
    public static SimDuration Zero => default;

    /// <summary>The longest representable duration (<see cref="long.MaxValue"/> ticks, about 292 years).</summary>
    public static SimDuration MaxValue => new(long.MaxValue);

    /// <summary>The most negative representable duration (<see cref="long.MinValue"/> ticks).</summary>
    public static SimDuration MinValue => new(long.MinValue);

    /// <summary>One tick (one nanosecond), the resolution of simulation time.</summary>
    public static SimDuration Epsilon => new(1);

    /// <summary>The duration as a whole number of ticks (nanoseconds).</summary>
    public long Ticks => _ticks;

    /// <summary>The duration in milliseconds as a <see cref="double"/>; for display only (not exact beyond 2^53 ticks).</summary>
    public double TotalMilliseconds => _ticks / (double)TicksPerMillisecond;

    /// <summary>The duration in seconds as a <see cref="double"/>; for display only (not exact beyond 2^53 ticks).</summary>
    public double TotalSeconds => _ticks / (double)TicksPerSecond;

    /// <summary>Creates a duration of <paramref name="ticks"/> ticks (nanoseconds).</summary>
    public static SimDuration FromTicks(long ticks) => new(ticks);

    /// <summary>Creates a duration of <paramref name="nanoseconds"/> nanoseconds (identical to <see cref="FromTicks"/>).</summary>
    public static SimDuration FromNanoseconds(long nanoseconds) => new(nanoseconds);

    /// <summary>Creates an exact duration from whole microseconds.</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimDuration FromMicroseconds(long microseconds) =>
        new(TickMath.Multiply(microseconds, TicksPerMicrosecond, "us", nameof(microseconds)));

    /// <summary>Creates an exact duration from whole milliseconds.</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimDuration FromMilliseconds(long milliseconds) =>
        new(TickMath.Multiply(milliseconds, TicksPerMillisecond, "ms", nameof(milliseconds)));

    /// <summary>Creates an exact duration from whole seconds.</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimDuration FromSeconds(long seconds) =>
        new(TickMath.Multiply(seconds, TicksPerSecond, "s", nameof(seconds)));

    /// <summary>Creates a duration from fractional milliseconds, rounded to the nearest tick (ties to even).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is NaN or infinite.</exception>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimDuration FromMilliseconds(double milliseconds) =>
        new(TickMath.FromDouble(milliseconds, TicksPerMillisecond, "ms", nameof(milliseconds)));

    /// <summary>Creates a duration from fractional seconds, rounded to the nearest tick (ties to even).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN or infinite.</exception>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimDuration FromSeconds(double seconds) =>
        new(TickMath.FromDouble(seconds, TicksPerSecond, "s", nameof(seconds)));

    /// <summary>Whether the duration is a whole number of microseconds.</summary>
    public bool IsWholeMicroseconds => _ticks % TicksPerMicrosecond == 0;

    /// <summary>The duration in whole microseconds, exactly.</summary>
    /// <exception cref="InvalidOperationException">The duration is not a whole number of microseconds;
    /// use <see cref="ToMicrosecondsTruncated"/> or <see cref="ToMicrosecondsRounded"/>.</exception>
    public long ToMicroseconds()
    {
        long q = Math.DivRem(_ticks, TicksPerMicrosecond, out long rem);
        return rem == 0
            ? q
            : throw new InvalidOperationException($"{this} is not a whole number of microseconds; use ToMicrosecondsTruncated or ToMicrosecondsRounded.");
    }

    /// <summary>The duration in microseconds, truncated toward zero.</summary>
    public long ToMicrosecondsTruncated() => _ticks / TicksPerMicrosecond;

    /// <summary>The duration in microseconds, rounded to nearest (ties away from zero).</summary>
    public long ToMicrosecondsRounded() => TickMath.DivideRounded(_ticks, TicksPerMicrosecond);

    /// <summary>The absolute value.</summary>
    /// <exception cref="OverflowException">The duration is <see cref="MinValue"/>.</exception>
    public SimDuration Duration() => _ticks == long.MinValue
        ? throw new OverflowException($"The absolute value of {this} does not fit in 64-bit ticks.")
        : new(Math.Abs(_ticks));

    /// <summary>Adds two durations (checked).</summary>
    public static SimDuration operator +(SimDuration left, SimDuration right)
    {
        if (!TickMath.TryAdd(left._ticks, right._ticks, out long r))
        {
            TickMath.ThrowOverflow(left, "+", right);
        }

        return new(r);
    }

    /// <summary>Subtracts two durations (checked).</summary>
    public static SimDuration operator -(SimDuration left, SimDuration right)
    {
        if (!TickMath.TrySubtract(left._ticks, right._ticks, out long r))
        {
            TickMath.ThrowOverflow(left, "-", right);
        }

        return new(r);
    }

    /// <summary>Negates a duration (checked).</summary>
    public static SimDuration operator -(SimDuration value)
    {
        if (value._ticks == long.MinValue)
        {
            TickMath.ThrowOverflow("0", "-", value);
        }

        return new(-value._ticks);
    }

    /// <summary>Returns the duration unchanged.</summary>
    public static SimDuration operator +(SimDuration value) => value;

    /// <summary>Multiplies a duration by an integer (checked).</summary>
    public static SimDuration operator *(SimDuration left, long right)
    {
        long high = Math.BigMul(left._ticks, right, out long low);
        if (high != (low >> 63))
        {
            TickMath.ThrowOverflow(left, "*", right);
        }

        return new(low);
    }

    /// <summary>Multiplies a duration by an integer (checked).</summary>
    public static SimDuration operator *(long left, SimDuration right) => right * left;

    /// <summary>Divides a duration by an integer, truncating toward zero.</summary>
    /// <exception cref="DivideByZeroException"><paramref name="right"/> is zero.</exception>
    /// <exception cref="OverflowException"><see cref="MinValue"/> divided by -1.</exception>
    public static SimDuration operator /(SimDuration left, long right)
    {
        if (right == -1 && left._ticks == long.MinValue)
        {
            TickMath.ThrowOverflow(left, "/", right);
        }

        return new(left._ticks / right);
    }

    /// <summary>Adds two durations (checked); named alternative to <c>+</c>.</summary>
    public SimDuration Add(SimDuration other) => this + other;

    /// <summary>Subtracts a duration (checked); named alternative to <c>-</c>.</summary>
    public SimDuration Subtract(SimDuration other) => this - other;

    /// <summary>Negates (checked); named alternative to unary <c>-</c>.</summary>
    public SimDuration Negate() => -this;

    /// <summary>Multiplies by an integer (checked); named alternative to <c>*</c>.</summary>
    public SimDuration Multiply(long factor) => this * factor;

    /// <summary>Divides by an integer, truncating toward zero; named alternative to <c>/</c>.</summary>
    public SimDuration Divide(long divisor) => this / divisor;

    /// <summary>Equality.</summary>
    public static bool operator ==(SimDuration left, SimDuration right) => left._ticks == right._ticks;

    /// <summary>Inequality.</summary>
    public static bool operator !=(SimDuration left, SimDuration right) => left._ticks != right._ticks;

    /// <summary>Less than.</summary>
    public static bool operator <(SimDuration left, SimDuration right) => left._ticks < right._ticks;

    /// <summary>Greater than.</summary>
    public static bool operator >(SimDuration left, SimDuration right) => left._ticks > right._ticks;

    /// <summary>Less than or equal.</summary>
    public static bool operator <=(SimDuration left, SimDuration right) => left._ticks <= right._ticks;

    /// <summary>Greater than or equal.</summary>
    public static bool operator >=(SimDuration left, SimDuration right) => left._ticks >= right._ticks;

    /// <summary>Compares two durations.</summary>
    public static int Compare(SimDuration left, SimDuration right) => left._ticks.CompareTo(right._ticks);

    /// <inheritdoc/>
    public int CompareTo(SimDuration other) => _ticks.CompareTo(other._ticks);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        SimDuration other => CompareTo(other),
        _ => throw new ArgumentException($"Object must be a {nameof(SimDuration)}.", nameof(obj)),
    };

    /// <inheritdoc/>
    public bool Equals(SimDuration other) => _ticks == other._ticks;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SimDuration other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _ticks.GetHashCode();

    /// <summary>Formats as milliseconds with six decimals, e.g. <c>12.345678 ms</c>: exact, and accepted by <see cref="Parse(string)"/>.</summary>
    public override string ToString() => TickMath.Format(_ticks);

    /// <summary>Parses a decimal number with a unit (<c>ns</c>, <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>), e.g. <c>12.345678 ms</c>, exactly.</summary>
    /// <exception cref="FormatException">Not a number with a unit, not a whole number of nanoseconds, or out of range.</exception>
    public static SimDuration Parse(string s) => new(TickMath.Parse(s, "duration"));

    /// <summary>Parses like <see cref="Parse(string)"/>; the format provider is ignored (invariant culture).</summary>
    public static SimDuration Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <summary>Tries to parse like <see cref="Parse(string)"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out SimDuration result)
    {
        bool ok = TickMath.TryParse(s, out long ticks);
        result = new(ticks);
        return ok && s is not null;
    }

    /// <summary>Tries to parse like <see cref="Parse(string)"/>; the format provider is ignored (invariant culture).</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out SimDuration result) => TryParse(s, out result);
}
