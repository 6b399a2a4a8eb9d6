using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Embedding;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Benchmarks;

/// <summary>
/// The robotics workload of the embedding stepper: 1 000 external sources → 10 000 LIF neurons (fan-out 10 per input
/// event, recurrent inhibition p = 0.001) → 100 motor neurons; 1 000 input events per 1 ms tick (1 M events/s) at
/// pseudo-random times and sources, generated into a reused buffer.
/// </summary>
/// <remarks>
/// Two declarations of the same network. <b>Clock-driven</b> (what a control loop that needs bounded latency at 1 kHz
/// declares): the LIF and motor populations are <c>ClockDriven(dt)</c> (default dt = 1 ms, the loop's tick), so an input
/// event becomes an add into the population's ring of pending input and each tick costs one integration step of every
/// neuron, whatever the input rate. <b>Event-driven</b>: every neuron is updated exactly at each delivery (exact
/// timing, cost per delivery).
/// </remarks>
public sealed class StepperWorkload : IDisposable
{
    /// <summary>Input sources.</summary>
    public const int Inputs = 1_000;

    /// <summary>Hidden LIF neurons.</summary>
    public const int Neurons = 10_000;

    /// <summary>Input events per tick.</summary>
    public const int EventsPerTick = 1_000;

    /// <summary>Ticks run before anything is measured (the engine's queue reaches its working set).</summary>
    public const int WarmupTicks = 3_000;

    private static readonly long s_tick = SimDuration.FromMilliseconds(1L).Ticks;
    private readonly InputSpike[] _inputs = new InputSpike[EventsPerTick];
    private readonly int[] _counts;
    private readonly float[] _decoded;
    private readonly int _input;
    private ulong _state = 0x9E3779B97F4A7C15;
    private long _tick;

    /// <summary>Builds the network and its stepper (engine threads: 1).</summary>
    /// <param name="clockDt">The clock-driven populations' step; null: every population event-driven.</param>
    public StepperWorkload(SimDuration? clockDt = null)
    {
        ClockDt = clockDt;
        Stepper = new NetworkStepper(Network(clockDt), new StepperOptions { Outputs = ["motor"] }, new EngineOptions { Threads = 1 });
        _input = Stepper.Engine.Network.Population("in").Id;
        _counts = new int[Stepper.OutputCount];
        _decoded = new float[Stepper.DecodedCount];
    }

    /// <summary>The clock-driven step, or null for the event-driven network.</summary>
    public SimDuration? ClockDt { get; }

    /// <summary>The network: clock-driven populations with step <paramref name="clockDt"/>, or event-driven (null).</summary>
    /// <param name="clockDt">The step of the clock-driven populations, or null.</param>
    public static NetworkSpec Network(SimDuration? clockDt)
    {
        void Lif(PopulationOptions p)
        {
            p.Set("tau_m", 10).Set("v_rest", 0).Set("v_thresh", 10).Set("v_reset", 0).Set("t_ref", 2);
            if (clockDt is { } dt)
            {
                p.ClockDriven(dt);
            }
            else
            {
                p.EventDriven();
            }
        }

        return new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(Inputs))
            .AddNeurons("lif", Neurons, NeuronModel.Lif, Lif)
            .AddNeurons("motor", 100, NeuronModel.Lif, Lif)
            .Connect("in", "lif", ConnectivitySpec.FixedProbability(10.0 / Neurons, 3), c => c.Weight(0.8f).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("lif", "lif", ConnectivitySpec.FixedProbability(0.001, 4, allowSelf: false), c => c.Weight(-1).Delay(SimDuration.FromMilliseconds(2L)))
            .Connect("lif", "motor", ConnectivitySpec.FixedProbability(0.01, 5), c => c.Weight(0.5f).Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
    }

    /// <summary>The stepper.</summary>
    public NetworkStepper Stepper { get; }

    /// <summary>Motor spikes in the last tick.</summary>
    public int LastMotorSpikes { get; private set; }

    /// <summary>Generates one tick of input and steps the network to its end.</summary>
    public void Tick()
    {
        NextInputs();
        StepTick();
    }

    /// <summary>
    /// Generates the next tick's input events (what a sensor would hand the loop; not part of the step's latency):
    /// <see cref="EventsPerTick"/> spikes at pseudo-random times within the tick and sources.
    /// </summary>
    public void NextInputs()
    {
        long start = _tick * s_tick;
        InputSpike[] inputs = _inputs;
        for (int k = 0; k < inputs.Length; k++)
        {
            _state ^= _state << 13;
            _state ^= _state >> 7;
            _state ^= _state << 17;
            inputs[k] = new InputSpike(SimTime.FromTicks(start + (long)(_state % (ulong)s_tick)), _input, (int)((_state >> 32) % Inputs));
        }
    }

    /// <summary>Steps the network to the end of the tick with the inputs of the last <see cref="NextInputs"/> and reads the motor counts.</summary>
    public void StepTick()
    {
        _tick++;
        Stepper.Step(SimTime.FromTicks(_tick * s_tick), _inputs, _counts, _decoded);
        int sum = 0;
        foreach (int c in _counts)
        {
            sum += c;
        }

        LastMotorSpikes = sum;
    }

    /// <inheritdoc/>
    public void Dispose() => Stepper.Dispose();
}

/// <summary>
/// One 1 ms tick of the robotics workload (<see cref="StepperWorkload"/>) per operation after 3 s of warm-up, for the
/// clock-driven (dt = 1 ms) and the event-driven declaration; <c>[MemoryDiagnoser]</c> shows the bytes a tick
/// allocates (expected: none).
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*StepperBenchmarks*'</c>; the
/// per-tick latency distribution (p50/p99/p99.9/max): <c>-- step-latency [TICKS]</c>.
/// </summary>
[MemoryDiagnoser]
public class StepperBenchmarks
{
    private StepperWorkload _workload = null!;

    /// <summary>How the network's neuron populations run: <c>clock</c> (dt = 1 ms) or <c>event</c>.</summary>
    [Params("clock", "event")]
    public string Execution { get; set; } = "clock";

    /// <summary>Builds the workload and runs 3 000 ticks of warm-up.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new StepperWorkload(Execution == "clock" ? SimDuration.FromMilliseconds(1L) : null);
        for (int k = 0; k < StepperWorkload.WarmupTicks; k++)
        {
            _workload.Tick();
        }
    }

    /// <summary>Releases the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workload.Dispose();

    /// <summary>One 1 ms tick: 1 000 input events in, network to the tick's end, motor counts and rates out.</summary>
    [Benchmark]
    public int Tick1ms()
    {
        _workload.Tick();
        return _workload.LastMotorSpikes;
    }
}

/// <summary>
/// The per-tick latency distribution of the robotics workload: each tick timed alone after a warm-up, in wall time
/// (Stopwatch) and in the thread's CPU time (<c>CLOCK_THREAD_CPUTIME_ID</c> on Linux: what the tick cost, without the
/// time the thread waited for a core on a shared machine), and the bytes allocated by the measured ticks
/// (GC.GetAllocatedBytesForCurrentThread).
/// </summary>
public static partial class StepLatency
{
    /// <summary>Runs the measurement for each declaration and prints one line of results per declaration.</summary>
    /// <param name="ticks">Measured ticks (after 3 000 warm-up ticks).</param>
    /// <param name="executions">Which declarations: "clock" (dt = 1 ms), "clock:DT_US" (another step, in µs), "event".</param>
    /// <returns>The exit code (1 when the measured ticks allocated).</returns>
    public static int Run(int ticks, IReadOnlyList<string> executions)
    {
        int code = 0;
        foreach (string execution in executions)
        {
            SimDuration? dt = execution switch
            {
                "event" => null,
                "clock" => SimDuration.FromMilliseconds(1L),
                _ when execution.StartsWith("clock:", StringComparison.Ordinal) && long.TryParse(execution.AsSpan(6), NumberStyles.None, CultureInfo.InvariantCulture, out long us) && us > 0
                    => SimDuration.FromMicroseconds(us),
                _ => throw new ArgumentException($"step-latency: unknown network '{execution}' (clock, clock:DT_US or event)"),
            };
            code |= Run(ticks, dt);
        }

        return code;
    }

    private static int Run(int ticks, SimDuration? dt)
    {
        using var workload = new StepperWorkload(dt);

        // The warm-up runs through the same timed loop as the measurement, so that the loop itself is compiled (and the
        // native clock bound) before anything is counted.
        // It lasts at least 2 s: the runtime's tiered compilation recompiles hot methods in the background some 100 ms
        // after their last new call, with profile data, and 3 000 ticks (≈ 0.2 s) can end before it has finished.
        _ = ThreadCpuNanoseconds();
        long warmStart = Stopwatch.GetTimestamp();
        long[] warmElapsed = new long[StepperWorkload.WarmupTicks], warmCpu = new long[StepperWorkload.WarmupTicks];
        do
        {
            _ = Measure(workload, warmElapsed, warmCpu);
        }
        while (Stopwatch.GetElapsedTime(warmStart) < TimeSpan.FromSeconds(2));
        long[] elapsed = new long[ticks];
        long[] cpu = new long[ticks];
        long spikes = workload.Stepper.Engine.SpikeCount;
        long events = workload.Stepper.Engine.EventCount;
        long allocated = Measure(workload, elapsed, cpu);
        double wallMean = elapsed.Average() * 1e6 / Stopwatch.Frequency;
        double cpuMean = cpu.Average() * 1e-3;
        spikes = workload.Stepper.Engine.SpikeCount - spikes;
        events = workload.Stepper.Engine.EventCount - events;
        Array.Sort(elapsed);
        Array.Sort(cpu);
        double us = 1e6 / Stopwatch.Frequency;
        double At(long[] a, double q, double scale) => a[Math.Min(a.Length - 1, (int)(q * a.Length))] * scale;
        string network = dt is { } d ? $"clock-driven dt = {d.Ticks / 1000} us" : "event-driven";
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"stepper, {network}, {StepperWorkload.Neurons} LIF neurons, {StepperWorkload.EventsPerTick} input events per 1 ms tick, {ticks} ticks after {StepperWorkload.WarmupTicks} warm-up: wall mean {wallMean:F1} us, p50 {At(elapsed, 0.5, us):F1} us, p99 {At(elapsed, 0.99, us):F1} us, p99.9 {At(elapsed, 0.999, us):F1} us, max {elapsed[^1] * us:F1} us; thread CPU mean {cpuMean:F1} us, p50 {At(cpu, 0.5, 1e-3):F1} us, p99 {At(cpu, 0.99, 1e-3):F1} us, p99.9 {At(cpu, 0.999, 1e-3):F1} us, max {cpu[^1] * 1e-3:F1} us; {spikes / (double)ticks:F0} spikes and {events / (double)ticks:F0} queue events per tick; {allocated} B allocated ({allocated / (double)ticks:F1} B per tick)"));
        (double floorP50, double floorP99) = MachineFloor(At(elapsed, 0.5, us), ticks);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"  machine: a pure arithmetic loop of the same median length, timed the same way {ticks} times: wall p50 {floorP50:F1} us, p99 {floorP99:F1} us (what the machine adds to any interval of that length)"));
        return allocated == 0 ? 0 : 1;
    }

    /// <summary>
    /// Times <paramref name="count"/> runs of a register-only arithmetic loop calibrated to last about
    /// <paramref name="medianUs"/> µs, and returns their wall p50 and p99 in µs: the latency distribution that the
    /// machine itself (interrupts, a hypervisor's timer) gives an interval of the tick's length, touching no memory.
    /// </summary>
    private static (double P50, double P99) MachineFloor(double medianUs, int count)
    {
        // Calibrate: iterations per µs from the fastest of 20 runs of 100,000 iterations (a fraction of a millisecond each).
        const long Probe = 100_000;
        long best = long.MaxValue;
        for (int k = 0; k < 20; k++)
        {
            long t0 = Stopwatch.GetTimestamp();
            _ = Spin(Probe);
            best = Math.Min(best, Stopwatch.GetTimestamp() - t0);
        }

        double perUs = Probe / (best * 1e6 / Stopwatch.Frequency);
        long iterations = Math.Max(1, (long)(perUs * medianUs));
        long[] elapsed = new long[count];
        for (int k = 0; k < count; k++)
        {
            long t0 = Stopwatch.GetTimestamp();
            _ = Spin(iterations);
            elapsed[k] = Stopwatch.GetTimestamp() - t0;
        }

        Array.Sort(elapsed);
        double us = 1e6 / Stopwatch.Frequency;
        return (elapsed[count / 2] * us, elapsed[Math.Min(count - 1, (int)(0.99 * count))] * us);
    }

    /// <summary>A chain of dependent multiply-adds (no memory traffic), <paramref name="iterations"/> long.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static double Spin(long iterations)
    {
        double x = 1;
        for (long k = 0; k < iterations; k++)
        {
            x = (x * 1.0000001) + 1e-9;
        }

        return x;
    }

    /// <summary>Runs one tick per element of <paramref name="elapsed"/>, timing each step (the input generation is not timed); returns the bytes the ticks allocated.</summary>
    private static long Measure(StepperWorkload workload, long[] elapsed, long[] cpu)
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < elapsed.Length; k++)
        {
            workload.NextInputs();
            long c0 = ThreadCpuNanoseconds();
            long t0 = Stopwatch.GetTimestamp();
            workload.StepTick();
            elapsed[k] = Stopwatch.GetTimestamp() - t0;
            cpu[k] = ThreadCpuNanoseconds() - c0;
        }

        return GC.GetAllocatedBytesForCurrentThread() - before;
    }

    /// <summary>The calling thread's CPU time in ns (0 where the clock is not available).</summary>
    private static long ThreadCpuNanoseconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        const int ClockThreadCpuTimeId = 3;
        return ClockGetTime(ClockThreadCpuTimeId, out TimeSpec ts) == 0 ? (ts.Seconds * 1_000_000_000L) + ts.Nanoseconds : 0;
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, out TimeSpec time);

    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
