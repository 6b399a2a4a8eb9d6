using System.Globalization;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>One labelled gesture of a DVS128 Gesture recording: the class and the time range [start, end) in µs.</summary>
/// <param name="ClassId">The gesture class, 1–11 in DVS128 Gesture (11 = other).</param>
/// <param name="StartUs">First microsecond of the gesture (inclusive), in the recording's 64-bit event time base.</param>
/// <param name="EndUs">End of the gesture (exclusive).</param>
public readonly record struct GestureLabel(int ClassId, long StartUs, long EndUs)
{
    /// <summary>Whether <paramref name="t"/> lies in [<see cref="StartUs"/>, <see cref="EndUs"/>).</summary>
    public bool Contains(long t) => t >= StartUs && t < EndUs;
}

/// <summary>
/// The label file of a DVS128 Gesture recording (<c>userNN_lighting_labels.csv</c>): header
/// <c>class,startTime_usec,endTime_usec</c>, then one row per gesture. Rows are kept in file order; they need not
/// be sorted and a class may repeat.
/// </summary>
public sealed class DvsGestureLabels
{
    /// <summary>The most rows accepted (real files have about a dozen).</summary>
    public const int MaxRows = 1 << 20;

    private DvsGestureLabels(IReadOnlyList<GestureLabel> labels) => Labels = labels;

    /// <summary>The labels in file order.</summary>
    public IReadOnlyList<GestureLabel> Labels { get; }

    /// <summary>Loads a label file.</summary>
    /// <exception cref="EventFormatException">A row is malformed (the message names the line).</exception>
    public static DvsGestureLabels Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var reader = new StreamReader(path);
        return Parse(reader, path);
    }

    /// <summary>Parses label CSV text.</summary>
    /// <param name="reader">The CSV text.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <exception cref="EventFormatException">The header or a row is malformed: wrong column count, a non-integer,
    /// a class below 1, a negative time or an end not after its start. The message names the line; the offset is
    /// the byte offset of the line start for ASCII text.</exception>
    public static DvsGestureLabels Parse(TextReader reader, string sourceName = "labels")
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(sourceName);
        var labels = new List<GestureLabel>();
        long offset = 0;
        int lineNumber = 0;
        bool header = false;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            long lineOffset = offset;
            offset += line.Length + 1;
            string text = line.Trim().TrimStart('\uFEFF');
            if (text.Length == 0)
            {
                continue;
            }

            string[] cells = text.Split(',');
            if (!header)
            {
                if (cells.Length != 3 || cells[0].Trim() != "class" || cells[1].Trim() != "startTime_usec" || cells[2].Trim() != "endTime_usec")
                {
                    throw new EventFormatException(sourceName, lineOffset, $"line {lineNumber}: expected the header 'class,startTime_usec,endTime_usec'");
                }

                header = true;
                continue;
            }

            if (cells.Length != 3)
            {
                throw new EventFormatException(sourceName, lineOffset, $"line {lineNumber}: expected 3 comma-separated values, found {cells.Length}");
            }

            if (!int.TryParse(cells[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out int classId)
                || !long.TryParse(cells[1], NumberStyles.Integer, CultureInfo.InvariantCulture, out long start)
                || !long.TryParse(cells[2], NumberStyles.Integer, CultureInfo.InvariantCulture, out long end))
            {
                throw new EventFormatException(sourceName, lineOffset, $"line {lineNumber}: '{Shorten(text)}' is not three integers");
            }

            if (classId < 1 || start < 0 || end <= start)
            {
                throw new EventFormatException(sourceName, lineOffset, $"line {lineNumber}: class {classId} over [{start}, {end}) is invalid (class >= 1, 0 <= start < end)");
            }

            if (labels.Count >= MaxRows)
            {
                throw new EventFormatException(sourceName, lineOffset, $"more than {MaxRows} label rows");
            }

            labels.Add(new GestureLabel(classId, start, end));
        }

        if (!header)
        {
            throw new EventFormatException(sourceName, 0, "empty label file (no header)");
        }

        return new DvsGestureLabels(labels);
    }

    /// <summary>Creates labels from rows given in code.</summary>
    /// <exception cref="ArgumentException">A row has a class below 1, a negative start or an end not after its start.</exception>
    public static DvsGestureLabels FromRows(IEnumerable<GestureLabel> rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var list = rows.ToList();
        foreach (GestureLabel row in list)
        {
            if (row.ClassId < 1 || row.StartUs < 0 || row.EndUs <= row.StartUs)
            {
                throw new ArgumentException($"Invalid label {row}.", nameof(rows));
            }
        }

        return new DvsGestureLabels(list);
    }

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "…" : text;
}

/// <summary>The events of one labelled gesture, as columns (struct of arrays).</summary>
public sealed class GestureSample
{
    private readonly long[] _t;
    private readonly ushort[] _x;
    private readonly ushort[] _y;
    private readonly byte[] _p;

    internal GestureSample(int row, GestureLabel label, long[] t, ushort[] x, ushort[] y, byte[] p)
    {
        Row = row;
        Label = label;
        _t = t;
        _x = x;
        _y = y;
        _p = p;
    }

    /// <summary>The label's row index in the label file (0-based, header excluded).</summary>
    public int Row { get; }

    /// <summary>The label.</summary>
    public GestureLabel Label { get; }

    /// <summary>Timestamps (µs) of the events in [start, end), in stream order.</summary>
    public ReadOnlySpan<long> T => _t;

    /// <summary>Columns of the events.</summary>
    public ReadOnlySpan<ushort> X => _x;

    /// <summary>Rows of the events.</summary>
    public ReadOnlySpan<ushort> Y => _y;

    /// <summary>Polarities of the events.</summary>
    public ReadOnlySpan<byte> P => _p;

    /// <summary>Number of events.</summary>
    public int Count => _t.Length;

    /// <summary>The event at <paramref name="index"/>.</summary>
    public DvsEvent this[int index] => new(_t[index], _x[index], _y[index], _p[index]);
}

/// <summary>
/// Cuts an event stream into one sample per label: the events whose time t satisfies start &lt;= t &lt; end.
/// One pass over the stream; overlapping labels each get their events; labels may be in any order.
/// </summary>
public static class DvsGestureSlicer
{
    /// <summary>
    /// Reads <paramref name="reader"/> to its end and returns one <see cref="GestureSample"/> per label, in label-file
    /// order. Memory grows with the labelled events only (events outside every label are not kept).
    /// </summary>
    /// <param name="reader">The event stream (its time base must be the labels', as in DVS128 Gesture).</param>
    /// <param name="labels">The labels.</param>
    /// <param name="maxEventsPerSample">Refuse samples larger than this (default 2^26), to bound memory.</param>
    /// <exception cref="InvalidDataException">A sample would exceed <paramref name="maxEventsPerSample"/>.</exception>
    public static IReadOnlyList<GestureSample> Slice(IEventReader reader, DvsGestureLabels labels, int maxEventsPerSample = 1 << 26)
    {
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxEventsPerSample, 1);
        int n = labels.Labels.Count;
        var builders = new ColumnBuilder[n];
        for (int i = 0; i < n; i++)
        {
            builders[i] = new ColumnBuilder(maxEventsPerSample, labels.Labels[i]);
        }

        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            ReadOnlySpan<long> t = batch.T;
            bool sorted = true;
            for (int i = 1; i < t.Length; i++)
            {
                if (t[i] < t[i - 1])
                {
                    sorted = false;
                    break;
                }
            }

            for (int l = 0; l < n; l++)
            {
                GestureLabel label = labels.Labels[l];
                if (sorted)
                {
                    int lo = LowerBound(t, label.StartUs);
                    int hi = LowerBound(t, label.EndUs);
                    if (hi > lo)
                    {
                        builders[l].Append(batch, lo, hi - lo);
                    }
                }
                else
                {
                    for (int i = 0; i < t.Length; i++)
                    {
                        if (label.Contains(t[i]))
                        {
                            builders[l].Append(batch, i, 1);
                        }
                    }
                }
            }
        }

        var samples = new GestureSample[n];
        for (int i = 0; i < n; i++)
        {
            samples[i] = builders[i].Build(i, labels.Labels[i]);
        }

        return samples;
    }

    /// <summary>The first index whose time is at least <paramref name="value"/> (t must be non-decreasing).</summary>
    private static int LowerBound(ReadOnlySpan<long> t, long value)
    {
        int lo = 0;
        int hi = t.Length;
        while (lo < hi)
        {
            int mid = (int)((uint)(lo + hi) >> 1);
            if (t[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private sealed class ColumnBuilder(int max, GestureLabel label)
    {
        private long[] _t = [];
        private ushort[] _x = [];
        private ushort[] _y = [];
        private byte[] _p = [];
        private int _count;

        public void Append(EventBatch batch, int start, int length)
        {
            int need = _count + length;
            if (need > max)
            {
                throw new InvalidDataException($"Gesture {label} holds more than {max} events.");
            }

            if (need > _t.Length)
            {
                int size = (int)Math.Min(max, Math.Max(need, Math.Max(1024L, _t.Length * 2L)));
                Array.Resize(ref _t, size);
                Array.Resize(ref _x, size);
                Array.Resize(ref _y, size);
                Array.Resize(ref _p, size);
            }

            batch.T.Slice(start, length).CopyTo(_t.AsSpan(_count));
            batch.X.Slice(start, length).CopyTo(_x.AsSpan(_count));
            batch.Y.Slice(start, length).CopyTo(_y.AsSpan(_count));
            batch.P.Slice(start, length).CopyTo(_p.AsSpan(_count));
            _count = need;
        }

        public GestureSample Build(int row, GestureLabel label) =>
            new(row, label, _t.AsSpan(0, _count).ToArray(), _x.AsSpan(0, _count).ToArray(), _y.AsSpan(0, _count).ToArray(), _p.AsSpan(0, _count).ToArray());
    }
}
