namespace EventSnn.Cli;

// Error convention of the eventsnn tool. Every command, including commands added later, gets it by being added to
// Program.BuildRoot and run through Program.Run:
//  - stdout carries only the command's result; every error is ONE line on stderr, "eventsnn: error: <what and where>",
//    in the tool's words (flag names, never .NET type names, parameter names or library API advice);
//  - exit code 0 success, 1 failure (bad or missing file, I/O, resource limits), 2 usage error (the command line
//    itself: unknown option, malformed or out-of-range value, missing argument);
//  - parse errors are rendered by CliErrors.ParseErrorLines (no help dump: --help shows the help);
//  - a command body runs inside CliAction.Run: throw CliUsageException (or an ArgumentException whose parameter or
//    message names a --flag) for usage errors, any IOException/InvalidDataException/... for failures; out-of-memory
//    and other resource failures are turned into a sentence naming the options to lower (CliErrors.Describe);
//  - range checks belong in option validators (CliOptions), so they are usage errors found before the command runs.

/// <summary>Runs a command body and turns its exceptions into one line on standard error and an exit code (see the convention above).</summary>
internal static class CliAction
{
    /// <summary>Exit code for success.</summary>
    public const int Success = 0;

    /// <summary>Exit code for a failure: the command could not do what was asked (bad file, I/O, resource limits).</summary>
    public const int UserError = 1;

    /// <summary>Exit code for a usage error: the command line itself is wrong.</summary>
    public const int UsageError = 2;

    [ThreadStatic]
    private static TextWriter? t_error;

    /// <summary>Where error lines go: <see cref="ErrorOverride"/> while <c>Program.Run</c> runs a command, else standard error.</summary>
    internal static TextWriter Error => t_error ?? Console.Error;

    /// <summary>The invocation's error writer while <c>Program.Run</c> runs a command on this thread; null otherwise.</summary>
    internal static TextWriter? ErrorOverride
    {
        get => t_error;
        set => t_error = value;
    }

    /// <summary>Runs <paramref name="body"/>, reporting user and usage errors as one line.</summary>
    /// <param name="body">The command body; returns the exit code.</param>
    /// <returns>The exit code.</returns>
    public static int Run(Func<int> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        try
        {
            return body();
        }
        catch (Exception ex) when (CliErrors.Describe(ex, CliErrors.CurrentParse) is { } error)
        {
            Error.WriteLine($"eventsnn: error: {error.Message}");
            return error.ExitCode;
        }
    }

    /// <summary>Whether an exception describes bad input rather than a bug in EventSnn.</summary>
    internal static bool IsUserError(Exception ex) => ex
        is ArgumentException
        or InvalidDataException
        or FormatException
        or IOException
        or UnauthorizedAccessException
        or NotSupportedException
        or OverflowException;
}

/// <summary>A usage error found by a command (exit code 2): the message names the flag and what is wrong with it.</summary>
internal sealed class CliUsageException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The one-line message, naming the flag.</param>
    public CliUsageException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CliUsageException()
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">The one-line message.</param>
    /// <param name="inner">The cause.</param>
    public CliUsageException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
