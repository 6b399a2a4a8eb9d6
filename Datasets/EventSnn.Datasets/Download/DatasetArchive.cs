namespace EventSnn.Datasets.Download;

/// <summary>An archive nested inside a downloaded archive that must be unpacked too (e.g. N-CARS's per-split zips).</summary>
/// <param name="RelativePath">Its path inside the extracted outer archive (forward slashes), relative to the outer archive's extraction folder; when absent there, a single file of the same name anywhere below is used.</param>
/// <param name="Checksum">The published checksum of the nested archive, or null when none is published (the outer checksum then covers it).</param>
public sealed record NestedArchive(string RelativePath, FileChecksum? Checksum)
{
    /// <summary>Where to unpack it, relative to the outer archive's extraction folder; "" for the folder holding the nested archive.</summary>
    public string? ExtractTo { get; init; }

    /// <summary>Whether the nested archive is deleted after it was unpacked (default true).</summary>
    public bool DeleteAfterExtraction { get; init; } = true;
}

/// <summary>
/// One downloadable part of a dataset: the published file, where it unpacks (relative to the dataset's
/// root folder) and any nested archives inside it.
/// </summary>
/// <param name="Remote">The published file.</param>
public sealed record DatasetArchive(RemoteFile Remote)
{
    /// <summary>Folder, relative to the dataset root, that the archive unpacks into; "" for the root itself.</summary>
    public string ExtractTo { get; init; } = string.Empty;

    /// <summary>Archives inside this one to unpack after it.</summary>
    public IReadOnlyList<NestedArchive> Nested { get; init; } = [];

    /// <summary>Whether the downloaded archive is kept after a verified extraction (default true, like a cache).</summary>
    public bool KeepArchive { get; init; } = true;
}
