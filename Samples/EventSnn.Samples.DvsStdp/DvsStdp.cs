using System.Diagnostics;
using EventSnn.Datasets.Formats;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Plotting;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Samples.DvsStdp;

/// <summary>Settings of the sample.</summary>
public sealed record DvsStdpOptions
{
    /// <summary>The event file (any format EventSnn reads).</summary>
    public required string File { get; init; }

    /// <summary>Output folder for the PNG files.</summary>
    public string OutDirectory { get; init; } = "dvs-stdp";

    /// <summary>Events to learn from (0: the whole file).</summary>
    public long MaxEvents { get; init; }

    /// <summary>Sensor pixels pooled into one input neuron per axis.</summary>
    public int Pool { get; init; } = 4;

    /// <summary>Learned feature maps (kernels).</summary>
    public int Features { get; init; } = 8;

    /// <summary>Kernel side.</summary>
    public int Kernel { get; init; } = 5;

    /// <summary>Kernel snapshots over the run (rows of the evolution image).</summary>
    public int Snapshots { get; init; } = 8;

    /// <summary>The learning rule of the kernels.</summary>
    public StdpSpec Rule { get; init; } = new(APlus: 0.004, AMinus: 0.003, TauPlusMs: 5, TauMinusMs: 20, WMin: 0, WMax: 1) { Dependence = WeightDependence.SoftBounds };

    /// <summary>Firing threshold of the feature neurons above rest (mV).</summary>
    public double Threshold { get; init; } = 15;

    /// <summary>Seed of the initial kernels.</summary>
    public ulong Seed { get; init; } = 1;
}

/// <summary>What a run did.</summary>
/// <param name="Events">Events fed to the network.</param>
/// <param name="Spikes">Spikes of the feature layer.</param>
/// <param name="SimulatedMs">Recording time covered, ms.</param>
/// <param name="WallSeconds">Wall time of the learning loop.</param>
/// <param name="KernelsPng">The final kernels.</param>
/// <param name="EvolutionPng">Kernel snapshots over time.</param>
/// <param name="KernelChange">Mean absolute change of the kernel weights from their initial values.</param>
public sealed record DvsStdpResult(long Events, long Spikes, double SimulatedMs, double WallSeconds, string KernelsPng, string EvolutionPng, double KernelChange);

/// <summary>
/// Learns convolutional features from a DVS recording with STDP, event by event: every camera event is one spike of an
/// input neuron (polarity × pooled y × pooled x) injected at its own microsecond time; a plastic shared-kernel convolution
/// drives an event-driven LIF feature layer with winner-take-all inhibition across the features at each position.
/// No frames are built at any point.
/// </summary>
public static class DvsStdpLearner
{
    /// <summary>Runs the sample.</summary>
    /// <param name="o">Settings.</param>
    public static DvsStdpResult Run(DvsStdpOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        using IEventReader reader = EventFile.Open(o.File);
        SensorSize sensor = reader.Info.Sensor ?? throw new InvalidDataException($"{o.File}: the sensor size is unknown.");
        int w = (sensor.Width + o.Pool - 1) / o.Pool;
        int h = (sensor.Height + o.Pool - 1) / o.Pool;
        int k = o.Kernel;
        int f = o.Features;
        var rng = new Random((int)o.Seed);
        float[] kernel = [.. Enumerable.Range(0, f * 2 * k * k).Select(_ => (float)(0.2 + (0.6 * rng.NextDouble())))];

        var conv = ConnectivitySpec.Conv2D(kernel, f, 2, k, k, stride: 1, padding: k / 2);
        int oh = conv.OutputHeight(h);
        int ow = conv.OutputWidth(w);

        // Winner-take-all across the features at each position.
        var pre = new List<int>();
        var post = new List<int>();
        int plane = oh * ow;
        for (int pos = 0; pos < plane; pos++)
        {
            for (int a = 0; a < f; a++)
            {
                for (int b = 0; b < f; b++)
                {
                    if (a != b)
                    {
                        pre.Add((a * plane) + pos);
                        post.Add((b * plane) + pos);
                    }
                }
            }
        }

        StdpSpec rule = o.Rule;
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("dvs", new PopulationShape(2, h, w))
            .AddNeurons("features", new PopulationShape(f, oh, ow), NeuronModel.Lif, p => p
                .Set("tau_m", 10).Set("v_rest", 0).Set("v_reset", 0).Set("v_thresh", o.Threshold).Set("t_ref", 5).EventDriven())
            .Connect("dvs", "features", conv, c => c.Named("conv").Delay(SimDuration.FromMicroseconds(1)).Plasticity(rule))
            .Connect("features", "features", ConnectivitySpec.Explicit([.. pre], [.. post]), c => c.Named("wta").Weight(-20).Delay(SimDuration.FromMicroseconds(1)))
            .Build();

        using var engine = new SimulationEngine(net);
        var counter = new Counter();
        engine.AddSpikeMonitor(counter);
        float[] learned = engine.GetPlasticity(0)!.Weights;
        var snapshots = new List<float[]>();
        using var batch = new EventBatch();
        long total = 0;
        long t0 = long.MinValue;
        long last = 0;
        long limit = o.MaxEvents > 0 ? o.MaxEvents : long.MaxValue;
        long every = o.MaxEvents > 0 ? Math.Max(1, o.MaxEvents / o.Snapshots) : 20_000;
        var clock = Stopwatch.StartNew();
        snapshots.Add(Combined(learned, f, k));
        while (total < limit)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            ReadOnlySpan<long> ts = batch.T;
            ReadOnlySpan<ushort> xs = batch.X;
            ReadOnlySpan<ushort> ys = batch.Y;
            ReadOnlySpan<byte> ps = batch.P;
            for (int i = 0; i < ts.Length && total < limit; i++)
            {
                if (t0 == long.MinValue)
                {
                    t0 = ts[i];
                }

                // Microseconds stay exact: tick = (t − t0)·1000 ns; out-of-order events are clamped to the last time.
                long tick = Math.Max(last, (ts[i] - t0) * 1000);
                last = tick;
                int index = ((ps[i] & 1) * h * w) + (Math.Min(ys[i] / o.Pool, h - 1) * w) + Math.Min(xs[i] / o.Pool, w - 1);
                if (tick > engine.Now.Ticks)
                {
                    engine.RunUntil(SimTime.FromTicks(tick - 1));
                }

                engine.InjectEvent(SimTime.FromTicks(tick), 0, index);
                total++;
                if (total % every == 0 && snapshots.Count < o.Snapshots + 1)
                {
                    engine.RunUntil(SimTime.FromTicks(tick));
                    snapshots.Add(Combined(learned, f, k));
                }
            }
        }

        engine.RunUntil(SimTime.FromTicks(last + 1_000_000));
        double seconds = clock.Elapsed.TotalSeconds;
        Directory.CreateDirectory(o.OutDirectory);
        string kernelsPng = Path.Combine(o.OutDirectory, "kernels.png");
        string evolutionPng = Path.Combine(o.OutDirectory, "kernel-evolution.png");
        WeightGridPlot.SavePng(kernelsPng, learned, f * 2, k, k, new WeightGridOptions
        {
            Title = $"{f} learned kernels (ON | OFF) after {total:N0} events",
            Columns = 2,
            Width = 400,
            Height = 200 * f,
        });
        snapshots.Add(Combined(learned, f, k));

        float[] evolution = [.. snapshots.SelectMany(s => s)];
        WeightGridPlot.SavePng(evolutionPng, evolution, snapshots.Count * f, k, k, new WeightGridOptions
        {
            Title = "Kernels (ON − OFF) over the recording, one row per snapshot",
            Columns = f,
            Width = 120 * f,
            Height = 120 * snapshots.Count,
            NormalizeEachTile = false,
        });

        double change = learned.Zip(kernel).Average(p => Math.Abs(p.First - p.Second));
        return new DvsStdpResult(total, counter.Count, last / 1e6, seconds, kernelsPng, evolutionPng, change);
    }

    /// <summary>ON − OFF per kernel: f tiles of k×k.</summary>
    private static float[] Combined(float[] kernel, int f, int k)
    {
        float[] c = new float[f * k * k];
        for (int o = 0; o < f; o++)
        {
            for (int i = 0; i < k * k; i++)
            {
                c[(o * k * k) + i] = kernel[(((o * 2) + 1) * k * k) + i] - kernel[(o * 2 * k * k) + i];
            }
        }

        return c;
    }

    private sealed class Counter : ISpikeMonitor
    {
        public long Count { get; private set; }

        public void OnSpike(SimTime time, int population, int neuron)
        {
            if (population == 1)
            {
                Count++;
            }
        }
    }
}
