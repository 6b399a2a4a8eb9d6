using CsCheck;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Transforms;

/// <summary>Generators and helpers for transform tests.</summary>
internal static class TestStreams
{
    /// <summary>Random time-sorted streams on small sensors (0..200 events, 1..24 px sides, binary polarity).</summary>
    public static readonly Gen<EventArray> Sorted =
        from w in Gen.Int[1, 24]
        from h in Gen.Int[1, 24]
        from n in Gen.Int[0, 200]
        from ts in Gen.Long[0, 5000].Array[n]
        from xs in Gen.Int[0, w - 1].Array[n]
        from ys in Gen.Int[0, h - 1].Array[n]
        from ps in Gen.Int[0, 1].Array[n]
        select Build(w, h, ts, xs, ys, ps);

    public static EventArray Build(int w, int h, long[] ts, int[] xs, int[] ys, int[] ps)
    {
        long[] sorted = (long[])ts.Clone();
        Array.Sort(sorted);
        var a = new EventArray(new SensorSize(w, h));
        for (int i = 0; i < sorted.Length; i++)
        {
            a.Add(sorted[i], (ushort)xs[i], (ushort)ys[i], (byte)ps[i]);
        }

        return a;
    }

    public static EventArray Of(int w, int h, params (long T, int X, int Y, int P)[] events)
    {
        var a = new EventArray(new SensorSize(w, h));
        foreach (var e in events)
        {
            a.Add(e.T, (ushort)e.X, (ushort)e.Y, (byte)e.P);
        }

        return a;
    }

    public static int Iterations => Environment.GetEnvironmentVariable("EVENTSNN_LONG_TESTS") == "1" ? 5000 : 150;
}
