using System.Net;
using EventSnn.Datasets.Emulation;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// A finite source that replays events in real time: an event file (<c>file:PATH?speed=X</c>) or the DVS emulator
/// watching a synthetic scene (<c>emulator:?width=W&amp;height=H&amp;frame_us=F&amp;duration_us=D&amp;speed=X</c>).
/// One session per <see cref="Open"/>; it ends with the file (or the emulated duration).
/// </summary>
public sealed class ReplaySource : IEventSource
{
    private readonly EventSourceAddress _address;
    private readonly Func<IEventReader> _open;

    /// <summary>Creates a replay of whatever <paramref name="open"/> reads.</summary>
    /// <param name="name">The source's name.</param>
    /// <param name="open">Opens the reader to replay (called once per session).</param>
    /// <param name="speed">Replay speed factor (1 = real time; 0 = as fast as possible).</param>
    public ReplaySource(string name, Func<IEventReader> open, double speed)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(open);
        _address = EventSourceAddress.Parse(FormattableString.Invariant($"emulator:?speed={speed}"));
        Name = name;
        _open = open;
        Speed = speed;
    }

    private ReplaySource(EventSourceAddress address, Func<IEventReader> open)
    {
        _address = address;
        Name = address.Text;
        _open = open;
        Speed = address.Speed;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The replay speed factor.</summary>
    public double Speed { get; }

    /// <inheritdoc/>
    public bool IsLive => false;

    /// <inheritdoc/>
    public EndPoint? LocalEndPoint => null;

    /// <summary>A paced replay of the event file named by a <c>file:</c> address (any readable format).</summary>
    /// <exception cref="ArgumentException">Not a file address.</exception>
    public static ReplaySource ForFile(EventSourceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Kind != EventSourceKind.File)
        {
            throw new ArgumentException($"'{address.Text}' is not a file: address.", nameof(address));
        }

        var options = new EventReaderOptions { Sensor = address.Sensor };
        return new ReplaySource(address, () => EventFile.Open(address.Path, options));
    }

    /// <summary>
    /// The DVS emulator watching a bright dot that orbits the sensor's centre once per second, rendered every
    /// <c>frame_us</c> µs (default 1000) for <c>duration_us</c> µs (default 0 = endless), on a <c>width</c>×<c>height</c>
    /// sensor (default 64×64), paced at <c>speed</c>.
    /// </summary>
    /// <exception cref="ArgumentException">Not an emulator address.</exception>
    /// <exception cref="FormatException">A setting is out of range.</exception>
    public static ReplaySource ForEmulator(EventSourceAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.Kind != EventSourceKind.Emulator)
        {
            throw new ArgumentException($"'{address.Text}' is not an emulator: address.", nameof(address));
        }

        SensorSize sensor = address.Sensor ?? new SensorSize(64, 64);
        long frameUs = address.GetInt64("frame_us", 1000, 1, 1_000_000);
        long durationUs = address.GetInt64("duration_us", 0, 0, long.MaxValue / 4);
        return new ReplaySource(address, () => new EmulatedEventReader(sensor, OrbitingDot(sensor, frameUs, durationUs), sourceName: address.Text));
    }

    /// <inheritdoc/>
    public IEventReader Open(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        IEventReader reader = _open();
        try
        {
            return new PacedEventReader(reader, Speed, cancellation: cancellationToken);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    /// <summary>Frames of a bright disk (radius a tenth of the smaller side) orbiting the centre once per second; one frame buffer reused.</summary>
    private static IEnumerable<(long TimeUs, float[] Frame)> OrbitingDot(SensorSize sensor, long frameUs, long durationUs)
    {
        int w = sensor.Width, h = sensor.Height;
        float[] frame = new float[w * h];
        double radius = Math.Max(1, Math.Min(w, h) / 10.0);
        double orbit = Math.Min(w, h) / 3.0;
        for (long t = 0; durationUs == 0 || t <= durationUs; t += frameUs)
        {
            double angle = 2 * Math.PI * (t % 1_000_000) / 1e6;
            double cx = (w / 2.0) + (orbit * Math.Cos(angle));
            double cy = (h / 2.0) + (orbit * Math.Sin(angle));
            for (int y = 0; y < h; y++)
            {
                for (int x = 0; x < w; x++)
                {
                    double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                    frame[(y * w) + x] = (dx * dx) + (dy * dy) <= radius * radius ? 1f : 0.1f;
                }
            }

            yield return (t, frame);
        }
    }
}
