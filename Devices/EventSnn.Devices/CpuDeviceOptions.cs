namespace EventSnn.Devices;

/// <summary>Settings of a <see cref="CpuDevice"/>.</summary>
public sealed record CpuDeviceOptions
{
    /// <summary>The default chunk size: 4096 elements (16 KiB of <see cref="float"/> per variable, fits L1/L2 well).</summary>
    public const int DefaultChunkSize = 4096;

    /// <summary>The default threshold below which work runs on the calling thread only.</summary>
    public const int DefaultMinParallelCount = 32_768;

    /// <summary>
    /// The number of threads that run chunks, the caller included (1 = sequential). Default: the number of
    /// processors. Results do not depend on it.
    /// </summary>
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>
    /// Elements per chunk; rounded up to a multiple of 64 (every SIMD width). Results do not depend on it either
    /// (kernels are element-wise), but fixing it makes the work split independent of the thread count.
    /// </summary>
    public int ChunkSize { get; init; } = DefaultChunkSize;

    /// <summary>
    /// Work over fewer elements (times steps, for windows) than this runs on the calling thread: waking helper
    /// threads costs microseconds, more than a small population's step.
    /// </summary>
    public int MinParallelCount { get; init; } = DefaultMinParallelCount;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Threads, 1, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Threads, 1024, nameof(Threads));
        ArgumentOutOfRangeException.ThrowIfLessThan(ChunkSize, 1, nameof(ChunkSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(ChunkSize, 1 << 24, nameof(ChunkSize));
        ArgumentOutOfRangeException.ThrowIfNegative(MinParallelCount, nameof(MinParallelCount));
    }
}
