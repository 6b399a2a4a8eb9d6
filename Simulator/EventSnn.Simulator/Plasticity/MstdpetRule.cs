using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>Reward-modulated STDP with eligibility traces (<see cref="MstdpetSpec"/>), integrated exactly and lazily per synapse.</summary>
/// <remarks>
/// Each synapse stores its eligibility e and the tick it was last brought up to date. Between events the reward r is
/// constant, e decays as <c>e·e^{−Δ/τ_e}</c> and the weight grows by <c>(lr/dt)·r·e·τ_e·(1 − e^{−Δ/τ_e})</c>; the weight is
/// clipped when brought up to date (it moves monotonically within an interval, so this equals the clipped flow). A
/// synapse is brought up to date before its eligibility jumps (at spikes), before a delivery reads it, and for every
/// synapse when the reward changes.
/// </remarks>
internal sealed class MstdpetRule : PlasticityRule
{
    private readonly double _aPre;
    private readonly double _aPost;
    private readonly double _rate;
    private readonly double _tau;
    private readonly double[] _e;
    private readonly long[] _last;

    public MstdpetRule(MstdpetSpec spec, SynapseTable table)
        : base(spec, table)
    {
        _aPre = spec.APre;
        _aPost = spec.APost;
        _tau = spec.EligibilityTauTicks;
        _rate = spec.LearningRate / spec.Step.Ticks;
        _e = new double[table.SynapseCount];
        _last = new long[table.SynapseCount];
        PreTrace = new SynapticTrace(table.PreSize, spec.PreTrace);
        PostTrace = new SynapticTrace(table.PostSize, spec.PostTrace);
    }

    /// <summary>Presynaptic traces.</summary>
    public SynapticTrace PreTrace { get; }

    /// <summary>Postsynaptic traces.</summary>
    public SynapticTrace PostTrace { get; }

    /// <summary>Per synapse: eligibility at its last update.</summary>
    public ReadOnlySpan<double> Eligibility => _e;

    internal override bool NeedsSync => true;

    public override void OnPreSpike(int pre, long t)
    {
        PreTrace.OnSpike(pre, t);
        SynapseTable tb = Table;
        int[] targets = tb.Targets;
        int from = tb.GroupStart[tb.SourceGroupStart[pre]];
        int to = tb.GroupStart[tb.SourceGroupStart[pre + 1]];
        for (int k = from; k < to; k++)
        {
            Advance(k, t);
            _e[k] -= _aPost * PostTrace.At(targets[k], t);
        }
    }

    public override void OnPostSpike(int post, long t)
    {
        PostTrace.OnSpike(post, t);
        SynapseTable tb = Table;
        int[] start = tb.IncomingStart!;
        int[] syn = tb.IncomingSynapse!;
        int[] preOf = tb.IncomingPre!;
        for (int e = start[post]; e < start[post + 1]; e++)
        {
            int k = syn[e];
            Advance(k, t);
            _e[k] += _aPre * PreTrace.At(preOf[e], t);
        }
    }

    public override void ClearTraces()
    {
        PreTrace.Clear();
        PostTrace.Clear();
        Array.Clear(_e);
    }

    public override void Synchronize(long t)
    {
        for (int k = 0; k < _e.Length; k++)
        {
            Advance(k, t);
        }
    }

    internal override void BeforeDelivery(int group, long t)
    {
        int to = Table.GroupStart[group + 1];
        for (int k = Table.GroupStart[group]; k < to; k++)
        {
            Advance(k, t);
        }
    }

    private void Advance(int k, long t)
    {
        long last = _last[k];
        if (t <= last)
        {
            return;
        }

        _last[k] = t;
        double e = _e[k];
        if (e == 0)
        {
            return;
        }

        double decay = Math.Exp(-(t - last) / _tau);
        _e[k] = e * decay;
        double r = Reward;
        if (r != 0)
        {
            float[] w = Weights;
            w[k] = Clip(w[k] + (_rate * r * e * _tau * (1 - decay)));
        }
    }

    internal override void Write(BinaryWriter w)
    {
        base.Write(w);
        PreTrace.Write(w);
        PostTrace.Write(w);
        Engines.EngineStateIO.WriteArray<double>(w, _e);
        Engines.EngineStateIO.WriteArray<long>(w, _last);
    }

    internal override void Read(BinaryReader r, List<Action> apply)
    {
        base.Read(r, apply);
        apply.Add(PreTrace.Read(r));
        apply.Add(PostTrace.Read(r));
        double[] e = Engines.EngineStateIO.ReadArray<double>(r, _e.Length);
        long[] l = Engines.EngineStateIO.ReadArray<long>(r, _last.Length);
        apply.Add(() =>
        {
            e.CopyTo(_e, 0);
            l.CopyTo(_last, 0);
        });
    }
}
