using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Connectivity;

/// <summary>
/// Compact synapse storage of one projection: outgoing rows per presynaptic neuron, each row split into delay groups so
/// that one queued delivery covers every synapse of a source with the same delay.
/// </summary>
/// <remarks>
/// <para>Layout (CSR by source, then by delay): <see cref="SourceGroupStart"/>[i]..[i+1] are the groups of source i in
/// ascending delay; group g has delay <see cref="GroupDelay"/>[g] and synapses <see cref="GroupStart"/>[g]..[g+1] in
/// <see cref="Targets"/> (int) and <see cref="Weights"/> (float). Within a group, synapses keep the order in which the
/// connectivity rule generated them (ascending post index for the built-in rules, <c>fixed_total_number</c> included).</para>
/// <para>Cost: 8 bytes per synapse plus 12 bytes per delay group plus 4 bytes per source; plastic projections add an
/// incoming index of 8 bytes per synapse (<see cref="BuildIncomingIndex"/>).</para>
/// </remarks>
public sealed partial class SynapseTable
{
    private SynapseTable(int preSize, int postSize, int[] sourceGroupStart, long[] groupDelay, int[] groupStart, int[] targets, float[] weights, int[]? kernelIndex = null, float[]? kernel = null)
    {
        KernelIndex = kernelIndex;
        Kernel = kernel;
        PreSize = preSize;
        PostSize = postSize;
        SourceGroupStart = sourceGroupStart;
        GroupDelay = groupDelay;
        GroupStart = groupStart;
        Targets = targets;
        Weights = weights;
        long min = long.MaxValue;
        long max = 0;
        int maxGroup = 0;
        for (int g = 0; g < groupDelay.Length; g++)
        {
            min = Math.Min(min, groupDelay[g]);
            max = Math.Max(max, groupDelay[g]);
            maxGroup = Math.Max(maxGroup, groupStart[g + 1] - groupStart[g]);
        }

        MinDelay = groupDelay.Length == 0 ? 0 : min;
        MaxDelay = max;
        MaxGroupSize = maxGroup;
    }

    /// <summary>Number of presynaptic neurons.</summary>
    public int PreSize { get; }

    /// <summary>Number of postsynaptic neurons.</summary>
    public int PostSize { get; }

    /// <summary>Per source: first delay group (length <see cref="PreSize"/> + 1).</summary>
    public int[] SourceGroupStart { get; }

    /// <summary>Per delay group: the delay in ticks.</summary>
    public long[] GroupDelay { get; }

    /// <summary>Per delay group: first synapse (length groups + 1).</summary>
    public int[] GroupStart { get; }

    /// <summary>Per synapse: postsynaptic neuron.</summary>
    public int[] Targets { get; }

    /// <summary>Per synapse: weight (mutable under plasticity).</summary>
    public float[] Weights { get; }

    /// <summary>Number of synapses.</summary>
    public int SynapseCount => Targets.Length;

    /// <summary>Number of delay groups.</summary>
    public int GroupCount => GroupDelay.Length;

    /// <summary>Smallest delay (0 when there are no synapses).</summary>
    public long MinDelay { get; }

    /// <summary>Largest delay.</summary>
    public long MaxDelay { get; }

    /// <summary>Largest number of synapses in one delay group.</summary>
    public int MaxGroupSize { get; }

    /// <summary>
    /// Per synapse: its entry in <see cref="Kernel"/> (plastic convolutions, whose kernel is shared), or null. The synapse's
    /// weight in <see cref="Weights"/> is a copy that the engine refreshes before each delivery reads it.
    /// </summary>
    public int[]? KernelIndex { get; }

    /// <summary>The shared kernel of a plastic convolution (in <see cref="Conv2DConnectivity.Kernel"/> order), or null.</summary>
    public float[]? Kernel { get; }

    /// <summary>Incoming index (plastic projections): per post neuron, first entry (length <see cref="PostSize"/> + 1), or null.</summary>
    public int[]? IncomingStart { get; private set; }

    /// <summary>Incoming index: synapse index per entry, or null.</summary>
    public int[]? IncomingSynapse { get; private set; }

    /// <summary>Incoming index: presynaptic neuron per entry, or null.</summary>
    public int[]? IncomingPre { get; private set; }

    /// <summary>
    /// Whether every delay group lists its targets in ascending order (ties allowed), so that the synapses of a group into a
    /// range of targets are one contiguous run (computed once, on first use).
    /// </summary>
    internal bool TargetsAscendingWithinGroups
    {
        get
        {
            if (_ascending == 0)
            {
                _ascending = ComputeAscending() ? 1 : 2;
            }

            return _ascending == 1;
        }
    }

    private int _ascending;

    private bool ComputeAscending()
    {
        for (int g = 0; g < GroupDelay.Length; g++)
        {
            for (int k = GroupStart[g] + 1; k < GroupStart[g + 1]; k++)
            {
                if (Targets[k] < Targets[k - 1])
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <summary>Bytes held by all arrays of this table.</summary>
    public long MemoryBytes =>
        (4L * SourceGroupStart.Length) + (8L * GroupDelay.Length) + (4L * GroupStart.Length) + (4L * Targets.Length) + (4L * Weights.Length)
        + (4L * (KernelIndex?.Length ?? 0)) + (4L * (Kernel?.Length ?? 0))
        + (4L * (IncomingStart?.Length ?? 0)) + (4L * (IncomingSynapse?.Length ?? 0)) + (4L * (IncomingPre?.Length ?? 0));

    /// <summary>Bytes per synapse including every index (<see cref="MemoryBytes"/> / <see cref="SynapseCount"/>).</summary>
    public double BytesPerSynapse => SynapseCount == 0 ? 0 : MemoryBytes / (double)SynapseCount;

    /// <summary>The delay groups of source <paramref name="pre"/>: <c>[first, first + count)</c>.</summary>
    /// <param name="pre">Source index.</param>
    public (int First, int Count) GroupsOf(int pre) => (SourceGroupStart[pre], SourceGroupStart[pre + 1] - SourceGroupStart[pre]);

    /// <summary>The targets of delay group <paramref name="group"/>.</summary>
    /// <param name="group">Group index.</param>
    public ReadOnlySpan<int> GroupTargets(int group) => Targets.AsSpan(GroupStart[group], GroupStart[group + 1] - GroupStart[group]);

    /// <summary>The weights of delay group <paramref name="group"/>.</summary>
    /// <param name="group">Group index.</param>
    public Span<float> GroupWeights(int group) => Weights.AsSpan(GroupStart[group], GroupStart[group + 1] - GroupStart[group]);

    /// <summary>Builds (once) the per-postsynaptic-neuron index of incoming synapses needed by plasticity.</summary>
    public void BuildIncomingIndex()
    {
        if (IncomingStart is not null)
        {
            return;
        }

        int[] start = new int[PostSize + 1];
        foreach (int t in Targets)
        {
            start[t + 1]++;
        }

        for (int j = 0; j < PostSize; j++)
        {
            start[j + 1] += start[j];
        }

        int[] fill = start[..^1];
        int[] syn = new int[Targets.Length];
        int[] pre = new int[Targets.Length];
        for (int i = 0; i < PreSize; i++)
        {
            for (int k = GroupStart[SourceGroupStart[i]]; k < GroupStart[SourceGroupStart[i + 1]]; k++)
            {
                int e = fill[Targets[k]]++;
                syn[e] = k;
                pre[e] = i;
            }
        }

        IncomingStart = start;
        IncomingSynapse = syn;
        IncomingPre = pre;
    }

    /// <summary>Expands a projection's connectivity rule into a table (deterministic for a given spec).</summary>
    /// <param name="projection">The projection.</param>
    /// <param name="pre">Its presynaptic population.</param>
    /// <param name="post">Its postsynaptic population.</param>
    /// <exception cref="InvalidOperationException">More than 2^31 − 1 synapses.</exception>
    public static SynapseTable Build(ProjectionSpec projection, PopulationSpec pre, PopulationSpec post)
    {
        ArgumentNullException.ThrowIfNull(projection);
        ArgumentNullException.ThrowIfNull(pre);
        ArgumentNullException.ThrowIfNull(post);
        if (projection.Connectivity is FixedTotalNumberConnectivity ft)
        {
            return BuildFixedTotalNumber(projection, pre, post, ft);
        }

        var b = new Builder(projection, pre, post);
        return b.Run();
    }

    private sealed class Builder
    {
        private readonly ProjectionSpec _p;
        private readonly PopulationSpec _pre;
        private readonly PopulationSpec _post;
        private Xoshiro256 _wRng;
        private Xoshiro256 _dRng;
        private readonly List<int> _rowPost = [];
        private readonly List<float> _rowW = [];
        private readonly List<long> _rowD = [];
        private readonly List<int> _rowK = [];
        private readonly List<int> _kernelIndex = [];
        private readonly List<int> _targets = [];
        private readonly List<float> _weights = [];
        private readonly List<long> _groupDelay = [];
        private readonly List<int> _groupStart = [];
        private readonly int[] _sourceGroupStart;

        public Builder(ProjectionSpec p, PopulationSpec pre, PopulationSpec post)
        {
            _p = p;
            _pre = pre;
            _post = post;
            _wRng = new Xoshiro256(p.Weight.Seed);
            _dRng = new Xoshiro256(p.Delay.Seed);
            _sourceGroupStart = new int[pre.Size + 1];
        }

        private void Add(int post, float? w = null, long? d = null, int kernelEntry = -1)
        {
            _rowK.Add(kernelEntry);
            _rowPost.Add(post);
            _rowW.Add(w ?? DrawWeight());
            _rowD.Add(d ?? DrawDelay());
        }

        private float DrawWeight() => SynapseDraws.Weight(_p.Weight, ref _wRng);

        private long DrawDelay() => SynapseDraws.Delay(_p.Delay, ref _dRng);

        public SynapseTable Run()
        {
            bool same = _pre.Id == _post.Id;
            int[]? explicitOrder = null;
            int[]? explicitStart = null;
            ExplicitConnectivity? ex = _p.Connectivity as ExplicitConnectivity;
            if (ex is not null)
            {
                // Stable counting sort of the list by presynaptic index.
                explicitStart = new int[_pre.Size + 1];
                foreach (int i in ex.Pre)
                {
                    explicitStart[i + 1]++;
                }

                for (int i = 0; i < _pre.Size; i++)
                {
                    explicitStart[i + 1] += explicitStart[i];
                }

                int[] fill = explicitStart[..^1];
                explicitOrder = new int[ex.Pre.Length];
                for (int k = 0; k < ex.Pre.Length; k++)
                {
                    explicitOrder[fill[ex.Pre[k]]++] = k;
                }
            }

            var fpRng = _p.Connectivity is FixedProbabilityConnectivity fpc ? new Xoshiro256(fpc.Seed) : default;
            for (int i = 0; i < _pre.Size; i++)
            {
                _rowPost.Clear();
                _rowW.Clear();
                _rowD.Clear();
                _rowK.Clear();
                switch (_p.Connectivity)
                {
                    case AllToAllConnectivity a:
                        for (int j = 0; j < _post.Size; j++)
                        {
                            if (a.AllowSelf || !same || i != j)
                            {
                                Add(j);
                            }
                        }

                        break;
                    case OneToOneConnectivity:
                        Add(i);
                        break;
                    case FixedProbabilityConnectivity fp:
                        RowFixedProbability(i, fp, same, ref fpRng);
                        break;
                    case ExplicitConnectivity:
                        for (int e = explicitStart![i]; e < explicitStart[i + 1]; e++)
                        {
                            int k = explicitOrder![e];
                            Add(ex!.Post[k], ex.Weights.IsDefaultOrEmpty ? null : ex.Weights[k], ex.Delays.IsDefaultOrEmpty ? null : ex.Delays[k].Ticks);
                        }

                        break;
                    case Conv2DConnectivity cv:
                        RowConv(i, cv);
                        break;
                    default:
                        throw new NotSupportedException($"Unknown connectivity {_p.Connectivity.GetType().Name}.");
                }

                FlushRow(i);
            }

            _sourceGroupStart[_pre.Size] = _groupDelay.Count;
            _groupStart.Add(_targets.Count);
            if (_p.Connectivity is Conv2DConnectivity conv && _p.Plasticity is not null)
            {
                return new SynapseTable(_pre.Size, _post.Size, _sourceGroupStart, [.. _groupDelay], [.. _groupStart], [.. _targets], [.. _weights], [.. _kernelIndex], [.. conv.Kernel]);
            }

            return new SynapseTable(_pre.Size, _post.Size, _sourceGroupStart, [.. _groupDelay], [.. _groupStart], [.. _targets], [.. _weights]);
        }

        private void RowFixedProbability(int i, FixedProbabilityConnectivity fp, bool same, ref Xoshiro256 rng)
        {
            if (fp.P <= 0)
            {
                return;
            }

            if (fp.P >= 1)
            {
                for (int j = 0; j < _post.Size; j++)
                {
                    if (fp.AllowSelf || !same || i != j)
                    {
                        Add(j);
                    }
                }

                return;
            }

            // Geometric skipping: the gap to the next connected post index is Geometric(p), exactly equivalent to one
            // Bernoulli(p) trial per pair.
            double logq = LogOneMinus(fp.P);
            long j2 = -1;
            while (true)
            {
                double u = rng.NextDoubleNonZero();
                double skip = Math.Floor(Math.Log(u) / logq);
                if (skip >= _post.Size)
                {
                    return;
                }

                j2 += 1 + (long)skip;
                if (j2 >= _post.Size)
                {
                    return;
                }

                if (fp.AllowSelf || !same || j2 != i)
                {
                    Add((int)j2);
                }
            }
        }

        private void RowConv(int i, Conv2DConnectivity cv)
        {
            PopulationShape ps = _pre.Shape;
            PopulationShape qs = _post.Shape;
            int hw = ps.Height * ps.Width;
            int c = i / hw;
            int y = i % hw / ps.Width;
            int x = i % ps.Width;
            for (int o = 0; o < cv.OutChannels; o++)
            {
                for (int ky = 0; ky < cv.KernelHeight; ky++)
                {
                    int ny = y + cv.PadY - ky;
                    if (ny < 0 || ny % cv.StrideY != 0)
                    {
                        continue;
                    }

                    int oy = ny / cv.StrideY;
                    if (oy >= qs.Height)
                    {
                        continue;
                    }

                    for (int kx = 0; kx < cv.KernelWidth; kx++)
                    {
                        int nx = x + cv.PadX - kx;
                        if (nx < 0 || nx % cv.StrideX != 0)
                        {
                            continue;
                        }

                        int ox = nx / cv.StrideX;
                        if (ox >= qs.Width)
                        {
                            continue;
                        }

                        int entry = (((((o * cv.InChannels) + c) * cv.KernelHeight) + ky) * cv.KernelWidth) + kx;
                        Add(qs.IndexOf(o, oy, ox), cv.Kernel[entry], kernelEntry: entry);
                    }
                }
            }
        }

        private void FlushRow(int i)
        {
            _sourceGroupStart[i] = _groupDelay.Count;
            int n = _rowPost.Count;
            if (n == 0)
            {
                return;
            }

            if ((long)_targets.Count + n > int.MaxValue)
            {
                throw new InvalidOperationException($"{_p}: more than 2^31 − 1 synapses.");
            }

            bool constant = true;
            for (int k = 1; k < n && constant; k++)
            {
                constant = _rowD[k] == _rowD[0];
            }

            if (constant)
            {
                _groupDelay.Add(_rowD[0]);
                _groupStart.Add(_targets.Count);
                for (int k = 0; k < n; k++)
                {
                    _targets.Add(_rowPost[k]);
                    _weights.Add(_rowW[k]);
                    _kernelIndex.Add(_rowK[k]);
                }

                return;
            }

            // Stable order by delay, keeping generation order within a delay.
            int[] order = new int[n];
            for (int k = 0; k < n; k++)
            {
                order[k] = k;
            }

            List<long> d = _rowD;
            Array.Sort(order, (a, b) => d[a] != d[b] ? d[a].CompareTo(d[b]) : a.CompareTo(b));
            long current = long.MinValue;
            foreach (int k in order)
            {
                if (d[k] != current)
                {
                    current = d[k];
                    _groupDelay.Add(current);
                    _groupStart.Add(_targets.Count);
                }

                _targets.Add(_rowPost[k]);
                _weights.Add(_rowW[k]);
                _kernelIndex.Add(_rowK[k]);
            }
        }

        private static double LogOneMinus(double p) => p < 1e-4 ? -(p + (p * p / 2) + (p * p * p / 3)) : Math.Log(1 - p);
    }
}
