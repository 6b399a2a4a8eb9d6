namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// A network file could not be loaded. <see cref="Exception.Message"/> is one line naming the file, the JSON path and
/// the problem, for example <c>net.json: $.populations[2].params.tau_m_ms: must be &gt; 0 (got -3)</c>.
/// </summary>
public sealed class NetworkFileException : FormatException
{
    /// <summary>Creates the exception for one problem.</summary>
    /// <param name="file">The file as the caller named it.</param>
    /// <param name="jsonPath">The JSON path of the offending value (<c>$</c> for the whole document).</param>
    /// <param name="problem">What is wrong.</param>
    public NetworkFileException(string file, string jsonPath, string problem)
        : this(file, [(jsonPath, problem)])
    {
    }

    /// <summary>Creates the exception for one or more problems; the message shows the first and counts the rest.</summary>
    /// <param name="file">The file as the caller named it.</param>
    /// <param name="problems">Each problem with its JSON path (at least one).</param>
    public NetworkFileException(string file, IReadOnlyList<(string JsonPath, string Problem)> problems)
        : base(Describe(file, problems))
    {
        File = file;
        JsonPath = problems.Count > 0 ? problems[0].JsonPath : "$";
        Problem = problems.Count > 0 ? problems[0].Problem : "invalid network file";
        Problems = [.. problems.Select(p => $"{file}: {p.JsonPath}: {p.Problem}")];
    }

    /// <summary>Creates the exception with a message only.</summary>
    public NetworkFileException()
        : this("network file", "$", "invalid network file")
    {
    }

    /// <summary>Creates the exception with a message only.</summary>
    /// <param name="message">The message.</param>
    public NetworkFileException(string message)
        : this("network file", "$", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="inner">The cause.</param>
    public NetworkFileException(string message, Exception inner)
        : base(message, inner)
    {
        File = "network file";
        JsonPath = "$";
        Problem = message;
        Problems = [message];
    }

    /// <summary>The file as the caller named it.</summary>
    public string File { get; }

    /// <summary>The JSON path of the first problem.</summary>
    public string JsonPath { get; }

    /// <summary>The first problem, without file and path.</summary>
    public string Problem { get; }

    /// <summary>Every problem found, each as one line <c>file: path: problem</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Describe(string file, IReadOnlyList<(string JsonPath, string Problem)> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (problems.Count == 0)
        {
            return $"{file}: $: invalid network file";
        }

        string first = $"{file}: {problems[0].JsonPath}: {OneLine(problems[0].Problem)}";
        return problems.Count == 1 ? first : $"{first} (and {problems.Count - 1} more problem{(problems.Count == 2 ? string.Empty : "s")})";
    }

    private static string OneLine(string s) => s.Replace('\r', ' ').Replace('\n', ' ');
}
