using System.Runtime.ExceptionServices;

namespace EventSnn.Devices;

/// <summary>A unit of chunked work: the pool calls <see cref="RunChunk"/> once per chunk index.</summary>
internal interface IChunkJob
{
    void RunChunk(int chunk);
}

/// <summary>
/// A fixed set of background threads that, together with the calling thread, run the chunks of one job at a
/// time. Chunks are claimed with an interlocked counter; which thread runs which chunk varies, what each
/// chunk computes does not. Dispatch allocates nothing.
/// </summary>
internal sealed class WorkerPool : IDisposable
{
    private readonly Thread[] _threads;
    private readonly SemaphoreSlim _start = new(0);
    private readonly ManualResetEventSlim _done = new(false);
    private IChunkJob? _job;
    private int _chunkCount;
    private int _nextChunk;
    private int _pendingPermits;
    private Exception? _error;
    private volatile bool _disposed;

    public WorkerPool(int helperThreads)
    {
        _threads = new Thread[helperThreads];
        for (int i = 0; i < helperThreads; i++)
        {
            _threads[i] = new Thread(WorkerLoop)
            {
                IsBackground = true,
                Name = $"EventSnn.CpuDevice worker {i + 1}",
            };
            _threads[i].Start();
        }

        // ManualResetEventSlim creates its lock object the first time a Wait has to block; force that now so that no
        // dispatch ever allocates (the first blocking wait would otherwise happen at an arbitrary later step).
        _done.Wait(1);
    }

    public int HelperThreads => _threads.Length;

    public void Run(IChunkJob job, int chunkCount)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        int helpers = Math.Min(_threads.Length, chunkCount - 1);
        if (helpers <= 0)
        {
            for (int c = 0; c < chunkCount; c++)
            {
                job.RunChunk(c);
            }

            return;
        }

        _job = job;
        _chunkCount = chunkCount;
        _error = null;
        Volatile.Write(ref _nextChunk, 0);
        Volatile.Write(ref _pendingPermits, helpers);
        _done.Reset();
        _start.Release(helpers);
        Work();
        _done.Wait();
        _job = null;
        if (_error is { } error)
        {
            _error = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    private void Work()
    {
        IChunkJob job = _job!;
        int c;
        while ((c = Interlocked.Increment(ref _nextChunk) - 1) < _chunkCount)
        {
            try
            {
                job.RunChunk(c);
            }
            catch (Exception ex)
            {
                Interlocked.CompareExchange(ref _error, ex, null);
            }
        }
    }

    private void WorkerLoop()
    {
        while (true)
        {
            _start.Wait();
            if (_disposed)
            {
                return;
            }

            Work();
            if (Interlocked.Decrement(ref _pendingPermits) == 0)
            {
                _done.Set();
            }
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _start.Release(_threads.Length);
        foreach (Thread t in _threads)
        {
            t.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }
}
