using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>
/// Pair-based additive STDP with hard bounds on one projection (sparse or dense storage alike), driven by spike
/// notifications. Both engines call <see cref="OnPreSpike"/> and <see cref="OnPostSpike"/> at the spike times, in their
/// processing order.
/// </summary>
/// <remarks>
/// At a presynaptic spike of i at t: every outgoing synapse i→j gets <c>w ← clip(w − A₋·x_post[j](t))</c>, then
/// <c>x_pre[i]</c> is bumped. At a postsynaptic spike of j at t: every incoming synapse i→j gets
/// <c>w ← clip(w + A₊·x_pre[i](t))</c>, then <c>x_post[j]</c> is bumped. A pre spike at t₁ followed by a post spike at
/// t₂ &gt; t₁ therefore changes w by exactly <c>+A₊·e^{−(t₂−t₁)/τ₊}</c>, and the reverse order by <c>−A₋·e^{−(t₂−t₁)/τ₋}</c>.
/// </remarks>
public sealed class StdpRule
{
    private readonly SynapseTable _table;
    private readonly float _wMin;
    private readonly float _wMax;
    private readonly double _aPlus;
    private readonly double _aMinus;

    /// <summary>Creates the rule state for a projection.</summary>
    /// <param name="spec">The rule.</param>
    /// <param name="table">The projection's synapses (its incoming index is built).</param>
    public StdpRule(StdpSpec spec, SynapseTable table)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(table);
        Spec = spec;
        _table = table;
        table.BuildIncomingIndex();
        _wMin = (float)spec.WMin;
        _wMax = (float)spec.WMax;
        _aPlus = spec.APlus;
        _aMinus = spec.AMinus;
        PreTrace = new SynapticTrace(table.PreSize, Units.MsToTicks(spec.TauPlusMs), spec.Mode);
        PostTrace = new SynapticTrace(table.PostSize, Units.MsToTicks(spec.TauMinusMs), spec.Mode);
    }

    /// <summary>The rule.</summary>
    public StdpSpec Spec { get; }

    /// <summary>Presynaptic traces (τ₊).</summary>
    public SynapticTrace PreTrace { get; }

    /// <summary>Postsynaptic traces (τ₋).</summary>
    public SynapticTrace PostTrace { get; }

    /// <summary>Applies depression for a presynaptic spike of <paramref name="pre"/> at tick <paramref name="t"/>.</summary>
    /// <param name="pre">Presynaptic neuron.</param>
    /// <param name="t">Spike tick.</param>
    public void OnPreSpike(int pre, long t)
    {
        SynapseTable tb = _table;
        int[] targets = tb.Targets;
        float[] w = tb.Weights;
        int from = tb.GroupStart[tb.SourceGroupStart[pre]];
        int to = tb.GroupStart[tb.SourceGroupStart[pre + 1]];
        if (_aMinus != 0)
        {
            for (int k = from; k < to; k++)
            {
                double x = PostTrace.At(targets[k], t);
                if (x != 0)
                {
                    w[k] = Math.Clamp((float)(w[k] - (_aMinus * x)), _wMin, _wMax);
                }
            }
        }

        PreTrace.OnSpike(pre, t);
    }

    /// <summary>Applies potentiation for a postsynaptic spike of <paramref name="post"/> at tick <paramref name="t"/>.</summary>
    /// <param name="post">Postsynaptic neuron.</param>
    /// <param name="t">Spike tick.</param>
    public void OnPostSpike(int post, long t)
    {
        SynapseTable tb = _table;
        int[] start = tb.IncomingStart!;
        int[] syn = tb.IncomingSynapse!;
        int[] pre = tb.IncomingPre!;
        float[] w = tb.Weights;
        if (_aPlus != 0)
        {
            for (int e = start[post]; e < start[post + 1]; e++)
            {
                double x = PreTrace.At(pre[e], t);
                if (x != 0)
                {
                    int k = syn[e];
                    w[k] = Math.Clamp((float)(w[k] + (_aPlus * x)), _wMin, _wMax);
                }
            }
        }

        PostTrace.OnSpike(post, t);
    }
}
