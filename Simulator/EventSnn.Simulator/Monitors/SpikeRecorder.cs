using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Records spikes (time, population, neuron) as a struct of arrays, for all neurons or selected ones.
/// Works with every engine through <see cref="ISpikeMonitor"/>.
/// </summary>
/// <remarks>
/// <para>Storage grows by doubling (amortised O(1), no allocation per spike once the capacity covers the run);
/// give an <c>initialCapacity</c> to preallocate. <see cref="MaxSpikes"/> caps memory: spikes beyond it are
/// counted in <see cref="Dropped"/>, not stored.</para>
/// <para>Spikes are stored in the order the engine reports them, which for both engines is time order
/// (equal times in a deterministic order).</para>
/// </remarks>
public sealed class SpikeRecorder : ISpikeMonitor
{
    private long[] _ticks;
    private int[] _populations;
    private int[] _neurons;
    private bool[]?[]? _selection;
    private bool _populationFilter;

    /// <summary>Creates a recorder for every neuron of every population.</summary>
    /// <param name="initialCapacity">Spikes to preallocate room for (0 or more).</param>
    /// <param name="maxSpikes">The most spikes stored; more are only counted (1 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public SpikeRecorder(int initialCapacity = 1024, int maxSpikes = 0x7FFFFFC7)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(initialCapacity);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSpikes, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxSpikes, Array.MaxLength);
        MaxSpikes = maxSpikes;
        int capacity = Math.Min(initialCapacity, maxSpikes);
        _ticks = new long[capacity];
        _populations = new int[capacity];
        _neurons = new int[capacity];
    }

    /// <summary>The number of spikes stored.</summary>
    public int Count { get; private set; }

    /// <summary>Spikes seen but not stored because <see cref="MaxSpikes"/> was reached.</summary>
    public long Dropped { get; private set; }

    /// <summary>The most spikes stored.</summary>
    public int MaxSpikes { get; }

    /// <summary>Spike times in ticks (1 tick = 1 ns), in recording order.</summary>
    public ReadOnlySpan<long> TimeTicks => _ticks.AsSpan(0, Count);

    /// <summary>Population index of each spike.</summary>
    public ReadOnlySpan<int> Populations => _populations.AsSpan(0, Count);

    /// <summary>Neuron index (inside its population) of each spike.</summary>
    public ReadOnlySpan<int> Neurons => _neurons.AsSpan(0, Count);

    /// <summary>
    /// Restricts recording to the given neurons of <paramref name="population"/> (call once per population to
    /// select; populations never selected are recorded in full unless <see cref="RecordOnlySelected"/> is set).
    /// </summary>
    /// <param name="population">The population index (0 or more).</param>
    /// <param name="populationSize">The number of neurons in the population.</param>
    /// <param name="neurons">The neurons to record (each in <c>[0, populationSize)</c>).</param>
    /// <returns>This recorder.</returns>
    /// <exception cref="ArgumentOutOfRangeException">An index is out of range.</exception>
    public SpikeRecorder Select(int population, int populationSize, ReadOnlySpan<int> neurons)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(population, 1 << 20);
        ArgumentOutOfRangeException.ThrowIfNegative(populationSize);
        var mask = new bool[populationSize];
        foreach (int n in neurons)
        {
            if ((uint)n >= (uint)populationSize)
            {
                throw new ArgumentOutOfRangeException(nameof(neurons), n, $"Neuron {n} is outside population {population} of size {populationSize}.");
            }

            mask[n] = true;
        }

        if (_selection is null || _selection.Length <= population)
        {
            Array.Resize(ref _selection, population + 1);
        }

        _selection[population] = mask;
        return this;
    }

    /// <summary>Whether populations without a <see cref="Select"/> call are ignored (default: recorded in full).</summary>
    public bool RecordOnlySelected
    {
        get => _populationFilter;
        set => _populationFilter = value;
    }

    /// <inheritdoc />
    public void OnSpike(SimTime time, int population, int neuron)
    {
        bool[]?[]? selection = _selection;
        if (selection is not null)
        {
            bool[]? mask = (uint)population < (uint)selection.Length ? selection[population] : null;
            if (mask is null)
            {
                if (_populationFilter)
                {
                    return;
                }
            }
            else if ((uint)neuron >= (uint)mask.Length || !mask[neuron])
            {
                return;
            }
        }
        else if (_populationFilter)
        {
            return;
        }

        int i = Count;
        if (i == _ticks.Length)
        {
            if (i >= MaxSpikes)
            {
                Dropped++;
                return;
            }

            Grow();
        }

        _ticks[i] = time.Ticks;
        _populations[i] = population;
        _neurons[i] = neuron;
        Count = i + 1;
    }

    /// <summary>The number of stored spikes of <paramref name="population"/>.</summary>
    /// <param name="population">A population index.</param>
    /// <returns>The count.</returns>
    public int CountFor(int population)
    {
        int n = 0;
        foreach (int p in Populations)
        {
            if (p == population)
            {
                n++;
            }
        }

        return n;
    }

    /// <summary>Forgets every stored spike (keeps the capacity and the selection).</summary>
    public void Clear()
    {
        Count = 0;
        Dropped = 0;
    }

    private void Grow()
    {
        int capacity = (int)Math.Min(MaxSpikes, Math.Max(1024L, (long)_ticks.Length * 2));
        Array.Resize(ref _ticks, capacity);
        Array.Resize(ref _populations, capacity);
        Array.Resize(ref _neurons, capacity);
    }
}
