using EventSnn.Simulator.Monitors;
using ScottPlot;

namespace EventSnn.Plotting;

/// <summary>Settings of <see cref="RasterPlot.SavePng"/>.</summary>
public sealed record RasterPlotOptions
{
    /// <summary>Image width in pixels (default 1200).</summary>
    public int Width { get; init; } = 1200;

    /// <summary>Image height in pixels (default 700).</summary>
    public int Height { get; init; } = 700;

    /// <summary>The title (default: "Spike raster").</summary>
    public string Title { get; init; } = "Spike raster";

    /// <summary>
    /// The size of each population, to stack populations vertically (population p's neurons start at the sum of
    /// the sizes before it). Empty: every population starts at row 0.
    /// </summary>
    public IReadOnlyList<int> PopulationSizes { get; init; } = [];

    /// <summary>Names shown in the legend, per population (optional).</summary>
    public IReadOnlyList<string> PopulationNames { get; init; } = [];

    /// <summary>The most spikes drawn; above it every k-th spike is drawn (default 2,000,000).</summary>
    public int MaxPoints { get; init; } = 2_000_000;

    /// <summary>Marker size in pixels (default 2).</summary>
    public float MarkerSize { get; init; } = 2f;
}

/// <summary>Draws a spike raster (time in ms across, neuron down) to a PNG file with ScottPlot.</summary>
public static class RasterPlot
{
    /// <summary>Saves the raster of <paramref name="recorder"/> as a PNG image.</summary>
    /// <param name="recorder">The recorded spikes.</param>
    /// <param name="path">The PNG path (created or replaced).</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range or the path is empty.</exception>
    public static void SavePng(SpikeRecorder recorder, string path, RasterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new RasterPlotOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Width, 16384, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Height, 16384, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxPoints, 1, nameof(options));

        var offsets = new long[options.PopulationSizes.Count + 1];
        for (int p = 0; p < options.PopulationSizes.Count; p++)
        {
            offsets[p + 1] = offsets[p] + options.PopulationSizes[p];
        }

        ReadOnlySpan<long> t = recorder.TimeTicks;
        ReadOnlySpan<int> pop = recorder.Populations;
        ReadOnlySpan<int> neuron = recorder.Neurons;
        int stride = Math.Max(1, (int)Math.Ceiling(t.Length / (double)options.MaxPoints));
        int populations = 0;
        foreach (int p in pop)
        {
            populations = Math.Max(populations, p + 1);
        }

        var xs = new List<double>[populations];
        var ys = new List<double>[populations];
        for (int p = 0; p < populations; p++)
        {
            xs[p] = [];
            ys[p] = [];
        }

        for (int i = 0; i < t.Length; i += stride)
        {
            int p = pop[i];
            long offset = p < offsets.Length - 1 ? offsets[p] : 0;
            xs[p].Add(t[i] / 1e6);
            ys[p].Add(offset + neuron[i]);
        }

        var plot = new Plot();
        Color[] palette = [Colors.Black, Colors.Red, Colors.Blue, Colors.Green, Colors.Orange, Colors.Purple];
        for (int p = 0; p < populations; p++)
        {
            if (xs[p].Count == 0)
            {
                continue;
            }

            var markers = plot.Add.Markers(xs[p].ToArray(), ys[p].ToArray(), MarkerShape.FilledSquare, options.MarkerSize, palette[p % palette.Length]);
            if (p < options.PopulationNames.Count)
            {
                markers.LegendText = options.PopulationNames[p];
            }
        }

        if (options.PopulationNames.Count > 0)
        {
            plot.ShowLegend();
        }

        plot.Title(options.Title);
        plot.XLabel("Time (ms)");
        plot.YLabel("Neuron");
        if (stride > 1)
        {
            plot.Add.Annotation($"every {stride}th spike of {t.Length:N0} shown");
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        plot.SavePng(path, options.Width, options.Height);
    }
}
