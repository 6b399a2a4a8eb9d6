using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>Validation of <see cref="EventReaderOptions"/> shared by the AEDAT readers.</summary>
internal static class AedatOptions
{
    /// <summary>Checks a reader's stream (non-null, readable) and options (null for defaults); returns the options in use.</summary>
    public static EventReaderOptions Validate(Stream stream, EventReaderOptions? options)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        }

        options ??= EventReaderOptions.Default;
        Validate(options);
        return options;
    }

    public static void Validate(EventReaderOptions options)
    {
        if (options.BufferSize is < 4096 or > (256 << 20))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.BufferSize, "EventReaderOptions.BufferSize must be in 4 KiB..256 MiB.");
        }

        if (!Enum.IsDefined(options.Aedat2Layout))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.Aedat2Layout, "Unknown AEDAT 2.0 layout.");
        }

        if (options.StreamId is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.StreamId, "EventReaderOptions.StreamId must be non-negative.");
        }
    }
}
