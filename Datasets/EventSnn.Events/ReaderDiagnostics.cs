using System.Globalization;
using System.Runtime.CompilerServices;

namespace EventSnn.Events;

/// <summary>
/// What a reader skipped or ignored: not errors, but facts a caller may want to report
/// (a trailing partial record, unknown packet types, invalid events).
/// </summary>
/// <remarks>
/// At most <see cref="MaxKeptWarnings"/> warning texts are kept; later warnings are only counted in
/// <see cref="WarningCount"/>. A warning written as an interpolated string (<c>Warn($"…")</c>) is formatted only
/// while it will be kept, so a reader that warns once per record allocates nothing per record once the limit is
/// reached, whatever the input.
/// </remarks>
public sealed class ReaderDiagnostics
{
    /// <summary>The most warning texts kept (later ones are counted, not kept).</summary>
    public const int MaxKeptWarnings = 100;

    private readonly List<string> _warnings = [];

    /// <summary>Bytes at the end of the data that did not form a whole record and were ignored.</summary>
    public long TrailingBytesIgnored { get; set; }

    /// <summary>Packets, records or words skipped because their type is unknown or not events.</summary>
    public long SkippedRecords { get; set; }

    /// <summary>Events dropped because the format marked them invalid or they broke a format rule.</summary>
    public long DroppedEvents { get; set; }

    /// <summary>Human-readable warnings, at most <see cref="MaxKeptWarnings"/> (later ones are counted, not kept).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Number of warnings raised, including those not kept.</summary>
    public long WarningCount { get; private set; }

    /// <summary>Whether the next warning's text will be kept.</summary>
    public bool KeepsNextWarning => _warnings.Count < MaxKeptWarnings;

    /// <summary>Records a warning.</summary>
    /// <param name="message">The warning text.</param>
    public void Warn(string message)
    {
        WarningCount++;
        if (_warnings.Count < MaxKeptWarnings)
        {
            _warnings.Add(message);
        }
    }

    /// <summary>Records a warning written as an interpolated string, formatting it only when it is kept.</summary>
    /// <param name="message">The warning (built by the compiler through <see cref="WarningHandler"/>).</param>
    public void Warn([InterpolatedStringHandlerArgument("")] ref WarningHandler message)
    {
        WarningCount++;
        if (message.IsEnabled && _warnings.Count < MaxKeptWarnings)
        {
            _warnings.Add(message.ToStringAndClear());
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

    /// <summary>
    /// Builds the text of a <see cref="Warn(ref WarningHandler)"/> call (invariant culture) only while
    /// <see cref="KeepsNextWarning"/> holds; otherwise every part is skipped without formatting.
    /// </summary>
    [InterpolatedStringHandler]
    public ref struct WarningHandler
    {
        private DefaultInterpolatedStringHandler _inner;

        /// <summary>Starts a warning for <paramref name="diagnostics"/>.</summary>
        /// <param name="literalLength">The length of the literal parts.</param>
        /// <param name="formattedCount">The number of holes.</param>
        /// <param name="diagnostics">The diagnostics the warning goes to.</param>
        /// <param name="shouldAppend">Set to whether the parts are formatted at all.</param>
        public WarningHandler(int literalLength, int formattedCount, ReaderDiagnostics diagnostics, out bool shouldAppend)
        {
            ArgumentNullException.ThrowIfNull(diagnostics);
            IsEnabled = shouldAppend = diagnostics.KeepsNextWarning;
            _inner = IsEnabled ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
        }

        /// <summary>Whether the text is being built.</summary>
        public bool IsEnabled { get; }

        /// <summary>Appends a literal part.</summary>
        /// <param name="value">The text.</param>
        public void AppendLiteral(string value) => _inner.AppendLiteral(value);

        /// <summary>Appends a value.</summary>
        /// <typeparam name="T">The value's type.</typeparam>
        /// <param name="value">The value.</param>
        public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

        /// <summary>Appends a value with a format string.</summary>
        /// <typeparam name="T">The value's type.</typeparam>
        /// <param name="value">The value.</param>
        /// <param name="format">The format string.</param>
        public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

        /// <summary>Appends characters.</summary>
        /// <param name="value">The characters.</param>
        public void AppendFormatted(ReadOnlySpan<char> value) => _inner.AppendFormatted(value);

        /// <summary>Appends a string.</summary>
        /// <param name="value">The string.</param>
        public void AppendFormatted(string? value) => _inner.AppendFormatted(value);

        /// <summary>The text built so far (empty when not enabled); releases the handler's buffer.</summary>
        /// <returns>The text.</returns>
        internal string ToStringAndClear() => IsEnabled ? _inner.ToStringAndClear() : string.Empty;
    }
}
