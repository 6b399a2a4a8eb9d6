using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>
/// Spike traces of one population (one value per neuron), decayed lazily: each neuron stores its value at its last spike
/// tick, and a read at tick t returns <c>x·e^{−κ·(t − t_last)}</c> with κ the decay rate per tick. At a spike the trace
/// becomes <c>x + b</c> (<see cref="TraceMode.Additive"/>) or <c>b</c> (<see cref="TraceMode.Nearest"/>). Both executions
/// use the same object at spike times, so they decay identically. See <see cref="TraceSpec"/> for the decay laws.
/// </summary>
public sealed class SynapticTrace
{
    private readonly double _rate;
    private readonly double _amplitude;

    /// <summary>Creates exponential traces with amplitude 1.</summary>
    /// <param name="size">Number of neurons.</param>
    /// <param name="tauTicks">Time constant in ticks (&gt; 0).</param>
    /// <param name="mode">Accumulation at spikes.</param>
    public SynapticTrace(int size, double tauTicks, TraceMode mode)
        : this(size, Rate(tauTicks), 1.0, mode)
    {
    }

    /// <summary>Creates traces of the kind <paramref name="spec"/> describes.</summary>
    /// <param name="size">Number of neurons.</param>
    /// <param name="spec">The trace.</param>
    public SynapticTrace(int size, TraceSpec spec)
        : this(size, (spec ?? throw new ArgumentNullException(nameof(spec))).RatePerTick, spec.Amplitude, spec.Mode)
    {
    }

    private SynapticTrace(int size, double ratePerTick, double amplitude, TraceMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!(ratePerTick >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(ratePerTick), ratePerTick, "The trace decay rate must be ≥ 0.");
        }

        _rate = ratePerTick;
        _amplitude = amplitude;
        Mode = mode;
        Values = new double[size];
        Before = new double[size];
        LastUpdate = new long[size];
        Array.Fill(LastUpdate, long.MinValue);
    }

    /// <summary>Accumulation mode.</summary>
    public TraceMode Mode { get; }

    /// <summary>What a spike adds (additive) or sets (nearest).</summary>
    public double Amplitude => _amplitude;

    /// <summary>Stored values (valid at <see cref="LastUpdate"/>, including that spike).</summary>
    public double[] Values { get; }

    /// <summary>Values just before the last spike's bump (at <see cref="LastUpdate"/>).</summary>
    public double[] Before { get; }

    /// <summary>Tick of each neuron's last spike (<see cref="long.MinValue"/> before the first).</summary>
    public long[] LastUpdate { get; }

    /// <summary>The decay factor over <paramref name="ticks"/> ticks.</summary>
    /// <param name="ticks">Elapsed ticks (≥ 0).</param>
    public double Decay(long ticks) => ticks == 0 ? 1 : _rate == 0 ? 1 : double.IsPositiveInfinity(_rate) ? 0 : Math.Exp(-_rate * ticks);

    /// <summary>The trace of neuron <paramref name="i"/> at tick <paramref name="t"/> (≥ its last spike), including a spike at t.</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public double At(int i, long t)
    {
        double x = Values[i];
        return x == 0 ? 0 : x * Decay(t - LastUpdate[i]);
    }

    /// <summary>The trace of neuron <paramref name="i"/> just before tick <paramref name="t"/> (a spike at t excluded).</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public double AtBefore(int i, long t) => LastUpdate[i] == t ? Before[i] : At(i, t);

    /// <summary>Whether neuron <paramref name="i"/> spiked at tick <paramref name="t"/>.</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public bool SpikedAt(int i, long t) => LastUpdate[i] == t;

    /// <summary>Records a spike of neuron <paramref name="i"/> at tick <paramref name="t"/>.</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public void OnSpike(int i, long t)
    {
        double x = At(i, t);
        Before[i] = x;
        Values[i] = Mode == TraceMode.Additive ? x + _amplitude : _amplitude;
        LastUpdate[i] = t;
    }

    /// <summary>Clears all traces.</summary>
    public void Clear()
    {
        Array.Clear(Values);
        Array.Clear(Before);
        Array.Fill(LastUpdate, long.MinValue);
    }

    internal void Write(BinaryWriter w)
    {
        Engines.EngineStateIO.WriteArray<double>(w, Values);
        Engines.EngineStateIO.WriteArray<double>(w, Before);
        Engines.EngineStateIO.WriteArray<long>(w, LastUpdate);
    }

    internal Action Read(BinaryReader r)
    {
        double[] v = Engines.EngineStateIO.ReadArray<double>(r, Values.Length);
        double[] b = Engines.EngineStateIO.ReadArray<double>(r, Values.Length);
        long[] l = Engines.EngineStateIO.ReadArray<long>(r, Values.Length);
        return () =>
        {
            v.CopyTo(Values, 0);
            b.CopyTo(Before, 0);
            l.CopyTo(LastUpdate, 0);
        };
    }

    private static double Rate(double tauTicks)
    {
        if (!(tauTicks > 0) || !double.IsFinite(tauTicks))
        {
            throw new ArgumentOutOfRangeException(nameof(tauTicks), tauTicks, "The trace time constant must be positive and finite.");
        }

        return 1 / tauTicks;
    }
}
