namespace EventSnn.Events;

/// <summary>
/// What travels with an event stream: its format, sensor size, source camera and start time, plus
/// format-specific metadata (header fields). Immutable.
/// </summary>
/// <param name="Format">The file format.</param>
/// <param name="Sensor">The sensor size when known (from the header, the camera model or the caller); null when the format does not say and nothing was given.</param>
/// <param name="Source">The source camera or device as the file names it (e.g. <c>DVS128</c>, <c>DAVIS346_00000002</c>), or null.</param>
/// <param name="StartTimeUs">The recording's start time in microseconds when the header gives one, or null.</param>
/// <param name="SourceName">A name for the stream (usually the file path) used in error messages.</param>
public sealed record EventStreamInfo(
    EventFormat Format,
    SensorSize? Sensor,
    string? Source,
    long? StartTimeUs,
    string SourceName)
{
    /// <summary>Header fields and other format-specific facts (key → value), in file order where that matters.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>
    /// Where <see cref="Sensor"/> comes from. Defaults to <see cref="Events.SensorOrigin.File"/> when a sensor is
    /// given and <see cref="Events.SensorOrigin.None"/> when not; readers set <see cref="Events.SensorOrigin.Caller"/>
    /// or <see cref="Events.SensorOrigin.Assumed"/> where that applies.
    /// </summary>
    public SensorOrigin SensorOrigin
    {
        get => _sensorOrigin ?? (Sensor is null ? SensorOrigin.None : SensorOrigin.File);
        init => _sensorOrigin = value;
    }

    private readonly SensorOrigin? _sensorOrigin;

    /// <summary>Notes about how the stream was interpreted (e.g. "layout inferred from addresses: DVS128").</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];
}
