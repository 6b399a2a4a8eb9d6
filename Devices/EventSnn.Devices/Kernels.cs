namespace EventSnn.Devices;

/// <summary>
/// A dense operation over a range of elements (neurons, synapses, trace entries), dispatched by
/// <see cref="IComputeDevice.For{TKernel}(int, ref TKernel)"/>.
/// </summary>
/// <remarks>
/// Implement it on a <see langword="struct"/> whose fields are the parameters and the state arrays
/// (<see cref="CpuBuffer{T}.Array"/>), so the device calls <see cref="Execute"/> without virtual dispatch
/// and the JIT can vectorise the body. The device splits <c>[0, count)</c> into fixed chunks that may run
/// on different threads at once: <see cref="Execute"/> must only touch elements of its own range and must
/// not mutate the kernel's own fields (each thread may run its own copy).
/// </remarks>
public interface IRangeKernel
{
    /// <summary>Processes the elements <c>[start, end)</c>.</summary>
    /// <param name="start">The first element of the range.</param>
    /// <param name="end">One past the last element of the range.</param>
    void Execute(int start, int end);
}

/// <summary>
/// One fixed-dt step of a population over a range of neurons that reports which neurons spiked,
/// dispatched by <see cref="IComputeDevice.RunSteps{TKernel}(int, int, ref TKernel, SpikeBuffer)"/>.
/// </summary>
/// <remarks>
/// <para>The same rules as <see cref="IRangeKernel"/> apply: a <see langword="struct"/>, only its own range,
/// no mutation of its own fields.</para>
/// <para>When the device runs a window of several steps (<c>steps &gt; 1</c>) it may run all the steps of
/// one chunk before starting the next chunk: a step kernel must therefore depend only on the state of
/// its own neurons (no coupling between neurons inside a window). Engines use windows only while no
/// synaptic delivery can arrive, which is exactly when this holds.</para>
/// </remarks>
public interface IStepKernel
{
    /// <summary>
    /// Advances the neurons <c>[start, end)</c> by one step and writes the absolute indices of those that
    /// spiked, in ascending order, to the start of <paramref name="spiked"/>.
    /// </summary>
    /// <param name="step">The step's index inside the window (0 for a single step).</param>
    /// <param name="start">The first neuron of the range.</param>
    /// <param name="end">One past the last neuron of the range.</param>
    /// <param name="spiked">Room for <c>end - start</c> neuron indices.</param>
    /// <returns>The number of indices written (0 to <c>end - start</c>).</returns>
    int Step(int step, int start, int end, Span<int> spiked);
}
