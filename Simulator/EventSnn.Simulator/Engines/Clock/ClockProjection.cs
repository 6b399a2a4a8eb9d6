namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// Synapses from one population to a receptor of another, in compressed sparse rows by source neuron, as the
/// clock-driven engine delivers them: within each row the synapses are grouped by delay, and a spike schedules one
/// queue event per (row, delay) group rather than one per synapse.
/// </summary>
/// <remarks>
/// Storage per synapse: target (4 bytes) and weight (4 bytes, float32); per row and per delay group a few more ints
/// (<see cref="StorageBytes"/>).
/// </remarks>
public sealed class ClockProjection
{
    private readonly int[] _rowStart;
    private readonly int[] _targets;
    private readonly float[] _weights;
    private readonly int[] _rowGroup;
    private readonly int[] _groupStart;
    private readonly long[] _groupDelay;

    /// <summary>
    /// Creates a projection from compressed sparse rows. <paramref name="targets"/> and <paramref name="weights"/>
    /// are taken over (not copied) and reordered inside each row by delay (stable).
    /// </summary>
    /// <param name="name">A name for messages.</param>
    /// <param name="source">The source population index.</param>
    /// <param name="target">The target population index.</param>
    /// <param name="receptor">The receptor index on the target population.</param>
    /// <param name="rowStart">Row offsets: row <c>n</c> holds synapses <c>[rowStart[n], rowStart[n+1])</c>; length = source size + 1, starts at 0, non-decreasing, ends at the synapse count.</param>
    /// <param name="targets">Target neuron of each synapse.</param>
    /// <param name="weights">Weight of each synapse (added to the receptor column on delivery).</param>
    /// <param name="delays">Delay of each synapse in ticks (0 or more), or a single value for all.</param>
    /// <exception cref="ArgumentException">Lengths or offsets are inconsistent, a delay is negative, or a weight is not finite.</exception>
    public ClockProjection(string name, int source, int target, int receptor, ReadOnlySpan<int> rowStart, int[] targets, float[] weights, ReadOnlySpan<long> delays)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentOutOfRangeException.ThrowIfNegative(source);
        ArgumentOutOfRangeException.ThrowIfNegative(target);
        ArgumentOutOfRangeException.ThrowIfNegative(receptor);
        if (rowStart.Length < 1 || rowStart[0] != 0 || rowStart[^1] != targets.Length)
        {
            throw new ArgumentException($"Projection '{name}': row offsets must start at 0 and end at the synapse count {targets.Length}.", nameof(rowStart));
        }

        if (weights.Length != targets.Length)
        {
            throw new ArgumentException($"Projection '{name}': {weights.Length} weights for {targets.Length} synapses.", nameof(weights));
        }

        if (delays.Length != 1 && delays.Length != targets.Length)
        {
            throw new ArgumentException($"Projection '{name}': give one delay or one per synapse ({targets.Length}), not {delays.Length}.", nameof(delays));
        }

        Name = name;
        Source = source;
        Target = target;
        Receptor = receptor;
        _rowStart = rowStart.ToArray();
        _targets = targets;
        _weights = weights;

        int rows = rowStart.Length - 1;
        _rowGroup = new int[rows + 1];
        var groupStart = new List<int>(rows + 1);
        var groupDelay = new List<long>(rows);
        long[]? rowDelays = null;
        int[] order = [];
        for (int r = 0; r < rows; r++)
        {
            int a = _rowStart[r], b = _rowStart[r + 1];
            if (b < a)
            {
                throw new ArgumentException($"Projection '{name}': row offsets decrease at row {r}.", nameof(rowStart));
            }

            _rowGroup[r] = groupDelay.Count;
            for (int s = a; s < b; s++)
            {
                if (!float.IsFinite(weights[s]))
                {
                    throw new ArgumentException($"Projection '{name}': weight of synapse {s} is not finite.", nameof(weights));
                }
            }

            if (b == a)
            {
                continue;
            }

            if (delays.Length == 1)
            {
                CheckDelay(name, delays[0], a);
                groupStart.Add(a);
                groupDelay.Add(delays[0]);
                continue;
            }

            int len = b - a;
            if (order.Length < len)
            {
                order = new int[len];
                rowDelays = new long[len];
            }

            for (int k = 0; k < len; k++)
            {
                CheckDelay(name, delays[a + k], a + k);
                order[k] = k;
                rowDelays![k] = delays[a + k];
            }

            // Stable sort of the row by delay: sort (delay, original position) pairs.
            long[] keys = rowDelays!;
            Array.Sort(order, 0, len, Comparer<int>.Create((x, y) => keys[x] != keys[y] ? keys[x].CompareTo(keys[y]) : x.CompareTo(y)));
            int[] t = new int[len];
            float[] w = new float[len];
            for (int k = 0; k < len; k++)
            {
                t[k] = targets[a + order[k]];
                w[k] = weights[a + order[k]];
            }

            t.CopyTo(targets, a);
            w.CopyTo(weights, a);
            long previous = -1;
            for (int k = 0; k < len; k++)
            {
                long d = keys[order[k]];
                if (d != previous)
                {
                    groupStart.Add(a + k);
                    groupDelay.Add(d);
                    previous = d;
                }
            }
        }

        _rowGroup[rows] = groupDelay.Count;
        groupStart.Add(targets.Length);
        _groupStart = [.. groupStart];
        _groupDelay = [.. groupDelay];
    }

    /// <summary>The projection's name.</summary>
    public string Name { get; }

    /// <summary>The source population index.</summary>
    public int Source { get; }

    /// <summary>The target population index.</summary>
    public int Target { get; }

    /// <summary>The receptor index on the target population.</summary>
    public int Receptor { get; }

    /// <summary>The number of source rows (the source population's size).</summary>
    public int Rows => _rowStart.Length - 1;

    /// <summary>The number of synapses.</summary>
    public int SynapseCount => _targets.Length;

    /// <summary>The number of (row, delay) groups.</summary>
    public int GroupCount => _groupDelay.Length;

    /// <summary>Bytes of synapse storage the engine keeps for this projection (all arrays).</summary>
    public long StorageBytes => (4L * _rowStart.Length) + (4L * _targets.Length) + (4L * _weights.Length) + (4L * _rowGroup.Length) + (4L * _groupStart.Length) + (8L * _groupDelay.Length);

    /// <summary>Target of each synapse (rows reordered by delay).</summary>
    public ReadOnlySpan<int> Targets => _targets;

    /// <summary>Weight of each synapse (rows reordered by delay).</summary>
    public ReadOnlySpan<float> Weights => _weights;

    /// <summary>Row offsets.</summary>
    public ReadOnlySpan<int> RowStart => _rowStart;

    /// <summary>The smallest delay of any synapse in ticks, or <see cref="long.MaxValue"/> when there is none.</summary>
    public long MinDelay
    {
        get
        {
            long min = long.MaxValue;
            foreach (long d in _groupDelay)
            {
                min = Math.Min(min, d);
            }

            return min;
        }
    }

    internal int[] TargetArray => _targets;

    internal float[] WeightArray => _weights;

    internal int[] RowGroup => _rowGroup;

    internal int[] GroupStart => _groupStart;

    internal long[] GroupDelay => _groupDelay;

    private static void CheckDelay(string name, long delay, int synapse)
    {
        if (delay < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delay), delay, $"Projection '{name}': delay of synapse {synapse} is negative.");
        }
    }
}
