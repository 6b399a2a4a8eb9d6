using System.Globalization;

namespace EventSnn.Samples.ControlLoop;

/// <summary>Command line of the control-loop sample: <c>[SECONDS]</c> (default 2).</summary>
public static class Program
{
    /// <summary>The longest run accepted, in seconds.</summary>
    public const double MaxSeconds = 3600;

    /// <summary>Runs the sample with the console.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>0 on success, 2 for bad arguments.</returns>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/>, runs the loop and prints its report; a bad argument is one line on <paramref name="error"/> and exit code 2.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        double seconds = 2.0;
        string? given = null;
        foreach (string arg in args)
        {
            if (arg is "-h" or "--help")
            {
                output.WriteLine("usage: control-loop [SECONDS]   (simulated seconds of 1 ms ticks, default 2, at most 3600)");
                return 0;
            }

            if (arg.StartsWith('-') && !double.TryParse(arg, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            {
                error.WriteLine($"control-loop: error: unknown option '{arg}' (usage: control-loop [SECONDS])");
                return 2;
            }

            if (given is not null)
            {
                error.WriteLine($"control-loop: error: one SECONDS argument expected, got '{given}' and '{arg}'");
                return 2;
            }

            given = arg;
        }

        if (given is not null && (!double.TryParse(given, NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !(seconds >= 0.002) || seconds > MaxSeconds))
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"control-loop: error: SECONDS must be a number from 0.002 to {MaxSeconds} (got '{given}')"));
            return 2;
        }

        ControlLoopResult r = ControlLoopRunner.Run(new ControlLoopOptions { Ticks = (int)Math.Round(seconds * 1000) });
        output.WriteLine("   time   dot x - centre   steering (+ = right)");
        foreach (SteeringSample s in r.Report)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.TimeMs,5} ms   {s.DotOffset,12:F1}   {s.Steering,10:F2}"));
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"network spikes (inputs included): {r.Spikes}, motor spikes: {r.MotorSpikes}, steering/dot correlation: {r.Correlation:F2}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ticks: {r.Ticks} ({r.MeasuredTicks} after warm-up), latency per tick: median {r.MedianUs:F1} us, p99 {r.P99Us:F1} us, worst {r.WorstUs:F1} us"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes allocated by the loop after warm-up: {r.AllocatedBytes}"));
        return 0;
    }
}
