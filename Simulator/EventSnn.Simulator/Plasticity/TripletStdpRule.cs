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
/// o₁[j] at the arrival tick. Every synapse of one delay group (one presynaptic neuron, one delay) sees the same
/// arrivals, so r₁ and r₂ are kept per delay group: an arrival sets one value instead of one per synapse, and a
/// postsynaptic spike reads each incoming synapse's group. Saved state keeps one value per synapse (the group's).
/// </remarks>
internal sealed class TripletStdpRule : PlasticityRule
{
    private readonly TripletStdpSpec _s;
    private readonly bool _arrival;
    private readonly int[]? _incomingGroup;

    public TripletStdpRule(TripletStdpSpec spec, SynapseTable table)
        : base(spec, table)
    {
        _s = spec;
        _arrival = spec.PreAtArrival;
        if (_arrival && table.KernelIndex is not null)
        {
            throw new NotSupportedException("Triplet STDP with presynaptic spikes at arrival is not supported on a convolution.");
        }

        // Presynaptic traces: one per presynaptic neuron, or one per delay group when spikes count at their arrival (every
        // synapse of a group sees the same arrivals, so its trace is the group's), with each incoming synapse's group.
        int preSize = _arrival ? table.GroupCount : table.PreSize;
        if (_arrival)
        {
            int[] groupOf = new int[table.Targets.Length];
            for (int g = 0; g < table.GroupCount; g++)
            {
                groupOf.AsSpan(table.GroupStart[g], table.GroupStart[g + 1] - table.GroupStart[g]).Fill(g);
            }

            int[] syn = table.IncomingSynapse!;
            _incomingGroup = new int[syn.Length];
            for (int e = 0; e < syn.Length; e++)
            {
                _incomingGroup[e] = groupOf[syn[e]];
            }
        }

        R1 = new SynapticTrace(preSize, TraceSpec.Exponential(spec.TauPlusMs, spec.Mode));
        R2 = new SynapticTrace(preSize, TraceSpec.Exponential(spec.TauXMs, spec.Mode));
        O1 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauMinusMs, spec.Mode));
        O2 = new SynapticTrace(table.PostSize, TraceSpec.Exponential(spec.TauYMs, spec.Mode));
    }

    /// <summary>Fast presynaptic trace r₁ (τ₊), per presynaptic neuron (per delay group of <see cref="PlasticityRule.Table"/> with <see cref="TripletStdpSpec.PreAtArrival"/>).</summary>
    public SynapticTrace R1 { get; }

    /// <summary>Slow presynaptic trace r₂ (τₓ), per presynaptic neuron (per delay group of <see cref="PlasticityRule.Table"/> with <see cref="TripletStdpSpec.PreAtArrival"/>).</summary>
    public SynapticTrace R2 { get; }

    /// <summary>Fast postsynaptic trace o₁ (τ₋).</summary>
    public SynapticTrace O1 { get; }

    /// <summary>Slow postsynaptic trace o₂ (τ_y).</summary>
    public SynapticTrace O2 { get; }

    internal override bool NeedsSync => _arrival || base.NeedsSync;

    /// <summary>With arrival semantics the presynaptic side acts only at deliveries and the postsynaptic side at the target's spikes.</summary>
    internal override bool DefersDeliveries => _arrival && KernelIndex is null;

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
        // group's presynaptic traces are bumped.
        SynapseTable tb = Table;
        int from = tb.GroupStart[group];
        int to = tb.GroupStart[group + 1];
        double a2 = _s.A2Minus;
        double a3 = _s.A3Minus;
        if (a2 != 0 || a3 != 0)
        {
            double a = a2 + (a3 == 0 ? 0 : a3 * R2.At(group, t));
            Depress(tb.Targets.AsSpan(from, to - from), Weights.AsSpan(from, to - from), a, t);
        }

        BumpPresynaptic(group, t);
    }

    /// <summary>Records an arrival at delay group <paramref name="group"/> in its presynaptic traces.</summary>
    private void BumpPresynaptic(int group, long t)
    {
        if (_s.Mode == TraceMode.Nearest)
        {
            // Nearest-spike traces are set, not summed: no read of the old value is needed (r₂ only matters with A₃₋).
            R1.Values[group] = R1.Amplitude;
            R1.LastUpdate[group] = t;
            if (_s.A3Minus != 0)
            {
                R2.Values[group] = R2.Amplitude;
                R2.LastUpdate[group] = t;
            }
        }
        else
        {
            R1.OnSpike(group, t);
            R2.OnSpike(group, t);
        }
    }

    internal override bool DeliverInto(int group, long t, Span<float> input)
    {
        if (!_arrival || KernelIndex is not null || !O1.CanAnchor)
        {
            return false;
        }

        // BeforeDelivery and the delivery in one pass over the group: each weight is depressed, then added at its target.
        SynapseTable tb = Table;
        int from = tb.GroupStart[group];
        int to = tb.GroupStart[group + 1];
        double a2 = _s.A2Minus;
        double a3 = _s.A3Minus;
        ReadOnlySpan<int> targets = tb.Targets.AsSpan(from, to - from);
        Span<float> w = Weights.AsSpan(from, to - from);
        int n = Math.Min(targets.Length, w.Length);
        if (a2 != 0 || a3 != 0)
        {
            double a = a2 + (a3 == 0 ? 0 : a3 * R2.At(group, t));
            ReadOnlySpan<double> o1s = O1.Anchored(t, out double f);
            float lo = WMin;
            float hi = WMax;
            for (int k = 0; k < n; k++)
            {
                int j = targets[k];
                float wk = w[k];
                double o1 = o1s[j] * f;
                if (o1 != 0)
                {
                    // Math.Clamp's comparisons, without its per-call check of the bounds.
                    float v = (float)(wk - (a * o1));
                    wk = v < lo ? lo : v > hi ? hi : v;
                    w[k] = wk;
                }

                input[j] += wk;
            }
        }
        else
        {
            for (int k = 0; k < n; k++)
            {
                input[targets[k]] += w[k];
            }
        }

        BumpPresynaptic(group, t);
        return true;
    }

    /// <summary><c>w[k] ← clip(w[k] − a·o₁[targets[k]](t))</c> for the synapses of one delay group.</summary>
    private void Depress(ReadOnlySpan<int> targets, Span<float> w, double a, long t)
    {
        float lo = WMin;
        float hi = WMax;
        int n = Math.Min(targets.Length, w.Length);
        if (O1.CanAnchor)
        {
            ReadOnlySpan<double> o1s = O1.Anchored(t, out double f);
            for (int k = 0; k < n; k++)
            {
                double o1 = o1s[targets[k]] * f;
                if (o1 != 0)
                {
                    w[k] = Math.Clamp((float)(w[k] - (a * o1)), lo, hi);
                }
            }
        }
        else
        {
            for (int k = 0; k < n; k++)
            {
                double o1 = O1.At(targets[k], t);
                if (o1 != 0)
                {
                    w[k] = Math.Clamp((float)(w[k] - (a * o1)), lo, hi);
                }
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
                double r1 = R1.At(_arrival ? _incomingGroup![e] : preOf[e], t);
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
        if (_arrival)
        {
            // One value per synapse, as the state has always been saved: each synapse carries its group's trace.
            WritePerSynapse(w, R1);
            WritePerSynapse(w, R2);
        }
        else
        {
            R1.Write(w);
            R2.Write(w);
        }

        O1.Write(w);
        O2.Write(w);
    }

    internal override void Read(BinaryReader r, List<Action> apply)
    {
        base.Read(r, apply);
        if (_arrival)
        {
            apply.Add(ReadPerSynapse(r, R1));
            apply.Add(ReadPerSynapse(r, R2));
        }
        else
        {
            apply.Add(R1.Read(r));
            apply.Add(R2.Read(r));
        }

        apply.Add(O1.Read(r));
        apply.Add(O2.Read(r));
    }

    private void WritePerSynapse(BinaryWriter w, SynapticTrace trace)
    {
        SynapseTable tb = Table;
        int n = tb.Targets.Length;
        double[] values = new double[n];
        double[] before = new double[n];
        long[] last = new long[n];
        for (int g = 0; g < tb.GroupCount; g++)
        {
            int from = tb.GroupStart[g];
            int length = tb.GroupStart[g + 1] - from;
            values.AsSpan(from, length).Fill(trace.Values[g]);
            before.AsSpan(from, length).Fill(trace.Before[g]);
            last.AsSpan(from, length).Fill(trace.LastUpdate[g]);
        }

        Engines.EngineStateIO.WriteArray<double>(w, values);
        Engines.EngineStateIO.WriteArray<double>(w, before);
        Engines.EngineStateIO.WriteArray<long>(w, last);
    }

    private Action ReadPerSynapse(BinaryReader r, SynapticTrace trace)
    {
        SynapseTable tb = Table;
        int n = tb.Targets.Length;
        double[] values = Engines.EngineStateIO.ReadArray<double>(r, n);
        double[] before = Engines.EngineStateIO.ReadArray<double>(r, n);
        long[] last = Engines.EngineStateIO.ReadArray<long>(r, n);
        double[] gv = new double[tb.GroupCount];
        double[] gb = new double[tb.GroupCount];
        long[] gl = new long[tb.GroupCount];
        for (int g = 0; g < tb.GroupCount; g++)
        {
            int from = tb.GroupStart[g];
            int to = tb.GroupStart[g + 1];
            if (from == to)
            {
                gl[g] = long.MinValue;
                continue;
            }

            for (int k = from + 1; k < to; k++)
            {
                if (values[k] != values[from] || before[k] != before[from] || last[k] != last[from])
                {
                    throw new InvalidDataException($"The saved presynaptic traces of rule '{Spec.Rule}' differ within delay group {g} (synapses {from} and {k}).");
                }
            }

            gv[g] = values[from];
            gb[g] = before[from];
            gl[g] = last[from];
        }

        return () =>
        {
            trace.Clear();
            gv.CopyTo(trace.Values, 0);
            gb.CopyTo(trace.Before, 0);
            gl.CopyTo(trace.LastUpdate, 0);
        };
    }
}
