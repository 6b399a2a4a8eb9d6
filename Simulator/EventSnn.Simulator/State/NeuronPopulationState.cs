using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.State;

/// <summary>
/// The runtime state of one neuron population as struct-of-arrays columns, shared by both engines:
/// model variables (<see cref="Columns"/>, index 0 = v), remaining refractory ticks, and event-mode bookkeeping
/// (last update tick and pending threshold-crossing prediction per neuron).
/// </summary>
public abstract class NeuronPopulationState
{
    private protected NeuronPopulationState(PopulationSpec spec, NeuronModelInfo info)
    {
        Spec = spec;
        Info = info;
        Size = spec.Size;
        Columns = new double[info.StateVariables.Length][];
        for (int k = 0; k < Columns.Length; k++)
        {
            Columns[k] = new double[Size];
        }

        Refractory = new double[Size];
        LastUpdate = new long[Size];
        Crossing = new double[Size];
        Recheck = new double[Size];
        WakeTick = new long[Size];
        WakeGeneration = new int[Size];
        Array.Fill(Crossing, double.PositiveInfinity);
        Array.Fill(Recheck, double.PositiveInfinity);
        Array.Fill(WakeTick, long.MaxValue);
    }

    /// <summary>The population description.</summary>
    public PopulationSpec Spec { get; }

    /// <summary>The model description.</summary>
    public NeuronModelInfo Info { get; }

    /// <summary>Number of neurons.</summary>
    public int Size { get; }

    /// <summary>State variable columns (<see cref="NeuronModelInfo.StateVariables"/> order), each of length <see cref="Size"/>.</summary>
    public double[][] Columns { get; }

    /// <summary>Remaining refractory time in ticks per neuron.</summary>
    public double[] Refractory { get; }

    /// <summary>Event mode: the tick at which each neuron's stored state is valid (clock mode leaves it unused).</summary>
    public long[] LastUpdate { get; }

    /// <summary>Event mode: offset (ticks, from <see cref="LastUpdate"/>) of the predicted threshold crossing, or +∞.</summary>
    internal double[] Crossing { get; }

    /// <summary>Event mode: offset (ticks, from <see cref="LastUpdate"/>) before which no crossing can occur and at which the prediction is redone, or +∞.</summary>
    internal double[] Recheck { get; }

    /// <summary>Event mode: tick of the pending wake-up event per neuron, or <see cref="long.MaxValue"/>.</summary>
    internal long[] WakeTick { get; }

    /// <summary>Event mode: generation of the pending wake-up (older wake-ups are ignored).</summary>
    internal int[] WakeGeneration { get; }

    /// <summary>Loads neuron <paramref name="i"/>.</summary>
    /// <param name="i">Neuron index.</param>
    public NeuronState Load(int i)
    {
        var s = new NeuronState { V = Columns[0][i], Refractory = Refractory[i] };
        double[][] c = Columns;
        if (c.Length > 1)
        {
            s.S1 = c[1][i];
            if (c.Length > 2)
            {
                s.S2 = c[2][i];
                if (c.Length > 3)
                {
                    s.S3 = c[3][i];
                }
            }
        }

        return s;
    }

    /// <summary>Stores neuron <paramref name="i"/>.</summary>
    /// <param name="i">Neuron index.</param>
    /// <param name="s">The state.</param>
    public void Store(int i, in NeuronState s)
    {
        double[][] c = Columns;
        c[0][i] = s.V;
        Refractory[i] = s.Refractory;
        if (c.Length > 1)
        {
            c[1][i] = s.S1;
            if (c.Length > 2)
            {
                c[2][i] = s.S2;
                if (c.Length > 3)
                {
                    c[3][i] = s.S3;
                }
            }
        }
    }

    /// <summary>A dense view of the state for clock mode, with this step's inputs.</summary>
    /// <param name="input0">Summed input to receptor 0 (or empty).</param>
    /// <param name="input1">Summed input to receptor 1 (or empty).</param>
    public DenseBlock GetBlock(ReadOnlySpan<double> input0, ReadOnlySpan<double> input1)
    {
        double[][] c = Columns;
        return new DenseBlock(c[0], c.Length > 1 ? c[1] : default, c.Length > 2 ? c[2] : default, c.Length > 3 ? c[3] : default, Refractory, input0, input1);
    }

    /// <summary>Clock mode: precomputes the fixed-step propagators for a step of <paramref name="dtTicks"/>.</summary>
    /// <param name="dtTicks">The step in ticks (&gt; 0).</param>
    public abstract void PrepareClock(double dtTicks);

    /// <summary>
    /// Clock mode: one fixed step of neurons <c>[start, end)</c> (see <see cref="INeuronModel{TSelf}.StepDense"/>);
    /// call <see cref="PrepareClock"/> first. Thread-safe for disjoint ranges.
    /// </summary>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="input0">Summed input to receptor 0 for the whole population (or empty).</param>
    /// <param name="input1">Summed input to receptor 1 for the whole population (or empty).</param>
    /// <param name="spiked">Receives ascending indices of spiking neurons (room for <c>end − start</c>).</param>
    /// <returns>The number of spikes.</returns>
    public abstract int StepDense(int start, int end, ReadOnlySpan<double> input0, ReadOnlySpan<double> input1, Span<int> spiked);

    /// <summary>
    /// The value of state variable <paramref name="variable"/> of <paramref name="neuron"/> at tick <paramref name="now"/>:
    /// in event mode the stored state is advanced on a copy from <see cref="LastUpdate"/> (the stored state is not touched,
    /// so reading never changes a run); in clock mode pass <paramref name="now"/> = <see cref="LastUpdate"/> (0) to read as stored.
    /// </summary>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="variable">Variable index (<see cref="NeuronModelInfo.StateVariables"/>).</param>
    /// <param name="now">The tick to read at (≥ the neuron's last update), or <see cref="long.MinValue"/> to read as stored.</param>
    public abstract double Read(int neuron, int variable, long now);

    /// <summary>Resets every neuron to the spec's initial state (model initial state, then <see cref="PopulationSpec.Initial"/>).</summary>
    public abstract void Initialize();

    internal abstract void EventStart(Engines.EventDriven.EventDrivenEngine engine);

    internal abstract void EventDeliver(Engines.EventDriven.EventDrivenEngine engine, long t, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, int receptor);

    internal abstract void EventWake(Engines.EventDriven.EventDrivenEngine engine, int neuron, long t);

    internal abstract void EventSchedule(Engines.EventDriven.EventDrivenEngine engine, int neuron);
}
