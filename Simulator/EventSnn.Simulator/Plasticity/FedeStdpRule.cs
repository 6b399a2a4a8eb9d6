using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>FedeSTDP (<see cref="FedeStdpSpec"/>): applied to a neuron's incoming synapses at its spikes.</summary>
internal sealed class FedeStdpRule : PlasticityRule
{
    private readonly double _lr;
    private readonly double _w0;
    private readonly double _a;
    private double[] _x = [];

    public FedeStdpRule(FedeStdpSpec spec, SynapseTable table)
        : base(spec, table)
    {
        _lr = spec.LearningRate;
        _w0 = spec.WInit;
        _a = spec.A;
        PreTrace = new SynapticTrace(table.PreSize, spec.PreTrace);
    }

    /// <summary>Presynaptic traces.</summary>
    public SynapticTrace PreTrace { get; }

    public override void OnPreSpike(int pre, long t) => PreTrace.OnSpike(pre, t);

    public override void OnPostSpike(int post, long t)
    {
        SynapseTable tb = Table;
        int[] start = tb.IncomingStart!;
        int[] syn = tb.IncomingSynapse!;
        int[] preOf = tb.IncomingPre!;
        int from = start[post];
        int n = start[post + 1] - from;
        if (_x.Length < n)
        {
            _x = new double[Math.Max(n, 2 * _x.Length)];
        }

        double max = 0;
        for (int e = 0; e < n; e++)
        {
            double x = PreTrace.At(preOf[from + e], t);
            _x[e] = x;
            max = Math.Max(max, x);
        }

        float[] w = Weights;
        for (int e = 0; e < n; e++)
        {
            double xn = max > 0 ? _x[e] / max : 0;
            int k = syn[from + e];
            double dw = w[k] - _w0;
            double ltp = Math.Exp(-dw) * (Math.Exp(xn) - _a);
            double ltd = -Math.Exp(dw) * (Math.Exp(1 - xn) - _a);
            w[k] = Clip(w[k] + (_lr * (ltp + ltd)));
        }
    }

    public override void ClearTraces() => PreTrace.Clear();

    internal override void Write(BinaryWriter w)
    {
        base.Write(w);
        PreTrace.Write(w);
    }

    internal override void Read(BinaryReader r, List<Action> apply)
    {
        base.Read(r, apply);
        apply.Add(PreTrace.Read(r));
    }
}
