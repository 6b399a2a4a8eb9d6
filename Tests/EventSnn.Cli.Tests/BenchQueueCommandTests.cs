using System.Text.Json;
using EventSnn.Cli;

namespace EventSnn.Cli.Tests;

/// <summary>Runs <c>eventsnn bench queue</c> in-process (standard error is redirected, so the class runs alone).</summary>
[Collection(BenchQueueCliTestGroup.Name)]
public sealed class BenchQueueCommandTests
{
    [Theory]
    [InlineData("wall")]
    [InlineData("cpu")]
    public void Json_output_parses_and_is_consistent(string clock)
    {
        var (code, stdout, stderr) = Run("bench", "queue", "--pending", "500", "--ops", "200000", "--seed", "7", "--clock", clock, "--json");
        Assert.True(code == 0, stderr);
        using var doc = JsonDocument.Parse(stdout);
        var root = doc.RootElement;
        Assert.Equal(500, root.GetProperty("pending").GetInt32());
        Assert.Equal(200000, root.GetProperty("ops").GetInt64());
        double x = root.GetProperty("eventsnn_mops").GetDouble();
        double y = root.GetProperty("priorityqueue_mops").GetDouble();
        double ratio = root.GetProperty("ratio").GetDouble();
        Assert.True(x > 0 && double.IsFinite(x));
        Assert.True(y > 0 && double.IsFinite(y));

        // Fields are rounded to 3 decimals independently; the ratio must agree with x / y within that rounding.
        double lo = (x - 0.0005) / (y + 0.0005);
        double hi = (x + 0.0005) / Math.Max(y - 0.0005, 1e-9);
        Assert.InRange(ratio, lo - 0.0005, hi + 0.0005);
        Assert.Equal(5, root.EnumerateObject().Count());
    }

    [Fact]
    public void Table_output_names_both_queues()
    {
        var (code, stdout, _) = Run("bench", "queue", "--pending", "10", "--ops", "1000");
        Assert.Equal(0, code);
        Assert.Contains("RadixHeapQueue", stdout, StringComparison.Ordinal);
        Assert.Contains("PriorityQueue", stdout, StringComparison.Ordinal);
        Assert.Contains("ratio", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--pending", "0")]
    [InlineData("--pending", "-5")]
    [InlineData("--ops", "0")]
    public void Bad_options_exit_non_zero_with_one_line(string option, string value)
    {
        var (code, stdout, stderr) = Run("bench", "queue", option, value, "--json");
        Assert.Equal(2, code);
        Assert.Equal("", stdout.Trim());
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("eventsnn: error: ", line, StringComparison.Ordinal);
        Assert.Contains(option, line, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--pending", "many")]
    [InlineData("--clock", "sundial")]
    public void Unparsable_option_is_a_usage_error(string option, string value)
    {
        var (code, _, stderr) = Run("bench", "queue", option, value);
        Assert.Equal(2, code);
        Assert.Contains(option, Cli.OneErrorLine(stderr), StringComparison.Ordinal);
    }

    private static (int Code, string Stdout, string Stderr) Run(params string[] args) => Cli.Run(args);
}

/// <summary>Keeps the tests that redirect the process-wide standard error out of parallel runs.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class BenchQueueCliTestGroup
{
    /// <summary>The collection name.</summary>
    public const string Name = "bench queue CLI";
}
