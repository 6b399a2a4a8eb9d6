using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Plasticity;

/// <summary>
/// Exponentially decaying spike traces of one population (one value per neuron), decayed lazily: each neuron stores its
/// value at its last update tick, and a read at tick t returns <c>x·e^{−(t − t_last)/τ}</c>. At a spike the trace becomes
/// <c>x + 1</c> (<see cref="TraceMode.Additive"/>) or <c>1</c> (<see cref="TraceMode.Nearest"/>). Clock mode uses the same
/// object at step times, so both engines decay identically.
/// </summary>
public sealed class SynapticTrace
{
    private readonly double _tau;

    /// <summary>Creates traces for <paramref name="size"/> neurons.</summary>
    /// <param name="size">Number of neurons.</param>
    /// <param name="tauTicks">Time constant in ticks (&gt; 0).</param>
    /// <param name="mode">Accumulation at spikes.</param>
    public SynapticTrace(int size, double tauTicks, TraceMode mode)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(size);
        if (!(tauTicks > 0) || !double.IsFinite(tauTicks))
        {
            throw new ArgumentOutOfRangeException(nameof(tauTicks), tauTicks, "The trace time constant must be positive and finite.");
        }

        _tau = tauTicks;
        Mode = mode;
        Values = new double[size];
        LastUpdate = new long[size];
    }

    /// <summary>Accumulation mode.</summary>
    public TraceMode Mode { get; }

    /// <summary>Stored values (valid at <see cref="LastUpdate"/>).</summary>
    public double[] Values { get; }

    /// <summary>Tick at which each stored value is valid.</summary>
    public long[] LastUpdate { get; }

    /// <summary>The trace of neuron <paramref name="i"/> at tick <paramref name="t"/> (≥ its last update).</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public double At(int i, long t)
    {
        double x = Values[i];
        return x == 0 ? 0 : x * Math.Exp(-(t - LastUpdate[i]) / _tau);
    }

    /// <summary>Records a spike of neuron <paramref name="i"/> at tick <paramref name="t"/>.</summary>
    /// <param name="i">Neuron.</param>
    /// <param name="t">Tick.</param>
    public void OnSpike(int i, long t)
    {
        Values[i] = Mode == TraceMode.Additive ? At(i, t) + 1 : 1;
        LastUpdate[i] = t;
    }

    /// <summary>Clears all traces.</summary>
    public void Clear()
    {
        Array.Clear(Values);
        Array.Clear(LastUpdate);
    }
}
