using EventSnn.Events;

namespace EventSnn.Cli.Demo;

/// <summary>
/// A synthetic event-camera scene generated in code: a vertical bright bar sweeps left to right, then right to left,
/// over a dark background. Each pixel emits an ON event (polarity 1) when the bar's leading edge reaches it and an OFF
/// event (polarity 0) when the trailing edge leaves, with a little timing jitter, plus sparse background noise events.
/// Timestamps are integer microseconds, sorted; the same seed gives the same events.
/// </summary>
/// <remarks>
/// The scene is generated one sweep at a time as <see cref="Next"/> asks for later times, so memory holds at most two
/// sweeps' events whatever the duration. Sweeps and noise draw from two generators seeded from <c>seed</c>.
/// </remarks>
internal sealed class MovingBarScene
{
    private const int BarWidth = 3;

    private readonly int _width;
    private readonly int _height;
    private readonly long _durationUs;
    private readonly long _sweepUs;
    private readonly double _pixelUs;
    private readonly double _noisePerUs;
    private readonly Random _sweepRng;
    private readonly Random _noiseRng;
    private readonly List<DvsEvent> _pending = [];
    private int _cursor;
    private long _nextSweep;
    private double _noiseTime;
    private bool _noiseDone;

    /// <summary>Creates the scene.</summary>
    /// <param name="width">Sensor width (4..1024).</param>
    /// <param name="height">Sensor height (4..1024).</param>
    /// <param name="durationUs">Scene length in µs (positive).</param>
    /// <param name="sweepUs">Time for the bar to cross the sensor once, in µs (positive).</param>
    /// <param name="noiseHz">Background events per pixel per second (0 or more).</param>
    /// <param name="seed">Random seed.</param>
    public MovingBarScene(int width, int height, long durationUs, long sweepUs, double noiseHz, ulong seed)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 4);
        ArgumentOutOfRangeException.ThrowIfLessThan(height, 4);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(width, 1024);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(height, 1024);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(durationUs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sweepUs, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(noiseHz);
        _width = width;
        _height = height;
        _durationUs = durationUs;
        _sweepUs = sweepUs;
        _pixelUs = sweepUs / (double)width;
        _noisePerUs = noiseHz * width * height / 1e6;
        _sweepRng = new Random(unchecked((int)seed ^ (int)(seed >> 32)));
        _noiseRng = new Random(unchecked((int)(seed * 0x9E3779B97F4A7C15UL >> 32)));
        _noiseDone = _noisePerUs <= 0;
    }

    /// <summary>Events generated so far but not yet handed out (the scene's memory, in events).</summary>
    public int Buffered => _pending.Count - _cursor;

    /// <summary>Appends to <paramref name="output"/> the events with time before <paramref name="untilUs"/> not handed out yet, in time order.</summary>
    /// <param name="untilUs">The end (exclusive) of the time span to hand out.</param>
    /// <param name="output">Receives the events.</param>
    public void Next(long untilUs, List<DvsEvent> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        untilUs = Math.Min(untilUs, _durationUs);
        bool added = false;

        // A sweep's events start at most 0.2 pixel times before its start; noise is generated up to the sweep's end.
        while (_nextSweep < _durationUs && _nextSweep - _pixelUs < untilUs)
        {
            Compact();
            GenerateSweep(_nextSweep);
            GenerateNoise(Math.Min(_durationUs, _nextSweep + _sweepUs));
            _nextSweep += _sweepUs;
            added = true;
        }

        if (added)
        {
            _pending.Sort(_cursor, _pending.Count - _cursor, EventOrder.Instance);
        }

        while (_cursor < _pending.Count && _pending[_cursor].T < untilUs)
        {
            output.Add(_pending[_cursor++]);
        }
    }

    /// <summary>Generates the events of <paramref name="durationUs"/> microseconds at once (small scenes and tests).</summary>
    public static List<DvsEvent> Generate(int width, int height, long durationUs, long sweepUs, double noiseHz, ulong seed)
    {
        var scene = new MovingBarScene(width, height, durationUs, sweepUs, noiseHz, seed);
        var events = new List<DvsEvent>();
        scene.Next(durationUs, events);
        return events;
    }

    private void Compact()
    {
        if (_cursor > 0)
        {
            _pending.RemoveRange(0, _cursor);
            _cursor = 0;
        }
    }

    private void GenerateSweep(long sweepStart)
    {
        bool rightward = (sweepStart / _sweepUs) % 2 == 0;
        for (int x = 0; x < _width; x++)
        {
            // Position of the column along the sweep direction.
            int along = rightward ? x : _width - 1 - x;
            double on = sweepStart + (along * _pixelUs);
            double off = on + (BarWidth * _pixelUs);
            for (int y = 0; y < _height; y++)
            {
                Add(on + Jitter(), x, y, 1);
                Add(off + Jitter(), x, y, 0);
            }
        }
    }

    private void GenerateNoise(long untilUs)
    {
        while (!_noiseDone)
        {
            double t = _noiseTime + (-Math.Log(1 - _noiseRng.NextDouble()) / _noisePerUs);
            if (t >= _durationUs)
            {
                _noiseDone = true;
                break;
            }

            if (t >= untilUs)
            {
                // Keep the draw: the next call starts from the same point of the noise process.
                _noiseTime = t;
                AddNoise(t);
                return;
            }

            _noiseTime = t;
            AddNoise(t);
        }
    }

    private void AddNoise(double t) => Add(t, _noiseRng.Next(_width), _noiseRng.Next(_height), (byte)_noiseRng.Next(2));

    private double Jitter() => (_sweepRng.NextDouble() - 0.5) * 0.4 * _pixelUs;

    private void Add(double t, int x, int y, byte p)
    {
        long us = (long)Math.Round(t);
        if (us >= 0 && us < _durationUs)
        {
            _pending.Add(new DvsEvent(us, (ushort)x, (ushort)y, p));
        }
    }

    private sealed class EventOrder : IComparer<DvsEvent>
    {
        public static readonly EventOrder Instance = new();

        public int Compare(DvsEvent a, DvsEvent b) =>
            a.T != b.T ? a.T.CompareTo(b.T) : a.Y != b.Y ? a.Y.CompareTo(b.Y) : a.X != b.X ? a.X.CompareTo(b.X) : a.P.CompareTo(b.P);
    }
}
