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
/// <c>eventsnn bench cuba</c> and <c>eventsnn bench coba</c>: the Brette et al. (2007) CUBA and COBA networks built with
/// the public network builder and run on the simulation engine, timed (setup and simulation loop separately), with the
/// fields of the Brian2 reference script <c>Tests/EventSnn.Benchmarks/brian2/cuba_coba.py</c>.
/// </summary>
internal static class BenchBretteCommand
{
    /// <summary>Creates <c>bench cuba</c>.</summary>
    public static Command CreateCuba() => Create(BretteModel.Cuba, "cuba", "Brette et al. 2007 CUBA network (current-based synapses), as Brian2's CUBA example.");

    /// <summary>Creates <c>bench coba</c>.</summary>
    public static Command CreateCoba() => Create(BretteModel.Coba, "coba", "Brette et al. 2007 COBA network (conductance-based synapses), as the Brian2 COBA benchmark.");

    private static Command Create(BretteModel model, string name, string description)
    {
        var neurons = new Option<int>("--neurons") { Description = "Number of neurons (80 % excitatory).", DefaultValueFactory = _ => 4000 };
        var duration = new Option<double>("--duration") { Description = "Simulated time in seconds.", DefaultValueFactory = _ => 10.0 };
        var dt = new Option<double>("--dt") { Description = "Time step of clock-driven execution in milliseconds.", DefaultValueFactory = _ => 0.1 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initial potentials and connectivity.", DefaultValueFactory = _ => 1UL };
        var threads = new Option<int>("--threads") { Description = "CPU device threads (results do not depend on it).", DefaultValueFactory = _ => 1 };
        var spikes = new Option<FileInfo?>("--spikes") { Description = "Write the spikes to this CSV file (time_us,population,neuron)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object instead of text." };
        var mode = new Option<string>("--mode") { Description = "Execution: clock (dense float32 steps of dt on the CPU device) or event (exact, event-driven).", DefaultValueFactory = _ => "clock" };
        mode.AcceptOnlyFromAmong("clock", "event");
        Option<string> device = DeviceOption.Create();

        var command = new Command(name, description);
        command.Options.Add(neurons);
        command.Options.Add(duration);
        command.Options.Add(dt);
        command.Options.Add(seed);
        command.Options.Add(threads);
        command.Options.Add(spikes);
        command.Options.Add(json);
        command.Options.Add(mode);
        command.Options.Add(device);
        command.SetAction(parse => CliAction.Run(() =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            double seconds = parse.GetValue(duration);
            double dtMs = parse.GetValue(dt);
            int threadCount = parse.GetValue(threads);
            if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 1e6)
            {
                throw new ArgumentException("--duration must be a positive number of seconds (at most 1e6).");
            }

            if (!double.IsFinite(dtMs) || dtMs <= 0 || dtMs > 1 || SimDuration.FromMilliseconds(dtMs).Ticks < 1)
            {
                throw new ArgumentException("--dt must be in [1e-6, 1] ms.");
            }

            int neuronCount = parse.GetValue(neurons);
            if (neuronCount < 10 || neuronCount > 50_000_000)
            {
                throw new ArgumentException("--neurons must be in 10..50000000.");
            }

            if (threadCount < 1 || threadCount > 256)
            {
                throw new ArgumentException("--threads must be in 1..256.");
            }

            bool clock = parse.GetValue(mode) != "event";
            ExecutionSpec execution = clock ? ExecutionSpec.Clock(SimDuration.FromMilliseconds(dtMs)) : ExecutionSpec.Event;
            FileInfo? spikeFile = parse.GetValue(spikes);
            string? spikePath = spikeFile is null ? null : CliPaths.RequireOutputFile(spikeFile.FullName, "--spikes");
            SpikeRecorder? recorder = spikeFile is null ? null : new SpikeRecorder(1 << 16);
            using DeviceSelection selection = DeviceOption.Select(parse.GetValue(device), clock ? neuronCount : 0, parse.InvocationConfiguration.Error);
            BretteResult result = Run(model, neuronCount, parse.GetValue(seed), execution, SimDuration.FromSeconds(seconds), threadCount, recorder, selection.Device);
            if (recorder is not null)
            {
                AtomicFile.Write(spikePath!, "--spikes", stream => MonitorCsv.WriteSpikes(recorder, stream, includePopulation: true));
            }

            if (parse.GetValue(json))
            {
                WriteJson(result, output);
            }
            else
            {
                output.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name} ({result.Mode}): {result.Neurons} neurons, {result.Synapses} synapses, {result.Duration.TotalSeconds} s simulated in {result.LoopSeconds:F3} s (setup {result.SetupSeconds:F3} s), {result.Spikes} spikes, {result.RateHz:F3} Hz, {result.BytesPerSynapse:F2} B/synapse, device {result.Device}"));
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Builds the network with the public builder and runs it, timing setup and loop.</summary>
    internal static BretteResult Run(BretteModel model, int neurons, ulong seed, ExecutionSpec execution, SimDuration duration, int threads, ISpikeMonitor? monitor = null, IComputeDevice? device = null)
    {
        long setupStart = Stopwatch.GetTimestamp();
        NetworkSpec spec = BretteNetworks.Build(model, neurons, seed, execution);
        using var engine = new SimulationEngine(spec, new EngineOptions { Threads = threads, Device = device, Logger = CliLogging.EngineLogger });
        if (monitor is not null)
        {
            engine.AddSpikeMonitor(monitor);
        }

        double setup = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long loopStart = Stopwatch.GetTimestamp();
        engine.RunUntil(SimTime.Zero + duration);
        double loop = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        long synapses = engine.SynapseCount;
        string deviceName = execution.Mode == ExecutionMode.Clock ? engine.Device?.Name ?? "cpu" : "none (event-driven)";
        return new BretteResult(model, execution.Mode == ExecutionMode.Clock ? "clock" : "event", neurons, synapses, duration, setup, loop, cpu, engine.SpikeCount, engine.SynapseBytes / (double)Math.Max(1, synapses), deviceName)
        {
            Events = engine.EventCount,
            Statistics = engine.Statistics,
        };
    }

    /// <summary>Writes the result as one JSON object and a newline.</summary>
    internal static void WriteJson(BretteResult result, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("model", result.Model == BretteModel.Cuba ? "cuba" : "coba");
            writer.WriteString("mode", result.Mode);
            writer.WriteNumber("neurons", result.Neurons);
            writer.WriteNumber("synapses", result.Synapses);
            writer.WriteNumber("duration_s", result.Duration.TotalSeconds);
            writer.WriteNumber("setup_s", Math.Round(result.SetupSeconds, 4));
            writer.WriteNumber("loop_s", Math.Round(result.LoopSeconds, 4));
            writer.WriteNumber("loop_cpu_s", Math.Round(result.LoopCpuSeconds, 4));
            writer.WriteNumber("spikes", result.Spikes);
            writer.WriteNumber("rate_hz", Math.Round(result.RateHz, 4));
            writer.WriteNumber("bytes_per_synapse", Math.Round(result.BytesPerSynapse, 3));
            writer.WriteString("device", result.Device);
            if (result.Mode == "event")
            {
                // Where event-driven time goes: queue events, deliveries, synaptic events, neuron updates, wake-ups, and the
                // loop's processor time per synaptic event.
                EngineStatistics st = result.Statistics;
                writer.WriteNumber("queue_events", result.Events);
                writer.WriteNumber("deliveries", st.Deliveries);
                writer.WriteNumber("synaptic_events", st.SynapticEvents);
                writer.WriteNumber("neuron_updates", st.NeuronUpdates);
                writer.WriteNumber("wake_ups", st.WakeUps);
                writer.WriteNumber("stale_wake_ups", st.StaleWakeUps);
                writer.WriteNumber("cpu_ns_per_synaptic_event", Math.Round(result.LoopCpuSeconds * 1e9 / Math.Max(1, st.SynapticEvents), 1));
                writer.WriteNumber("cpu_ns_per_neuron_update", Math.Round(result.LoopCpuSeconds * 1e9 / Math.Max(1, st.NeuronUpdates), 1));
            }

            writer.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}

/// <summary>The outcome of one <c>bench cuba|coba</c> run.</summary>
internal sealed record BretteResult(BretteModel Model, string Mode, int Neurons, long Synapses, SimDuration Duration, double SetupSeconds, double LoopSeconds, double LoopCpuSeconds, long Spikes, double BytesPerSynapse, string Device = "cpu")
{
    /// <summary>Queue events processed by the loop.</summary>
    public long Events { get; init; }

    /// <summary>The engine's work counts after the loop.</summary>
    public EngineStatistics Statistics { get; init; }

    /// <summary>The mean firing rate in Hz (spikes per neuron per second).</summary>
    public double RateHz => Spikes / (Neurons * Duration.TotalSeconds);
}
