using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EventSnn.Cli.Demo;
using EventSnn.Devices;
using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Plotting;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn demo</c>: a synthetic moving-bar event-camera scene streamed into a small spiking network, simulated
/// event by event (or clock-driven), with a progress display, a summary, and a raster PNG and spikes CSV written to an
/// output folder.
/// </summary>
/// <remarks>
/// Memory does not grow with <c>--duration</c>: the scene is generated one 200 ms sweep at a time, spikes stream to
/// <c>spikes.csv</c> (<see cref="SpikeCsvWriter"/>, 64 KiB buffer), the raster is a fixed grid (<see cref="SpikeRaster"/>)
/// and the rate monitor has one bin. A run longer than 4 s also gets <c>raster-start.png</c>: its first 2 s at full
/// resolution (a fixed window). Both files are written beside their targets and moved into place when complete.
/// </remarks>
internal static class DemoCommand
{
    /// <summary>The start window drawn at full resolution for runs longer than twice it: 2 s.</summary>
    private const long StartWindowUs = 2_000_000;

    /// <summary>Heap growth is sampled this often (simulated time).</summary>
    private const long ProbeEveryUs = 1_000_000;

    /// <summary>Called with the simulated time (µs) once per simulated second; tests use it to watch memory.</summary>
    internal static Action<long>? ChunkProbe { get; set; }

    /// <summary>Creates the <c>demo</c> command.</summary>
    public static Command Create()
    {
        var duration = new Option<double>("--duration") { Description = "Scene length in seconds (up to 3600).", DefaultValueFactory = _ => 1.0 }
            .Positive(3600.0, "seconds");
        var size = new Option<int>("--size") { Description = "Sensor width and height in pixels (even, 8..256).", DefaultValueFactory = _ => 32 }
            .InRange(8, 256)
            .Check(v => v % 2 != 0 ? string.Create(CultureInfo.InvariantCulture, $"must be even (got {v})") : null);
        var mode = new Option<string>("--mode") { Description = "Engine: event (exact, event-driven) or clock (fixed 0.1 ms steps).", DefaultValueFactory = _ => "event" };
        mode.AcceptOnlyFromAmong("event", "clock");
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for raster.png and spikes.csv (created if needed; files are replaced only when complete).", DefaultValueFactory = _ => new DirectoryInfo("eventsnn-demo") };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the scene and the network.", DefaultValueFactory = _ => 1UL };
        Option<string> device = DeviceOption.Create();

        var command = new Command("demo", "Stream a synthetic moving-bar event-camera scene into a spiking network and write a raster plot and spike CSV.");
        command.Options.Add(duration);
        command.Options.Add(size);
        command.Options.Add(mode);
        command.Options.Add(output);
        command.Options.Add(seed);
        command.Options.Add(device);
        command.SetAction(parse => CliAction.Run(() => Run(
            parse.InvocationConfiguration.Output,
            parse.GetValue(duration),
            parse.GetValue(size),
            parse.GetValue(mode) ?? "event",
            parse.GetValue(output)!,
            parse.GetValue(seed),
            parse.GetValue(device),
            parse.InvocationConfiguration.Error)));
        return command;
    }

    private static int Run(TextWriter output, double seconds, int size, string mode, DirectoryInfo outDir, ulong seed, string? deviceName, TextWriter error)
    {
        string folder = CliPaths.RequireOutputFolder(outDir.FullName, "--out");
        string png = Path.Combine(folder, "raster.png");
        string csv = Path.Combine(folder, "spikes.csv");
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        long durationUs = checked((long)Math.Round(seconds * 1e6));
        var setup = Stopwatch.StartNew();
        var scene = new MovingBarScene(size, size, durationUs, sweepUs: 200_000, noiseHz: 2.0, seed);
        NetworkSpec network = BuildNetwork(size, seed);
        long clockNeurons = mode == "clock" ? network.Populations.Where(p => p.Model is not null).Sum(p => (long)p.Size) : 0;
        using DeviceSelection device = DeviceOption.Select(deviceName, clockNeurons, error);
        using ISimulationEngineHandle handle = CreateEngine(network, mode, device.Device);
        ISimulationEngine engine = handle.Engine;

        // Monitors stream or bin: memory does not grow with --duration (see docs: "demo memory").
        using AtomicFile spikeFile = AtomicFile.Create(csv, "--out");
        using var spikes = new SpikeCsvWriter(spikeFile.Stream, network, leaveOpen: true);
        var raster = new SpikeRaster(network, SimTime.Zero, SimDuration.FromMicroseconds(durationUs));

        // A long run is binned coarsely; its first seconds are also drawn at full resolution.
        SpikeRaster? start = durationUs > 2 * StartWindowUs
            ? new SpikeRaster(network, SimTime.Zero, SimDuration.FromMicroseconds(StartWindowUs), window: true)
            : null;
        string startPng = Path.Combine(folder, "raster-start.png");
        int[] sizes = [.. network.Populations.Select(p => p.Size)];
        var rates = new PopulationRateMonitor(sizes, SimDuration.FromMicroseconds(Math.Max(durationUs, 1)));
        engine.AddSpikeMonitor(spikes);
        engine.AddSpikeMonitor(raster);
        if (start is not null)
        {
            engine.AddSpikeMonitor(start);
        }
        engine.AddSpikeMonitor(rates);
        setup.Stop();

        var loop = Stopwatch.StartNew();
        const long ChunkUs = 10_000;
        var chunk = new List<DvsEvent>();
        long inputEvents = 0;
        long nextProbe = ProbeEveryUs;
        var inputShape = network.Populations[0].Shape;
        console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                ProgressTask task = ctx.AddTask($"Simulating {seconds.ToString(CultureInfo.InvariantCulture)} s ({mode})", maxValue: durationUs);
                for (long chunkEnd = ChunkUs; ; chunkEnd += ChunkUs)
                {
                    long end = Math.Min(chunkEnd, durationUs);

                    // Stream the events of this chunk into the engine, then run up to its end.
                    chunk.Clear();
                    scene.Next(end, chunk);
                    foreach (DvsEvent e in chunk)
                    {
                        engine.InjectEvent(SimTime.FromMicroseconds(e.T), 0, inputShape.IndexOf(e.P, e.Y, e.X));
                    }

                    inputEvents += chunk.Count;
                    engine.RunUntil(SimTime.FromMicroseconds(end));
                    task.Value = end;
                    if (end >= nextProbe)
                    {
                        ChunkProbe?.Invoke(end);
                        nextProbe += ProbeEveryUs;
                    }

                    if (end == durationUs)
                    {
                        break;
                    }
                }
            });
        loop.Stop();

        spikes.Complete();
        spikeFile.Commit();
        AtomicFile.Write(png, "--out", stream => RasterPlot.WritePng(raster, stream, new RasterPlotOptions
        {
            Title = $"Moving bar, {size}x{size} DVS → spiking network ({mode}-driven)",
            End = SimTime.FromMicroseconds(durationUs),
        }));
        if (start is not null)
        {
            AtomicFile.Write(startPng, "--out", stream => RasterPlot.WritePng(start, stream, new RasterPlotOptions
            {
                Title = string.Create(CultureInfo.InvariantCulture, $"Moving bar, {size}x{size} DVS → spiking network ({mode}-driven), first {StartWindowUs / 1e6:G3} s"),
                End = SimTime.FromMicroseconds(StartWindowUs),
            }));
        }

        var table = new Table().AddColumns("Population", "Kind", "Neurons", "Spikes", "Rate (Hz)");
        var end2 = SimTime.FromMicroseconds(durationUs);
        foreach (PopulationSpec p in network.Populations)
        {
            table.AddRow(
                p.Name,
                p.Kind.ToString(),
                p.Size.ToString(CultureInfo.InvariantCulture),
                rates.TotalSpikes(p.Id).ToString(CultureInfo.InvariantCulture),
                rates.MeanRate(p.Id, end2).ToString("F2", CultureInfo.InvariantCulture));
        }

        console.Write(table);
        long synapses = network.Projections.Sum(pr => (long)engine.GetSynapses(pr.Id).SynapseCount);
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"neurons: {network.TotalSize - network.Populations[0].Size} (+{network.Populations[0].Size} input pixels), synapses: {synapses}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input events: {inputEvents}, spikes (inputs included): {engine.SpikeCount}, device: {(mode == "clock" ? device.Name : "none (event-driven)")}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated {seconds} s in {loop.Elapsed.TotalSeconds:F3} s ({seconds / loop.Elapsed.TotalSeconds:F1}x real time; setup {setup.Elapsed.TotalSeconds:F3} s)"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raster: {png} (bins of {raster.BinWidth.Ticks / 1e6:G6} ms)"));
        if (start is not null)
        {
            console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"raster: {startPng} (first {StartWindowUs / 1e6:G3} s, bins of {start.BinWidth.Ticks / 1e6:G6} ms)"));
        }

        console.WriteLine($"spikes: {csv} ({spikes.SpikesWritten} rows: time_ns,population,neuron)");
        return 0;
    }

    /// <summary>
    /// DVS (2 polarities x size x size) → "edges": LIF (2 x size/2 x size/2), one per polarity and 2x2 patch (a 2x2,
    /// stride-2 convolution, 1 ms) → "outputs": 16 LIF with random input (1-3 ms) and lateral inhibition.
    /// </summary>
    internal static NetworkSpec BuildNetwork(int size, ulong seed)
    {
        // Kernel [out][in][ky][kx]: each polarity feeds its own channel with 6 mV per event.
        float[] kernel = new float[2 * 2 * 2 * 2];
        for (int c = 0; c < 2; c++)
        {
            for (int k = 0; k < 4; k++)
            {
                kernel[(((c * 2) + c) * 4) + k] = 6f;
            }
        }

        int half = size / 2;
        return new NetworkBuilder()
            .AddExternalInput("dvs", new PopulationShape(2, size, size))
            .AddNeurons("edges", new PopulationShape(2, half, half), NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -65).Set("t_ref", 2).InitialUniform("v", -65, -60, seed))
            .AddNeurons("outputs", 16, NeuronModel.Lif, p => p.Set("tau_m", 20).Set("v_rest", -65).Set("v_thresh", -52).Set("v_reset", -65).Set("t_ref", 5))
            .Connect("dvs", "edges", ConnectivitySpec.Conv2D(kernel, outChannels: 2, inChannels: 2, kernelHeight: 2, kernelWidth: 2, stride: 2), c => c.Delay(SimDuration.FromTicks(1_000_000)))
            .Connect("edges", "outputs", ConnectivitySpec.FixedProbability(0.1, seed + 1), c => c.WeightUniform(0.5, 2.5, seed + 2).DelayUniform(SimDuration.FromTicks(1_000_000), SimDuration.FromTicks(3_000_000), seed + 3))
            .Connect("outputs", "outputs", ConnectivitySpec.AllToAll(allowSelf: false), c => c.Weight(-3).Delay(SimDuration.FromTicks(500_000)))
            .Build();
    }

    private static EngineHandle CreateEngine(NetworkSpec network, string mode, IComputeDevice? device)
        => new EngineHandle(new SimulationEngine(network, new EngineOptions { Execution = mode == "clock" ? ExecutionChoice.Clock : ExecutionChoice.Event, Device = device, Logger = CliLogging.EngineLogger }));

    private interface ISimulationEngineHandle : IDisposable
    {
        ISimulationEngine Engine { get; }
    }

    private sealed class EngineHandle(SimulationEngine engine) : ISimulationEngineHandle
    {
        public ISimulationEngine Engine => engine;

        public void Dispose() => engine.Dispose();
    }
}
