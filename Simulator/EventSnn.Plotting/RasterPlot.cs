using System.Globalization;
using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;
using ScottPlot;

namespace EventSnn.Plotting;

/// <summary>Settings of <see cref="RasterPlot"/>.</summary>
public sealed record RasterPlotOptions
{
    /// <summary>Image width in pixels (16..16384, default 1200).</summary>
    public int Width { get; init; } = 1200;

    /// <summary>Image height in pixels (16..16384, default 700).</summary>
    public int Height { get; init; } = 700;

    /// <summary>The title (default: "Spike raster").</summary>
    public string Title { get; init; } = "Spike raster";

    /// <summary>
    /// For a <see cref="SpikeRecorder"/>: the size of each population (empty: the largest neuron index seen + 1).
    /// A <see cref="SpikeRaster"/> knows its sizes.
    /// </summary>
    public IReadOnlyList<int> PopulationSizes { get; init; } = [];

    /// <summary>For a <see cref="SpikeRecorder"/>: the name of each population (empty: "population p").</summary>
    public IReadOnlyList<string> PopulationNames { get; init; } = [];

    /// <summary>The end of the time axis (default: the last spike). Set it to the run's end so quiet tails show.</summary>
    public SimTime? End { get; init; }

    /// <summary>
    /// The smallest share of the height a population's band gets when there are several (0..0.5, default 0.12), so a
    /// small output population is not a one-pixel strip under a large input one.
    /// </summary>
    public double MinBandFraction { get; init; } = 0.12;

    /// <summary>For a <see cref="SpikeRecorder"/>: the number of time bins of the grid it is drawn from (default 1,000).</summary>
    public int TimeBins { get; init; } = SpikeRaster.DefaultTimeBins;

    /// <summary>Legacy setting, no effect: the raster is drawn from a binned grid, whatever the number of spikes.</summary>
    public int MaxPoints { get; init; } = 2_000_000;

    /// <summary>Legacy setting, no effect: cells of the grid are drawn, not markers.</summary>
    public float MarkerSize { get; init; } = 2f;
}

/// <summary>
/// Draws a spike raster to a PNG image with ScottPlot: time across, one band per population (population 0 at the top,
/// neuron 0 at the top of its band), each cell of a <see cref="SpikeRaster"/> grid shaded by its spike count.
/// </summary>
/// <remarks>
/// Bands are labelled with the population's name and size on the left axis; the legend (name, colour and spike count
/// of each population) sits in a panel right of the data, never over it. A band's height follows its number of rows,
/// but is at least <see cref="RasterPlotOptions.MinBandFraction"/> of the total. A cell's colour runs from a pale
/// tint (one spike) to the population's colour (the population's 99th-percentile count and above); empty cells are
/// white. The x label states the bin width.
/// </remarks>
public static class RasterPlot
{
    private static readonly Color[] s_palette =
    [
        new(0x1F, 0x4E, 0x9A), new(0xC0, 0x39, 0x2B), new(0x1E, 0x84, 0x49), new(0x8E, 0x44, 0xAD),
        new(0xD3, 0x54, 0x00), new(0x17, 0x7E, 0x89), new(0x5D, 0x6D, 0x7E),
    ];

    /// <summary>The colour of population <paramref name="population"/> in rasters.</summary>
    /// <param name="population">A population id.</param>
    /// <returns>The colour.</returns>
    public static Color ColorOf(int population) => s_palette[Math.Abs(population) % s_palette.Length];

    /// <summary>Saves the raster of <paramref name="raster"/> as a PNG file (created or replaced).</summary>
    /// <param name="raster">The binned spikes.</param>
    /// <param name="path">The PNG path.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range or the path is empty.</exception>
    public static void SavePng(SpikeRaster raster, string path, RasterPlotOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        byte[] png = ToPng(raster, options);
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        File.WriteAllBytes(path, png);
    }

    /// <summary>Writes the raster of <paramref name="raster"/> as PNG bytes to <paramref name="destination"/>.</summary>
    /// <param name="raster">The binned spikes.</param>
    /// <param name="destination">The stream to write to.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    public static void WritePng(SpikeRaster raster, Stream destination, RasterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Write(ToPng(raster, options));
    }

    /// <summary>Saves the raster of the spikes in <paramref name="recorder"/> as a PNG file (binned as a <see cref="SpikeRaster"/>).</summary>
    /// <param name="recorder">The recorded spikes.</param>
    /// <param name="path">The PNG path (created or replaced).</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <exception cref="ArgumentException">An option is out of range or the path is empty.</exception>
    public static void SavePng(SpikeRecorder recorder, string path, RasterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        options ??= new RasterPlotOptions();
        Check(options);
        SavePng(FromRecorder(recorder, options), path, options);
    }

    /// <summary>Renders the raster to PNG bytes.</summary>
    /// <param name="raster">The binned spikes.</param>
    /// <param name="options">Settings; <see langword="null"/> for the defaults.</param>
    /// <returns>The PNG file's bytes.</returns>
    public static byte[] ToPng(SpikeRaster raster, RasterPlotOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(raster);
        options ??= new RasterPlotOptions();
        Check(options);
        var images = new List<Image>();
        try
        {
            using Plot plot = BuildPlot(raster, options, out _, images);
            return plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
        }
        finally
        {
            foreach (Image image in images)
            {
                image.Dispose();
            }
        }
    }

    /// <summary>The vertical extent of each population's band in plot units (top of the plot = the total).</summary>
    internal static (double Bottom, double Top)[] Bands(SpikeRaster raster, double minBandFraction)
    {
        int n = raster.PopulationCount;
        double f = n > 1 ? Math.Min(minBandFraction, 1.0 / n) : 0;

        // Populations whose rows fall below the share f of the total get exactly that share; the others keep their
        // rows: total = (rows of the others) / (1 - f × number raised), repeated until no population changes side.
        bool[] raised = new bool[n];
        double total;
        while (true)
        {
            double others = 0;
            int count = 0;
            for (int p = 0; p < n; p++)
            {
                if (raised[p])
                {
                    count++;
                }
                else
                {
                    others += raster.RowsOf(p);
                }
            }

            total = count == 0 ? others : others / (1 - (f * count));
            bool changed = false;
            for (int p = 0; p < n; p++)
            {
                if (!raised[p] && raster.RowsOf(p) < f * total)
                {
                    raised[p] = true;
                    changed = true;
                }
            }

            if (!changed || raised.All(r => r))
            {
                break;
            }
        }

        double[] weights = new double[n];
        for (int p = 0; p < n; p++)
        {
            weights[p] = raised[p] ? f * total : raster.RowsOf(p);
        }

        var bands = new (double, double)[n];
        double top = total;
        for (int p = 0; p < n; p++)
        {
            bands[p] = (top - weights[p], top);
            top -= weights[p];
        }

        return bands;
    }

    /// <summary>Builds the plot; the band images go to <paramref name="images"/>, for the caller to dispose after rendering.</summary>
    internal static Plot BuildPlot(SpikeRaster raster, RasterPlotOptions options, out LegendItem[] legend, List<Image> images)
    {
        SimTime end = options.End is SimTime e && e > raster.Start ? e : raster.DataEnd > raster.Start ? raster.DataEnd : raster.Start + raster.BinWidth;
        long spanTicks = end.Ticks - raster.Start.Ticks;
        int bins = (int)Math.Clamp((spanTicks + raster.BinWidth.Ticks - 1) / raster.BinWidth.Ticks, 1, raster.TimeBins);
        bool seconds = spanTicks >= 10_000_000_000L;
        double unit = seconds ? 1e9 : 1e6;
        double x0 = raster.Start.Ticks / unit;
        double x1 = (raster.Start.Ticks + (bins * raster.BinWidth.Ticks)) / unit;

        var plot = new Plot();
        (double Bottom, double Top)[] bands = Bands(raster, options.MinBandFraction);
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        legend = new LegendItem[raster.PopulationCount];
        for (int p = 0; p < raster.PopulationCount; p++)
        {
            Color color = ColorOf(p);
            var image = new Image(BandPixels(raster, p, bins, color));
            images.Add(image);
            var rect = plot.Add.ImageRect(image, new CoordinateRect(x0, x1, bands[p].Bottom, bands[p].Top));
            rect.AntiAlias = false;

            if (p > 0)
            {
                var line = plot.Add.HorizontalLine(bands[p].Top, 1, Colors.Gray);
                line.LinePattern = LinePattern.Dashed;
            }

            ticks.AddMajor((bands[p].Bottom + bands[p].Top) / 2, string.Create(CultureInfo.InvariantCulture, $"{raster.NameOf(p)} ({raster.SizeOf(p)})"));
            legend[p] = new LegendItem
            {
                LabelText = string.Create(CultureInfo.InvariantCulture, $"{raster.NameOf(p)}: {raster.SpikesOf(p):N0} spikes"),
                FillColor = color,
                OutlineColor = color,
            };
        }

        plot.Axes.Left.TickGenerator = ticks;
        plot.Axes.SetLimits(x0, x1, 0, bands[0].Top);
        plot.Title(options.Title);
        string binText = FormatDuration(raster.BinWidth);
        plot.XLabel(seconds ? $"Time (s), bins of {binText}" : $"Time (ms), bins of {binText}");
        plot.YLabel("Population (neurons)");
        plot.Legend.ManualItems = [.. legend];
        plot.ShowLegend(Edge.Right);
        return plot;
    }

    private static byte[,,] BandPixels(SpikeRaster raster, int population, int bins, Color color)
    {
        int rows = raster.RowsOf(population);
        var pixels = new byte[rows, bins, 3];
        double saturation = Saturation(raster, population, bins);
        for (int r = 0; r < rows; r++)
        {
            ReadOnlySpan<int> counts = raster.RowCounts(population, r);
            for (int b = 0; b < bins; b++)
            {
                int c = counts[b];
                double a = c == 0 ? 0 : 0.25 + (0.75 * Math.Min(1, c / saturation));
                pixels[r, b, 0] = (byte)Math.Round(255 + ((color.R - 255) * a));
                pixels[r, b, 1] = (byte)Math.Round(255 + ((color.G - 255) * a));
                pixels[r, b, 2] = (byte)Math.Round(255 + ((color.B - 255) * a));
            }
        }

        return pixels;
    }

    private static double Saturation(SpikeRaster raster, int population, int bins)
    {
        var counts = new List<int>();
        for (int r = 0; r < raster.RowsOf(population); r++)
        {
            foreach (int c in raster.RowCounts(population, r)[..bins])
            {
                if (c > 0)
                {
                    counts.Add(c);
                }
            }
        }

        if (counts.Count == 0)
        {
            return 1;
        }

        counts.Sort();
        return Math.Max(1, counts[(int)Math.Min(counts.Count - 1, Math.Floor(0.99 * counts.Count))]);
    }

    private static string FormatDuration(SimDuration d) => d.Ticks switch
    {
        >= 1_000_000_000 => string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / 1e9:G4} s"),
        >= 1_000_000 => string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / 1e6:G4} ms"),
        >= 1_000 => string.Create(CultureInfo.InvariantCulture, $"{d.Ticks / 1e3:G4} µs"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{d.Ticks} ns"),
    };

    private static void Check(RasterPlotOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Width, 16384, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Height, 16384, nameof(options));
        if (!(options.MinBandFraction is >= 0 and <= 0.5))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.MinBandFraction, "MinBandFraction must be in [0, 0.5].");
        }
    }

    private static SpikeRaster FromRecorder(SpikeRecorder recorder, RasterPlotOptions options)
    {
        ReadOnlySpan<long> t = recorder.TimeTicks;
        ReadOnlySpan<int> pop = recorder.Populations;
        ReadOnlySpan<int> neuron = recorder.Neurons;
        int populations = Math.Max(1, options.PopulationSizes.Count);
        long first = 0, last = 1;
        for (int i = 0; i < t.Length; i++)
        {
            populations = Math.Max(populations, pop[i] + 1);
            first = Math.Min(first, t[i]);
            last = Math.Max(last, t[i] + 1);
        }

        int[] sizes = new int[populations];
        string[] names = new string[populations];
        for (int p = 0; p < populations; p++)
        {
            sizes[p] = p < options.PopulationSizes.Count ? Math.Max(1, options.PopulationSizes[p]) : 1;
            names[p] = p < options.PopulationNames.Count ? options.PopulationNames[p] : string.Create(CultureInfo.InvariantCulture, $"population {p}");
        }

        for (int i = 0; i < t.Length; i++)
        {
            if (pop[i] >= 0 && pop[i] >= options.PopulationSizes.Count)
            {
                sizes[pop[i]] = Math.Max(sizes[pop[i]], neuron[i] + 1);
            }
        }

        long endTicks = options.End is SimTime e ? Math.Max(e.Ticks, last) : last;
        var raster = new SpikeRaster(names, sizes, SimTime.FromTicks(first), SimDuration.FromTicks(endTicks - first), options.TimeBins);
        for (int i = 0; i < t.Length; i++)
        {
            raster.OnSpike(SimTime.FromTicks(t[i]), pop[i], neuron[i]);
        }

        return raster;
    }
}
