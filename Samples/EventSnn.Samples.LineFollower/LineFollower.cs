using System.Globalization;
using EventSnn.Datasets.Emulation;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Embedding;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using ScottPlot;

namespace EventSnn.Samples.LineFollower;

/// <summary>Settings of <see cref="LineFollowerRunner.Run"/>. Lengths in metres, speeds in metres (radians) per second.</summary>
public sealed record LineFollowerOptions
{
    /// <summary>Control ticks of 1 ms (default 8 000: 8 s).</summary>
    public int Ticks { get; init; } = 8_000;

    /// <summary>The vehicle's forward speed (default 0.3 m/s).</summary>
    public double Speed { get; init; } = 0.3;

    /// <summary>The track's mean radius R (default 1 m); the track is the closed curve r(θ) = R·(1 + A·sin 3θ).</summary>
    public double TrackRadius { get; init; } = 1.0;

    /// <summary>The track's wobble A (default 0.1).</summary>
    public double TrackWobble { get; init; } = 0.1;

    /// <summary>The width of the dashed line (default 3 cm).</summary>
    public double LineWidth { get; init; } = 0.03;

    /// <summary>Camera pixels per side (default 32).</summary>
    public int CameraPixels { get; init; } = 32;

    /// <summary>The ground length one camera pixel sees (default 1 cm).</summary>
    public double PixelSize { get; init; } = 0.01;

    /// <summary>How far ahead of the vehicle the centre of the camera's (downward) view lies (default 0.2 m).</summary>
    public double LookAhead { get; init; } = 0.2;

    /// <summary>Turn rate at full steering command (default 4 rad/s).</summary>
    public double SteeringGain { get; init; } = 4;

    /// <summary>Distance between the two wheels (default 0.15 m), for the wheel speeds.</summary>
    public double WheelBase { get; init; } = 0.15;

    /// <summary>Ignore the network and drive straight (a control run showing that steering is needed).</summary>
    public bool OpenLoop { get; init; }

    /// <summary>Where to write the trajectory PNG (null: none).</summary>
    public string? PngPath { get; init; }
}

/// <summary>What a run measured.</summary>
/// <param name="Ticks">Ticks run.</param>
/// <param name="MaxTrackError">Largest distance between the vehicle and the line, m.</param>
/// <param name="MeanTrackError">Mean distance between the vehicle and the line, m.</param>
/// <param name="ViewHalfWidth">Half the width of ground the camera sees, m: the line stays in view while the error at the look-ahead point is below it.</param>
/// <param name="Progress">Length of track covered (the nearest track point's advance), m.</param>
/// <param name="Travelled">Length the vehicle drove, m.</param>
/// <param name="CameraEvents">Events the emulated camera produced.</param>
/// <param name="MotorSpikes">Spikes of the motor populations.</param>
/// <param name="MaxWheelSpeed">Largest wheel speed commanded, m/s.</param>
/// <param name="PngPath">The trajectory PNG, or null.</param>
public sealed record LineFollowerResult(int Ticks, double MaxTrackError, double MeanTrackError, double ViewHalfWidth, double Progress, double Travelled, long CameraEvents, long MotorSpikes, double MaxWheelSpeed, string? PngPath)
{
    /// <summary>
    /// Whether the vehicle followed the line: it never got farther from it than the camera's half view (so the line
    /// never left the view) and it covered at least 90% of the distance it drove along the track (it did not turn back
    /// or circle).
    /// </summary>
    public bool StayedOnLine => MaxTrackError < ViewHalfWidth && Progress >= 0.9 * Travelled;
}

/// <summary>
/// Closed-loop line following: a differential-drive vehicle carries a downward-looking camera emulated by
/// <see cref="DvsEmulator"/> (the dashes of the line passing under it make the events); every 1 ms the events go into a
/// spiking network through <see cref="NetworkStepper"/> (left and right image halves drive "left" and "right" motor
/// populations that inhibit each other), the decoded motor rates give a steering command, and the command sets the two
/// wheel speeds for the next millisecond.
/// </summary>
public static class LineFollowerRunner
{
    private const int TrackSamples = 4096;
    private const int Dashes = 150;
    private const long TickUs = 1000;

    /// <summary>Runs the vehicle.</summary>
    /// <param name="options">Settings.</param>
    /// <returns>What was measured.</returns>
    public static LineFollowerResult Run(LineFollowerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Ticks, 1, nameof(options.Ticks));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.CameraPixels, 4, nameof(options.CameraPixels));
        int n = options.CameraPixels;
        double r0 = options.TrackRadius;
        double wobble = options.TrackWobble;

        // The track as a polyline, for the error and progress measures.
        var trackX = new double[TrackSamples + 1];
        var trackY = new double[TrackSamples + 1];
        for (int i = 0; i <= TrackSamples; i++)
        {
            double th = 2 * Math.PI * i / TrackSamples;
            double r = TrackRadiusAt(r0, wobble, th);
            trackX[i] = r * Math.Cos(th);
            trackY[i] = r * Math.Sin(th);
        }

        // Start on the line at θ = 0, heading along it (counter-clockwise).
        double x = TrackRadiusAt(r0, wobble, 0), y = 0;
        double heading = Math.Atan2(TrackRadiusAt(r0, wobble, 0), 3 * r0 * wobble);

        var sensor = new SensorSize(n, n);
        var emulator = new DvsEmulator(sensor, new DvsEmulatorOptions { OnThreshold = 0.2, OffThreshold = 0.2, LogEpsilon = 1e-3 });
        var frame = new float[n * n];
        var events = new EventArray(sensor, 4096);
        var buffer = new DvsEvent[4096];
        using var stepper = new NetworkStepper(BuildNetwork(n), new StepperOptions { Outputs = ["left", "right"], CameraInput = "dvs" }, new EngineOptions { Threads = 1 });
        int[] counts = new int[stepper.OutputCount];
        float[] rates = new float[stepper.DecodedCount];
        int half = stepper.OutputCount / 2;

        Render(frame, n, options, x, y, heading);
        emulator.AddFrame(0, frame, events);
        events.Clear();

        var pathX = new List<double>(options.Ticks + 1) { x };
        var pathY = new List<double>(options.Ticks + 1) { y };
        double dt = TickUs * 1e-6;
        double maxError = 0, sumError = 0, travelled = 0, maxWheel = 0;
        long cameraEvents = 0, motorSpikes = 0;
        int nearest = Nearest(trackX, trackY, x, y, 0, TrackSamples);
        long progressSamples = 0;
        for (int tick = 0; tick < options.Ticks; tick++)
        {
            // Actuators: the steering command of the previous tick sets the wheel speeds for this one.
            double left = 0, right = 0;
            for (int k = 0; k < half; k++)
            {
                left += rates[k];
                right += rates[half + k];
            }

            double command = options.OpenLoop || left + right == 0 ? 0 : (left - right) / (left + right);
            double omega = options.SteeringGain * command;
            double vLeft = options.Speed - (omega * options.WheelBase / 2), vRight = options.Speed + (omega * options.WheelBase / 2);
            maxWheel = Math.Max(maxWheel, Math.Max(Math.Abs(vLeft), Math.Abs(vRight)));
            double v = (vLeft + vRight) / 2;
            x += v * Math.Cos(heading) * dt;
            y += v * Math.Sin(heading) * dt;
            heading += (vRight - vLeft) / options.WheelBase * dt;
            travelled += Math.Abs(v) * dt;
            pathX.Add(x);
            pathY.Add(y);

            // The camera sees the ground from the new pose; the emulator turns the change into events of (t − 1 ms, t].
            long t = (tick + 1) * TickUs;
            Render(frame, n, options, x, y, heading);
            events.Clear();
            int m = emulator.AddFrame(t, frame, events);
            if (m > buffer.Length)
            {
                Array.Resize(ref buffer, Math.Max(m, buffer.Length * 2));
            }

            for (int i = 0; i < m; i++)
            {
                buffer[i] = events[i];
            }

            cameraEvents += m;
            stepper.Step(SimTime.FromMicroseconds(t), buffer.AsSpan(0, m), counts, rates);
            foreach (int c in counts)
            {
                motorSpikes += c;
            }

            // Measures: distance to the line and advance of the nearest track point (searched near the last one).
            int next = Nearest(trackX, trackY, x, y, nearest - 64, nearest + 64);
            int step = next - nearest;
            step -= TrackSamples * (int)Math.Round(step / (double)TrackSamples);
            progressSamples += step;
            nearest = next;
            double error = DistanceToTrack(trackX, trackY, x, y, nearest);
            maxError = Math.Max(maxError, error);
            sumError += error;
        }

        double perimeter = 0;
        for (int i = 0; i < TrackSamples; i++)
        {
            perimeter += Math.Sqrt(Math.Pow(trackX[i + 1] - trackX[i], 2) + Math.Pow(trackY[i + 1] - trackY[i], 2));
        }

        if (options.PngPath is { } png)
        {
            SavePng(png, trackX, trackY, pathX, pathY, options);
        }

        return new LineFollowerResult(
            options.Ticks,
            maxError,
            sumError / options.Ticks,
            n * options.PixelSize / 2,
            progressSamples * perimeter / TrackSamples,
            travelled,
            cameraEvents,
            motorSpikes,
            maxWheel,
            options.PngPath);
    }

    /// <summary>DVS (2 × N × N) → "left" and "right" LIF populations of 8, each seeing one half of the image, with mutual inhibition.</summary>
    /// <param name="n">Camera pixels per side.</param>
    public static NetworkSpec BuildNetwork(int n)
    {
        var shape = new PopulationShape(2, n, n);
        var preLeft = new List<int>();
        var postLeft = new List<int>();
        var preRight = new List<int>();
        var postRight = new List<int>();
        for (int c = 0; c < 2; c++)
        {
            for (int row = 0; row < n; row++)
            {
                for (int col = 0; col < n; col++)
                {
                    bool isLeft = col < n / 2;
                    (isLeft ? preLeft : preRight).Add(shape.IndexOf(c, row, col));
                    (isLeft ? postLeft : postRight).Add(row * 8 / n);
                }
            }
        }

        static void Lif(PopulationOptions p) => p.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).Set("t_ref", 1).EventDriven();
        return new NetworkBuilder()
            .AddExternalInput("dvs", shape)
            .AddNeurons("left", 8, NeuronModel.Lif, Lif)
            .AddNeurons("right", 8, NeuronModel.Lif, Lif)
            .Connect("dvs", "left", ConnectivitySpec.Explicit([.. preLeft], [.. postLeft]), c => c.Weight(3).Delay(SimDuration.FromMicroseconds(200)))
            .Connect("dvs", "right", ConnectivitySpec.Explicit([.. preRight], [.. postRight]), c => c.Weight(3).Delay(SimDuration.FromMicroseconds(200)))
            .Connect("left", "right", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("right", "left", ConnectivitySpec.AllToAll(), c => c.Weight(-2).Delay(SimDuration.FromMicroseconds(500)))
            .Build();
    }

    private static double TrackRadiusAt(double r0, double wobble, double theta) => r0 * (1 + (wobble * Math.Sin(3 * theta)));

    /// <summary>
    /// The camera's view: row 0 is the farthest ground row, column 0 the leftmost; each pixel averages 2 × 2 samples of
    /// the ground (bright dashes of the line on a dark floor).
    /// </summary>
    private static void Render(float[] frame, int n, LineFollowerOptions o, double x, double y, double heading)
    {
        double fx = Math.Cos(heading), fy = Math.Sin(heading);
        double rx = Math.Sin(heading), ry = -Math.Cos(heading);
        double centre = (n - 1) / 2.0;
        for (int row = 0; row < n; row++)
        {
            for (int col = 0; col < n; col++)
            {
                double sum = 0;
                for (int s = 0; s < 4; s++)
                {
                    double forward = o.LookAhead + ((centre - row + ((s >> 1) - 0.5) * 0.5) * o.PixelSize);
                    double lateral = (col - centre + (((s & 1) - 0.5) * 0.5)) * o.PixelSize;
                    sum += Ground(o, x + (forward * fx) + (lateral * rx), y + (forward * fy) + (lateral * ry));
                }

                frame[(row * n) + col] = (float)(sum / 4);
            }
        }
    }

    private static double Ground(LineFollowerOptions o, double px, double py)
    {
        double th = Math.Atan2(py, px);
        double rho = Math.Sqrt((px * px) + (py * py));
        double d = Math.Abs(rho - TrackRadiusAt(o.TrackRadius, o.TrackWobble, th));
        if (d > o.LineWidth / 2)
        {
            return 0.1;
        }

        double phase = (th + Math.PI) * Dashes / (2 * Math.PI);
        return phase - Math.Floor(phase) < 0.5 ? 0.9 : 0.1;
    }

    private static int Nearest(double[] tx, double[] ty, double x, double y, int from, int to)
    {
        int best = 0;
        double bestD = double.MaxValue;
        for (int j = from; j < to; j++)
        {
            int i = ((j % TrackSamples) + TrackSamples) % TrackSamples;
            double d = ((tx[i] - x) * (tx[i] - x)) + ((ty[i] - y) * (ty[i] - y));
            if (d < bestD)
            {
                bestD = d;
                best = i;
            }
        }

        return best;
    }

    /// <summary>The distance to the track's segments within 64 samples of <paramref name="near"/> (the nearest sample).</summary>
    private static double DistanceToTrack(double[] tx, double[] ty, double x, double y, int near)
    {
        double best = double.MaxValue;
        for (int j = near - 64; j < near + 64; j++)
        {
            int i = ((j % TrackSamples) + TrackSamples) % TrackSamples;
            double ax = tx[i], ay = ty[i], bx = tx[i + 1], by = ty[i + 1];
            double dx = bx - ax, dy = by - ay;
            double u = Math.Clamp((((x - ax) * dx) + ((y - ay) * dy)) / ((dx * dx) + (dy * dy)), 0, 1);
            double ex = ax + (u * dx) - x, ey = ay + (u * dy) - y;
            best = Math.Min(best, (ex * ex) + (ey * ey));
        }

        return Math.Sqrt(best);
    }

    private static void SavePng(string path, double[] trackX, double[] trackY, List<double> pathX, List<double> pathY, LineFollowerOptions o)
    {
        var plot = new Plot();
        var track = plot.Add.Scatter(trackX, trackY);
        track.LineWidth = 6;
        track.MarkerSize = 0;
        track.Color = Colors.LightGray;
        track.LegendText = "line";
        var vehicle = plot.Add.Scatter(pathX.ToArray(), pathY.ToArray());
        vehicle.LineWidth = 2;
        vehicle.MarkerSize = 0;
        vehicle.Color = o.OpenLoop ? Colors.OrangeRed : Colors.Blue;
        vehicle.LegendText = o.OpenLoop ? "vehicle (open loop)" : "vehicle";
        var start = plot.Add.Marker(pathX[0], pathY[0]);
        start.LegendText = "start";
        double extent = (o.TrackRadius * (1 + Math.Abs(o.TrackWobble))) + 0.2;
        foreach (double v in pathX.Concat(pathY))
        {
            extent = Math.Max(extent, Math.Abs(v) + 0.1);
        }

        plot.Axes.SetLimits(-extent, extent, -extent, extent);
        plot.Title(string.Create(CultureInfo.InvariantCulture, $"Line following with a DVS camera, {pathX.Count - 1} ms at {o.Speed:F2} m/s"));
        plot.XLabel("x (m)");
        plot.YLabel("y (m)");
        plot.ShowLegend(Edge.Right);
        string? dir = Path.GetDirectoryName(Path.GetFullPath(path));
        if (dir is not null)
        {
            Directory.CreateDirectory(dir);
        }

        plot.SavePng(path, 800, 680);
    }
}
