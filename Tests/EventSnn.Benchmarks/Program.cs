using System.Globalization;
using BenchmarkDotNet.Running;

namespace EventSnn.Benchmarks;

/// <summary>Entry point: runs the BenchmarkDotNet suites selected on the command line, <c>step-latency [TICKS] [clock|clock:DT_US|event ...]</c>, <c>batch-inference [BATCHES] [THREADS]</c> or <c>conv-replay NET FILE…</c>.</summary>
public static class Program
{
    /// <summary>Runs the benchmark switcher, or the stepper's per-tick latency distribution.</summary>
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "step-latency")
        {
            int ticks = 10_000;
            if (args.Length > 1 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out ticks) || ticks < 100))
            {
                Console.Error.WriteLine($"step-latency: TICKS must be a whole number of at least 100 (got '{args[1]}')");
                return 2;
            }

            string[] networks = args.Length > 2 ? args[2..] : ["clock", "event"];
            try
            {
                return StepLatency.Run(ticks, networks);
            }
            catch (ArgumentException ex)
            {
                Console.Error.WriteLine(ex.Message);
                return 2;
            }
        }

        if (args.Length > 0 && args[0] == "batch-inference")
        {
            int batches = 40, threads = 2;
            if ((args.Length > 1 && (!int.TryParse(args[1], NumberStyles.None, CultureInfo.InvariantCulture, out batches) || batches < 1))
                || (args.Length > 2 && (!int.TryParse(args[2], NumberStyles.None, CultureInfo.InvariantCulture, out threads) || threads is < 1 or > 1024)))
            {
                Console.Error.WriteLine("batch-inference: usage: batch-inference [BATCHES ≥ 1] [THREADS 1..1024]");
                return 2;
            }

            return BatchInference.Run(batches, threads);
        }

        if (args.Length > 0 && args[0] == "conv-replay")
        {
            return ConvReplay.Run(args[1..]);
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
