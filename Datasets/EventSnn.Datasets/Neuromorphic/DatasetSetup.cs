using System.Text;
using EventSnn.Datasets.Download;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>Locates a dataset's files, downloading them when allowed, or explains where to get them.</summary>
internal static class DatasetSetup
{
    public static void Ensure(string displayName, string root, IReadOnlyList<DatasetArchive> archives, Func<bool> isPresent, Func<IReadOnlyList<string>> lookedAt, DatasetOptions options, string typeName)
    {
        if (isPresent())
        {
            return;
        }

        if (!options.Download)
        {
            throw NotFound(displayName, root, archives, lookedAt(), typeName);
        }

        EnsureAsync(displayName, root, archives, isPresent, lookedAt, options, typeName, CancellationToken.None).GetAwaiter().GetResult();
    }

    public static async Task EnsureAsync(string displayName, string root, IReadOnlyList<DatasetArchive> archives, Func<bool> isPresent, Func<IReadOnlyList<string>> lookedAt, DatasetOptions options, string typeName, CancellationToken cancellationToken)
    {
        if (isPresent())
        {
            return;
        }

        if (!options.Download)
        {
            throw NotFound(displayName, root, archives, lookedAt(), typeName);
        }

        var downloader = new FileDownloader(options.HttpClient, options.DownloadOptions, options.Logger);
        var installer = new DatasetInstaller(downloader, options.ExtractionLimits, options.Logger);
        // The layout is missing, so markers cannot be trusted (files may have been deleted): unpack again. A verified
        // archive still on disk is reused without a request.
        await installer.InstallAsync(root, archives, options.Progress, ignoreMarkers: true, cancellationToken).ConfigureAwait(false);
        if (!isPresent())
        {
            throw new DatasetNotFoundException(
                displayName,
                lookedAt(),
                $"The archives were downloaded, verified and extracted under {root}, but the expected layout is not there; "
                + "the published archive may have changed layout (see docs/Datasets.md).");
        }
    }

    public static DatasetNotFoundException NotFound(string displayName, string root, IReadOnlyList<DatasetArchive> archives, IReadOnlyList<string> lookedAt, string typeName)
    {
        var how = new StringBuilder();
        how.Append("Downloading is off: pass new DatasetOptions { Download = true } to ").Append(typeName)
            .Append(".Open/OpenAsync (command line: eventsnn datasets info ... --download), or download ");
        for (int i = 0; i < archives.Count; i++)
        {
            RemoteFile r = archives[i].Remote;
            if (i > 0)
            {
                how.Append(", ");
            }

            how.Append(r.Url).Append(" (").Append(r.FileName).Append(", ").Append(r.Checksum).Append(')');
        }

        how.Append(" and extract into ").Append(root).Append(". See docs/Datasets.md.");
        return new DatasetNotFoundException(displayName, lookedAt, how.ToString());
    }

    public static string CheckRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        return Path.GetFullPath(root);
    }
}
