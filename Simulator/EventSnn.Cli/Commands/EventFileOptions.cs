using System.CommandLine;
using System.Globalization;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Commands;

/// <summary>Arguments and options shared by the commands that read event files (<c>info</c>, <c>view</c>, <c>convert</c>, <c>bench decode|aedat</c>).</summary>
internal static class EventFileOptions
{
    /// <summary>What every command that reads event files says about the formats (one text, so the commands agree).</summary>
    public const string FormatsText =
        "AEDAT 1.0/2.0/3.0/3.1/4.0, Prophesee EVT 2.0/3.0 RAW or DAT, ATIS 40-bit (N-MNIST, N-Caltech101 .bin, SLAYER .bs2); "
        + "the format is detected from the content (the extension only breaks ties), or chosen with --format";

    /// <summary>The values of <c>--format</c>.</summary>
    public static readonly string[] FormatNames = ["auto", "aedat2", "aedat3", "aedat4", "evt2", "evt3", "dat", "nmnist", "nmnistbin"];

    /// <summary>The FILE argument.</summary>
    public static Argument<FileInfo> File(string name = "FILE", string what = "Event file") => new(name)
    {
        Description = $"{what}: {FormatsText}.",
    };

    /// <summary>The --layout option (AEDAT 2.0 address layout).</summary>
    public static Option<string?> Layout()
    {
        var option = new Option<string?>("--layout")
        {
            Description = "AEDAT 2.0 address layout when the header does not name the camera: dvs128 or davis.",
        };
        option.AcceptOnlyFromAmong("dvs128", "davis");
        return option;
    }

    /// <summary>The --format option: read the file as this format instead of detecting it.</summary>
    public static Option<string> Format()
    {
        var option = new Option<string>("--format")
        {
            Description = "Read the file as this format instead of detecting it (nmnist: ATIS 40-bit records, also N-Caltech101 and SLAYER .bs2).",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong(FormatNames);
        return option;
    }

    /// <summary>The --sensor WxH option.</summary>
    public static Option<string?> Sensor(string description = "Sensor size WxH (e.g. 346x260) instead of the one found; it must hold every event.")
    {
        var option = new Option<string?>("--sensor") { Description = description };
        option.Check(text => TryParseSensor(text, out _) ? null : $"'{text}' is not WxH with W and H in 1..65536 (e.g. 346x260)");
        return option;
    }

    /// <summary>The --stream option (AEDAT 4.0 stream id; AEDAT 3.1 source id).</summary>
    public static Option<int?> Stream()
    {
        var option = new Option<int?>("--stream") { Description = "AEDAT 4.0: event stream id to read; AEDAT 3.1: source id." };
        option.Check(id => id is < 0 ? $"must be 0 or more (got {id})" : null);
        return option;
    }

    /// <summary>The format a <c>--format</c> value names (<see cref="EventFormat.Unknown"/> for <c>auto</c>).</summary>
    public static EventFormat ParseFormat(string? name) => name switch
    {
        "aedat2" => EventFormat.Aedat2,
        "aedat3" => EventFormat.Aedat3,
        "aedat4" => EventFormat.Aedat4,
        "evt2" => EventFormat.Evt2,
        "evt3" => EventFormat.Evt3,
        "dat" => EventFormat.Dat,
        "nmnist" or "nmnistbin" => EventFormat.NMnistBin,
        _ => EventFormat.Unknown,
    };

    /// <summary>Reader options for a --layout value (and optionally --sensor and --stream values).</summary>
    public static EventReaderOptions ReaderOptions(string? layout, string? sensor = null, int? stream = null) => new()
    {
        Aedat2Layout = layout switch
        {
            "dvs128" => Aedat2Layout.Dvs128,
            "davis" => Aedat2Layout.Davis,
            _ => Aedat2Layout.Auto,
        },
        Sensor = sensor is null ? null : ParseSensor(sensor),
        StreamId = stream,
    };

    /// <summary>Opens <paramref name="path"/> as <paramref name="format"/> (or detected) after checking that it is a readable file.</summary>
    public static IEventReader Open(string path, EventFormat format, EventReaderOptions options, string what = "FILE")
    {
        string full = CliPaths.RequireInputFile(path, what);
        return EventFile.Open(full, format, options);
    }

    /// <summary>Reads a whole stream and chooses its sensor (see <see cref="SensorRules"/>); a --sensor that does not hold the data is an error.</summary>
    public static (SensorChoice Choice, EventExtent Extent) ScanSensor(string path, EventFormat format, EventReaderOptions options)
    {
        using IEventReader reader = EventFile.Open(path, format, options);
        EventExtent extent = EventExtent.Scan(reader);
        return (ChooseSensor(reader.Info, extent, path), extent);
    }

    /// <summary>Chooses the sensor of a stream whose events span <paramref name="extent"/>; a --sensor that does not hold them is an error.</summary>
    public static SensorChoice ChooseSensor(EventStreamInfo info, EventExtent extent, string path)
    {
        if (info.SensorOrigin == SensorOrigin.Caller && info.Sensor is SensorSize given && !extent.FitsIn(given))
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"--sensor {given} does not hold the data of {path}: events reach x {extent.MaxX} and y {extent.MaxY}; use at least {SensorRules.Union(given, extent)}"));
        }

        return SensorRules.Choose(info, extent, path);
    }

    /// <summary>The lower-case format name used in JSON output.</summary>
    public static string FormatName(EventFormat format) => format.ToString().ToLowerInvariant();

    /// <summary>The lower-case name of a sensor origin used in output.</summary>
    public static string OriginName(SensorOrigin origin) => origin.ToString().ToLowerInvariant();

    /// <summary>Parses WxH.</summary>
    public static SensorSize ParseSensor(string text) => TryParseSensor(text, out SensorSize size)
        ? size
        : throw new CliUsageException($"--sensor '{text}' is not WxH with W and H in 1..65536 (e.g. 346x260)");

    private static bool TryParseSensor(string? text, out SensorSize size)
    {
        size = default;
        if (text is null)
        {
            return true;
        }

        string[] parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w is >= 1 and <= 65536 && h is >= 1 and <= 65536)
        {
            size = new SensorSize(w, h);
            return true;
        }

        return false;
    }
}
