using EventSnn.Devices;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// A population as the clock-driven engine runs it: state as float32 struct-of-arrays columns on the host-visible
/// device, receptor columns that synaptic deliveries add into, and a dense step run on the device.
/// </summary>
public abstract class ClockPopulation
{
    /// <summary>Creates the base state.</summary>
    /// <param name="name">A name for messages and outputs.</param>
    /// <param name="size">The number of neurons (1 or more).</param>
    protected ClockPopulation(string name, int size)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        Name = name;
        Size = size;
    }

    /// <summary>The population's name.</summary>
    public string Name { get; }

    /// <summary>The number of neurons.</summary>
    public int Size { get; }

    /// <summary>Names of the receptors (synaptic input columns) projections can target; index = receptor number.</summary>
    public abstract IReadOnlyList<string> Receptors { get; }

    /// <summary>Names of the state variables <see cref="Variable"/> can read.</summary>
    public abstract IReadOnlyList<string> Variables { get; }

    /// <summary>The column synaptic input to <paramref name="receptor"/> is added into (one value per neuron).</summary>
    /// <param name="receptor">A receptor index.</param>
    /// <returns>The column.</returns>
    public abstract float[] ReceptorColumn(int receptor);

    /// <summary>The current values of state variable <paramref name="name"/>, one per neuron.</summary>
    /// <param name="name">A name from <see cref="Variables"/>.</param>
    /// <returns>The column (valid until the next step).</returns>
    /// <exception cref="ArgumentException">Unknown variable.</exception>
    public abstract Span<float> Variable(string name);

    /// <summary>Whether the population has dynamics (false for spike sources, which only relay injected spikes).</summary>
    public virtual bool HasDynamics => true;

    /// <summary>Runs <paramref name="steps"/> steps on <paramref name="device"/> and collects the spikes.</summary>
    /// <param name="device">The device.</param>
    /// <param name="steps">The window length.</param>
    /// <param name="spikes">Receives the spikes, by step then neuron.</param>
    /// <returns>The number of spikes.</returns>
    public abstract int RunSteps(IComputeDevice device, int steps, SpikeBuffer spikes);

    /// <summary>Throws when <paramref name="receptor"/> is not a valid receptor index.</summary>
    /// <param name="receptor">The index.</param>
    protected void CheckReceptor(int receptor)
    {
        if ((uint)receptor >= (uint)Receptors.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(receptor), receptor, $"Population '{Name}' has {Receptors.Count} receptor(s).");
        }
    }
}

/// <summary>A population without dynamics: its neurons spike only when spikes are injected (inputs, DVS pixels).</summary>
public sealed class SpikeSourcePopulation : ClockPopulation
{
    /// <summary>Creates a spike source population.</summary>
    /// <param name="name">The name.</param>
    /// <param name="size">The number of sources.</param>
    public SpikeSourcePopulation(string name, int size)
        : base(name, size)
    {
    }

    /// <inheritdoc />
    public override IReadOnlyList<string> Receptors => [];

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables => [];

    /// <inheritdoc />
    public override bool HasDynamics => false;

    /// <inheritdoc />
    public override float[] ReceptorColumn(int receptor)
    {
        CheckReceptor(receptor);
        return [];
    }

    /// <inheritdoc />
    public override Span<float> Variable(string name) => throw new ArgumentException($"Spike source '{Name}' has no state variables.", nameof(name));

    /// <inheritdoc />
    public override int RunSteps(IComputeDevice device, int steps, SpikeBuffer spikes)
    {
        spikes.Clear();
        return 0;
    }
}

/// <summary>
/// Shared storage of the two leaky integrate-and-fire populations with excitatory (<c>e</c>) and inhibitory (<c>i</c>)
/// exponential synapses: columns <c>v</c>, <c>ge</c>, <c>gi</c> and the refractory counters.
/// </summary>
public abstract class TwoReceptorLifPopulation : ClockPopulation
{
    private static readonly string[] s_receptors = ["e", "i"];
    private static readonly string[] s_variables = ["v", "ge", "gi"];

    /// <summary>Allocates the columns on <paramref name="device"/>.</summary>
    /// <param name="name">The name.</param>
    /// <param name="size">The number of neurons.</param>
    /// <param name="device">A host-visible device.</param>
    /// <exception cref="ArgumentException">The device's buffers are not host memory.</exception>
    protected TwoReceptorLifPopulation(string name, int size, IComputeDevice device)
        : base(name, size)
    {
        ArgumentNullException.ThrowIfNull(device);
        V = HostColumn<float>(device, size);
        Ge = HostColumn<float>(device, size);
        Gi = HostColumn<float>(device, size);
        Refractory = HostColumn<int>(device, size);
    }

    /// <summary>Membrane potentials (mV).</summary>
    public float[] V { get; }

    /// <summary>Excitatory synaptic variable.</summary>
    public float[] Ge { get; }

    /// <summary>Inhibitory synaptic variable.</summary>
    public float[] Gi { get; }

    /// <summary>Remaining refractory steps.</summary>
    public int[] Refractory { get; }

    /// <inheritdoc />
    public override IReadOnlyList<string> Receptors => s_receptors;

    /// <inheritdoc />
    public override IReadOnlyList<string> Variables => s_variables;

    /// <inheritdoc />
    public override float[] ReceptorColumn(int receptor)
    {
        CheckReceptor(receptor);
        return receptor == 0 ? Ge : Gi;
    }

    /// <inheritdoc />
    public override Span<float> Variable(string name) => name switch
    {
        "v" => V,
        "ge" => Ge,
        "gi" => Gi,
        _ => throw new ArgumentException($"Population '{Name}' has no variable '{name}' (it has v, ge, gi).", nameof(name)),
    };

    private static T[] HostColumn<T>(IComputeDevice device, int size)
        where T : unmanaged
    {
        return device.Allocate<T>(size) is CpuBuffer<T> cpu
            ? cpu.Array
            : throw new ArgumentException($"The clock engine's LIF populations need a host-visible device; '{device.Name}' is not.", nameof(device));
    }
}

/// <summary>A CUBA population (<see cref="CurrentLifKernel"/>): exact integration, current-based exponential synapses.</summary>
public sealed class CurrentLifPopulation : TwoReceptorLifPopulation
{
    /// <summary>Creates the population with <c>v = El</c>, no synaptic input, not refractory.</summary>
    /// <param name="name">The name.</param>
    /// <param name="size">The number of neurons.</param>
    /// <param name="device">The device holding the columns.</param>
    /// <param name="parameters">The propagators.</param>
    public CurrentLifPopulation(string name, int size, IComputeDevice device, CurrentLifParameters parameters)
        : base(name, size, device)
    {
        Parameters = parameters;
        Array.Fill(V, parameters.El);
    }

    /// <summary>The propagators.</summary>
    public CurrentLifParameters Parameters { get; }

    /// <inheritdoc />
    public override int RunSteps(IComputeDevice device, int steps, SpikeBuffer spikes)
    {
        var kernel = new CurrentLifKernel { V = V, Ge = Ge, Gi = Gi, Refractory = Refractory, P = Parameters };
        return device.RunSteps(Size, steps, ref kernel, spikes);
    }
}

/// <summary>A COBA population (<see cref="ConductanceLifKernel"/>): Euler integration, conductance-based exponential synapses.</summary>
public sealed class ConductanceLifPopulation : TwoReceptorLifPopulation
{
    /// <summary>Creates the population with <c>v = El</c>, no synaptic input, not refractory.</summary>
    /// <param name="name">The name.</param>
    /// <param name="size">The number of neurons.</param>
    /// <param name="device">The device holding the columns.</param>
    /// <param name="parameters">The constants.</param>
    public ConductanceLifPopulation(string name, int size, IComputeDevice device, ConductanceLifParameters parameters)
        : base(name, size, device)
    {
        Parameters = parameters;
        Array.Fill(V, parameters.El);
    }

    /// <summary>The constants.</summary>
    public ConductanceLifParameters Parameters { get; }

    /// <inheritdoc />
    public override int RunSteps(IComputeDevice device, int steps, SpikeBuffer spikes)
    {
        var kernel = new ConductanceLifKernel { V = V, Ge = Ge, Gi = Gi, Refractory = Refractory, P = Parameters };
        return device.RunSteps(Size, steps, ref kernel, spikes);
    }
}
