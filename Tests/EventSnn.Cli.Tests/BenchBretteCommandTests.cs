using System.CommandLine;
using System.Text.Json;

namespace EventSnn.Cli.Tests;

public sealed class BenchBretteCommandTests
{
    private static (int Exit, string Output) Run(params string[] args)
    {
        var output = new StringWriter();
        int exit = Program.BuildRoot().Parse(args).Invoke(new InvocationConfiguration { Output = output, Error = new StringWriter() });
        return (exit, output.ToString());
    }

    [Theory]
    [InlineData("cuba")]
    [InlineData("coba")]
    public void TinyNetworkPrintsConsistentJson(string model)
    {
        string csv = Path.Combine(Path.GetTempPath(), $"eventsnn-bench-{Guid.NewGuid():N}.csv");
        try
        {
            var (exit, text) = Run("bench", model, "--neurons", "400", "--duration", "0.5", "--seed", "3", "--json", "--spikes", csv);
            Assert.Equal(0, exit);
            using JsonDocument doc = JsonDocument.Parse(text);
            JsonElement r = doc.RootElement;
            Assert.Equal(model, r.GetProperty("model").GetString());
            Assert.Equal("clock", r.GetProperty("mode").GetString());
            Assert.Equal(400, r.GetProperty("neurons").GetInt32());
            Assert.Equal(0.5, r.GetProperty("duration_s").GetDouble());
            long synapses = r.GetProperty("synapses").GetInt64();
            long spikes = r.GetProperty("spikes").GetInt64();

            // p = 80/N: about 80 synapses per neuron (binomial, 32,000 expected; 5 sigma is about 900).
            Assert.InRange(synapses, 31_000, 33_000);
            Assert.True(spikes > 0);
            Assert.Equal(spikes / (400 * 0.5), r.GetProperty("rate_hz").GetDouble(), 3);
            Assert.True(r.GetProperty("loop_s").GetDouble() > 0);
            Assert.True(r.GetProperty("setup_s").GetDouble() > 0);
            Assert.InRange(r.GetProperty("bytes_per_synapse").GetDouble(), 8, 24);

            string[] lines = File.ReadAllLines(csv);
            Assert.Equal("time_us,population,neuron", lines[0]);
            Assert.Equal(spikes, lines.Length - 1);
            long previous = 0;
            foreach (string line in lines.Skip(1))
            {
                string[] parts = line.Split(',');
                long t = long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
                int p = int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
                int n = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                Assert.InRange(p, 0, 1);
                Assert.InRange(n, 0, p == 0 ? 319 : 79);
                Assert.True(t >= previous && t <= 500_000 && t % 100 == 0, $"time {t}");
                previous = t;
            }
        }
        finally
        {
            File.Delete(csv);
        }
    }

    [Fact]
    public void EventModeReportsWhereTheWorkGoes()
    {
        var (exit, text) = Run("bench", "cuba", "--neurons", "300", "--duration", "0.2", "--seed", "4", "--mode", "event", "--json");
        Assert.Equal(0, exit);
        using JsonDocument doc = JsonDocument.Parse(text);
        JsonElement r = doc.RootElement;
        long spikes = r.GetProperty("spikes").GetInt64();
        long deliveries = r.GetProperty("deliveries").GetInt64();
        long synaptic = r.GetProperty("synaptic_events").GetInt64();
        long updates = r.GetProperty("neuron_updates").GetInt64();
        long wakeUps = r.GetProperty("wake_ups").GetInt64();
        long stale = r.GetProperty("stale_wake_ups").GetInt64();
        Assert.True(spikes > 0);

        // Each spike is delivered once per outgoing projection (two, one delay group each) when it has targets there; each
        // delivery reaches at least one synapse; every neuron update is caused by an input or a wake-up.
        Assert.InRange(deliveries, 1, 2 * spikes);
        Assert.True(synaptic >= deliveries);
        Assert.InRange(updates, 1, synaptic + wakeUps);
        // The rest of the queue's events are wake-up sweeps: at most one per population and 1 ms sweep window (0.2 s, two
        // populations), plus one each at the start.
        Assert.InRange(r.GetProperty("queue_events").GetInt64() - (deliveries + wakeUps + stale), 0, 2 * (200 + 1));
        double cpu = r.GetProperty("loop_cpu_s").GetDouble();
        // loop_cpu_s is printed rounded to 0.1 ms: the per-event figure agrees with it to that rounding (plus its own 0.05 ns).
        Assert.Equal(cpu * 1e9 / synaptic, r.GetProperty("cpu_ns_per_synaptic_event").GetDouble(), (0.5e-4 * 1e9 / synaptic) + 0.06);
    }

    [Fact]
    public void SameSeedSameSpikesAndThreadsDoNotMatter()
    {
        string Spikes(string threads)
        {
            var (exit, text) = Run("bench", "cuba", "--neurons", "300", "--duration", "0.3", "--seed", "9", "--threads", threads, "--json");
            Assert.Equal(0, exit);
            using JsonDocument doc = JsonDocument.Parse(text);
            return doc.RootElement.GetProperty("spikes").GetRawText() + "/" + doc.RootElement.GetProperty("synapses").GetRawText();
        }

        Assert.Equal(Spikes("1"), Spikes("2"));
    }

    [Theory]
    [InlineData("--neurons", "5")]
    [InlineData("--duration", "0")]
    [InlineData("--dt", "-1")]
    [InlineData("--dt", "2")]
    [InlineData("--threads", "0")]
    public void BadOptionsAreUsageErrors(string option, string value)
    {
        var (exit, stdout, stderr) = Cli.Run("bench", "cuba", option, value);
        Assert.Equal(2, exit);
        Assert.Empty(stdout);
        Assert.Contains(option, Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    [Fact]
    public void TextOutputSummarises()
    {
        var (exit, text) = Run("bench", "coba", "--neurons", "200", "--duration", "0.1");
        Assert.Equal(0, exit);
        Assert.StartsWith("coba (clock): 200 neurons, ", text);
    }
}
