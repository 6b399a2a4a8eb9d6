using System.Numerics;
using System.Runtime.Intrinsics;

namespace EventSnn.Devices;

/// <summary>
/// The CPU compute device: buffers in host memory, kernels run in fixed chunks on the calling thread and
/// <see cref="CpuDeviceOptions.Threads"/> − 1 helper threads, bodies vectorised with <see cref="Vector{T}"/> and
/// System.Numerics.Tensors (see <see cref="DenseMath"/>).
/// </summary>
/// <remarks>
/// Results are bit-identical for every thread count and chunk size: kernels are element-wise and spikes are
/// merged in neuron order. Dispatch allocates nothing after the first call per kernel type and thread.
/// </remarks>
public sealed class CpuDevice : IComputeDevice
{
    private readonly WorkerPool? _pool;
    private readonly int _minParallel;
    private bool _disposed;

    /// <summary>Creates a CPU device.</summary>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public CpuDevice(CpuDeviceOptions? options = null)
    {
        options ??= new CpuDeviceOptions();
        options.Validate();
        ChunkSize = (options.ChunkSize + 63) & ~63;
        Parallelism = options.Threads;
        _minParallel = options.MinParallelCount;
        _pool = options.Threads > 1 ? new WorkerPool(options.Threads - 1) : null;
        string isa = Vector512.IsHardwareAccelerated ? "avx512" : Vector256.IsHardwareAccelerated ? "avx2" : Vector128.IsHardwareAccelerated ? "simd128" : "scalar";
        Name = $"cpu({Parallelism} thread{(Parallelism == 1 ? string.Empty : "s")}, {isa}, Vector<float>={Vector<float>.Count})";
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public int Parallelism { get; }

    /// <summary>
    /// The smallest window, in elements (neurons × steps), that <see cref="RunSteps"/> spreads over threads
    /// (<see cref="CpuDeviceOptions.MinParallelCount"/>); callers that split work themselves use the same threshold.
    /// </summary>
    public int MinParallelCount => _minParallel;

    /// <inheritdoc />
    public int ChunkSize { get; }

    /// <inheritdoc />
    public bool IsHostVisible => true;

    /// <inheritdoc cref="IComputeDevice.Allocate{T}(int)"/>
    public CpuBuffer<T> Allocate<T>(int length)
        where T : unmanaged
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        return new CpuBuffer<T>(this, length);
    }

    DeviceBuffer<T> IComputeDevice.Allocate<T>(int length) => Allocate<T>(length);

    /// <inheritdoc />
    public SpikeBuffer CreateSpikeBuffer(int neuronCapacity, int maxSteps = 1)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return new SpikeBuffer(this, neuronCapacity, maxSteps, ChunkSize);
    }

    /// <inheritdoc />
    public void For<TKernel>(int count, ref TKernel kernel)
        where TKernel : struct, IRangeKernel
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        int chunks = ChunkCount(count);
        if (_pool is null || chunks < 2 || count < _minParallel)
        {
            for (int c = 0; c < chunks; c++)
            {
                int start = c * ChunkSize;
                kernel.Execute(start, Math.Min(start + ChunkSize, count));
            }

            return;
        }

        RangeJob<TKernel> job = RangeJob<TKernel>.ForThread();
        job.Kernel = kernel;
        job.Count = count;
        job.ChunkSize = ChunkSize;
        try
        {
            _pool.Run(job, chunks);
        }
        finally
        {
            job.Kernel = default;
        }
    }

    /// <summary>
    /// Runs <c>kernel.Execute(p, p + 1)</c> for every part p in [0, <paramref name="parts"/>), the parts spread over the
    /// threads whatever their size (<see cref="CpuDeviceOptions.MinParallelCount"/> does not apply): for work the caller has
    /// already split, such as one contiguous range of neurons per thread. What a part computes must not depend on which
    /// thread runs it.
    /// </summary>
    /// <typeparam name="TKernel">The kernel; each part runs on its own copy.</typeparam>
    /// <param name="parts">The number of parts (usually <see cref="Parallelism"/>).</param>
    /// <param name="kernel">The kernel; its fields are not modified by the device.</param>
    public void ForEachPart<TKernel>(int parts, ref TKernel kernel)
        where TKernel : struct, IRangeKernel
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(parts);
        if (_pool is null || parts < 2)
        {
            for (int p = 0; p < parts; p++)
            {
                kernel.Execute(p, p + 1);
            }

            return;
        }

        RangeJob<TKernel> job = RangeJob<TKernel>.ForThread();
        job.Kernel = kernel;
        job.Count = parts;
        job.ChunkSize = 1;
        try
        {
            _pool.Run(job, parts);
        }
        finally
        {
            job.Kernel = default;
        }
    }

    /// <summary>
    /// Runs chunks [<paramref name="firstChunk"/>, <paramref name="endChunk"/>) of a window of <paramref name="steps"/> steps
    /// of <paramref name="count"/> elements on the calling thread, each chunk all its steps, as <see cref="RunSteps"/> runs
    /// them, without collecting the spikes: once every chunk of the window has run (on any threads, for instance the parts
    /// of <see cref="ForEachPart"/>), <see cref="FinishSteps"/> collects them. The chunks are those of <see cref="RunSteps"/>
    /// (<see cref="ChunkSize"/> elements), so the state and spikes are the same.
    /// </summary>
    /// <typeparam name="TKernel">The step kernel.</typeparam>
    /// <param name="count">The number of elements of the window.</param>
    /// <param name="steps">The window length.</param>
    /// <param name="kernel">The kernel; its fields are not modified by the device.</param>
    /// <param name="spikes">Receives the spikes (a buffer of this device).</param>
    /// <param name="firstChunk">The first chunk.</param>
    /// <param name="endChunk">One past the last chunk.</param>
    public void RunStepChunks<TKernel>(int count, int steps, ref TKernel kernel, SpikeBuffer spikes, int firstChunk, int endChunk)
        where TKernel : struct, IStepKernel
    {
        CheckWindow(count, steps, spikes);
        int chunks = ChunkCount(count);
        ArgumentOutOfRangeException.ThrowIfNegative(firstChunk);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(endChunk, chunks);
        for (int c = firstChunk; c < endChunk; c++)
        {
            for (int s = 0; s < steps; s++)
            {
                RunStepChunk(ref kernel, spikes, count, chunks, ChunkSize, s, c);
            }
        }
    }

    /// <summary>Collects the spikes of a window whose chunks all ran through <see cref="RunStepChunks"/>; returns their number.</summary>
    /// <param name="count">The number of elements of the window.</param>
    /// <param name="steps">The window length.</param>
    /// <param name="spikes">The buffer the chunks wrote.</param>
    public int FinishSteps(int count, int steps, SpikeBuffer spikes)
    {
        CheckWindow(count, steps, spikes);
        spikes.Compact(count, steps, ChunkSize);
        return spikes.Count;
    }

    private void CheckWindow(int count, int steps, SpikeBuffer spikes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentNullException.ThrowIfNull(spikes);
        if (!ReferenceEquals(spikes.Device, this))
        {
            throw new ArgumentException("The spike buffer was created by another device.", nameof(spikes));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, spikes.NeuronCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, spikes.MaxSteps);
    }

    /// <inheritdoc />
    public int RunSteps<TKernel>(int count, int steps, ref TKernel kernel, SpikeBuffer spikes)
        where TKernel : struct, IStepKernel
    {
        CheckWindow(count, steps, spikes);
        int chunks = ChunkCount(count);
        if (_pool is null || chunks < 2 || (long)count * steps < _minParallel)
        {
            // Sequential: step-major (all chunks of step 0, then step 1, ...), which is also the order a
            // coupled kernel would need; chunk results are identical either way.
            for (int s = 0; s < steps; s++)
            {
                for (int c = 0; c < chunks; c++)
                {
                    RunStepChunk(ref kernel, spikes, count, chunks, ChunkSize, s, c);
                }
            }
        }
        else
        {
            StepJob<TKernel> job = StepJob<TKernel>.ForThread();
            job.Kernel = kernel;
            job.Count = count;
            job.Steps = steps;
            job.Chunks = chunks;
            job.ChunkSize = ChunkSize;
            job.Spikes = spikes;
            try
            {
                _pool.Run(job, chunks);
            }
            finally
            {
                job.Kernel = default;
                job.Spikes = null;
            }
        }

        spikes.Compact(count, steps, ChunkSize);
        return spikes.Count;
    }

    /// <inheritdoc />
    public void Synchronize()
    {
    }

    /// <summary>Stops the helper threads.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _pool?.Dispose();
    }

    private int ChunkCount(int count) => (int)(((long)count + ChunkSize - 1) / ChunkSize);

    // Optimised from its first call: a window's kernel is inlined here, and the first steps of a run must not wait for tiering.
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void RunStepChunk<TKernel>(ref TKernel kernel, SpikeBuffer spikes, int count, int chunks, int chunkSize, int step, int chunk)
        where TKernel : struct, IStepKernel
    {
        int start = chunk * chunkSize;
        int end = Math.Min(start + chunkSize, count);
        Span<int> region = spikes.Raw.AsSpan((step * count) + start, end - start);
        int n = kernel.Step(step, start, end, region);
        if ((uint)n > (uint)(end - start))
        {
            throw new InvalidOperationException($"Step kernel {typeof(TKernel).Name} reported {n} spikes for a range of {end - start} neurons.");
        }

        int previous = start - 1;
        for (int i = 0; i < n; i++)
        {
            int neuron = region[i];
            if (neuron <= previous || neuron >= end)
            {
                throw new InvalidOperationException($"Step kernel {typeof(TKernel).Name} reported neuron {neuron} out of order or outside [{start}, {end}).");
            }

            previous = neuron;
        }

        spikes.ChunkCounts[(step * chunks) + chunk] = n;
    }

    private sealed class RangeJob<TKernel> : IChunkJob
        where TKernel : struct, IRangeKernel
    {
        [ThreadStatic]
        private static RangeJob<TKernel>? t_instance;

        public TKernel Kernel;
        public int Count;
        public int ChunkSize;

        public static RangeJob<TKernel> ForThread() => t_instance ??= new RangeJob<TKernel>();

        public void RunChunk(int chunk)
        {
            // Each chunk runs on its own copy of the kernel, as the contract says.
            TKernel kernel = Kernel;
            int start = chunk * ChunkSize;
            kernel.Execute(start, Math.Min(start + ChunkSize, Count));
        }
    }

    private sealed class StepJob<TKernel> : IChunkJob
        where TKernel : struct, IStepKernel
    {
        [ThreadStatic]
        private static StepJob<TKernel>? t_instance;

        public TKernel Kernel;
        public int Count;
        public int Steps;
        public int Chunks;
        public int ChunkSize;
        public SpikeBuffer? Spikes;

        public static StepJob<TKernel> ForThread() => t_instance ??= new StepJob<TKernel>();

        public void RunChunk(int chunk)
        {
            // Chunk-major inside a window: all steps of this chunk, which the window rule allows.
            TKernel kernel = Kernel;
            for (int s = 0; s < Steps; s++)
            {
                RunStepChunk(ref kernel, Spikes!, Count, Chunks, ChunkSize, s, chunk);
            }
        }
    }
}
