using System.Globalization;

namespace EventSnn.Samples.LineFollower;

/// <summary>Command line of the line-following sample: <c>[--seconds S] [--out PNG] [--open-loop]</c>.</summary>
public static class Program
{
    /// <summary>Runs the sample with the console.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>0 when the vehicle stayed on the line, 1 when it did not, 2 for bad arguments.</returns>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses <paramref name="args"/>, runs the vehicle and prints what it measured; a bad argument is one line on <paramref name="error"/> and exit code 2.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="output">Where the report goes.</param>
    /// <param name="error">Where errors go.</param>
    /// <returns>The exit code.</returns>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        double seconds = 8;
        string png = "line-follower.png";
        bool openLoop = false;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "-h" or "--help":
                    output.WriteLine("usage: line-follower [--seconds S] [--out PNG] [--open-loop]   (default 8 s, line-follower.png)");
                    return 0;
                case "--seconds" when i + 1 < args.Length:
                    if (!double.TryParse(args[++i], NumberStyles.Float, CultureInfo.InvariantCulture, out seconds) || !(seconds >= 0.001) || seconds > 600)
                    {
                        error.WriteLine($"line-follower: error: --seconds must be a number from 0.001 to 600 (got '{args[i]}')");
                        return 2;
                    }

                    break;
                case "--out" when i + 1 < args.Length:
                    png = args[++i];
                    break;
                case "--open-loop":
                    openLoop = true;
                    break;
                case "--seconds" or "--out":
                    error.WriteLine($"line-follower: error: {args[i]} needs a value");
                    return 2;
                default:
                    error.WriteLine($"line-follower: error: unknown argument '{args[i]}' (usage: line-follower [--seconds S] [--out PNG] [--open-loop])");
                    return 2;
            }
        }

        string? folder = Path.GetDirectoryName(Path.GetFullPath(png));
        if (folder is not null && !Directory.Exists(folder))
        {
            error.WriteLine($"line-follower: error: --out: the folder '{folder}' does not exist");
            return 1;
        }

        LineFollowerResult r = LineFollowerRunner.Run(new LineFollowerOptions { Ticks = (int)Math.Round(seconds * 1000), OpenLoop = openLoop, PngPath = png });
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Ticks} ticks of 1 ms: drove {r.Travelled:F2} m, covered {r.Progress:F2} m of track; distance to the line: mean {r.MeanTrackError * 100:F1} cm, max {r.MaxTrackError * 100:F1} cm (camera half view {r.ViewHalfWidth * 100:F1} cm)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"camera events: {r.CameraEvents}, motor spikes: {r.MotorSpikes}, fastest wheel: {r.MaxWheelSpeed:F2} m/s"));
        output.WriteLine(r.StayedOnLine ? "stayed on the line" : "lost the line");
        output.WriteLine($"trajectory: {r.PngPath}");
        return r.StayedOnLine ? 0 : 1;
    }
}
