using BenchmarkDotNet.Attributes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Benchmarks;

/// <summary>
/// The shipped network files <c>Samples/networks/brette-cuba.json</c>, <c>brette-coba.json</c> (4000 neurons) and
/// <c>brette-cuba-40k.json</c>, loaded and run exactly as a user of the library does (<see cref="NetworkFile.Load"/>, then a
/// <see cref="SimulationEngine"/> over its network with default options, clock-driven as the files declare): 100 steps
/// (10 ms of network time) per operation after a 200 ms warm-up. <c>[MemoryDiagnoser]</c> shows that the steady state
/// allocates nothing per step.
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*NetworkFile*'</c>.
/// </summary>
[MemoryDiagnoser]
public class NetworkFileBenchmarks
{
    private SimulationEngine _engine = null!;

    /// <summary>The network file (in <c>Samples/networks</c>).</summary>
    [Params("brette-cuba.json", "brette-coba.json", "brette-cuba-40k.json")]
    public string File { get; set; } = "brette-cuba.json";

    /// <summary>Loads the file, builds the engine and runs it past the initial transient.</summary>
    [GlobalSetup]
    public void Setup()
    {
        NetworkFile file = NetworkFile.Load(Path.Combine(FindNetworks(), File));
        _engine = new SimulationEngine(file.Network);
        _engine.RunUntil(SimTime.FromMilliseconds(200L));
    }

    /// <summary>Disposes the engine.</summary>
    [GlobalCleanup]
    public void Cleanup() => _engine.Dispose();

    /// <summary>100 steps of 0.1 ms.</summary>
    [Benchmark]
    public long Steps100()
    {
        _engine.RunUntil(_engine.Now + SimDuration.FromMilliseconds(10L));
        return _engine.SpikeCount;
    }

    private static string FindNetworks()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "Samples", "networks");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"Samples/networks not found above {AppContext.BaseDirectory}");
    }
}
