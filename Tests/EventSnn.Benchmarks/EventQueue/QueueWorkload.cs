namespace EventSnn.Benchmarks.EventQueue;

/// <summary>Shared increments for the queue benchmarks: exponential, mean 1 ms, in 1 ns ticks.</summary>
internal static class QueueWorkload
{
    public const long MeanTicks = 1_000_000;
    public const int TableSize = 1 << 20;
    public const int TableMask = TableSize - 1;

    /// <summary>Exponential increments with mean <see cref="MeanTicks"/>, optionally rounded to a multiple of <paramref name="step"/>.</summary>
    public static long[] Increments(int seed, long step = 1)
    {
        var rng = new Random(seed);
        var table = new long[TableSize];
        for (int i = 0; i < table.Length; i++)
        {
            double x = -Math.Log(1.0 - rng.NextDouble()) * MeanTicks;
            table[i] = (long)Math.Round(x / step) * step;
        }

        return table;
    }
}
