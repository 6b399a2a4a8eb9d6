using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// Accumulates events into count frames [T, P, H, W] (Tonic <c>ToFrame</c>): the stream is cut by an
/// <see cref="EventSlicer"/> (time window, event count, n time bins or n event bins, with overlap) and each slice's
/// events are counted per (polarity, y, x). With one polarity channel every event goes to channel 0 (polarities
/// merged); otherwise polarity p goes to channel p and must be below the channel count.
/// </summary>
/// <remarks>Reuses its slice list and the output tensor passed in, so steady-state conversion does not allocate.</remarks>
public sealed class ToFrame
{
    private readonly List<EventSliceRange> _slices = [];

    /// <summary>Creates the conversion.</summary>
    /// <param name="slicer">How the stream is cut into frames.</param>
    /// <param name="polarities">Number of polarity channels P (1 merges polarities; Tonic uses the sensor size's third entry).</param>
    public ToFrame(EventSlicer slicer, int polarities = 2)
    {
        ArgumentNullException.ThrowIfNull(slicer);
        ArgumentOutOfRangeException.ThrowIfLessThan(polarities, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(polarities, 256);
        Slicer = slicer;
        Polarities = polarities;
    }

    /// <summary>How the stream is cut.</summary>
    public EventSlicer Slicer { get; }

    /// <summary>Number of polarity channels.</summary>
    public int Polarities { get; }

    /// <summary>The slices of the last conversion.</summary>
    public IReadOnlyList<EventSliceRange> LastSlices => _slices;

    /// <summary>Frames by time windows (Tonic <c>time_window</c>).</summary>
    public static ToFrame ByTimeWindow(long window, long overlap = 0, bool includeIncomplete = false, int polarities = 2) =>
        new(EventSlicer.ByTime(window, overlap, includeIncomplete), polarities);

    /// <summary>Frames by event count (Tonic <c>event_count</c>).</summary>
    public static ToFrame ByEventCount(int count, int overlap = 0, bool includeIncomplete = false, int polarities = 2) =>
        new(EventSlicer.ByEventCount(count, overlap, includeIncomplete), polarities);

    /// <summary>A fixed number of frames over time (Tonic <c>n_time_bins</c>).</summary>
    public static ToFrame ByTimeBins(int bins, double overlap = 0, int polarities = 2) =>
        new(EventSlicer.ByTimeBins(bins, overlap), polarities);

    /// <summary>A fixed number of frames over the event count (Tonic <c>n_event_bins</c>).</summary>
    public static ToFrame ByEventBins(int bins, double overlap = 0, int polarities = 2) =>
        new(EventSlicer.ByEventBins(bins, overlap), polarities);

    /// <summary>
    /// Converts <paramref name="events"/> (time-sorted, inside <see cref="EventArray.Sensor"/>) into frames, written
    /// into <paramref name="output"/> when given (reshaped and reused) or a new tensor.
    /// </summary>
    /// <exception cref="ArgumentException">Events are unsorted, off the sensor, or have a polarity ≥ the channel count.</exception>
    public Tensor4<int> Convert(EventArray events, Tensor4<int>? output = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(ToFrame));
        ReadOnlySpan<byte> ps = events.P;
        if (Polarities > 1)
        {
            for (int i = 0; i < ps.Length; i++)
            {
                if (ps[i] >= Polarities)
                {
                    throw new ArgumentException($"ToFrame: event {i} has polarity {ps[i]} but there are {Polarities} channels.", nameof(events));
                }
            }
        }

        int frames = Slicer.Slice(events.T, _slices);
        SensorSize s = events.Sensor;
        output ??= new Tensor4<int>();
        output.Reshape(frames, Polarities, s.Height, s.Width);
        Span<int> data = output.Span;
        ReadOnlySpan<ushort> xs = events.X;
        ReadOnlySpan<ushort> ys = events.Y;
        int w = s.Width;
        int plane = s.Pixels;
        int frameSize = plane * Polarities;
        bool merge = Polarities == 1;
        for (int f = 0; f < frames; f++)
        {
            EventSliceRange r = _slices[f];
            Span<int> frame = data.Slice(f * frameSize, frameSize);
            for (int i = r.Start; i < r.End; i++)
            {
                int c = merge ? 0 : ps[i];
                frame[(c * plane) + (ys[i] * w) + xs[i]]++;
            }
        }

        return output;
    }
}

/// <summary>
/// Voxel grid with bilinear interpolation in time (Tonic <c>ToVoxelGrid</c>, after E2VID), shape
/// [n_time_bins, 1, H, W]. Times are normalised to <c>τ = n·(t − t_first)/(t_last − t_first)</c>; with
/// <c>i = ⌊τ⌋</c> and <c>d = τ − i</c>, each event adds <c>v·(1 − d)</c> to bin i when i &lt; n and <c>v·d</c> to bin
/// i + 1 when i + 1 &lt; n, where v = −1 for p = 0 and v = p otherwise. As in Tonic the last event (τ = n)
/// contributes nothing. When all events share one time (Tonic divides by zero) every τ is 0.
/// </summary>
public sealed class ToVoxelGrid
{
    /// <summary>Creates the conversion with <paramref name="timeBins"/> bins.</summary>
    public ToVoxelGrid(int timeBins)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeBins, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(timeBins, 1 << 20);
        TimeBins = timeBins;
    }

    /// <summary>Number of time bins.</summary>
    public int TimeBins { get; }

    /// <summary>Converts <paramref name="events"/> (time-sorted, on the sensor) into a voxel grid.</summary>
    public Tensor4<float> Convert(EventArray events, Tensor4<float>? output = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(ToVoxelGrid));
        TransformGuards.CheckSorted(events, nameof(ToVoxelGrid));
        SensorSize s = events.Sensor;
        output ??= new Tensor4<float>();
        output.Reshape(TimeBins, 1, s.Height, s.Width);
        if (events.Count == 0)
        {
            return output;
        }

        Span<float> data = output.Span;
        ReadOnlySpan<long> ts = events.T;
        ReadOnlySpan<ushort> xs = events.X;
        ReadOnlySpan<ushort> ys = events.Y;
        ReadOnlySpan<byte> ps = events.P;
        long t0 = ts[0];
        double span = ts[^1] - t0;
        double scale = span > 0 ? TimeBins / span : 0;
        int plane = s.Pixels;
        int w = s.Width;
        for (int k = 0; k < ts.Length; k++)
        {
            double tau = (ts[k] - t0) * scale;
            int i = (int)tau;
            double d = tau - i;
            double v = ps[k] == 0 ? -1.0 : ps[k];
            int pix = (ys[k] * w) + xs[k];
            if (i < TimeBins)
            {
                data[(i * plane) + pix] += (float)(v * (1 - d));
            }

            if (i + 1 < TimeBins)
            {
                data[((i + 1) * plane) + pix] += (float)(v * d);
            }
        }

        return output;
    }
}

/// <summary>The decay kernel of a time surface.</summary>
public enum TimeSurfaceDecay
{
    /// <summary><c>exp(−Δt/τ)</c>.</summary>
    Exponential = 0,

    /// <summary><c>max(0, 1 − Δt/(3τ))</c> (Tonic's <c>"lin"</c>).</summary>
    Linear,
}

/// <summary>
/// Global time surfaces per polarity (Tonic <c>ToTimesurface</c> with <c>dt</c>, <c>tau</c>): the stream is cut
/// into time windows of <see cref="Dt"/> µs (same rules as <see cref="EventSlicer.ByTime"/>); after each window the
/// surface holds, per (p, y, x), <c>decay(t_ref − t_last)</c> where t_last is the pixel's latest event at or before the
/// window's end and t_ref is the window end (t_first + i·stride + dt; Tonic writes (i + 1)·dt, the same without
/// overlap). Pixels that have not fired yet are 0. Output shape [windows, P, H, W].
/// </summary>
public sealed class ToTimeSurface
{
    private readonly List<EventSliceRange> _slices = [];
    private long[] _memory = [];

    /// <summary>Creates the conversion.</summary>
    /// <param name="dt">Window length in µs.</param>
    /// <param name="tau">Decay time constant in µs (&gt; 0).</param>
    /// <param name="decay">Decay kernel.</param>
    /// <param name="polarities">Polarity channels (1 merges polarities).</param>
    /// <param name="overlap">Window overlap in µs.</param>
    /// <param name="includeIncomplete">Include a last, shorter window.</param>
    public ToTimeSurface(long dt, double tau, TimeSurfaceDecay decay = TimeSurfaceDecay.Exponential, int polarities = 2, long overlap = 0, bool includeIncomplete = false)
    {
        if (!(tau > 0) || double.IsInfinity(tau))
        {
            throw new ArgumentOutOfRangeException(nameof(tau), tau, "tau must be finite and > 0.");
        }

        if (!Enum.IsDefined(decay))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "Unknown decay kernel.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(polarities, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(polarities, 256);
        Slicer = EventSlicer.ByTime(dt, overlap, includeIncomplete);
        Dt = dt;
        Tau = tau;
        Decay = decay;
        Polarities = polarities;
    }

    /// <summary>Window length in µs.</summary>
    public long Dt { get; }

    /// <summary>Decay time constant in µs.</summary>
    public double Tau { get; }

    /// <summary>Decay kernel.</summary>
    public TimeSurfaceDecay Decay { get; }

    /// <summary>Polarity channels.</summary>
    public int Polarities { get; }

    /// <summary>The window slicer.</summary>
    public EventSlicer Slicer { get; }

    /// <summary>Converts <paramref name="events"/> into time surfaces.</summary>
    public Tensor4<float> Convert(EventArray events, Tensor4<float>? output = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(ToTimeSurface));
        ReadOnlySpan<byte> ps = events.P;
        if (Polarities > 1)
        {
            for (int i = 0; i < ps.Length; i++)
            {
                if (ps[i] >= Polarities)
                {
                    throw new ArgumentException($"ToTimeSurface: event {i} has polarity {ps[i]} but there are {Polarities} channels.", nameof(events));
                }
            }
        }

        int windows = Slicer.Slice(events.T, _slices);
        SensorSize s = events.Sensor;
        int plane = s.Pixels;
        int size = plane * Polarities;
        TransformGuards.EnsureLength(ref _memory, size);
        Span<long> mem = _memory.AsSpan(0, size);
        mem.Fill(long.MinValue);
        output ??= new Tensor4<float>();
        output.Reshape(windows, Polarities, s.Height, s.Width);
        ReadOnlySpan<long> ts = events.T;
        ReadOnlySpan<ushort> xs = events.X;
        ReadOnlySpan<ushort> ys = events.Y;
        int w = s.Width;
        int applied = 0;
        bool merge = Polarities == 1;
        for (int k = 0; k < windows; k++)
        {
            EventSliceRange r = _slices[k];
            for (int i = Math.Max(applied, r.Start); i < r.End; i++)
            {
                int c = merge ? 0 : ps[i];
                mem[(c * plane) + (ys[i] * w) + xs[i]] = ts[i];
            }

            applied = Math.Max(applied, r.End);
            long tRef = r.WindowEnd;
            Span<float> surf = output.Slab(k);
            for (int j = 0; j < size; j++)
            {
                long m = mem[j];
                if (m == long.MinValue)
                {
                    continue;
                }

                double dtv = tRef - m;
                surf[j] = Decay == TimeSurfaceDecay.Exponential
                    ? (float)Math.Exp(-dtv / Tau)
                    : (float)Math.Max(0, 1 - (dtv / (3 * Tau)));
            }
        }

        return output;
    }
}
