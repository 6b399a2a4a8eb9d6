using System.Formats.Tar;
using System.IO.Compression;

namespace EventSnn.Datasets.Download;

/// <summary>Bounds on what one archive may unpack to (guards against archive bombs and hostile headers).</summary>
public sealed record ExtractionLimits
{
    /// <summary>The default limits: 1 TiB in all, 256 GiB per entry, 4 million entries.</summary>
    public static ExtractionLimits Default { get; } = new();

    /// <summary>Most bytes written for the whole archive (counted as written, not as declared).</summary>
    public long MaxTotalBytes { get; init; } = 1L << 40;

    /// <summary>Most bytes written for one entry.</summary>
    public long MaxEntryBytes { get; init; } = 256L << 30;

    /// <summary>Most entries (files, folders, links).</summary>
    public int MaxEntries { get; init; } = 4_000_000;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxTotalBytes, 1, nameof(MaxTotalBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntryBytes, 1, nameof(MaxEntryBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxEntries, 1, nameof(MaxEntries));
    }
}

/// <summary>What an extraction wrote.</summary>
/// <param name="Files">Regular files written.</param>
/// <param name="Directories">Folders created from folder entries.</param>
/// <param name="Links">Links created (symbolic, or hard links copied).</param>
/// <param name="Bytes">Bytes written.</param>
/// <param name="SkippedEntries">Entries that are neither files, folders nor links (devices, FIFOs) and were not created.</param>
public readonly record struct ExtractionResult(int Files, int Directories, int Links, long Bytes, int SkippedEntries);

/// <summary>
/// Unpacks ZIP, tar, tar.gz and single-file gzip archives safely: every entry must land inside the
/// destination folder.
/// </summary>
/// <remarks>
/// <para>Rejected (with <see cref="UnsafeArchiveException"/>): entry names with a <c>..</c> segment,
/// absolute names (<c>/x</c>, <c>C:\x</c>, <c>\\server</c>), NUL characters, symbolic links whose target is
/// absolute or resolves outside the destination, hard links to names outside it, and archives beyond
/// <see cref="ExtractionLimits"/>. Backslashes in names are treated as separators.</para>
/// <para>Extraction is all-or-nothing: entries go to a fresh staging folder inside the destination
/// (<see cref="StagingPrefix"/> + a GUID) and are moved into place only when the whole archive succeeded; on any
/// error the staging folder is deleted (and the destination too, if this call created it and it is empty).</para>
/// <para>Device and FIFO entries are not created (counted in <see cref="ExtractionResult.SkippedEntries"/>).</para>
/// </remarks>
public static class ArchiveExtractor
{
    /// <summary>The name prefix of the staging folder created inside the destination during an extraction.</summary>
    public const string StagingPrefix = ".eventsnn-extract-";

    /// <summary>
    /// Extracts <paramref name="archivePath"/> into <paramref name="destination"/> (created if needed; existing
    /// files of the same name are replaced, other content is kept).
    /// </summary>
    /// <param name="archivePath">The archive file.</param>
    /// <param name="destination">The folder to unpack into.</param>
    /// <param name="kind">The archive kind; <see cref="ArchiveKind.None"/> infers it from the file name.</param>
    /// <param name="limits">Size and entry bounds; null for <see cref="ExtractionLimits.Default"/>.</param>
    /// <param name="cancellationToken">Cancels between entries and while copying.</param>
    /// <exception cref="UnsafeArchiveException">An entry would escape the destination, or a limit was exceeded.</exception>
    /// <exception cref="InvalidDataException">The archive is corrupt.</exception>
    public static ExtractionResult Extract(string archivePath, string destination, ArchiveKind kind = ArchiveKind.None, ExtractionLimits? limits = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(archivePath);
        ArgumentException.ThrowIfNullOrEmpty(destination);
        limits ??= ExtractionLimits.Default;
        limits.Validate();
        if (kind == ArchiveKind.None)
        {
            kind = RemoteFile.InferArchiveKind(archivePath);
            if (kind == ArchiveKind.None)
            {
                throw new ArgumentException($"'{archivePath}' has no archive extension (.zip, .tar, .tar.gz, .tgz, .gz); pass the kind.", nameof(kind));
            }
        }

        if (!File.Exists(archivePath))
        {
            throw new FileNotFoundException($"Archive not found: {archivePath}", archivePath);
        }

        string destFull = Path.GetFullPath(destination);
        bool createdDestination = !Directory.Exists(destFull);
        Directory.CreateDirectory(destFull);
        string staging = Path.Combine(destFull, $"{StagingPrefix}{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        bool succeeded = false;
        try
        {
            var state = new State(archivePath, Path.GetFullPath(staging), limits, cancellationToken);
            switch (kind)
            {
                case ArchiveKind.Zip:
                    ExtractZip(state);
                    break;
                case ArchiveKind.Tar:
                    using (var fs = OpenRead(archivePath))
                    {
                        ExtractTar(state, fs);
                    }

                    break;
                case ArchiveKind.TarGz:
                    using (var fs = OpenRead(archivePath))
                    using (var gz = new GZipStream(fs, CompressionMode.Decompress))
                    {
                        ExtractTar(state, gz);
                    }

                    break;
                case ArchiveKind.GZip:
                    ExtractGZip(state);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown archive kind.");
            }

            MergeInto(staging, destFull);
            succeeded = true;
            return new ExtractionResult(state.Files, state.Directories, state.Links, state.Bytes, state.Skipped);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }

            if (!succeeded && createdDestination && !Directory.EnumerateFileSystemEntries(destFull).Any())
            {
                Directory.Delete(destFull);
            }
        }
    }

    /// <summary>
    /// Resolves an archive entry name to a full path inside <paramref name="root"/> (a full path), or throws
    /// <see cref="UnsafeArchiveException"/> when it would land outside.
    /// </summary>
    /// <returns>The full path, or null for names that denote the root itself (<c>./</c>).</returns>
    public static string? ResolveEntryPath(string root, string entryName, string archivePath)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(entryName);
        string name = entryName.Replace('\\', '/');
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw new UnsafeArchiveException(archivePath, entryName, "the name contains a NUL character.");
        }

        if (name.StartsWith('/') || (name.Length >= 2 && name[1] == ':' && char.IsAsciiLetter(name[0])) || Path.IsPathRooted(name))
        {
            throw new UnsafeArchiveException(archivePath, entryName, "absolute paths are not allowed.");
        }

        var segments = new List<string>();
        foreach (string segment in name.Split('/'))
        {
            if (segment is "" or ".")
            {
                continue;
            }

            if (segment == "..")
            {
                throw new UnsafeArchiveException(archivePath, entryName, "'..' segments are not allowed (path traversal).");
            }

            segments.Add(segment);
        }

        if (segments.Count == 0)
        {
            return null;
        }

        string full = Path.GetFullPath(Path.Combine(root, Path.Combine([.. segments])));
        if (!IsInside(root, full))
        {
            throw new UnsafeArchiveException(archivePath, entryName, "the entry resolves outside the destination folder.");
        }

        return full;
    }

    private static bool IsInside(string root, string full)
    {
        string rootWithSep = root.EndsWith(Path.DirectorySeparatorChar) ? root : root + Path.DirectorySeparatorChar;
        return full.StartsWith(rootWithSep, StringComparison.Ordinal);
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

    private static void ExtractZip(State state)
    {
        using var zip = ZipFile.OpenRead(state.ArchivePath);
        foreach (ZipArchiveEntry entry in zip.Entries)
        {
            state.NextEntry(entry.FullName);
            string? path = ResolveEntryPath(state.Root, entry.FullName, state.ArchivePath);
            if (path is null)
            {
                continue;
            }

            if (entry.FullName.EndsWith('/') || entry.FullName.EndsWith('\\'))
            {
                Directory.CreateDirectory(path);
                state.Directories++;
                continue;
            }

            if (entry.Length > state.Limits.MaxEntryBytes)
            {
                throw new UnsafeArchiveException(state.ArchivePath, entry.FullName, $"it declares {entry.Length} bytes, more than the {state.Limits.MaxEntryBytes} allowed per entry.");
            }

            using Stream input = entry.Open();
            state.WriteFile(path, entry.FullName, input);
        }
    }

    private static void ExtractTar(State state, Stream stream)
    {
        using var reader = new TarReader(stream, leaveOpen: true);
        var hardLinks = new List<(string Path, string Target, string Name)>();
        TarEntry? entry;
        while ((entry = reader.GetNextEntry(copyData: false)) is not null)
        {
            state.NextEntry(entry.Name);
            string? path = ResolveEntryPath(state.Root, entry.Name, state.ArchivePath);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (path is not null)
                    {
                        Directory.CreateDirectory(path);
                        state.Directories++;
                    }

                    break;
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    if (path is null)
                    {
                        throw new UnsafeArchiveException(state.ArchivePath, entry.Name, "a file entry has an empty name.");
                    }

                    if (entry.Length > state.Limits.MaxEntryBytes)
                    {
                        throw new UnsafeArchiveException(state.ArchivePath, entry.Name, $"it declares {entry.Length} bytes, more than the {state.Limits.MaxEntryBytes} allowed per entry.");
                    }

                    state.WriteFile(path, entry.Name, entry.DataStream ?? Stream.Null);
                    break;
                case TarEntryType.SymbolicLink:
                    if (path is null)
                    {
                        throw new UnsafeArchiveException(state.ArchivePath, entry.Name, "a link entry has an empty name.");
                    }

                    CreateSymbolicLink(state, entry, path);
                    break;
                case TarEntryType.HardLink:
                    if (path is null)
                    {
                        throw new UnsafeArchiveException(state.ArchivePath, entry.Name, "a link entry has an empty name.");
                    }

                    string? target = ResolveEntryPath(state.Root, entry.LinkName, state.ArchivePath)
                        ?? throw new UnsafeArchiveException(state.ArchivePath, entry.Name, "a hard link points at the root folder.");
                    hardLinks.Add((path, target, entry.Name));
                    break;
                case TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes:
                    break;
                default:
                    state.Skipped++;
                    break;
            }
        }

        // Hard links are materialised as copies once every file is there (their target may come later).
        foreach ((string path, string target, string name) in hardLinks)
        {
            if (!File.Exists(target))
            {
                throw new UnsafeArchiveException(state.ArchivePath, name, "a hard link points at a file the archive does not contain.");
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            using (FileStream source = OpenRead(target))
            {
                state.WriteFile(path, name, source);
            }

            state.Files--;
            state.Links++;
        }
    }

    private static void CreateSymbolicLink(State state, TarEntry entry, string path)
    {
        string linkName = entry.LinkName.Replace('\\', '/');
        if (linkName.Length == 0 || linkName.StartsWith('/') || Path.IsPathRooted(linkName)
            || (linkName.Length >= 2 && linkName[1] == ':' && char.IsAsciiLetter(linkName[0])))
        {
            throw new UnsafeArchiveException(state.ArchivePath, entry.Name, $"the symbolic link's target '{entry.LinkName}' is absolute.");
        }

        string baseDir = Path.GetDirectoryName(path)!;
        string resolved = Path.GetFullPath(Path.Combine(baseDir, linkName));
        if (resolved != state.Root && !IsInside(state.Root, resolved))
        {
            throw new UnsafeArchiveException(state.ArchivePath, entry.Name, $"the symbolic link's target '{entry.LinkName}' resolves outside the destination folder.");
        }

        Directory.CreateDirectory(baseDir);
        if (File.Exists(path) || Directory.Exists(path))
        {
            throw new UnsafeArchiveException(state.ArchivePath, entry.Name, "a symbolic link would replace an entry already extracted.");
        }

        File.CreateSymbolicLink(path, linkName);
        state.Links++;
    }

    private static void ExtractGZip(State state)
    {
        string name = Path.GetFileName(state.ArchivePath);
        name = name.EndsWith(".gz", StringComparison.OrdinalIgnoreCase) ? name[..^3] : name + ".out";
        string path = ResolveEntryPath(state.Root, name, state.ArchivePath)!;
        using FileStream fs = OpenRead(state.ArchivePath);
        using var gz = new GZipStream(fs, CompressionMode.Decompress);
        state.NextEntry(name);
        state.WriteFile(path, name, gz);
    }

    private static void MergeInto(string source, string destination)
    {
        foreach (string dir in Directory.EnumerateDirectories(source))
        {
            string target = Path.Combine(destination, Path.GetFileName(dir));
            var info = new DirectoryInfo(dir);
            if (info.LinkTarget is not null)
            {
                MoveEntry(dir, target, isDirectory: false);
            }
            else if (Directory.Exists(target) && new DirectoryInfo(target).LinkTarget is null)
            {
                MergeInto(dir, target);
            }
            else
            {
                MoveEntry(dir, target, isDirectory: true);
            }
        }

        foreach (string file in Directory.EnumerateFiles(source))
        {
            MoveEntry(file, Path.Combine(destination, Path.GetFileName(file)), isDirectory: false);
        }
    }

    private static void MoveEntry(string source, string target, bool isDirectory)
    {
        if (File.Exists(target) || (new FileInfo(target).LinkTarget is not null))
        {
            File.Delete(target);
        }
        else if (Directory.Exists(target))
        {
            Directory.Delete(target, recursive: true);
        }

        if (isDirectory)
        {
            Directory.Move(source, target);
        }
        else
        {
            File.Move(source, target);
        }
    }

    private sealed class State(string archivePath, string root, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        private readonly byte[] _buffer = new byte[1 << 16];

        public string ArchivePath { get; } = archivePath;

        public string Root { get; } = root;

        public ExtractionLimits Limits { get; } = limits;

        public int Entries { get; private set; }

        public int Files { get; set; }

        public int Directories { get; set; }

        public int Links { get; set; }

        public int Skipped { get; set; }

        public long Bytes { get; private set; }

        public void NextEntry(string name)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (++Entries > Limits.MaxEntries)
            {
                throw new UnsafeArchiveException(ArchivePath, name, $"the archive has more than {Limits.MaxEntries} entries.");
            }
        }

        public void WriteFile(string path, string name, Stream input)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            if (new FileInfo(path).LinkTarget is not null || Directory.Exists(path))
            {
                throw new UnsafeArchiveException(ArchivePath, name, "a file would replace a link or folder already extracted.");
            }

            // Writing through a symbolic link extracted earlier is refused: the real parent must be inside the root.
            string realParent = ResolveRealDirectory(Path.GetDirectoryName(path)!);
            if (realParent != Root && !IsInside(Root, realParent))
            {
                throw new UnsafeArchiveException(ArchivePath, name, "the entry's folder resolves outside the destination through a link.");
            }

            long written = 0;
            using var output = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
            int n;
            while ((n = input.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                written += n;
                if (written > Limits.MaxEntryBytes)
                {
                    throw new UnsafeArchiveException(ArchivePath, name, $"it unpacks to more than the {Limits.MaxEntryBytes} bytes allowed per entry.");
                }

                if (Bytes + written > Limits.MaxTotalBytes)
                {
                    throw new UnsafeArchiveException(ArchivePath, name, $"the archive unpacks to more than the {Limits.MaxTotalBytes} bytes allowed.");
                }

                output.Write(_buffer, 0, n);
            }

            Bytes += written;
            Files++;
        }

        private string ResolveRealDirectory(string directory)
        {
            // Walk from the root down; any component that is a link is resolved to its final target.
            string relative = Path.GetRelativePath(Root, directory);
            if (relative == ".")
            {
                return Root;
            }

            string current = Root;
            foreach (string part in relative.Split(Path.DirectorySeparatorChar))
            {
                current = Path.Combine(current, part);
                var info = new DirectoryInfo(current);
                if (info.LinkTarget is not null)
                {
                    FileSystemInfo? target = info.ResolveLinkTarget(returnFinalTarget: true);
                    current = target is null ? current : Path.GetFullPath(target.FullName);
                }
            }

            return current;
        }
    }
}
