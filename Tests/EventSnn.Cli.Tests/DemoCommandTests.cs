using System.CommandLine;
using EventSnn.Cli.Commands;

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
            Assert.Equal("time_ns,population,neuron", lines[0]);
            var populations = lines.Skip(1).Select(l => l.Split(',')[1]).ToHashSet();
            Assert.Contains("dvs", populations);
            Assert.Contains("edges", populations);
            long[] times = [.. lines.Skip(1).Select(l => long.Parse(l.Split(',')[0], System.Globalization.CultureInfo.InvariantCulture))];
            Assert.True(times.Zip(times.Skip(1)).All(p => p.First <= p.Second), "rows in emission (time) order");
            Assert.All(times, t => Assert.InRange(t, 0, 300_000_000));
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
                return File.ReadLines(Path.Combine(dir, "spikes.csv")).Skip(1).Count(l => l.Split(',')[1] == "dvs");
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
    public void OddSizeIsAUsageError()
    {
        var (exit, _, stderr) = Cli.Run("demo", "--size", "15", "--out", Path.GetTempPath());
        Assert.Equal(2, exit);
        Assert.Contains("--size must be even", Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    /// <summary>
    /// The stated bound (docs/Simulator.md, README): the demo's retained memory does not grow with --duration. Between
    /// simulated seconds 2 and 10 of a 32x32 run (about 15,000 spikes a second, all written to spikes.csv) the
    /// live managed heap grows by less than 1 MiB and stays under 64 MiB.
    /// </summary>
    [Fact]
    public void A_long_demo_keeps_its_memory_bounded()
    {
        string dir = Path.Combine(Path.GetTempPath(), $"eventsnn-demo-{Guid.NewGuid():N}");
        var heap = new Dictionary<long, long>();
        DemoCommand.ChunkProbe = us =>
        {
            if (us is 2_000_000 or 10_000_000)
            {
                heap[us] = GC.GetTotalMemory(forceFullCollection: true);
            }
        };
        try
        {
            var (exit, stdout, stderr) = Cli.Run("demo", "--duration", "10", "--size", "32", "--out", dir);
            Assert.True(exit == 0, stderr);
            long rows = File.ReadLines(Path.Combine(dir, "spikes.csv")).LongCount() - 1;
            Assert.True(rows > 100_000, $"{rows} spikes: the run must be long enough to matter");
            Assert.Contains($"spikes (inputs included): {rows}", stdout, StringComparison.Ordinal);
            foreach (string png in new[] { "raster.png", "raster-start.png" })
            {
                Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, File.ReadAllBytes(Path.Combine(dir, png))[..4]);
            }
        }
        finally
        {
            DemoCommand.ChunkProbe = null;
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }

        long growth = heap[10_000_000] - heap[2_000_000];
        Assert.True(growth < 1 << 20, $"live heap grew by {growth} bytes from 2 s to 10 s");
        Assert.True(heap[10_000_000] < 64L << 20, $"live heap {heap[10_000_000]} bytes at 10 s");
    }
}
