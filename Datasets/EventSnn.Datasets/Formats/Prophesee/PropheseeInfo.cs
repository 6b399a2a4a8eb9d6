using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>Builds <see cref="EventStreamInfo"/> for Prophesee files from their header and the caller's options.</summary>
internal static class PropheseeInfo
{
    /// <summary>
    /// Reads the header of an EVT RAW file declaring <paramref name="format"/> (or none) and builds its info;
    /// disposes <paramref name="source"/> when the header is invalid.
    /// </summary>
    public static EventStreamInfo ReadRaw(
        StreamBuffer source, EventFormat format, EventReaderOptions options, string sourceName, out long headerLength)
    {
        try
        {
            var header = PropheseeHeader.Read(source, sourceName);
            var notes = new List<string>();
            CheckDeclared(header, format, sourceName, notes);
            headerLength = header.Length;
            return Build(format, header, options, sourceName, notes);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public static EventStreamInfo Build(
        EventFormat format, PropheseeHeader header, EventReaderOptions options, string sourceName, List<string> notes)
    {
        SensorSize? sensor;
        bool byCaller = options.Sensor is not null;
        if (options.Sensor is SensorSize given)
        {
            sensor = given;
            notes.Add($"sensor size {given} given by the caller");
        }
        else
        {
            sensor = header.Sensor(out string? how);
            notes.Add(sensor is SensorSize s ? $"sensor size {s} from {how}" : "sensor size unknown (the header does not state it)");
        }

        if (header.IgnoredLines > 0)
        {
            notes.Add($"{header.IgnoredLines} header line(s) beyond the first {PropheseeHeader.MaxEntries} were not kept");
        }

        string? source = null;
        if (header.Fields.TryGetValue("plugin_name", out string? plugin))
        {
            source = plugin;
        }
        else if (header.Fields.TryGetValue("camera_integrator_name", out string? integrator))
        {
            source = integrator;
        }
        else if (header.Fields.TryGetValue("integrator_name", out string? integrator2))
        {
            source = integrator2;
        }

        return new EventStreamInfo(format, sensor, source, null, sourceName)
        {
            Metadata = header.ToMetadata(),
            Notes = notes,
            SensorOrigin = byCaller ? SensorOrigin.Caller : sensor is null ? SensorOrigin.None : SensorOrigin.File,
        };
    }

    /// <summary>Throws when the header declares an EVT format other than <paramref name="expected"/>.</summary>
    public static void CheckDeclared(PropheseeHeader header, EventFormat expected, string sourceName, List<string> notes)
    {
        EventFormat? declared = PropheseeHeader.DeclaredFormat(header.Entries, out string? text);
        if (declared is null)
        {
            notes.Add($"the header declares no EVT format; read as {expected}");
            return;
        }

        if (declared != expected)
        {
            throw new EventFormatException(
                sourceName, 0, $"the header declares '{text}', which this reader ({expected}) does not decode");
        }
    }
}
