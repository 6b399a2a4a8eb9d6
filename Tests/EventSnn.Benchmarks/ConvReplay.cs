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
    /// <summary>
    /// Counts spikes per neuron; the synapses they reached per projection (the deliveries into each layer) are computed from
    /// those counts afterwards, so that counting costs the engine one increment per spike.
    /// </summary>
    private sealed class Counter(NetworkSpec spec) : ISpikeMonitor
    {
        private readonly long[][] _perNeuron = [.. spec.Populations.Select(p => new long[p.Size])];

        public long[] Counts { get; } = new long[spec.Populations.Length];

        public void Clear()
        {
            Array.Clear(Counts);
            foreach (long[] c in _perNeuron)
            {
                Array.Clear(c);
            }
        }

        public void OnSpike(SimTime time, int population, int neuron)
        {
            Counts[population]++;
            _perNeuron[population][neuron]++;
        }

        /// <summary>The synapses reached by the counted spikes, per projection.</summary>
        public long[] Synapses(SimulationEngine engine) => [.. spec.Projections.Select(pr =>
        {
            var t = engine.GetSynapses(pr.Id);
            long sum = 0;
            for (int i = 0; i < spec.Populations[pr.Pre].Size; i++)
            {
                sum += _perNeuron[pr.Pre][i] * (t.GroupStart[t.SourceGroupStart[i + 1]] - t.GroupStart[t.SourceGroupStart[i]]);
            }

            return sum;
        })];
    }

    public static int Run(string[] args)
    {
        var files = new List<string>();
        int samples = 20;
        int warmup = 10;
        double dtMs = 1;
        int batch = 1, threads = 1;
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
                case "--batch":
                    batch = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--threads":
                    threads = int.Parse(args[++i], CultureInfo.InvariantCulture);
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
            Console.Error.WriteLine("conv-replay: usage: conv-replay NET FILE... [--samples N] [--warmup W] [--dt-ms D] [--batch B --threads T]");
            return 2;
        }

        string net = files[0];
        files.RemoveAt(0);
        NetworkSpec spec = LayerGraph.IsModelFile(net) ? LayerGraph.Load(net).Build() : NetworkFile.Load(net).Network;
        IEnumerable<ReplayItem> Items(int n) => Enumerable.Range(0, n).Select(k => files[k % files.Count]).Select(f => new ReplayItem(f, null, () => EventFile.Open(f)));
        Console.WriteLine($"network {net}; {samples} samples from {string.Join(", ", files)}; clock dt {dtMs.ToString(CultureInfo.InvariantCulture)} ms");
        var oneByOne = new ReplaySummary[2];
        foreach (bool clock in new[] { false, true })
        {
            var options = new EngineOptions
            {
                Execution = clock ? ExecutionChoice.Clock : ExecutionChoice.Event,
                DefaultDt = SimDuration.FromTicks((long)Math.Round(dtMs * 1e6)),
            };
            using var engine = new SimulationEngine(spec, options);
            var counter = new Counter(spec);
            engine.AddSpikeMonitor(counter);
            using var replay = new OfflineReplay(engine);
            replay.Run(Items(warmup), warmup);
            counter.Clear();
            EngineStatistics st0 = engine.Statistics;
            long steps0 = engine.StepCount;
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            ReplaySummary s = replay.Run(Items(samples), samples);
            oneByOne[clock ? 1 : 0] = s;
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double allocated = (GC.GetTotalAllocatedBytes(precise: true) - bytes0) / (double)samples;
            double wall = s.Elapsed.TotalSeconds;
            EngineStatistics st = engine.Statistics;
            string PerSample(long n) => (n / (double)samples).ToString("F0", CultureInfo.InvariantCulture);
            long[] reached = counter.Synapses(engine);
            string synapses = string.Join(", ", spec.Projections.Select((pr, k) => $"{spec.Populations[pr.Post].Name} {PerSample(reached[k])}"));
            Console.WriteLine($"{(clock ? "clock" : "event")} per sample: synapses reached per target layer: {synapses}; deliveries {PerSample(st.Deliveries - st0.Deliveries)}, synaptic events {PerSample(st.SynapticEvents - st0.SynapticEvents)}, event-driven neuron updates {PerSample(st.NeuronUpdates - st0.NeuronUpdates)}, wake-ups {PerSample(st.WakeUps - st0.WakeUps)} (stale {PerSample(st.StaleWakeUps - st0.StaleWakeUps)}), clock steps {PerSample(engine.StepCount - steps0)}");
            string spikes = string.Join(", ", spec.Populations.Select((p, k) => $"{p.Name} {(counter.Counts[k] / (double)samples).ToString("F0", CultureInfo.InvariantCulture)}"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(clock ? "clock" : "event")}: {s.Events} events; cpu {cpu:F3} s: {samples / cpu:F1} samples/s, {s.Events / cpu:F0} events/s; wall {wall:F3} s: {samples / wall:F1} samples/s, {s.Events / wall:F0} events/s; allocated {allocated:F0} B per sample; spikes per sample: {spikes}"));
        }

        // Both replays again with the samples run B at a time over T threads (clock-driven: one batch; event-driven: one
        // engine copy per thread): the same results.
        foreach (bool clock in batch > 1 ? new[] { false, true } : [])
        {
            var options = new EngineOptions
            {
                Execution = clock ? ExecutionChoice.Clock : ExecutionChoice.Event,
                DefaultDt = SimDuration.FromTicks((long)Math.Round(dtMs * 1e6)),
                Threads = threads,
            };
            using var engine = new SimulationEngine(spec, options);
            using var replay = new OfflineReplay(engine, new ReplayOptions { Batch = batch });
            replay.Run(Items(Math.Max(warmup, batch)), Math.Max(warmup, batch));
            TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
            ReplaySummary s = replay.Run(Items(samples), samples);
            double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            double allocated = (GC.GetTotalAllocatedBytes(precise: true) - bytes0) / (double)samples;
            double wall = s.Elapsed.TotalSeconds;
            bool same = oneByOne[clock ? 1 : 0].Results.SequenceEqual(s.Results);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{(clock ? "clock" : "event")} batched (batch {batch}, {threads} threads): cpu {cpu:F3} s: {samples / cpu:F1} samples/s; wall {wall:F3} s: {samples / wall:F1} samples/s, {s.Events / wall:F0} events/s; allocated {allocated:F0} B per sample; results equal to the one-by-one replay: {(same ? "yes" : "NO")}"));
            if (!same)
            {
                return 1;
            }
        }

        return 0;
    }
}
