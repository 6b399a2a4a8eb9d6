using System.Text.RegularExpressions;

namespace EventSnn.Cli;

/// <summary>
/// Checks input and output paths before a command reads or writes, so a path error says what is wrong: the path is a
/// folder (or a file where a folder is needed), its parent folder does not exist, or it cannot be read or written.
/// </summary>
internal static partial class CliPaths
{
    /// <summary>Checks that <paramref name="path"/> is a readable file.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">How the command names it (e.g. <c>FILE</c>, <c>input</c>).</param>
    /// <returns>The full path.</returns>
    /// <exception cref="CliPathException">The path is a folder, does not exist, or cannot be read.</exception>
    public static string RequireInputFile(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliPathException($"{what} {full}: is a folder, not a file");
        }

        if (!File.Exists(full))
        {
            string? parent = Path.GetDirectoryName(full);
            throw new CliPathException(parent is not null && !Directory.Exists(parent)
                ? $"{what} {full}: no such file (folder {parent} does not exist)"
                : $"{what} {full}: no such file");
        }

        try
        {
            using var probe = new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliPathException($"{what} {full}: cannot be read (permission denied)");
        }

        return full;
    }

    /// <summary>Checks that a file can be created at <paramref name="path"/>: not a folder, parent folder present.</summary>
    /// <param name="path">The path as given.</param>
    /// <param name="what">How the command names it (e.g. <c>--png</c>, <c>output</c>).</param>
    /// <returns>The full path.</returns>
    /// <exception cref="CliPathException">The path is a folder, or its parent is missing or is a file.</exception>
    public static string RequireOutputFile(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new CliPathException($"{what} {full}: is a folder; give a file path");
        }

        string parent = Path.GetDirectoryName(full) ?? full;
        if (File.Exists(parent))
        {
            throw new CliPathException($"{what} {full}: {parent} is a file, not a folder");
        }

        if (!Directory.Exists(parent))
        {
            throw new CliPathException($"{what} {full}: folder {parent} does not exist");
        }

        return full;
    }

    /// <summary>Creates the output folder <paramref name="path"/> if needed.</summary>
    /// <param name="path">The folder path as given.</param>
    /// <param name="what">How the command names it (e.g. <c>--out</c>).</param>
    /// <returns>The full path.</returns>
    /// <exception cref="CliPathException">The path is a file, or the folder cannot be created.</exception>
    public static string RequireOutputFolder(string path, string what)
    {
        string full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            throw new CliPathException($"{what} {full}: is a file; give a folder path");
        }

        try
        {
            Directory.CreateDirectory(full);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliPathException($"{what} {full}: the folder cannot be created (permission denied in {Path.GetDirectoryName(full)})");
        }
        catch (IOException ex)
        {
            throw new CliPathException($"{what} {full}: the folder cannot be created ({ex.Message.TrimEnd('.')})", ex);
        }

        return full;
    }

    /// <summary>
    /// Explains a path exception raised by the system ("Access to the path … is denied", "Could not find …") from the
    /// state of the path it names; null when it names none.
    /// </summary>
    /// <param name="ex">The exception.</param>
    /// <returns>A one-line explanation, or null.</returns>
    public static string? Explain(Exception ex)
    {
        ArgumentNullException.ThrowIfNull(ex);
        // A FileNotFoundException without a file name comes from a library with its own explanation (kept as it is).
        string? path = ex is FileNotFoundException found ? found.FileName : QuotedPath().Match(ex.Message) is { Success: true } m ? m.Groups[1].Value : null;
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string full = Path.GetFullPath(path);
        string? parent = Path.GetDirectoryName(full);
        if (Directory.Exists(full))
        {
            return $"{full}: is a folder, not a file";
        }

        if (parent is not null && File.Exists(parent))
        {
            return $"{full}: {parent} is a file, not a folder";
        }

        if (parent is not null && !Directory.Exists(parent))
        {
            return $"{full}: folder {parent} does not exist";
        }

        if (ex is UnauthorizedAccessException)
        {
            return File.Exists(full) ? $"{full}: permission denied" : $"{full}: folder {parent} is not writable";
        }

        return File.Exists(full) ? null : $"{full}: no such file";
    }

    [GeneratedRegex("'([^']+)'")]
    private static partial Regex QuotedPath();
}

/// <summary>A path cannot be used as asked (exit code 1); the message names the path and what is wrong.</summary>
internal sealed class CliPathException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The one-line message.</param>
    public CliPathException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    public CliPathException()
    {
    }

    /// <summary>Creates the exception with a cause.</summary>
    /// <param name="message">The one-line message.</param>
    /// <param name="inner">The cause.</param>
    public CliPathException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
