namespace EventSnn.Devices;

/// <summary>
/// The spikes of one population over one window of steps, as produced by
/// <see cref="IComputeDevice.RunSteps{TKernel}(int, int, ref TKernel, SpikeBuffer)"/>: neuron indices ordered by
/// step, then by neuron. Preallocated for a maximum population and window, so filling it allocates nothing.
/// </summary>
/// <remarks>The spans it returns are valid until the next run that fills it.</remarks>
public sealed class SpikeBuffer
{
    private readonly int[] _neurons;
    private readonly int[] _stepStarts;

    /// <summary>
    /// Creates a spike buffer for <paramref name="device"/>: devices that compute spikes elsewhere (resident GPU populations)
    /// fill it with <see cref="Load"/>.
    /// </summary>
    /// <param name="device">The device that fills the buffer.</param>
    /// <param name="neuronCapacity">The largest population the buffer serves (1 or more).</param>
    /// <param name="maxSteps">The longest window, in steps (1 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range, or the product exceeds 2^30.</exception>
    public SpikeBuffer(IComputeDevice device, int neuronCapacity, int maxSteps)
        : this(device, neuronCapacity, maxSteps, Math.Max(1, device?.ChunkSize ?? 1))
    {
    }

    internal SpikeBuffer(IComputeDevice device, int neuronCapacity, int maxSteps, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfLessThan(neuronCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 1);
        if ((long)neuronCapacity * maxSteps > 1 << 30)
        {
            throw new ArgumentOutOfRangeException(nameof(maxSteps), $"{neuronCapacity} neurons x {maxSteps} steps exceeds 2^30 entries.");
        }

        Device = device;
        NeuronCapacity = neuronCapacity;
        MaxSteps = maxSteps;
        _neurons = new int[neuronCapacity * maxSteps];
        _stepStarts = new int[maxSteps + 1];
        int chunks = (neuronCapacity + chunkSize - 1) / chunkSize;
        ChunkCounts = new int[chunks * maxSteps];
    }

    /// <summary>The device that fills this buffer.</summary>
    public IComputeDevice Device { get; }

    /// <summary>The largest population this buffer serves.</summary>
    public int NeuronCapacity { get; }

    /// <summary>The longest window this buffer serves, in steps.</summary>
    public int MaxSteps { get; }

    /// <summary>The number of steps in the last window.</summary>
    public int Steps { get; private set; }

    /// <summary>The total number of spikes in the last window.</summary>
    public int Count => _stepStarts[Steps];

    /// <summary>All spikes of the last window: neuron indices, ordered by step, then neuron.</summary>
    public ReadOnlySpan<int> All => _neurons.AsSpan(0, Count);

    /// <summary>The neurons that spiked at step <paramref name="step"/> of the last window, in ascending order.</summary>
    /// <param name="step">A step index in <c>[0, Steps)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="step"/> is out of range.</exception>
    public ReadOnlySpan<int> ForStep(int step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(step, Steps);
        return _neurons.AsSpan(_stepStarts[step], _stepStarts[step + 1] - _stepStarts[step]);
    }

    /// <summary>
    /// Replaces the content with a window of <paramref name="steps"/> steps computed elsewhere: step <c>s</c> holds
    /// <c>neurons[stepStarts[s]..stepStarts[s + 1])</c>.
    /// </summary>
    /// <param name="steps">The window length (0 to <see cref="MaxSteps"/>).</param>
    /// <param name="stepStarts">Per step, its first spike, and the total at the end (<paramref name="steps"/> + 1 entries, starting at 0, non-decreasing).</param>
    /// <param name="neurons">The spiking neurons, ascending within each step, each below <see cref="NeuronCapacity"/>.</param>
    /// <exception cref="ArgumentException">The arrays are inconsistent, or a step is not strictly ascending.</exception>
    public void Load(int steps, ReadOnlySpan<int> stepStarts, ReadOnlySpan<int> neurons)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(steps, MaxSteps);
        if (stepStarts.Length < steps + 1 || stepStarts[0] != 0 || stepStarts[steps] != neurons.Length || neurons.Length > _neurons.Length)
        {
            throw new ArgumentException($"Spike window of {steps} steps: step starts and {neurons.Length} neurons are inconsistent.", nameof(stepStarts));
        }

        for (int s = 0; s < steps; s++)
        {
            int from = stepStarts[s];
            int to = stepStarts[s + 1];
            if (to < from)
            {
                throw new ArgumentException($"Spike window: step {s} ends before it starts.", nameof(stepStarts));
            }

            int previous = -1;
            for (int k = from; k < to; k++)
            {
                int n = neurons[k];
                if (n <= previous || n >= NeuronCapacity)
                {
                    throw new ArgumentException($"Spike window: neuron {n} at step {s} is out of order or outside [0, {NeuronCapacity}).", nameof(neurons));
                }

                previous = n;
            }

            _stepStarts[s] = from;
        }

        _stepStarts[steps] = neurons.Length;
        neurons.CopyTo(_neurons);
        Steps = steps;
    }

    /// <summary>Empties the buffer (zero steps).</summary>
    public void Clear()
    {
        Steps = 0;
        _stepStarts[0] = 0;
    }

    /// <summary>Per-(step, chunk) spike counts written by the chunks before compaction.</summary>
    internal int[] ChunkCounts { get; }

    /// <summary>The raw storage: during a run, chunk regions at <c>step * count + chunkStart</c>.</summary>
    internal int[] Raw => _neurons;

    /// <summary>
    /// Moves the per-chunk regions to the front in (step, chunk) order, which is (step, neuron) order, and
    /// records the step boundaries. Regions only move towards the front, so the compaction is in place.
    /// </summary>
    internal void Compact(int count, int steps, int chunkSize)
    {
        int chunks = (count + chunkSize - 1) / chunkSize;
        int write = 0;
        for (int s = 0; s < steps; s++)
        {
            _stepStarts[s] = write;
            int rowBase = s * count;
            for (int c = 0; c < chunks; c++)
            {
                int n = ChunkCounts[(s * chunks) + c];
                if (n == 0)
                {
                    continue;
                }

                int source = rowBase + (c * chunkSize);
                if (source != write)
                {
                    _neurons.AsSpan(source, n).CopyTo(_neurons.AsSpan(write, n));
                }

                write += n;
            }
        }

        _stepStarts[steps] = write;
        Steps = steps;
    }
}
