using System.Diagnostics;
using System.Globalization;
using EventSnn.Datasets.Formats;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using EventSnn.Simulator.Replay;

namespace EventSnn.Benchmarks;

/// <summary>
/// <c>conv-replay NET FILE… [--samples N] [--warmup W] [--dt-ms D]</c>: replays event files (N-MNIST format or any format the readers
/// accept) through a network file or saved layer model, event-driven and then clock-driven (step D ms, default 1), and
/// prints for each: samples/s and events/s over processor time (user + system) and over wall time, the bytes allocated per sample (file reading included), and the spikes per
/// sample of every population. W samples (default 10) are replayed first to warm up (so that the runtime's tiered compilation has finished), then N samples (the files in turn) are timed.
/// </summary>
internal static class ConvReplay
{
    /// <summary>Counts spikes per population and the synapses they reach per projection (the deliveries into each layer).</summary>
    private sealed class Counter : ISpikeMonitor
    {
        private readonly int[][] _outgoing;
        private readonly int[][] _fanout;

        public Counter(NetworkSpec spec, SimulationEngine engine)
        {
            Counts = new long[spec.Populations.Length];
            Synapses = new long[spec.Projections.Length];
            _outgoing = [.. spec.Populations.Select(p => spec.Projections.Where(pr => pr.Pre == p.Id).Select(pr => pr.Id).ToArray())];
            _fanout = [.. spec.Projections.Select(pr =>
            {
                var t = engine.GetSynapses(pr.Id);
                return Enumerable.Range(0, spec.Populations[pr.Pre].Size).Select(i => t.GroupStart[t.SourceGroupStart[i + 1]] - t.GroupStart[t.SourceGroupStart[i]]).ToArray();
            })];
        }

        public long[] Counts { get; }

        public long[] Synapses { get; }

        public void Clear()
        {
            Array.Clear(Counts);
            Array.Clear(Synapses);
        }

        public void OnSpike(SimTime time, int population, int neuron)
        {
            Counts[population]++;
            foreach (int pr in _outgoing[population])
            {
                Synapses[pr] += _fanout[pr][neuron];
            }
        }
    }

    public static int Run(string[] args)
    {
        var files = new List<string>();
        int samples = 20;
        int warmup = 10;
        double dtMs = 1;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--samples":
                    samples = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--warmup":
                    warmup = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--dt-ms":
                    dtMs = double.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    files.Add(args[i]);
                    break;
            }
        }

        if (files.Count < 2)
        {
            Console.Error.WriteLine("conv-replay: usage: conv-replay NET FILE... [--samples N] [--warmup W] [--dt-ms D]");
            return 2;
        }

        string net = files[0];
        files.RemoveAt(0);
        NetworkSpec spec = LayerGraph.IsModelFile(net) ? LayerGraph.Load(net).Build() : NetworkFile.Load(net).Network;
        IEnumerable<ReplayItem> Items(int n) => Enumerable.Range(0, n).Select(k => files[k % files.Count]).Select(f => new ReplayItem(f, null, () => EventFile.Open(f)));
        Console.WriteLine($"network {net}; {samples} samples from {string.Join(", ", files)}; clock dt {dtMs.ToString(CultureInfo.InvariantCulture)} ms");
        foreach (bool clock in new[] { false, true })
        {
            var options = new EngineOptions
            {
                Execution = clock ? ExecutionChoice.Clock : ExecutionChoice.Event,
                DefaultDt = SimDuration.FromTicks((long)Math.Round(dtMs * 1e6)),
            };
            using var engine = new SimulationEngine(spec, options);
            var counter = new Counter(spec, engine);
            engine.AddSpikeMonitor(counter);
            using var replay = new OfflineReplay(engine);
            replay.Run(Items(warmup), warmup);
            counter.Clear();
            EngineStatistics st0 = engine.Statistics;
            long steps0 = engine.StepCount;
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            ReplaySummary s = replay.Run(Items(samples), samples);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double allocated = (GC.GetTotalAllocatedBytes(precise: true) - bytes0) / (double)samples;
            double wall = s.Elapsed.TotalSeconds;
            EngineStatistics st = engine.Statistics;
            string PerSample(long n) => (n / (double)samples).ToString("F0", CultureInfo.InvariantCulture);
            string synapses = string.Join(", ", spec.Projections.Select((pr, k) => $"{spec.Populations[pr.Post].Name} {PerSample(counter.Synapses[k])}"));
            Console.WriteLine($"{(clock ? "clock" : "event")} per sample: synapses reached per target layer: {synapses}; queued deliveries {PerSample(st.Deliveries - st0.Deliveries)}, synaptic events {PerSample(st.SynapticEvents - st0.SynapticEvents)}, event-driven neuron updates {PerSample(st.NeuronUpdates - st0.NeuronUpdates)}, wake-ups {PerSample(st.WakeUps - st0.WakeUps)} (stale {PerSample(st.StaleWakeUps - st0.StaleWakeUps)}), clock steps {PerSample(engine.StepCount - steps0)}");
            string spikes = string.Join(", ", spec.Populations.Select((p, k) => $"{p.Name} {(counter.Counts[k] / (double)samples).ToString("F0", CultureInfo.InvariantCulture)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(clock ? "clock" : "event")}: {s.Events} events; cpu {cpu:F3} s: {samples / cpu:F1} samples/s, {s.Events / cpu:F0} events/s; wall {wall:F3} s: {samples / wall:F1} samples/s, {s.Events / wall:F0} events/s; allocated {allocated:F0} B per sample; spikes per sample: {spikes}"));
        }

        return 0;
    }
}
