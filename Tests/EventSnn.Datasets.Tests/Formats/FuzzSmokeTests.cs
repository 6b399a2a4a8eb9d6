using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Tests.Formats.Prophesee;
using EventSnn.Events;
using EventSnn.Fuzz;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>
/// The fuzz driver (Tests/EventSnn.Fuzz) at smoke size: every reader, a few hundred mutated inputs each, nothing but
/// decoded inputs and located format errors. The 1 M-per-reader campaign runs outside CI (docs/BENCHMARKS.md).
/// </summary>
public class FuzzSmokeTests
{
    private static string DataDirectory => Path.GetDirectoryName(SampleData.PathOf("tonic_sample_nmnist.bin"))!;

    [Fact]
    public void Every_reader_survives_a_smoke_campaign()
    {
        const int Iterations = 150;
        List<ReaderResult> results = FuzzCampaign.Run(new FuzzOptions { Iterations = Iterations, Seed = 7, DataDirectory = DataDirectory });

        Assert.Equal(FuzzTargets.Names, results.Select(r => r.Reader));
        foreach (ReaderResult r in results)
        {
            Assert.True(r.Crashes == 0 && r.Hangs == 0 && r.AllocationViolations == 0, $"{r.Reader}: {string.Join(" | ", r.Findings)}");
            Assert.Equal(Iterations, r.Executions);
            Assert.Equal(r.Executions, r.Decoded + r.FormatErrors);
            Assert.True(r.Decoded > 0, $"{r.Reader}: no input decoded (seeds broken?)");
        }
    }

    [Fact]
    public void The_checker_tells_crashes_and_hangs_from_format_errors()
    {
        using var batch = new EventBatch(16);
        var options = new EventReaderOptions { BufferSize = 4096 };
        byte[] input = new byte[100];

        var crashing = new FuzzTarget("t", (_, _) => throw new InvalidCastException("boom"), [input], FuzzTargets.ProjectBound);
        Assert.Contains("InvalidCastException", FuzzCampaign.Execute(crashing, input, options, batch, TimeSpan.FromSeconds(5), out _, out bool hang), StringComparison.Ordinal);
        Assert.False(hang);

        var located = new FuzzTarget("t", (_, _) => throw new EventFormatException("fuzz", 42, "bad"), [input], FuzzTargets.ProjectBound);
        Assert.Null(FuzzCampaign.Execute(located, input, options, batch, TimeSpan.FromSeconds(5), out bool decoded, out _));
        Assert.False(decoded);

        var misplaced = new FuzzTarget("t", (_, _) => throw new EventFormatException("fuzz", 101, "bad"), [input], FuzzTargets.ProjectBound);
        Assert.NotNull(FuzzCampaign.Execute(misplaced, input, options, batch, TimeSpan.FromSeconds(5), out _, out _));

        var endless = new FuzzTarget("t", (_, _) => new EndlessReader(), [input], FuzzTargets.ProjectBound);
        Assert.NotNull(FuzzCampaign.Execute(endless, input, options, batch, TimeSpan.FromSeconds(5), out _, out hang));
        Assert.True(hang);
    }

    private sealed class EndlessReader : IEventReader
    {
        public EventStreamInfo Info { get; } = new(EventFormat.Unknown, null, null, null, "fuzz");

        public ReaderDiagnostics Diagnostics { get; } = new();

        public int ReadBatch(EventBatch batch)
        {
            batch.Add(new DvsEvent(0, 0, 0, 0));
            return 1;
        }

        public void Dispose()
        {
        }
    }
}
