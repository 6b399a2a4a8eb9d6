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
/// The robotics workload of the embedding stepper: 1 000 external sources → 10 000 event-driven LIF neurons (fan-out 10
/// per input event, recurrent inhibition p = 0.001) → 100 motor neurons; 1 000 input events per 1 ms tick (1 M events/s)
/// at pseudo-random times and sources, generated into a reused buffer.
/// </summary>
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
    public StepperWorkload()
    {
        static void Lif(PopulationOptions p) => p.Set("tau_m", 10).Set("v_rest", 0).Set("v_thresh", 10).Set("v_reset", 0).Set("t_ref", 2).EventDriven();
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(Inputs))
            .AddNeurons("lif", Neurons, NeuronModel.Lif, Lif)
            .AddNeurons("motor", 100, NeuronModel.Lif, Lif)
            .Connect("in", "lif", ConnectivitySpec.FixedProbability(10.0 / Neurons, 3), c => c.Weight(0.8f).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("lif", "lif", ConnectivitySpec.FixedProbability(0.001, 4, allowSelf: false), c => c.Weight(-1).Delay(SimDuration.FromMilliseconds(2L)))
            .Connect("lif", "motor", ConnectivitySpec.FixedProbability(0.01, 5), c => c.Weight(0.5f).Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
        _input = net.Population("in").Id;
        Stepper = new NetworkStepper(net, new StepperOptions { Outputs = ["motor"] }, new EngineOptions { Threads = 1 });
        _counts = new int[Stepper.OutputCount];
        _decoded = new float[Stepper.DecodedCount];
    }

    /// <summary>The stepper.</summary>
    public NetworkStepper Stepper { get; }

    /// <summary>Motor spikes in the last tick.</summary>
    public int LastMotorSpikes { get; private set; }

    /// <summary>Generates one tick of input and steps the network to its end.</summary>
    public void Tick()
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

        _tick++;
        Stepper.Step(SimTime.FromTicks(_tick * s_tick), inputs, _counts, _decoded);
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
/// One 1 ms tick of the robotics workload (<see cref="StepperWorkload"/>) per operation after 3 s of warm-up;
/// <c>[MemoryDiagnoser]</c> shows the bytes a tick allocates (expected: none).
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*StepperBenchmarks*'</c>; the
/// per-tick latency distribution (p50/p99/p99.9/max): <c>-- step-latency [TICKS]</c>.
/// </summary>
[MemoryDiagnoser]
public class StepperBenchmarks
{
    private StepperWorkload _workload = null!;

    /// <summary>Builds the workload and runs 3 000 ticks of warm-up.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new StepperWorkload();
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
/// The per-tick latency distribution of the robotics workload: each tick timed alone (Stopwatch) after a warm-up, and
/// the bytes allocated by the measured ticks (GC.GetAllocatedBytesForCurrentThread).
/// </summary>
public static class StepLatency
{
    /// <summary>Runs the measurement and prints one line of results.</summary>
    /// <param name="ticks">Measured ticks (after 3 000 warm-up ticks).</param>
    /// <returns>The exit code (1 when the measured ticks allocated).</returns>
    public static int Run(int ticks)
    {
        using var workload = new StepperWorkload();
        for (int k = 0; k < StepperWorkload.WarmupTicks; k++)
        {
            workload.Tick();
        }

        long[] elapsed = new long[ticks];
        long spikes = workload.Stepper.Engine.SpikeCount;
        long events = workload.Stepper.Engine.EventCount;
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int k = 0; k < ticks; k++)
        {
            long t0 = Stopwatch.GetTimestamp();
            workload.Tick();
            elapsed[k] = Stopwatch.GetTimestamp() - t0;
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        spikes = workload.Stepper.Engine.SpikeCount - spikes;
        events = workload.Stepper.Engine.EventCount - events;
        Array.Sort(elapsed);
        double us = 1e6 / Stopwatch.Frequency;
        double At(double q) => elapsed[Math.Min(elapsed.Length - 1, (int)(q * elapsed.Length))] * us;
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"stepper, {StepperWorkload.Neurons} LIF neurons, {StepperWorkload.EventsPerTick} input events per 1 ms tick, {ticks} ticks after {StepperWorkload.WarmupTicks} warm-up: p50 {At(0.5):F1} us, p99 {At(0.99):F1} us, p99.9 {At(0.999):F1} us, max {elapsed[^1] * us:F1} us; {spikes / (double)ticks:F0} spikes and {events / (double)ticks:F0} queue events per tick; {allocated} B allocated ({allocated / (double)ticks:F1} B per tick)"));
        return allocated == 0 ? 0 : 1;
    }
}
