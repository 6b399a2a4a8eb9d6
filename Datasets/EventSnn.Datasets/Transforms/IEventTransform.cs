using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// A transform of an event stream held in memory. It edits the <see cref="EventArray"/> in place: filters
/// compact the columns (no allocation), geometric transforms rewrite them, resizing transforms update
/// <see cref="EventArray.Sensor"/>. Random transforms own a seeded <see cref="DeterministicRandom"/>: the same
/// seed and the same sequence of calls give the same results.
/// </summary>
/// <remarks>Transforms keep reusable scratch buffers and are therefore not thread-safe; use one instance per thread.</remarks>
public interface IEventTransform
{
    /// <summary>Applies the transform to <paramref name="events"/> in place.</summary>
    void Apply(EventArray events);
}

/// <summary>Applies a sequence of transforms in order (Tonic's <c>Compose</c>).</summary>
public sealed class EventPipeline : IEventTransform
{
    private readonly IEventTransform[] _steps;

    /// <summary>Creates a pipeline of <paramref name="steps"/>, applied first to last.</summary>
    /// <exception cref="ArgumentException">A step is null.</exception>
    public EventPipeline(params IEventTransform[] steps)
    {
        ArgumentNullException.ThrowIfNull(steps);
        for (int i = 0; i < steps.Length; i++)
        {
            if (steps[i] is null)
            {
                throw new ArgumentException($"Pipeline step {i} is null.", nameof(steps));
            }
        }

        _steps = (IEventTransform[])steps.Clone();
    }

    /// <summary>The steps, in order.</summary>
    public IReadOnlyList<IEventTransform> Steps => _steps;

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        foreach (IEventTransform step in _steps)
        {
            step.Apply(events);
        }
    }
}

/// <summary>Helpers shared by the transforms.</summary>
internal static class TransformGuards
{
    public static void CheckInSensor(EventArray events, string transform)
    {
        SensorSize s = events.Sensor;
        ReadOnlySpan<ushort> x = events.X;
        ReadOnlySpan<ushort> y = events.Y;
        for (int i = 0; i < x.Length; i++)
        {
            if (x[i] >= s.Width || y[i] >= s.Height)
            {
                throw new ArgumentException(
                    $"{transform}: event {i} at ({x[i]},{y[i]}) lies outside the {s} sensor.", nameof(events));
            }
        }
    }

    public static void CheckSorted(EventArray events, string transform)
    {
        ReadOnlySpan<long> t = events.T;
        for (int i = 1; i < t.Length; i++)
        {
            if (t[i] < t[i - 1])
            {
                throw new ArgumentException(
                    $"{transform}: events must be sorted by time, but event {i} (t={t[i]}) precedes event {i - 1} (t={t[i - 1]}); call EventArray.SortByTime first.",
                    nameof(events));
            }
        }
    }

    public static void EnsureLength<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new T[length];
        }
    }
}
