namespace EventSnn.Events;

/// <summary>
/// An in-memory, growable collection of events stored as a struct of arrays (t, x, y, p) together with
/// the sensor size they belong to. This is the working type of the transforms in
/// <c>EventSnn.Datasets.Transforms</c>: they edit it in place (filters compact it, geometric
/// transforms rewrite columns, resizing transforms change <see cref="Sensor"/>).
/// </summary>
/// <remarks>
/// <para><b>Ownership:</b> the array owns its columns (plain managed arrays, not pooled), so it may be kept,
/// cached and shared freely. It grows by doubling and never shrinks unless <see cref="TrimExcess"/> is called,
/// so a single instance reused across samples (<see cref="Clear"/> then refill) stops allocating once it has
/// reached the largest sample's size.</para>
/// <para>Spans returned by <see cref="T"/>, <see cref="X"/>, <see cref="Y"/> and <see cref="P"/> are valid until the
/// next call that changes the capacity (<see cref="Add(long, ushort, ushort, byte)"/>, <see cref="EnsureCapacity"/>,
/// <see cref="AppendFrom(EventBatch)"/>, ...).</para>
/// <para>Events are usually kept in time order; <see cref="IsSortedByTime"/> checks and
/// <see cref="SortByTime()"/> restores it (stable: equal times keep their relative order).</para>
/// </remarks>
public sealed class EventArray
{
    private long[] _t;
    private ushort[] _x;
    private ushort[] _y;
    private byte[] _p;
    private int[] _perm = [];
    private long[] _st = [];
    private ushort[] _sx = [];
    private ushort[] _sy = [];
    private byte[] _sp = [];
    private SensorSize _sensor;

    /// <summary>Creates an empty array for <paramref name="sensor"/> with room for <paramref name="capacity"/> events.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative.</exception>
    public EventArray(SensorSize sensor, int capacity = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        _sensor = ValidateSensor(sensor, nameof(sensor));
        _t = capacity == 0 ? [] : new long[capacity];
        _x = capacity == 0 ? [] : new ushort[capacity];
        _y = capacity == 0 ? [] : new ushort[capacity];
        _p = capacity == 0 ? [] : new byte[capacity];
    }

    /// <summary>The sensor the coordinates refer to. Transforms that resize or crop change it.</summary>
    /// <exception cref="ArgumentException">Set to the default (0×0) size.</exception>
    public SensorSize Sensor
    {
        get => _sensor;
        set => _sensor = ValidateSensor(value, nameof(value));
    }

    /// <summary>The number of events.</summary>
    public int Count { get; private set; }

    /// <summary>The number of events the columns can hold without growing.</summary>
    public int Capacity => _t.Length;

    /// <summary>Timestamps (µs) of the events (writable).</summary>
    public Span<long> T => _t.AsSpan(0, Count);

    /// <summary>Columns of the events (writable).</summary>
    public Span<ushort> X => _x.AsSpan(0, Count);

    /// <summary>Rows of the events (writable).</summary>
    public Span<ushort> Y => _y.AsSpan(0, Count);

    /// <summary>Polarities of the events (writable).</summary>
    public Span<byte> P => _p.AsSpan(0, Count);

    /// <summary>The event at <paramref name="index"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0..Count−1.</exception>
    public DvsEvent this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));
            return new DvsEvent(_t[index], _x[index], _y[index], _p[index]);
        }
    }

    /// <summary>Creates an array holding <paramref name="events"/> (in the given order).</summary>
    public static EventArray FromEvents(SensorSize sensor, ReadOnlySpan<DvsEvent> events)
    {
        var a = new EventArray(sensor, events.Length);
        foreach (ref readonly DvsEvent e in events)
        {
            a.Add(e.T, e.X, e.Y, e.P);
        }

        return a;
    }

    /// <summary>
    /// Reads every remaining event of <paramref name="reader"/> into a new array. The sensor is
    /// <paramref name="sensor"/> when given, else the reader's <see cref="EventStreamInfo.Sensor"/>.
    /// </summary>
    /// <exception cref="ArgumentException">Neither the caller nor the stream gives a sensor size.</exception>
    public static EventArray ReadAll(IEventReader reader, SensorSize? sensor = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        SensorSize s = sensor ?? reader.Info.Sensor ?? throw new ArgumentException(
            $"{reader.Info.SourceName}: the stream does not state a sensor size; pass one.", nameof(sensor));
        var a = new EventArray(s);
        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            a.AppendFrom(batch);
        }

        return a;
    }

    /// <summary>A read-only view of the events, sliceable by index and time, valid until the capacity changes.</summary>
    public EventSpan AsSpan() => new(T, X, Y, P);

    /// <summary>Removes every event (keeps the memory and the sensor size).</summary>
    public void Clear() => Count = 0;

    /// <summary>Makes sure the columns can hold <paramref name="capacity"/> events (grows by doubling).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="capacity"/> is negative or above 2^30.</exception>
    public void EnsureCapacity(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(capacity);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(capacity, 1 << 30);
        if (capacity <= _t.Length)
        {
            return;
        }

        int n = (int)Math.Max(capacity, Math.Min(1L << 30, Math.Max(16L, _t.Length * 2L)));
        Array.Resize(ref _t, n);
        Array.Resize(ref _x, n);
        Array.Resize(ref _y, n);
        Array.Resize(ref _p, n);
    }

    /// <summary>Appends one event.</summary>
    public void Add(long t, ushort x, ushort y, byte p)
    {
        int i = Count;
        if (i == _t.Length)
        {
            EnsureCapacity(i + 1);
        }

        _t[i] = t;
        _x[i] = x;
        _y[i] = y;
        _p[i] = p;
        Count = i + 1;
    }

    /// <summary>Appends one event.</summary>
    public void Add(in DvsEvent e) => Add(e.T, e.X, e.Y, e.P);

    /// <summary>Appends every event of <paramref name="batch"/>.</summary>
    public void AppendFrom(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        AppendColumns(batch.T, batch.X, batch.Y, batch.P);
    }

    /// <summary>Appends every event of <paramref name="other"/> (its sensor size is not checked).</summary>
    public void AppendFrom(EventArray other)
    {
        ArgumentNullException.ThrowIfNull(other);
        AppendColumns(other.T, other.X, other.Y, other.P);
    }

    /// <summary>
    /// Appends <paramref name="count"/> events of <paramref name="other"/> starting at <paramref name="start"/> (for example
    /// one slice computed by an <c>EventSlicer</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside <paramref name="other"/>.</exception>
    public void AppendFrom(EventArray other, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(other);
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, other.Count - Math.Min(start, other.Count));
        AppendColumns(other.T.Slice(start, count), other.X.Slice(start, count), other.Y.Slice(start, count), other.P.Slice(start, count));
    }

    /// <summary>Appends events given as columns of equal length.</summary>
    /// <exception cref="ArgumentException">The columns differ in length.</exception>
    public void AppendColumns(ReadOnlySpan<long> t, ReadOnlySpan<ushort> x, ReadOnlySpan<ushort> y, ReadOnlySpan<byte> p)
    {
        int n = t.Length;
        if (x.Length != n || y.Length != n || p.Length != n)
        {
            throw new ArgumentException("The t, x, y and p columns must have the same length.", nameof(t));
        }

        EnsureCapacity(Count + n);
        t.CopyTo(_t.AsSpan(Count));
        x.CopyTo(_x.AsSpan(Count));
        y.CopyTo(_y.AsSpan(Count));
        p.CopyTo(_p.AsSpan(Count));
        Count += n;
    }

    /// <summary>
    /// Keeps only the first <paramref name="count"/> events (used by in-place filters that compact the columns).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or above <see cref="Count"/>.</exception>
    public void Truncate(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, Count);
        Count = count;
    }

    /// <summary>
    /// Sets the number of events to <paramref name="count"/>, growing the columns when needed; new slots hold
    /// unspecified values until written through the spans.
    /// </summary>
    public void Resize(int count)
    {
        EnsureCapacity(count);
        Count = count;
    }

    /// <summary>Copies the event at <paramref name="from"/> over the event at <paramref name="to"/>.</summary>
    public void Move(int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)from, (uint)Count, nameof(from));
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)to, (uint)Count, nameof(to));
        _t[to] = _t[from];
        _x[to] = _x[from];
        _y[to] = _y[from];
        _p[to] = _p[from];
    }

    /// <summary>Whether the timestamps never decrease.</summary>
    public bool IsSortedByTime()
    {
        ReadOnlySpan<long> t = T;
        for (int i = 1; i < t.Length; i++)
        {
            if (t[i] < t[i - 1])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Sorts the events by time, stably (events with equal times keep their order). Does nothing when already
    /// sorted; otherwise uses internal scratch buffers that are kept for later calls.
    /// </summary>
    public void SortByTime() => SortByTime(0);

    /// <summary>
    /// Sorts, stably by time, only the events from <paramref name="start"/> to the end (for appending producers whose
    /// earlier events are already in order and not later than the new ones).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="start"/> is not in 0..Count.</exception>
    public void SortByTime(int start)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, Count);
        int n = Count - start;
        bool sorted = true;
        for (int i = start + 1; i < Count; i++)
        {
            if (_t[i] < _t[i - 1])
            {
                sorted = false;
                break;
            }
        }

        if (sorted)
        {
            return;
        }

        if (_perm.Length < n)
        {
            _perm = new int[_t.Length];
        }

        Span<int> perm = _perm.AsSpan(0, n);
        for (int i = 0; i < n; i++)
        {
            perm[i] = start + i;
        }

        perm.Sort(new TimeThenIndexComparer(_t));
        ApplyPermutation(perm, start);
    }

    /// <summary>Copies the events into a new array with the same sensor size (capacity = count).</summary>
    public EventArray Clone()
    {
        var c = new EventArray(_sensor, Count);
        c.AppendFrom(this);
        return c;
    }

    /// <summary>Copies the events into a new <see cref="DvsEvent"/> array (for tests and small data).</summary>
    public DvsEvent[] ToEvents()
    {
        var r = new DvsEvent[Count];
        for (int i = 0; i < r.Length; i++)
        {
            r[i] = new DvsEvent(_t[i], _x[i], _y[i], _p[i]);
        }

        return r;
    }

    /// <summary>Releases memory beyond <see cref="Count"/>.</summary>
    public void TrimExcess()
    {
        Array.Resize(ref _t, Count);
        Array.Resize(ref _x, Count);
        Array.Resize(ref _y, Count);
        Array.Resize(ref _p, Count);
        _perm = [];
        _st = [];
        _sx = [];
        _sy = [];
        _sp = [];
    }

    /// <summary>
    /// Returns a reader over the events, for code that consumes <see cref="IEventReader"/>. The reader reads the
    /// array as it is when each batch is requested; it does not copy it.
    /// </summary>
    /// <param name="sourceName">The stream name reported in <see cref="EventStreamInfo.SourceName"/>.</param>
    /// <param name="format">The format to report (the original file's format when known).</param>
    public IEventReader ToReader(string sourceName = "memory", EventFormat format = EventFormat.Unknown) =>
        new EventArrayReader(this, sourceName, format);

    private void ApplyPermutation(ReadOnlySpan<int> perm, int start)
    {
        int n = perm.Length;
        if (_st.Length < n)
        {
            _st = new long[_t.Length];
            _sx = new ushort[_t.Length];
            _sy = new ushort[_t.Length];
            _sp = new byte[_t.Length];
        }

        for (int i = 0; i < n; i++)
        {
            int j = perm[i];
            _st[i] = _t[j];
            _sx[i] = _x[j];
            _sy[i] = _y[j];
            _sp[i] = _p[j];
        }

        _st.AsSpan(0, n).CopyTo(_t.AsSpan(start));
        _sx.AsSpan(0, n).CopyTo(_x.AsSpan(start));
        _sy.AsSpan(0, n).CopyTo(_y.AsSpan(start));
        _sp.AsSpan(0, n).CopyTo(_p.AsSpan(start));
    }

    private static SensorSize ValidateSensor(SensorSize sensor, string name)
    {
        if (sensor.Width == 0 || sensor.Height == 0)
        {
            throw new ArgumentException("The sensor size must be at least 1×1.", name);
        }

        return sensor;
    }

    private readonly struct TimeThenIndexComparer(long[] t) : IComparer<int>
    {
        public int Compare(int a, int b)
        {
            int c = t[a].CompareTo(t[b]);
            return c != 0 ? c : a.CompareTo(b);
        }
    }
}

/// <summary>An <see cref="IEventReader"/> over an <see cref="EventArray"/> (see <see cref="EventArray.ToReader"/>).</summary>
public sealed class EventArrayReader : IEventReader
{
    private readonly EventArray _events;
    private int _position;

    /// <summary>Creates a reader over <paramref name="events"/>.</summary>
    /// <param name="events">The events to read (not copied).</param>
    /// <param name="sourceName">The stream name.</param>
    /// <param name="format">The format to report.</param>
    /// <param name="source">The source camera or generator to report in <see cref="EventStreamInfo.Source"/>.</param>
    public EventArrayReader(EventArray events, string sourceName = "memory", EventFormat format = EventFormat.Unknown, string? source = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(sourceName);
        _events = events;
        Info = new EventStreamInfo(format, events.Sensor, source, null, sourceName);
    }

    /// <inheritdoc/>
    public EventStreamInfo Info { get; }

    /// <inheritdoc/>
    public ReaderDiagnostics Diagnostics { get; } = new();

    /// <inheritdoc/>
    public int ReadBatch(EventBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        int n = Math.Min(batch.Free, _events.Count - _position);
        if (n <= 0)
        {
            return 0;
        }

        batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
        _events.T.Slice(_position, n).CopyTo(t);
        _events.X.Slice(_position, n).CopyTo(x);
        _events.Y.Slice(_position, n).CopyTo(y);
        _events.P.Slice(_position, n).CopyTo(p);
        batch.Commit(n);
        _position += n;
        return n;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
    }
}
