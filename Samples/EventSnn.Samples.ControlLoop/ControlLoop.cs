using System.Diagnostics;
using System.Runtime;
using EventSnn.Datasets.Synthetic;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Embedding;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Samples.ControlLoop;

/// <summary>Settings of <see cref="ControlLoopRunner.Run"/>.</summary>
public sealed record ControlLoopOptions
{
    /// <summary>Loop ticks (1 ms each) to run (default 2 000).</summary>
    public int Ticks { get; init; } = 2_000;

    /// <summary>Ticks run before the allocation and latency measurement starts (default: a quarter of the run, at least 500 when the run allows).</summary>
    public int? WarmupTicks { get; init; }

    /// <summary>Ticks between two lines of the steering report (default 125).</summary>
    public int ReportEvery { get; init; } = 125;
}

/// <summary>One line of the steering report.</summary>
/// <param name="TimeMs">The tick's end, in ms.</param>
/// <param name="DotOffset">The dot's horizontal offset from the sensor centre, in pixels.</param>
/// <param name="Steering">The steering command (+1 right, −1 left).</param>
public readonly record struct SteeringSample(long TimeMs, double DotOffset, double Steering);

/// <summary>What a control-loop run measured.</summary>
/// <param name="Ticks">Ticks run.</param>
/// <param name="MeasuredTicks">Ticks after warm-up (the latency and allocation figures cover these).</param>
/// <param name="AllocatedBytes">Bytes the loop allocated on its thread after warm-up.</param>
/// <param name="MedianUs">Median tick latency, µs.</param>
/// <param name="P99Us">99th-percentile tick latency, µs.</param>
/// <param name="WorstUs">Worst tick latency, µs.</param>
/// <param name="Spikes">Network spikes (inputs included).</param>
/// <param name="MotorSpikes">Spikes of the two motor populations.</param>
/// <param name="Correlation">Pearson correlation of the steering command with the dot's horizontal offset over the measured ticks.</param>
/// <param name="Report">The steering report.</param>
public sealed record ControlLoopResult(int Ticks, int MeasuredTicks, long AllocatedBytes, double MedianUs, double P99Us, double WorstUs, long Spikes, long MotorSpikes, double Correlation, IReadOnlyList<SteeringSample> Report);

/// <summary>
/// A control loop that embeds a spiking network through <see cref="NetworkStepper"/>: every 1 ms tick it hands the DVS
/// events of that tick to the stepper, which runs the network to the tick's end and returns the motor populations'
/// spike counts and decoded rates; the loop turns the rates of "left" and "right" into a steering command that follows a
/// dot orbiting in the camera's view. The loop allocates nothing after warm-up: the scene is read from a preloaded
/// event array into a reused buffer, the stepper writes into preallocated spans, and the engine's queue reuses its
/// storage.
/// </summary>
public static class ControlLoopRunner
{
    /// <summary>The sensor's side, in pixels.</summary>
    public const int Size = 32;

    private const long TickUs = 1000;

    /// <summary>Runs the loop on the calling thread.</summary>
    /// <param name="options">Settings.</param>
    /// <returns>What was measured.</returns>
    public static ControlLoopResult Run(ControlLoopOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        int ticks = options.Ticks;
        ArgumentOutOfRangeException.ThrowIfLessThan(ticks, 1, nameof(options.Ticks));
        int warmup = options.WarmupTicks ?? Math.Min(ticks / 2, Math.Max(500, ticks / 4));
        ArgumentOutOfRangeException.ThrowIfNegative(warmup, nameof(options.WarmupTicks));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(warmup, ticks, nameof(options.WarmupTicks));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.ReportEvery, 1, nameof(options.ReportEvery));

        // The scene: a dot orbiting the centre of a 32x32 sensor once per second, preloaded (a camera driver would
        // hand over each tick's events the same way).
        var scene = new RotatingDotOptions
        {
            Sensor = new SensorSize(Size, Size),
            OrbitRadius = 10,
            DotRadius = 4,
            AngularSpeedRadiansPerSecond = 2 * Math.PI,
            DurationUs = ticks * TickUs,
            Seed = 7,
        };
        EventArray camera = SyntheticScenes.RotatingDot(scene);

        NetworkSpec network = BuildNetwork();
        using var stepper = new NetworkStepper(network, new StepperOptions { Outputs = ["left", "right"], CameraInput = "dvs" }, new EngineOptions { Threads = 1 });
        int[] counts = new int[stepper.OutputCount];
        float[] rates = new float[stepper.DecodedCount];
        var tickEvents = new DvsEvent[Size * Size * 10]; // each pixel changes at most once per 100 µs scene step

        long[] latency = new long[ticks - warmup];
        double[] steeringAt = new double[ticks];
        double[] offsetAt = new double[ticks];
        var report = new List<SteeringSample>((ticks / options.ReportEvery) + 1);
        long allocatedBefore = 0;
        long motorSpikes = 0;
        double steering = 0;
        int cursor = 0;
        GCLatencyMode previousMode = GCSettings.LatencyMode;
        GCSettings.LatencyMode = GCLatencyMode.SustainedLowLatency;
        try
        {
            for (int tick = 0; tick < ticks; tick++)
            {
                if (tick == warmup)
                {
                    allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
                }

                long start = Stopwatch.GetTimestamp();
                long tickEnd = (tick + 1) * TickUs;

                // This tick's camera events: t in [previous end, tick end] (the stepper runs up to and including the end).
                int n = 0;
                ReadOnlySpan<long> t = camera.T;
                while (cursor < t.Length && t[cursor] <= tickEnd && n < tickEvents.Length)
                {
                    tickEvents[n++] = camera[cursor++];
                }

                stepper.Step(SimTime.FromMicroseconds(tickEnd), tickEvents.AsSpan(0, n), counts, rates);

                // Steering from the motor populations' decoded rates (left: outputs 0..7, right: 8..15).
                double left = 0, right = 0;
                for (int k = 0; k < 8; k++)
                {
                    left += rates[k];
                    right += rates[8 + k];
                    motorSpikes += counts[k] + counts[8 + k];
                }

                if (left + right > 0)
                {
                    steering = (right - left) / (left + right);
                }

                long end = Stopwatch.GetTimestamp();
                if (tick >= warmup)
                {
                    latency[tick - warmup] = end - start;
                }

                steeringAt[tick] = steering;
                offsetAt[tick] = SyntheticScenes.RotatingDotCenter(scene, tickEnd).X - (Size / 2.0);
            }
        }
        finally
        {
            GCSettings.LatencyMode = previousMode;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        for (int tick = options.ReportEvery - 1; tick < ticks; tick += options.ReportEvery)
        {
            report.Add(new SteeringSample((tick + 1) * TickUs / 1000, offsetAt[tick], steeringAt[tick]));
        }

        Array.Sort(latency);
        double toUs = 1e6 / Stopwatch.Frequency;
        return new ControlLoopResult(
            ticks,
            latency.Length,
            allocated,
            latency[latency.Length / 2] * toUs,
            latency[Math.Min(latency.Length - 1, (int)(latency.Length * 0.99))] * toUs,
            latency[^1] * toUs,
            stepper.Engine.SpikeCount,
            motorSpikes,
            Correlation(steeringAt.AsSpan(warmup), offsetAt.AsSpan(warmup)),
            report);
    }

    /// <summary>DVS (2 × 32 × 32) → "left" and "right" LIF populations of 8, each seeing one half of the sensor, with mutual inhibition.</summary>
    public static NetworkSpec BuildNetwork()
    {
        var shape = new PopulationShape(2, Size, Size);
        var pre = new List<int>();
        var post = new List<int>();
        var preRight = new List<int>();
        var postRight = new List<int>();
        for (int c = 0; c < 2; c++)
        {
            for (int y = 0; y < Size; y++)
            {
                for (int x = 0; x < Size; x++)
                {
                    // 8 motor neurons per side; each pixel drives the neuron of its row band.
                    int target = y * 8 / Size;
                    (x < Size / 2 ? pre : preRight).Add(shape.IndexOf(c, y, x));
                    (x < Size / 2 ? post : postRight).Add(target);
                }
            }
        }

        static void Lif(PopulationOptions p) => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).Set("t_ref", 1).EventDriven();
        return new NetworkBuilder()
            .AddExternalInput("dvs", shape)
            .AddNeurons("left", 8, NeuronModel.Lif, Lif)
            .AddNeurons("right", 8, NeuronModel.Lif, Lif)
            .Connect("dvs", "left", ConnectivitySpec.Explicit([.. pre], [.. post]), c => c.Weight(4).Delay(SimDuration.FromTicks(200_000)))
            .Connect("dvs", "right", ConnectivitySpec.Explicit([.. preRight], [.. postRight]), c => c.Weight(4).Delay(SimDuration.FromTicks(200_000)))
            .Connect("left", "right", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromTicks(500_000)))
            .Connect("right", "left", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromTicks(500_000)))
            .Build();
    }

    private static double Correlation(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double ma = 0, mb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            ma += a[i];
            mb += b[i];
        }

        ma /= a.Length;
        mb /= b.Length;
        double sab = 0, saa = 0, sbb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }

        return saa == 0 || sbb == 0 ? 0 : sab / Math.Sqrt(saa * sbb);
    }
}
