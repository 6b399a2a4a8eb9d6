using EventSnn.EventQueue;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Streams every spike to CSV as the engine emits it: header <c>time_ns,population,neuron</c>, one row per spike in
/// emission order, <c>time_ns</c> the exact spike time in ticks (1 tick = 1 ns), <c>population</c> the population's
/// name (quoted when it holds a comma or a quote), <c>neuron</c> the index within the population; <c>\n</c> line ends,
/// UTF-8 without a byte-order mark.
/// </summary>
/// <remarks>
/// <para>Memory is one buffer of <c>bufferSize</c> bytes (default 64 KiB), written out whenever it fills, whatever
/// the run's length; nothing is allocated per spike. Call <see cref="Complete"/> at the end: it writes the rest and
/// reports a failed write (a full disk): <see cref="ISpikeMonitor.OnSpike"/> never throws, so a write failure during
/// the run is kept and later spikes are counted in <see cref="SpikesLost"/>.</para>
/// <para>A population id outside the names given is written as its number.</para>
/// </remarks>
public sealed class SpikeCsvWriter : ISpikeMonitor, IDisposable
{
    /// <summary>The header line (without its line end).</summary>
    public const string Header = "time_ns,population,neuron";

    /// <summary>The default buffer size: 64 KiB.</summary>
    public const int DefaultBufferSize = 64 << 10;

    private readonly CsvChunkWriter _out;
    private readonly byte[][] _names;
    private readonly int _rowRoom;

    /// <summary>Creates a writer for populations named <paramref name="populationNames"/> (indexed by population id).</summary>
    /// <param name="stream">The destination (writable).</param>
    /// <param name="populationNames">The name of each population, by id.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <param name="bufferSize">The buffer size in bytes (4 KiB..64 MiB).</param>
    /// <exception cref="ArgumentException">The stream is not writable, or a name is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bufferSize"/> is out of range.</exception>
    public SpikeCsvWriter(Stream stream, IReadOnlyList<string> populationNames, bool leaveOpen = false, int bufferSize = DefaultBufferSize)
    {
        ArgumentNullException.ThrowIfNull(populationNames);
        _out = new CsvChunkWriter(stream, leaveOpen, bufferSize, "spikes");
        _names = new byte[populationNames.Count][];
        int longest = 11;
        for (int p = 0; p < _names.Length; p++)
        {
            string name = populationNames[p] ?? throw new ArgumentException($"Population {p} has no name.", nameof(populationNames));
            _names[p] = CsvChunkWriter.Field(name);
            longest = Math.Max(longest, _names[p].Length);
        }

        _rowRoom = 20 + 1 + longest + 1 + 11 + 1;
        _out.Reserve(Header.Length + 1);
        _out.Append("time_ns,population,neuron\n"u8);
    }

    /// <summary>Creates a writer for the populations of <paramref name="network"/>.</summary>
    /// <param name="stream">The destination (writable).</param>
    /// <param name="network">The network whose population names label the rows.</param>
    /// <param name="leaveOpen">Whether <see cref="Dispose"/> leaves <paramref name="stream"/> open.</param>
    /// <param name="bufferSize">The buffer size in bytes (4 KiB..64 MiB).</param>
    public SpikeCsvWriter(Stream stream, NetworkSpec network, bool leaveOpen = false, int bufferSize = DefaultBufferSize)
        : this(stream, Names(network), leaveOpen, bufferSize)
    {
    }

    /// <summary>Spikes written (or buffered) so far.</summary>
    public long SpikesWritten { get; private set; }

    /// <summary>Spikes not written because an earlier write failed.</summary>
    public long SpikesLost => _out.RowsLost;

    /// <summary>Bytes handed to the stream so far (the buffered rest is written by <see cref="Complete"/>).</summary>
    public long BytesWritten => _out.BytesWritten;

    /// <summary>The memory the writer holds for buffering, in bytes.</summary>
    public int BufferBytes => _out.Capacity;

    /// <summary>Creates (or replaces) the file at <paramref name="path"/> and writes to it.</summary>
    /// <param name="path">The file path.</param>
    /// <param name="populationNames">The name of each population, by id.</param>
    /// <returns>The writer; dispose it.</returns>
    public static SpikeCsvWriter Create(string path, IReadOnlyList<string> populationNames)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1, FileOptions.SequentialScan);
        try
        {
            return new SpikeCsvWriter(stream, populationNames);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public void OnSpike(SimTime time, int population, int neuron)
    {
        if (!_out.Reserve(_rowRoom))
        {
            return;
        }

        _out.Append(time.Ticks);
        _out.Append((byte)',');
        if ((uint)population < (uint)_names.Length)
        {
            _out.Append(_names[population]);
        }
        else
        {
            _out.Append(population);
        }

        _out.Append((byte)',');
        _out.Append(neuron);
        _out.Append((byte)'\n');
        SpikesWritten++;
    }

    /// <summary>Writes the buffered rows and flushes the stream.</summary>
    /// <exception cref="IOException">A write failed (now or during the run); the message says how many rows were lost.</exception>
    public void Flush() => _out.Flush();

    /// <summary>Writes the rest; call once at the end of the run.</summary>
    /// <exception cref="IOException">A write failed (now or during the run).</exception>
    public void Complete() => _out.Flush();

    /// <inheritdoc />
    public void Dispose() => _out.Dispose();

    private static string[] Names(NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        string[] names = new string[network.Populations.Length];
        foreach (PopulationSpec p in network.Populations)
        {
            names[p.Id] = p.Name;
        }

        return names;
    }
}
