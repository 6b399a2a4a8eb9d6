namespace EventSnn.Datasets.Download;

/// <summary>How <see cref="FileDownloader"/> retries, resumes and bounds a transfer.</summary>
public sealed record DownloadOptions
{
    /// <summary>The default options.</summary>
    public static DownloadOptions Default { get; } = new();

    /// <summary>How many requests one download may make (the first plus resumptions after a broken connection); 1..1000, default 8.</summary>
    public int MaxAttempts { get; init; } = 8;

    /// <summary>Pause before a resumption attempt (doubling each time, capped at 30 s); default 1 s, zero allowed.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>An attempt is abandoned (and resumed) when no byte arrives for this long; default 60 s.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The largest file accepted when its size is not published; default 256 GiB.</summary>
    public long MaxBytes { get; init; } = 256L << 30;

    /// <summary>Copy buffer size in bytes (4 KiB..16 MiB, default 1 MiB).</summary>
    public int BufferSize { get; init; } = 1 << 20;

    /// <summary>
    /// Told at once about every failed attempt (what failed, whether and when the next attempt starts, how many remain,
    /// and the partial bytes on disk), so a caller can report the first failure without waiting for the last.
    /// </summary>
    public IProgress<DownloadRetry>? RetryObserver { get; init; }

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxAttempts, 1, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxAttempts, 1000, nameof(MaxAttempts));
        ArgumentOutOfRangeException.ThrowIfLessThan(RetryDelay, TimeSpan.Zero, nameof(RetryDelay));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(StallTimeout, TimeSpan.Zero, nameof(StallTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxBytes, 1, nameof(MaxBytes));
        ArgumentOutOfRangeException.ThrowIfLessThan(BufferSize, 4096, nameof(BufferSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(BufferSize, 16 << 20, nameof(BufferSize));
    }
}

/// <summary>One failed download attempt, as reported to <see cref="DownloadOptions.RetryObserver"/>.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="Url">Where it is downloaded from.</param>
/// <param name="Attempt">The attempt that failed (1 for the first).</param>
/// <param name="MaxAttempts">The most attempts (<see cref="DownloadOptions.MaxAttempts"/>).</param>
/// <param name="Reason">What went wrong, in a sentence.</param>
/// <param name="NextDelay">The pause before the next attempt; null when this was the last one.</param>
/// <param name="PartialBytes">The bytes already on disk (the next attempt resumes after them).</param>
public readonly record struct DownloadRetry(string FileName, Uri Url, int Attempt, int MaxAttempts, string Reason, TimeSpan? NextDelay, long PartialBytes)
{
    /// <summary>Whether another attempt follows.</summary>
    public bool WillRetry => NextDelay is not null;
}

/// <summary>Progress of one download.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes on disk so far (including a resumed partial file).</param>
/// <param name="TotalBytes">The full size when known.</param>
public readonly record struct DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
