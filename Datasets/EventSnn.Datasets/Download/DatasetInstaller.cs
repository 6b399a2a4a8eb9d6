using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Datasets.Download;

/// <summary>
/// Downloads, verifies and unpacks a dataset's archives into its root folder, leaving a marker file per
/// archive once its verified contents are in place.
/// </summary>
/// <remarks>
/// <para>Layout of a root folder: the downloaded archives (<c>&lt;root&gt;/&lt;file name&gt;</c>, unless
/// <see cref="DatasetArchive.KeepArchive"/> is false), the unpacked contents, and
/// <c>&lt;root&gt;/.eventsnn/&lt;file name&gt;.extracted</c> markers holding the verified checksum.</para>
/// <para>An archive whose marker names the same checksum is skipped without any network call. Extraction
/// goes through a staging folder (see <see cref="ArchiveExtractor"/>), so an interrupted or rejected
/// extraction leaves neither contents nor marker behind.</para>
/// </remarks>
public sealed partial class DatasetInstaller
{
    /// <summary>The folder (under a dataset root) that holds the markers.</summary>
    public const string MarkerFolder = ".eventsnn";

    private readonly FileDownloader _downloader;
    private readonly ExtractionLimits _limits;
    private readonly ILogger _logger;

    /// <summary>Creates an installer.</summary>
    /// <param name="downloader">The downloader (its HttpClient decides where requests go).</param>
    /// <param name="limits">Extraction bounds; null for <see cref="ExtractionLimits.Default"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public DatasetInstaller(FileDownloader downloader, ExtractionLimits? limits = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(downloader);
        _downloader = downloader;
        _limits = limits ?? ExtractionLimits.Default;
        _limits.Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The marker path for <paramref name="archive"/> under <paramref name="root"/>.</summary>
    public static string MarkerPath(string root, DatasetArchive archive)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(archive);
        return Path.Combine(root, MarkerFolder, archive.Remote.FileName + ".extracted");
    }

    /// <summary>Whether <paramref name="archive"/> was unpacked and verified under <paramref name="root"/> (its marker names its checksum).</summary>
    public static bool IsInstalled(string root, DatasetArchive archive)
    {
        string marker = MarkerPath(root, archive);
        if (!File.Exists(marker))
        {
            return false;
        }

        string text = File.ReadAllText(marker).Trim();
        return string.Equals(text, archive.Remote.Checksum.ToString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Makes sure every archive is downloaded, verified and unpacked under <paramref name="root"/>;
    /// archives already marked as installed are skipped unless <paramref name="ignoreMarkers"/> is set (for when the
    /// unpacked files were removed: the archive is then unpacked again, from the verified copy on disk when there is one).
    /// </summary>
    /// <exception cref="DatasetDownloadException">A download failed or did not verify.</exception>
    /// <exception cref="UnsafeArchiveException">An archive was rejected.</exception>
    public async Task InstallAsync(string root, IReadOnlyList<DatasetArchive> archives, IProgress<DownloadProgress>? progress = null, bool ignoreMarkers = false, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(root);
        ArgumentNullException.ThrowIfNull(archives);
        Directory.CreateDirectory(root);
        foreach (DatasetArchive archive in archives)
        {
            ArgumentNullException.ThrowIfNull(archive, nameof(archives));
            if (!ignoreMarkers && IsInstalled(root, archive))
            {
                LogSkipped(_logger, archive.Remote.FileName, root);
                continue;
            }

            string path = await _downloader.DownloadAsync(archive.Remote, root, progress, cancellationToken).ConfigureAwait(false);
            await Task.Run(() => Unpack(root, archive, path, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
    }

    private void Unpack(string root, DatasetArchive archive, string path, CancellationToken cancellationToken)
    {
        string destination = ResolveRelative(root, archive.ExtractTo, nameof(archive));
        if (archive.Remote.Archive == ArchiveKind.None)
        {
            if (!string.Equals(Path.GetFullPath(Path.GetDirectoryName(path)!), destination, StringComparison.Ordinal))
            {
                Directory.CreateDirectory(destination);
                File.Copy(path, Path.Combine(destination, archive.Remote.FileName), overwrite: true);
            }
        }
        else
        {
            ExtractionResult result = ArchiveExtractor.Extract(path, destination, archive.Remote.Archive, _limits, cancellationToken);
            LogExtracted(_logger, path, result.Files, result.Bytes);
        }

        foreach (NestedArchive nested in archive.Nested)
        {
            string nestedPath = ResolveRelative(destination, nested.RelativePath, nameof(archive));
            if (!File.Exists(nestedPath))
            {
                // Publishers sometimes add or drop a top folder: accept a single file of that name anywhere below.
                string[] found = Directory.GetFiles(destination, Path.GetFileName(nestedPath), SearchOption.AllDirectories);
                if (found.Length != 1)
                {
                    throw new DatasetDownloadException(
                        $"{archive.Remote.FileName} was expected to contain {nested.RelativePath}, but {found.Length} file(s) of that name exist under {destination} after extraction.");
                }

                nestedPath = found[0];
            }

            if (nested.Checksum is not null && !nested.Checksum.Matches(nestedPath))
            {
                throw new DatasetDownloadException(
                    $"Checksum mismatch for {nestedPath} (inside {archive.Remote.FileName}): expected {nested.Checksum}.");
            }

            string nestedDestination = nested.ExtractTo is null
                ? Path.GetDirectoryName(nestedPath)!
                : ResolveRelative(destination, nested.ExtractTo, nameof(archive));
            ExtractionResult inner = ArchiveExtractor.Extract(nestedPath, nestedDestination, RemoteFile.InferArchiveKind(nestedPath), _limits, cancellationToken);
            LogExtracted(_logger, nestedPath, inner.Files, inner.Bytes);
            if (nested.DeleteAfterExtraction)
            {
                File.Delete(nestedPath);
            }
        }

        string marker = MarkerPath(root, archive);
        Directory.CreateDirectory(Path.GetDirectoryName(marker)!);
        string temp = marker + ".tmp";
        File.WriteAllText(temp, archive.Remote.Checksum.ToString() + "\n");
        File.Move(temp, marker, overwrite: true);
        if (!archive.KeepArchive && File.Exists(path))
        {
            File.Delete(path);
        }
    }

    private static string ResolveRelative(string root, string relative, string paramName)
    {
        string rootFull = Path.GetFullPath(root);
        if (string.IsNullOrEmpty(relative))
        {
            return rootFull;
        }

        string? full = ArchiveExtractor.ResolveEntryPath(rootFull, relative, "(dataset description)");
        return full ?? throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"'{relative}' is not a relative path."), paramName);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Archive} is already installed under {Root}")]
    private static partial void LogSkipped(ILogger logger, string archive, string root);

    [LoggerMessage(Level = LogLevel.Information, Message = "Extracted {Archive}: {Files} files, {Bytes} bytes")]
    private static partial void LogExtracted(ILogger logger, string archive, int files, long bytes);
}
