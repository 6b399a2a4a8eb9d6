using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Connectivity;

/// <summary>Draws of one synapse's weight and delay from a projection's <see cref="WeightSpec"/> and <see cref="DelaySpec"/>.</summary>
internal static class SynapseDraws
{
    /// <summary>A standard normal value (Box–Muller, the cosine branch).</summary>
    public static double Gauss(ref Xoshiro256 rng)
    {
        double u = rng.NextDoubleNonZero();
        double v = rng.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u)) * Math.Cos(2.0 * Math.PI * v);
    }

    /// <summary>One weight: constant, uniform in [low, high), or normal redrawn outside [low, high].</summary>
    public static float Weight(WeightSpec ws, ref Xoshiro256 rng)
    {
        if (ws.IsNormal)
        {
            double w;
            do
            {
                w = ws.Mean + (ws.StandardDeviation * Gauss(ref rng));
            }
            while (w < ws.Low || w > ws.High);

            return (float)w;
        }

        return ws.IsConstant ? (float)ws.Low : (float)(ws.Low + ((ws.High - ws.Low) * rng.NextDouble()));
    }

    /// <summary>One delay in ticks: constant, uniform over whole ticks, or normal redrawn outside [low, high] and rounded to the step.</summary>
    public static long Delay(DelaySpec ds, ref Xoshiro256 rng)
    {
        if (ds.IsNormal)
        {
            double d;
            do
            {
                d = ds.Mean.Ticks + (ds.StandardDeviation.Ticks * Gauss(ref rng));
            }
            while (d < ds.Low.Ticks || d > ds.High.Ticks);

            long step = ds.Step.Ticks;
            return Math.Max(1, (long)Math.Round(d / step, MidpointRounding.ToEven) * step);
        }

        return ds.IsConstant ? ds.Low.Ticks : ds.Low.Ticks + (long)rng.NextBelow((ulong)(ds.High.Ticks - ds.Low.Ticks + 1));
    }
}

/// <content>The generator of <see cref="FixedTotalNumberConnectivity"/>: parallel, deterministic, straight into the table's arrays.</content>
public sealed partial class SynapseTable
{
    /// <summary>Presynaptic draws per block: each block has its own stream, so the counts do not depend on the threads.</summary>
    private const int PreDrawBlock = 1 << 20;

    /// <summary>Sources per task when drawing rows.</summary>
    private const int SourcesPerTask = 64;

    /// <summary>
    /// Counts the synapses of each source (the presynaptic draws, block by block), then draws every source's row —
    /// postsynaptic neurons (sorted ascending), weights and delays from streams of the source's own — and sorts it by delay
    /// (stable) straight into the table: no per-synapse objects, ascending targets within each delay group, and the same
    /// table for any number of threads.
    /// </summary>
    private static SynapseTable BuildFixedTotalNumber(ProjectionSpec p, PopulationSpec pre, PopulationSpec post, FixedTotalNumberConnectivity ft)
    {
        if (ft.Count > int.MaxValue)
        {
            throw new InvalidOperationException($"{p}: more than 2^31 − 1 synapses.");
        }

        int nPre = pre.Size;
        int nPost = post.Size;
        int m = (int)ft.Count;
        int[] counts = new int[nPre];
        int blocks = (int)(((long)m + PreDrawBlock - 1) / PreDrawBlock);
        var gate = new object();
        Parallel.For(
            0,
            blocks,
            () => new int[nPre],
            (b, _, local) =>
            {
                var rng = Xoshiro256.ForStream(ft.Seed, (ulong)b);
                int n = Math.Min(PreDrawBlock, m - (b * PreDrawBlock));
                for (int k = 0; k < n; k++)
                {
                    local[(int)rng.NextBelow((ulong)nPre)]++;
                }

                return local;
            },
            local =>
            {
                lock (gate)
                {
                    for (int i = 0; i < nPre; i++)
                    {
                        counts[i] += local[i];
                    }
                }
            });

        int[] rowStart = new int[nPre + 1];
        for (int i = 0; i < nPre; i++)
        {
            rowStart[i + 1] = rowStart[i] + counts[i];
        }

        int[] targets = new int[m];
        float[] weights = new float[m];
        int[] groupsOf = new int[nPre];
        int tasks = (nPre + SourcesPerTask - 1) / SourcesPerTask;
        var taskGroups = new (long Delay, int Length)[tasks][];
        ulong postSeed = ft.Seed ^ 0xD1B54A32D192ED03UL;
        WeightSpec ws = p.Weight;
        DelaySpec ds = p.Delay;
        Parallel.For(0, tasks, t =>
        {
            var groups = new List<(long Delay, int Length)>();
            long[] delays = [];
            int[] posts = [];
            float[] ws2 = [];
            int[] order = [];
            for (int i = t * SourcesPerTask; i < Math.Min(nPre, (t + 1) * SourcesPerTask); i++)
            {
                int k = counts[i];
                if (k == 0)
                {
                    continue;
                }

                if (delays.Length < k)
                {
                    delays = new long[k];
                    posts = new int[k];
                    ws2 = new float[k];
                    order = new int[k];
                }

                var postRng = Xoshiro256.ForStream(postSeed, (ulong)i);
                var wRng = Xoshiro256.ForStream(ws.Seed ^ 0x8CB92BA72F3D8DD7UL, (ulong)i);
                var dRng = Xoshiro256.ForStream(ds.Seed ^ 0xABC98388FB8FAC03UL, (ulong)i);
                long lo = long.MaxValue, hi = long.MinValue;
                for (int j = 0; j < k; j++)
                {
                    posts[j] = (int)postRng.NextBelow((ulong)nPost);
                }

                // Ascending targets (the draws are independent, so sorting them keeps their law): with the stable sort by
                // delay below, every delay group lists its targets in ascending order, which lets delivery split a group
                // by target range.
                posts.AsSpan(0, k).Sort();
                for (int j = 0; j < k; j++)
                {
                    ws2[j] = SynapseDraws.Weight(ws, ref wRng);
                    long d = SynapseDraws.Delay(ds, ref dRng);
                    delays[j] = d;
                    lo = Math.Min(lo, d);
                    hi = Math.Max(hi, d);
                }

                int at = rowStart[i];
                int before = groups.Count;
                if (lo == hi)
                {
                    posts.AsSpan(0, k).CopyTo(targets.AsSpan(at));
                    ws2.AsSpan(0, k).CopyTo(weights.AsSpan(at));
                    groups.Add((lo, k));
                }
                else
                {
                    SortRowByDelay(delays.AsSpan(0, k), order.AsSpan(0, k), lo, hi, ds.IsNormal ? ds.Step.Ticks : 1);
                    for (int j = 0; j < k; j++)
                    {
                        int s = order[j];
                        targets[at + j] = posts[s];
                        weights[at + j] = ws2[s];
                        if (j == 0 || delays[s] != delays[order[j - 1]])
                        {
                            groups.Add((delays[s], 0));
                        }

                        groups[^1] = (groups[^1].Delay, groups[^1].Length + 1);
                    }
                }

                groupsOf[i] = groups.Count - before;
            }

            taskGroups[t] = [.. groups];
        });

        int totalGroups = 0;
        foreach (var g in taskGroups)
        {
            totalGroups += g.Length;
        }

        int[] sourceGroupStart = new int[nPre + 1];
        long[] groupDelay = new long[totalGroups];
        int[] groupStart = new int[totalGroups + 1];
        int gi = 0;
        int syn = 0;
        for (int t = 0; t < tasks; t++)
        {
            foreach ((long delay, int length) in taskGroups[t])
            {
                groupDelay[gi] = delay;
                groupStart[gi] = syn;
                syn += length;
                gi++;
            }
        }

        groupStart[totalGroups] = syn;
        for (int i = 0; i < nPre; i++)
        {
            sourceGroupStart[i + 1] = sourceGroupStart[i] + groupsOf[i];
        }

        return new SynapseTable(nPre, nPost, sourceGroupStart, groupDelay, groupStart, targets, weights);
    }

    /// <summary>The row's synapse indices ordered by delay, generation order kept within a delay (counting sort on a grid of <paramref name="step"/> when it is small).</summary>
    private static void SortRowByDelay(ReadOnlySpan<long> delays, Span<int> order, long lo, long hi, long step)
    {
        int k = delays.Length;
        long buckets = (hi - lo) / step + 1;
        bool onGrid = buckets <= 4096;
        for (int j = 0; j < k && onGrid; j++)
        {
            onGrid = (delays[j] - lo) % step == 0;
        }

        if (onGrid)
        {
            Span<int> start = buckets <= 256 ? stackalloc int[(int)buckets + 1] : new int[buckets + 1];
            start.Clear();
            for (int j = 0; j < k; j++)
            {
                start[(int)((delays[j] - lo) / step) + 1]++;
            }

            for (int b = 0; b < buckets; b++)
            {
                start[b + 1] += start[b];
            }

            for (int j = 0; j < k; j++)
            {
                order[start[(int)((delays[j] - lo) / step)]++] = j;
            }

            return;
        }

        long[] keys = delays.ToArray();
        for (int j = 0; j < k; j++)
        {
            order[j] = j;
        }

        int[] idx = order.ToArray();
        Array.Sort(keys, idx);
        int run = 0;
        for (int j = 1; j <= k; j++)
        {
            if (j == k || keys[j] != keys[run])
            {
                idx.AsSpan(run, j - run).Sort();
                run = j;
            }
        }

        idx.CopyTo(order);
    }
}
