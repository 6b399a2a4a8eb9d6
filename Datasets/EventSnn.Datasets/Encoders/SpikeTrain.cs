namespace EventSnn.Datasets.Encoders;

/// <summary>
/// A list of spikes stored as a struct of arrays: time step, neuron index and sign (+1 ON, −1 OFF for delta
/// coding; +1 otherwise). Encoders append in (step, neuron) order. Reuse one instance with <see cref="Clear"/>
/// to avoid allocation once it has grown to the largest train.
/// </summary>
public sealed class SpikeTrain
{
    private int[] _steps;
    private int[] _neurons;
    private sbyte[] _signs;

    /// <summary>Creates an empty train with room for <paramref name="capacity"/> spikes.</summary>
    public SpikeTrain(int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _steps = new int[capacity];
        _neurons = new int[capacity];
        _signs = new sbyte[capacity];
    }

    /// <summary>The number of spikes.</summary>
    public int Count { get; private set; }

    /// <summary>Time steps (or ticks) of the spikes.</summary>
    public ReadOnlySpan<int> Steps => _steps.AsSpan(0, Count);

    /// <summary>Neuron (input element) indices of the spikes.</summary>
    public ReadOnlySpan<int> Neurons => _neurons.AsSpan(0, Count);

    /// <summary>Signs of the spikes: +1, or −1 for OFF spikes of the delta encoder.</summary>
    public ReadOnlySpan<sbyte> Signs => _signs.AsSpan(0, Count);

    /// <summary>Removes every spike (keeps the memory).</summary>
    public void Clear() => Count = 0;

    /// <summary>Appends a spike.</summary>
    public void Add(int step, int neuron, sbyte sign = 1)
    {
        int i = Count;
        if (i == _steps.Length)
        {
            int n = Math.Max(16, i * 2);
            Array.Resize(ref _steps, n);
            Array.Resize(ref _neurons, n);
            Array.Resize(ref _signs, n);
        }

        _steps[i] = step;
        _neurons[i] = neuron;
        _signs[i] = sign;
        Count = i + 1;
    }

    /// <summary>
    /// Writes the train as a dense [steps × neurons] matrix of signs (0 where no spike), for comparison with
    /// snnTorch's tensors.
    /// </summary>
    /// <exception cref="ArgumentException">The destination is smaller than steps × neurons, or a spike lies outside.</exception>
    public void ToDense(int steps, int neurons, Span<float> destination)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        ArgumentOutOfRangeException.ThrowIfNegative(neurons);
        if ((long)steps * neurons > destination.Length)
        {
            throw new ArgumentException($"The destination holds {destination.Length} values; {steps}×{neurons} are needed.", nameof(destination));
        }

        destination[..(steps * neurons)].Clear();
        for (int i = 0; i < Count; i++)
        {
            if ((uint)_steps[i] >= (uint)steps || (uint)_neurons[i] >= (uint)neurons)
            {
                throw new ArgumentException($"Spike {i} at step {_steps[i]}, neuron {_neurons[i]} lies outside {steps}×{neurons}.", nameof(steps));
            }

            destination[(_steps[i] * neurons) + _neurons[i]] = _signs[i];
        }
    }
}
