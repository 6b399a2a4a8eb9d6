using EventSnn.EventQueue;
using ScottPlot;
using SkiaSharp;

namespace EventSnn.Plotting.Tests;

public class SpikeRasterTests
{
    [Fact]
    public void Spikes_are_counted_in_time_bins_and_neuron_rows()
    {
        // 3 populations; 600 neurons get 256 rows, 100 and 16 neurons one row each.
        var raster = new SpikeRaster(["in", "hidden", "out"], [600, 100, 16], SimTime.Zero, SimDuration.FromMilliseconds(100L), timeBins: 100);
        var expected = new Dictionary<(int Pop, int Row, int Bin), int>();
        var rng = new Random(3);
        int[] sizes = [600, 100, 16];
        int[] rows = [256, 100, 16];
        for (int i = 0; i < 20_000; i++)
        {
            int p = rng.Next(3);
            int n = rng.Next(sizes[p]);
            long t = rng.NextInt64(100_000_000);
            raster.OnSpike(SimTime.FromTicks(t), p, n);
            var key = (p, (int)((long)n * rows[p] / sizes[p]), (int)(t / 1_000_000));
            expected[key] = expected.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(SimDuration.FromMilliseconds(1L), raster.BinWidth);
        Assert.Equal(20_000, raster.Spikes);
        for (int p = 0; p < 3; p++)
        {
            Assert.Equal(rows[p], raster.RowsOf(p));
            Assert.Equal(expected.Where(kv => kv.Key.Pop == p).Sum(kv => kv.Value), raster.SpikesOf(p));
            for (int r = 0; r < rows[p]; r++)
            {
                ReadOnlySpan<int> counts = raster.RowCounts(p, r);
                for (int b = 0; b < 100; b++)
                {
                    Assert.Equal(expected.GetValueOrDefault((p, r, b)), counts[b]);
                }
            }
        }

        raster.OnSpike(SimTime.FromTicks(-1), 0, 0);
        raster.OnSpike(SimTime.Zero, 3, 0);
        raster.OnSpike(SimTime.Zero, 2, 16);
        Assert.Equal(3, raster.SpikesIgnored);
    }

    [Fact]
    public void A_run_longer_than_expected_coarsens_the_bins_and_keeps_every_spike()
    {
        var raster = new SpikeRaster(["a"], [10], SimTime.FromMilliseconds(5L), SimDuration.FromMilliseconds(10L), timeBins: 10);
        long bytes = raster.GridBytes;
        var times = new List<long>();
        for (long t = 5_000_000; t < 5_000_000 + 1_000_000_000; t += 333_333)
        {
            raster.OnSpike(SimTime.FromTicks(t), 0, (int)(t % 10));
            times.Add(t);
        }

        // 1 ms bins doubled until 10 bins cover one second: 128 ms.
        Assert.Equal(SimDuration.FromMilliseconds(128L), raster.BinWidth);
        Assert.Equal(bytes, raster.GridBytes);
        Assert.Equal(times.Count, raster.Spikes);
        long total = 0;
        for (int r = 0; r < 10; r++)
        {
            ReadOnlySpan<int> counts = raster.RowCounts(0, r);
            for (int b = 0; b < 10; b++)
            {
                int row = r;
                int bin = b;
                Assert.Equal(times.Count(t => t % 10 == row && (t - 5_000_000) / 128_000_000 == bin), counts[b]);
                total += counts[b];
            }
        }

        Assert.Equal(times.Count, total);
    }

    [Fact]
    public void A_window_keeps_its_bins_and_ignores_later_spikes()
    {
        var window = new SpikeRaster(["a"], [4], SimTime.Zero, SimDuration.FromMilliseconds(10L), timeBins: 10, window: true);
        for (long ms = 0; ms < 100; ms++)
        {
            window.OnSpike(SimTime.FromMilliseconds(ms), 0, (int)(ms % 4));
        }

        Assert.True(window.IsWindow);
        Assert.Equal(SimDuration.FromMilliseconds(1L), window.BinWidth);
        Assert.Equal(10, window.Spikes);
        Assert.Equal(90, window.SpikesIgnored);
        Assert.Equal(1, window.RowCounts(0, 1)[1]);
    }

    [Fact]
    public void Memory_does_not_grow_with_the_number_of_spikes()
    {
        var raster = new SpikeRaster(["a", "b"], [1000, 16], SimTime.Zero, SimDuration.FromSeconds(1L));
        raster.OnSpike(SimTime.Zero, 0, 0);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000_000; i++)
        {
            raster.OnSpike(SimTime.FromTicks(i * 10_000L), i & 1, i % 16);
        }

        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1024);
        Assert.Equal(4L * SpikeRaster.DefaultTimeBins * (SpikeRaster.DefaultMaxRowsPerPopulation + 16), raster.GridBytes);
    }

    [Fact]
    public void Small_populations_get_a_visible_band_and_the_legend_stays_off_the_data()
    {
        // A 16-neuron output population under 2,048 + 512 neurons, and every cell of every band holds spikes.
        int[] sizes = [2048, 512, 16];
        var raster = new SpikeRaster(["dvs", "edges", "outputs"], sizes, SimTime.Zero, SimDuration.FromMilliseconds(200L), timeBins: 200);
        for (int p = 0; p < 3; p++)
        {
            for (int n = 0; n < sizes[p]; n++)
            {
                for (int b = 0; b < 200; b++)
                {
                    raster.OnSpike(SimTime.FromTicks((b * 1_000_000L) + 1), p, n);
                }
            }
        }

        var bands = RasterPlot.Bands(raster, 0.12);
        double total = bands[0].Top;
        Assert.True((bands[2].Top - bands[2].Bottom) / total >= 0.12 - 1e-12);

        var options = new RasterPlotOptions { Width = 900, Height = 600, End = SimTime.FromMilliseconds(200L) };
        var images = new List<Image>();
        using Plot plot = RasterPlot.BuildPlot(raster, options, out LegendItem[] legend, images);
        byte[] png = plot.GetImageBytes(options.Width, options.Height, ImageFormat.Png);
        PixelRect data = plot.LastRender.DataRect;
        Assert.Equal(["dvs: 409,600 spikes", "edges: 102,400 spikes", "outputs: 3,200 spikes"], legend.Select(l => l.LabelText));
        var labels = ((ScottPlot.TickGenerators.NumericManual)plot.Axes.Left.TickGenerator).Ticks.Select(t => t.Label).ToArray();
        Assert.Equal(["dvs (2048)", "edges (512)", "outputs (16)"], labels);

        using SKBitmap bitmap = SKBitmap.Decode(png);
        Color outputs = RasterPlot.ColorOf(2);
        int outputRows = 0;
        int whiteInside = 0;
        for (int y = (int)data.Top + 2; y < (int)data.Bottom - 2; y++)
        {
            bool hasOutput = false;
            for (int x = (int)data.Left + 2; x < (int)data.Right - 2; x++)
            {
                SKColor c = bitmap.GetPixel(x, y);
                hasOutput |= Near(c, outputs);
                whiteInside += c.Red > 245 && c.Green > 245 && c.Blue > 245 ? 1 : 0;
            }

            outputRows += hasOutput ? 1 : 0;
        }

        Assert.True(outputRows >= 0.1 * data.Height, $"output band is {outputRows} pixel rows of {data.Height}");
        Assert.True(whiteInside == 0, $"{whiteInside} white pixels inside a data area whose every cell has spikes (a legend over the data?)");
        Assert.True(data.Right < options.Width - 60, "the legend panel takes room right of the data");
    }

    [Fact]
    public void Raster_of_a_recorder_and_of_a_raster_write_pngs()
    {
        var raster = new SpikeRaster(["a"], [4], SimTime.Zero, SimDuration.FromMilliseconds(1L));
        raster.OnSpike(SimTime.FromTicks(10), 0, 3);
        using var stream = new MemoryStream();
        RasterPlot.WritePng(raster, stream, new RasterPlotOptions { Width = 300, Height = 200 });
        byte[] bytes = stream.ToArray();
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, bytes[..4]);
        Assert.Throws<ArgumentOutOfRangeException>(() => RasterPlot.ToPng(raster, new RasterPlotOptions { MinBandFraction = 0.9 }));
        Assert.Throws<ArgumentException>(() => new SpikeRaster(["a", "b"], [1], SimTime.Zero, SimDuration.FromTicks(1)));
        Assert.Throws<ArgumentException>(() => new SpikeRaster(["a"], [0], SimTime.Zero, SimDuration.FromTicks(1)));
    }

    private static bool Near(SKColor c, Color expected) =>
        Math.Abs(c.Red - expected.R) <= 6 && Math.Abs(c.Green - expected.G) <= 6 && Math.Abs(c.Blue - expected.B) <= 6;
}
