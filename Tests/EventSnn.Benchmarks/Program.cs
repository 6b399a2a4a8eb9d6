using BenchmarkDotNet.Running;

namespace EventSnn.Benchmarks;

/// <summary>Entry point: runs the BenchmarkDotNet suites selected on the command line.</summary>
public static class Program
{
    /// <summary>Runs the benchmark switcher.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
