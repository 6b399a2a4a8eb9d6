using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Plotting;

/// <summary>
/// A spike raster in bounded memory: spikes are counted in a fixed grid of time bins × neuron rows per population, so
/// a run of any length (or any number of spikes) needs the same memory, and a long run draws as spike density rather
/// than a solid block. Works with every engine through <see cref="ISpikeMonitor"/>; draw it with
/// <see cref="RasterPlot.SavePng(SpikeRaster, string, RasterPlotOptions?)"/>.
/// </summary>
/// <remarks>
/// <para><b>Time:</b> <see cref="TimeBins"/> bins of <see cref="BinWidth"/> from <see cref="Start"/>; the width starts at
/// the expected duration / <see cref="TimeBins"/> (at least 1 tick) and doubles, merging neighbouring bins, whenever a
/// spike lies beyond the last bin, so the grid always covers the run. Spikes before <see cref="Start"/> are counted
/// in <see cref="SpikesIgnored"/>.</para>
/// <para><b>Rows:</b> population p gets min(size, <see cref="MaxRowsPerPopulation"/>) rows; neuron n falls in row
/// ⌊n · rows / size⌋. A spike of an unknown population or neuron is counted in <see cref="SpikesIgnored"/> (monitors
/// never throw). Memory: 4 bytes × <see cref="TimeBins"/> × the total number of rows; nothing is allocated per spike.</para>
/// </remarks>
public sealed class SpikeRaster : ISpikeMonitor
{
    /// <summary>The default number of time bins: 1,000.</summary>
    public const int DefaultTimeBins = 1000;

    /// <summary>The default most rows per population: 256.</summary>
    public const int DefaultMaxRowsPerPopulation = 256;

    private readonly int[] _sizes;
    private readonly int[] _rows;
    private readonly int[][] _counts;
    private readonly long[] _totals;
    private readonly string[] _names;

    /// <summary>Creates a raster for populations of the given names and sizes.</summary>
    /// <param name="populationNames">The name of each population, by id.</param>
    /// <param name="populationSizes">The size of each population, by id (each at least 1).</param>
    /// <param name="start">The time of the first bin.</param>
    /// <param name="expectedDuration">The expected run length (positive); longer runs coarsen the bins.</param>
    /// <param name="timeBins">The number of time bins (10..100,000).</param>
    /// <param name="maxRowsPerPopulation">The most rows a population gets (1..10,000).</param>
    /// <param name="window">Whether the grid is a fixed window of <paramref name="expectedDuration"/>: later spikes are
    /// ignored (counted in <see cref="SpikesIgnored"/>) instead of coarsening the bins, to show the start of a long run
    /// at full resolution.</param>
    /// <exception cref="ArgumentException">Names and sizes differ in number, there is no population, or a size is not positive.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public SpikeRaster(
        IReadOnlyList<string> populationNames,
        IReadOnlyList<int> populationSizes,
        SimTime start,
        SimDuration expectedDuration,
        int timeBins = DefaultTimeBins,
        int maxRowsPerPopulation = DefaultMaxRowsPerPopulation,
        bool window = false)
    {
        ArgumentNullException.ThrowIfNull(populationNames);
        ArgumentNullException.ThrowIfNull(populationSizes);
        if (populationSizes.Count == 0 || populationNames.Count != populationSizes.Count)
        {
            throw new ArgumentException($"Need one name per population ({populationNames.Count} names, {populationSizes.Count} sizes).", nameof(populationNames));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(expectedDuration.Ticks, nameof(expectedDuration));
        ArgumentOutOfRangeException.ThrowIfLessThan(timeBins, 10);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeBins, 100_000);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRowsPerPopulation, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxRowsPerPopulation, 10_000);
        int n = populationSizes.Count;
        _sizes = new int[n];
        _rows = new int[n];
        _counts = new int[n][];
        _totals = new long[n];
        _names = new string[n];
        for (int p = 0; p < n; p++)
        {
            int size = populationSizes[p];
            if (size < 1)
            {
                throw new ArgumentException($"Population {p} has size {size}; sizes must be positive.", nameof(populationSizes));
            }

            _sizes[p] = size;
            _rows[p] = Math.Min(size, maxRowsPerPopulation);
            _counts[p] = new int[checked(_rows[p] * timeBins)];
            _names[p] = populationNames[p] ?? $"population {p}";
        }

        Start = start;
        IsWindow = window;
        TimeBins = timeBins;
        MaxRowsPerPopulation = maxRowsPerPopulation;
        BinWidth = SimDuration.FromTicks(Math.Max(1, (expectedDuration.Ticks + timeBins - 1) / timeBins));
    }

    /// <summary>Creates a raster for the populations of <paramref name="network"/>.</summary>
    /// <param name="network">The network.</param>
    /// <param name="start">The time of the first bin.</param>
    /// <param name="expectedDuration">The expected run length.</param>
    /// <param name="timeBins">The number of time bins.</param>
    /// <param name="maxRowsPerPopulation">The most rows a population gets.</param>
    /// <param name="window">Whether the grid is a fixed window (later spikes are ignored).</param>
    public SpikeRaster(NetworkSpec network, SimTime start, SimDuration expectedDuration, int timeBins = DefaultTimeBins, int maxRowsPerPopulation = DefaultMaxRowsPerPopulation, bool window = false)
        : this(NamesOf(network), SizesOf(network), start, expectedDuration, timeBins, maxRowsPerPopulation, window)
    {
    }

    /// <summary>The time of the first bin.</summary>
    public SimTime Start { get; }

    /// <summary>Whether the grid is a fixed window (spikes after it are ignored rather than coarsening the bins).</summary>
    public bool IsWindow { get; }

    /// <summary>The current bin width (doubles when the run outgrows the grid).</summary>
    public SimDuration BinWidth { get; private set; }

    /// <summary>The number of time bins.</summary>
    public int TimeBins { get; }

    /// <summary>The most rows a population gets.</summary>
    public int MaxRowsPerPopulation { get; }

    /// <summary>The number of populations.</summary>
    public int PopulationCount => _sizes.Length;

    /// <summary>The time just after the last spike counted (the end of the data; <see cref="Start"/> before any).</summary>
    public SimTime DataEnd { get; private set; }

    /// <summary>Spikes counted in the grid.</summary>
    public long Spikes { get; private set; }

    /// <summary>Spikes not counted: before <see cref="Start"/>, after a window, or of an unknown population or neuron.</summary>
    public long SpikesIgnored { get; private set; }

    /// <summary>The bytes the grid holds (4 per cell).</summary>
    public long GridBytes => _counts.Sum(c => (long)c.Length * 4);

    /// <summary>The name of population <paramref name="population"/>.</summary>
    /// <param name="population">A population id.</param>
    /// <returns>The name.</returns>
    public string NameOf(int population) => _names[CheckPopulation(population)];

    /// <summary>The size of population <paramref name="population"/>.</summary>
    /// <param name="population">A population id.</param>
    /// <returns>The number of neurons.</returns>
    public int SizeOf(int population) => _sizes[CheckPopulation(population)];

    /// <summary>The number of rows of population <paramref name="population"/>.</summary>
    /// <param name="population">A population id.</param>
    /// <returns>min(size, <see cref="MaxRowsPerPopulation"/>).</returns>
    public int RowsOf(int population) => _rows[CheckPopulation(population)];

    /// <summary>The spikes of population <paramref name="population"/> counted so far.</summary>
    /// <param name="population">A population id.</param>
    /// <returns>The count.</returns>
    public long SpikesOf(int population) => _totals[CheckPopulation(population)];

    /// <summary>The counts of one row of a population, one per time bin.</summary>
    /// <param name="population">A population id.</param>
    /// <param name="row">A row in [0, <see cref="RowsOf"/>).</param>
    /// <returns>The counts.</returns>
    public ReadOnlySpan<int> RowCounts(int population, int row)
    {
        CheckPopulation(population);
        ArgumentOutOfRangeException.ThrowIfNegative(row);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(row, _rows[population]);
        return _counts[population].AsSpan(row * TimeBins, TimeBins);
    }

    /// <summary>The row of <paramref name="neuron"/> in population <paramref name="population"/>.</summary>
    /// <param name="population">A population id.</param>
    /// <param name="neuron">A neuron index in [0, size).</param>
    /// <returns>⌊neuron · rows / size⌋.</returns>
    public int RowOf(int population, int neuron)
    {
        CheckPopulation(population);
        ArgumentOutOfRangeException.ThrowIfNegative(neuron);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(neuron, _sizes[population]);
        return (int)((long)neuron * _rows[population] / _sizes[population]);
    }

    /// <inheritdoc />
    public void OnSpike(SimTime time, int population, int neuron)
    {
        if ((uint)population >= (uint)_sizes.Length || (uint)neuron >= (uint)_sizes[population] || time < Start)
        {
            SpikesIgnored++;
            return;
        }

        long offset = time.Ticks - Start.Ticks;
        long bin = offset / BinWidth.Ticks;
        if (bin >= TimeBins && IsWindow)
        {
            SpikesIgnored++;
            return;
        }

        while (bin >= TimeBins)
        {
            Coarsen();
            bin = offset / BinWidth.Ticks;
        }

        int row = (int)((long)neuron * _rows[population] / _sizes[population]);
        ref int cell = ref _counts[population][(row * TimeBins) + (int)bin];
        if (cell != int.MaxValue)
        {
            cell++;
        }

        _totals[population]++;
        Spikes++;
        if (time >= DataEnd)
        {
            DataEnd = time + SimDuration.FromTicks(1);
        }
    }

    /// <summary>Doubles the bin width, adding neighbouring bins together.</summary>
    private void Coarsen()
    {
        if (BinWidth.Ticks > long.MaxValue / 2)
        {
            throw new InvalidOperationException("The raster's time range cannot grow further.");
        }

        foreach (int[] counts in _counts)
        {
            int rows = counts.Length / TimeBins;
            for (int r = 0; r < rows; r++)
            {
                Span<int> row = counts.AsSpan(r * TimeBins, TimeBins);
                for (int b = 0; b < TimeBins; b++)
                {
                    int left = 2 * b < TimeBins ? row[2 * b] : 0;
                    int right = (2 * b) + 1 < TimeBins ? row[(2 * b) + 1] : 0;
                    row[b] = (int)Math.Min(int.MaxValue, (long)left + right);
                }
            }
        }

        BinWidth = SimDuration.FromTicks(BinWidth.Ticks * 2);
    }

    private int CheckPopulation(int population)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, _sizes.Length);
        return population;
    }

    private static string[] NamesOf(NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return [.. network.Populations.Select(p => p.Name)];
    }

    private static int[] SizesOf(NetworkSpec network)
    {
        ArgumentNullException.ThrowIfNull(network);
        return [.. network.Populations.Select(p => p.Size)];
    }
}
