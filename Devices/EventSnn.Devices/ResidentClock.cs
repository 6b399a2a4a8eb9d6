using EventSnn.Devices.Lanes;

namespace EventSnn.Devices;

/// <summary>
/// A device that keeps whole clock-driven populations resident — state columns, the ring of pending synaptic input and the
/// synapses of incoming projections live in device memory — and runs windows of steps without a host round trip per step.
/// Per window, only the spike list crosses between host and device: deliveries go in, spikes come out.
/// </summary>
/// <remarks>
/// <para>This is the seam for GPUs. A device that is not host-visible (<see cref="IComputeDevice.IsHostVisible"/> false)
/// implements it; the CPU device does not (its populations keep their state in host arrays and run through
/// <see cref="IComputeDevice.RunSteps{TKernel}(int, int, ref TKernel, SpikeBuffer)"/>).</para>
/// <para>The model step is the same <see cref="IClockStep{TSelf}.StepClock{TLane, TMask}"/> that the CPU device runs, compiled
/// once per model type by the device, over its own lane type.</para>
/// </remarks>
public interface IResidentClockDevice
{
    /// <summary>A short human-readable name, e.g. <c>ilgpu(cuda: NVIDIA H100)</c>.</summary>
    string Name { get; }

    /// <summary>Creates a resident population of model <typeparamref name="TModel"/>.</summary>
    /// <typeparam name="TModel">The model's clock step (an unmanaged, blittable struct).</typeparam>
    /// <param name="layout">Sizes of the population's storage.</param>
    /// <param name="models">One model value shared by every neuron, or one per neuron (<see cref="ResidentClockLayout.Size"/> values).</param>
    /// <returns>The population; its state and ring are zero until <see cref="IResidentClockPopulation.Upload"/>.</returns>
    /// <exception cref="ArgumentException">The layout is invalid or <paramref name="models"/> has the wrong length.</exception>
    /// <exception cref="NotSupportedException"><typeparamref name="TModel"/> cannot run on this device (e.g. not blittable).</exception>
    IResidentClockPopulation CreateClockPopulation<TModel>(ResidentClockLayout layout, ReadOnlySpan<TModel> models)
        where TModel : struct, IClockStep<TModel>;
}

/// <summary>The storage of a resident clock-driven population.</summary>
/// <param name="Size">Neurons (1 or more).</param>
/// <param name="PaddedSize">Column length (≥ <paramref name="Size"/>); padding neurons are stepped but never reported.</param>
/// <param name="Columns">Float32 state variables per neuron (1 to 4: membrane potential first).</param>
/// <param name="Receptors">Receptors (1 or 2).</param>
/// <param name="RingSlots">Pending steps whose summed input the ring holds (2 or more).</param>
/// <param name="MaxWindowSteps">The longest window, in steps (1 or more).</param>
/// <param name="Graded">Whether spikes carry an amplitude (<see cref="ClockNeuron{TLane}.Output"/>).</param>
public sealed record ResidentClockLayout(int Size, int PaddedSize, int Columns, int Receptors, int RingSlots, int MaxWindowSteps, bool Graded)
{
    /// <summary>Throws a one-line <see cref="ArgumentException"/> naming the first field out of range.</summary>
    public void Validate()
    {
        if (Size < 1 || PaddedSize < Size)
        {
            throw new ArgumentException($"Resident population layout: size {Size} and padded size {PaddedSize} must satisfy 1 ≤ size ≤ padded size.");
        }

        if (Columns is < 1 or > 4 || Receptors is < 1 or > 2)
        {
            throw new ArgumentException($"Resident population layout: {Columns} columns (1..4) and {Receptors} receptors (1..2) are out of range.");
        }

        if (RingSlots < 2 || MaxWindowSteps < 1)
        {
            throw new ArgumentException($"Resident population layout: {RingSlots} ring slots (≥ 2) and windows of {MaxWindowSteps} steps (≥ 1) are out of range.");
        }

        if ((long)RingSlots * Receptors * PaddedSize > int.MaxValue || (long)MaxWindowSteps * PaddedSize > int.MaxValue)
        {
            throw new ArgumentException($"Resident population layout: {PaddedSize} neurons x {RingSlots} ring slots x {Receptors} receptors (or x {MaxWindowSteps} window steps) exceeds 2^31 entries.");
        }
    }
}

/// <summary>
/// A clock-driven population resident on a device: state, input ring and incoming synapses in device memory. Deliveries are
/// queued on the host in emission order and accumulated on the device, in that order, before the next window.
/// </summary>
/// <remarks>
/// <para><b>Ring.</b> Row <c>slot·Receptors + receptor</c> holds the summed input of one receptor for the step whose
/// index is congruent to <c>slot</c> modulo <see cref="ResidentClockLayout.RingSlots"/>; the step kernel reads and clears
/// the rows of each step it runs.</para>
/// <para><b>Determinism.</b> Each ring entry receives its contributions in the order of the <see cref="Deliver"/> calls
/// (then synapse order inside a group), exactly as the CPU path adds them, so results are bit-identical to the CPU device
/// whenever the device's float32 arithmetic is IEEE round-to-nearest without contraction.</para>
/// </remarks>
public interface IResidentClockPopulation : IDisposable
{
    /// <summary>The layout the population was created with.</summary>
    ResidentClockLayout Layout { get; }

    /// <summary>
    /// Copies the synapses of an incoming projection to the device (CSR by delay group, as <c>SynapseTable</c> stores them)
    /// and returns its handle for <see cref="Deliver"/>.
    /// </summary>
    /// <param name="groupStart">Per delay group, its first synapse (groups + 1 entries, ascending, starting at 0).</param>
    /// <param name="targets">Per synapse, the target neuron (in [0, <see cref="ResidentClockLayout.Size"/>)).</param>
    /// <param name="weights">Per synapse, the weight.</param>
    /// <param name="plastic">Whether the weights change on the host while the simulation runs: deliveries then carry their current weights.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent or a target is out of range.</exception>
    int AddIncoming(ReadOnlySpan<int> groupStart, ReadOnlySpan<int> targets, ReadOnlySpan<float> weights, bool plastic);

    /// <summary>Queues the delivery of delay group <paramref name="group"/> of projection <paramref name="projection"/> into ring row <paramref name="ringRow"/>.</summary>
    /// <param name="projection">A handle from <see cref="AddIncoming"/>.</param>
    /// <param name="group">The delay group.</param>
    /// <param name="ringRow"><c>slot·Receptors + receptor</c>.</param>
    /// <param name="amplitude">Scales every weight (1 for binary spikes).</param>
    /// <param name="currentWeights">The group's current weights, for plastic projections (ignored otherwise).</param>
    void Deliver(int projection, int group, int ringRow, float amplitude, ReadOnlySpan<float> currentWeights);

    /// <summary>
    /// Accumulates the queued deliveries, then runs <paramref name="steps"/> steps starting at step index
    /// <paramref name="firstStep"/> in one launch, compacts the spikes on the device in (step, neuron) order and copies
    /// them (and, for graded models, their amplitudes) to the host.
    /// </summary>
    /// <param name="firstStep">The index of the window's first step (its ring slot is <c>firstStep mod RingSlots</c>).</param>
    /// <param name="steps">The window length (1 to <see cref="ResidentClockLayout.MaxWindowSteps"/>).</param>
    /// <param name="spikes">Receives the spikes.</param>
    /// <param name="amplitudes">For graded models: per step, per neuron, written for the neurons that spiked; else null.</param>
    /// <returns>The number of spikes.</returns>
    int RunWindow(long firstStep, int steps, SpikeBuffer spikes, float[][]? amplitudes);

    /// <summary>Accumulates the queued deliveries and copies state and ring to the host (for sampling and saving).</summary>
    /// <param name="columns">Receives the state columns (each <see cref="ResidentClockLayout.PaddedSize"/> long).</param>
    /// <param name="refractory">Receives the remaining refractory steps.</param>
    /// <param name="ring">Receives the ring rows (RingSlots·Receptors rows of PaddedSize).</param>
    void Download(float[][] columns, float[] refractory, float[][] ring);

    /// <summary>Replaces the device state and ring with the host's (initialisation, restore) and drops queued deliveries.</summary>
    /// <param name="columns">The state columns.</param>
    /// <param name="refractory">The remaining refractory steps.</param>
    /// <param name="ring">The ring rows.</param>
    void Upload(float[][] columns, float[] refractory, float[][] ring);
}
