using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Plotting.Tests;

public class RasterPlotTests
{
    [Fact]
    public void RasterPlotWritesAPng()
    {
        var spikes = new SpikeRecorder();
        var rng = new Random(1);
        for (int i = 0; i < 2000; i++)
        {
            spikes.OnSpike(SimTime.FromMicroseconds(i * 50L), i % 2, rng.Next(100));
        }

        string path = Path.Combine(Path.GetTempPath(), $"eventsnn-raster-{Guid.NewGuid():N}.png");
        try
        {
            RasterPlot.SavePng(spikes, path, new RasterPlotOptions { PopulationSizes = [100, 100], PopulationNames = ["a", "b"], Width = 400, Height = 300 });
            byte[] bytes = File.ReadAllBytes(path);
            Assert.True(bytes.Length > 1000, $"PNG too small: {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);

            // IHDR: width and height, big-endian, at offsets 16 and 20.
            Assert.Equal(400, (bytes[16] << 24) | (bytes[17] << 16) | (bytes[18] << 8) | bytes[19]);
            Assert.Equal(300, (bytes[20] << 24) | (bytes[21] << 16) | (bytes[22] << 8) | bytes[23]);
        }
        finally
        {
            File.Delete(path);
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => RasterPlot.SavePng(spikes, path, new RasterPlotOptions { Width = 1 }));
    }
}
