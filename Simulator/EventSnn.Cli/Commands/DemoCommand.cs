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
internal static class DemoCommand
{
    /// <summary>Creates the <c>demo</c> command.</summary>
    public static Command Create()
    {
        var duration = new Option<double>("--duration") { Description = "Scene length in seconds.", DefaultValueFactory = _ => 1.0 };
        var size = new Option<int>("--size") { Description = "Sensor width and height in pixels (even, 8..256).", DefaultValueFactory = _ => 32 };
        var mode = new Option<string>("--mode") { Description = "Engine: event (exact, event-driven) or clock (fixed 0.1 ms steps).", DefaultValueFactory = _ => "event" };
        mode.AcceptOnlyFromAmong("event", "clock");
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder for raster.png and spikes.csv.", DefaultValueFactory = _ => new DirectoryInfo("eventsnn-demo") };
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
        if (!double.IsFinite(seconds) || seconds <= 0 || seconds > 3600)
        {
            throw new ArgumentException("--duration must be in (0, 3600] seconds.");
        }

        if (size is < 8 or > 256 || size % 2 != 0)
        {
            throw new ArgumentException("--size must be an even number of pixels in 8..256.");
        }

        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        long durationUs = checked((long)Math.Round(seconds * 1e6));
        var setup = Stopwatch.StartNew();
        List<DvsEvent> events = MovingBarScene.Generate(size, size, durationUs, sweepUs: 200_000, noiseHz: 2.0, seed);
        NetworkSpec network = BuildNetwork(size, seed);
        long clockNeurons = mode == "clock" ? network.Populations.Where(p => p.Model is not null).Sum(p => (long)p.Size) : 0;
        using DeviceSelection device = DeviceOption.Select(deviceName, clockNeurons, error);
        using ISimulationEngineHandle handle = CreateEngine(network, mode, device.Device);
        ISimulationEngine engine = handle.Engine;
        var recorder = new SpikeRecorder(1 << 16);
        int[] sizes = [.. network.Populations.Select(p => p.Size)];
        var rates = new PopulationRateMonitor(sizes, SimDuration.FromMilliseconds(10L));
        engine.AddSpikeMonitor(recorder);
        engine.AddSpikeMonitor(rates);
        setup.Stop();

        var loop = Stopwatch.StartNew();
        const long ChunkUs = 10_000;
        int next = 0;
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
                    while (next < events.Count && events[next].T < end)
                    {
                        DvsEvent e = events[next++];
                        engine.InjectEvent(SimTime.FromMicroseconds(e.T), 0, inputShape.IndexOf(e.P, e.Y, e.X));
                    }

                    engine.RunUntil(SimTime.FromMicroseconds(end));
                    task.Value = end;
                    if (end == durationUs)
                    {
                        break;
                    }
                }
            });
        loop.Stop();

        outDir.Create();
        string png = Path.Combine(outDir.FullName, "raster.png");
        string csv = Path.Combine(outDir.FullName, "spikes.csv");
        MonitorCsv.WriteSpikes(recorder, csv, includePopulation: true);
        RasterPlot.SavePng(recorder, png, new RasterPlotOptions
        {
            Title = $"Moving bar, {size}x{size} DVS → spiking network ({mode}-driven)",
            PopulationSizes = sizes,
            PopulationNames = [.. network.Populations.Select(p => p.Name)],
        });

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
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"input events: {events.Count}, spikes (inputs included): {engine.SpikeCount}, device: {(mode == "clock" ? device.Name : "none (event-driven)")}"));
        console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"simulated {seconds} s in {loop.Elapsed.TotalSeconds:F3} s ({seconds / loop.Elapsed.TotalSeconds:F1}x real time; setup {setup.Elapsed.TotalSeconds:F3} s)"));
        console.WriteLine($"raster: {png}");
        console.WriteLine($"spikes: {csv}");
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
        => new EngineHandle(new SimulationEngine(network, new EngineOptions { Execution = mode == "clock" ? ExecutionChoice.Clock : ExecutionChoice.Event, Device = device }));

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
