using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>Triplet STDP (<see cref="TripletStdpSpec"/>): two presynaptic and two postsynaptic traces.</summary>
/// <remarks>
/// Presynaptic spike of i at t: every outgoing i→j gets <c>w ← clip(w − o₁[j](t)·(A₂₋ + A₃₋·r₂[i](t−ε)))</c>, then r₁[i],
/// r₂[i] are bumped. Postsynaptic spike of j at t: every incoming i→j gets <c>w ← clip(w + r₁[i](t)·(A₂₊ + A₃₊·o₂[j](t−ε)))</c>,
/// then o₁[j], o₂[j] are bumped.
/// </remarks>
internal sealed class TripletStdpRule : PlasticityRule
{
    private readonly TripletStdpSpec _s;

    public TripletStdpRule(TripletStdpSpec spec, SynapseTable table)
        : base(spec, table)
    {
        _s = spec;
        R1 = new SynapticTrace(table.PreSize, TraceSpec.Exponential(spec.TauPlusMs, spec.Mode));
        R2 = new SynapticTrace(table.PreSize, TraceSpec.Exponential(spec.TauXMs, spec.Mode));
        O1 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauMinusMs, spec.Mode));
        O2 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauYMs, spec.Mode));
    }

    /// <summary>Fast presynaptic trace r₁ (τ₊).</summary>
    public SynapticTrace R1 { get; }

    /// <summary>Slow presynaptic trace r₂ (τₓ).</summary>
    public SynapticTrace R2 { get; }

    /// <summary>Fast postsynaptic trace o₁ (τ₋).</summary>
    public SynapticTrace O1 { get; }

    /// <summary>Slow postsynaptic trace o₂ (τ_y).</summary>
    public SynapticTrace O2 { get; }

    public override void OnPreSpike(int pre, long t)
    {
        double a = _s.A2Minus + (_s.A3Minus == 0 ? 0 : _s.A3Minus * R2.At(pre, t));
        if (a != 0)
        {
            SynapseTable tb = Table;
            int[] targets = tb.Targets;
            float[] w = Weights;
            int from = tb.GroupStart[tb.SourceGroupStart[pre]];
            int to = tb.GroupStart[tb.SourceGroupStart[pre + 1]];
            for (int k = from; k < to; k++)
            {
                double o1 = O1.At(targets[k], t);
                if (o1 != 0)
                {
                    int s = Slot(k);
                    w[s] = Clip(w[s] - (a * o1));
                }
            }
        }

        R1.OnSpike(pre, t);
        R2.OnSpike(pre, t);
    }

    public override void OnPostSpike(int post, long t)
    {
        double a = _s.A2Plus + (_s.A3Plus == 0 ? 0 : _s.A3Plus * O2.At(post, t));
        if (a != 0)
        {
            SynapseTable tb = Table;
            int[] start = tb.IncomingStart!;
            int[] syn = tb.IncomingSynapse!;
            int[] preOf = tb.IncomingPre!;
            float[] w = Weights;
            for (int e = start[post]; e < start[post + 1]; e++)
            {
                double r1 = R1.At(preOf[e], t);
                if (r1 != 0)
                {
                    int s = Slot(syn[e]);
                    w[s] = Clip(w[s] + (a * r1));
                }
            }
        }

        O1.OnSpike(post, t);
        O2.OnSpike(post, t);
    }

    public override void ClearTraces()
    {
        R1.Clear();
        R2.Clear();
        O1.Clear();
        O2.Clear();
    }

    internal override void Write(BinaryWriter w)
    {
        base.Write(w);
        R1.Write(w);
        R2.Write(w);
        O1.Write(w);
        O2.Write(w);
    }

    internal override void Read(BinaryReader r, List<Action> apply)
    {
        base.Read(r, apply);
        apply.Add(R1.Read(r));
        apply.Add(R2.Read(r));
        apply.Add(O1.Read(r));
        apply.Add(O2.Read(r));
    }
}
