using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Tests;

/// <summary><c>eventsnn serve</c> in-process on a file source, its errors, and the shared <c>--verbose</c>/<c>--log-file</c> options.</summary>
[Collection(EventFileCliGroup.Name)]
public sealed class ServeCommandTests : IDisposable
{
    private const string Network = """
        {
          "version": 1,
          "name": "serve-test",
          "populations": [
            { "name": "dvs", "kind": "external", "shape": [2, 34, 34] },
            { "name": "out", "model": "lif", "size": 10,
              "params": { "tau_m_ms": 20, "v_rest_mV": -65, "v_thresh_mV": -55, "v_reset_mV": -65, "t_ref_ms": 2 } }
          ],
          "projections": [
            { "pre": "dvs", "post": "out", "weight": 2, "delay_ms": 1, "connectivity": { "rule": "fixed_probability", "p": 0.2, "seed": 1 } }
          ]
        }
        """;

    private readonly string _dir = Path.Combine(Path.GetTempPath(), "eventsnn-serve-" + Guid.NewGuid().ToString("N"));
    private readonly string _net;

    public ServeCommandTests()
    {
        Directory.CreateDirectory(_dir);
        _net = Path.Combine(_dir, "net.json");
        File.WriteAllText(_net, Network);
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Serving_a_file_source_runs_every_event_through_the_network_and_reports_status()
    {
        string file = Cli.Sample("tonic_sample_nmnist.bin");
        long expected = 0;
        using (IEventReader reader = EventFile.Open(file))
        using (var batch = new EventBatch())
        {
            while (reader.ReadBatch(batch) > 0)
            {
                expected += batch.Count;
                batch.Clear();
            }
        }

        (int code, string stdout, string stderr) = Cli.Run("serve", _net, "--source", "file:" + file, "--speed", "0", "--status-interval", "0.05", "--output-population", "out");
        Assert.True(code == 0, stderr);
        Assert.Equal(string.Empty, stderr);
        Assert.Contains("status: events", stdout, StringComparison.Ordinal);
        string summary = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1];
        Assert.StartsWith($"served net.json: {expected} events received, {expected} processed, 0 dropped, ", summary, StringComparison.Ordinal);
        long spikes = long.Parse(summary.Split(", ")[3].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(spikes > 0, summary);
    }

    [Fact]
    public void The_log_file_receives_the_libraries_log()
    {
        string file = Cli.Sample("tonic_sample_nmnist.bin");
        string log = Path.Combine(_dir, "logs", "serve.log");
        Directory.CreateDirectory(Path.GetDirectoryName(log)!);
        (int code, _, string stderr) = Cli.Run("serve", _net, "--source", "file:" + file, "--speed", "0", "--log-file", log);
        Assert.True(code == 0, stderr);
        string written = Assert.Single(Directory.GetFiles(Path.GetDirectoryName(log)!, "serve*.log"));
        Assert.Contains("Simulation engine:", File.ReadAllText(written), StringComparison.Ordinal);
    }

    [Fact]
    public void Verbose_logs_to_standard_error_on_any_command()
    {
        (int code, string stdout, string stderr) = Cli.Run("serve", _net, "--source", "file:" + Cli.Sample("tonic_sample_nmnist.bin"), "--speed", "0", "--verbose");
        Assert.Equal(0, code);
        Assert.Contains("Simulation engine:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Simulation engine:", stdout, StringComparison.Ordinal);

        // Accepted by every command, before or after the subcommand.
        (int infoCode, _, string infoErr) = Cli.Run("info", Cli.Sample("tonic_sample_nmnist.bin"), "--verbose");
        Assert.True(infoCode == 0, infoErr);
        (int queueCode, _, string queueErr) = Cli.Run("--verbose", "datasets", "list");
        Assert.True(queueCode == 0, queueErr);
    }

    [Fact]
    public void Commands_that_build_an_engine_pass_it_the_log()
    {
        (int runCode, string runOut, string runErr) = Cli.Run("run", _net, "--duration", "0.01", "--out", Path.Combine(_dir, "run-out"), "--verbose");
        Assert.True(runCode == 0, runErr);
        Assert.Contains("Simulation engine:", runErr, StringComparison.Ordinal);
        Assert.DoesNotContain("Simulation engine:", runOut, StringComparison.Ordinal);

        (int benchCode, _, string benchErr) = Cli.Run("bench", "cuba", "--neurons", "200", "--duration", "0.01", "--verbose");
        Assert.True(benchCode == 0, benchErr);
        Assert.Contains("Simulation engine:", benchErr, StringComparison.Ordinal);

        // Without --verbose the engine is silent.
        (int quietCode, _, string quietErr) = Cli.Run("bench", "cuba", "--neurons", "200", "--duration", "0.01");
        Assert.True(quietCode == 0, quietErr);
        Assert.DoesNotContain("Simulation engine:", quietErr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bogus://127.0.0.1:1", "unknown scheme")]
    [InlineData("tcp://127.0.0.1", "tcp://")]
    [InlineData("udp://127.0.0.1:notaport", "udp://")]
    public void A_bad_source_address_is_a_one_line_usage_error(string source, string expected)
    {
        (int code, string stdout, string stderr) = Cli.Run("serve", _net, "--source", source);
        Assert.Equal(2, code);
        string line = Cli.OneErrorLine(stderr);
        Assert.Contains("--source", line, StringComparison.Ordinal);
        Assert.Contains(expected, line, StringComparison.Ordinal);
        Assert.Equal(string.Empty, stdout);
    }

    [Fact]
    public void Other_bad_command_lines_are_one_line_errors()
    {
        string file = "file:" + Cli.Sample("tonic_sample_nmnist.bin");
        Assert.Contains("--speed", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", "udp://127.0.0.1:9", "--speed", "2").Err), StringComparison.Ordinal);
        Assert.Contains("--speed", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", file, "--speed", "-1").Err), StringComparison.Ordinal);
        Assert.Contains("--input", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", file, "--input", "out").Err), StringComparison.Ordinal);
        Assert.Contains("--output-population", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", file, "--output-population", "dvs").Err), StringComparison.Ordinal);
        Assert.Contains("does not exist", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", "file:" + Path.Combine(_dir, "none.aedat4")).Err), StringComparison.Ordinal);
        Assert.Contains("--log-file", Cli.OneErrorLine(Cli.Run("serve", _net, "--source", file, "--log-file", Path.Combine(_dir, "no", "x.log")).Err), StringComparison.Ordinal);
        Assert.Equal(2, Cli.Run("serve", _net, "--source", file, "--full-mode", "sometimes").Code);

        (int code, _, string err) = Cli.Run("serve", Path.Combine(_dir, "missing.json"), "--source", file);
        Assert.Equal(1, code);
        Assert.Contains("missing.json", Cli.OneErrorLine(err), StringComparison.Ordinal);
    }
}
