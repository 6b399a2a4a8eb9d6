using EventSnn.Datasets.Neuromorphic;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats;

/// <summary>The sensor size chosen for a stream, where it comes from, and a note that says so when it is not the file's.</summary>
/// <param name="Sensor">The size; null only when nothing states one and there are no events.</param>
/// <param name="Origin">Where it comes from.</param>
/// <param name="Note">A sentence for the user when the size is not simply the file's or the caller's; else null.</param>
public sealed record SensorChoice(SensorSize? Sensor, SensorOrigin Origin, string? Note);

/// <summary>
/// Chooses the sensor size of an event file so that it never excludes an event: the format's header where it states
/// one, else the dataset the file belongs to, else the data's extent (with a note).
/// </summary>
/// <remarks>
/// <list type="number">
/// <item>A size given by the caller (<see cref="SensorOrigin.Caller"/>) is kept; it must hold every event.</item>
/// <item>A size the file states (<see cref="SensorOrigin.File"/>) is kept when it holds every event; else it is
/// enlarged to hold them (<see cref="SensorOrigin.Extent"/>, with a note).</item>
/// <item>Otherwise the sensor of the dataset whose folder layout the path matches
/// (<see cref="DatasetCatalog.FindByFilePath"/>), when it holds every event (<see cref="SensorOrigin.Dataset"/>);
/// else a size the format assumes (N-MNIST's 34×34 for ATIS 40-bit records) when it holds every event; else the
/// data's extent, (largest x + 1) × (largest y + 1) (<see cref="SensorOrigin.Extent"/>, with a note).</item>
/// </list>
/// </remarks>
public static class SensorRules
{
    /// <summary>Chooses the sensor for a stream whose events span <paramref name="extent"/>.</summary>
    /// <param name="info">What the reader says about the stream.</param>
    /// <param name="extent">The extent of all its events (<see cref="EventExtent.Scan"/>).</param>
    /// <param name="path">The file's path, to recognise a dataset's folder layout; null when there is none.</param>
    /// <returns>The choice.</returns>
    /// <exception cref="ArgumentException">The caller's size does not hold every event (the message says which size would).</exception>
    public static SensorChoice Choose(EventStreamInfo info, EventExtent extent, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(info);
        SensorSize? stated = info.Sensor;
        switch (info.SensorOrigin)
        {
            case SensorOrigin.Caller when stated is SensorSize given:
                if (!extent.FitsIn(given))
                {
                    throw new ArgumentException($"The given sensor size {given} does not hold the data: {Reach(extent)}; at least {Union(given, extent)} is needed.", nameof(info));
                }

                return new SensorChoice(given, SensorOrigin.Caller, null);

            case SensorOrigin.File when stated is SensorSize header:
                if (extent.FitsIn(header))
                {
                    return new SensorChoice(header, SensorOrigin.File, null);
                }

                SensorSize enlarged = Union(header, extent);
                return new SensorChoice(enlarged, SensorOrigin.Extent, $"the file states sensor size {header} but {Reach(extent)}; using {enlarged}");
        }

        if (path is not null && DatasetCatalog.FindByFilePath(path, info.Format) is { Sensor: SensorSize datasetSensor } dataset
            && extent.FitsIn(datasetSensor))
        {
            return new SensorChoice(datasetSensor, SensorOrigin.Dataset, $"sensor size {datasetSensor} of {dataset.Title} (the file lies in its folder layout)");
        }

        if (info.SensorOrigin == SensorOrigin.Assumed && stated is SensorSize assumed && extent.FitsIn(assumed))
        {
            return new SensorChoice(assumed, SensorOrigin.Assumed, $"sensor size {assumed} assumed by the format; it holds every event");
        }

        if (extent.Sensor is SensorSize fromData)
        {
            return new SensorChoice(fromData, SensorOrigin.Extent, $"sensor size {fromData} from the data's extent (largest x {extent.MaxX}, y {extent.MaxY}); the file does not state one");
        }

        return new SensorChoice(stated, stated is null ? SensorOrigin.None : info.SensorOrigin, null);
    }

    /// <summary>The smallest size holding both <paramref name="size"/> and every event of <paramref name="extent"/>.</summary>
    /// <param name="size">A size.</param>
    /// <param name="extent">An extent.</param>
    /// <returns>The union.</returns>
    public static SensorSize Union(SensorSize size, EventExtent extent) =>
        new(Math.Max(size.Width, extent.MaxX + 1), Math.Max(size.Height, extent.MaxY + 1));

    private static string Reach(EventExtent extent) => $"events reach x {extent.MaxX} and y {extent.MaxY}";
}
