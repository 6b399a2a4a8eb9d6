using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Formats;

/// <summary>Opens event files of any supported format, choosing the reader with <see cref="FormatDetector"/>.</summary>
public static class EventFile
{
    /// <summary>Detects the format of the file at <paramref name="path"/> from its first bytes, name and length.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static EventFormat Detect(string path) => Detect(path, out _);

    /// <summary>Opens the file at <paramref name="path"/> with the reader for its format.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="options">Reader options (sensor size, AEDAT 2.0 layout, buffer size); null for defaults.</param>
    /// <returns>A reader positioned at the first event; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="EventFormatException">The format is not recognised (the message names the file and its
    /// first bytes) or the file is malformed.</exception>
    public static IEventReader Open(string path, EventReaderOptions? options = null) => Open(path, EventFormat.Unknown, options);

    /// <summary>Opens the file at <paramref name="path"/> as <paramref name="format"/>, or detects the format when it is <see cref="EventFormat.Unknown"/>.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="format">The format to read the file as (the caller's choice overrides detection), or <see cref="EventFormat.Unknown"/> to detect it.</param>
    /// <param name="options">Reader options (sensor size, AEDAT 2.0 layout, buffer size); null for defaults.</param>
    /// <returns>A reader positioned at the first event; the caller disposes it.</returns>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is not a defined format.</exception>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="EventFormatException">The format is not recognised (the message names the file and its
    /// first bytes) or the file is malformed.</exception>
    public static IEventReader Open(string path, EventFormat format, EventReaderOptions? options = null)
    {
        if (!Enum.IsDefined(format))
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "Not a defined event format.");
        }

        if (format == EventFormat.Unknown)
        {
            format = Detect(path, out byte[] head);
            if (format == EventFormat.Unknown)
            {
                throw new EventFormatException(
                    path, 0, $"unrecognised event-file format; first bytes: {FormatDetector.DescribeHead(head)}");
            }
        }
        else
        {
            ArgumentException.ThrowIfNullOrEmpty(path);
        }

        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        return Open(stream, format, options, path);
    }

    /// <summary>Opens <paramref name="stream"/> with the reader for <paramref name="format"/>.</summary>
    /// <param name="stream">The stream at the file's first byte; the reader owns and disposes it.</param>
    /// <param name="format">The format (from <see cref="FormatDetector"/> or known to the caller).</param>
    /// <param name="options">Reader options; null for defaults.</param>
    /// <param name="sourceName">Name used in errors; null for "stream".</param>
    /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="format"/> is <see cref="EventFormat.Unknown"/> or undefined.</exception>
    /// <exception cref="EventFormatException">The data is malformed.</exception>
    public static IEventReader Open(Stream stream, EventFormat format, EventReaderOptions? options = null, string? sourceName = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        try
        {
            return format switch
            {
                EventFormat.Evt2 => new Evt2Reader(stream, options, sourceName),
                EventFormat.Evt3 => new Evt3Reader(stream, options, sourceName),
                EventFormat.Dat => new DatReader(stream, options, sourceName),
                EventFormat.NMnistBin => new NMnistBinReader(stream, options, sourceName),
                EventFormat.Aedat2 => new Aedat2Reader(stream, options, sourceName),
                EventFormat.Aedat3 => new Aedat3Reader(stream, options, sourceName),
                EventFormat.Aedat4 => new Aedat4Reader(stream, options, sourceName),
                _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not a readable event format."),
            };
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static EventFormat Detect(string path, out byte[] head)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        long length = stream.Length;
        head = new byte[(int)Math.Min(length, FormatDetector.HeadLength)];
        stream.ReadExactly(head);
        return FormatDetector.Detect(head, path, length);
    }
}
