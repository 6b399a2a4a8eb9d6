using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Benchmarks;

/// <summary>
/// Clock-driven inference of snnTorch's tutorial network, built through the layer API as a user writes it:
/// 784 inputs → Linear(1000) → Leaky → Linear(10) → Leaky (β = 0.95, θ = 1, subtract reset, PyTorch's default Kaiming
/// uniform weights, no bias), dt = 1 ms, T = 25 steps, batches of 128 rate-coded samples at 20 % density (a Bernoulli
/// draw per input, step and sample, generated in advance: <see cref="Variants"/> batches used in turn).
/// </summary>
public sealed class BatchInferenceWorkload : IDisposable
{
    /// <summary>Inputs (28×28).</summary>
    public const int Inputs = 784;

    /// <summary>Hidden Leaky neurons.</summary>
    public const int Hidden = 1000;

    /// <summary>Output Leaky neurons.</summary>
    public const int Outputs = 10;

    /// <summary>Steps per sample.</summary>
    public const int Steps = 25;

    /// <summary>Input density (probability of a spike per input and step).</summary>
    public const double Density = 0.2;

    /// <summary>Distinct input batches, used in turn.</summary>
    public const int Variants = 4;

    private readonly float[][] _inputs;
    private readonly BatchInput[] _batches;
    private readonly int[] _classes;
    private int _next;

    /// <summary>Builds the network, an engine and a batch of <paramref name="batch"/> members on <paramref name="threads"/> threads.</summary>
    /// <param name="batch">Samples per batch.</param>
    /// <param name="threads">CPU threads.</param>
    public BatchInferenceWorkload(int batch = 128, int threads = 2)
    {
        NeuronModel leaky = NeuronModels.All.First(m => m.Info.Name == "snntorch.leaky");
        var dt = SimDuration.FromMilliseconds(1L);
        void Leaky(PopulationOptions o) => o.Set("beta", 0.95).Set("threshold", 1.0).ClockDriven(dt);
        NetworkSpec net = new Sequential(PopulationShape.Linear(Inputs), "image")
            .Linear(Hidden, init: WeightInit.KaimingUniform(seed: 1, a: Math.Sqrt(5))).Neurons(leaky, Leaky, "hidden")
            .Linear(Outputs, init: WeightInit.KaimingUniform(seed: 2, a: Math.Sqrt(5))).Neurons(leaky, Leaky, "out")
            .Build();
        Engine = new SimulationEngine(net, new EngineOptions { Threads = threads });
        Batch = Engine.CreateBatch(batch);
        var rng = new Random(42);
        _inputs = new float[Variants][];
        _batches = new BatchInput[Variants];
        for (int v = 0; v < Variants; v++)
        {
            _inputs[v] = new float[Steps * batch * Inputs];
            for (int k = 0; k < _inputs[v].Length; k++)
            {
                _inputs[v][k] = rng.NextDouble() < Density ? 1f : 0f;
            }

            _batches[v] = BatchInput.FromDense("image", _inputs[v]);
        }

        _classes = new int[batch];
    }

    /// <summary>The engine.</summary>
    public SimulationEngine Engine { get; }

    /// <summary>The batch.</summary>
    public SimulationBatch Batch { get; }

    /// <summary>Runs the next batch (T steps) and classifies it by output spike count; returns the class of member 0.</summary>
    public int RunBatch()
    {
        Batch.Run(_batches[_next]);
        _next = (_next + 1) % Variants;
        Batch.Classify("out", _classes);
        return _classes[0];
    }

    /// <summary>Hidden spikes per neuron and step in the last batch.</summary>
    public double HiddenDensity()
    {
        long s = 0;
        foreach (int c in Batch.GetSpikeCounts("hidden"))
        {
            s += c;
        }

        return s / ((double)Batch.Members * Hidden * Steps);
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        Batch.Dispose();
        Engine.Dispose();
    }
}

/// <summary>One batch of 128 samples × 25 steps of the 784-1000-10 Leaky network (<see cref="BatchInferenceWorkload"/>).</summary>
[MemoryDiagnoser]
public class BatchInferenceBenchmarks
{
    private BatchInferenceWorkload? _workload;

    /// <summary>CPU threads.</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the workload and runs a warm-up batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        _workload = new BatchInferenceWorkload(128, Threads);
        _workload.RunBatch();
    }

    /// <summary>Releases the workload.</summary>
    [GlobalCleanup]
    public void Cleanup() => _workload?.Dispose();

    /// <summary>One batch: 128 samples, 25 steps.</summary>
    [Benchmark]
    public int Batch128() => _workload!.RunBatch();
}

/// <summary><c>batch-inference [BATCHES] [THREADS]</c>: samples/s (wall and CPU) and bytes allocated per step, as JSON.</summary>
public static class BatchInference
{
    /// <summary>Runs <paramref name="batches"/> batches after a warm-up and prints one JSON object.</summary>
    /// <param name="batches">Measured batches.</param>
    /// <param name="threads">CPU threads.</param>
    /// <returns>The exit code.</returns>
    public static int Run(int batches, int threads)
    {
        using var w = new BatchInferenceWorkload(128, threads);

        // Warm-up: the runtime's tiered compilation allocates while it instruments and recompiles the batch's methods,
        // in the background and some 100 ms after their last new call; one allocation-free batch does not mean it has
        // finished (a run counted its 12,336 B in the measured batches). So: at least 1 s of batches, then until five
        // batches in a row allocate nothing, at most 400 batches.
        long warmStart = Stopwatch.GetTimestamp();
        int clean = 0;
        for (int k = 0; k < 400 && (clean < 5 || Stopwatch.GetElapsedTime(warmStart) < TimeSpan.FromSeconds(1)); k++)
        {
            long before = GC.GetTotalAllocatedBytes(precise: true);
            w.RunBatch();
            clean = GC.GetTotalAllocatedBytes(precise: true) == before ? clean + 1 : 0;
        }

        using var process = Process.GetCurrentProcess();
        process.Refresh();
        TimeSpan cpu0 = process.TotalProcessorTime;
        long bytes0 = GC.GetTotalAllocatedBytes(precise: true);
        long start = Stopwatch.GetTimestamp();
        for (int k = 0; k < batches; k++)
        {
            w.RunBatch();
        }

        TimeSpan elapsed = Stopwatch.GetElapsedTime(start);
        long bytes = GC.GetTotalAllocatedBytes(precise: true) - bytes0;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        double samples = (double)batches * w.Batch.Members;
        FormattableString json = $$"""{"network":"784-1000-10 snntorch.leaky","steps":{{BatchInferenceWorkload.Steps}},"batch":{{w.Batch.Members}},"threads":{{threads}},"batches":{{batches}},"input_density":{{BatchInferenceWorkload.Density}},"hidden_density":{{w.HiddenDensity():F4}},"wall_s":{{elapsed.TotalSeconds:F3}},"cpu_s":{{cpu:F3}},"samples_per_s":{{samples / elapsed.TotalSeconds:F0}},"samples_per_cpu_s":{{samples / cpu:F0}},"allocated_bytes":{{bytes}},"allocated_bytes_per_step":{{bytes / ((double)batches * BatchInferenceWorkload.Steps):F1}}}""";
        Console.WriteLine(json.ToString(CultureInfo.InvariantCulture));
        return 0;
    }
}
