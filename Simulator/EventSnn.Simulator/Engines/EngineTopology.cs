using System.Runtime.CompilerServices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Engines;

/// <summary>
/// The runtime structures every <see cref="NetworkSpec"/> engine builds the same way: neuron states, synapse tables,
/// outgoing projections, STDP rules by pre- and postsynaptic population, spike-source cursors and Poisson generators;
/// with the argument checks and the save/restore of these shared parts.
/// </summary>
/// <remarks>
/// Engines copy the array references into their own fields, so their per-event and per-step paths index the arrays
/// directly, exactly as before.
/// </remarks>
internal sealed class EngineTopology
{
    /// <summary>Builds the runtime of <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    public EngineTopology(NetworkSpec network)
    {
        Network = network;
        int np = network.Populations.Length;
        SourceCursor = new int[]?[np];
        PoissonRng = new Xoshiro256[np];
        PoissonP = new double[np];
        foreach (PopulationSpec p in network.Populations)
        {
            if (p.Kind == PopulationKind.SpikeSource)
            {
                SourceCursor[p.Id] = new int[p.Size];
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                PoissonRng[p.Id] = new Xoshiro256(p.Poisson!.Seed);
                PoissonP[p.Id] = PoissonProcess.ProbabilityPerTick(p.Poisson.RateHz);
            }
        }

        int nj = network.Projections.Length;
        Tables = new SynapseTable[nj];
        Receptor = new int[nj];
        Post = new int[nj];
        Rules = new PlasticityRule?[nj];
        var outgoing = new List<int>[np];
        var pre = new List<PlasticityRule>[np];
        var post = new List<PlasticityRule>[np];
        for (int i = 0; i < np; i++)
        {
            outgoing[i] = [];
            pre[i] = [];
            post[i] = [];
        }

        foreach (ProjectionSpec pr in network.Projections)
        {
            SynapseTable table = SynapseTable.Build(pr, network.Populations[pr.Pre], network.Populations[pr.Post]);
            Tables[pr.Id] = table;
            Receptor[pr.Id] = pr.Receptor;
            Post[pr.Id] = pr.Post;
            outgoing[pr.Pre].Add(pr.Id);
            if (pr.Plasticity is not null)
            {
                var rule = PlasticityRule.Create(pr.Plasticity, table);
                Rules[pr.Id] = rule;
                pre[pr.Pre].Add(rule);
                post[pr.Post].Add(rule);
            }
        }

        foreach (ProjectionSpec pr in network.Projections)
        {
            if (pr.Normalization is { } n)
            {
                WeightNormalization.Apply(Tables[pr.Id], n.Total);
            }
        }

        Outgoing = [.. outgoing.Select(l => l.ToArray())];
        PreRules = [.. pre.Select(l => l.ToArray())];
        PostRules = [.. post.Select(l => l.ToArray())];
    }

    /// <summary>The network.</summary>
    public NetworkSpec Network { get; }

    /// <summary>Synapse table by projection.</summary>
    public SynapseTable[] Tables { get; }

    /// <summary>Target receptor by projection.</summary>
    public int[] Receptor { get; }

    /// <summary>Postsynaptic population by projection.</summary>
    public int[] Post { get; }

    /// <summary>Projections leaving each population.</summary>
    public int[][] Outgoing { get; }

    /// <summary>STDP rule by projection (null when static).</summary>
    public PlasticityRule?[] Rules { get; }

    /// <summary>STDP rules whose presynaptic population is the index.</summary>
    public PlasticityRule[][] PreRules { get; }

    /// <summary>STDP rules whose postsynaptic population is the index.</summary>
    public PlasticityRule[][] PostRules { get; }

    /// <summary>Next spike index of each source, for spike-source populations (null otherwise).</summary>
    public int[]?[] SourceCursor { get; }

    /// <summary>Random generator of each Poisson population (one per population, shared by its sources).</summary>
    public Xoshiro256[] PoissonRng { get; }

    /// <summary>Spike probability per tick of each Poisson population.</summary>
    public double[] PoissonP { get; }

    /// <summary>Total synapses over all projections.</summary>
    public long SynapseCount => Tables.Sum(t => (long)t.SynapseCount);

    /// <summary>Total bytes of synapse storage.</summary>
    public long SynapseBytes => Tables.Sum(t => t.MemoryBytes);

    /// <summary>The spike bookkeeping both engines share: monitors, then presynaptic and postsynaptic STDP updates.</summary>
    /// <param name="monitors">The engine's spike monitors.</param>
    /// <param name="preRules">The rules whose presynaptic population spiked.</param>
    /// <param name="postRules">The rules whose postsynaptic population spiked.</param>
    /// <param name="population">Population id.</param>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="tick">Spike time.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void NotifySpike(ISpikeMonitor[] monitors, PlasticityRule[] preRules, PlasticityRule[] postRules, int population, int neuron, long tick)
    {
        if (monitors.Length != 0)
        {
            SimTime st = SimTime.FromTicks(tick);
            foreach (ISpikeMonitor m in monitors)
            {
                m.OnSpike(st, population, neuron);
            }
        }

        foreach (PlasticityRule r in preRules)
        {
            r.OnPreSpike(neuron, tick);
        }

        foreach (PlasticityRule r in postRules)
        {
            r.OnPostSpike(neuron, tick);
        }
    }

    /// <summary>Checks the (population, neuron) pair of <see cref="ISimulationEngine.InjectEvent"/>.</summary>
    /// <param name="population">Population id; must be an external input population.</param>
    /// <param name="neuron">Source index.</param>
    public void CheckExternalSource(int population, int neuron)
    {
        if ((uint)population >= (uint)Network.Populations.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(population), population, "No such population.");
        }

        PopulationSpec p = Network.Populations[population];
        if (p.Kind != PopulationKind.External)
        {
            throw new ArgumentException($"{p} is not an external input population.", nameof(population));
        }

        if ((uint)neuron >= (uint)p.Size)
        {
            throw new ArgumentOutOfRangeException(nameof(neuron), neuron, $"{p} has {p.Size} sources.");
        }
    }

    /// <summary>Whether a saved pending event refers to projections, groups, populations and neurons of this network.</summary>
    /// <param name="e">The event.</param>
    /// <param name="allowWake">Whether wake-up events are valid (event-driven engine only).</param>
    /// <returns>True when the event fits.</returns>
    public bool Fits(in EngineEvent e, bool allowWake) => e.Kind switch
    {
        EngineEventKind.Deliver => (uint)e.A < (uint)Tables.Length && (uint)e.B < (uint)Tables[e.A].GroupCount,
        EngineEventKind.Wake => allowWake && (uint)e.A < (uint)Network.Populations.Length && Network.Populations[e.A].HasState && (uint)e.B < (uint)Network.Populations[e.A].Size,
        EngineEventKind.Source => (uint)e.A < (uint)Network.Populations.Length && !Network.Populations[e.A].HasState && (uint)e.B < (uint)Network.Populations[e.A].Size,
        _ => false,
    };

    /// <summary>Writes the network fingerprint: population kinds, sizes and models; synapse and group counts.</summary>
    /// <param name="w">The writer.</param>
    public void WriteFingerprint(BinaryWriter w)
    {
        w.Write(Network.Populations.Length);
        foreach (PopulationSpec p in Network.Populations)
        {
            w.Write((int)p.Kind);
            w.Write(p.Size);
            w.Write(p.Model?.Info.Name ?? string.Empty);
        }

        w.Write(Tables.Length);
        foreach (SynapseTable t in Tables)
        {
            w.Write(t.SynapseCount);
            w.Write(t.GroupCount);
        }
    }

    /// <summary>
    /// Writes the state of every population in id order: neuron state through <paramref name="writeNeurons"/>,
    /// spike-source cursors, and Poisson generator states followed by <paramref name="writePoissonExtra"/>.
    /// </summary>
    /// <param name="w">The writer.</param>
    /// <param name="writeNeurons">Writes one neuron population's state.</param>
    /// <param name="writePoissonExtra">Writes engine-specific data after a Poisson population's generator state, or null.</param>
    public void WritePopulations(BinaryWriter w, Action<BinaryWriter, PopulationSpec> writeNeurons, Action<BinaryWriter, PopulationSpec>? writePoissonExtra)
    {
        Span<ulong> st = stackalloc ulong[4];
        foreach (PopulationSpec p in Network.Populations)
        {
            if (p.HasState)
            {
                writeNeurons(w, p);
            }
            else if (SourceCursor[p.Id] is int[] cursor)
            {
                EngineStateIO.WriteArray<int>(w, cursor);
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                PoissonRng[p.Id].GetState(st);
                EngineStateIO.WriteArray<ulong>(w, st);
                writePoissonExtra?.Invoke(w, p);
            }
        }
    }

    /// <summary>
    /// Reads what <see cref="WritePopulations"/> wrote, validating it; the returned actions (added to
    /// <paramref name="apply"/>) install it, so a corrupt state leaves the engine unchanged.
    /// </summary>
    /// <param name="r">The reader.</param>
    /// <param name="apply">Receives the actions that install the state.</param>
    /// <param name="readNeurons">Reads one neuron population's state and returns the action that installs it.</param>
    /// <param name="readPoissonExtra">Reads what the engine wrote after a Poisson generator state, or null.</param>
    public void ReadPopulations(BinaryReader r, List<Action> apply, Func<BinaryReader, PopulationSpec, Action> readNeurons, Func<BinaryReader, PopulationSpec, Action>? readPoissonExtra)
    {
        foreach (PopulationSpec p in Network.Populations)
        {
            if (p.HasState)
            {
                apply.Add(readNeurons(r, p));
            }
            else if (SourceCursor[p.Id] is int[] cursor)
            {
                int[] c = EngineStateIO.ReadArray<int>(r, cursor.Length);
                for (int j = 0; j < c.Length; j++)
                {
                    if ((uint)c[j] > (uint)p.SpikeTimes[j].Length)
                    {
                        throw new InvalidDataException($"Saved spike-source cursor {c[j]} of {p} source {j} is out of range.");
                    }
                }

                apply.Add(() => c.CopyTo(cursor, 0));
            }
            else if (p.Kind == PopulationKind.Poisson)
            {
                ulong[] st = EngineStateIO.ReadArray<ulong>(r, 4);
                Action? extra = readPoissonExtra?.Invoke(r, p);
                if ((st[0] | st[1] | st[2] | st[3]) == 0)
                {
                    throw new InvalidDataException($"Saved random state of {p} is all zero.");
                }

                Xoshiro256[] rngs = PoissonRng;
                int id = p.Id;
                apply.Add(() => rngs[id].SetState(st));
                if (extra is not null)
                {
                    apply.Add(extra);
                }
            }
        }
    }

    /// <summary>Writes every projection's weights and, when plastic, its rule's state (traces, eligibility, shared kernel, reward).</summary>
    /// <param name="w">The writer.</param>
    public void WriteSynapses(BinaryWriter w)
    {
        for (int i = 0; i < Tables.Length; i++)
        {
            EngineStateIO.WriteArray<float>(w, Tables[i].Weights);
            Rules[i]?.Write(w);
        }
    }

    /// <summary>Reads what <see cref="WriteSynapses"/> wrote; the actions added to <paramref name="apply"/> install it.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="apply">Receives the actions that install the state.</param>
    public void ReadSynapses(BinaryReader r, List<Action> apply)
    {
        for (int i = 0; i < Tables.Length; i++)
        {
            SynapseTable tb = Tables[i];
            float[] wts = EngineStateIO.ReadArray<float>(r, tb.SynapseCount);
            apply.Add(() => wts.CopyTo(tb.Weights, 0));
            Rules[i]?.Read(r, apply);
        }
    }

    /// <summary>Moves every sampler's next sample time to at least <paramref name="now"/> (after a restore).</summary>
    /// <param name="samplers">The engine's samplers.</param>
    /// <param name="now">The restored time.</param>
    public static void ClampSamplers(List<(IStateSampler Sampler, long Interval, long Next)> samplers, long now)
    {
        for (int k = 0; k < samplers.Count; k++)
        {
            var s = samplers[k];
            samplers[k] = (s.Sampler, s.Interval, Math.Max(s.Next, now));
        }
    }
}
