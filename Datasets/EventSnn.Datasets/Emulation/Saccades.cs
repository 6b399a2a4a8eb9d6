using EventSnn.Events;

namespace EventSnn.Datasets.Emulation;

/// <summary>Parameters of <see cref="Saccades.Generate"/>.</summary>
public sealed record SaccadeOptions
{
    /// <summary>
    /// The margin M in pixels around the image (default 3): the sensor is (W + 2M)×(H + 2M), so a 28×28 digit gives
    /// N-MNIST's 34×34.
    /// </summary>
    public int Margin { get; init; } = 3;

    /// <summary>Duration of each of the three saccades in µs (default 100 000, about N-MNIST's).</summary>
    public long SaccadeDurationUs { get; init; } = 100_000;

    /// <summary>Interval between rendered frames in µs (default 1 000).</summary>
    public long FrameIntervalUs { get; init; } = 1_000;

    /// <summary>
    /// The emulator's parameters (default: thresholds 0.5, ε = 0.1, no refractory period or noise, interpolated
    /// times), tuned for intensities in [0, 1] so a full black-to-white edge gives about four events.
    /// </summary>
    public DvsEmulatorOptions Emulator { get; init; } = new() { OnThreshold = 0.5, OffThreshold = 0.5, LogEpsilon = 0.1 };
}

/// <summary>
/// N-MNIST-style saccades: an image is moved over the emulated sensor along a triangle in three straight saccades and
/// the <see cref="DvsEmulator"/> turns the rendered frames into events.
/// </summary>
/// <remarks>
/// <para>The image's top-left corner sits at offset (ox, oy) in a (W + 2M)×(H + 2M) sensor with zero background. The
/// offset runs linearly along the triangle A = (0, 0) → B = (M, 2M) → C = (2M, 0) → A, one leg per saccade, each
/// <see cref="SaccadeOptions.SaccadeDurationUs"/> long (N-MNIST's camera made three ~100 ms saccades on a triangle; the
/// exact path here is our own). Frames are rendered every <see cref="SaccadeOptions.FrameIntervalUs"/> with bilinear
/// sampling of the shifted image (sub-pixel motion), the frame at t = start initialises the emulator, and events
/// fall in (start, start + 3·duration].</para>
/// </remarks>
public static class Saccades
{
    /// <summary>The offset of the image at <paramref name="timeUs"/> after the start (clamped to the path's end).</summary>
    public static (double X, double Y) PathOffset(long timeUs, SaccadeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        double m = options.Margin;
        (double, double)[] v = [(0, 0), (m, 2 * m), (2 * m, 0), (0, 0)];
        long d = options.SaccadeDurationUs;
        long t = Math.Clamp(timeUs, 0, 3 * d);
        int leg = (int)Math.Min(2, t / d);
        double f = (t - (leg * d)) / (double)d;
        return (v[leg].Item1 + ((v[leg + 1].Item1 - v[leg].Item1) * f), v[leg].Item2 + ((v[leg + 1].Item2 - v[leg].Item2) * f));
    }

    /// <summary>
    /// Generates the event stream of three saccades over <paramref name="image"/> (row-major
    /// <paramref name="width"/>×<paramref name="height"/>, intensities in [0, 1]).
    /// </summary>
    /// <exception cref="ArgumentException">The image size does not match or values are not finite and ≥ 0.</exception>
    public static EventArray Generate(ReadOnlySpan<float> image, int width, int height, SaccadeOptions? options = null, long startTimeUs = 0)
    {
        options ??= new SaccadeOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Margin);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.SaccadeDurationUs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.FrameIntervalUs, 1);
        if ((long)width * height != image.Length)
        {
            throw new ArgumentException($"The image has {image.Length} values, not {width}×{height}.", nameof(image));
        }

        if (width + (2 * options.Margin) > 65536 || height + (2 * options.Margin) > 65536)
        {
            throw new ArgumentException("The image plus margins exceeds 65536 pixels on a side.", nameof(image));
        }

        var sensor = new SensorSize(width + (2 * options.Margin), height + (2 * options.Margin));
        var emulator = new DvsEmulator(sensor, options.Emulator);
        var output = new EventArray(sensor);
        float[] frame = new float[sensor.Pixels];
        long total = 3 * options.SaccadeDurationUs;
        for (long t = 0; ; t = Math.Min(total, t + options.FrameIntervalUs))
        {
            (double ox, double oy) = PathOffset(t, options);
            Render(image, width, height, ox, oy, sensor, frame);
            emulator.AddFrame(startTimeUs + t, frame, output);
            if (t == total)
            {
                break;
            }
        }

        return output;
    }

    private static void Render(ReadOnlySpan<float> image, int w, int h, double ox, double oy, SensorSize s, Span<float> frame)
    {
        for (int sy = 0; sy < s.Height; sy++)
        {
            double iy = sy - oy;
            int y0 = (int)Math.Floor(iy);
            double fy = iy - y0;
            for (int sx = 0; sx < s.Width; sx++)
            {
                double ix = sx - ox;
                int x0 = (int)Math.Floor(ix);
                double fx = ix - x0;
                double v = (Sample(image, w, h, x0, y0) * (1 - fx) * (1 - fy))
                    + (Sample(image, w, h, x0 + 1, y0) * fx * (1 - fy))
                    + (Sample(image, w, h, x0, y0 + 1) * (1 - fx) * fy)
                    + (Sample(image, w, h, x0 + 1, y0 + 1) * fx * fy);
                frame[(sy * s.Width) + sx] = (float)v;
            }
        }
    }

    private static float Sample(ReadOnlySpan<float> image, int w, int h, int x, int y) =>
        (uint)x < (uint)w && (uint)y < (uint)h ? image[(y * w) + x] : 0f;
}
