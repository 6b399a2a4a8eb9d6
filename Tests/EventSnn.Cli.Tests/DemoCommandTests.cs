using System.CommandLine;

namespace EventSnn.Cli.Tests;

public sealed class DemoCommandTests
{
    [Theory]
    [InlineData("event")]
    [InlineData("clock")]
    public void SmallDemoWritesRasterAndSpikes(string mode)
    {
        string dir = Path.Combine(Path.GetTempPath(), $"eventsnn-demo-{Guid.NewGuid():N}");
        try
        {
            var output = new StringWriter();
            int exit = Program.BuildRoot().Parse(["demo", "--duration", "0.3", "--size", "16", "--mode", mode, "--out", dir]).Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter() });
            Assert.Equal(0, exit);
            string text = output.ToString();
            Assert.Contains("edges", text);
            Assert.Contains("synapses:", text);

            byte[] png = File.ReadAllBytes(Path.Combine(dir, "raster.png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png[..4]);
            Assert.True(png.Length > 5000);

            string[] lines = File.ReadAllLines(Path.Combine(dir, "spikes.csv"));
            Assert.Equal("time_us,population,neuron", lines[0]);
            var populations = lines.Skip(1).Select(l => int.Parse(l.Split(',')[1], System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            Assert.Contains(0, populations);
            Assert.Contains(1, populations);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }

    [Fact]
    public void EventAndClockDemosSeeTheSameInput()
    {
        int CountInputs(string mode)
        {
            string dir = Path.Combine(Path.GetTempPath(), $"eventsnn-demo-{Guid.NewGuid():N}");
            try
            {
                int exit = Program.BuildRoot().Parse(["demo", "--duration", "0.2", "--size", "8", "--mode", mode, "--out", dir]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
                Assert.Equal(0, exit);
                return File.ReadLines(Path.Combine(dir, "spikes.csv")).Skip(1).Count(l => l.Split(',')[1] == "0");
            }
            finally
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        int events = CountInputs("event");
        Assert.True(events > 100);
        Assert.Equal(events, CountInputs("clock"));
    }

    [Fact]
    public void OddSizeIsAUserError()
    {
        int exit = Program.BuildRoot().Parse(["demo", "--size", "15", "--out", Path.GetTempPath()]).Invoke(new InvocationConfiguration { Output = new StringWriter(), Error = new StringWriter() });
        Assert.Equal(1, exit);
    }
}
