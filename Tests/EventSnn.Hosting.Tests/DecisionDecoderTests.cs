using EventSnn.EventQueue;

namespace EventSnn.Hosting.Tests;

public sealed class DecisionDecoderTests
{
    [Fact]
    public void Most_active_neuron_wins_ties_go_to_the_lowest_index_and_empty_windows_decide_nothing()
    {
        var decoder = new DecisionDecoder(4, SimDuration.FromTicks(100));
        Assert.False(decoder.Add(SimTime.FromTicks(10), 3, out _));
        Assert.False(decoder.Add(SimTime.FromTicks(20), 1, out _));
        Assert.False(decoder.Add(SimTime.FromTicks(99), 3, out _));
        Assert.False(decoder.Add(SimTime.FromTicks(99), 1, out _)); // 1 and 3 tie at 2: lowest index wins

        // A spike in window 3 closes window 0; windows 1 and 2 had no spike and decide nothing.
        Assert.True(decoder.Add(SimTime.FromTicks(300), 2, out Decision d));
        Assert.Equal(new Decision(SimTime.FromTicks(0), SimTime.FromTicks(100), 1, 2, 4), d);

        // The window [300, 400) closes only once the network has passed tick 399.
        Assert.False(decoder.Flush(SimTime.FromTicks(398), out _));
        Assert.True(decoder.Flush(SimTime.FromTicks(399), out d));
        Assert.Equal(new Decision(SimTime.FromTicks(300), SimTime.FromTicks(400), 2, 1, 1), d);
        Assert.False(decoder.Flush(SimTime.FromTicks(10_000), out _));
    }
}
