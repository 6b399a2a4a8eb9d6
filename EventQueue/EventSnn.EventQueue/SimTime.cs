using System.Diagnostics.CodeAnalysis;

namespace EventSnn.EventQueue;

/// <summary>
/// An instant of simulation time: a whole number of 1 ns ticks since the simulation origin, in a <see cref="long"/>.
/// </summary>
/// <remarks>
/// <para>One tick is one nanosecond: event-camera microsecond timestamps map exactly (×1000), computed spike
/// times and delays keep sub-microsecond resolution, and the range is about ±292 years around the origin.
/// Time is never a floating-point number of seconds; the <see cref="double"/> members exist for input and
/// display only. See <c>docs/EventQueue.md</c>.</para>
/// <para>Arithmetic is checked: <c>time + duration</c>, <c>time - duration</c> and <c>time - time</c> throw
/// <see cref="OverflowException"/> naming both operands when the result leaves the 64-bit tick range.</para>
/// </remarks>
public readonly struct SimTime : IEquatable<SimTime>, IComparable<SimTime>, IComparable, IParsable<SimTime>
{
    private readonly long _ticks;

    private SimTime(long ticks) => _ticks = ticks;

    /// <summary>The simulation origin (tick 0).</summary>
    public static SimTime Zero => default;

    /// <summary>The latest representable instant (<see cref="long.MaxValue"/> ticks).</summary>
    public static SimTime MaxValue => new(long.MaxValue);

    /// <summary>The earliest representable instant (<see cref="long.MinValue"/> ticks).</summary>
    public static SimTime MinValue => new(long.MinValue);

    /// <summary>Ticks (nanoseconds) since the origin.</summary>
    public long Ticks => _ticks;

    /// <summary>Milliseconds since the origin as a <see cref="double"/>; for display only (not exact beyond 2^53 ticks).</summary>
    public double TotalMilliseconds => _ticks / (double)TickMath.TicksPerMillisecond;

    /// <summary>Seconds since the origin as a <see cref="double"/>; for display only (not exact beyond 2^53 ticks).</summary>
    public double TotalSeconds => _ticks / (double)TickMath.TicksPerSecond;

    /// <summary>The instant <paramref name="ticks"/> ticks (nanoseconds) after the origin.</summary>
    public static SimTime FromTicks(long ticks) => new(ticks);

    /// <summary>The instant <paramref name="nanoseconds"/> ns after the origin (identical to <see cref="FromTicks"/>).</summary>
    public static SimTime FromNanoseconds(long nanoseconds) => new(nanoseconds);

    /// <summary>The instant a whole number of microseconds after the origin, exactly (e.g. a DVS timestamp).</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimTime FromMicroseconds(long microseconds) =>
        new(TickMath.Multiply(microseconds, TickMath.TicksPerMicrosecond, "us", nameof(microseconds)));

    /// <summary>The instant a whole number of milliseconds after the origin, exactly.</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimTime FromMilliseconds(long milliseconds) =>
        new(TickMath.Multiply(milliseconds, TickMath.TicksPerMillisecond, "ms", nameof(milliseconds)));

    /// <summary>The instant a whole number of seconds after the origin, exactly.</summary>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimTime FromSeconds(long seconds) =>
        new(TickMath.Multiply(seconds, TickMath.TicksPerSecond, "s", nameof(seconds)));

    /// <summary>The instant a fractional number of milliseconds after the origin, rounded to the nearest tick (ties to even).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="milliseconds"/> is NaN or infinite.</exception>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimTime FromMilliseconds(double milliseconds) =>
        new(TickMath.FromDouble(milliseconds, TickMath.TicksPerMillisecond, "ms", nameof(milliseconds)));

    /// <summary>The instant a fractional number of seconds after the origin, rounded to the nearest tick (ties to even).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN or infinite.</exception>
    /// <exception cref="OverflowException">The result does not fit in 64-bit ticks.</exception>
    public static SimTime FromSeconds(double seconds) =>
        new(TickMath.FromDouble(seconds, TickMath.TicksPerSecond, "s", nameof(seconds)));

    /// <summary>Whether the instant is a whole number of microseconds after the origin.</summary>
    public bool IsWholeMicroseconds => _ticks % TickMath.TicksPerMicrosecond == 0;

    /// <summary>Microseconds since the origin, exactly.</summary>
    /// <exception cref="InvalidOperationException">The instant is not a whole number of microseconds;
    /// use <see cref="ToMicrosecondsTruncated"/> or <see cref="ToMicrosecondsRounded"/>.</exception>
    public long ToMicroseconds()
    {
        long q = Math.DivRem(_ticks, TickMath.TicksPerMicrosecond, out long rem);
        return rem == 0
            ? q
            : throw new InvalidOperationException($"{this} is not a whole number of microseconds; use ToMicrosecondsTruncated or ToMicrosecondsRounded.");
    }

    /// <summary>Microseconds since the origin, truncated toward zero.</summary>
    public long ToMicrosecondsTruncated() => _ticks / TickMath.TicksPerMicrosecond;

    /// <summary>Microseconds since the origin, rounded to nearest (ties away from zero).</summary>
    public long ToMicrosecondsRounded() => TickMath.DivideRounded(_ticks, TickMath.TicksPerMicrosecond);

    /// <summary>Whether the instant lies on the grid of multiples of <paramref name="step"/> (counted from the origin).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    public bool IsMultipleOf(SimDuration step)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step.Ticks, nameof(step));
        return _ticks % step.Ticks == 0;
    }

    /// <summary>The latest grid instant (multiple of <paramref name="step"/>) at or before this instant.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is not positive.</exception>
    public SimTime FloorTo(SimDuration step)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(step.Ticks, nameof(step));
        return new(TickMath.FloorDiv(_ticks, step.Ticks) * step.Ticks);
    }

    /// <summary>Adds a duration (checked).</summary>
    /// <exception cref="OverflowException">The result leaves the 64-bit tick range; the message names both operands.</exception>
    public static SimTime operator +(SimTime time, SimDuration duration)
    {
        if (!TickMath.TryAdd(time._ticks, duration.Ticks, out long r))
        {
            TickMath.ThrowOverflow(time, "+", duration);
        }

        return new(r);
    }

    /// <summary>Adds a duration (checked).</summary>
    /// <exception cref="OverflowException">The result leaves the 64-bit tick range; the message names both operands.</exception>
    public static SimTime operator +(SimDuration duration, SimTime time) => time + duration;

    /// <summary>Subtracts a duration (checked).</summary>
    /// <exception cref="OverflowException">The result leaves the 64-bit tick range; the message names both operands.</exception>
    public static SimTime operator -(SimTime time, SimDuration duration)
    {
        if (!TickMath.TrySubtract(time._ticks, duration.Ticks, out long r))
        {
            TickMath.ThrowOverflow(time, "-", duration);
        }

        return new(r);
    }

    /// <summary>The signed duration from <paramref name="right"/> to <paramref name="left"/> (checked).</summary>
    /// <exception cref="OverflowException">The result leaves the 64-bit tick range; the message names both operands.</exception>
    public static SimDuration operator -(SimTime left, SimTime right)
    {
        if (!TickMath.TrySubtract(left._ticks, right._ticks, out long r))
        {
            TickMath.ThrowOverflow(left, "-", right);
        }

        return SimDuration.FromTicks(r);
    }

    /// <summary>Adds a duration (checked); named alternative to <c>+</c>.</summary>
    public SimTime Add(SimDuration duration) => this + duration;

    /// <summary>Subtracts a duration (checked); named alternative to <c>-</c>.</summary>
    public SimTime Subtract(SimDuration duration) => this - duration;

    /// <summary>The signed duration from <paramref name="other"/> to this instant (checked); named alternative to <c>-</c>.</summary>
    public SimDuration Subtract(SimTime other) => this - other;

    /// <summary>Equality.</summary>
    public static bool operator ==(SimTime left, SimTime right) => left._ticks == right._ticks;

    /// <summary>Inequality.</summary>
    public static bool operator !=(SimTime left, SimTime right) => left._ticks != right._ticks;

    /// <summary>Earlier than.</summary>
    public static bool operator <(SimTime left, SimTime right) => left._ticks < right._ticks;

    /// <summary>Later than.</summary>
    public static bool operator >(SimTime left, SimTime right) => left._ticks > right._ticks;

    /// <summary>Earlier than or equal.</summary>
    public static bool operator <=(SimTime left, SimTime right) => left._ticks <= right._ticks;

    /// <summary>Later than or equal.</summary>
    public static bool operator >=(SimTime left, SimTime right) => left._ticks >= right._ticks;

    /// <summary>The earlier of two instants.</summary>
    public static SimTime Min(SimTime left, SimTime right) => left._ticks <= right._ticks ? left : right;

    /// <summary>The later of two instants.</summary>
    public static SimTime Max(SimTime left, SimTime right) => left._ticks >= right._ticks ? left : right;

    /// <summary>Compares two instants.</summary>
    public static int Compare(SimTime left, SimTime right) => left._ticks.CompareTo(right._ticks);

    /// <inheritdoc/>
    public int CompareTo(SimTime other) => _ticks.CompareTo(other._ticks);

    /// <inheritdoc/>
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        SimTime other => CompareTo(other),
        _ => throw new ArgumentException($"Object must be a {nameof(SimTime)}.", nameof(obj)),
    };

    /// <inheritdoc/>
    public bool Equals(SimTime other) => _ticks == other._ticks;

    /// <inheritdoc/>
    public override bool Equals([NotNullWhen(true)] object? obj) => obj is SimTime other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _ticks.GetHashCode();

    /// <summary>Formats as milliseconds since the origin with six decimals, e.g. <c>12.345678 ms</c>: exact, and accepted by <see cref="Parse(string)"/>.</summary>
    public override string ToString() => TickMath.Format(_ticks);

    /// <summary>Parses a decimal number with a unit (<c>ns</c>, <c>us</c>/<c>µs</c>, <c>ms</c>, <c>s</c>), e.g. <c>12.345678 ms</c>, exactly.</summary>
    /// <exception cref="FormatException">Not a number with a unit, not a whole number of nanoseconds, or out of range.</exception>
    public static SimTime Parse(string s) => new(TickMath.Parse(s, "time"));

    /// <summary>Parses like <see cref="Parse(string)"/>; the format provider is ignored (invariant culture).</summary>
    public static SimTime Parse(string s, IFormatProvider? provider) => Parse(s);

    /// <summary>Tries to parse like <see cref="Parse(string)"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, out SimTime result)
    {
        bool ok = TickMath.TryParse(s, out long ticks);
        result = new(ticks);
        return ok && s is not null;
    }

    /// <summary>Tries to parse like <see cref="Parse(string)"/>; the format provider is ignored (invariant culture).</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out SimTime result) => TryParse(s, out result);
}
