namespace EventSnn.Datasets.Download;

/// <summary>How a downloaded file is unpacked.</summary>
public enum ArchiveKind
{
    /// <summary>Not an archive: the file is used as it is.</summary>
    None = 0,

    /// <summary>A ZIP archive.</summary>
    Zip,

    /// <summary>An uncompressed tar archive.</summary>
    Tar,

    /// <summary>A gzip-compressed tar archive (<c>.tar.gz</c>, <c>.tgz</c>).</summary>
    TarGz,

    /// <summary>A single gzip-compressed file (<c>.gz</c>): unpacks to the name without <c>.gz</c>.</summary>
    GZip,
}

/// <summary>
/// A file published by a dataset's authors: where to get it, the local name to store it under, the
/// checksum they published and, optionally, its size and how to unpack it.
/// </summary>
/// <param name="Url">The official download location.</param>
/// <param name="FileName">The local file name (no folders).</param>
/// <param name="Checksum">The published checksum the download must match.</param>
public sealed record RemoteFile(Uri Url, string FileName, FileChecksum Checksum)
{
    private readonly ArchiveKind? _archive;

    /// <summary>The size in bytes when published (used to detect a finished partial file and to bound the transfer), or null.</summary>
    public long? Size { get; init; }

    /// <summary>How the file is unpacked; by default inferred from <see cref="FileName"/>'s extension.</summary>
    public ArchiveKind Archive
    {
        get => _archive ?? InferArchiveKind(FileName);
        init => _archive = value;
    }

    /// <summary>Infers the archive kind from a file name's extension (<c>.zip</c>, <c>.tar</c>, <c>.tar.gz</c>/<c>.tgz</c>, <c>.gz</c>).</summary>
    public static ArchiveKind InferArchiveKind(string fileName)
    {
        ArgumentNullException.ThrowIfNull(fileName);
        if (fileName.EndsWith(".zip", StringComparison.OrdinalIgnoreCase))
        {
            return ArchiveKind.Zip;
        }

        if (fileName.EndsWith(".tar.gz", StringComparison.OrdinalIgnoreCase) || fileName.EndsWith(".tgz", StringComparison.OrdinalIgnoreCase))
        {
            return ArchiveKind.TarGz;
        }

        if (fileName.EndsWith(".tar", StringComparison.OrdinalIgnoreCase))
        {
            return ArchiveKind.Tar;
        }

        return fileName.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? ArchiveKind.GZip : ArchiveKind.None;
    }

    internal void Validate(string paramName)
    {
        ArgumentNullException.ThrowIfNull(Url, paramName);
        ArgumentNullException.ThrowIfNull(Checksum, paramName);
        if (!Url.IsAbsoluteUri || (Url.Scheme != Uri.UriSchemeHttp && Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"The URL of '{FileName}' must be absolute http(s): '{Url}'.", paramName);
        }

        if (string.IsNullOrWhiteSpace(FileName) || FileName != Path.GetFileName(FileName) || FileName is "." or ".."
            || FileName.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
        {
            throw new ArgumentException($"'{FileName}' is not a plain file name.", paramName);
        }

        if (Size is < 0)
        {
            throw new ArgumentException($"The size of '{FileName}' is negative.", paramName);
        }
    }
}
