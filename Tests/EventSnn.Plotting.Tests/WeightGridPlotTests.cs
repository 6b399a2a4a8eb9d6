namespace EventSnn.Plotting.Tests;

public sealed class WeightGridPlotTests
{
    [Fact]
    public void WritesAPngOfTheTiles()
    {
        string path = Path.Combine(Path.GetTempPath(), "eventsnn-grid-" + Guid.NewGuid().ToString("N") + ".png");
        try
        {
            float[] values = [.. Enumerable.Range(0, 5 * 3 * 4).Select(i => (float)Math.Sin(i))];
            WeightGridPlot.SavePng(path, values, 5, 3, 4, new WeightGridOptions { Width = 200, Height = 150, NormalizeEachTile = false });
            byte[] head = File.ReadAllBytes(path)[..4];
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G'], head);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MismatchedSizesAreRejectedNamingBoth()
    {
        var ex = Assert.Throws<ArgumentException>(() => WeightGridPlot.SavePng("x.png", new float[10], 2, 2, 2));
        Assert.Contains("10 values for 2 tiles of 2×2", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => WeightGridPlot.SavePng("x.png", new float[4], 0, 2, 2));
    }
}
