using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>
/// Pair-based STDP (<see cref="StdpSpec"/>, and the rules that reduce to it: <see cref="SnnTorchStdpSpec"/>,
/// <see cref="MatterhornStdpSpec"/>, and <see cref="MstdpSpec"/> with its amplitudes scaled by γ·reward), generic over the
/// weight dependence so that the per-synapse loop is devirtualised.
/// </summary>
/// <typeparam name="TDep">The weight dependence.</typeparam>
/// <remarks>
/// At a presynaptic spike of i at t: x_pre[i] is bumped, then every outgoing synapse i→j gets
/// <c>w ← clip(w − s·A₋·f₋(w)·x_post[j](t))</c>. At a postsynaptic spike of j at t: x_post[j] is bumped, then every incoming
/// synapse i→j gets <c>w ← clip(w + s·A₊·f₊(w)·x_pre[i](t))</c>; s is 1, or γ·reward for MSTDP. Reads at the spike's own
/// tick follow <see cref="StdpSpec.SameTick"/>.
/// </remarks>
internal sealed class PairStdpRule<TDep> : PlasticityRule
    where TDep : struct, IWeightDependence
{
    private readonly TDep _dep;
    private readonly double _aPlus;
    private readonly double _aMinus;
    private readonly double _gain;
    private readonly bool _rewardScaled;
    private readonly SameTickPairing _same;
    private double _scale;

    public PairStdpRule(PlasticitySpec spec, StdpSpec pair, SynapseTable table, TDep dep, double gain, bool rewardScaled)
        : base(spec, table)
    {
        _dep = dep;
        _aPlus = pair.APlus;
        _aMinus = pair.AMinus;
        _gain = gain;
        _rewardScaled = rewardScaled;
        _same = pair.SameTick;
        _scale = rewardScaled ? 0 : gain;
        PreTrace = new SynapticTrace(table.PreSize, pair.EffectivePreTrace);
        PostTrace = new SynapticTrace(table.PostSize, pair.EffectivePostTrace);
    }

    /// <summary>Presynaptic traces.</summary>
    public SynapticTrace PreTrace { get; }

    /// <summary>Postsynaptic traces.</summary>
    public SynapticTrace PostTrace { get; }

    public override void OnPreSpike(int pre, long t)
    {
        PreTrace.OnSpike(pre, t);
        double a = _aMinus * _scale;
        double p = _aPlus * _scale;
        if (a == 0 && !(_same == SameTickPairing.Include && p != 0))
        {
            return;
        }

        SynapseTable tb = Table;
        int[] targets = tb.Targets;
        float[] w = Weights;
        bool exclude = _same == SameTickPairing.Exclude;
        bool include = _same == SameTickPairing.Include;
        double bump = PreTrace.Values[pre] - PreTrace.Before[pre];
        int from = tb.GroupStart[tb.SourceGroupStart[pre]];
        int to = tb.GroupStart[tb.SourceGroupStart[pre + 1]];
        for (int k = from; k < to; k++)
        {
            int j = targets[k];
            double x = exclude ? PostTrace.AtBefore(j, t) : PostTrace.At(j, t);
            int s = Slot(k);
            if (x != 0 && a != 0)
            {
                float wk = w[s];
                w[s] = Clip(wk - (a * _dep.Minus(wk) * x));
            }

            if (include && PostTrace.SpikedAt(j, t))
            {
                // j fired earlier in this tick: its potentiation did not see this spike.
                float wk = w[s];
                w[s] = Clip(wk + (p * _dep.Plus(wk) * bump));
            }
        }
    }

    public override void OnPostSpike(int post, long t)
    {
        PostTrace.OnSpike(post, t);
        double p = _aPlus * _scale;
        double a = _aMinus * _scale;
        if (p == 0 && !(_same == SameTickPairing.Include && a != 0))
        {
            return;
        }

        SynapseTable tb = Table;
        int[] start = tb.IncomingStart!;
        int[] syn = tb.IncomingSynapse!;
        int[] preOf = tb.IncomingPre!;
        float[] w = Weights;
        bool exclude = _same == SameTickPairing.Exclude;
        bool include = _same == SameTickPairing.Include;
        double bump = PostTrace.Values[post] - PostTrace.Before[post];
        for (int e = start[post]; e < start[post + 1]; e++)
        {
            int i = preOf[e];
            double x = exclude ? PreTrace.AtBefore(i, t) : PreTrace.At(i, t);
            int s = Slot(syn[e]);
            if (x != 0 && p != 0)
            {
                float wk = w[s];
                w[s] = Clip(wk + (p * _dep.Plus(wk) * x));
            }

            if (include && PreTrace.SpikedAt(i, t))
            {
                // i fired earlier in this tick: its depression did not see this spike.
                float wk = w[s];
                w[s] = Clip(wk - (a * _dep.Minus(wk) * bump));
            }
        }
    }

    public override void ClearTraces()
    {
        PreTrace.Clear();
        PostTrace.Clear();
    }

    private protected override void OnRewardChanged()
    {
        if (_rewardScaled)
        {
            _scale = _gain * Reward;
        }
    }

    internal override void Write(BinaryWriter w)
    {
        base.Write(w);
        PreTrace.Write(w);
        PostTrace.Write(w);
    }

    internal override void Read(BinaryReader r, List<Action> apply)
    {
        base.Read(r, apply);
        apply.Add(PreTrace.Read(r));
        apply.Add(PostTrace.Read(r));
        if (_rewardScaled)
        {
            apply.Add(OnRewardChanged);
        }
    }
}
