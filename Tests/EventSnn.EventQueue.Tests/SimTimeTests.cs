using System.Numerics;
using CsCheck;
using EventSnn.EventQueue;

namespace EventSnn.EventQueue.Tests;

public sealed class SimTimeTests
{
    private static readonly Gen<long> AnyLong = Gen.Long;

    [Fact]
    public void One_tick_is_one_nanosecond()
    {
        Assert.Equal(1_000L, SimTime.FromMicroseconds(1).Ticks);
        Assert.Equal(1_000_000L, SimTime.FromMilliseconds(1L).Ticks);
        Assert.Equal(1_000_000_000L, SimTime.FromSeconds(1L).Ticks);
        Assert.Equal(1_000_000_000L, SimDuration.FromSeconds(1L).Ticks);
        Assert.Equal(1L, SimDuration.Epsilon.Ticks);
        Assert.Equal(SimTime.FromTicks(12), SimTime.FromNanoseconds(12));
    }

    [Fact]
    public void Integer_conversions_are_exact_or_throw()
    {
        // Exact iff the product fits: checked against arbitrary-precision arithmetic.
        (long Factor, Func<long, SimTime> Time, Func<long, SimDuration> Duration)[] units =
        [
            (1_000, SimTime.FromMicroseconds, SimDuration.FromMicroseconds),
            (1_000_000, SimTime.FromMilliseconds, SimDuration.FromMilliseconds),
            (1_000_000_000, SimTime.FromSeconds, SimDuration.FromSeconds),
        ];
        foreach (var (factor, time, duration) in units)
        {
            long edge = long.MaxValue / factor;
            long[] probes = [0, 1, -1, edge, edge + 1, -edge, -edge - 1, long.MaxValue, long.MinValue, 123_456_789];
            foreach (long v in probes)
            {
                var exact = (BigInteger)v * factor;
                if (exact >= long.MinValue && exact <= long.MaxValue)
                {
                    Assert.Equal((long)exact, time(v).Ticks);
                    Assert.Equal((long)exact, duration(v).Ticks);
                }
                else
                {
                    var ex = Assert.Throws<OverflowException>(() => time(v));
                    Assert.Contains(v.ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
                    Assert.Throws<OverflowException>(() => duration(v));
                }
            }
        }
    }

    [Fact]
    public void Dvs_microsecond_timestamps_round_trip_exactly()
    {
        Gen.Long[-(long.MaxValue / 1000), long.MaxValue / 1000].Sample(us =>
        {
            var t = SimTime.FromMicroseconds(us);
            return t.ToMicroseconds() == us && t.IsWholeMicroseconds && t.Ticks == us * 1000;
        });
    }

    [Fact]
    public void Double_conversions_round_to_the_nearest_tick()
    {
        Assert.Equal(12_345_678L, SimTime.FromMilliseconds(12.345678).Ticks);
        Assert.Equal(1_500_000_000L, SimDuration.FromSeconds(1.5).Ticks);
        Assert.Equal(-250_000L, SimDuration.FromMilliseconds(-0.25).Ticks);

        // Exact ties (representable in binary): 1/128 ms = 7812.5 ticks, 1/1024 s = 976562.5 ticks; ties go to even.
        Assert.Equal(7_812L, SimDuration.FromMilliseconds(1.0 / 128).Ticks);
        Assert.Equal(23_438L, SimDuration.FromMilliseconds(3.0 / 128).Ticks);
        Assert.Equal(976_562L, SimTime.FromSeconds(1.0 / 1024).Ticks);
        Assert.Equal(-976_562L, SimTime.FromSeconds(-1.0 / 1024).Ticks);

        // Any tick count below 2^50 survives ms/s as a double (the representation error is far below half a tick).
        Gen.Long[-(1L << 50), 1L << 50].Sample(ticks =>
            SimTime.FromMilliseconds(ticks / 1e6).Ticks == ticks && SimDuration.FromSeconds(ticks / 1e9).Ticks == ticks);
    }

    [Fact]
    public void Double_conversions_reject_non_finite_and_overflow()
    {
        foreach (double bad in new[] { double.NaN, double.PositiveInfinity, double.NegativeInfinity })
        {
            Assert.Equal("milliseconds", Assert.Throws<ArgumentOutOfRangeException>(() => SimTime.FromMilliseconds(bad)).ParamName);
            Assert.Equal("seconds", Assert.Throws<ArgumentOutOfRangeException>(() => SimDuration.FromSeconds(bad)).ParamName);
        }

        Assert.Throws<OverflowException>(() => SimTime.FromSeconds(9.3e9));   // > 2^63 ns
        Assert.Throws<OverflowException>(() => SimTime.FromSeconds(-9.3e9));
        Assert.Throws<OverflowException>(() => SimDuration.FromMilliseconds(1e300));
        Assert.Throws<OverflowException>(() => SimTime.FromMilliseconds(9_223_372_036_854.775808)); // exactly 2^63 ns
        Assert.Equal(long.MinValue, SimTime.FromMilliseconds(-9_223_372_036_854.775808).Ticks); // -2^63 fits
        Assert.Equal(9_200_000_000_000_000_000L, SimTime.FromSeconds(9.2e9).Ticks);
    }

    [Fact]
    public void Microsecond_variants_truncate_round_or_demand_exactness()
    {
        var t = SimTime.FromTicks(1_500);
        Assert.False(t.IsWholeMicroseconds);
        Assert.Throws<InvalidOperationException>(() => t.ToMicroseconds());
        Assert.Throws<InvalidOperationException>(() => SimDuration.FromTicks(-1).ToMicroseconds());

        Gen.Long.Sample(ticks =>
        {
            decimal exact = ticks / 1000m;
            long truncated = (long)decimal.Truncate(exact);
            long rounded = (long)decimal.Round(exact, MidpointRounding.AwayFromZero);
            var time = SimTime.FromTicks(ticks);
            var duration = SimDuration.FromTicks(ticks);
            return time.ToMicrosecondsTruncated() == truncated && time.ToMicrosecondsRounded() == rounded
                && duration.ToMicrosecondsTruncated() == truncated && duration.ToMicrosecondsRounded() == rounded;
        });
        Assert.Equal(2L, SimTime.FromTicks(1_500).ToMicrosecondsRounded());
        Assert.Equal(-2L, SimDuration.FromTicks(-1_500).ToMicrosecondsRounded());
        Assert.Equal(1L, SimTime.FromTicks(1_499).ToMicrosecondsRounded());
    }

    [Fact]
    public void Arithmetic_matches_wide_integers_or_throws_naming_the_operands()
    {
        Gen.Select(AnyLong, AnyLong, Gen.Long[-5000, 5000]).Sample((a, b, small) =>
        {
            var t = SimTime.FromTicks(a);
            var d = SimDuration.FromTicks(b);
            Check((Int128)a + b, () => (t + d).Ticks);
            Check((Int128)a + b, () => (d + t).Ticks);
            Check((Int128)a - b, () => (t - d).Ticks);
            Check((Int128)a - b, () => (t - SimTime.FromTicks(b)).Ticks);
            Check((Int128)a + b, () => (SimDuration.FromTicks(a) + d).Ticks);
            Check((Int128)a - b, () => (SimDuration.FromTicks(a) - d).Ticks);
            Check(-(Int128)b, () => (-d).Ticks);
            Check((Int128)b * small, () => (d * small).Ticks);
            Assert.Equal(a < b, t < SimTime.FromTicks(b));
            Assert.Equal(a <= b, t <= SimTime.FromTicks(b));
            Assert.Equal(a > b, t > SimTime.FromTicks(b));
            Assert.Equal(a == b, t == SimTime.FromTicks(b));
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(t.CompareTo(SimTime.FromTicks(b))));
            Assert.Equal(Math.Sign(a.CompareTo(b)), Math.Sign(SimDuration.FromTicks(a).CompareTo(d)));
        });

        var ex = Assert.Throws<OverflowException>(() => SimTime.MaxValue + SimDuration.FromTicks(1));
        Assert.Contains(SimTime.MaxValue.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains(SimDuration.FromTicks(1).ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Throws<OverflowException>(() => SimTime.MinValue - SimTime.FromTicks(1));
        Assert.Throws<OverflowException>(() => SimDuration.MinValue / -1);
        Assert.Throws<OverflowException>(() => SimDuration.MinValue.Duration());
        Assert.Equal(SimDuration.FromTicks(5), SimDuration.FromTicks(-5).Duration());
        Assert.Equal(SimDuration.FromTicks(-3), SimDuration.FromTicks(-7) / 2);
    }

    private static void Check(Int128 exact, Func<long> compute)
    {
        if (exact >= long.MinValue && exact <= long.MaxValue)
        {
            Assert.Equal((long)exact, compute());
        }
        else
        {
            Assert.Throws<OverflowException>(() => compute());
        }
    }

    [Fact]
    public void Floor_to_grid_matches_floor_division()
    {
        Gen.Select(Gen.Long[-(1L << 60), 1L << 60], Gen.Long[1, 1_000_000]).Sample((ticks, step) =>
        {
            var floor = SimTime.FromTicks(ticks).FloorTo(SimDuration.FromTicks(step));
            long expected = ticks - (((ticks % step) + step) % step); // largest multiple <= ticks
            return floor.Ticks == expected && floor.IsMultipleOf(SimDuration.FromTicks(step)) && floor.Ticks <= ticks && ticks - floor.Ticks < step;
        });
        Assert.Throws<ArgumentOutOfRangeException>(() => SimTime.Zero.FloorTo(SimDuration.Zero));
    }

    [Fact]
    public void ToString_is_exact_milliseconds_and_parses_back()
    {
        Assert.Equal("12.345678 ms", SimTime.FromTicks(12_345_678).ToString());
        Assert.Equal("0.000000 ms", SimTime.Zero.ToString());
        Assert.Equal("-0.000500 ms", SimDuration.FromTicks(-500).ToString());
        Assert.Equal("9223372036854.775807 ms", SimTime.MaxValue.ToString());
        Assert.Equal("-9223372036854.775808 ms", SimTime.MinValue.ToString());
        Gen.Long.Sample(ticks =>
            SimTime.Parse(SimTime.FromTicks(ticks).ToString()).Ticks == ticks
            && SimDuration.Parse(SimDuration.FromTicks(ticks).ToString()).Ticks == ticks);
    }

    [Fact]
    public void Parse_accepts_units_exactly_and_rejects_the_rest()
    {
        Assert.Equal(1_500L, SimDuration.Parse("1.5 us").Ticks);
        Assert.Equal(1_500L, SimDuration.Parse("1.5µs").Ticks);
        Assert.Equal(2_000_000_000L, SimTime.Parse("2 s").Ticks);
        Assert.Equal(-7L, SimTime.Parse("-7 ns").Ticks);
        Assert.Equal(250_000L, SimTime.Parse(" 0.25 ms ", null).Ticks);
        foreach (string bad in new[] { "", "ms", "12", "1.2.3 ms", "0.0000001 ms", "1 h", "9223372036854.775808 ms", "abc" })
        {
            Assert.Throws<FormatException>(() => SimTime.Parse(bad));
            Assert.False(SimDuration.TryParse(bad, out _));
        }

        Assert.False(SimTime.TryParse(null, out _));
        Assert.Throws<ArgumentNullException>(() => SimTime.Parse(null!));
    }

    [Fact]
    public void Double_views_are_for_display()
    {
        Assert.Equal(1.5, SimTime.FromTicks(1_500_000).TotalMilliseconds);
        Assert.Equal(0.0015, SimDuration.FromTicks(1_500_000).TotalSeconds, 15);
        Assert.Equal(SimTime.FromTicks(3), SimTime.Max(SimTime.FromTicks(3), SimTime.FromTicks(-3)));
        Assert.Equal(SimTime.FromTicks(-3), SimTime.Min(SimTime.FromTicks(3), SimTime.FromTicks(-3)));
    }
}
