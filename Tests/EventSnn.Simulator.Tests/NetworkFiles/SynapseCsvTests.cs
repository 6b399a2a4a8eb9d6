using EventSnn.EventQueue;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary><see cref="ConnectivitySpec.FromCsv"/>: columns that name their units, and the headerless legacy layout.</summary>
public sealed class SynapseCsvTests
{
    [Theory]
    [InlineData("delay_ms", "0.25", 250_000L)]
    [InlineData("delay_us", "3", 3_000L)]
    [InlineData("delay_ns", "17", 17L)]
    [InlineData("delay_ticks", "17", 17L)]
    [InlineData("delay_s", "0.000001", 1_000L)]
    public void TheDelayColumnNamesItsUnitAndConvertsExactly(string column, string value, long ticks)
    {
        using var dir = new TempFolder();
        ExplicitConnectivity ex = ConnectivitySpec.FromCsv(dir.Write("s.csv", $"weight,{column},post,pre\n-0.5,{value},4,7\n"));
        Assert.Equal([7], [.. ex.Pre]);
        Assert.Equal([4], [.. ex.Post]);
        Assert.Equal([-0.5f], [.. ex.Weights]);
        Assert.Equal([SimDuration.FromTicks(ticks)], [.. ex.Delays]);
    }

    [Fact]
    public void WithoutAHeaderTheColumnsArePrePostWeightDelayTicks()
    {
        using var dir = new TempFolder();
        ExplicitConnectivity ex = ConnectivitySpec.FromCsv(dir.Write("s.csv", "# legacy\n0,1,2.5,40\n3,2,1,7\n"));
        Assert.Equal([0, 3], [.. ex.Pre]);
        Assert.Equal([1, 2], [.. ex.Post]);
        Assert.Equal([2.5f, 1f], [.. ex.Weights]);
        Assert.Equal([SimDuration.FromTicks(40), SimDuration.FromTicks(7)], [.. ex.Delays]);

        ExplicitConnectivity bare = ConnectivitySpec.FromCsv(dir.Write("t.csv", "pre,post\n0,1\n"));
        Assert.Empty(bare.Weights);
        Assert.Empty(bare.Delays);
    }

    [Theory]
    [InlineData("pre,post,delay\n0,1,1\n", "t.csv:1: column 'delay' must name its unit")]
    [InlineData("pre,post,delay_ms\n0,1,0.0000001\n", "t.csv:2: field 'delay_ms' is not a whole number of ticks")]
    [InlineData("pre,post\n0,1\n0\n", "t.csv:3: expected 2 fields like the previous lines, got 1")]
    [InlineData("0,1\n0,1,2\n", "t.csv:2: expected 2 fields like the previous lines, got 3")]
    [InlineData("pre,post,weight\n0,1,nan\n", "t.csv:2: field 'weight' is not a finite number")]
    public void MalformedFilesNameFileAndLine(string csv, string expected)
    {
        using var dir = new TempFolder();
        var ex = Assert.Throws<FormatException>(() => ConnectivitySpec.FromCsv(dir.Write("t.csv", csv)));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
