using System.Text;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Formats;

/// <summary>
/// Recognises event-file formats from their first bytes (and, for headerless formats, the file name and length).
/// </summary>
/// <remarks>
/// Rules, in order:
/// <list type="number">
/// <item><c>#!AER-DAT2.0</c> or <c>#!AER-DAT1.0</c> → <see cref="EventFormat.Aedat2"/>; <c>#!AER-DAT3.1</c> / <c>#!AER-DAT3.0</c>
/// → <see cref="EventFormat.Aedat3"/>; <c>#!AER-DAT4.0</c> → <see cref="EventFormat.Aedat4"/>.</item>
/// <item>A Prophesee <c>%</c> header: <c>% evt 2.0</c> or <c>% format EVT2…</c> → <see cref="EventFormat.Evt2"/>;
/// <c>% evt 3.0</c> or <c>% format EVT3…</c> → <see cref="EventFormat.Evt3"/> (other declared EVT versions →
/// <see cref="EventFormat.Unknown"/>); else <c>% Data file containing …</c> or <c>% Version …</c> →
/// <see cref="EventFormat.Dat"/>; else the camera plugin name (Gen3 → EVT 2.0, Gen4/IMX636/GenX320 → EVT 3.0);
/// else the extension <c>.dat</c> → DAT.</item>
/// <item>No magic and no header (N-MNIST files have none, so this is a heuristic): extension <c>.bin</c> and, when
/// the length is known, a length that is a multiple of 5 → <see cref="EventFormat.NMnistBin"/>; extension
/// <c>.aedat</c> → <see cref="EventFormat.Aedat2"/> (AEDAT 1.0 files have no header line).</item>
/// </list>
/// Anything else is <see cref="EventFormat.Unknown"/>.
/// </remarks>
public static class FormatDetector
{
    /// <summary>How many leading bytes <see cref="EventFile"/> reads for detection.</summary>
    public const int HeadLength = 64 * 1024;

    /// <summary>Detects the format from the first bytes of a file and its name.</summary>
    /// <param name="head">The file's first bytes (up to <see cref="HeadLength"/> are looked at).</param>
    /// <param name="fileName">The file name or path (for extension-based rules), or null.</param>
    /// <returns>The format, or <see cref="EventFormat.Unknown"/>.</returns>
    public static EventFormat Detect(ReadOnlySpan<byte> head, string? fileName) => Detect(head, fileName, null);

    /// <summary>Detects the format from the first bytes of a file, its name and its length.</summary>
    /// <param name="head">The file's first bytes (up to <see cref="HeadLength"/> are looked at).</param>
    /// <param name="fileName">The file name or path (for extension-based rules), or null.</param>
    /// <param name="fileLength">The file's length in bytes when known (N-MNIST rule: a multiple of 5).</param>
    /// <returns>The format, or <see cref="EventFormat.Unknown"/>.</returns>
    public static EventFormat Detect(ReadOnlySpan<byte> head, string? fileName, long? fileLength)
    {
        if (head.Length > HeadLength)
        {
            head = head[..HeadLength];
        }

        if (head.StartsWith("#!AER-DAT"u8))
        {
            ReadOnlySpan<byte> version = head[9..];
            if (version.StartsWith("2.0"u8) || version.StartsWith("1.0"u8))
            {
                return EventFormat.Aedat2;
            }

            if (version.StartsWith("3.1"u8) || version.StartsWith("3.0"u8))
            {
                return EventFormat.Aedat3;
            }

            if (version.StartsWith("4.0"u8))
            {
                return EventFormat.Aedat4;
            }

            return EventFormat.Unknown;
        }

        string extension = fileName is null ? string.Empty : Path.GetExtension(fileName).ToLowerInvariant();
        if (head.Length > 0 && head[0] == (byte)'%')
        {
            return DetectProphesee(head, extension);
        }

        if (extension == ".bin" && (fileLength is null || fileLength % 5 == 0))
        {
            return EventFormat.NMnistBin;
        }

        if (extension == ".aedat")
        {
            return EventFormat.Aedat2;
        }

        return EventFormat.Unknown;
    }

    /// <summary>A short printable description of the first bytes (hex and ASCII), for error messages.</summary>
    public static string DescribeHead(ReadOnlySpan<byte> head, int count = 16)
    {
        ReadOnlySpan<byte> shown = head.Length > count ? head[..count] : head;
        if (shown.IsEmpty)
        {
            return "(empty file)";
        }

        var text = new StringBuilder(shown.Length);
        foreach (byte b in shown)
        {
            text.Append(b is >= 0x20 and <= 0x7E ? (char)b : '.');
        }

        return $"{Convert.ToHexString(shown)} \"{text}\"";
    }

    private static EventFormat DetectProphesee(ReadOnlySpan<byte> head, string extension)
    {
        List<KeyValuePair<string, string>> entries = PropheseeHeader.ParsePrefix(head);
        EventFormat? declared = PropheseeHeader.DeclaredFormat(entries, out _);
        if (declared is EventFormat format)
        {
            return format;
        }

        foreach (var (key, value) in entries)
        {
            if ((key.Equals("Data", StringComparison.OrdinalIgnoreCase)
                    && value.StartsWith("file containing", StringComparison.OrdinalIgnoreCase))
                || key.Equals("Version", StringComparison.OrdinalIgnoreCase))
            {
                return EventFormat.Dat;
            }
        }

        foreach (var (key, value) in entries)
        {
            if (key.Equals("plugin_name", StringComparison.OrdinalIgnoreCase) && PropheseeHeader.FormatFromPlugin(value) is EventFormat fromPlugin)
            {
                return fromPlugin;
            }
        }

        return extension == ".dat" ? EventFormat.Dat : EventFormat.Unknown;
    }
}
