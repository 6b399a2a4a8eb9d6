using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Replay;

namespace EventSnn.Simulator.Tests.Replay;

/// <summary>
/// Offline replay: samples are streamed event by event into an external population, state is reset between samples,
/// and outputs are decoded. The network here is a one-to-one map from a 1×1×N input onto N integrate-and-fire neurons
/// (rest −65 mV, threshold −50 mV) with weight w, so neuron i fires once for every ⌈15/w⌉ events on pixel i within a
/// sample: the expected counts follow from the generated events alone.
/// </summary>
public sealed class OfflineReplayTests
{
    private const double Weight = 6; // three events reach −47 mV ≥ −50 mV; two stay at −53 mV

    private static NetworkSpec Net(int n, bool clock = false) => new NetworkBuilder()
        .AddExternalInput("in", new PopulationShape(1, 1, n))
        .AddNeurons("out", n, NeuronModel.IntegrateAndFire, p =>
        {
            if (clock)
            {
                p.ClockDriven(SimDuration.FromMicroseconds(100));
            }
        })
        .Connect("in", "out", ConnectivitySpec.OneToOne(), p => p.Weight(Weight).Delay(SimDuration.FromMicroseconds(500)))
        .Build();

    /// <summary>Events on pixel x at the given µs times (sorted by the reader).</summary>
    private static ReplayItem Sample(string name, int? label, params (long T, int X)[] events) =>
        new(name, label, () => new ListReader([.. events.OrderBy(e => e.T).Select(e => new DvsEvent(e.T, (ushort)e.X, 0, 1))], batch: 3));

    /// <summary>Counts of output spikes expected from the events: ⌊events on pixel i / 3⌋ (no leak, reset to rest).</summary>
    private static int[] ExpectedCounts(int n, (long T, int X)[] events)
    {
        int[] counts = new int[n];
        foreach (var g in events.GroupBy(e => e.X))
        {
            counts[g.Key] = g.Count() / 3;
        }

        return counts;
    }

    [Fact]
    public void Predictions_and_accuracy_follow_the_events_of_each_sample()
    {
        var rng = new Random(11);
        const int n = 4;
        var samples = new List<(ReplayItem Item, (long, int)[] Events)>();
        for (int s = 0; s < 12; s++)
        {
            int winner = rng.Next(n);
            var ev = new List<(long, int)>();
            long t = 100 + rng.Next(50);
            for (int k = 0; k < 9; k++)
            {
                ev.Add((t += 200 + rng.Next(300), winner));
            }

            for (int k = 0; k < 4; k++)
            {
                ev.Add((t += 200 + rng.Next(300), (winner + 1 + rng.Next(n - 1)) % n));
            }

            int label = s % 3 == 0 ? (winner + 1) % n : winner; // every third label is wrong on purpose
            samples.Add((Sample($"s{s}", label, [.. ev]), [.. ev]));
        }

        using var engine = TestEngines.Event(Net(n));
        using var replay = new OfflineReplay(engine);
        ReplaySummary summary = replay.Run(samples.Select(s => s.Item), samples.Count);

        int correct = 0;
        for (int s = 0; s < samples.Count; s++)
        {
            int[] counts = ExpectedCounts(n, samples[s].Events);
            int expected = counts.Max() == 0 ? -1 : Array.IndexOf(counts, counts.Max());
            ReplaySampleResult r = summary.Results[s];
            Assert.Equal(expected, r.Prediction);
            Assert.Equal(counts.Sum(), r.OutputSpikes);
            Assert.Equal(samples[s].Events.Length, r.Events);
            Assert.Equal(samples[s].Events.Length, r.Injected);
            correct += expected == r.Label ? 1 : 0;
        }

        Assert.Equal(samples.Count, summary.Labelled);
        Assert.Equal(correct, summary.Correct);
        Assert.Equal((double)correct / samples.Count, summary.Accuracy);
        Assert.Equal(samples.Sum(s => s.Events.Length), summary.Events);
        Assert.True(summary.EventsPerSecond > 0 && summary.SamplesPerSecond > 0);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void State_is_reset_between_samples(bool clock)
    {
        // Two events on pixel 0 leave the neuron at −53 mV: without the reset, the next identical sample would fire.
        ReplayItem twoEvents = Sample("two", 0, (1000, 0), (2000, 0));
        using var engine = clock ? TestEngines.Clock(Net(2, clock: true)) : TestEngines.Event(Net(2));
        using var replay = new OfflineReplay(engine);
        ReplaySummary s = replay.Run([twoEvents, twoEvents, twoEvents]);
        Assert.All(s.Results, r => Assert.Equal(0, r.OutputSpikes));
        Assert.All(s.Results, r => Assert.Equal(-1, r.Prediction));
    }

    [Fact]
    public void A_sample_gives_the_same_output_whatever_came_before_it_event_and_clock_driven()
    {
        var rng = new Random(5);
        ReplayItem Random1(int seed)
        {
            var r = new Random(seed);
            return Sample($"r{seed}", null, [.. Enumerable.Range(0, 40).Select(_ => ((long)r.Next(20_000), r.Next(3)))]);
        }

        ReplayItem probe = Random1(99);
        foreach (bool clock in new[] { false, true })
        {
            using var alone = clock ? TestEngines.Clock(Net(3, true)) : TestEngines.Event(Net(3));
            using var r1 = new OfflineReplay(alone);
            ReplaySampleResult first = r1.RunSample(probe);
            int[] counts = r1.OutputCounts.ToArray();
            long[] firsts = r1.OutputFirstSpikes.ToArray();

            using var after = clock ? TestEngines.Clock(Net(3, true)) : TestEngines.Event(Net(3));
            using var r2 = new OfflineReplay(after);
            r2.Run([Random1(rng.Next()), Random1(rng.Next())]);
            ReplaySampleResult again = r2.RunSample(probe);
            Assert.Equal(first.Prediction, again.Prediction);
            Assert.Equal(counts, r2.OutputCounts.ToArray());
            Assert.Equal(firsts, r2.OutputFirstSpikes.ToArray());
        }
    }

    [Fact]
    public void First_spike_decoding_picks_the_earliest_output_and_count_decoding_the_busiest()
    {
        // Pixel 2 gets three early events (fires at the third + 0.5 ms); pixel 0 six later ones (fires twice).
        (long, int)[] ev = [(100, 2), (200, 2), (300, 2), (5000, 0), (5100, 0), (5200, 0), (5300, 0), (5400, 0), (5500, 0)];
        ReplayItem item = Sample("mixed", 2, ev);
        using var e1 = TestEngines.Event(Net(3));
        using var byCount = new OfflineReplay(e1);
        Assert.Equal(0, byCount.RunSample(item).Prediction);
        using var e2 = TestEngines.Event(Net(3));
        using var byTime = new OfflineReplay(e2, new ReplayOptions { Decoding = ReplayDecoding.FirstSpike });
        ReplaySampleResult r = byTime.RunSample(item);
        Assert.Equal(2, r.Prediction);
        Assert.True(r.Correct);
        // The first spike of neuron 2 is at the third event (200 µs after the first, which lands at the start) + delay.
        Assert.Equal(SimDuration.FromMicroseconds(200 + 500).Ticks, byTime.OutputFirstSpikes[2]);
    }

    [Fact]
    public void Ties_go_to_the_lowest_index()
    {
        ReplayItem item = Sample("tie", 1, (100, 1), (200, 1), (300, 1), (100, 0), (200, 0), (300, 0));
        using var e = TestEngines.Event(Net(2));
        using var count = new OfflineReplay(e);
        Assert.Equal(0, count.RunSample(item).Prediction);
        using var e2 = TestEngines.Event(Net(2));
        using var time = new OfflineReplay(e2, new ReplayOptions { Decoding = ReplayDecoding.FirstSpike });
        Assert.Equal(0, time.RunSample(item).Prediction);
    }

    [Fact]
    public void Events_outside_the_shape_or_after_the_maximum_duration_are_skipped_and_counted()
    {
        // x = 5 lies outside 1×1×2; the event at 9 ms lies past a 5 ms cut.
        ReplayItem item = Sample("cut", null, (0, 0), (100, 5), (200, 1), (9000, 0));
        using var e = TestEngines.Event(Net(2));
        using var replay = new OfflineReplay(e, new ReplayOptions { MaxDuration = SimDuration.FromMilliseconds(5L), Tail = SimDuration.FromMilliseconds(1L) });
        ReplaySampleResult r = replay.RunSample(item);
        Assert.Equal(4, r.Events);
        Assert.Equal(2, r.Injected);
        Assert.Equal(2, r.Skipped);
        Assert.Equal(SimDuration.FromMicroseconds(200) + SimDuration.FromMilliseconds(1L), r.Duration);
    }

    [Fact]
    public void Population_code_sums_groups_of_outputs()
    {
        // 4 outputs, 2 classes: class 0 = neurons 0–1, class 1 = neurons 2–3. Neuron 0 fires twice, neurons 2 and 3 once
        // each: by neuron 0 wins, by group it is a tie (2 vs 2) won by class 0; add one more on neuron 3 and class 1 wins.
        (long, int)[] Fires(params int[] pixels) => [.. pixels.SelectMany((x, k) => Enumerable.Range(0, 3).Select(j => ((long)((k * 10) + j) * 100, x)))];
        using var e = TestEngines.Event(Net(4));
        using var replay = new OfflineReplay(e, new ReplayOptions { PopulationCodeClasses = 2 });
        Assert.Equal(2, replay.Classes);
        Assert.Equal(0, replay.RunSample(Sample("a", 0, Fires(0, 0, 2, 3))).Prediction);
        Assert.Equal(1, replay.RunSample(Sample("b", 1, Fires(0, 0, 2, 3, 3))).Prediction);
    }

    [Fact]
    public void A_network_without_a_suitable_population_is_refused_with_a_message()
    {
        NetworkSpec noInput = new NetworkBuilder().AddNeurons("out", 2, NeuronModel.Lif).Build();
        using var e1 = TestEngines.Event(noInput);
        Assert.Contains("no external input population", Assert.Throws<ArgumentException>(() => new OfflineReplay(e1)).Message, StringComparison.Ordinal);
        using var e2 = TestEngines.Event(Net(2));
        Assert.Contains("no population 'nope'", Assert.Throws<ArgumentException>(() => new OfflineReplay(e2, new ReplayOptions { Output = "nope" })).Message, StringComparison.Ordinal);
        Assert.Contains("not a neuron population", Assert.Throws<ArgumentException>(() => new OfflineReplay(e2, new ReplayOptions { Output = "in" })).Message, StringComparison.Ordinal);
        Assert.Contains("multiple of 3", Assert.Throws<ArgumentException>(() => new OfflineReplay(e2, new ReplayOptions { PopulationCodeClasses = 3 })).Message, StringComparison.Ordinal);
    }
}
