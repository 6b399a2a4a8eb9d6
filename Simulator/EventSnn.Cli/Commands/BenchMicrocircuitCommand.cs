using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EventSnn.Cli.Networks;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn bench microcircuit</c>: the Potjans &amp; Diesmann (2014) cortical microcircuit, built from its network file
/// (<c>Samples/networks/microcircuit.json</c>, scaled by <see cref="Microcircuit"/>) at a scale, on a device: setup time, real-time factor, synapses and bytes per synapse, and each population's rate next to the
/// published full-scale rate.
/// </summary>
internal static class BenchMicrocircuitCommand
{
    /// <summary>Creates <c>bench microcircuit</c>.</summary>
    public static Command Create()
    {
        var scale = new Option<double>("--scale") { Description = "Scale of neuron numbers (and of in-degrees unless --k-scale is given), in (0, 1]; 1 is the full 77,169-neuron model.", DefaultValueFactory = _ => 0.1 };
        var kScale = new Option<double?>("--k-scale") { Description = "Scale of in-degrees in (0, 1] (default: --scale); weights are divided by its square root and a DC input restores the lost mean." };
        var background = new Option<string>("--background") { Description = "Background input: poisson (independent trains at K_ext · 8 Hz) or dc (their mean as a constant current).", DefaultValueFactory = _ => "poisson" };
        background.AcceptOnlyFromAmong("poisson", "dc");
        var duration = new Option<double>("--duration") { Description = "Simulated time in seconds.", DefaultValueFactory = _ => 1.0 };
        var transient = new Option<double>("--transient") { Description = "Seconds at the start left out of the rates (the initial transient).", DefaultValueFactory = _ => 0.1 };
        var dt = new Option<double>("--dt") { Description = "Time step in milliseconds (delays are rounded to it).", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of connectivity, weights, delays, initial potentials and background.", DefaultValueFactory = _ => 1UL };
        var threads = new Option<int>("--threads") { Description = "CPU device threads (results do not depend on it; default: all cores).", DefaultValueFactory = _ => Environment.ProcessorCount };
        var spikes = new Option<FileInfo?>("--spikes") { Description = "Write the spikes to this CSV file (time_us,population,neuron)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var network = new Option<FileInfo?>("--network") { Description = "The full-scale microcircuit network file (default: networks/microcircuit.json beside the tool, the copy of Samples/networks/microcircuit.json)." };
        Option<string> device = DeviceOption.Create();

        var command = new Command("microcircuit", "Potjans & Diesmann 2014 cortical microcircuit: real-time factor, memory per synapse, rates next to the paper's.");
        foreach (Option o in new Option[] { scale, kScale, background, duration, transient, dt, seed, threads, spikes, json, network, device })
        {
            command.Options.Add(o);
        }

        command.SetAction(parse => CliAction.Run(() =>
        {
            double s = parse.GetValue(scale);
            double k = parse.GetValue(kScale) ?? s;
            double seconds = parse.GetValue(duration);
            double skip = parse.GetValue(transient);
            double dtMs = parse.GetValue(dt);
            int threadCount = parse.GetValue(threads);
            if (!(s > 0 && s <= 1))
            {
                throw new ArgumentException($"--scale must be in (0, 1] (got {s.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (!(k > 0 && k <= 1))
            {
                throw new ArgumentException($"--k-scale must be in (0, 1] (got {k.ToString(CultureInfo.InvariantCulture)}).");
            }

            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 1e5)
            {
                throw new ArgumentException("--duration must be a positive number of seconds (at most 1e5).");
            }

            if (!double.IsFinite(skip) || skip < 0 || skip >= seconds)
            {
                throw new ArgumentException("--transient must be at least 0 and shorter than --duration.");
            }

            if (!double.IsFinite(dtMs) || dtMs < 0.001 || dtMs > 1)
            {
                throw new ArgumentException("--dt must be in [0.001, 1] ms.");
            }

            if (threadCount < 1 || threadCount > 256)
            {
                throw new ArgumentException("--threads must be in 1..256.");
            }

            FileInfo? spikeFile = parse.GetValue(spikes);
            string? spikePath = spikeFile is null ? null : CliPaths.RequireOutputFile(spikeFile.FullName, "--spikes");
            var bg = parse.GetValue(background) == "dc" ? MicrocircuitBackground.Dc : MicrocircuitBackground.Poisson;
            string file = parse.GetValue(network)?.FullName ?? Microcircuit.DefaultPath;
            if (!File.Exists(file))
            {
                throw new ArgumentException($"--network: {file} does not exist.");
            }

            long setupStart = Stopwatch.GetTimestamp();
            NetworkSpec spec = Microcircuit.Load(file, s, k, bg, parse.GetValue(seed), SimDuration.FromMilliseconds(dtMs));
            long neurons = spec.Populations.Where(p => p.Model is not null).Sum(p => (long)p.Size);
            using DeviceSelection selection = DeviceOption.Select(parse.GetValue(device), neurons, parse.InvocationConfiguration.Error);
            if (selection.Device is IResidentClockDevice && spec.Populations.Any(p => !p.PoissonInputs.IsEmpty))
            {
                // A GPU does not draw Poisson input per step: the same background as Poisson populations (queued events).
                spec = Microcircuit.Load(file, s, k, bg, parse.GetValue(seed), SimDuration.FromMilliseconds(dtMs), poissonAsPopulations: true);
            }

            SpikeRecorder? recorder = spikeFile is null ? null : new SpikeRecorder(1 << 16);
            MicrocircuitResult result = Run(spec, s, k, bg, SimDuration.FromSeconds(seconds), SimDuration.FromSeconds(skip), threadCount, selection.Device, recorder, setupStart);
            if (recorder is not null)
            {
                AtomicFile.Write(spikePath!, "--spikes", stream => MonitorCsv.WriteSpikes(recorder, stream, includePopulation: true));
            }

            TextWriter output = parse.InvocationConfiguration.Output;
            if (parse.GetValue(json))
            {
                WriteJson(result, output);
            }
            else
            {
                WriteText(result, output);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Runs the loaded microcircuit, timing setup (from <paramref name="setupStart"/>, file loading included) and loop, counting spikes per population after the transient.</summary>
    internal static MicrocircuitResult Run(NetworkSpec spec, double scale, double kScale, MicrocircuitBackground background, SimDuration duration, SimDuration transient, int threads, IComputeDevice? device, ISpikeMonitor? monitor, long setupStart)
    {
        using var engine = new SimulationEngine(spec, new EngineOptions { Threads = threads, Device = device, Logger = CliLogging.EngineLogger });
        var counter = new PopulationCounter(spec.Populations.Length, SimTime.Zero + transient);
        engine.AddSpikeMonitor(counter);
        if (monitor is not null)
        {
            engine.AddSpikeMonitor(monitor);
        }

        double setup = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long loopStart = Stopwatch.GetTimestamp();
        engine.RunUntil(SimTime.Zero + duration);
        double loop = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        double loopCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        double window = (duration - transient).TotalSeconds;
        var rates = new double[8];
        var sizes = new int[8];
        long spikes = 0;
        for (int t = 0; t < 8; t++)
        {
            int id = spec.Populations.First(p => p.Name == Microcircuit.Names[t]).Id;
            sizes[t] = spec.Populations[id].Size;
            rates[t] = counter.Counts[id] / (sizes[t] * window);
            spikes += counter.Total[id];
        }

        long synapses = 0;
        foreach (ProjectionSpec p in spec.Projections)
        {
            if (spec.Populations[p.Pre].Model is not null)
            {
                synapses += engine.GetSynapses(p.Id).SynapseCount;
            }
        }

        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return new MicrocircuitResult(scale, kScale, background == MicrocircuitBackground.Dc ? "dc" : "poisson", sizes, synapses, engine.SynapseCount, duration, transient, setup, loop, loopCpu, spikes, rates,
            engine.SynapseBytes / (double)Math.Max(1, engine.SynapseCount), self.PeakWorkingSet64, device?.Name ?? "cpu", threads);
    }

    /// <summary>Writes the result as one JSON object and a newline.</summary>
    internal static void WriteJson(MicrocircuitResult r, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteString("benchmark", "microcircuit");
            w.WriteNumber("scale", r.Scale);
            w.WriteNumber("k_scale", r.KScale);
            w.WriteString("background", r.Background);
            w.WriteNumber("neurons", r.Sizes.Sum());
            w.WriteNumber("synapses", r.RecurrentSynapses);
            w.WriteNumber("synapses_with_background", r.AllSynapses);
            w.WriteNumber("duration_s", r.Duration.TotalSeconds);
            w.WriteNumber("transient_s", r.Transient.TotalSeconds);
            w.WriteNumber("setup_s", Math.Round(r.SetupSeconds, 3));
            w.WriteNumber("loop_s", Math.Round(r.LoopSeconds, 3));
            w.WriteNumber("loop_cpu_s", Math.Round(r.LoopCpuSeconds, 3));
            w.WriteNumber("real_time_factor", Math.Round(r.RealTimeFactor, 4));
            w.WriteNumber("spikes", r.Spikes);
            w.WriteNumber("bytes_per_synapse", Math.Round(r.BytesPerSynapse, 3));
            w.WriteNumber("peak_working_set_bytes", r.PeakWorkingSetBytes);
            w.WriteString("device", r.Device);
            w.WriteNumber("threads", r.Threads);
            w.WriteNumber("max_rate_deviation", Math.Round(r.MaxRelativeDeviation, 4));
            w.WriteStartArray("populations");
            for (int t = 0; t < 8; t++)
            {
                w.WriteStartObject();
                w.WriteString("name", Microcircuit.Names[t]);
                w.WriteNumber("neurons", r.Sizes[t]);
                w.WriteNumber("rate_hz", Math.Round(r.RatesHz[t], 4));
                w.WriteNumber("published_rate_hz", Microcircuit.ReferenceRatesHz[t]);
                w.WriteNumber("relative_deviation", Math.Round(r.RelativeDeviation(t), 4));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static void WriteText(MicrocircuitResult r, TextWriter output)
    {
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"microcircuit scale {r.Scale} (in-degree {r.KScale}, {r.Background} background): {r.Sizes.Sum()} neurons, {r.RecurrentSynapses} synapses, setup {r.SetupSeconds:F2} s, {r.Duration.TotalSeconds} s simulated in {r.LoopSeconds:F2} s wall, {r.LoopCpuSeconds:F2} s CPU (real-time factor {r.RealTimeFactor:F3}), {r.BytesPerSynapse:F2} B/synapse, peak working set {r.PeakWorkingSetBytes / (1024.0 * 1024 * 1024):F2} GiB, device {r.Device}"));
        output.WriteLine("population  rate (Hz)  published (Hz)  deviation");
        for (int t = 0; t < 8; t++)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Microcircuit.Names[t],-10}  {r.RatesHz[t],9:F3}  {Microcircuit.ReferenceRatesHz[t],14:F3}  {r.RelativeDeviation(t),9:P1}"));
        }
    }

    /// <summary>Counts spikes per population (all, and from a start time on).</summary>
    private sealed class PopulationCounter(int populations, SimTime from) : ISpikeMonitor
    {
        public long[] Counts { get; } = new long[populations];

        public long[] Total { get; } = new long[populations];

        public void OnSpike(SimTime time, int population, int neuron)
        {
            Total[population]++;
            if (time >= from)
            {
                Counts[population]++;
            }
        }
    }
}

/// <summary>The outcome of one <c>bench microcircuit</c> run.</summary>
internal sealed record MicrocircuitResult(double Scale, double KScale, string Background, int[] Sizes, long RecurrentSynapses, long AllSynapses, SimDuration Duration, SimDuration Transient,
    double SetupSeconds, double LoopSeconds, double LoopCpuSeconds, long Spikes, double[] RatesHz, double BytesPerSynapse, long PeakWorkingSetBytes, string Device, int Threads)
{
    /// <summary>Wall-clock seconds per simulated second.</summary>
    public double RealTimeFactor => LoopSeconds / Duration.TotalSeconds;

    /// <summary>(rate − published) / published for population <paramref name="t"/>.</summary>
    /// <param name="t">Population index in <see cref="Microcircuit.Names"/> order.</param>
    public double RelativeDeviation(int t) => (RatesHz[t] - Microcircuit.ReferenceRatesHz[t]) / Microcircuit.ReferenceRatesHz[t];

    /// <summary>The largest |relative deviation| over the populations.</summary>
    public double MaxRelativeDeviation => Enumerable.Range(0, 8).Max(t => Math.Abs(RelativeDeviation(t)));
}
