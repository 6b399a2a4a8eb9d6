using System.Diagnostics;
using System.Globalization;
using EventSnn.Cli.Commands;
using EventSnn.EventQueue;
using EventSnn.Hosting;
using Spectre.Console.Testing;

namespace EventSnn.Cli.Tests;

/// <summary><c>eventsnn serve</c>'s live status table (interactive terminals), rendered into a test console.</summary>
public sealed class ServeStatusViewTests
{
    private static StatusSnapshot Snapshot(long timestamp, long received, long dropped, long spikes, long lagUs, long networkTicks, SourceState state)
        => new(timestamp, received, dropped, received - dropped, 0, 0, 0, spikes, 0, 0, lagUs, networkTicks, [new SourceStatus("tcp-listen://127.0.0.1:7777", state, 1, received, 0, null, null)]);

    [Fact]
    public async Task The_live_table_shows_each_snapshot_with_rates_between_snapshots()
    {
        var console = new TestConsole().Width(200).Interactive();
        long t0 = Stopwatch.GetTimestamp();
        long t1 = t0 + (2 * Stopwatch.Frequency); // two seconds later
        StatusSnapshot first = Snapshot(t0, 1_000, 0, 40, 0, SimDuration.FromMilliseconds(250L).Ticks, SourceState.Connecting);
        StatusSnapshot second = Snapshot(t1, 123_457, 17, 4_040, 12_500, SimDuration.FromMilliseconds(1_750L).Ticks, SourceState.Connected);
        var shown = new List<string>();
        var view = new ServeCommand.LiveView(console);

        StatusSnapshot final = await view.RunAsync(onStatus =>
        {
            onStatus(first);
            shown.Add(console.Output);
            onStatus(second);
            shown.Add(console.Output);
            return Task.FromResult(second);
        });

        Assert.Same(second, final);
        string text = console.Output;
        foreach (string column in new[] { "events/s", "events", "dropped", "lag", "spikes/s", "network time", "sources" })
        {
            Assert.Contains(column, text, StringComparison.Ordinal);
        }

        Assert.Contains("Ctrl+C drains and stops", text, StringComparison.Ordinal);

        // The first snapshot has no earlier one: rates 0; its counters and state as they were.
        Assert.Contains("1,000", shown[0], StringComparison.Ordinal);
        Assert.Contains("0.250 s", shown[0], StringComparison.Ordinal);
        Assert.Contains("tcp-listen://127.0.0.1:7777 connecting", shown[0], StringComparison.Ordinal);

        // The second: rates over the two seconds between them, the lag in ms, the network time in s.
        string after = shown[1][shown[0].Length..];
        string eventsPerSecond = ((123_457 - 1_000) / 2.0).ToString("0", CultureInfo.InvariantCulture);
        string spikesPerSecond = ((4_040 - 40) / 2.0).ToString("0", CultureInfo.InvariantCulture);
        Assert.Contains(eventsPerSecond, after, StringComparison.Ordinal);
        Assert.Contains(spikesPerSecond, after, StringComparison.Ordinal);
        Assert.Contains(123_457.ToString("N0", CultureInfo.InvariantCulture), after, StringComparison.Ordinal);
        Assert.Contains(" 17 ", after, StringComparison.Ordinal);
        Assert.Contains("12.5 ms", after, StringComparison.Ordinal);
        Assert.Contains("1.750 s", after, StringComparison.Ordinal);
        Assert.Contains("tcp-listen://127.0.0.1:7777 connected", after, StringComparison.Ordinal);
        Assert.DoesNotContain("connecting", after, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Markup_in_a_source_name_is_shown_as_text()
    {
        var console = new TestConsole().Width(200).Interactive();
        var snapshot = new StatusSnapshot(Stopwatch.GetTimestamp(), 5, 0, 5, 0, 0, 0, 0, 0, 0, 0, 0, [new SourceStatus("file:[red]x[/].raw", SourceState.Completed, 1, 5, 0, null, null)]);
        await new ServeCommand.LiveView(console).RunAsync(onStatus =>
        {
            onStatus(snapshot);
            return Task.FromResult(snapshot);
        });

        Assert.Contains("file:[red]x[/].raw completed", console.Output, StringComparison.Ordinal);
    }
}
