using CsCheck;

namespace EventSnn.Events.Tests;

public class EventSpanTests
{
    private static EventArray Sample(params long[] times)
    {
        var a = new EventArray(new SensorSize(8, 8));
        for (int i = 0; i < times.Length; i++)
        {
            a.Add(times[i], (ushort)(i % 8), (ushort)(i / 8 % 8), (byte)(i & 1));
        }

        return a;
    }

    [Fact]
    public void SliceByTimeIsHalfOpenAndKeepsTies()
    {
        EventArray a = Sample(0, 5, 5, 5, 9, 10, 10, 20);
        EventSpan s = a.AsSpan().SliceByTime(5, 10);
        Assert.Equal(4, s.Count);
        Assert.Equal([5L, 5, 5, 9], s.T.ToArray());
        Assert.Equal(a[1], s[0]);
        Assert.Equal(0, a.AsSpan().SliceByTime(11, 20).Count);
        Assert.Equal(8, a.AsSpan().SliceByTime(long.MinValue, long.MaxValue).Count);
        Assert.Equal(0, a.AsSpan().SliceByTime(7, 7).Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => a.AsSpan().SliceByTime(3, 2));
    }

    [Fact]
    public void IndexOfTimeMatchesALinearScan()
    {
        Gen.Int[0, 50].Array[0, 40].Select(Gen.Long[-5, 60]).Sample((steps, probe) =>
        {
            long t = 0;
            long[] times = new long[steps.Length];
            for (int i = 0; i < steps.Length; i++)
            {
                t += steps[i] % 3;
                times[i] = t;
            }

            EventSpan s = Sample(times).AsSpan();
            int expected = 0;
            while (expected < times.Length && times[expected] < probe)
            {
                expected++;
            }

            return s.IndexOfTime(probe) == expected;
        });
    }

    [Fact]
    public void ViewsTheStorageWithoutCopying()
    {
        EventArray a = Sample(1, 2, 3);
        EventSpan s = a.AsSpan();
        a.T[1] = 7;
        Assert.Equal(7, s.T[1]);
        using var batch = new EventBatch(4);
        batch.Add(3, 1, 2, 1);
        Assert.Equal(new DvsEvent(3, 1, 2, 1), batch.AsSpan()[0]);
        Assert.Equal([new DvsEvent(1, 0, 0, 0), new DvsEvent(7, 1, 0, 1), new DvsEvent(3, 2, 0, 0)], s.ToArray());
    }

    [Fact]
    public void RejectsColumnsOfDifferentLengths()
        => Assert.Throws<ArgumentException>(() => new EventSpan(new long[2], new ushort[2], new ushort[1], new byte[2]));
}
