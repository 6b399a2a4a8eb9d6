using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EventSnn.Datasets.Streams;
using EventSnn.Events;

namespace EventSnn.Cli.Tests;

/// <summary><c>eventsnn stream</c> and <c>eventsnn bench ingest</c>, in-process on loopback.</summary>
[Collection(EventFileCliGroup.Name)]
public sealed class StreamCommandTests
{
    private static string Sample(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Program.Run(args);
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public async Task Stream_sends_every_event_of_a_file_to_a_listening_source()
    {
        string file = Sample("tonic_sample.aedat4");
        using var expected = EventSnn.Datasets.Formats.EventFile.Open(file);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using IEventSource source = EventSources.Create("tcp-listen://127.0.0.1:0");
        Task<long> receive = Task.Run(() =>
        {
            using IEventReader session = source.Open(cts.Token);
            using var batch = new EventBatch();
            long n = 0;
            while (true)
            {
                batch.Clear();
                int got = session.ReadBatch(batch);
                if (got == 0)
                {
                    return n;
                }

                n += got;
            }
        });
        while (source.LocalEndPoint is null)
        {
            await Task.Delay(5);
        }

        int port = ((IPEndPoint)source.LocalEndPoint).Port;
        var (code, stdout, stderr) = Run("stream", file, "--to", $"tcp://127.0.0.1:{port}", "--speed", "0");
        Assert.True(code == 0, stderr);
        long received = await receive.WaitAsync(cts.Token);
        Assert.Equal(111_954, received); // the sample's event count (../shared/data/SOURCES.md)
        Assert.Contains("sent 111954 events", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://x:1", "1")]
    [InlineData("tcp://127.0.0.1:1?colour=red", "1")]
    [InlineData("tcp://127.0.0.1:1", "-2")]
    public void Stream_usage_errors_exit_2_with_one_line(string destination, string speed)
    {
        var (code, _, stderr) = Run("stream", Sample("tonic_sample.aedat4"), "--to", destination, "--speed", speed);
        Assert.Equal(2, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("eventsnn: error:", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Stream_missing_to_is_a_usage_error()
    {
        var (code, _, _) = Run("stream", Sample("tonic_sample.aedat4"));
        Assert.Equal(2, code);
    }

    [Fact]
    public void Stream_failures_exit_1_with_one_line()
    {
        int port;
        using (var l = new TcpListener(IPAddress.Loopback, 0))
        {
            l.Start();
            port = ((IPEndPoint)l.LocalEndpoint).Port;
        }

        var (code, _, stderr) = Run("stream", Sample("tonic_sample.aedat4"), "--to", $"tcp://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("ConnectionRefused", stderr, StringComparison.Ordinal);

        (code, _, stderr) = Run("stream", "/no/such/file.aedat4", "--to", $"tcp://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("no such file", stderr, StringComparison.Ordinal);

        // A folder is named as one, not reported as an access problem.
        (code, _, stderr) = Run("stream", Path.GetTempPath(), "--to", $"tcp://127.0.0.1:{port}");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("is a folder, not a file", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_ingest_reports_balanced_counts_and_no_loss_in_wait_mode()
    {
        var (code, stdout, stderr) = Run("bench", "ingest", "--events", "50000", "--e2e-events", "20000", "--neurons", "500", "--overload-seconds", "0.2", "--batch-events", "256", "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        JsonElement root = doc.RootElement;
        Assert.Equal(["aedat4-lz4", "evt3"], root.GetProperty("ingest").EnumerateArray().Select(e => e.GetProperty("format").GetString()));
        Assert.All(root.GetProperty("ingest").EnumerateArray(), e => Assert.Equal(50_000, e.GetProperty("events").GetInt64()));
        JsonElement e2e = root.GetProperty("e2e");
        Assert.Equal(20_000, e2e.GetProperty("processed").GetInt64());
        Assert.Equal(0, e2e.GetProperty("dropped").GetInt64());
        Assert.InRange(e2e.GetProperty("fan_out").GetDouble(), 10, 14);
        Assert.Equal("clock dt 1000 us", e2e.GetProperty("execution").GetString());
        JsonElement[] overload = [.. root.GetProperty("overload").EnumerateArray()];
        Assert.Equal(["Wait", "DropOldest", "DropNewest"], overload.Select(o => o.GetProperty("mode").GetString()));
        foreach (JsonElement o in overload)
        {
            long received = o.GetProperty("received").GetInt64();
            Assert.Equal(received, o.GetProperty("processed").GetInt64() + o.GetProperty("dropped").GetInt64());
            Assert.True(o.GetProperty("batches_created").GetInt32() <= o.GetProperty("max_batches").GetInt32());
        }

        Assert.Equal(0, overload[0].GetProperty("dropped").GetInt64());
        Assert.True(overload[1].GetProperty("dropped").GetInt64() > 0);
        Assert.True(root.GetProperty("ok").GetBoolean());
    }

    [Theory]
    [InlineData("--part", "bogus")]
    [InlineData("--batch-events", "1")]
    [InlineData("--events", "10")]
    [InlineData("--neurons", "5")]
    [InlineData("--overload-seconds", "0")]
    [InlineData("--execution", "bogus")]
    [InlineData("--dt-us", "0")]
    public void Bench_ingest_usage_errors_exit_2_with_one_line_naming_the_flag(string option, string value)
    {
        var (code, stdout, stderr) = Run("bench", "ingest", option, value, "--json");
        Assert.Equal(2, code);
        Assert.Equal(string.Empty, stdout.Trim());
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.StartsWith("eventsnn: error:", stderr, StringComparison.Ordinal);
        Assert.Contains(option, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Parameter", stderr, StringComparison.Ordinal);
    }
}
