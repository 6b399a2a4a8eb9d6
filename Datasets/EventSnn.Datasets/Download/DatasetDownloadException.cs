namespace EventSnn.Datasets.Download;

/// <summary>
/// A dataset file could not be downloaded or did not verify: the message names the URL, the local
/// path and what to do about it.
/// </summary>
public sealed class DatasetDownloadException : IOException
{
    /// <summary>Creates the exception.</summary>
    public DatasetDownloadException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public DatasetDownloadException(string message, Exception inner)
        : base(message, inner)
    {
    }

    /// <summary>Creates an empty exception (prefer the other constructors).</summary>
    public DatasetDownloadException()
    {
    }
}

/// <summary>
/// An archive entry would be written outside the extraction folder (<c>..</c>, an absolute path, a
/// link pointing out), or the archive exceeds the extraction limits. Nothing of the archive is left
/// in place when this is thrown.
/// </summary>
public sealed class UnsafeArchiveException : IOException
{
    /// <summary>Creates the exception for <paramref name="entryName"/> in <paramref name="archivePath"/>.</summary>
    public UnsafeArchiveException(string archivePath, string entryName, string problem)
        : base($"{archivePath}: entry '{entryName}': {problem}")
    {
        ArchivePath = archivePath;
        EntryName = entryName;
        Problem = problem;
    }

    /// <summary>Creates an empty exception (prefer the other constructor).</summary>
    public UnsafeArchiveException()
    {
        ArchivePath = string.Empty;
        EntryName = string.Empty;
        Problem = string.Empty;
    }

    /// <summary>Creates an exception with a message only (prefer the other constructor).</summary>
    public UnsafeArchiveException(string message)
        : base(message)
    {
        ArchivePath = string.Empty;
        EntryName = string.Empty;
        Problem = message;
    }

    /// <summary>Creates an exception with a message and cause (prefer the other constructor).</summary>
    public UnsafeArchiveException(string message, Exception inner)
        : base(message, inner)
    {
        ArchivePath = string.Empty;
        EntryName = string.Empty;
        Problem = message;
    }

    /// <summary>The archive's path.</summary>
    public string ArchivePath { get; }

    /// <summary>The offending entry's name as stored in the archive.</summary>
    public string EntryName { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
