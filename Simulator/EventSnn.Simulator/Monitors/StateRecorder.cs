using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Records one state variable (membrane potential, a synaptic current, a trace) of chosen neurons of one
/// population, every <see cref="EverySteps"/> steps or at chosen times. Samples are stored sample-major as a
/// struct of arrays: <see cref="TimeTicks"/>[s] and <see cref="Values"/>[s × neurons + k].
/// </summary>
/// <remarks>
/// <para>With code that steps a population itself, it reads the variable and calls <see cref="Record"/> when
/// <see cref="IsDue"/> says so (after each step: state at the step's end; chosen times are rounded up to the next step
/// boundary).</para>
/// <para>With any <see cref="Engines.ISimulationEngine"/> (event-driven or clock-driven) add it with
/// <c>engine.AddStateSampler(recorder, interval)</c>: the engine then calls <see cref="Sample(SimTime, IStateReader)"/> at every multiple of the
/// interval and the recorder reads its neurons through <see cref="IStateReader.ReadState"/> (the variable index is
/// looked up by name in the population's model).</para>
/// </remarks>
public sealed class StateRecorder : IStateSampler
{
    private readonly int[] _neurons;
    private readonly long[] _times = [];
    private int _nextTime;
    private long[] _sampleTicks;
    private float[] _values;
    private float[] _row = [];
    private int _variableIndex = -1;
    private int _maxSamples = int.MaxValue;

    /// <summary>Records every <paramref name="everySteps"/> steps (steps counted from 1: the first sample is after step <paramref name="everySteps"/>).</summary>
    /// <param name="population">The population index.</param>
    /// <param name="variable">The variable name, as the model names it (e.g. <c>v</c>).</param>
    /// <param name="neurons">The neurons to record (0 or more each; checked against the population by the engine).</param>
    /// <param name="everySteps">The sampling period in steps (1 or more).</param>
    /// <exception cref="ArgumentException">No neuron, or a negative index, or an empty name.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="everySteps"/> is less than 1.</exception>
    public StateRecorder(int population, string variable, ReadOnlySpan<int> neurons, int everySteps = 1)
        : this(population, variable, neurons)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(everySteps, 1);
        EverySteps = everySteps;
        _times = [];
    }

    /// <summary>Records at the given times (ascending).</summary>
    /// <param name="population">The population index.</param>
    /// <param name="variable">The variable name.</param>
    /// <param name="neurons">The neurons to record.</param>
    /// <param name="times">The sampling times, strictly ascending.</param>
    /// <exception cref="ArgumentException">The times are empty or not strictly ascending, or a neuron is invalid.</exception>
    public StateRecorder(int population, string variable, ReadOnlySpan<int> neurons, ReadOnlySpan<SimTime> times)
        : this(population, variable, neurons)
    {
        if (times.IsEmpty)
        {
            throw new ArgumentException("At least one sampling time is needed.", nameof(times));
        }

        _times = new long[times.Length];
        for (int i = 0; i < times.Length; i++)
        {
            if (i > 0 && times[i] <= times[i - 1])
            {
                throw new ArgumentException($"Sampling times must be strictly ascending ({times[i - 1]} then {times[i]}).", nameof(times));
            }

            _times[i] = times[i].Ticks;
        }
    }

    private StateRecorder(int population, string variable, ReadOnlySpan<int> neurons)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentException.ThrowIfNullOrWhiteSpace(variable);
        if (neurons.IsEmpty)
        {
            throw new ArgumentException("At least one neuron is needed.", nameof(neurons));
        }

        foreach (int n in neurons)
        {
            if (n < 0)
            {
                throw new ArgumentException($"Neuron index {n} is negative.", nameof(neurons));
            }
        }

        Population = population;
        Variable = variable;
        _neurons = neurons.ToArray();
        _sampleTicks = new long[16];
        _values = new float[16 * _neurons.Length];
    }

    /// <summary>The population index.</summary>
    public int Population { get; }

    /// <summary>The recorded variable's name.</summary>
    public string Variable { get; }

    /// <summary>The recorded neurons, in column order.</summary>
    public ReadOnlySpan<int> Neurons => _neurons;

    /// <summary>The sampling period in steps, or 0 when sampling at chosen times.</summary>
    public int EverySteps { get; }

    /// <summary>The number of samples recorded.</summary>
    public int SampleCount { get; private set; }

    /// <summary>
    /// The most samples stored (default: no limit but the array size); samples beyond it are counted in
    /// <see cref="DroppedSamples"/>, not stored, so memory stays within <c>MaxSamples × (8 + 4 × neurons)</c> bytes
    /// whatever the run's length. To keep every sample of a long run, stream them with <see cref="StateCsvWriter"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1.</exception>
    public int MaxSamples
    {
        get => _maxSamples;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, 1);
            _maxSamples = value;
        }
    }

    /// <summary>Samples taken but not stored because <see cref="MaxSamples"/> was reached.</summary>
    public long DroppedSamples { get; private set; }

    /// <summary>The time of each sample in ticks.</summary>
    public ReadOnlySpan<long> TimeTicks => _sampleTicks.AsSpan(0, SampleCount);

    /// <summary>All values, sample-major: <c>Values[s * Neurons.Length + k]</c> is neuron <c>Neurons[k]</c> at sample <c>s</c>.</summary>
    public ReadOnlySpan<float> Values => _values.AsSpan(0, SampleCount * _neurons.Length);

    /// <summary>The values of sample <paramref name="sample"/>, one per recorded neuron.</summary>
    /// <param name="sample">A sample index in <c>[0, SampleCount)</c>.</param>
    /// <returns>The values.</returns>
    public ReadOnlySpan<float> SampleValues(int sample)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(sample);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(sample, SampleCount);
        return _values.AsSpan(sample * _neurons.Length, _neurons.Length);
    }

    /// <summary>
    /// Whether a sample is due for the state at <paramref name="time"/>, the end of step number
    /// <paramref name="step"/> (1-based count of completed steps).
    /// </summary>
    /// <param name="step">The number of steps completed.</param>
    /// <param name="time">The time of the state.</param>
    /// <returns><see langword="true"/> when <see cref="Record"/> should be called now.</returns>
    public bool IsDue(long step, SimTime time)
    {
        if (EverySteps > 0)
        {
            return step % EverySteps == 0;
        }

        return _nextTime < _times.Length && time.Ticks >= _times[_nextTime];
    }

    /// <summary>Takes a sample through an engine's state reader (see the remarks).</summary>
    /// <param name="time">The sample time.</param>
    /// <param name="reader">The engine (an <see cref="Engines.ISimulationEngine"/>, so the variable name can be resolved).</param>
    /// <exception cref="ArgumentException">The reader is not an engine, or the population has no such variable.</exception>
    public void Sample(SimTime time, IStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (_variableIndex < 0)
        {
            if (reader is not Engines.ISimulationEngine engine || (uint)Population >= (uint)engine.Network.Populations.Length)
            {
                throw new ArgumentException($"State recorder for population {Population} needs an engine that knows that population.", nameof(reader));
            }

            int index = engine.Network.Populations[Population].Model?.Info.StateIndex(Variable) ?? -1;
            if (index < 0)
            {
                throw new ArgumentException($"{engine.Network.Populations[Population]} has no state variable '{Variable}'.", nameof(reader));
            }

            _variableIndex = index;
            _row = new float[_neurons.Length];
        }

        for (int k = 0; k < _neurons.Length; k++)
        {
            _row[k] = (float)reader.ReadState(Population, _neurons[k], _variableIndex);
        }

        Append(time, _row);
    }

    /// <summary>Stores the values of the recorded neurons, taken from the whole population's variable.</summary>
    /// <param name="time">The time of the state.</param>
    /// <param name="variable">The variable for every neuron of the population.</param>
    /// <exception cref="ArgumentException">A recorded neuron is outside <paramref name="variable"/>.</exception>
    public void Record(SimTime time, ReadOnlySpan<float> variable)
    {
        Span<float> row = _neurons.Length <= 256 ? stackalloc float[_neurons.Length] : new float[_neurons.Length];
        for (int k = 0; k < _neurons.Length; k++)
        {
            int n = _neurons[k];
            if ((uint)n >= (uint)variable.Length)
            {
                throw new ArgumentException($"Recorded neuron {n} is outside population {Population} of size {variable.Length}.", nameof(variable));
            }

            row[k] = variable[n];
        }

        Append(time, row);
    }

    private void Append(SimTime time, ReadOnlySpan<float> row)
    {
        if (SampleCount >= _maxSamples)
        {
            DroppedSamples++;
            while (_nextTime < _times.Length && _times[_nextTime] <= time.Ticks)
            {
                _nextTime++;
            }

            return;
        }

        if (SampleCount == _sampleTicks.Length)
        {
            int capacity = (int)Math.Min(Math.Max(_maxSamples, 16), checked(_sampleTicks.Length * 2L));
            Array.Resize(ref _sampleTicks, capacity);
            Array.Resize(ref _values, checked(capacity * _neurons.Length));
        }

        row.CopyTo(_values.AsSpan(SampleCount * _neurons.Length, _neurons.Length));
        _sampleTicks[SampleCount++] = time.Ticks;
        while (_nextTime < _times.Length && _times[_nextTime] <= time.Ticks)
        {
            _nextTime++;
        }
    }
}
