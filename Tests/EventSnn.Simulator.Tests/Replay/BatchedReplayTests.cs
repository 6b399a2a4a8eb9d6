using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;
using EventSnn.Simulator.Replay;

namespace EventSnn.Simulator.Tests.Replay;

/// <summary>
/// Batched replay (<see cref="ReplayOptions.Batch"/> above 1) runs B samples at once as the members of a
/// <see cref="SimulationBatch"/>; every sample's result must equal the one-by-one replay through the engine. The network
/// is a clock-driven 12 → 12 → 4 LIF network with mixed-sign random weights and delays (one strong path per pixel group), and the samples have different
/// lengths (a member's steps end at its own sample's end, not the longest one's), events outside the input shape, events
/// out of order within and across reader batches, an empty sample and a sample with no event inside the shape.
/// </summary>
public sealed class BatchedReplayTests
{
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(250);

    private static NetworkSpec Net(bool clock = true) => new NetworkBuilder()
        .AddExternalInput("in", new PopulationShape(1, 1, 12))
        .AddNeurons("hidden", 12, NeuronModel.Lif, p => { if (clock) { p.ClockDriven(Dt); } })
        .AddNeurons("out", 4, NeuronModel.Lif, p => { if (clock) { p.ClockDriven(Dt); } })
        .Connect("in", "hidden", Dense(12, 12, i => i, 9, 3), _ => { })
        .Connect("hidden", "out", Dense(12, 4, i => i / 3, 8, 4), _ => { })
        .Build();

    /// <summary>
    /// Every pair connected, with a strong weight from source i to target <paramref name="favoured"/>(i) and mixed-sign
    /// weights in [−3, 3) mV elsewhere; delays 0.3–2 ms in 1 µs steps.
    /// </summary>
    private static ConnectivitySpec Dense(int pre, int post, Func<int, int> favoured, float strong, int seed)
    {
        var rng = new Random(seed);
        var (from, to, w, d) = (new List<int>(), new List<int>(), new List<float>(), new List<SimDuration>());
        for (int i = 0; i < pre; i++)
        {
            for (int j = 0; j < post; j++)
            {
                from.Add(i);
                to.Add(j);
                w.Add(favoured(i) == j ? strong : (float)((rng.NextDouble() * 6) - 3));
                d.Add(SimDuration.FromMicroseconds(300 + rng.Next(1_700)));
            }
        }

        return ConnectivitySpec.Explicit([.. from], [.. to], [.. w], [.. d]);
    }

    private static SimulationEngine Engine(NetworkSpec net, int threads) => new(net, new EngineOptions { Threads = threads });

    /// <summary>Samples of 0 to 160 events over 1 to 30 ms, mostly on one of four pixel groups, on pixels 0–13 (12 and 13 lie outside the shape), locally shuffled.</summary>
    private static List<ReplayItem> Samples(int count, int seed)
    {
        var rng = new Random(seed);
        var items = new List<ReplayItem>();
        for (int s = 0; s < count; s++)
        {
            int n = s == 3 ? 0 : rng.Next(10, 160);
            int favourite = rng.Next(4) * 3; // most events on pixels favourite … favourite + 2
            int span = rng.Next(1_000, 30_000);
            DvsEvent[] ev = [.. Enumerable.Range(0, n)
                .Select(_ => (T: (long)rng.Next(span), X: s == 5 ? 12 + rng.Next(2) : rng.Next(10) < 7 ? favourite + rng.Next(3) : rng.Next(14)))
                .OrderBy(e => e.T)
                .Select(e => new DvsEvent(e.T + 40, (ushort)e.X, 0, 1))];
            for (int k = 0; k + 1 < ev.Length; k += 1 + rng.Next(6))
            {
                (ev[k], ev[k + 1]) = (ev[k + 1], ev[k]); // out of order: within a reader batch kept, across batches skipped
            }

            int label = rng.Next(4);
            ReplayItem item = new($"s{s}", label, () => new ListReader(ev, batch: 7));
            items.Add(item);
        }

        return items;
    }

    [Theory]
    [InlineData(4, 1, ReplayDecoding.SpikeCount, 0)]
    [InlineData(3, 2, ReplayDecoding.FirstSpike, 0)]
    [InlineData(5, 2, ReplayDecoding.SpikeCount, 12)]
    [InlineData(16, 1, ReplayDecoding.FirstSpike, 12)]
    public void Every_sample_gives_the_result_of_the_one_by_one_replay(int batch, int threads, ReplayDecoding decoding, int maxMs)
    {
        NetworkSpec net = Net();
        List<ReplayItem> items = Samples(11, 7 + batch);
        var options = new ReplayOptions
        {
            Decoding = decoding,
            MaxDuration = maxMs > 0 ? SimDuration.FromMilliseconds((long)maxMs) : null,
            Tail = SimDuration.FromMicroseconds(3_300), // not a whole number of steps
        };
        using var single = Engine(net, threads);
        using var one = new OfflineReplay(single, options);
        ReplaySummary expected = one.Run(items, items.Count);

        using var engine = Engine(net, threads);
        using var batched = new OfflineReplay(engine, options with { Batch = batch });
        var seen = new List<ReplayProgress>();
        ReplaySummary actual = batched.Run(items, items.Count, new SyncProgress(seen.Add));

        Assert.Equal(expected.Results, actual.Results);
        Assert.Equal(items.Count, seen.Count);
        Assert.Equal(Enumerable.Range(1, items.Count), seen.Select(p => p.Done));
        Assert.Equal(expected.Correct, seen[^1].Correct);

        // The comparison has teeth: outputs fire, predictions differ between samples, events are skipped, and the
        // samples end at different times (so counting a member's spikes past its own end would show).
        Assert.True(expected.Results.Sum(r => r.OutputSpikes) > 50, $"{expected.Results.Sum(r => r.OutputSpikes)} output spikes");
        string all = string.Join("; ", expected.Results.Select(r => $"{r.Prediction} {r.OutputSpikes} {r.Skipped} {r.Duration}"));
        Assert.True(expected.Results.Select(r => r.Prediction).Distinct().Count() >= 3, all);
        Assert.True(expected.Results.Sum(r => r.Skipped) > 0, all);
        Assert.True(expected.Results.Select(r => r.Duration).Distinct().Count() >= 8, all);
        Assert.Contains(expected.Results, r => r.Prediction == -1);
        Assert.Equal(SimTime.Zero, engine.Now);
    }

    [Fact]
    public void Counting_past_a_members_own_end_would_change_the_result()
    {
        // The same sample alone and batched with a much longer one: its result must not see the longer run's steps.
        NetworkSpec net = Net();
        DvsEvent[] shortEvents = [.. Enumerable.Range(0, 40).Select(k => new DvsEvent(k * 50, (ushort)(k % 3), 0, 1))];
        DvsEvent[] longEvents = [.. Enumerable.Range(0, 400).Select(k => new DvsEvent(k * 100, (ushort)(k % 12), 0, 1))];
        ReplayItem shortItem = new("short", 0, () => new ListReader(shortEvents, 64));
        ReplayItem longItem = new("long", 1, () => new ListReader(longEvents, 64));
        var options = new ReplayOptions { Tail = SimDuration.FromMicroseconds(400) };
        using var e1 = Engine(net, 1);
        using var one = new OfflineReplay(e1, options);
        ReplaySampleResult alone = one.RunSample(shortItem);
        using var e2 = Engine(net, 1);
        using var two = new OfflineReplay(e2, options with { Batch = 2 });
        ReplaySummary both = two.Run([shortItem, longItem]);
        Assert.Equal(alone, both.Results[0]);

        // Run longer, the short sample's network keeps firing: its count over the long run is larger.
        using var e3 = Engine(net, 1);
        using var longer = new OfflineReplay(e3, options with { Tail = both.Results[1].Duration - both.Results[0].Duration + options.Tail });
        Assert.True(longer.RunSample(shortItem).OutputSpikes > alone.OutputSpikes);
    }

    [Theory]
    [InlineData(2, 3)]
    [InlineData(3, 8)]
    [InlineData(1, 4)]
    public void An_event_driven_network_runs_a_batch_on_engine_copies_with_the_one_by_one_results(int threads, int batch)
    {
        NetworkSpec net = Net(clock: false);
        List<ReplayItem> items = Samples(11, 30 + batch);
        var options = new ReplayOptions { Decoding = ReplayDecoding.FirstSpike, Tail = SimDuration.FromMicroseconds(3_300) };
        using var single = TestEngines.Event(net);
        using var one = new OfflineReplay(single, options);
        ReplaySummary expected = one.Run(items, items.Count);

        // The engine has run before (its time and state moved): the copies start from its state, which a sample's
        // result does not depend on.
        using var engine = new SimulationEngine(net, new EngineOptions { Execution = ExecutionChoice.Event, Threads = threads });
        using var warm = new OfflineReplay(engine);
        warm.RunSample(items[0]);
        SimTime before = engine.Now;
        using var batched = new OfflineReplay(engine, options with { Batch = batch });
        var seen = new List<ReplayProgress>();
        ReplaySummary actual = batched.Run(items, items.Count, new SyncProgress(seen.Add));
        Assert.Equal(expected.Results, actual.Results);
        Assert.Equal(Enumerable.Range(1, items.Count), seen.Select(p => p.Done));
        Assert.True(expected.Results.Sum(r => r.OutputSpikes) > 50);
        Assert.True(expected.Results.Select(r => r.Prediction).Distinct().Count() >= 3);
        Assert.Equal(before, engine.Now);
    }

    [Fact]
    public void A_failing_sample_stops_a_batch_with_its_own_error_after_the_samples_before_it()
    {
        List<ReplayItem> items = Samples(7, 3);
        items[4] = new ReplayItem("broken", null, () => throw new InvalidDataException("broken sample"));
        using var engine = new SimulationEngine(Net(clock: false), new EngineOptions { Execution = ExecutionChoice.Event, Threads = 2 });
        using var batched = new OfflineReplay(engine, new ReplayOptions { Batch = 7 });
        var seen = new List<ReplayProgress>();
        Assert.Equal("broken sample", Assert.Throws<InvalidDataException>(() => batched.Run(items, items.Count, new SyncProgress(seen.Add))).Message);
        Assert.Equal([1, 2, 3, 4], seen.Select(p => p.Done));
    }

    [Fact]
    public void A_network_that_cannot_run_batched_is_refused_with_the_reason()
    {
        NetworkSpec plastic = new NetworkBuilder()
            .AddExternalInput("in", new PopulationShape(1, 1, 4))
            .AddNeurons("out", 4, NeuronModel.Lif)
            .Connect("in", "out", ConnectivitySpec.AllToAll(), c => c.Named("learning").Weight(5).Stdp(new StdpSpec(0.01, 0.012, 20, 20, 0, 10)))
            .Build();
        using var eventDriven = new SimulationEngine(plastic, new EngineOptions { Threads = 2 });
        string message = Assert.Throws<ArgumentException>(() => new OfflineReplay(eventDriven, new ReplayOptions { Batch = 4 })).Message;
        Assert.Contains("Batched replay (a batch of 4 samples)", message, StringComparison.Ordinal);
        Assert.Contains("projection 'learning' is plastic", message, StringComparison.Ordinal);

        NetworkSpec noisy = new NetworkBuilder()
            .AddExternalInput("in", new PopulationShape(1, 1, 4))
            .AddPoisson("noise", 4, rateHz: 5, seed: 7)
            .AddNeurons("out", 4, NeuronModel.Lif, p => p.ClockDriven(Dt))
            .Connect("in", "out", ConnectivitySpec.OneToOne(), c => c.Weight(5))
            .Connect("noise", "out", ConnectivitySpec.OneToOne(), c => c.Weight(5))
            .Build();
        using var clock = new SimulationEngine(noisy);
        message = Assert.Throws<ArgumentException>(() => new OfflineReplay(clock, new ReplayOptions { Batch = 4 })).Message;
        Assert.Contains("runs the network as a clock-driven batch, which it cannot be", message, StringComparison.Ordinal);
        Assert.Contains("'noise'", message, StringComparison.Ordinal);
        using var engine = new SimulationEngine(noisy, new EngineOptions { Execution = ExecutionChoice.Event });
        Assert.Contains("'noise' is a Poisson source", Assert.Throws<ArgumentException>(() => new OfflineReplay(engine, new ReplayOptions { Batch = 2 })).Message, StringComparison.Ordinal);
        Assert.Contains("1 or more", Assert.Throws<ArgumentException>(() => new OfflineReplay(engine, new ReplayOptions { Batch = 0 })).Message, StringComparison.Ordinal);
    }

    /// <summary>Reports on the calling thread (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<ReplayProgress> report) : IProgress<ReplayProgress>
    {
        public void Report(ReplayProgress value) => report(value);
    }
}
