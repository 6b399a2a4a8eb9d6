using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>
/// The runtime of one projection's plasticity rule (one subclass per rule), driven by spike notifications: the engine
/// calls <see cref="OnPreSpike"/> and <see cref="OnPostSpike"/> at spike times in its processing order (monitors first,
/// then rules where the population is presynaptic, then rules where it is postsynaptic), in both executions.
/// </summary>
/// <remarks>
/// On a convolution (<see cref="SynapseTable.KernelIndex"/> set) the rule updates the shared kernel
/// (<see cref="Weights"/> indexed by kernel entry); the engine copies the kernel into a delivery's synapses just before the
/// delivery reads them, so all copies of one kernel entry always carry one weight.
/// </remarks>
public abstract class PlasticityRule
{
    private protected PlasticityRule(PlasticitySpec spec, SynapseTable table)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(table);
        Spec = spec;
        Table = table;
        table.BuildIncomingIndex();
        KernelIndex = table.KernelIndex;
        Weights = table.Kernel ?? table.Weights;
        WMin = (float)spec.WMin;
        WMax = (float)spec.WMax;
    }

    /// <summary>The rule.</summary>
    public PlasticitySpec Spec { get; }

    /// <summary>The projection's synapses.</summary>
    public SynapseTable Table { get; }

    /// <summary>The weights the rule changes: the table's weights, or the shared kernel of a convolution.</summary>
    public float[] Weights { get; }

    /// <summary>Per synapse, its kernel entry (convolutions), or null.</summary>
    private protected int[]? KernelIndex { get; }

    private protected float WMin { get; }

    private protected float WMax { get; }

    /// <summary>The reward input in effect (reward-modulated rules; 0 until set).</summary>
    public double Reward { get; private set; }

    /// <summary>Whether the engine must call <see cref="BeforeDelivery"/> before a delivery reads weights.</summary>
    internal virtual bool NeedsSync => KernelIndex is not null;

    /// <summary>
    /// Whether the weights change only when a spike arrives at them (<see cref="BeforeDelivery"/>) or when the postsynaptic
    /// population spikes, so that a delivery into a clock-driven population may be applied at its step instead of at its
    /// arrival tick: nothing else can change its weights in between.
    /// </summary>
    internal virtual bool DefersDeliveries => false;

    /// <summary>
    /// Does what <see cref="BeforeDelivery"/> does for delay group <paramref name="group"/> at tick <paramref name="t"/> and
    /// adds the group's weights to <paramref name="input"/> at their targets, in one pass; false (nothing done) when the
    /// rule has no such pass.
    /// </summary>
    /// <param name="group">The delay group.</param>
    /// <param name="t">The arrival tick.</param>
    /// <param name="input">The input per postsynaptic neuron to add the weights to.</param>
    internal virtual bool DeliverInto(int group, long t, Span<float> input) => false;

    /// <summary>Creates the runtime of <paramref name="spec"/> on <paramref name="table"/>.</summary>
    /// <param name="spec">The rule.</param>
    /// <param name="table">The projection's synapses.</param>
    public static PlasticityRule Create(PlasticitySpec spec, SynapseTable table) => spec switch
    {
        StdpSpec s => CreatePair(s, table, 1.0, rewardScaled: false),
        SnnTorchStdpSpec s => CreatePair(s.ToPair(), table, 1.0, rewardScaled: false),
        MatterhornStdpSpec s => CreatePair(s.ToPair(), table, 1.0, rewardScaled: false),
        MstdpSpec s => new PairStdpRule<AdditiveDependence>(
            s,
            new StdpSpec(s.APre, s.APost, 1, 1, s.WMin, s.WMax) { PreTrace = s.PreTrace, PostTrace = s.PostTrace },
            table,
            default,
            s.LearningRate,
            rewardScaled: true),
        MstdpetSpec s => new MstdpetRule(s, table),
        TripletStdpSpec s => new TripletStdpRule(s, table),
        FedeStdpSpec s => new FedeStdpRule(s, table),
        null => throw new ArgumentNullException(nameof(spec)),
        _ => throw new NotSupportedException($"Unknown plasticity rule {spec.GetType().Name}."),
    };

    private static PlasticityRule CreatePair(StdpSpec s, SynapseTable table, double scale, bool rewardScaled) => s.Dependence switch
    {
        WeightDependence.Multiplicative => new PairStdpRule<MultiplicativeDependence>(s, s, table, new MultiplicativeDependence(s.WMin), scale, rewardScaled),
        WeightDependence.SoftBounds => new PairStdpRule<SoftBoundsDependence>(s, s, table, new SoftBoundsDependence(s.WMin, s.WMax, s.Mu), scale, rewardScaled),
        WeightDependence.Proportional => new PairStdpRule<ProportionalDependence>(s, s, table, default, scale, rewardScaled),
        _ => new PairStdpRule<AdditiveDependence>(s, s, table, default, scale, rewardScaled),
    };

    /// <summary>Applies the rule for a presynaptic spike of <paramref name="pre"/> at tick <paramref name="t"/>.</summary>
    /// <param name="pre">Presynaptic neuron.</param>
    /// <param name="t">Spike tick.</param>
    public abstract void OnPreSpike(int pre, long t);

    /// <summary>Applies the rule for a postsynaptic spike of <paramref name="post"/> at tick <paramref name="t"/>.</summary>
    /// <param name="post">Postsynaptic neuron.</param>
    /// <param name="t">Spike tick.</param>
    public abstract void OnPostSpike(int post, long t);

    /// <summary>Clears every trace (and eligibility) of the rule; weights are kept.</summary>
    public abstract void ClearTraces();

    /// <summary>Sets the reward input from tick <paramref name="t"/> on (reward-modulated rules; others ignore it).</summary>
    /// <param name="reward">The reward (finite).</param>
    /// <param name="t">The current tick.</param>
    public void SetReward(double reward, long t)
    {
        if (!double.IsFinite(reward))
        {
            throw new ArgumentOutOfRangeException(nameof(reward), reward, "The reward must be finite.");
        }

        Synchronize(t);
        Reward = reward;
        OnRewardChanged();
    }

    /// <summary>Brings every weight of the table up to tick <paramref name="t"/> (kernel copies, continuous updates).</summary>
    /// <param name="t">The current tick.</param>
    public virtual void Synchronize(long t)
    {
        if (KernelIndex is int[] idx)
        {
            float[] w = Table.Weights;
            for (int k = 0; k < w.Length; k++)
            {
                w[k] = Weights[idx[k]];
            }
        }
    }

    /// <summary>Brings the weights of delivery group <paramref name="group"/> up to tick <paramref name="t"/> before a delivery reads them.</summary>
    /// <param name="group">The delay group.</param>
    /// <param name="t">The tick.</param>
    internal virtual void BeforeDelivery(int group, long t)
    {
        if (KernelIndex is int[] idx)
        {
            float[] w = Table.Weights;
            float[] kernel = Weights;
            int to = Table.GroupStart[group + 1];
            for (int k = Table.GroupStart[group]; k < to; k++)
            {
                w[k] = kernel[idx[k]];
            }
        }
    }

    /// <summary>Called after the reward changed.</summary>
    private protected virtual void OnRewardChanged()
    {
    }

    /// <summary>Writes the rule's state (traces, kernel, eligibility, reward).</summary>
    internal virtual void Write(BinaryWriter w)
    {
        w.Write(Reward);
        if (KernelIndex is not null)
        {
            Engines.EngineStateIO.WriteArray<float>(w, Weights);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote; the returned actions install it.</summary>
    internal virtual void Read(BinaryReader r, List<Action> apply)
    {
        double reward = r.ReadDouble();
        if (!double.IsFinite(reward))
        {
            throw new InvalidDataException($"Saved reward {reward} of rule '{Spec.Rule}' is not finite.");
        }

        apply.Add(() => Reward = reward);
        if (KernelIndex is not null)
        {
            float[] k = Engines.EngineStateIO.ReadArray<float>(r, Weights.Length);
            apply.Add(() => k.CopyTo(Weights, 0));
        }
    }

    /// <summary>The storage index of synapse <paramref name="k"/>'s weight in <see cref="Weights"/>.</summary>
    private protected int Slot(int k) => KernelIndex is null ? k : KernelIndex[k];

    private protected float Clip(double w) => Math.Clamp((float)w, WMin, WMax);
}
