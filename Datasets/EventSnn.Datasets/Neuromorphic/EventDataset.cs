using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// Common implementation of <see cref="IEventDataset"/>: index checks, whole-sample reads and labels.
/// The concrete datasets in this namespace derive from it.
/// </summary>
public abstract class EventDataset : IEventDataset
{
    private readonly string[] _classes;

    private protected EventDataset(string name, string root, IReadOnlyList<string> classes, SensorSize? sensorSize, EventReaderOptions readerOptions)
    {
        Name = name;
        Root = root;
        _classes = [.. classes];
        SensorSize = sensorSize;
        ReaderOptions = readerOptions;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <inheritdoc/>
    public string Root { get; }

    /// <inheritdoc/>
    public SensorSize? SensorSize { get; }

    /// <inheritdoc/>
    public IReadOnlyList<string> Classes => _classes;

    /// <inheritdoc/>
    public abstract int Count { get; }

    /// <summary>The options the sample readers are opened with.</summary>
    public EventReaderOptions ReaderOptions { get; }

    /// <summary>Reads sample <paramref name="index"/> (same as <see cref="GetSample"/>).</summary>
    public EventSample this[int index] => GetSample(index);

    /// <inheritdoc/>
    public int GetLabel(int index)
    {
        CheckIndex(index);
        return LabelAt(index);
    }

    /// <inheritdoc/>
    public string GetSourceName(int index)
    {
        CheckIndex(index);
        return SourceAt(index);
    }

    /// <summary>The number of samples of each class, indexed by label (reads no events).</summary>
    public int[] CountPerClass()
    {
        int[] counts = new int[_classes.Length];
        for (int i = 0; i < Count; i++)
        {
            counts[LabelAt(i)]++;
        }

        return counts;
    }

    /// <inheritdoc/>
    public virtual EventSample GetSample(int index)
    {
        CheckIndex(index);
        string source = SourceAt(index);
        EventArrayBuilder builder;
        using (IEventReader reader = OpenAt(index))
        {
            builder = EventArrayBuilder.ReadAll(reader, source);
        }

        int label = LabelAt(index);
        SensorSize sensor = SensorSize ?? builder.BoundingSize;
        return builder.ToSample(index, label, _classes[label], sensor, source);
    }

    /// <inheritdoc/>
    public IEventReader OpenSample(int index)
    {
        CheckIndex(index);
        return OpenAt(index);
    }

    /// <summary>Formats as <c>name: N samples, C classes, sensor</c>.</summary>
    public override string ToString() =>
        $"{Name}: {Count} samples, {_classes.Length} classes, sensor {(SensorSize?.ToString() ?? "per sample")}";

    private protected abstract int LabelAt(int index);

    private protected abstract string SourceAt(int index);

    private protected abstract IEventReader OpenAt(int index);

    private protected void CheckIndex(int index) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)index, (uint)Count, nameof(index));

    /// <summary>Lists the files with <paramref name="extension"/> under <paramref name="folder"/> (recursively), ordinal-sorted by relative path.</summary>
    private protected static string[] SortedFiles(string folder, string extension, bool recursive)
    {
        var files = Directory.EnumerateFiles(folder, "*", recursive ? SearchOption.AllDirectories : SearchOption.TopDirectoryOnly)
            .Where(f => f.EndsWith(extension, StringComparison.OrdinalIgnoreCase))
            .Select(f => (Relative: Path.GetRelativePath(folder, f).Replace('\\', '/'), Full: f))
            .OrderBy(f => f.Relative, StringComparer.Ordinal)
            .Select(f => f.Full)
            .ToArray();
        return files;
    }

    /// <summary>The names of the sub-folders of <paramref name="folder"/>, ordinal-sorted (hidden folders starting with '.' excluded).</summary>
    private protected static string[] SortedSubfolders(string folder) =>
        [.. Directory.EnumerateDirectories(folder)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !n.StartsWith('.'))
            .Order(StringComparer.Ordinal)];
}
