using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using Microsoft.Extensions.Logging;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>How a dataset is located, downloaded and read. All optional.</summary>
public sealed record DatasetOptions
{
    /// <summary>The default options: no download (offline), default reader options.</summary>
    public static DatasetOptions Default { get; } = new();

    /// <summary>Whether a missing dataset may be downloaded from its official location (default false).</summary>
    public bool Download { get; init; }

    /// <summary>
    /// The HTTP client for downloads (inject for proxies or tests); null uses a shared client without a timeout.
    /// An injected client's <see cref="HttpClient.Timeout"/> bounds each whole request, so give large archives an
    /// infinite one: stalls are detected by <see cref="DownloadOptions.StallTimeout"/>.
    /// </summary>
    public HttpClient? HttpClient { get; init; }

    /// <summary>Download retry/resume bounds; null for defaults.</summary>
    public DownloadOptions? DownloadOptions { get; init; }

    /// <summary>Archive extraction bounds; null for defaults.</summary>
    public ExtractionLimits? ExtractionLimits { get; init; }

    /// <summary>Receives download progress.</summary>
    public IProgress<DownloadProgress>? Progress { get; init; }

    /// <summary>Optional logger.</summary>
    public ILogger? Logger { get; init; }

    /// <summary>Options passed to the sample readers; null for a 64 KiB read buffer and no overrides.</summary>
    public EventReaderOptions? ReaderOptions { get; init; }

    internal EventReaderOptions EffectiveReaderOptions => ReaderOptions ?? DefaultReaderOptions;

    internal static EventReaderOptions DefaultReaderOptions { get; } = new() { BufferSize = 64 << 10 };
}
