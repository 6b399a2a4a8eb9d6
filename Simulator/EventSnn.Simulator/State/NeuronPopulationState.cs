using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.State;

/// <summary>
/// The stored state of one neuron population, as struct-of-arrays columns: what the engine's execution of the
/// population reads and writes. Event-driven populations store double-precision columns together with each neuron's
/// last update time (<see cref="EventPopulationState"/>); clock-driven populations store float32 columns on the grid of
/// their step (<see cref="ClockPopulationState"/>).
/// </summary>
public abstract class NeuronPopulationState
{
    private protected NeuronPopulationState(PopulationSpec spec, ExecutionSpec execution)
    {
        Spec = spec;
        Info = spec.Model!.Info;
        Size = spec.Size;
        Execution = execution;
    }

    /// <summary>The population description.</summary>
    public PopulationSpec Spec { get; }

    /// <summary>The model description.</summary>
    public NeuronModelInfo Info { get; }

    /// <summary>Number of neurons.</summary>
    public int Size { get; }

    /// <summary>How the engine executes the population (the declared execution, or the engine's override).</summary>
    public ExecutionSpec Execution { get; }

    /// <summary>Number of state variables (<see cref="NeuronModelInfo.StateVariables"/>).</summary>
    public int VariableCount => Info.StateVariables.Length;

    /// <summary>
    /// The stored value of a state variable: for event-driven populations, at the neuron's last update
    /// (<see cref="EventPopulationState.LastUpdate"/>); for clock-driven ones, at the population's last completed step.
    /// </summary>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="variable">Variable index (<see cref="NeuronModelInfo.StateVariables"/>).</param>
    public abstract double GetStored(int neuron, int variable);

    /// <summary>The stored remaining refractory time of a neuron.</summary>
    /// <param name="neuron">Neuron index.</param>
    public abstract SimDuration GetRefractory(int neuron);

    /// <summary>Resets every neuron to the spec's initial state (the model's initial state, then <see cref="PopulationSpec.Initial"/>).</summary>
    /// <param name="initial">The model's initial state of each neuron.</param>
    internal void Initialize(Func<int, NeuronState> initial)
    {
        for (int j = 0; j < Size; j++)
        {
            StoreInitial(j, initial(j));
        }

        foreach (InitialValueSpec iv in Spec.Initial)
        {
            int k = Info.StateIndex(iv.Variable);
            if (!iv.Values.IsDefaultOrEmpty)
            {
                for (int j = 0; j < Size; j++)
                {
                    SetInitial(j, k, iv.Values[j]);
                }
            }
            else if (iv.Low == iv.High)
            {
                for (int j = 0; j < Size; j++)
                {
                    SetInitial(j, k, iv.Low);
                }
            }
            else
            {
                var rng = new Xoshiro256(iv.Seed);
                for (int j = 0; j < Size; j++)
                {
                    SetInitial(j, k, iv.Low + ((iv.High - iv.Low) * rng.NextDouble()));
                }
            }
        }
    }

    private protected abstract void StoreInitial(int neuron, in NeuronState state);

    private protected abstract void SetInitial(int neuron, int variable, double value);
}

/// <summary>
/// Event-driven population storage: double-precision columns valid at each neuron's own last update, and the
/// bookkeeping of its predicted threshold crossing.
/// </summary>
public sealed class EventPopulationState : NeuronPopulationState
{
    internal EventPopulationState(PopulationSpec spec)
        : base(spec, ExecutionSpec.Event)
    {
        Columns = new double[Info.StateVariables.Length][];
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
        ResetBookkeeping();
    }

    /// <summary>State variable columns (<see cref="NeuronModelInfo.StateVariables"/> order), each of length <see cref="NeuronPopulationState.Size"/>.</summary>
    public double[][] Columns { get; }

    /// <summary>Remaining refractory time in ticks per neuron, at its last update.</summary>
    public double[] Refractory { get; }

    /// <summary>The tick at which each neuron's stored state is valid.</summary>
    public long[] LastUpdate { get; }

    /// <summary>Offset (ticks, from <see cref="LastUpdate"/>) of the predicted threshold crossing, or +∞.</summary>
    internal double[] Crossing { get; }

    /// <summary>Offset (ticks, from <see cref="LastUpdate"/>) before which no crossing can occur and at which the prediction is redone, or +∞.</summary>
    internal double[] Recheck { get; }

    /// <summary>Tick of the pending wake-up event per neuron, or <see cref="long.MaxValue"/>.</summary>
    internal long[] WakeTick { get; }

    /// <summary>Generation of the pending wake-up (older wake-ups are ignored).</summary>
    internal int[] WakeGeneration { get; }

    /// <inheritdoc/>
    public override double GetStored(int neuron, int variable) => Columns[variable][neuron];

    /// <inheritdoc/>
    public override SimDuration GetRefractory(int neuron) => SimDuration.FromTicks((long)Math.Ceiling(Refractory[neuron]));

    /// <summary>Loads neuron <paramref name="i"/>.</summary>
    /// <param name="i">Neuron index.</param>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
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
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
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

    internal void ResetBookkeeping()
    {
        Array.Clear(LastUpdate);
        Array.Fill(Crossing, double.PositiveInfinity);
        Array.Fill(Recheck, double.PositiveInfinity);
        Array.Fill(WakeTick, long.MaxValue);
        Array.Clear(WakeGeneration);
    }

    private protected override void StoreInitial(int neuron, in NeuronState state) => Store(neuron, state);

    private protected override void SetInitial(int neuron, int variable, double value) => Columns[variable][neuron] = value;
}

/// <summary>
/// Clock-driven population storage: float32 columns valid at the population's last completed step, padded to a whole
/// number of SIMD vectors, and the remaining refractory steps.
/// </summary>
public sealed class ClockPopulationState : NeuronPopulationState
{
    internal ClockPopulationState(PopulationSpec spec, SimDuration dt, int paddedSize)
        : base(spec, ExecutionSpec.Clock(dt))
    {
        PaddedSize = paddedSize;
        Columns = new float[Info.StateVariables.Length][];
        for (int k = 0; k < Columns.Length; k++)
        {
            Columns[k] = new float[paddedSize];
        }

        RefractorySteps = new float[paddedSize];
    }

    /// <summary>The column length: <see cref="NeuronPopulationState.Size"/> rounded up to whole SIMD vectors (padding lanes are never reported).</summary>
    public int PaddedSize { get; }

    /// <summary>State variable columns (<see cref="NeuronModelInfo.StateVariables"/> order), each of length <see cref="PaddedSize"/>.</summary>
    public float[][] Columns { get; }

    /// <summary>Remaining refractory steps per neuron (whole numbers).</summary>
    public float[] RefractorySteps { get; }

    /// <inheritdoc/>
    public override double GetStored(int neuron, int variable) => Columns[variable][neuron];

    /// <inheritdoc/>
    public override SimDuration GetRefractory(int neuron) => Execution.Dt * (long)RefractorySteps[neuron];

    private protected override void StoreInitial(int neuron, in NeuronState state)
    {
        for (int k = 0; k < Columns.Length; k++)
        {
            Columns[k][neuron] = (float)state.Get(k);
        }

        RefractorySteps[neuron] = 0;
    }

    private protected override void SetInitial(int neuron, int variable, double value) => Columns[variable][neuron] = (float)value;
}
