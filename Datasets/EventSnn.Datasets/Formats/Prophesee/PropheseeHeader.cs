using System.Globalization;
using System.Text;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// The ASCII header of Prophesee RAW (EVT 2.0/3.0) and DAT files: lines <c>% key value\n</c>, optionally
/// closed by <c>% end</c>.
/// </summary>
/// <remarks>
/// The header ends at <c>% end</c> (consumed), else before the first line that does not start with
/// <c>%</c>, else before a <c>%</c>-line holding bytes that are not printable ASCII (tab and CR allowed):
/// such a line is data that happens to begin with 0x25. Limits: one line ≤ <see cref="MaxLineBytes"/>,
/// the whole header ≤ <see cref="MaxHeaderBytes"/>; longer is an <see cref="EventFormatException"/>.
/// </remarks>
internal sealed class PropheseeHeader
{
    /// <summary>The most bytes one header line may hold (newline included).</summary>
    public const int MaxLineBytes = 2048;

    /// <summary>The most bytes the whole header may hold.</summary>
    public const int MaxHeaderBytes = 1 << 20;

    /// <summary>The most header lines kept as entries; later lines are counted in <see cref="IgnoredLines"/>.</summary>
    public const int MaxEntries = 1000;

    private PropheseeHeader(List<KeyValuePair<string, string>> entries, long length, bool hasEnd)
    {
        Entries = entries;
        Length = length;
        HasEndMarker = hasEnd;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in entries)
        {
            fields.TryAdd(key, value);
        }

        Fields = fields;
    }

    /// <summary>The header lines as (key, value), in file order (key = first word after <c>%</c>).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Entries { get; }

    /// <summary>The first value of each key (case-insensitive keys).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; }

    /// <summary>Header length in bytes (data starts at this offset).</summary>
    public long Length { get; }

    /// <summary>Whether the header was closed by <c>% end</c>.</summary>
    public bool HasEndMarker { get; }

    /// <summary>Header lines beyond <see cref="MaxEntries"/> (read past, not kept).</summary>
    public long IgnoredLines { get; private init; }

    /// <summary>Metadata for <see cref="EventStreamInfo.Metadata"/>: keys in file order, the first value of each.</summary>
    public IReadOnlyDictionary<string, string> ToMetadata()
    {
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Entries)
        {
            metadata.TryAdd(key, value);
        }

        return metadata;
    }

    /// <summary>Reads the header from the start of <paramref name="source"/>, leaving it at the first data byte.</summary>
    /// <exception cref="EventFormatException">A header line or the header is too long.</exception>
    public static PropheseeHeader Read(StreamBuffer source, string sourceName)
    {
        var entries = new List<KeyValuePair<string, string>>();
        long start = source.Position;
        bool hasEnd = false;
        long ignored = 0;
        while (source.Ensure(1) && source.Span[0] == (byte)'%')
        {
            long lineStart = source.Position;

            // Read until the line's newline is buffered (without waiting for more than the line: live streams).
            int newline;
            ReadOnlySpan<byte> window;
            while (true)
            {
                window = source.Span;
                if (window.Length > MaxLineBytes + 1)
                {
                    window = window[..(MaxLineBytes + 1)];
                }

                newline = window.IndexOf((byte)'\n');
                if (newline >= 0 || window.Length > MaxLineBytes || !IsText(window) || !source.ReadMore())
                {
                    break;
                }
            }

            window = source.Span;
            if (window.Length > MaxLineBytes + 1)
            {
                window = window[..(MaxLineBytes + 1)];
            }

            newline = window.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline >= 0 ? window[..newline] : window;
            if (!IsText(line))
            {
                break;
            }

            if (newline < 0 && window.Length > MaxLineBytes)
            {
                throw new EventFormatException(
                    sourceName, lineStart, $"header line longer than {MaxLineBytes} bytes (no newline found)");
            }

            int consumed = newline >= 0 ? newline + 1 : line.Length;
            if (lineStart + consumed - start > MaxHeaderBytes)
            {
                throw new EventFormatException(
                    sourceName, lineStart, $"header longer than {MaxHeaderBytes} bytes (endless '%' lines?)");
            }

            ReadOnlySpan<byte> content = line[1..].Trim(" \t\r"u8);
            source.Advance(consumed);
            if (Ascii.EqualsIgnoreCase(content, "end"u8))
            {
                hasEnd = true;
                break;
            }

            if (content.IsEmpty)
            {
                continue;
            }

            if (entries.Count >= MaxEntries)
            {
                ignored++;
                continue;
            }

            string text = Encoding.ASCII.GetString(content);
            int space = text.IndexOfAny([' ', '\t']);
            string key = space < 0 ? text : text[..space];
            string value = space < 0 ? string.Empty : text[(space + 1)..].Trim();
            entries.Add(new(key, value));
        }

        return new PropheseeHeader(entries, source.Position - start, hasEnd) { IgnoredLines = ignored };
    }

    /// <summary>Parses header lines from an in-memory prefix (used by format detection; never throws).</summary>
    public static List<KeyValuePair<string, string>> ParsePrefix(ReadOnlySpan<byte> head)
    {
        var entries = new List<KeyValuePair<string, string>>();
        int pos = 0;
        while (pos < head.Length && head[pos] == (byte)'%' && pos < MaxHeaderBytes && entries.Count < MaxEntries)
        {
            ReadOnlySpan<byte> rest = head[pos..];
            int newline = rest.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = newline >= 0 ? rest[..newline] : rest;
            if (line.Length > MaxLineBytes || !IsText(line))
            {
                break;
            }

            string text = Encoding.ASCII.GetString(line[1..]).Trim(' ', '\t', '\r');
            if (text.Equals("end", StringComparison.OrdinalIgnoreCase))
            {
                break;
            }

            if (text.Length > 0)
            {
                int space = text.IndexOfAny([' ', '\t']);
                entries.Add(new(space < 0 ? text : text[..space], space < 0 ? string.Empty : text[(space + 1)..].Trim()));
            }

            if (newline < 0)
            {
                break;
            }

            pos += newline + 1;
        }

        return entries;
    }

    /// <summary>Whether every byte is printable ASCII, tab or CR.</summary>
    public static bool IsText(ReadOnlySpan<byte> line)
    {
        foreach (byte b in line)
        {
            if ((b < 0x20 && b != (byte)'\t' && b != (byte)'\r') || b > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// The EVT format the header declares: <c>% evt 2.0</c> / <c>% evt 3.0</c> or <c>% format EVT2;…</c> /
    /// <c>% format EVT3;…</c>; null when it declares none. Returns the declared text in <paramref name="declared"/>.
    /// </summary>
    public static EventFormat? DeclaredFormat(IEnumerable<KeyValuePair<string, string>> entries, out string? declared)
    {
        declared = null;
        foreach (var (key, value) in entries)
        {
            if (key.Equals("evt", StringComparison.OrdinalIgnoreCase))
            {
                declared = $"evt {value}";
                string v = value.Trim();
                return v is "2.0" or "2" ? EventFormat.Evt2 : v is "3.0" or "3" ? EventFormat.Evt3 : EventFormat.Unknown;
            }

            if (key.Equals("format", StringComparison.OrdinalIgnoreCase))
            {
                declared = $"format {value}";
                string name = value.Split(';')[0].Trim();
                return name.ToUpperInvariant() switch
                {
                    "EVT2" or "EVT20" or "EVT2.0" => EventFormat.Evt2,
                    "EVT3" or "EVT30" or "EVT3.0" => EventFormat.Evt3,
                    _ => EventFormat.Unknown,
                };
            }
        }

        return null;
    }

    /// <summary>
    /// The sensor size from the header: <c>% format …;height=H;width=W</c>, else <c>% geometry WxH</c>,
    /// else <c>% Width</c>/<c>% Height</c> (DAT), else the camera plugin name. Null when none says.
    /// </summary>
    public SensorSize? Sensor(out string? how)
    {
        how = null;
        if (Fields.TryGetValue("format", out string? format))
        {
            int? w = null, h = null;
            foreach (string part in format.Split(';'))
            {
                int eq = part.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    continue;
                }

                string k = part[..eq].Trim();
                if (TryDimension(part[(eq + 1)..], out int d))
                {
                    if (k.Equals("width", StringComparison.OrdinalIgnoreCase))
                    {
                        w = d;
                    }
                    else if (k.Equals("height", StringComparison.OrdinalIgnoreCase))
                    {
                        h = d;
                    }
                }
            }

            if (w is int fw && h is int fh)
            {
                how = "header format line";
                return new SensorSize(fw, fh);
            }
        }

        if (Fields.TryGetValue("geometry", out string? geometry))
        {
            int x = geometry.IndexOfAny(['x', 'X']);
            if (x > 0 && TryDimension(geometry[..x], out int gw) && TryDimension(geometry[(x + 1)..], out int gh))
            {
                how = "header geometry line";
                return new SensorSize(gw, gh);
            }
        }

        if (Fields.TryGetValue("Width", out string? width) && Fields.TryGetValue("Height", out string? height)
            && TryDimension(width, out int ww) && TryDimension(height, out int hh))
        {
            how = "header Width/Height lines";
            return new SensorSize(ww, hh);
        }

        if (Fields.TryGetValue("plugin_name", out string? plugin) && SensorFromPlugin(plugin) is SensorSize fromPlugin)
        {
            how = $"camera plugin_name {plugin} (inferred)";
            return fromPlugin;
        }

        return null;
    }

    /// <summary>
    /// Sensor size of a camera plugin name: Gen3/Gen3.1 (VGA) → 640×480, Gen4/Gen4.1/IMX636/IMX646 → 1280×720,
    /// GenX320 → 320×320; null otherwise.
    /// </summary>
    public static SensorSize? SensorFromPlugin(string plugin)
    {
        string p = plugin.ToLowerInvariant();
        if (p.Contains("gen3", StringComparison.Ordinal))
        {
            return new SensorSize(640, 480);
        }

        if (p.Contains("gen4", StringComparison.Ordinal) || p.Contains("imx636", StringComparison.Ordinal)
            || p.Contains("imx646", StringComparison.Ordinal))
        {
            return new SensorSize(1280, 720);
        }

        if (p.Contains("genx320", StringComparison.Ordinal) || p.Contains("gen_x320", StringComparison.Ordinal))
        {
            return new SensorSize(320, 320);
        }

        return null;
    }

    /// <summary>The EVT format a camera plugin streams by default: Gen3 → EVT 2.0, Gen4/IMX636/GenX320 → EVT 3.0.</summary>
    public static EventFormat? FormatFromPlugin(string plugin)
    {
        string p = plugin.ToLowerInvariant();
        if (p.Contains("gen3", StringComparison.Ordinal))
        {
            return EventFormat.Evt2;
        }

        if (p.Contains("gen4", StringComparison.Ordinal) || p.Contains("imx636", StringComparison.Ordinal)
            || p.Contains("imx646", StringComparison.Ordinal) || p.Contains("genx320", StringComparison.Ordinal))
        {
            return EventFormat.Evt3;
        }

        return null;
    }

    private static bool TryDimension(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value) && value is >= 1 and <= 65536;
}
