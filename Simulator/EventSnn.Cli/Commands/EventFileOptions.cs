using System.CommandLine;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Commands;

/// <summary>Arguments and options shared by the event-file commands (<c>info</c>, <c>view</c>, <c>bench decode</c>).</summary>
internal static class EventFileOptions
{
    /// <summary>The FILE argument.</summary>
    public static Argument<FileInfo> File() => new("FILE")
    {
        Description = "Event file: AEDAT 2.0/3.1/4.0, Prophesee EVT 2.0/3.0 RAW or DAT, N-MNIST .bin (format detected from its content).",
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

    /// <summary>Reader options for a --layout value.</summary>
    public static EventReaderOptions ReaderOptions(string? layout) => layout switch
    {
        "dvs128" => new EventReaderOptions { Aedat2Layout = Aedat2Layout.Dvs128 },
        "davis" => new EventReaderOptions { Aedat2Layout = Aedat2Layout.Davis },
        _ => EventReaderOptions.Default,
    };

    /// <summary>The lower-case format name used in JSON output.</summary>
    public static string FormatName(EventFormat format) => format.ToString().ToLowerInvariant();
}
