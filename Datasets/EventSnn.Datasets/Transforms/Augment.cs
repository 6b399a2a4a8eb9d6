using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// Reverses time (Tonic <c>RandomTimeReversal</c>): with probability <see cref="Probability"/> per sample,
/// <c>t' = t_max − t</c> and <c>p' = 1 − p</c> (ON and OFF swap, as a scene played backwards). Unlike Tonic, the event
/// order is reversed too, so the result stays time-sorted (equal times come out in reverse order; applying the
/// reversal twice restores the order and gives <c>t − t_min</c>).
/// </summary>
public sealed class TimeReversal : IEventTransform
{
    private readonly SampleGate _gate;

    /// <summary>Creates the transform.</summary>
    /// <param name="probability">Chance that a sample is reversed (Tonic default 0.5; here 1 by default).</param>
    /// <param name="seed">Random seed.</param>
    public TimeReversal(double probability = 1.0, ulong seed = 0)
        => _gate = new SampleGate(probability, seed, nameof(probability));

    /// <summary>Chance that a sample is reversed.</summary>
    public double Probability => _gate.Probability;

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (!_gate.Draw() || events.Count == 0)
        {
            return;
        }

        Checks.BinaryPolarity(events.P, nameof(TimeReversal));
        Span<long> ts = events.T;
        long max = EventOps.TimeRange(ts).Max;
        for (int i = 0; i < ts.Length; i++)
        {
            ts[i] = max - ts[i];
        }

        EventOps.InvertPolarity(events.P);
        ts.Reverse();
        events.X.Reverse();
        events.Y.Reverse();
        events.P.Reverse();
    }
}

/// <summary>
/// Keeps one event in <see cref="N"/> per pixel (Tonic <c>Decimation</c>): a per-pixel counter is incremented by each
/// event and the event is kept when the counter reaches n, which resets it — so the n-th, 2n-th, … events of every
/// pixel are kept.
/// </summary>
public sealed class Decimate : IEventTransform
{
    private int[] _counts = [];

    private readonly StreamState _state = new();

    /// <summary>Creates the transform.</summary>
    /// <param name="n">Keep every n-th event per pixel (≥ 1).</param>
    /// <param name="streaming">Keep the per-pixel counters across calls (chunks of one stream); see <see cref="Denoise"/>.</param>
    public Decimate(int n, bool streaming = false)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(n, 1);
        N = n;
        Streaming = streaming;
    }

    /// <summary>The decimation factor.</summary>
    public int N { get; }

    /// <summary>Whether the counters persist across calls.</summary>
    public bool Streaming { get; }

    /// <summary>Forgets the counters (streaming mode: the next call starts a new stream).</summary>
    public void Reset() => _state.Reset();

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(Decimate));
        Span<int> counts = _state.PixelState(Streaming, events.Sensor, nameof(Decimate), ref _counts, 0);
        var keep = new EveryNth(counts, events.Sensor.Width, N);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly ref struct EveryNth(Span<int> counts, int width, int n) : IEventPredicate
    {
        private readonly Span<int> _counts = counts;
        private readonly int _width = width;
        private readonly int _n = n;

        public bool Keep(int index, long t, ushort x, ushort y)
        {
            ref int count = ref _counts[(y * _width) + x];
            if (++count >= _n)
            {
                count = 0;
                return true;
            }

            return false;
        }
    }
}

/// <summary>
/// Keeps only events with <c>Min ≤ t &lt; Max</c> (a time crop; times are not shifted).
/// </summary>
public sealed class CropTime : IEventTransform
{
    /// <summary>Creates the crop of [<paramref name="min"/>, <paramref name="max"/>) µs.</summary>
    public CropTime(long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, min);
        Min = min;
        Max = max;
    }

    /// <summary>First time kept (µs).</summary>
    public long Min { get; }

    /// <summary>First time no longer kept (µs).</summary>
    public long Max { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var keep = new InTimeRange(Min, Max);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly struct InTimeRange(long min, long max) : IEventPredicate
    {
        private readonly long _min = min;
        private readonly long _max = max;

        public bool Keep(int index, long t, ushort x, ushort y) => t >= _min && t < _max;
    }
}

/// <summary>
/// Drops the events of a random time interval (Tonic <c>DropEventByTime</c>): the interval is
/// <c>[s, s + ratio·(t_last − t_first)]</c> (closed, as in Tonic) with s uniform in
/// [t_first, t_last − ratio·(t_last − t_first)); ratio is fixed or uniform in [min, max). Tonic measures the interval
/// from t = 0 rather than from the first event, which misbehaves on absolute (Unix-time) timestamps; we use the
/// stream's own span.
/// </summary>
public sealed class DropEventsByTime : IEventTransform
{
    private readonly RatioSampler _ratio;

    /// <summary>Creates the transform with a ratio drawn uniformly in [<paramref name="minRatio"/>, <paramref name="maxRatio"/>) per sample (equal bounds: fixed).</summary>
    public DropEventsByTime(double minRatio = 0.2, double maxRatio = 0.2, ulong seed = 0)
        => _ratio = new RatioSampler(minRatio, maxRatio, seed, "duration", nameof(minRatio));

    /// <summary>Smallest duration ratio.</summary>
    public double MinRatio => _ratio.Min;

    /// <summary>Largest duration ratio.</summary>
    public double MaxRatio => _ratio.Max;

    /// <summary>The interval dropped by the last call (µs, inclusive), or null if nothing was drawn.</summary>
    public (double Start, double End)? LastInterval { get; private set; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        LastInterval = null;
        if (events.Count == 0)
        {
            return;
        }

        (long tMin, long tMax) = EventOps.TimeRange(events.T);
        double ratio = _ratio.Next();
        double duration = (tMax - tMin) * ratio;
        double start = tMin + (((tMax - tMin) - duration) * _ratio.Random.NextDouble());
        double end = start + duration;
        LastInterval = (start, end);
        var keep = new OutsideInterval(start, end);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly struct OutsideInterval(double start, double end) : IEventPredicate
    {
        private readonly double _start = start;
        private readonly double _end = end;

        public bool Keep(int index, long t, ushort x, ushort y) => t < _start || t > _end;
    }
}

/// <summary>
/// Drops the events inside a random box (Tonic <c>DropEventByArea</c>): the box is ⌊W·ratio⌋ × ⌊H·ratio⌋ pixels at a
/// corner (x1, y1) uniform in [0, W − ⌊W·ratio⌋) × [0, H − ⌊H·ratio⌋); ratio fixed or uniform in [min, max).
/// </summary>
public sealed class DropEventsByArea : IEventTransform
{
    private readonly RatioSampler _ratio;

    /// <summary>Creates the transform with a ratio drawn uniformly in [<paramref name="minRatio"/>, <paramref name="maxRatio"/>) per sample (equal bounds: fixed).</summary>
    public DropEventsByArea(double minRatio = 0.2, double maxRatio = 0.2, ulong seed = 0)
        => _ratio = new RatioSampler(minRatio, maxRatio, seed, "area", nameof(minRatio));

    /// <summary>Smallest area ratio.</summary>
    public double MinRatio => _ratio.Min;

    /// <summary>Largest area ratio.</summary>
    public double MaxRatio => _ratio.Max;

    /// <summary>The box dropped by the last call (left, top, width, height), or null before any call.</summary>
    public (int Left, int Top, int Width, int Height)? LastBox { get; private set; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        SensorSize s = events.Sensor;
        double ratio = _ratio.Next();
        int cw = (int)(s.Width * ratio), ch = (int)(s.Height * ratio);
        int x1 = (int)_ratio.Random.NextInt64(s.Width - cw);
        int y1 = (int)_ratio.Random.NextInt64(s.Height - ch);
        LastBox = (x1, y1, cw, ch);
        var keep = new OutsideBox(x1, y1, cw, ch);
        EventCompaction.Compact(events, ref keep);
    }

    private readonly struct OutsideBox(int left, int top, int width, int height) : IEventPredicate
    {
        private readonly int _left = left;
        private readonly int _top = top;
        private readonly int _width = width;
        private readonly int _height = height;

        public bool Keep(int index, long t, ushort x, ushort y)
            => !(x >= _left && x < _left + _width && y >= _top && y < _top + _height);
    }
}
