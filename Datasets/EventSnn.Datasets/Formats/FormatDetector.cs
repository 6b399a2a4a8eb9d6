using System.Buffers.Binary;
using System.Text;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Formats;

/// <summary>
/// Recognises event-file formats from their content: a signature or header where the format has one, else the
/// structure of the first records; the file name's extension only breaks ties.
/// </summary>
/// <remarks>
/// Rules, in order:
/// <list type="number">
/// <item><c>#!AER-DAT2.0</c> or <c>#!AER-DAT1.0</c> → <see cref="EventFormat.Aedat2"/>; <c>#!AER-DAT3.1</c> / <c>#!AER-DAT3.0</c>
/// → <see cref="EventFormat.Aedat3"/>; <c>#!AER-DAT4.0</c> → <see cref="EventFormat.Aedat4"/>.</item>
/// <item>A Prophesee <c>%</c> header (text lines): <c>% evt 2.0</c> or <c>% format EVT2…</c> → <see cref="EventFormat.Evt2"/>;
/// <c>% evt 3.0</c> or <c>% format EVT3…</c> → <see cref="EventFormat.Evt3"/> (other declared EVT versions →
/// <see cref="EventFormat.Unknown"/>); else <c>% Data file containing …</c> or <c>% Version …</c> →
/// <see cref="EventFormat.Dat"/>; else the camera plugin name (Gen3 → EVT 2.0, Gen4/IMX636/GenX320 → EVT 3.0);
/// else the data after the header is examined as DAT, EVT 2.0 or EVT 3.0 (rule 3).</item>
/// <item>Headerless data: the first records are examined as each headerless layout the readers know, and a layout
/// is <i>likely</i> when its records are consistent (at least 32 of them): N-MNIST / N-Caltech101 / SLAYER
/// <c>.bs2</c> 40-bit records (length a multiple of 5, 23-bit timestamps non-decreasing outside overflow records),
/// AEDAT 1.0 6-byte big-endian records (timestamps non-decreasing), DAT records after the type and size bytes
/// (timestamps non-decreasing), EVT 2.0 words (only defined types, TIME_HIGH non-decreasing) and EVT 3.0 words
/// (only defined types, TIME_HIGH non-decreasing). One likely layout wins; between several, the extension decides,
/// else the most consistent. When none is likely (too little data), the extension picks among the layouts the
/// data does not rule out: <c>.bin</c> / <c>.bs2</c> → N-MNIST, <c>.aedat</c> → AEDAT 1.0 (read by the AEDAT 2.0
/// reader), <c>.dat</c> → DAT.</item>
/// </list>
/// Anything else is <see cref="EventFormat.Unknown"/>.
/// </remarks>
public static class FormatDetector
{
    /// <summary>How many leading bytes <see cref="EventFile"/> reads for detection.</summary>
    public const int HeadLength = 64 * 1024;

    /// <summary>The fewest records a headerless layout needs before its content can make it likely.</summary>
    public const int MinRecordsForContent = 32;

    private const double Consistency = 0.98;

    private enum Evidence
    {
        Impossible,
        Plausible,
        Likely,
    }

    /// <summary>Detects the format from the first bytes of a file and its name.</summary>
    /// <param name="head">The file's first bytes (up to <see cref="HeadLength"/> are looked at).</param>
    /// <param name="fileName">The file name or path (for the extension tie-breaker), or null.</param>
    /// <returns>The format, or <see cref="EventFormat.Unknown"/>.</returns>
    public static EventFormat Detect(ReadOnlySpan<byte> head, string? fileName) => Detect(head, fileName, null);

    /// <summary>Detects the format from the first bytes of a file, its name and its length.</summary>
    /// <param name="head">The file's first bytes (up to <see cref="HeadLength"/> are looked at).</param>
    /// <param name="fileName">The file name or path (for the extension tie-breaker), or null.</param>
    /// <param name="fileLength">The file's length in bytes when known (N-MNIST records: a multiple of 5).</param>
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
            List<KeyValuePair<string, string>> entries = PropheseeHeader.ParsePrefix(head);
            if (entries.Count > 0)
            {
                if (DetectProphesee(entries) is EventFormat declared)
                {
                    return declared;
                }

                int headerLength = HeaderLength(head);
                return FromContent(head[headerLength..], extension, fileLength - headerLength, afterPropheseeHeader: true);
            }
        }

        return FromContent(head, extension, fileLength, afterPropheseeHeader: false);
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

    /// <summary>The format an extension suggests (tie-breaker only), or <see cref="EventFormat.Unknown"/>.</summary>
    /// <param name="extension">The extension with its dot, any case (e.g. <c>.bs2</c>).</param>
    /// <returns>The suggested format.</returns>
    public static EventFormat FormatOfExtension(string? extension) => extension?.ToLowerInvariant() switch
    {
        ".bin" or ".bs2" => EventFormat.NMnistBin,
        ".aedat" => EventFormat.Aedat2,
        ".aedat4" => EventFormat.Aedat4,
        ".dat" => EventFormat.Dat,
        _ => EventFormat.Unknown,
    };

    private static EventFormat FromContent(ReadOnlySpan<byte> body, string extension, long? bodyLength, bool afterPropheseeHeader)
    {
        Span<(EventFormat Format, Evidence Evidence, double Score)> candidates =
        [
            (EventFormat.Dat, Evidence.Impossible, 0),
            (EventFormat.Evt2, Evidence.Impossible, 0),
            (EventFormat.Evt3, Evidence.Impossible, 0),
            (EventFormat.NMnistBin, Evidence.Impossible, 0),
            (EventFormat.Aedat2, Evidence.Impossible, 0),
        ];
        candidates[0] = Score(EventFormat.Dat, Dat(body, out double datScore), datScore);
        candidates[1] = Score(EventFormat.Evt2, Evt2(body, out double evt2Score), evt2Score);
        candidates[2] = Score(EventFormat.Evt3, Evt3(body, out double evt3Score), evt3Score);
        if (!afterPropheseeHeader)
        {
            candidates[3] = Score(EventFormat.NMnistBin, NMnist(body, bodyLength, out double nmnistScore), nmnistScore);
            candidates[4] = Score(EventFormat.Aedat2, Aedat1(body, out double aedatScore), aedatScore);
        }
        else if (body.IsEmpty)
        {
            // A header and nothing after it: any Prophesee reader reads it (no events).
            candidates[0].Evidence = candidates[1].Evidence = candidates[2].Evidence = Evidence.Plausible;
        }

        EventFormat byExtension = FormatOfExtension(extension);
        EventFormat best = EventFormat.Unknown;
        double bestScore = -1;
        int likely = 0;
        foreach (var c in candidates)
        {
            if (c.Evidence == Evidence.Likely)
            {
                likely++;
                if (c.Score > bestScore)
                {
                    best = c.Format;
                    bestScore = c.Score;
                }
            }
        }

        if (likely > 1)
        {
            foreach (var c in candidates)
            {
                if (c.Evidence == Evidence.Likely && c.Format == byExtension)
                {
                    return c.Format;
                }
            }
        }

        if (likely > 0)
        {
            return best;
        }

        foreach (var c in candidates)
        {
            if (c.Evidence == Evidence.Plausible && c.Format == byExtension)
            {
                return c.Format;
            }
        }

        return EventFormat.Unknown;

        static (EventFormat, Evidence, double) Score(EventFormat format, Evidence evidence, double score) => (format, evidence, score);
    }

    private static Evidence Judge(int pairs, int ordered, int increasing, out double score)
    {
        score = pairs == 0 ? 0 : ordered / (double)pairs;
        if (pairs + 1 < MinRecordsForContent)
        {
            return Evidence.Plausible;
        }

        if (score < Consistency)
        {
            return Evidence.Impossible;
        }

        // Ordered but constant timestamps (e.g. a file of zeros) prove nothing.
        return increasing > 0 ? Evidence.Likely : Evidence.Plausible;
    }

    /// <summary>N-MNIST 40-bit records: x, y, p·2^7 + t[22:16], t[15:8], t[7:0]; y = 240 marks an overflow record.</summary>
    private static Evidence NMnist(ReadOnlySpan<byte> body, long? length, out double score)
    {
        score = 0;
        if (length is long l && l % 5 != 0)
        {
            return Evidence.Impossible;
        }

        int records = body.Length / 5;
        int pairs = 0, ordered = 0, increasing = 0;
        long previous = -1;
        for (int r = 0; r < records; r++)
        {
            ReadOnlySpan<byte> rec = body.Slice(r * 5, 5);
            if (rec[1] == 240)
            {
                previous = -1;
                continue;
            }

            long t = ((rec[2] & 0x7F) << 16) | (rec[3] << 8) | rec[4];
            if (previous >= 0)
            {
                pairs++;
                ordered += t >= previous ? 1 : 0;
                increasing += t > previous ? 1 : 0;
            }

            previous = t;
        }

        return Judge(pairs, ordered, increasing, out score);
    }

    /// <summary>AEDAT 1.0 records: big-endian 16-bit address, 32-bit timestamp.</summary>
    private static Evidence Aedat1(ReadOnlySpan<byte> body, out double score)
    {
        int records = body.Length / 6;
        int pairs = 0, ordered = 0, increasing = 0;
        for (int r = 1; r < records; r++)
        {
            int previous = BinaryPrimitives.ReadInt32BigEndian(body[(((r - 1) * 6) + 2)..]);
            int t = BinaryPrimitives.ReadInt32BigEndian(body[((r * 6) + 2)..]);
            pairs++;
            ordered += t >= previous ? 1 : 0;
            increasing += t > previous ? 1 : 0;
        }

        return Judge(pairs, ordered, increasing, out score);
    }

    /// <summary>DAT: event type (0x00, 0x0C, 0x0E) and size (8) bytes, then 8-byte records with a 32-bit timestamp first.</summary>
    private static Evidence Dat(ReadOnlySpan<byte> body, out double score)
    {
        score = 0;
        if (body.Length < 2)
        {
            return body.IsEmpty ? Evidence.Plausible : Evidence.Impossible;
        }

        if (body[0] is not (0x00 or 0x0C or 0x0E) || body[1] != 8)
        {
            return Evidence.Impossible;
        }

        ReadOnlySpan<byte> records = body[2..];
        int count = records.Length / 8;
        int pairs = 0, ordered = 0, increasing = 0;
        for (int r = 1; r < count; r++)
        {
            uint previous = BinaryPrimitives.ReadUInt32LittleEndian(records[((r - 1) * 8)..]);
            uint t = BinaryPrimitives.ReadUInt32LittleEndian(records[(r * 8)..]);
            pairs++;
            ordered += t >= previous ? 1 : 0;
            increasing += t > previous ? 1 : 0;
        }

        return Judge(pairs, ordered, increasing, out score);
    }

    /// <summary>EVT 2.0: 32-bit little-endian words, type in bits 31–28 (0x0, 0x1, 0x8, 0xA, 0xE, 0xF defined).</summary>
    private static Evidence Evt2(ReadOnlySpan<byte> body, out double score)
    {
        int words = body.Length / 4;
        int invalid = 0, timeHighPairs = 0, ordered = 0, events = 0;
        long previous = -1;
        for (int i = 0; i < words; i++)
        {
            uint w = BinaryPrimitives.ReadUInt32LittleEndian(body[(i * 4)..]);
            switch (w >> 28)
            {
                case 0x0 or 0x1:
                    events++;
                    break;
                case 0xA or 0xE or 0xF:
                    break;
                case 0x8:
                    long high = w & 0x0FFF_FFFF;
                    if (previous >= 0)
                    {
                        timeHighPairs++;
                        ordered += high >= previous ? 1 : 0;
                    }

                    previous = high;
                    break;
                default:
                    invalid++;
                    break;
            }
        }

        return Words(words, invalid, timeHighPairs, ordered, previous >= 0 && events > 0, out score);
    }

    /// <summary>EVT 3.0: 16-bit little-endian words, type in bits 15–12 (0x1, 0x9, 0xB, 0xC undefined).</summary>
    private static Evidence Evt3(ReadOnlySpan<byte> body, out double score)
    {
        int words = body.Length / 2;
        int invalid = 0, timeHighPairs = 0, ordered = 0, rows = 0, columns = 0;
        int previous = -1;
        for (int i = 0; i < words; i++)
        {
            int w = BinaryPrimitives.ReadUInt16LittleEndian(body[(i * 2)..]);
            switch (w >> 12)
            {
                case 0x1 or 0x9 or 0xB or 0xC:
                    invalid++;
                    break;
                case 0x0:
                    rows++;
                    break;
                case 0x2 or 0x4 or 0x5:
                    columns++;
                    break;
                case 0x8:
                    int high = w & 0xFFF;
                    if (previous >= 0)
                    {
                        timeHighPairs++;

                        // A drop by more than half the 12-bit range is a wrap of the time base.
                        ordered += high >= previous || previous - high > 2048 ? 1 : 0;
                    }

                    previous = high;
                    break;
            }
        }

        return Words(words, invalid, timeHighPairs, ordered, previous >= 0 && rows > 0 && columns > 0, out score);
    }

    /// <summary>
    /// Judges a word stream: any undefined type beyond 2 % rules it out; it is likely when it has a time base whose
    /// TIME_HIGH words do not go back and the words that make events.
    /// </summary>
    private static Evidence Words(int words, int invalid, int timeHighPairs, int ordered, bool structured, out double score)
    {
        score = 0;
        if (words == 0)
        {
            return Evidence.Plausible;
        }

        if (words < MinRecordsForContent)
        {
            return invalid == 0 ? Evidence.Plausible : Evidence.Impossible;
        }

        double valid = 1 - (invalid / (double)words);
        score = valid * (timeHighPairs == 0 ? 1 : ordered / (double)timeHighPairs);
        if (score < Consistency)
        {
            return Evidence.Impossible;
        }

        return structured ? Evidence.Likely : Evidence.Plausible;
    }

    /// <summary>The length of the <c>%</c> text lines at the start of <paramref name="head"/> (up to and including <c>% end</c>).</summary>
    private static int HeaderLength(ReadOnlySpan<byte> head)
    {
        int pos = 0;
        while (pos < head.Length && head[pos] == (byte)'%')
        {
            ReadOnlySpan<byte> rest = head[pos..];
            int newline = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline >= 0 ? rest[..newline] : rest;
            if (!PropheseeHeader.IsText(line))
            {
                break;
            }

            if (newline < 0)
            {
                return head.Length;
            }

            pos += newline + 1;
            if (Ascii.EqualsIgnoreCase(line[1..].Trim(" \t\r"u8), "end"u8))
            {
                break;
            }
        }

        return pos;
    }

    /// <summary>What a Prophesee header states: a declared EVT format, DAT markers or the camera plugin; null when nothing.</summary>
    private static EventFormat? DetectProphesee(List<KeyValuePair<string, string>> entries)
    {
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

        return null;
    }
}
