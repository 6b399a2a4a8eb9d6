using ScottPlot;

namespace EventSnn.Plotting;

/// <summary>Settings of <see cref="WeightGridPlot"/>.</summary>
public sealed record WeightGridOptions
{
    /// <summary>Image width in pixels.</summary>
    public int Width { get; init; } = 1000;

    /// <summary>Image height in pixels.</summary>
    public int Height { get; init; } = 1000;

    /// <summary>Title.</summary>
    public string Title { get; init; } = "Weights";

    /// <summary>Tiles per row (0: ⌈√tiles⌉).</summary>
    public int Columns { get; init; }

    /// <summary>Scale each tile to its own [min, max] (true) or all tiles to the global range (false).</summary>
    public bool NormalizeEachTile { get; init; } = true;
}

/// <summary>
/// A grid of weight tiles as a grayscale PNG (black = smallest, white = largest weight): receptive fields of a layer,
/// convolution kernels, or snapshots of kernels over time.
/// </summary>
public static class WeightGridPlot
{
    /// <summary>Saves <paramref name="tileCount"/> tiles of <paramref name="tileHeight"/>×<paramref name="tileWidth"/> values as a grid.</summary>
    /// <param name="path">The PNG path (created or replaced).</param>
    /// <param name="values">Tile t's pixel (y, x) at <c>t·h·w + y·w + x</c>.</param>
    /// <param name="tileCount">Number of tiles (≥ 1).</param>
    /// <param name="tileHeight">Tile height (≥ 1).</param>
    /// <param name="tileWidth">Tile width (≥ 1).</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <exception cref="ArgumentException">Sizes do not match or are out of range.</exception>
    public static void SavePng(string path, ReadOnlySpan<float> values, int tileCount, int tileHeight, int tileWidth, WeightGridOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new WeightGridOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(tileCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileHeight, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(tileWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Width, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Height, 16, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Width, 16384, nameof(options));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Height, 16384, nameof(options));
        long expected = (long)tileCount * tileHeight * tileWidth;
        if (values.Length != expected)
        {
            throw new ArgumentException($"{values.Length} values for {tileCount} tiles of {tileHeight}×{tileWidth} (expected {expected}).", nameof(values));
        }

        int cols = options.Columns > 0 ? options.Columns : (int)Math.Ceiling(Math.Sqrt(tileCount));
        int rows = (tileCount + cols - 1) / cols;
        int gap = 1;
        var grid = new double[(rows * (tileHeight + gap)) + gap, (cols * (tileWidth + gap)) + gap];
        float gmin = float.PositiveInfinity;
        float gmax = float.NegativeInfinity;
        foreach (float v in values)
        {
            if (float.IsFinite(v))
            {
                gmin = Math.Min(gmin, v);
                gmax = Math.Max(gmax, v);
            }
        }

        for (int y = 0; y < grid.GetLength(0); y++)
        {
            for (int x = 0; x < grid.GetLength(1); x++)
            {
                grid[y, x] = 0.5;
            }
        }

        int size = tileHeight * tileWidth;
        for (int t = 0; t < tileCount; t++)
        {
            ReadOnlySpan<float> tile = values.Slice(t * size, size);
            float min = gmin;
            float max = gmax;
            if (options.NormalizeEachTile)
            {
                min = float.PositiveInfinity;
                max = float.NegativeInfinity;
                foreach (float v in tile)
                {
                    if (float.IsFinite(v))
                    {
                        min = Math.Min(min, v);
                        max = Math.Max(max, v);
                    }
                }
            }

            double range = max > min ? max - min : 1;
            int oy = gap + (t / cols * (tileHeight + gap));
            int ox = gap + (t % cols * (tileWidth + gap));
            for (int y = 0; y < tileHeight; y++)
            {
                for (int x = 0; x < tileWidth; x++)
                {
                    float v = tile[(y * tileWidth) + x];
                    grid[oy + y, ox + x] = float.IsFinite(v) ? (v - min) / range : 0;
                }
            }
        }

        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(grid);
        heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
        heatmap.ManualRange = new ScottPlot.Range(0, 1);
        plot.Title(options.Title);
        plot.Axes.Frameless();
        plot.HideGrid();
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        plot.SavePng(path, options.Width, options.Height);
    }
}
