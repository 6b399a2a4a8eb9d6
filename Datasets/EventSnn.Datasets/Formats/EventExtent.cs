using EventSnn.Events;

namespace EventSnn.Datasets.Formats;

/// <summary>
/// The largest coordinates of the events seen so far (a running maximum; no allocation), and the smallest sensor
/// that holds them.
/// </summary>
public struct EventExtent : IEquatable<EventExtent>
{
    /// <summary>The number of events seen.</summary>
    public long Events { readonly get; private set; }

    /// <summary>The largest x seen (−1 before the first event).</summary>
    public readonly int MaxX => Events == 0 ? -1 : _maxX;

    /// <summary>The largest y seen (−1 before the first event).</summary>
    public readonly int MaxY => Events == 0 ? -1 : _maxY;

    private int _maxX;
    private int _maxY;

    /// <summary>The smallest sensor holding every event seen: (MaxX + 1) × (MaxY + 1); null before the first event.</summary>
    public readonly SensorSize? Sensor => Events == 0 ? null : new SensorSize(_maxX + 1, _maxY + 1);

    /// <summary>Adds events by their coordinates.</summary>
    /// <param name="x">The x coordinates.</param>
    /// <param name="y">The y coordinates (as many as <paramref name="x"/>).</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public void Add(ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y)
    {
        if (x.Length != y.Length)
        {
            throw new ArgumentException($"{x.Length} x coordinates but {y.Length} y coordinates.", nameof(y));
        }

        if (x.IsEmpty)
        {
            return;
        }

        _maxX = Math.Max(_maxX, Max(x));
        _maxY = Math.Max(_maxY, Max(y));
        Events += x.Length;
    }

    private static int Max(ReadOnlySpan<ushort> values)
    {
        int max = 0;
        foreach (ushort v in values)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    /// <summary>Adds the events of a batch.</summary>
    /// <param name="batch">The batch.</param>
    public void Add(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        Add(batch.X, batch.Y);
    }

    /// <summary>Whether every event seen lies on <paramref name="sensor"/>.</summary>
    /// <param name="sensor">The sensor.</param>
    /// <returns><see langword="true"/> when it holds them all (always before the first event).</returns>
    public readonly bool FitsIn(SensorSize sensor) => Events == 0 || (_maxX < sensor.Width && _maxY < sensor.Height);

    /// <summary>Reads <paramref name="reader"/> to its end and returns the extent of its events.</summary>
    /// <param name="reader">The reader (left at the end of its stream).</param>
    /// <returns>The extent.</returns>
    /// <exception cref="EventFormatException">The data is malformed.</exception>
    public static EventExtent Scan(IEventReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var extent = default(EventExtent);
        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                return extent;
            }

            extent.Add(batch);
        }
    }

    /// <inheritdoc />
    public readonly bool Equals(EventExtent other) => Events == other.Events && MaxX == other.MaxX && MaxY == other.MaxY;

    /// <inheritdoc />
    public override readonly bool Equals(object? obj) => obj is EventExtent other && Equals(other);

    /// <inheritdoc />
    public override readonly int GetHashCode() => HashCode.Combine(Events, MaxX, MaxY);

    /// <summary>Whether two extents are equal.</summary>
    public static bool operator ==(EventExtent left, EventExtent right) => left.Equals(right);

    /// <summary>Whether two extents differ.</summary>
    public static bool operator !=(EventExtent left, EventExtent right) => !left.Equals(right);

    /// <inheritdoc />
    public override readonly string ToString() => Events == 0 ? "no events" : $"x 0..{_maxX}, y 0..{_maxY} ({Events} events)";
}
