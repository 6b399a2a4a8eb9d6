using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.Text.RegularExpressions;
using EventSnn.Datasets.Neuromorphic;

namespace EventSnn.Cli;

/// <summary>
/// Turns parse errors and exceptions into the tool's one-line messages and exit codes (the convention is described in
/// <c>CliAction.cs</c>): flag names instead of parameter names, plain words instead of .NET type names, the tool's
/// options instead of library API advice, and a sentence naming the options to lower for resource failures.
/// </summary>
internal static partial class CliErrors
{
    [ThreadStatic]
    private static ParseResult? t_currentParse;

    /// <summary>The command line being run on this thread (set by <c>Program.Run</c>), for resource hints.</summary>
    internal static ParseResult? CurrentParse
    {
        get => t_currentParse;
        set => t_currentParse = value;
    }

    /// <summary>The one-line messages for the parse errors of <paramref name="parse"/> (distinct, at most 5).</summary>
    /// <param name="parse">A parse result with errors.</param>
    /// <returns>One message per error, without the <c>eventsnn: error:</c> prefix.</returns>
    internal static IReadOnlyList<string> ParseErrorLines(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var lines = new List<string>();
        bool unknownToken = parse.Errors.Any(e => UnrecognisedError().IsMatch(e.Message));
        foreach (ParseError error in parse.Errors)
        {
            if (unknownToken && error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
            {
                continue;
            }

            string line = ParseErrorLine(error, parse);
            if (!lines.Contains(line, StringComparer.Ordinal))
            {
                lines.Add(line);
            }

            if (lines.Count == 5)
            {
                break;
            }
        }

        return lines;
    }

    /// <summary>
    /// The exit code and one-line message for <paramref name="ex"/>; null for an exception that is neither a user,
    /// usage nor resource error (a bug), unless <paramref name="includeBugs"/>.
    /// </summary>
    /// <param name="ex">The exception.</param>
    /// <param name="parse">The command line, for naming the options to lower; may be null.</param>
    /// <param name="includeBugs">Whether to describe any exception (as an internal error).</param>
    /// <returns>The exit code and message, or null.</returns>
    internal static (int ExitCode, string Message)? Describe(Exception ex, ParseResult? parse, bool includeBugs = false)
    {
        ArgumentNullException.ThrowIfNull(ex);
        if (ex is AggregateException aggregate)
        {
            // Parallel work: report a resource failure first, else the first cause.
            var inner = aggregate.Flatten().InnerExceptions;
            ex = inner.FirstOrDefault(e => e is OutOfMemoryException or InsufficientMemoryException)
                ?? inner.FirstOrDefault(e => e is IOException io && IsDiskFull(io))
                ?? (inner.Count > 0 ? inner[0] : ex);
        }

        switch (ex)
        {
            case CliUsageException:
                return (CliAction.UsageError, OneLine(ex.Message));
            case ArgumentException arg when (arg.ParamName?.StartsWith("--", StringComparison.Ordinal) ?? false) || arg.Message.StartsWith("--", StringComparison.Ordinal):
                return (CliAction.UsageError, Clean(arg));
            case OutOfMemoryException or InsufficientMemoryException:
                return (CliAction.UserError, $"out of memory: the run does not fit in this machine's memory; {LimitsToLower(parse)}");
            case IOException io when IsDiskFull(io):
                return (CliAction.UserError, $"no space left on the device ({OneLine(io.Message)}); free some space or {LimitsToLower(parse)}");
            case DatasetNotFoundException notFound:
                return (CliAction.UserError, NotFound(notFound));
            case UnauthorizedAccessException or DirectoryNotFoundException or FileNotFoundException when CliPaths.Explain(ex) is { } path:
                return (CliAction.UserError, path);
        }

        if (CliAction.IsUserError(ex))
        {
            return (CliAction.UserError, ex is ArgumentException arg ? Clean(arg) : Translate(OneLine(ex.Message)));
        }

        return includeBugs
            ? (CliAction.UserError, $"internal error ({ex.GetType().Name}: {OneLine(ex.Message)}); please report it with the command line")
            : null;
    }

    /// <summary>Rewrites library wording into the tool's: reader options become flags.</summary>
    /// <param name="message">A message from a library.</param>
    /// <returns>The message in the tool's words.</returns>
    internal static string Translate(string message) => message
        .Replace("pass EventReaderOptions.Sensor", "pass --sensor WxH", StringComparison.Ordinal)
        .Replace("EventReaderOptions.Sensor", "--sensor WxH", StringComparison.Ordinal)
        .Replace("EventReaderOptions.Aedat2Layout", "--layout dvs128|davis", StringComparison.Ordinal)
        .Replace("EventReaderOptions.StreamId", "--stream", StringComparison.Ordinal)
        .Replace("DatasetOptions.Download", "--download", StringComparison.Ordinal);

    /// <summary>The message of an argument exception without <c>(Parameter 'x')</c> and <c>Actual value was …</c>.</summary>
    private static string Clean(ArgumentException ex)
    {
        string message = ex.Message;
        int actual = message.IndexOf("Actual value was", StringComparison.Ordinal);
        if (actual >= 0)
        {
            message = message[..actual];
        }

        if (ex.ParamName is not null)
        {
            message = message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
        }

        return Translate(OneLine(message));
    }

    /// <summary>Collapses line breaks and tabs to single spaces and removes .NET type names.</summary>
    private static string OneLine(string message)
    {
        string text = WhitespaceRun().Replace(message, " ").Trim();
        return TypeName().Replace(text, "a value");
    }

    private static string ParseErrorLine(ParseError error, ParseResult parse)
    {
        string message = error.Message;
        Match conversion = ConversionError().Match(message);
        if (conversion.Success)
        {
            string value = conversion.Groups["value"].Value;
            string name = conversion.Groups["name"].Value;
            string expected = Expected(conversion.Groups["type"].Value);
            return $"{name}: '{value}' is not {expected}";
        }

        Match choice = ChoiceError().Match(message);
        if (choice.Success)
        {
            string[] allowed = [.. Regex.Matches(choice.Groups["list"].Value, "'([^']*)'").Select(m => m.Groups[1].Value)];
            string name = error.SymbolResult switch
            {
                OptionResult o => o.Option.Name,
                ArgumentResult a => a.Argument.Name,
                _ => "value",
            };
            return $"{name}: '{choice.Groups["value"].Value}' is not one of {string.Join(", ", allowed)}";
        }

        string path = CommandPath(parse.CommandResult);
        if (message.StartsWith("Required argument missing", StringComparison.Ordinal))
        {
            string[] missing = [.. parse.CommandResult.Command.Arguments.Where(a => parse.GetResult(a) is null || parse.GetResult(a)!.Tokens.Count == 0).Select(a => a.Name)];
            return missing.Length == 0
                ? $"{path}: an argument is missing (see 'eventsnn {path} --help')"
                : $"{path}: the {string.Join(" and ", missing)} argument{(missing.Length > 1 ? "s are" : " is")} missing (see 'eventsnn {path} --help')";
        }

        if (message.StartsWith("Required command was not provided", StringComparison.Ordinal))
        {
            string commands = string.Join(", ", parse.CommandResult.Command.Subcommands.Where(c => !c.Hidden).Select(c => c.Name));
            return path.Length == 0
                ? $"a command is needed: {commands} (see 'eventsnn --help')"
                : $"{path}: a command is needed: {commands} (see 'eventsnn {path} --help')";
        }

        Match unknown = UnrecognisedError().Match(message);
        if (unknown.Success)
        {
            return $"unknown command, option or argument '{unknown.Groups["token"].Value}' (see 'eventsnn {(path.Length == 0 ? string.Empty : path + " ")}--help')";
        }

        return Translate(OneLine(message));
    }

    private static string CommandPath(CommandResult result)
    {
        var names = new List<string>();
        for (SymbolResult? r = result; r is CommandResult c; r = r.Parent)
        {
            if (c.Parent is not null)
            {
                names.Add(c.Command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }

    private static string Expected(string typeName)
    {
        string t = typeName.StartsWith("System.Nullable`1[", StringComparison.Ordinal) ? typeName[18..^1] : typeName;
        return t switch
        {
            "System.Double" or "System.Single" or "System.Decimal" => "a number",
            "System.Int32" => string.Create(CultureInfo.InvariantCulture, $"a whole number in {int.MinValue}..{int.MaxValue}"),
            "System.Int64" => string.Create(CultureInfo.InvariantCulture, $"a whole number in {long.MinValue}..{long.MaxValue}"),
            "System.Int16" => "a whole number in -32768..32767",
            "System.UInt64" => string.Create(CultureInfo.InvariantCulture, $"a whole number in 0..{ulong.MaxValue}"),
            "System.UInt32" => string.Create(CultureInfo.InvariantCulture, $"a whole number in 0..{uint.MaxValue}"),
            "System.UInt16" => "a whole number in 0..65535",
            "System.Byte" => "a whole number in 0..255",
            "System.Boolean" => "true or false",
            "System.IO.FileInfo" => "a file path",
            "System.IO.DirectoryInfo" => "a folder path",
            _ => "a valid value",
        };
    }

    private static string NotFound(DatasetNotFoundException ex)
    {
        string where = ex.LookedAt.Count switch
        {
            0 => string.Empty,
            1 => $" (looked for {ex.LookedAt[0]})",
            _ => string.Create(CultureInfo.InvariantCulture, $" (looked for {ex.LookedAt[0]} and {ex.LookedAt.Count - 1} other layout(s))"),
        };
        return $"{ex.Dataset} is not in the root folder{where}; add --download to download and verify it, or see 'eventsnn datasets list' for its archives and docs/Datasets.md";
    }

    /// <summary>A sentence naming the options to lower: the numeric options given on the command line, else the command's numeric options.</summary>
    internal static string LimitsToLower(ParseResult? parse)
    {
        if (parse is null)
        {
            return "use smaller inputs or limits";
        }

        var given = new List<string>();
        var all = new List<string>();
        foreach (Option option in parse.CommandResult.Command.Options)
        {
            if (!IsNumeric(option.ValueType))
            {
                continue;
            }

            all.Add(option.Name);
            if (parse.GetResult(option) is OptionResult { Implicit: false } result && result.Tokens.Count > 0)
            {
                given.Add($"{option.Name} ({result.Tokens[0].Value})");
            }
        }

        if (given.Count > 0)
        {
            return $"lower {string.Join(" or ", given)}";
        }

        return all.Count > 0 ? $"lower {string.Join(" or ", all)}" : "use a smaller input";
    }

    private static bool IsNumeric(Type type)
    {
        Type t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(double) || t == typeof(float) || t == typeof(ulong) || t == typeof(uint);
    }

    /// <summary>Whether an I/O error is a full disk or an exhausted quota (ENOSPC, EDQUOT, ERROR_DISK_FULL, ERROR_HANDLE_DISK_FULL).</summary>
    internal static bool IsDiskFull(IOException ex)
    {
        int code = ex.HResult & 0xFFFF;
        return ex.HResult is 28 or 122 || code is 0x70 or 0x27
            || ex.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase)
            || ex.Message.Contains("quota exceeded", StringComparison.OrdinalIgnoreCase);
    }

    [GeneratedRegex(@"^Cannot parse argument '(?<value>.*)' for (option|command|argument) '(?<name>[^']*)' as expected type '(?<type>[^']*)'\.?", RegexOptions.Singleline)]
    private static partial Regex ConversionError();

    [GeneratedRegex(@"^Argument '(?<value>.*)' not recognized\. Must be one of:(?<list>.*)$", RegexOptions.Singleline)]
    private static partial Regex ChoiceError();

    [GeneratedRegex(@"^Unrecognized command or argument '(?<token>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex UnrecognisedError();

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhitespaceRun();

    [GeneratedRegex(@"'?System\.[A-Z][A-Za-z0-9_.`\[\]]*'?")]
    private static partial Regex TypeName();
}
