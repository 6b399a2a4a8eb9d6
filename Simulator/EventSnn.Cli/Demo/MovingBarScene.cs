using EventSnn.Events;

namespace EventSnn.Cli.Demo;

/// <summary>
/// A synthetic event-camera scene generated in code: a vertical bright bar sweeps left to right, then right to left,
/// over a dark background. Each pixel emits an ON event (polarity 1) when the bar's leading edge reaches it and an OFF
/// event (polarity 0) when the trailing edge leaves, with a little timing jitter, plus sparse background noise events.
/// Timestamps are integer microseconds, sorted; the same seed gives the same events.
/// </summary>
internal static class MovingBarScene
{
    /// <summary>Generates the events of <paramref name="durationUs"/> microseconds.</summary>
    /// <param name="width">Sensor width (4..1024).</param>
    /// <param name="height">Sensor height (4..1024).</param>
    /// <param name="durationUs">Scene length in µs (positive).</param>
    /// <param name="sweepUs">Time for the bar to cross the sensor once, in µs.</param>
    /// <param name="noiseHz">Background events per pixel per second.</param>
    /// <param name="seed">Random seed.</param>
    public static List<DvsEvent> Generate(int width, int height, long durationUs, long sweepUs, double noiseHz, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(durationUs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sweepUs, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseHz);
        var rng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        var events = new List<DvsEvent>();
        const int BarWidth = 3;
        double pixelUs = sweepUs / (double)width;
        for (long sweepStart = 0, k = 0; sweepStart < durationUs; sweepStart += sweepUs, k++)
        {
            bool rightward = k % 2 == 0;
            for (int x = 0; x < width; x++)
            {
                // Position of the column along the sweep direction.
                int along = rightward ? x : width - 1 - x;
                double on = sweepStart + (along * pixelUs);
                double off = on + (BarWidth * pixelUs);
                for (int y = 0; y < height; y++)
                {
                    Add(events, on + Jitter(rng, pixelUs), x, y, 1, durationUs);
                    Add(events, off + Jitter(rng, pixelUs), x, y, 0, durationUs);
                }
            }
        }

        if (noiseHz > 0)
        {
            double perUs = noiseHz * width * height / 1e6;
            double t = 0;
            while (true)
            {
                t += -Math.Log(1 - rng.NextDouble()) / perUs;
                if (t >= durationUs)
                {
                    break;
                }

                Add(events, t, rng.Next(width), rng.Next(height), (byte)rng.Next(2), durationUs);
            }
        }

        events.Sort((a, b) => a.T != b.T ? a.T.CompareTo(b.T) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X != b.X ? a.X.CompareTo(b.X) : a.P.CompareTo(b.P));
        return events;
    }

    private static double Jitter(Random rng, double pixelUs) => (rng.NextDouble() - 0.5) * 0.4 * pixelUs;

    private static void Add(List<DvsEvent> events, double t, int x, int y, byte p, long durationUs)
    {
        long us = (long)Math.Round(t);
        if (us >= 0 && us < durationUs)
        {
            events.Add(new DvsEvent(us, (ushort)x, (ushort)y, p));
        }
    }
}
