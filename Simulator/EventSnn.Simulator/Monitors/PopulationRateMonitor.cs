using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// Counts spikes per population in fixed time bins and reports population rates in Hz
/// (spikes per neuron per second). Works with every engine through <see cref="ISpikeMonitor"/>.
/// </summary>
/// <remarks>
/// Bin <c>b</c> of a population covers <c>[start + b·bin, start + (b+1)·bin)</c>. Spikes before
/// <see cref="Start"/> are ignored. Storage grows by doubling; a run of known length allocates nothing per spike
/// once its bins exist.
/// </remarks>
public sealed class PopulationRateMonitor : ISpikeMonitor
{
    private readonly int[] _sizes;
    private readonly long[] _totals;
    private int[][] _counts;
    private int _bins;

    /// <summary>Creates a rate monitor.</summary>
    /// <param name="populationSizes">The number of neurons of each population (each 1 or more).</param>
    /// <param name="bin">The bin width (positive).</param>
    /// <param name="start">The start of bin 0.</param>
    /// <exception cref="ArgumentException">A size is not positive, or there is no population.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bin"/> is not positive.</exception>
    public PopulationRateMonitor(ReadOnlySpan<int> populationSizes, SimDuration bin, SimTime start = default)
    {
        if (populationSizes.IsEmpty)
        {
            throw new ArgumentException("At least one population is needed.", nameof(populationSizes));
        }

        foreach (int s in populationSizes)
        {
            if (s < 1)
            {
                throw new ArgumentException($"Population sizes must be positive, got {s}.", nameof(populationSizes));
            }
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bin.Ticks, nameof(bin));
        _sizes = populationSizes.ToArray();
        _totals = new long[_sizes.Length];
        _counts = new int[_sizes.Length][];
        for (int p = 0; p < _counts.Length; p++)
        {
            _counts[p] = new int[64];
        }

        Bin = bin;
        Start = start;
    }

    /// <summary>The bin width.</summary>
    public SimDuration Bin { get; }

    /// <summary>The start of bin 0.</summary>
    public SimTime Start { get; }

    /// <summary>The number of bins up to the last spike seen (trailing empty bins are not included).</summary>
    public int BinCount => _bins;

    /// <summary>The number of populations.</summary>
    public int PopulationCount => _sizes.Length;

    /// <inheritdoc />
    public void OnSpike(SimTime time, int population, int neuron)
    {
        if ((uint)population >= (uint)_sizes.Length)
        {
            throw new ArgumentOutOfRangeException(nameof(population), population, $"The monitor knows {_sizes.Length} populations.");
        }

        long offset = time.Ticks - Start.Ticks;
        if (offset < 0)
        {
            return;
        }

        long b = offset / Bin.Ticks;
        if (b >= Array.MaxLength)
        {
            throw new InvalidOperationException($"Spike at {time} falls in bin {b}, beyond what a rate monitor with bin {Bin} can hold.");
        }

        int bin = (int)b;
        if (bin >= _counts[population].Length)
        {
            int capacity = (int)Math.Min(Array.MaxLength, Math.Max(bin + 1L, _counts[population].Length * 2L));
            for (int p = 0; p < _counts.Length; p++)
            {
                Array.Resize(ref _counts[p], capacity);
            }
        }

        _counts[population][bin]++;
        _totals[population]++;
        if (bin >= _bins)
        {
            _bins = bin + 1;
        }
    }

    /// <summary>Spike counts of <paramref name="population"/> per bin (<see cref="BinCount"/> entries).</summary>
    /// <param name="population">A population index.</param>
    /// <returns>The counts.</returns>
    public ReadOnlySpan<int> Counts(int population)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, _sizes.Length);
        return _counts[population].AsSpan(0, _bins);
    }

    /// <summary>Writes the rate (Hz) of <paramref name="population"/> in each bin to <paramref name="destination"/>.</summary>
    /// <param name="population">A population index.</param>
    /// <param name="destination">Room for <see cref="BinCount"/> values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is too short.</exception>
    public void Rates(int population, Span<double> destination)
    {
        ReadOnlySpan<int> counts = Counts(population);
        if (destination.Length < counts.Length)
        {
            throw new ArgumentException($"Need room for {counts.Length} bins.", nameof(destination));
        }

        double scale = 1.0 / (_sizes[population] * Bin.TotalSeconds);
        for (int b = 0; b < counts.Length; b++)
        {
            destination[b] = counts[b] * scale;
        }
    }

    /// <summary>The total number of spikes of <paramref name="population"/> at or after <see cref="Start"/>.</summary>
    /// <param name="population">A population index.</param>
    /// <returns>The count.</returns>
    public long TotalSpikes(int population)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(population);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(population, _sizes.Length);
        return _totals[population];
    }

    /// <summary>
    /// The mean rate (Hz) of <paramref name="population"/> for a run from <see cref="Start"/> to
    /// <paramref name="end"/>: every spike seen so far divided by the population size and the window length.
    /// </summary>
    /// <param name="population">A population index.</param>
    /// <param name="end">The end of the window (after <see cref="Start"/>).</param>
    /// <returns>Spikes per neuron per second.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="end"/> is not after <see cref="Start"/>.</exception>
    public double MeanRate(int population, SimTime end)
    {
        if (end <= Start)
        {
            throw new ArgumentOutOfRangeException(nameof(end), end, $"The window must end after {Start}.");
        }

        return TotalSpikes(population) / (_sizes[population] * (end - Start).TotalSeconds);
    }
}
