using System.Globalization;
using BenchmarkDotNet.Running;

namespace EventSnn.Benchmarks;

/// <summary>Entry point: runs the BenchmarkDotNet suites selected on the command line, or <c>step-latency [TICKS] [clock|clock:DT_US|event ...]</c>.</summary>
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

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
