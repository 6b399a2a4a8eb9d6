using EventSnn.Datasets.Streams;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using static EventSnn.Hosting.Tests.TestNetworks;

namespace EventSnn.Hosting.Tests;

/// <summary>The pipeline on in-memory sources: exact drop accounting per full mode, checkpoint continuation, outputs.</summary>
public sealed class PipelineTests
{
    private static EventSnnPipeline Pipeline(
        NetworkSpec network,
        EventSnnOptions options,
        Func<NetworkSpec, ISimulationEngine> engine,
        EventSourceFactory sources,
        EventSnnStatus status,
        EventSnnOutputs? outputs = null) =>
        new(network, engine, options, status, new EventSnnMetrics(status), outputs ?? new EventSnnOutputs(), null, sources);

    private static EventSnnOptions Options(params string[] sources)
    {
        var o = new EventSnnOptions { InputPopulation = "dvs", OutputPopulation = "out", ChannelCapacity = 2, BatchEvents = 100 };
        foreach (string s in sources)
        {
            o.Sources.Add(s);
        }

        return o;
    }

    [Theory]
    [InlineData(IngestFullMode.Wait)]
    [InlineData(IngestFullMode.DropOldest)]
    [InlineData(IngestFullMode.DropNewest)]
    public async Task Each_full_mode_counts_drops_exactly(IngestFullMode mode)
    {
        // Ten batches of 100 events; the consumer is held inside the network while batches 2..10 arrive, the channel
        // holds two, so the drop modes drop exactly seven batches: the oldest queued or the incoming one.
        DvsEvent[] events = MakeEvents(1000, seed: 1);
        GatedEngine? engine = null;
        var holdConsumer = new ManualResetEventSlim(false);
        EventSnnOptions options = Options("test:gated");
        options.FullMode = mode;
        var status = new EventSnnStatus();
        Task? releaser = null;
        await using EventSnnPipeline pipeline = Pipeline(
            Small(),
            options,
            spec =>
            {
                engine = new GatedEngine(new SimulationEngine(spec));
                engine.Gate.Reset();
                return engine;
            },
            (_, _) => new ListSource("test", events, 100, read =>
            {
                if (read == 1)
                {
                    // Batch 1 is queued: wait until the consumer holds it inside RunUntil.
                    Assert.True(engine!.Entered.Wait(TimeSpan.FromSeconds(10)));
                }

                if (read == 10)
                {
                    // Every batch is published: let the consumer go.
                    holdConsumer.Set();
                }
            }),
            status);
        pipeline.Initialize();
        if (mode == IngestFullMode.Wait)
        {
            // In wait mode the source blocks on the full channel, so open the gate once it has started waiting.
            releaser = Task.Run(async () =>
            {
                Assert.True(engine!.Entered.Wait(TimeSpan.FromSeconds(10)));
                await Task.Delay(200);
                engine.Gate.Set();
            });
        }
        else
        {
            releaser = Task.Run(() =>
            {
                Assert.True(holdConsumer.Wait(TimeSpan.FromSeconds(10)));
                engine!.Gate.Set();
            });
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await pipeline.RunAsync(timeout.Token);
        await releaser;
        StatusSnapshot s = status.Snapshot();
        Assert.Equal(1000, s.EventsReceived);
        Assert.True(s.Balanced);
        Assert.Equal(0, s.QueuedEvents);
        long expectedDropped = mode == IngestFullMode.Wait ? 0 : 700;
        Assert.Equal(expectedDropped, s.EventsDropped);
        Assert.Equal(1000 - expectedDropped, s.EventsProcessed);

        // Which batches reached the network: by their first event's time.
        int[] processedBatches = mode switch
        {
            IngestFullMode.Wait => [.. Enumerable.Range(0, 10)],
            IngestFullMode.DropOldest => [0, 8, 9],
            _ => [0, 1, 2],
        };
        long baseUs = events[0].T;
        long[] expectedTicks = [.. processedBatches.SelectMany(b => events.Skip(b * 100).Take(100)).Select(e => (e.T - baseUs) * 1000)];
        Assert.Equal(expectedTicks, engine!.Injected);
        Assert.True(pipeline.BatchesCreated <= pipeline.MaxBatches, $"{pipeline.BatchesCreated} batches exceed the bound {pipeline.MaxBatches}");
    }

    [Fact]
    public async Task Shutdown_then_restore_continues_exactly_as_an_uninterrupted_run()
    {
        DvsEvent[] first = MakeEvents(3000, seed: 2, start: 5_000);
        DvsEvent[] second = MakeEvents(3000, seed: 3, start: first[^1].T + 10);
        NetworkSpec network = Small();

        List<OutputSpike> reference = await RunAndCollect(network, [.. first, .. second], checkpoint: null);
        Assert.True(reference.Count > 50, $"the test network should spike (got {reference.Count})");

        string dir = Directory.CreateTempSubdirectory("eventsnn-ckpt").FullName;
        try
        {
            string checkpoint = Path.Combine(dir, "state.ckpt");
            List<OutputSpike> part1 = await RunAndCollect(network, first, checkpoint);
            Assert.True(File.Exists(checkpoint));
            List<OutputSpike> part2 = await RunAndCollect(network, second, checkpoint);
            Assert.Equal(reference, [.. part1, .. part2]);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public async Task A_corrupt_checkpoint_fails_initialization_with_a_message_naming_the_file()
    {
        string path = Path.Combine(Directory.CreateTempSubdirectory("eventsnn-ckpt").FullName, "bad.ckpt");
        await File.WriteAllBytesAsync(path, "ESNCKPT1 but then nonsense"u8.ToArray());
        EventSnnOptions options = Options("test:x");
        options.CheckpointPath = path;
        await using EventSnnPipeline pipeline = Pipeline(Small(), options, s => new SimulationEngine(s), (_, _) => new ListSource("x", [], 10), new EventSnnStatus());
        var ex = Assert.Throws<InvalidDataException>(pipeline.Initialize);
        Assert.Contains(path, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Outputs_reach_subscribers_with_decisions_matching_the_spikes()
    {
        DvsEvent[] events = MakeEvents(4000, seed: 4);
        var outputs = new EventSnnOutputs();
        using OutputSubscription subscription = outputs.Subscribe();
        EventSnnOptions options = Options("test:list");
        options.ChannelCapacity = 64;
        options.DecisionWindowMicroseconds = 5_000;
        var status = new EventSnnStatus();
        await using (EventSnnPipeline pipeline = Pipeline(Small(), options, s => new SimulationEngine(s), (_, _) => new ListSource("list", events, 500), status, outputs))
        {
            await pipeline.RunAsync(CancellationToken.None);
        }

        var spikes = new List<OutputSpike>();
        await foreach (OutputSpike s in subscription.Spikes.ReadAllAsync())
        {
            spikes.Add(s);
        }

        var decisions = new List<Decision>();
        await foreach (Decision d in subscription.Decisions.ReadAllAsync())
        {
            decisions.Add(d);
        }

        Assert.NotEmpty(spikes);
        Assert.Equal(status.Snapshot().SpikesOut, spikes.Count);

        // Recompute every decision from the spikes: per 5 ms window, the most active neuron, ties to the lowest index.
        long w = SimDuration.FromMicroseconds(5_000L).Ticks;
        var expected = spikes.GroupBy(s => s.Time.Ticks / w).Select(g =>
        {
            var best = g.GroupBy(s => s.Neuron).Select(n => (Neuron: n.Key, Count: n.Count())).OrderByDescending(n => n.Count).ThenBy(n => n.Neuron).First();
            return new Decision(SimTime.FromTicks(g.Key * w), SimTime.FromTicks((g.Key + 1) * w), best.Neuron, best.Count, g.Count());
        }).ToList();

        // The last window closes only if the network passed its end.
        Assert.True(decisions.Count >= expected.Count - 1 && decisions.Count <= expected.Count);
        Assert.Equal(expected.Take(decisions.Count), decisions);
    }

    private static async Task<List<OutputSpike>> RunAndCollect(NetworkSpec network, DvsEvent[] events, string? checkpoint)
    {
        var outputs = new EventSnnOutputs();
        using OutputSubscription subscription = outputs.Subscribe(1 << 20);
        EventSnnOptions options = Options("test:list");
        options.ChannelCapacity = 16;
        options.CheckpointPath = checkpoint;
        await using (EventSnnPipeline pipeline = Pipeline(network, options, s => new SimulationEngine(s), (_, _) => new ListSource("list", events, 250), new EventSnnStatus(), outputs))
        {
            await pipeline.RunAsync(CancellationToken.None);
        }

        var spikes = new List<OutputSpike>();
        await foreach (OutputSpike s in subscription.Spikes.ReadAllAsync())
        {
            spikes.Add(s);
        }

        Assert.Equal(0, subscription.DroppedSpikes);
        return spikes;
    }
}

/// <summary>The network runner's input path: spikes emitted at once give the spikes of injected (queued) inputs.</summary>
public sealed class NetworkRunnerInputTests
{
    /// <summary>A 2×16×16 input onto 40 LIF neurons, clock-driven (dt 0.5 ms) or event-driven; weights are powers of two.</summary>
    private static NetworkSpec Network(bool clock) => new NetworkBuilder()
        .AddExternalInput("dvs", new PopulationShape(2, 16, 16))
        .AddNeurons("out", 40, NeuronModel.Lif, p =>
        {
            p.Set("tau_m", 20);
            if (clock)
            {
                p.ClockDriven(SimDuration.FromMicroseconds(500L));
            }
            else
            {
                p.EventDriven();
            }
        })
        .Connect("dvs", "out", ConnectivitySpec.FixedProbability(0.2, seed: 3), c => c.Weight(4).DelayUniform(SimDuration.FromMicroseconds(100L), SimDuration.FromMicroseconds(1900L), 4))
        .Build();

    private static (List<OutputSpike> Spikes, long QueueEvents) Run(bool clock, bool extraMonitor, DvsEvent[] events)
    {
        using var engine = new SimulationEngine(Network(clock));
        if (extraMonitor)
        {
            engine.AddSpikeMonitor(new EventSnn.Simulator.Monitors.SpikeRecorder());
        }

        var runner = new NetworkRunner(engine, "dvs", "out", SimDuration.FromMilliseconds(10L), SimDuration.FromSeconds(1L), SimDuration.FromSeconds(60L));
        var spikes = new List<OutputSpike>();
        using var batch = new EventBatch(500);
        for (int i = 0; i < events.Length; i += 500)
        {
            batch.Clear();
            for (int k = i; k < Math.Min(events.Length, i + 500); k++)
            {
                batch.Add(events[k].T, events[k].X, events[k].Y, events[k].P);
            }

            runner.Process(batch.AsSpan());
            spikes.AddRange(runner.Spikes.ToArray());
            runner.ClearOutputs();
        }

        return (spikes, engine.EventCount);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Inputs_emitted_at_once_give_the_spikes_of_injected_inputs(bool clock)
    {
        // Batches of 500 events up to 40 µs apart: each spans several clock steps (the runner advances through it).
        DvsEvent[] events = TestNetworks.MakeEvents(6000, seed: 11, maxStep: 40);
        (List<OutputSpike> direct, long directEvents) = Run(clock, extraMonitor: false, events);
        (List<OutputSpike> queued, long queuedEvents) = Run(clock, extraMonitor: true, events);
        Assert.True(queued.Count > 50, $"the network must fire ({queued.Count} spikes)");
        Assert.Equal(queued, direct);

        // The injected run queued every input as a source event; the direct one queued none of them.
        Assert.True(queuedEvents - directEvents >= events.Length, $"queued {queuedEvents}, direct {directEvents}");
        if (clock)
        {
            // Deliveries into clock-driven targets went into their input rings, not through the queue.
            Assert.True(directEvents < events.Length / 20, $"direct {directEvents}");
        }
    }
}
