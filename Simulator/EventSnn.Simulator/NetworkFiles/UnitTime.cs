using System.Globalization;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// Times written as decimal text with a unit named beside them (a key such as <c>delay_ms</c> or a CSV column such as
/// <c>time_us</c>), converted exactly to whole ticks (1 tick = 1 ns) with decimal arithmetic, never through
/// <see cref="double"/>: <c>0.1</c> ms is exactly 100 000 ticks.
/// </summary>
internal static class UnitTime
{
    /// <summary>The unit suffixes a time key or column may carry, with their size in ticks.</summary>
    public static IReadOnlyList<(string Suffix, long Ticks)> Units { get; } =
    [
        ("s", Simulator.Units.TicksPerSecond),
        ("ms", Simulator.Units.TicksPerMillisecond),
        ("us", Simulator.Units.TicksPerMicrosecond),
        ("ns", 1),
        ("ticks", 1),
    ];

    /// <summary>The accepted names for a time with base name <paramref name="baseName"/>: <c>base_s</c>, <c>base_ms</c>, ….</summary>
    /// <param name="baseName">For example <c>delay</c>.</param>
    public static IEnumerable<string> KeysFor(string baseName) => Units.Select(u => $"{baseName}_{u.Suffix}");

    /// <summary>The unit size in ticks when <paramref name="key"/> is <c>baseName_unit</c>, else 0.</summary>
    /// <param name="key">The key or column name.</param>
    /// <param name="baseName">The base name.</param>
    public static long UnitOf(string key, string baseName)
    {
        if (key.Length <= baseName.Length + 1 || !key.StartsWith(baseName, StringComparison.Ordinal) || key[baseName.Length] != '_')
        {
            return 0;
        }

        string suffix = key[(baseName.Length + 1)..];
        foreach ((string s, long ticks) in Units)
        {
            if (s == suffix)
            {
                return ticks;
            }
        }

        return 0;
    }

    /// <summary>Converts decimal text in a unit of <paramref name="unitTicks"/> ticks to whole ticks.</summary>
    /// <param name="text">The number (invariant culture, exponent allowed).</param>
    /// <param name="unitTicks">Ticks per unit.</param>
    /// <param name="ticks">The result.</param>
    /// <param name="problem">Why the text is not a time (null on success).</param>
    /// <returns>Whether the conversion succeeded.</returns>
    public static bool TryToTicks(string text, long unitTicks, out long ticks, out string? problem)
    {
        ticks = 0;
        if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out decimal value))
        {
            problem = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _)
                ? $"is out of range ({text})"
                : $"is not a number ({Quote(text)})";
            return false;
        }

        decimal t;
        try
        {
            t = value * unitTicks;
        }
        catch (OverflowException)
        {
            problem = $"is out of range ({text})";
            return false;
        }

        if (t != decimal.Truncate(t))
        {
            problem = $"is not a whole number of ticks (1 tick = 1 ns): {text} is {t.ToString("0.############################", CultureInfo.InvariantCulture)} ns";
            return false;
        }

        if (t > long.MaxValue || t < long.MinValue)
        {
            problem = $"is out of range ({text})";
            return false;
        }

        ticks = (long)t;
        problem = null;
        return true;
    }

    private static string Quote(string s) => s.Length > 40 ? $"'{s[..40]}…'" : $"'{s}'";
}
