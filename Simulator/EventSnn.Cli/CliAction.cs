namespace EventSnn.Cli;

/// <summary>
/// Runs a command body and turns user errors (bad files, bad option values, missing inputs) into one
/// line on standard error and a non-zero exit code, never a stack trace.
/// </summary>
internal static class CliAction
{
    /// <summary>Exit code for a user error: the command could not do what was asked.</summary>
    public const int UserError = 1;

    /// <summary>Runs <paramref name="body"/>, reporting user errors as one line.</summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (Exception ex) when (IsUserError(ex))
        {
            Console.Error.WriteLine($"eventsnn: error: {ex.Message}");
            return UserError;
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
