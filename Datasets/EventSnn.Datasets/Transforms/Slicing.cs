namespace EventSnn.Datasets.Transforms;

/// <summary>
/// One slice of an event stream: events <see cref="Start"/> (inclusive) to <see cref="End"/> (exclusive), and, for
/// time-based slicing, the window [<see cref="WindowStart"/>, <see cref="WindowEnd"/>) in µs.
/// </summary>
/// <param name="Start">Index of the first event.</param>
/// <param name="End">Index one past the last event.</param>
/// <param name="WindowStart">Window start time (µs) for time slicing; the first event's time otherwise.</param>
/// <param name="WindowEnd">Window end time (µs, exclusive) for time slicing; one past the last event's time otherwise.</param>
public readonly record struct EventSliceRange(int Start, int End, long WindowStart, long WindowEnd)
{
    /// <summary>The number of events in the slice.</summary>
    public int Count => End - Start;
}

/// <summary>How an <see cref="EventSlicer"/> cuts a stream.</summary>
public enum SliceMethod
{
    /// <summary>Fixed time windows with an overlap in µs (Tonic <c>SliceByTime</c>).</summary>
    TimeWindow = 0,

    /// <summary>Fixed numbers of events with an overlap in events (Tonic <c>SliceByEventCount</c>).</summary>
    EventCount,

    /// <summary>A fixed number of equal time bins (Tonic <c>SliceByTimeBins</c>).</summary>
    TimeBins,

    /// <summary>A fixed number of equal event-count bins (Tonic <c>SliceByEventBins</c>).</summary>
    EventBins,
}

/// <summary>
/// Cuts a time-sorted stream into slices with Tonic's slicer semantics (see <c>docs/Transforms.md</c>):
/// <list type="bullet">
/// <item><b>TimeWindow</b> (window w, overlap o, stride s = w − o &gt; 0): with span = t_last − t_first,
/// n = ⌊(span − w)/s⌋ + 1, or ⌈(span − w)/s⌉ + 1 with include-incomplete, and at least 1 (a stream shorter than the
/// window still yields one slice). Window i is [t_first + i·s, t_first + i·s + w).</item>
/// <item><b>EventCount</b> (count c, overlap o, stride c − o &gt; 0): c' = min(c, N); n = ⌊(N − c')/s⌋ + 1 (⌈⌉ with
/// include-incomplete); slice i is events [i·s, i·s + c') clipped to N.</item>
/// <item><b>TimeBins</b> (n bins, overlap fraction f &lt; 1): w = ⌊span/n⌋·(1 + f), s = w·(1 − f); bin i is
/// [t_first + i·s, t_first + i·s + w) — because w is floored, events at the very end can fall outside the last
/// bin, exactly as in Tonic.</item>
/// <item><b>EventBins</b> (n bins, overlap fraction f &lt; 1): c = ⌊⌊N/n⌋·(1 + f)⌋, s = ⌊c·(1 − f)⌋; bin i is events
/// [i·s, i·s + c) — the N mod n trailing events are in no bin when f = 0, as in Tonic.</item>
/// </list>
/// An empty stream yields no slices for TimeWindow/EventCount and n empty slices for the bin methods.
/// </summary>
public sealed class EventSlicer
{
    /// <summary>At most this many slices are produced from one stream (protects against tiny windows over long streams).</summary>
    public const int MaxSlices = 1 << 24;

    private EventSlicer(SliceMethod method, long size, long overlap, double overlapFraction, bool includeIncomplete)
    {
        Method = method;
        Size = size;
        Overlap = overlap;
        OverlapFraction = overlapFraction;
        IncludeIncomplete = includeIncomplete;
    }

    /// <summary>The slicing method.</summary>
    public SliceMethod Method { get; }

    /// <summary>Window length in µs, events per slice, or number of bins, depending on <see cref="Method"/>.</summary>
    public long Size { get; }

    /// <summary>Overlap in µs or events (TimeWindow, EventCount).</summary>
    public long Overlap { get; }

    /// <summary>Overlap as a fraction of a bin (TimeBins, EventBins).</summary>
    public double OverlapFraction { get; }

    /// <summary>Whether a last, shorter slice is included (TimeWindow, EventCount).</summary>
    public bool IncludeIncomplete { get; }

    /// <summary>Slices by time windows of <paramref name="window"/> µs overlapping by <paramref name="overlap"/> µs.</summary>
    public static EventSlicer ByTime(long window, long overlap = 0, bool includeIncomplete = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlap, window);
        return new EventSlicer(SliceMethod.TimeWindow, window, overlap, 0, includeIncomplete);
    }

    /// <summary>Slices by <paramref name="count"/> events overlapping by <paramref name="overlap"/> events.</summary>
    public static EventSlicer ByEventCount(int count, int overlap = 0, bool includeIncomplete = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(overlap);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(overlap, count);
        return new EventSlicer(SliceMethod.EventCount, count, overlap, 0, includeIncomplete);
    }

    /// <summary>Slices into <paramref name="bins"/> equal time bins enlarged by <paramref name="overlap"/> (a fraction in [0, 1)).</summary>
    public static EventSlicer ByTimeBins(int bins, double overlap = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bins, MaxSlices);
        CheckFraction(overlap);
        return new EventSlicer(SliceMethod.TimeBins, bins, 0, overlap, false);
    }

    /// <summary>Slices into <paramref name="bins"/> equal event-count bins enlarged by <paramref name="overlap"/> (a fraction in [0, 1)).</summary>
    public static EventSlicer ByEventBins(int bins, double overlap = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(bins, MaxSlices);
        CheckFraction(overlap);
        return new EventSlicer(SliceMethod.EventBins, bins, 0, overlap, false);
    }

    /// <summary>
    /// Computes the slices of the time-sorted <paramref name="times"/> into <paramref name="output"/> (cleared first).
    /// </summary>
    /// <returns>The number of slices.</returns>
    /// <exception cref="ArgumentException">The times are not sorted, or the stream would give more than <see cref="MaxSlices"/> slices.</exception>
    public int Slice(ReadOnlySpan<long> times, List<EventSliceRange> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Clear();
        for (int i = 1; i < times.Length; i++)
        {
            if (times[i] < times[i - 1])
            {
                throw new ArgumentException($"Slicing needs events sorted by time; event {i} (t={times[i]}) precedes event {i - 1} (t={times[i - 1]}).", nameof(times));
            }
        }

        int n = times.Length;
        switch (Method)
        {
            case SliceMethod.TimeWindow:
                {
                    if (n == 0)
                    {
                        return 0;
                    }

                    long t0 = times[0];
                    long span = times[^1] - t0;
                    long stride = Size - Overlap;
                    long num = span - Size;
                    long slices = (IncludeIncomplete ? CeilDiv(num, stride) : FloorDiv(num, stride)) + 1;
                    slices = Math.Max(slices, 1);
                    CheckCount(slices);
                    for (long i = 0; i < slices; i++)
                    {
                        long ws = t0 + (i * stride);
                        long we = ws + Size;
                        output.Add(new EventSliceRange(LowerBound(times, ws), LowerBound(times, we), ws, we));
                    }

                    break;
                }

            case SliceMethod.EventCount:
                {
                    if (n == 0)
                    {
                        return 0;
                    }

                    long c = Math.Min(Size, n);
                    long stride = Size - Overlap;
                    long slices = (IncludeIncomplete ? CeilDiv(n - c, stride) : FloorDiv(n - c, stride)) + 1;
                    CheckCount(slices);
                    for (long i = 0; i < slices; i++)
                    {
                        int s = (int)Math.Min(i * stride, n);
                        int e = (int)Math.Min((i * stride) + c, n);
                        output.Add(RangeOf(times, s, e));
                    }

                    break;
                }

            case SliceMethod.TimeBins:
                {
                    int bins = (int)Size;
                    long t0 = n == 0 ? 0 : times[0];
                    long span = n == 0 ? 0 : times[^1] - t0;
                    double w = (span / bins) * (1 + OverlapFraction);
                    double stride = w * (1 - OverlapFraction);
                    for (int i = 0; i < bins; i++)
                    {
                        double ws = (i * stride) + t0;
                        double we = ws + w;
                        long lo = (long)Math.Ceiling(ws);
                        long hi = (long)Math.Ceiling(we);
                        output.Add(new EventSliceRange(LowerBound(times, lo), LowerBound(times, hi), lo, hi));
                    }

                    break;
                }

            default:
                {
                    int bins = (int)Size;
                    int c = (int)((n / bins) * (1 + OverlapFraction));
                    int stride = (int)(c * (1 - OverlapFraction));
                    for (int i = 0; i < bins; i++)
                    {
                        int s = (int)Math.Min((long)i * stride, n);
                        int e = (int)Math.Min(((long)i * stride) + c, n);
                        output.Add(RangeOf(times, s, e));
                    }

                    break;
                }
        }

        return output.Count;
    }

    /// <summary>The index of the first time ≥ <paramref name="value"/> (NumPy <c>searchsorted</c>, side left).</summary>
    public static int LowerBound(ReadOnlySpan<long> times, long value)
    {
        int lo = 0, hi = times.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (times[mid] < value)
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

    private static EventSliceRange RangeOf(ReadOnlySpan<long> times, int s, int e) =>
        e > s ? new EventSliceRange(s, e, times[s], times[e - 1] + 1) : new EventSliceRange(s, e, 0, 0);

    private static long FloorDiv(long a, long b) => (a / b) - ((a % b != 0 && (a < 0) != (b < 0)) ? 1 : 0);

    private static long CeilDiv(long a, long b) => -FloorDiv(-a, b);

    private static void CheckCount(long slices)
    {
        if (slices > MaxSlices)
        {
            throw new ArgumentException($"The stream would be cut into {slices} slices, more than {MaxSlices}; use a longer window or fewer events per slice.");
        }
    }

    private static void CheckFraction(double overlap)
    {
        if (!(overlap >= 0 && overlap < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "The overlap fraction must be in [0, 1).");
        }
    }
}
