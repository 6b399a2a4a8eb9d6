using System.Diagnostics;
using System.Globalization;
using EventSnn.Events;
using EventSnn.Datasets.Synthetic;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Samples.ControlLoop;

/// <summary>
/// A control loop that embeds a spiking network: every 1 ms tick it feeds the DVS events of that tick into an
/// event-driven network, runs the network up to the end of the tick, and turns the spike counts of two motor
/// populations ("left", "right") into a steering command that follows a dot orbiting in the camera's view.
/// It reports the per-tick latency and the bytes the loop allocated after a warm-up of a quarter of the run: the event
/// queue's buckets reach their working set within the first simulated seconds (a few KB, bounded by the number of
/// radix buckets), after which a tick allocates nothing.
/// </summary>
internal static class Program
{
    private const int Size = 32;
    private const long TickUs = 1000;

    public static int Main(string[] args)
    {
        double seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 2.0;
        long durationUs = (long)(seconds * 1e6);

        // The scene: a dot orbiting the centre of a 32x32 sensor once per second.
        var scene = new RotatingDotOptions
        {
            Sensor = new SensorSize(Size, Size),
            OrbitRadius = 10,
            DotRadius = 4,
            AngularSpeedRadiansPerSecond = 2 * Math.PI,
            DurationUs = durationUs,
            Seed = 7,
        };

        NetworkSpec network = BuildNetwork();
        using var engine = new SimulationEngine(network);
        var motor = new MotorCounter(left: network.Populations.First(p => p.Name == "left").Id, right: network.Populations.First(p => p.Name == "right").Id);
        engine.AddSpikeMonitor(motor);

        using IEventReader camera = SyntheticScenes.OpenRotatingDot(scene);
        using var batch = new EventBatch(4096);
        var pending = new EventBatch(4096);

        long[] latencyTicks = new long[(int)(durationUs / TickUs)];
        const int ReportEvery = 125;
        double[] reportedSteering = new double[latencyTicks.Length / ReportEvery];
        long allocatedBefore = 0;
        double steering = 0;
        int warmupTicks = latencyTicks.Length / 4;
        for (int tick = 0; tick < latencyTicks.Length; tick++)
        {
            if (tick == warmupTicks)
            {
                allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            }

            long start = Stopwatch.GetTimestamp();
            long tickEnd = (tick + 1) * TickUs;

            // Feed every camera event of this tick (events past the tick wait in 'pending').
            FeedUntil(engine, camera, batch, pending, tickEnd);
            engine.RunUntil(SimTime.FromMicroseconds(tickEnd));

            // Steering from the motor populations' spikes in this tick, smoothed.
            (int left, int right) = motor.TakeCounts();
            if (left + right > 0)
            {
                steering = (0.8 * steering) + (0.2 * (right - left) / (double)(left + right));
            }

            latencyTicks[tick] = Stopwatch.GetTimestamp() - start;
            if ((tick + 1) % ReportEvery == 0)
            {
                reportedSteering[tick / ReportEvery] = steering;
            }
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
        Console.WriteLine("   time   dot x - centre   steering (+ = right)");
        for (int i = 0; i < reportedSteering.Length; i++)
        {
            long t = (i + 1) * ReportEvery * TickUs;
            double dotX = SyntheticScenes.RotatingDotCenter(scene, t).X - (Size / 2.0);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{t / 1000,5} ms   {dotX,12:F1}   {reportedSteering[i],10:F2}"));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network spikes (inputs included): {engine.SpikeCount}"));
        Array.Sort(latencyTicks);
        double toUs = 1e6 / Stopwatch.Frequency;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"ticks: {latencyTicks.Length}, latency per tick: median {latencyTicks[latencyTicks.Length / 2] * toUs:F1} us, p99 {latencyTicks[(int)(latencyTicks.Length * 0.99)] * toUs:F1} us, max {latencyTicks[^1] * toUs:F1} us"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes allocated by the loop after warm-up: {allocated}"));
        pending.Dispose();
        return 0;
    }

    /// <summary>DVS (2 x 32 x 32) → "left" and "right" LIF populations, each seeing one half of the sensor.</summary>
    private static NetworkSpec BuildNetwork()
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

        return new NetworkBuilder()
            .AddExternalInput("dvs", shape)
            .AddNeurons("left", 8, NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).Set("t_ref", 1))
            .AddNeurons("right", 8, NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).Set("t_ref", 1))
            .Connect("dvs", "left", ConnectivitySpec.Explicit([.. pre], [.. post]), c => c.Weight(4).Delay(SimDuration.FromTicks(200_000)))
            .Connect("dvs", "right", ConnectivitySpec.Explicit([.. preRight], [.. postRight]), c => c.Weight(4).Delay(SimDuration.FromTicks(200_000)))
            .Connect("left", "right", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromTicks(500_000)))
            .Connect("right", "left", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromTicks(500_000)))
            .Build();
    }

    /// <summary>Injects camera events with t &lt; <paramref name="endUs"/>; keeps later ones for the next tick.</summary>
    private static void FeedUntil(SimulationEngine engine, IEventReader camera, EventBatch batch, EventBatch pending, long endUs)
    {
        while (true)
        {
            if (pending.Count == 0 && camera.ReadBatch(pending) == 0)
            {
                return;
            }

            ReadOnlySpan<long> t = pending.T;
            int due = 0;
            while (due < t.Length && t[due] < endUs)
            {
                due++;
            }

            batch.Clear();
            for (int i = 0; i < due; i++)
            {
                batch.Add(pending[i]);
            }

            ExternalEventMap.Inject(engine, 0, batch);
            if (due < t.Length)
            {
                // Keep the rest (shift left) and stop: the tick is complete.
                batch.Clear();
                for (int i = due; i < t.Length; i++)
                {
                    batch.Add(pending[i]);
                }

                pending.Clear();
                for (int i = 0; i < batch.Count; i++)
                {
                    pending.Add(batch[i]);
                }

                return;
            }

            pending.Clear();
        }
    }

    /// <summary>Counts motor spikes per side without allocating.</summary>
    private sealed class MotorCounter(int left, int right) : ISpikeMonitor
    {
        private int _left;
        private int _right;

        public void OnSpike(SimTime time, int population, int neuron)
        {
            if (population == left)
            {
                _left++;
            }
            else if (population == right)
            {
                _right++;
            }
        }

        public (int Left, int Right) TakeCounts()
        {
            (int, int) counts = (_left, _right);
            _left = 0;
            _right = 0;
            return counts;
        }
    }
}
