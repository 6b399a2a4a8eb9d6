using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>Triplet STDP (<see cref="TripletStdpSpec"/>): two presynaptic and two postsynaptic traces.</summary>
/// <remarks>
/// Presynaptic spike of i at t: every outgoing i→j gets <c>w ← clip(w − o₁[j](t)·(A₂₋ + A₃₋·r₂[i](t−ε)))</c>, then r₁[i],
/// r₂[i] are bumped. Postsynaptic spike of j at t: every incoming i→j gets <c>w ← clip(w + r₁[i](t)·(A₂₊ + A₃₊·o₂[j](t−ε)))</c>,
/// then o₁[j], o₂[j] are bumped.
/// With <see cref="TripletStdpSpec.PreAtArrival"/> the presynaptic side runs per synapse when a spike arrives there (after
/// the synapse's delay, just before the delivery reads the weight): r₁, r₂ are kept per synapse and the depression uses
/// o₁[j] at the arrival tick.
/// </remarks>
internal sealed class TripletStdpRule : PlasticityRule
{
    private readonly TripletStdpSpec _s;
    private readonly bool _arrival;

    public TripletStdpRule(TripletStdpSpec spec, SynapseTable table)
        : base(spec, table)
    {
        _s = spec;
        _arrival = spec.PreAtArrival;
        if (_arrival && table.KernelIndex is not null)
        {
            throw new NotSupportedException("Triplet STDP with presynaptic spikes at arrival is not supported on a convolution.");
        }

        // Presynaptic traces: one per presynaptic neuron, or one per synapse when spikes count at their arrival.
        int preSize = _arrival ? table.Targets.Length : table.PreSize;
        R1 = new SynapticTrace(preSize, TraceSpec.Exponential(spec.TauPlusMs, spec.Mode));
        R2 = new SynapticTrace(preSize, TraceSpec.Exponential(spec.TauXMs, spec.Mode));
        O1 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauMinusMs, spec.Mode));
        O2 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauYMs, spec.Mode));
    }

    /// <summary>Fast presynaptic trace r₁ (τ₊), per presynaptic neuron (per synapse with <see cref="TripletStdpSpec.PreAtArrival"/>).</summary>
    public SynapticTrace R1 { get; }

    /// <summary>Slow presynaptic trace r₂ (τₓ), per presynaptic neuron (per synapse with <see cref="TripletStdpSpec.PreAtArrival"/>).</summary>
    public SynapticTrace R2 { get; }

    /// <summary>Fast postsynaptic trace o₁ (τ₋).</summary>
    public SynapticTrace O1 { get; }

    /// <summary>Slow postsynaptic trace o₂ (τ_y).</summary>
    public SynapticTrace O2 { get; }

    internal override bool NeedsSync => _arrival || base.NeedsSync;

    public override void OnPreSpike(int pre, long t)
    {
        if (_arrival)
        {
            return;
        }

        double a = _s.A2Minus + (_s.A3Minus == 0 ? 0 : _s.A3Minus * R2.At(pre, t));
        if (a != 0)
        {
            SynapseTable tb = Table;
            int[] targets = tb.Targets;
            float[] w = Weights;
            int from = tb.GroupStart[tb.SourceGroupStart[pre]];
            int to = tb.GroupStart[tb.SourceGroupStart[pre + 1]];
            if (O1.CanAnchor)
            {
                // One exponential per presynaptic spike: o₁[j](t) = anchored[j]·f.
                ReadOnlySpan<double> o1s = O1.Anchored(t, out double f);
                double af = a * f;
                for (int k = from; k < to; k++)
                {
                    double o1 = o1s[targets[k]];
                    if (o1 != 0)
                    {
                        int s = Slot(k);
                        w[s] = Clip(w[s] - (af * o1));
                    }
                }
            }
            else
            {
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
        }

        R1.OnSpike(pre, t);
        R2.OnSpike(pre, t);
    }

    internal override void BeforeDelivery(int group, long t)
    {
        base.BeforeDelivery(group, t);
        if (!_arrival)
        {
            return;
        }

        // The spike arrives at the synapses of this delay group now: depression with o₁ at the arrival tick, then the
        // synapses' presynaptic traces are bumped.
        SynapseTable tb = Table;
        int[] targets = tb.Targets;
        float[] w = Weights;
        int from = tb.GroupStart[group];
        int to = tb.GroupStart[group + 1];
        if (_s.A2Minus != 0 || _s.A3Minus != 0)
        {
            bool anchored = O1.CanAnchor;
            double f = 1;
            ReadOnlySpan<double> o1s = anchored ? O1.Anchored(t, out f) : default;
            for (int k = from; k < to; k++)
            {
                double o1 = anchored ? o1s[targets[k]] * f : O1.At(targets[k], t);
                if (o1 != 0)
                {
                    double a = _s.A2Minus + (_s.A3Minus == 0 ? 0 : _s.A3Minus * R2.At(k, t));
                    w[k] = Clip(w[k] - (a * o1));
                }
            }
        }

        if (_s.Mode == TraceMode.Nearest)
        {
            // Nearest-spike traces are set, not summed: no read of the old value is needed.
            R1.Values.AsSpan(from, to - from).Fill(R1.Amplitude);
            R1.LastUpdate.AsSpan(from, to - from).Fill(t);
            if (_s.A3Minus != 0)
            {
                R2.Values.AsSpan(from, to - from).Fill(R2.Amplitude);
                R2.LastUpdate.AsSpan(from, to - from).Fill(t);
            }
        }
        else
        {
            for (int k = from; k < to; k++)
            {
                R1.OnSpike(k, t);
                R2.OnSpike(k, t);
            }
        }
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
                double r1 = R1.At(_arrival ? syn[e] : preOf[e], t);
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
