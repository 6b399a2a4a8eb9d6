using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Streams samples of one state variable of chosen neurons to CSV as the engine takes them: header
/// <c>time_ns,population,neuron,&lt;variable&gt;</c>, one row per sample and neuron (neurons in the order given),
/// <c>time_ns</c> the sample time in ticks (1 tick = 1 ns), <c>population</c> the population's name, the value in
/// round-trip notation; <c>\n</c> line ends, UTF-8 without a byte-order mark.
/// </summary>
/// <remarks>
/// Add it with <c>engine.AddStateSampler(writer, interval)</c>. Memory is one buffer (default 64 KiB) plus one row of
/// values, whatever the run's length; nothing is allocated per sample. Call <see cref="Complete"/> at the end: it
/// writes the rest and reports a write failure kept during the run (see <see cref="SpikeCsvWriter"/>).
/// </remarks>
public sealed class StateCsvWriter : IStateSampler, IDisposable
{
    private readonly CsvChunkWriter _out;
    private readonly int[] _neurons;
    private readonly byte[] _populationField;
    private int _variableIndex = -1;

    /// <summary>Creates a writer.</summary>
    /// <param name="stream">The destination (writable).</param>
    /// <param name="population">The population id.</param>
    /// <param name="populationName">The population's name (written in each row).</param>
    /// <param name="variable">The state variable, as the model names it (e.g. <c>v</c>).</param>
    /// <param name="neurons">The neurons to sample (at least one; checked against the population at the first sample).</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <param name="bufferSize">The buffer size in bytes (4 KiB..64 MiB).</param>
    /// <exception cref="ArgumentException">No neuron, a negative neuron, an empty name or variable, or an unwritable stream.</exception>
    public StateCsvWriter(Stream stream, int population, string populationName, string variable, ReadOnlySpan<int> neurons, bool leaveOpen = false, int bufferSize = SpikeCsvWriter.DefaultBufferSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentException.ThrowIfNullOrWhiteSpace(populationName);
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

        _out = new CsvChunkWriter(stream, leaveOpen, bufferSize, $"{populationName}.{variable} samples");
        Population = population;
        Variable = variable;
        _neurons = neurons.ToArray();
        _populationField = CsvChunkWriter.Field(populationName);
        byte[] header = CsvChunkWriter.Field(variable);
        _out.Reserve(32 + header.Length);
        _out.Append("time_ns,population,neuron,"u8);
        _out.Append(header);
        _out.Append((byte)'\n');
    }

    /// <summary>The population id.</summary>
    public int Population { get; }

    /// <summary>The sampled variable's name.</summary>
    public string Variable { get; }

    /// <summary>Samples taken so far.</summary>
    public long SampleCount { get; private set; }

    /// <summary>Rows not written because an earlier write failed.</summary>
    public long RowsLost => _out.RowsLost;

    /// <summary>The memory the writer holds for buffering, in bytes.</summary>
    public int BufferBytes => _out.Capacity;

    /// <inheritdoc />
    /// <exception cref="ArgumentException">The reader is not an engine that knows the population, the model has no such
    /// variable, or a neuron lies outside the population (checked at the first sample).</exception>
    public void Sample(SimTime time, IStateReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        if (_variableIndex < 0)
        {
            Resolve(reader);
        }

        int room = 20 + 1 + _populationField.Length + 1 + 11 + 1 + 32 + 1;
        foreach (int n in _neurons)
        {
            double value = reader.ReadState(Population, n, _variableIndex);
            if (!_out.Reserve(room))
            {
                continue;
            }

            _out.Append(time.Ticks);
            _out.Append((byte)',');
            _out.Append(_populationField);
            _out.Append((byte)',');
            _out.Append(n);
            _out.Append((byte)',');
            _out.Append(value);
            _out.Append((byte)'\n');
        }

        SampleCount++;
    }

    /// <summary>Writes the rest; call once at the end of the run.</summary>
    /// <exception cref="IOException">A write failed (now or during the run).</exception>
    public void Complete() => _out.Flush();

    /// <inheritdoc />
    public void Dispose() => _out.Dispose();

    private void Resolve(IStateReader reader)
    {
        if (reader is not Engines.ISimulationEngine engine || (uint)Population >= (uint)engine.Network.Populations.Length)
        {
            throw new ArgumentException($"State writer for population {Population} needs an engine that knows that population.", nameof(reader));
        }

        Network.PopulationSpec spec = engine.Network.Populations[Population];
        int index = spec.Model?.Info.StateIndex(Variable) ?? -1;
        if (index < 0)
        {
            throw new ArgumentException($"{spec} has no state variable '{Variable}'.", nameof(reader));
        }

        foreach (int n in _neurons)
        {
            if (n >= spec.Size)
            {
                throw new ArgumentException($"Neuron {n} is outside {spec} of size {spec.Size}.", nameof(reader));
            }
        }

        _variableIndex = index;
    }
}
