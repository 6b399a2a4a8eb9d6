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

/// <summary>Progress of one download.</summary>
/// <param name="FileName">The file being downloaded.</param>
/// <param name="BytesReceived">Bytes on disk so far (including a resumed partial file).</param>
/// <param name="TotalBytes">The full size when known.</param>
public readonly record struct DownloadProgress(string FileName, long BytesReceived, long? TotalBytes);
