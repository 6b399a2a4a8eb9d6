using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// Background-activity filter (Tonic <c>Denoise</c>): keeps an event only if one of its four direct neighbours
/// (left, right, up, down; not the pixel itself) had an event less than <see cref="FilterTime"/> µs earlier.
/// </summary>
/// <remarks>
/// Exactly Tonic's algorithm: a per-pixel memory starts at <c>filter_time</c>; for each event in order,
/// <c>memory[x,y] = t + filter_time</c> is written first, then the event is kept when any in-sensor 4-neighbour
/// has <c>memory &gt; t</c>. Because the memory starts at <c>filter_time</c> (absolute), events with
/// <c>t &lt; filter_time</c> pass whenever they have a neighbour inside the sensor. The only difference: the
/// neighbourhood is bounded by <see cref="EventArray.Sensor"/> rather than by the largest x and y in the data.
/// Events must be sorted by time. Allocation-free after the first call for a given sensor size.
/// </remarks>
public sealed class Denoise : IEventTransform
{
    private long[] _memory = [];

    private readonly StreamState _state = new();

    /// <summary>Creates the filter.</summary>
    /// <param name="filterTime">The time window in µs (Tonic default 10 000); must be positive.</param>
    /// <param name="streaming">
    /// Keep the per-pixel memory across calls, so consecutive chunks of one stream are filtered exactly as the whole
    /// stream would be (call <see cref="Reset"/> between streams). When false (Tonic's per-sample behaviour) each call
    /// starts afresh.
    /// </param>
    public Denoise(long filterTime = 10_000, bool streaming = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filterTime, 1);
        FilterTime = filterTime;
        Streaming = streaming;
    }

    /// <summary>The time window in µs.</summary>
    public long FilterTime { get; }

    /// <summary>Whether the memory persists across calls.</summary>
    public bool Streaming { get; }

    /// <summary>Forgets the memory (streaming mode: the next call starts a new stream).</summary>
    public void Reset() => _state.Reset();

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(Denoise));
        Span<long> mem = _state.PixelState(Streaming, events.Sensor, nameof(Denoise), ref _memory, FilterTime);
        var keep = new HasRecentNeighbour(mem, events.Sensor.Width, events.Sensor.Height, FilterTime);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly ref struct HasRecentNeighbour(Span<long> memory, int width, int height, long filterTime) : IEventPredicate
    {
        private readonly Span<long> _mem = memory;
        private readonly int _w = width;
        private readonly int _h = height;
        private readonly long _ft = filterTime;

        public bool Keep(int index, long t, ushort x, ushort y)
        {
            Span<long> mem = _mem;
            int w = _w;
            int idx = (y * w) + x;
            mem[idx] = t + _ft;
            return (x > 0 && mem[idx - 1] > t)
                || (x < w - 1 && mem[idx + 1] > t)
                || (y > 0 && mem[idx - w] > t)
                || (y < _h - 1 && mem[idx + w] > t);
        }
    }
}

/// <summary>
/// Per-pixel refractory filter (Tonic <c>RefractoryPeriod</c>): drops an event when the same pixel had an event
/// (kept or dropped) at most <see cref="Period"/> µs earlier; keeps it when <c>t − t_prev &gt; period</c>.
/// </summary>
/// <remarks>
/// As in Tonic the pixel's memory is updated by every event, dropped ones included, so a pixel firing faster
/// than the period keeps only its first event. A pixel's first event is always kept (Tonic initialises its
/// memory to −period, which drops a first event at exactly t = 0; we do not reproduce that edge).
/// Polarity is ignored. Events must be sorted by time.
/// </remarks>
public sealed class RefractoryFilter : IEventTransform
{
    private long[] _last = [];

    private readonly StreamState _state = new();

    /// <summary>Creates the filter.</summary>
    /// <param name="period">The refractory period in µs (≥ 0; Tonic default 10 000).</param>
    /// <param name="streaming">Keep the per-pixel memory across calls (chunks of one stream); see <see cref="Denoise"/>.</param>
    public RefractoryFilter(long period = 10_000, bool streaming = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(period);
        Period = period;
        Streaming = streaming;
    }

    /// <summary>The refractory period in µs.</summary>
    public long Period { get; }

    /// <summary>Whether the memory persists across calls.</summary>
    public bool Streaming { get; }

    /// <summary>Forgets the memory (streaming mode: the next call starts a new stream).</summary>
    public void Reset() => _state.Reset();

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(RefractoryFilter));
        Span<long> last = _state.PixelState(Streaming, events.Sensor, nameof(RefractoryFilter), ref _last, long.MinValue);
        var keep = new OutsidePeriod(last, events.Sensor.Width, Period);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly ref struct OutsidePeriod(Span<long> last, int width, long period) : IEventPredicate
    {
        private readonly Span<long> _last = last;
        private readonly int _width = width;
        private readonly long _period = period;

        public bool Keep(int index, long t, ushort x, ushort y)
        {
            ref long last = ref _last[(y * _width) + x];
            long prev = last;
            last = t;
            return prev == long.MinValue || t - prev > _period;
        }
    }
}

/// <summary>
/// Drops a random subset of events (Tonic <c>DropEvent</c>): exactly <c>round(probability × n)</c> events,
/// chosen uniformly without replacement; the rest keep their order.
/// </summary>
public sealed class DropEvents : IEventTransform
{
    private readonly DeterministicRandom _rng;
    private bool[] _drop = [];

    /// <summary>Creates the transform.</summary>
    /// <param name="probability">The fraction of events to drop, in [0, 1].</param>
    /// <param name="seed">The random seed.</param>
    public DropEvents(double probability, ulong seed = 0)
    {
        if (!(probability >= 0 && probability <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(probability), probability, "The drop probability must be in [0, 1].");
        }

        Probability = probability;
        _rng = new DeterministicRandom(seed);
    }

    /// <summary>The fraction of events dropped.</summary>
    public double Probability { get; }

    /// <summary>The number of events dropped from <paramref name="count"/>: <c>floor(p × count + 0.5)</c>.</summary>
    public int DroppedCount(int count) => (int)Math.Floor((Probability * count) + 0.5);

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        int n = events.Count;
        int k = DroppedCount(n);
        if (k == 0)
        {
            return;
        }

        TransformGuards.EnsureLength(ref _drop, n);
        Span<bool> drop = _drop.AsSpan(0, n);
        drop.Clear();

        // Floyd's algorithm: k distinct indices out of n, uniformly.
        for (int j = n - k; j < n; j++)
        {
            int r = (int)_rng.NextInt64(j + 1);
            if (drop[r])
            {
                drop[j] = true;
            }
            else
            {
                drop[r] = true;
            }
        }

        EventCompaction.KeepByMask(events, drop, invert: true);
    }
}

/// <summary>
/// Drops every event at given pixels (Tonic <c>DropPixel</c> with coordinates), or at the pixels found hot by
/// <see cref="HotPixels.Identify"/> when built with <see cref="HotPixelFrequency"/>.
/// </summary>
public sealed class DropPixels : IEventTransform
{
    private readonly (int X, int Y)[] _pixels;
    private bool[] _mask = [];
    private int[] _counts = [];

    /// <summary>Drops the events at <paramref name="pixels"/> (pixels outside the sensor are ignored).</summary>
    public DropPixels(IEnumerable<(int X, int Y)> pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        _pixels = [.. pixels];
    }

    private DropPixels(double hotPixelFrequency)
    {
        _pixels = [];
        HotPixelFrequency = hotPixelFrequency;
    }

    /// <summary>
    /// A filter that, on each call, drops the events of pixels firing more than <paramref name="frequencyHz"/>
    /// events per second on average over the stream (see <see cref="HotPixels.Identify"/>).
    /// </summary>
    public static DropPixels HotPixelsAbove(double frequencyHz)
    {
        if (!(frequencyHz >= 0) || double.IsInfinity(frequencyHz))
        {
            throw new ArgumentOutOfRangeException(nameof(frequencyHz), frequencyHz, "The hot-pixel frequency must be finite and ≥ 0.");
        }

        return new DropPixels(frequencyHz);
    }

    /// <summary>The hot-pixel frequency in Hz, or null when the pixels are given explicitly.</summary>
    public double? HotPixelFrequency { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(DropPixels));
        SensorSize s = events.Sensor;
        TransformGuards.EnsureLength(ref _mask, s.Pixels);
        Span<bool> mask = _mask.AsSpan(0, s.Pixels);
        mask.Clear();
        if (HotPixelFrequency is double f)
        {
            TransformGuards.EnsureLength(ref _counts, s.Pixels);
            HotPixels.MarkHot(events, f, _counts.AsSpan(0, s.Pixels), mask);
        }
        else
        {
            foreach ((int x, int y) in _pixels)
            {
                if (s.Contains(x, y))
                {
                    mask[(y * s.Width) + x] = true;
                }
            }
        }

        EventCompaction.DropMaskedPixels(events, mask, s.Width);
    }
}

/// <summary>Hot-pixel detection (Tonic <c>identify_hot_pixel</c>).</summary>
public static class HotPixels
{
    /// <summary>
    /// The pixels whose event count exceeds <c>frequencyHz × (t_last − t_first) × 1e-6</c>, i.e. that fire faster
    /// than <paramref name="frequencyHz"/> on average over the stream, in row-major order.
    /// </summary>
    public static IReadOnlyList<(int X, int Y)> Identify(EventArray events, double frequencyHz)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(HotPixels));
        SensorSize s = events.Sensor;
        int[] counts = new int[s.Pixels];
        bool[] mask = new bool[s.Pixels];
        MarkHot(events, frequencyHz, counts, mask);
        var r = new List<(int, int)>();
        for (int i = 0; i < mask.Length; i++)
        {
            if (mask[i])
            {
                r.Add((i % s.Width, i / s.Width));
            }
        }

        return r;
    }

    internal static void MarkHot(EventArray events, double frequencyHz, Span<int> counts, Span<bool> mask)
    {
        counts.Clear();
        int w = events.Sensor.Width;
        ReadOnlySpan<ushort> xs = events.X;
        ReadOnlySpan<ushort> ys = events.Y;
        for (int i = 0; i < xs.Length; i++)
        {
            counts[(ys[i] * w) + xs[i]]++;
        }

        if (events.Count == 0)
        {
            return;
        }

        ReadOnlySpan<long> t = events.T;
        double maxOccur = frequencyHz * (t[^1] - t[0]) * 1e-6;
        for (int i = 0; i < counts.Length; i++)
        {
            mask[i] = counts[i] > maxOccur;
        }
    }
}

/// <summary>Tracks whether a filter's per-pixel state is valid (streaming mode) and for which sensor.</summary>
internal sealed class StreamState
{
    private bool _valid;
    private SensorSize _sensor;

    public void Reset() => _valid = false;

    /// <summary>Returns true when the caller must (re)initialise its state for <paramref name="sensor"/>.</summary>
    public bool Begin(bool streaming, SensorSize sensor, string transform)
    {
        if (streaming && _valid)
        {
            if (sensor != _sensor)
            {
                throw new ArgumentException($"{transform}: in streaming mode the sensor changed from {_sensor} to {sensor}; call Reset between streams.", nameof(sensor));
            }

            return false;
        }

        _valid = true;
        _sensor = sensor;
        return true;
    }

    /// <summary>
    /// The per-pixel state of <paramref name="sensor"/> in <paramref name="buffer"/> (grown as needed), set to
    /// <paramref name="initial"/> when <see cref="Begin"/> says it must be (re)initialised, kept otherwise.
    /// </summary>
    public Span<T> PixelState<T>(bool streaming, SensorSize sensor, string transform, ref T[] buffer, T initial)
    {
        int pixels = sensor.Pixels;
        if (Begin(streaming, sensor, transform))
        {
            TransformGuards.EnsureLength(ref buffer, pixels);
            buffer.AsSpan(0, pixels).Fill(initial);
        }

        return buffer.AsSpan(0, pixels);
    }
}
