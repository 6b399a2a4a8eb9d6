using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// One dataset sample held in memory: its events (struct of arrays t, x, y, p, in stream order) and its label.
/// </summary>
public sealed class EventSample
{
    private readonly long[] _t;
    private readonly ushort[] _x;
    private readonly ushort[] _y;
    private readonly byte[] _p;

    /// <summary>Creates a sample over the given columns (not copied; they must have equal lengths).</summary>
    /// <exception cref="ArgumentException">The columns differ in length, or the label is outside the class list.</exception>
    public EventSample(int index, int label, string className, SensorSize sensor, string source, long[] t, ushort[] x, ushort[] y, byte[] p)
    {
        ArgumentNullException.ThrowIfNull(className);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(t);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentNullException.ThrowIfNull(p);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfNegative(label);
        if (x.Length != t.Length || y.Length != t.Length || p.Length != t.Length)
        {
            throw new ArgumentException("The t, x, y and p columns must have the same length.", nameof(t));
        }

        Index = index;
        Label = label;
        ClassName = className;
        Sensor = sensor;
        Source = source;
        _t = t;
        _x = x;
        _y = y;
        _p = p;
    }

    /// <summary>The sample's index in its dataset.</summary>
    public int Index { get; }

    /// <summary>The class label (index into the dataset's classes).</summary>
    public int Label { get; }

    /// <summary>The class name.</summary>
    public string ClassName { get; }

    /// <summary>The sensor size of this sample (the dataset's, or for per-sample datasets the bounding size of its events).</summary>
    public SensorSize Sensor { get; }

    /// <summary>Where the sample came from (file path, possibly with a slice).</summary>
    public string Source { get; }

    /// <summary>The number of events.</summary>
    public int Count => _t.Length;

    /// <summary>Timestamps in µs.</summary>
    public ReadOnlySpan<long> T => _t;

    /// <summary>Columns.</summary>
    public ReadOnlySpan<ushort> X => _x;

    /// <summary>Rows.</summary>
    public ReadOnlySpan<ushort> Y => _y;

    /// <summary>Polarities.</summary>
    public ReadOnlySpan<byte> P => _p;

    /// <summary>The event at <paramref name="index"/>.</summary>
    public DvsEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return new DvsEvent(_t[index], _x[index], _y[index], _p[index]);
        }
    }

    /// <summary>Copies the events into a new array (for small samples and tests).</summary>
    public DvsEvent[] ToArray()
    {
        var events = new DvsEvent[Count];
        for (int i = 0; i < events.Length; i++)
        {
            events[i] = new DvsEvent(_t[i], _x[i], _y[i], _p[i]);
        }

        return events;
    }

    /// <summary>
    /// Copies the events into a new <see cref="EventArray"/> for the sample's sensor, ready for the transforms in
    /// <c>EventSnn.Datasets.Transforms</c>.
    /// </summary>
    public EventArray ToEventArray()
    {
        var array = new EventArray(Sensor, Count);
        CopyTo(array);
        return array;
    }

    /// <summary>
    /// Replaces the content of <paramref name="destination"/> with this sample's events and sensor (reuse one array across
    /// samples to stop allocating once it has grown to the largest sample).
    /// </summary>
    public void CopyTo(EventArray destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Clear();
        destination.Sensor = Sensor;
        destination.AppendColumns(_t, _x, _y, _p);
    }

    /// <summary>Formats as <c>label (class): N events from source</c>.</summary>
    public override string ToString() => $"{Label} ({ClassName}): {Count} events from {Source}";
}
