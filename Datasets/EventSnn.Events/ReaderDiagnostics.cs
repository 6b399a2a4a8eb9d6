namespace EventSnn.Events;

/// <summary>
/// What a reader skipped or ignored: not errors, but facts a caller may want to report
/// (a trailing partial record, unknown packet types, invalid events).
/// </summary>
public sealed class ReaderDiagnostics
{
    private readonly List<string> _warnings = [];

    /// <summary>Bytes at the end of the data that did not form a whole record and were ignored.</summary>
    public long TrailingBytesIgnored { get; set; }

    /// <summary>Packets, records or words skipped because their type is unknown or not events.</summary>
    public long SkippedRecords { get; set; }

    /// <summary>Events dropped because the format marked them invalid or they broke a format rule.</summary>
    public long DroppedEvents { get; set; }

    /// <summary>Human-readable warnings, at most 100 (later ones are counted, not kept).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Number of warnings raised, including those not kept.</summary>
    public long WarningCount { get; private set; }

    /// <summary>Records a warning.</summary>
    public void Warn(string message)
    {
        WarningCount++;
        if (_warnings.Count < 100)
        {
            _warnings.Add(message);
        }
    }

    /// <summary>
    /// Counts <paramref name="count"/> trailing bytes as ignored and warns
    /// <c>"{sourceName}: at byte {offset}: {count} {what}; ignored"</c>.
    /// </summary>
    internal void IgnoreTrailing(string sourceName, long offset, long count, string what)
    {
        TrailingBytesIgnored += count;
        Warn($"{sourceName}: at byte {offset}: {count} {what}; ignored");
    }
}
