using System.CommandLine;
using System.Globalization;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using SkiaSharp;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn view FILE --png OUT.png [--window MS] [--max-frames N] [--format F] [--layout dvs128|davis] [--sensor WxH]
/// [--stream N]</c>: renders accumulated event frames as PNG images.
/// </summary>
/// <remarks>
/// <para>Each pixel counts its ON (p = 1) and OFF (p = 0) events; on a black background ON shows blue, OFF red
/// (both: magenta), each channel's brightness = count / saturation, the saturation being the 99th percentile of
/// the non-zero per-pixel counts of the frame. Small sensors are enlarged by an integer factor so the shorter side
/// is at least 256 pixels. Row 0 is the top row of the image; coordinates are drawn as stored in the file.</para>
/// <para>Without <c>--window</c> all events go into one image, OUT. With <c>--window MS</c> the stream is cut into
/// consecutive windows [t0 + k·MS, t0 + (k + 1)·MS) from the first event's time t0, and window k is written to
/// <c>OUT-stem_kkkk.png</c> (e.g. <c>frames.png</c> → <c>frames_0000.png</c>, <c>frames_0001.png</c>, …); empty
/// windows give black frames so the index stays proportional to time; at most <c>--max-frames</c> are written.
/// Every image is written to a temporary file and moved into place when complete.</para>
/// <para>A first pass finds the events' extent; the sensor is then chosen by <see cref="SensorRules"/> so that it
/// holds every event (the file's size, the dataset's, else the extent, with a note).</para>
/// </remarks>
internal static class ViewCommand
{
    private const long MaxPixels = 1L << 26;

    /// <summary>Creates the <c>view</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File();
        var format = EventFileOptions.Format();
        var layout = EventFileOptions.Layout();
        var sensor = EventFileOptions.Sensor();
        var stream = EventFileOptions.Stream();
        var png = new Option<FileInfo>("--png") { Description = "Output PNG path, ending in .png (with --window: the stem of numbered frames).", Required = true };
        png.Check(f => f.Extension.Equals(".png", StringComparison.OrdinalIgnoreCase) ? null : $"must end in .png (it writes PNG images; got '{f.Name}')");
        var window = new Option<double?>("--window") { Description = "Frame window in milliseconds: one PNG per window (OUT_0000.png, ...)." };
        window.Check(m => m is double v && !(double.IsFinite(v) && v > 0 && v * 1000 <= long.MaxValue / 2)
            ? string.Create(CultureInfo.InvariantCulture, $"must be a positive number of milliseconds (got {v})")
            : null);
        var maxFrames = new Option<int>("--max-frames") { Description = "With --window: the most frames to write (1..100000).", DefaultValueFactory = _ => 100 }
            .InRange(1, 100_000);
        var command = new Command("view", "Render accumulated event frames (ON blue, OFF red) as PNG images.")
        {
            file,
            png,
            window,
            maxFrames,
            format,
            layout,
            sensor,
            stream,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            var options = EventFileOptions.ReaderOptions(parse.GetValue(layout), parse.GetValue(sensor), parse.GetValue(stream));
            string input = CliPaths.RequireInputFile(parse.GetValue(file)!.FullName, "FILE");
            string output = CliPaths.RequireOutputFile(parse.GetValue(png)!.FullName, "--png");
            long? windowUs = parse.GetValue(window) is double m ? Math.Max(1, (long)Math.Round(m * 1000)) : null;
            foreach (string line in Render(input, output, windowUs, parse.GetValue(maxFrames), options, EventFileOptions.ParseFormat(parse.GetValue(format))))
            {
                parse.InvocationConfiguration.Output.WriteLine(line);
            }

            return 0;
        }));
        return command;
    }

    /// <summary>Renders the file; returns one line per written image (and notes).</summary>
    internal static List<string> Render(string input, string output, long? windowUs, int maxFrames, EventReaderOptions options, EventFormat format = EventFormat.Unknown)
    {
        var lines = new List<string>();
        (SensorChoice choice, _) = EventFileOptions.ScanSensor(input, format, options);
        if (choice.Note is string note)
        {
            lines.Add($"note: {note}");
        }

        SensorSize sensor = choice.Sensor ?? new SensorSize(1, 1);
        if ((long)sensor.Width * sensor.Height > MaxPixels)
        {
            throw new InvalidDataException($"{input}: sensor {sensor} is too large to render (more than {MaxPixels} pixels)");
        }

        var frame = new Frame(sensor);
        using IEventReader reader = EventFile.Open(input, format, options);
        using var batch = new EventBatch();
        long? t0 = null;
        long index = 0;
        int written = 0;
        long outside = 0;
        bool full = false;
        while (!full)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            if (n == 0)
            {
                break;
            }

            ReadOnlySpan<long> ts = batch.T;
            ReadOnlySpan<ushort> xs = batch.X;
            ReadOnlySpan<ushort> ys = batch.Y;
            ReadOnlySpan<byte> ps = batch.P;
            for (int i = 0; i < n; i++)
            {
                if (windowUs is long w)
                {
                    t0 ??= ts[i];
                    long k = ts[i] < t0 ? 0 : (ts[i] - t0.Value) / w;
                    while (k > index)
                    {
                        Write(frame, FramePath(output, index), lines);
                        frame.Clear();
                        index++;
                        if (++written == maxFrames)
                        {
                            full = true;
                            break;
                        }
                    }

                    if (full)
                    {
                        break;
                    }
                }

                if (!frame.Add(xs[i], ys[i], ps[i]))
                {
                    outside++;
                }
            }
        }

        if (!full)
        {
            Write(frame, windowUs is null ? output : FramePath(output, index), lines);
            written++;
        }
        else
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"note: stopped after {maxFrames} frame(s) (--max-frames)"));
        }

        if (outside > 0)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"note: {outside} event(s) outside the {sensor} sensor were not drawn"));
        }

        return lines;
    }

    /// <summary>The path of frame <paramref name="index"/>: OUT's stem + <c>_kkkk</c> + extension.</summary>
    internal static string FramePath(string output, long index)
    {
        string dir = Path.GetDirectoryName(output) ?? ".";
        string stem = Path.GetFileNameWithoutExtension(output);
        string ext = Path.GetExtension(output);
        return Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"{stem}_{index:D4}{(ext.Length == 0 ? ".png" : ext)}"));
    }

    private static void Write(Frame frame, string path, List<string> lines)
    {
        byte[] png = frame.ToPng(out int width, out int height);
        AtomicFile.Write(path, "--png", s => s.Write(png));
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"wrote {path} ({width}x{height}, {frame.Events} events)"));
    }

    /// <summary>Per-pixel ON/OFF counts of one frame.</summary>
    private sealed class Frame(SensorSize sensor)
    {
        private readonly int[] _on = new int[sensor.Pixels];
        private readonly int[] _off = new int[sensor.Pixels];

        public long Events { get; private set; }

        public bool Add(int x, int y, byte p)
        {
            if (!sensor.Contains(x, y))
            {
                return false;
            }

            int i = (y * sensor.Width) + x;
            if (p == 0)
            {
                _off[i]++;
            }
            else
            {
                _on[i]++;
            }

            Events++;
            return true;
        }

        public void Clear()
        {
            Array.Clear(_on);
            Array.Clear(_off);
            Events = 0;
        }

        public byte[] ToPng(out int width, out int height)
        {
            int scale = Math.Max(1, (int)Math.Ceiling(256.0 / Math.Min(sensor.Width, sensor.Height)));
            while (scale > 1 && (long)sensor.Width * scale * sensor.Height * scale > MaxPixels)
            {
                scale--;
            }

            width = sensor.Width * scale;
            height = sensor.Height * scale;
            double saturation = Saturation();
            byte[] rgba = new byte[width * height * 4];
            for (int y = 0; y < sensor.Height; y++)
            {
                for (int x = 0; x < sensor.Width; x++)
                {
                    int i = (y * sensor.Width) + x;
                    double on = Math.Min(1, _on[i] / saturation);
                    double off = Math.Min(1, _off[i] / saturation);
                    byte r = (byte)Math.Round(Math.Min(255, (255 * off) + (40 * on)));
                    byte g = (byte)Math.Round(Math.Min(255, (140 * on) + (50 * off)));
                    byte b = (byte)Math.Round(Math.Min(255, (255 * on) + (40 * off)));
                    for (int dy = 0; dy < scale; dy++)
                    {
                        int row = ((y * scale) + dy) * width;
                        for (int dx = 0; dx < scale; dx++)
                        {
                            int o = (row + (x * scale) + dx) * 4;
                            rgba[o] = r;
                            rgba[o + 1] = g;
                            rgba[o + 2] = b;
                            rgba[o + 3] = 255;
                        }
                    }
                }
            }

            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque);
            using SKImage image = SKImage.FromPixelCopy(info, rgba, width * 4)
                ?? throw new InvalidOperationException("Could not create the image.");
            using SKData data = image.Encode(SKEncodedImageFormat.Png, 100)
                ?? throw new InvalidOperationException("Could not encode the PNG.");
            return data.ToArray();
        }

        private double Saturation()
        {
            var counts = new List<int>();
            for (int i = 0; i < _on.Length; i++)
            {
                int c = Math.Max(_on[i], _off[i]);
                if (c > 0)
                {
                    counts.Add(c);
                }
            }

            if (counts.Count == 0)
            {
                return 1;
            }

            counts.Sort();
            return Math.Max(1, counts[(int)Math.Min(counts.Count - 1, Math.Floor(0.99 * counts.Count))]);
        }
    }
}
