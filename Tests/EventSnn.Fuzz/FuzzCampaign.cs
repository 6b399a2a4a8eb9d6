using System.Diagnostics;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Fuzz;

/// <summary>Settings of a fuzzing campaign.</summary>
internal sealed record FuzzOptions
{
    /// <summary>Mutated inputs per reader.</summary>
    public long Iterations { get; init; } = 1_000_000;

    /// <summary>The readers to fuzz (see <see cref="FuzzTargets.Names"/>).</summary>
    public IReadOnlyList<string> Readers { get; init; } = FuzzTargets.Names;

    /// <summary>The generator seed (a run is reproducible from it).</summary>
    public int Seed { get; init; } = 1;

    /// <summary>The longest mutated input, in bytes.</summary>
    public int MaxInputBytes { get; init; } = 64 * 1024;

    /// <summary>An input whose reading takes longer than this is a hang.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Where crashing and hanging inputs are saved (null: not saved).</summary>
    public string? FindingsDirectory { get; init; }

    /// <summary>The samples folder (<c>../shared/data</c>).</summary>
    public required string DataDirectory { get; init; }
}

/// <summary>The input being read and when its reading started (a <see cref="Stopwatch"/> timestamp).</summary>
internal sealed record CurrentInput(string Reader, long Index, byte[] Input, long Start);

/// <summary>What one reader's campaign found.</summary>
internal sealed record ReaderResult(
    string Reader,
    long Executions,
    long Decoded,
    long FormatErrors,
    long Crashes,
    long Hangs,
    long AllocationViolations,
    long PeakAllocatedBytes,
    double SlowestInputMs,
    double Seconds,
    IReadOnlyList<string> Findings);

/// <summary>
/// Runs mutated inputs through every reader in-process and checks each outcome: the input decodes, or the reader
/// throws <see cref="EventFormatException"/> with the source name and a byte offset inside the input. Anything else is
/// a crash; an input that takes longer than the hang limit (or makes a reader stop progressing) is a hang; allocation
/// per input is measured against the reader's bound.
/// </summary>
internal static class FuzzCampaign
{
    private static CurrentInput? s_current;

    /// <summary>The input being read now and since when (for the watchdog that catches a reader stuck inside one call).</summary>
    internal static CurrentInput? Current => Volatile.Read(ref s_current);

    /// <summary>Runs the campaign; <paramref name="progress"/> receives a line per reader when it finishes.</summary>
    public static List<ReaderResult> Run(FuzzOptions options, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var results = new List<ReaderResult>();
        foreach (FuzzTarget target in FuzzTargets.Build(options.DataDirectory, options.Readers))
        {
            ReaderResult result = RunTarget(target, options);
            results.Add(result);
            progress?.Invoke($"{result.Reader}: {result.Executions} inputs, {result.Crashes} crashes, {result.Hangs} hangs, {result.AllocationViolations} over the allocation bound, {result.Seconds:F1} s");
        }

        return results;
    }

    private static ReaderResult RunTarget(FuzzTarget target, FuzzOptions options)
    {
        var random = new Random(HashCode.Combine(options.Seed, target.Name.GetHashCode(StringComparison.Ordinal) & 0x7FFF));
        var mutator = new Mutator(random, options.MaxInputBytes);
        var batches = new[] { new EventBatch(1), new EventBatch(7), new EventBatch(509), new EventBatch(4096) };
        int[] bufferSizes = [4096, 4096 + 13, 65536];
        var findings = new List<string>();
        long decoded = 0, formatErrors = 0, crashes = 0, hangs = 0, over = 0, peak = 0;
        double slowest = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            for (long i = 0; i < options.Iterations; i++)
            {
                byte[] seed = target.Seeds[random.Next(target.Seeds.Count)];
                byte[] donor = target.Seeds[random.Next(target.Seeds.Count)];
                byte[] input = i % 16 == 0 && i < 16 * target.Seeds.Count ? seed : mutator.Mutate(seed, donor);
                var readerOptions = new EventReaderOptions { BufferSize = bufferSizes[random.Next(bufferSizes.Length)] };
                EventBatch batch = batches[random.Next(batches.Length)];

                long before = GC.GetAllocatedBytesForCurrentThread();
                long start = Stopwatch.GetTimestamp();
                Volatile.Write(ref s_current, new CurrentInput(target.Name, i, input, start));
                string? problem = Execute(target, input, readerOptions, batch, options.HangLimit, out bool ok, out bool hang);
                double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

                slowest = Math.Max(slowest, ms);
                peak = Math.Max(peak, allocated);
                if (problem is null)
                {
                    decoded += ok ? 1 : 0;
                    formatErrors += ok ? 0 : 1;
                }
                else if (hang)
                {
                    hangs++;
                    Save(options, target, "hang", i, input, problem, findings);
                }
                else
                {
                    crashes++;
                    Save(options, target, "crash", i, input, problem, findings);
                }

                if (allocated > target.AllocationBound(input.Length))
                {
                    over++;
                    Save(options, target, "alloc", i, input, $"allocated {allocated} bytes for {input.Length} input bytes", findings);
                }
            }
        }
        finally
        {
            Volatile.Write(ref s_current, null);
            foreach (EventBatch b in batches)
            {
                b.Dispose();
            }
        }

        return new ReaderResult(target.Name, options.Iterations, decoded, formatErrors, crashes, hangs, over, peak, slowest, clock.Elapsed.TotalSeconds, findings);
    }

    /// <summary>Reads one input; returns null when the outcome is allowed, else what went wrong.</summary>
    internal static string? Execute(FuzzTarget target, byte[] input, EventReaderOptions options, EventBatch batch, TimeSpan hangLimit, out bool decoded, out bool hang)
    {
        decoded = false;
        hang = false;
        var budget = new CpuBudget(hangLimit);
        try
        {
            using IEventReader reader = target.Open(new MemoryStream(input, 0, input.Length, writable: false, publiclyVisible: true), options);
            long events = 0;
            long calls = 0;
            while (true)
            {
                batch.Clear();
                int n = reader.ReadBatch(batch);
                if (n == 0)
                {
                    break;
                }

                events += n;
                // Every call but the last returns at least one event, and an input yields at most 6 events per byte
                // (12 per 16-bit EVT 3.0 vector word): more calls than that means the reader does not progress.
                if (++calls > (6L * input.Length) + 16 || budget.Exceeded())
                {
                    hang = true;
                    return $"no end after {calls} batches and {events} events ({input.Length} input bytes)";
                }
            }

            if (events > 6L * input.Length)
            {
                return $"{events} events from {input.Length} bytes";
            }

            decoded = true;
            return null;
        }
        catch (EventFormatException ex)
        {
            if (ex.SourceName != "fuzz" || ex.Offset < -1 || ex.Offset > input.Length)
            {
                return $"format error without a valid place: {ex.Message}";
            }

            return null;
        }
        catch (Exception ex)
        {
            return $"{ex.GetType().FullName}: {ex.Message}\n{ex.StackTrace}";
        }
    }

    /// <summary>Reads one saved input with each target, as the campaign does; one line per target.</summary>
    public static IEnumerable<string> Replay(FuzzOptions options, byte[] input)
    {
        using var batch = new EventBatch(509);
        foreach (FuzzTarget target in FuzzTargets.Build(options.DataDirectory, options.Readers))
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            long start = Stopwatch.GetTimestamp();
            string? problem = Execute(target, input, new EventReaderOptions { BufferSize = 4096 }, batch, options.HangLimit, out bool decoded, out bool hang);
            double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            string outcome = problem is null ? (decoded ? "decoded" : "format error") : hang ? $"HANG: {problem}" : $"CRASH: {problem}";
            yield return $"{target.Name}: {outcome}; {ms:F2} ms, {allocated} bytes allocated (bound {target.AllocationBound(input.Length)})";
        }
    }

    /// <summary>
    /// A time limit that counts CPU time, not wall-clock time, so a reader preempted on a busy machine is not taken for a
    /// hang: once the wall-clock limit has passed, the process's CPU time is read, and the input is a hang only when it
    /// then goes on to use a further limit's worth of CPU time (nothing is read before the wall-clock limit).
    /// </summary>
    private struct CpuBudget(TimeSpan limit)
    {
        private long _wallDeadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency);
        private TimeSpan? _cpuAtDeadline;

        public bool Exceeded()
        {
            if (Stopwatch.GetTimestamp() <= _wallDeadline)
            {
                return false;
            }

            TimeSpan cpu = CpuTime();
            if (_cpuAtDeadline is not TimeSpan start)
            {
                _cpuAtDeadline = cpu;
                _wallDeadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency / 10);
                return false;
            }

            _wallDeadline = Stopwatch.GetTimestamp() + (long)(limit.TotalSeconds * Stopwatch.Frequency / 10);
            return cpu - start > limit;
        }

        private static TimeSpan CpuTime()
        {
            using var process = Process.GetCurrentProcess();
            return process.TotalProcessorTime;
        }
    }

    /// <summary>Saves the input being read now as a hang (called by the watchdog before it ends the process).</summary>
    internal static string? SaveStuck(FuzzOptions options)
    {
        if (Current is not { } current)
        {
            return null;
        }

        var findings = new List<string>();
        var target = new FuzzTarget(current.Reader, (_, _) => throw new InvalidOperationException(), [], _ => 0);
        double seconds = Stopwatch.GetElapsedTime(current.Start).TotalSeconds;
        Save(options, target, "hang", current.Index, current.Input, $"no return from the reader after {seconds:F0} s", findings);
        return findings[0];
    }

    private static void Save(FuzzOptions options, FuzzTarget target, string kind, long index, byte[] input, string problem, List<string> findings)
    {
        string summary = $"{target.Name} #{index} {kind}: {problem.Split('\n')[0]}";
        if (findings.Count < 50)
        {
            findings.Add(summary);
        }

        if (options.FindingsDirectory is string dir && findings.Count <= 50)
        {
            Directory.CreateDirectory(dir);
            string stem = Path.Combine(dir, $"{target.Name}-{kind}-{index}");
            File.WriteAllBytes(stem + ".bin", input);
            File.WriteAllText(stem + ".txt", problem);
        }
    }
}
