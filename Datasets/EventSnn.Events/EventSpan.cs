namespace EventSnn.Events;

/// <summary>
/// A read-only view of events stored as a struct of arrays (t, x, y, p columns of equal length) that can be sliced
/// by index or by time without copying. <see cref="EventArray.AsSpan"/> and <see cref="EventBatch.AsSpan"/> return one;
/// engines and transforms consume it directly, so a recording, a transformed sample or an encoder's spike train feeds
/// a network without a copy.
/// </summary>
/// <remarks>
/// <para>Like any span it is valid only as long as the storage it views is not resized or reused.</para>
/// <para>Time slicing (<see cref="SliceByTime"/>, <see cref="IndexOfTime"/>) needs the events in non-decreasing time
/// order, which every reader yields and <see cref="EventArray.SortByTime()"/> restores; it uses binary search, so a
/// slice costs O(log n). On unsorted data the result is some index range, not an error.</para>
/// </remarks>
public readonly ref struct EventSpan
{
    /// <summary>Creates a view over four columns of equal length.</summary>
    /// <param name="t">Timestamps in microseconds.</param>
    /// <param name="x">Columns.</param>
    /// <param name="y">Rows.</param>
    /// <param name="p">Polarities.</param>
    /// <exception cref="ArgumentException">The columns differ in length.</exception>
    public EventSpan(ReadOnlySpan<long> t, ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, ReadOnlySpan<byte> p)
    {
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
        {
            throw new ArgumentException($"The event columns must have equal lengths (t {t.Length}, x {x.Length}, y {y.Length}, p {p.Length}).");
        }

        T = t;
        X = x;
        Y = y;
        P = p;
    }

    /// <summary>An empty view.</summary>
    public static EventSpan Empty => default;

    /// <summary>Timestamps in microseconds.</summary>
    public ReadOnlySpan<long> T { get; }

    /// <summary>Columns.</summary>
    public ReadOnlySpan<ushort> X { get; }

    /// <summary>Rows.</summary>
    public ReadOnlySpan<ushort> Y { get; }

    /// <summary>Polarities.</summary>
    public ReadOnlySpan<byte> P { get; }

    /// <summary>The number of events.</summary>
    public int Count => T.Length;

    /// <summary>Whether the view holds no event.</summary>
    public bool IsEmpty => T.IsEmpty;

    /// <summary>The event at <paramref name="index"/>.</summary>
    /// <param name="index">0 to <see cref="Count"/> − 1.</param>
    public DvsEvent this[int index] => new(T[index], X[index], Y[index], P[index]);

    /// <summary>The events <c>[start, start + length)</c>.</summary>
    /// <param name="start">First index.</param>
    /// <param name="length">Number of events.</param>
    public EventSpan Slice(int start, int length) => new(T.Slice(start, length), X.Slice(start, length), Y.Slice(start, length), P.Slice(start, length));

    /// <summary>The events from <paramref name="start"/> to the end.</summary>
    /// <param name="start">First index.</param>
    public EventSpan Slice(int start) => Slice(start, Count - start);

    /// <summary>
    /// The index of the first event with time ≥ <paramref name="timeUs"/> (<see cref="Count"/> when there is none);
    /// events must be in time order.
    /// </summary>
    /// <param name="timeUs">A time in microseconds.</param>
    public int IndexOfTime(long timeUs)
    {
        int lo = 0;
        int hi = T.Length;
        while (lo < hi)
        {
            int mid = lo + ((hi - lo) >> 1);
            if (T[mid] < timeUs)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    /// <summary>The events with <paramref name="fromUs"/> ≤ t &lt; <paramref name="toUs"/> (half-open); events must be in time order.</summary>
    /// <param name="fromUs">Start time in microseconds (inclusive).</param>
    /// <param name="toUs">End time in microseconds (exclusive).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="toUs"/> is before <paramref name="fromUs"/>.</exception>
    public EventSpan SliceByTime(long fromUs, long toUs)
    {
        if (toUs < fromUs)
        {
            throw new ArgumentOutOfRangeException(nameof(toUs), toUs, $"The end of a time slice must not be before its start ({fromUs} µs).");
        }

        int a = IndexOfTime(fromUs);
        int b = a + new EventSpan(T[a..], X[a..], Y[a..], P[a..]).IndexOfTime(toUs);
        return Slice(a, b - a);
    }

    /// <summary>Copies the events into a new array of <see cref="DvsEvent"/> (for tests and small lists).</summary>
    public DvsEvent[] ToArray()
    {
        var a = new DvsEvent[Count];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = this[i];
        }

        return a;
    }
}
