namespace EventSnn.Devices;

/// <summary>
/// A compute device for the dense, clock-driven phases of a simulation: it holds state buffers (struct of
/// arrays, one buffer per variable) and runs struct-generic kernels over ranges of neurons.
/// </summary>
/// <remarks>
/// <para><b>Determinism:</b> a device splits <c>[0, count)</c> into chunks of a fixed size
/// (<see cref="ChunkSize"/>) that does not depend on the number of threads, and merges the spikes of the
/// chunks in neuron order; the same kernel on the same state gives bit-identical state and spike lists
/// whatever <see cref="Parallelism"/> is.</para>
/// <para><b>Allocation:</b> after warm-up (first call with a given kernel type on a given thread), dispatch
/// allocates nothing.</para>
/// <para><b>Threading:</b> a device is used by one caller thread at a time, and a kernel must not dispatch to the device
/// that runs it (no nested <c>For</c>/<c>RunSteps</c>).</para>
/// <para>See <c>docs/Devices.md</c> for the design, including how a GPU device runs whole windows of steps
/// without a host round trip per step.</para>
/// </remarks>
public interface IComputeDevice : IDisposable
{
    /// <summary>A short human-readable name, e.g. <c>cpu(2 threads, avx512)</c>.</summary>
    string Name { get; }

    /// <summary>The most chunks the device runs at once (1 = sequential).</summary>
    int Parallelism { get; }

    /// <summary>The fixed number of elements per chunk (a multiple of the SIMD width).</summary>
    int ChunkSize { get; }

    /// <summary>Whether the CPU can read and write this device's buffers directly.</summary>
    bool IsHostVisible { get; }

    /// <summary>Allocates a zeroed buffer of <paramref name="length"/> elements on the device.</summary>
    /// <typeparam name="T">An unmanaged element type.</typeparam>
    /// <param name="length">The number of elements (0 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="length"/> is negative.</exception>
    DeviceBuffer<T> Allocate<T>(int length)
        where T : unmanaged;

    /// <summary>
    /// Creates a spike buffer for populations of up to <paramref name="neuronCapacity"/> neurons and windows of
    /// up to <paramref name="maxSteps"/> steps.
    /// </summary>
    /// <param name="neuronCapacity">The largest population the buffer serves (1 or more).</param>
    /// <param name="maxSteps">The longest window, in steps (1 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or the product exceeds 2^30.</exception>
    SpikeBuffer CreateSpikeBuffer(int neuronCapacity, int maxSteps = 1);

    /// <summary>Runs <paramref name="kernel"/> over <c>[0, count)</c> in fixed chunks.</summary>
    /// <typeparam name="TKernel">The kernel (a struct: no virtual calls, no boxing).</typeparam>
    /// <param name="count">The number of elements (0 or more).</param>
    /// <param name="kernel">The kernel; its fields are not modified by the device.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative.</exception>
    void For<TKernel>(int count, ref TKernel kernel)
        where TKernel : struct, IRangeKernel;

    /// <summary>
    /// Runs <paramref name="steps"/> fixed-dt steps of <paramref name="kernel"/> over neurons <c>[0, count)</c>
    /// and collects the neurons that spiked at each step into <paramref name="spikes"/>, ordered by step and
    /// then by neuron index.
    /// </summary>
    /// <typeparam name="TKernel">The step kernel (a struct).</typeparam>
    /// <param name="count">The population size (0 to <see cref="SpikeBuffer.NeuronCapacity"/>).</param>
    /// <param name="steps">The window length (1 to <see cref="SpikeBuffer.MaxSteps"/>); see <see cref="IStepKernel"/> for the rule windows impose.</param>
    /// <param name="kernel">The kernel; its fields are not modified by the device.</param>
    /// <param name="spikes">Receives the spikes; its previous content is replaced.</param>
    /// <returns>The total number of spikes in the window.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> or <paramref name="steps"/> is out of range.</exception>
    /// <exception cref="ArgumentException"><paramref name="spikes"/> belongs to another device.</exception>
    /// <exception cref="InvalidOperationException">The kernel reported more spikes than neurons in its range, or indices out of its range or out of order.</exception>
    int RunSteps<TKernel>(int count, int steps, ref TKernel kernel, SpikeBuffer spikes)
        where TKernel : struct, IStepKernel;

    /// <summary>Waits until all work submitted to the device has finished (a no-op for synchronous devices).</summary>
    void Synchronize();
}
