using System.Globalization;
using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using PureHDF;
using PureHDF.Selections;
using PureHDF.VOL.Native;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>The splits of the Heidelberg spiking datasets.</summary>
public enum HeidelbergSplit
{
    /// <summary>The training split.</summary>
    Train = 0,

    /// <summary>The test split.</summary>
    Test,

    /// <summary>The validation split (SSC only).</summary>
    Valid,
}

/// <summary>
/// The Heidelberg spiking datasets (Cramer et al. 2020, CC BY 4.0): spoken words converted to spikes of 700
/// cochlear channels, one HDF5 file per split. Base of <see cref="ShdDataset"/> and <see cref="SscDataset"/>.
/// </summary>
/// <remarks>
/// <para><b>File layout</b> (read with PureHDF): <c>spikes/times</c> — one variable-length array per sample of
/// float16/32/64 <b>seconds</b>; <c>spikes/units</c> — one variable-length array per sample of unsigned channel
/// numbers 0–699; <c>labels</c> — one unsigned integer per sample; <c>extra/keys</c> — class names indexed by
/// label (fixed or variable-length strings; when absent, the names are the label numbers).</para>
/// <para><b>Events:</b> t = the stored seconds converted to µs by <see cref="SecondsToMicroseconds.Convert"/>
/// (exact rounding), x = channel, y = 0, p = 1 (tonic adds the same constant polarity); in stored order.
/// Sensor 700×1. Negative or non-finite times, channels ≥ 700 and times/units of different lengths are
/// <see cref="EventFormatException"/>s naming the file and sample.</para>
/// <para>An empty sample may be stored as a null variable-length element (h5py does so): it reads as no events.
/// Chunked, deflate- and shuffle-filtered files as written by h5py/PyTables are read (see <c>Hdf5Shuffle</c> for the
/// shuffle fix this needs on PureHDF 2.2.0).</para>
/// <para><b>Threads:</b> the HDF5 file stays open while the dataset lives (dispose it); reads are serialised on
/// that file, so concurrent readers are safe.</para>
/// </remarks>
public abstract class HeidelbergDataset : EventDataset, IDisposable
{
    /// <summary>The number of input channels.</summary>
    public const int Channels = 700;

    /// <summary>The sensor size: 700×1 (channel × one row).</summary>
    public static SensorSize Sensor { get; } = new(Channels, 1);

    private readonly Lock _gate = new();
    private readonly NativeFile _file;
    private readonly IH5Dataset _times;
    private readonly IH5Dataset _units;
    private readonly int[] _labels;
    private readonly string _path;

    private protected HeidelbergDataset(string name, string root, string path, NativeFile file, IH5Dataset times, IH5Dataset units, int[] labels, string[] classes, EventReaderOptions readerOptions)
        : base(name, root, classes, Sensor, readerOptions)
    {
        _path = path;
        _file = file;
        _times = times;
        _units = units;
        _labels = labels;
    }

    /// <inheritdoc/>
    public override int Count => _labels.Length;

    /// <summary>The HDF5 file the samples come from.</summary>
    public string FilePath => _path;

    /// <inheritdoc/>
    public override EventSample GetSample(int index)
    {
        CheckIndex(index);
        (long[] t, ushort[] x) = ReadColumns(index);
        int label = _labels[index];
        return new EventSample(index, label, Classes[label], Sensor, SourceAt(index), t, x, new ushort[t.Length], Ones(t.Length));
    }

    /// <summary>Closes the HDF5 file.</summary>
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Closes the HDF5 file.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (disposing)
        {
            lock (_gate)
            {
                _file.Dispose();
            }
        }
    }

    private protected override int LabelAt(int index) => _labels[index];

    private protected override string SourceAt(int index) => string.Create(CultureInfo.InvariantCulture, $"{_path}#{index}");

    private protected override IEventReader OpenAt(int index)
    {
        EventSample sample = GetSample(index);
        return new ArrayEventReader(sample, new EventStreamInfo(EventFormat.Unknown, Sensor, null, null, sample.Source));
    }

    private protected static HeidelbergFile OpenFile(string path, int expectedClasses)
    {
        Hdf5Shuffle.EnsureRegistered();
        NativeFile file;
        try
        {
            file = H5File.OpenRead(path);
        }
        catch (Exception ex) when (ex is not IOException || ex is EndOfStreamException)
        {
            throw new EventFormatException(path, -1, $"not a readable HDF5 file ({ex.Message})", ex);
        }

        try
        {
            IH5Dataset times = Require(file, path, "spikes/times");
            IH5Dataset units = Require(file, path, "spikes/units");
            IH5Dataset labelSet = Require(file, path, "labels");
            CheckVariableLength(times, path, "spikes/times", H5DataTypeClass.FloatingPoint);
            CheckVariableLength(units, path, "spikes/units", H5DataTypeClass.FixedPoint);
            long[] labels = ReadIntegers(labelSet, path, "labels");
            ulong n = Length(times);
            if (Length(units) != n || (ulong)labels.Length != n)
            {
                throw new EventFormatException(path, -1,
                    $"spikes/times has {n} samples, spikes/units {Length(units)}, labels {labels.Length}: they must be equal");
            }

            if (n > int.MaxValue)
            {
                throw new EventFormatException(path, -1, $"{n} samples is more than supported");
            }

            string[] classes;
            if (file.LinkExists("extra/keys"))
            {
                IH5Dataset keys = file.Dataset("extra/keys");
                classes = keys.Read<string[]>().Select(k => k.TrimEnd('\0')).ToArray();
            }
            else
            {
                int count = Math.Max(expectedClasses, labels.Length == 0 ? 0 : (int)Math.Min(labels.Max() + 1, int.MaxValue));
                classes = [.. Enumerable.Range(0, count).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            }

            int[] intLabels = new int[labels.Length];
            for (int i = 0; i < labels.Length; i++)
            {
                if (labels[i] < 0 || labels[i] >= classes.Length)
                {
                    throw new EventFormatException(path, -1, $"labels[{i}] = {labels[i]} is outside the {classes.Length} classes of extra/keys");
                }

                intLabels[i] = (int)labels[i];
            }

            return new HeidelbergFile(file, times, units, intLabels, classes);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private protected sealed record HeidelbergFile(NativeFile File, IH5Dataset Times, IH5Dataset Units, int[] Labels, string[] Classes);

    private (long[] T, ushort[] X) ReadColumns(int index)
    {
        double[] seconds;
        ulong[] channels;
        lock (_gate)
        {
            var selection = new HyperslabSelection(start: (ulong)index, block: 1);
            seconds = ReadFloats(_times, selection);
            channels = ReadUnsigned(_units, selection);
        }

        if (seconds.Length != channels.Length)
        {
            throw new EventFormatException(_path, -1, $"sample {index}: {seconds.Length} times but {channels.Length} units");
        }

        long[] t = new long[seconds.Length];
        ushort[] x = new ushort[seconds.Length];
        for (int i = 0; i < t.Length; i++)
        {
            double s = seconds[i];
            if (!double.IsFinite(s) || s < 0)
            {
                throw new EventFormatException(_path, -1, $"sample {index}, spike {i}: time {s.ToString(CultureInfo.InvariantCulture)} s is not a finite non-negative number");
            }

            if (channels[i] >= Channels)
            {
                throw new EventFormatException(_path, -1, $"sample {index}, spike {i}: unit {channels[i]} is not a channel 0..{Channels - 1}");
            }

            t[i] = SecondsToMicroseconds.Convert(s);
            x[i] = (ushort)channels[i];
        }

        return (t, x);
    }

    private static byte[] Ones(int n)
    {
        byte[] p = new byte[n];
        Array.Fill(p, (byte)1);
        return p;
    }

    private static IH5Dataset Require(NativeFile file, string path, string name)
    {
        if (!file.LinkExists(name))
        {
            throw new EventFormatException(path, -1, $"the HDF5 file has no '{name}' dataset (not an SHD/SSC file?)");
        }

        return file.Dataset(name);
    }

    private static ulong Length(IH5Dataset dataset) => dataset.Space.Dimensions.Length == 0 ? 1 : dataset.Space.Dimensions[0];

    private static void CheckVariableLength(IH5Dataset dataset, string path, string name, H5DataTypeClass baseClass)
    {
        if (dataset.Type.Class != H5DataTypeClass.VariableLength || dataset.Type.VariableLength.BaseType.Class != baseClass
            || dataset.Space.Dimensions.Length != 1)
        {
            throw new EventFormatException(path, -1,
                $"'{name}' must be a one-dimensional variable-length array of {baseClass} values; it is {dataset.Type.Class} with {dataset.Space.Dimensions.Length} dimension(s)");
        }
    }

    private static double[] ReadFloats(IH5Dataset dataset, Selection selection)
    {
        int size = dataset.Type.VariableLength.BaseType.Size;
        return size switch
        {
            2 => Array.ConvertAll(dataset.Read<Half[][]>(selection)[0] ?? [], h => (double)h),
            4 => Array.ConvertAll(dataset.Read<float[][]>(selection)[0] ?? [], f => (double)f),
            8 => dataset.Read<double[][]>(selection)[0] ?? [],
            _ => throw new EventFormatException("spikes/times", -1, $"unsupported float size {size}"),
        };
    }

    private static ulong[] ReadUnsigned(IH5Dataset dataset, Selection selection)
    {
        int size = dataset.Type.VariableLength.BaseType.Size;
        return size switch
        {
            1 => Array.ConvertAll(dataset.Read<byte[][]>(selection)[0] ?? [], v => (ulong)v),
            2 => Array.ConvertAll(dataset.Read<ushort[][]>(selection)[0] ?? [], v => (ulong)v),
            4 => Array.ConvertAll(dataset.Read<uint[][]>(selection)[0] ?? [], v => (ulong)v),
            8 => dataset.Read<ulong[][]>(selection)[0] ?? [],
            _ => throw new EventFormatException("spikes/units", -1, $"unsupported integer size {size}"),
        };
    }

    private static long[] ReadIntegers(IH5Dataset dataset, string path, string name)
    {
        if (dataset.Type.Class != H5DataTypeClass.FixedPoint || dataset.Space.Dimensions.Length != 1)
        {
            throw new EventFormatException(path, -1, $"'{name}' must be a one-dimensional integer array");
        }

        bool signed = dataset.Type.FixedPoint.IsSigned;
        return (dataset.Type.Size, signed) switch
        {
            (1, false) => Array.ConvertAll(dataset.Read<byte[]>(), v => (long)v),
            (1, true) => Array.ConvertAll(dataset.Read<sbyte[]>(), v => (long)v),
            (2, false) => Array.ConvertAll(dataset.Read<ushort[]>(), v => (long)v),
            (2, true) => Array.ConvertAll(dataset.Read<short[]>(), v => (long)v),
            (4, false) => Array.ConvertAll(dataset.Read<uint[]>(), v => (long)v),
            (4, true) => Array.ConvertAll(dataset.Read<int[]>(), v => (long)v),
            (8, false) => Array.ConvertAll(dataset.Read<ulong[]>(), v => v > long.MaxValue ? -1 : (long)v),
            (8, true) => dataset.Read<long[]>(),
            _ => throw new EventFormatException(path, -1, $"'{name}' has an unsupported integer size {dataset.Type.Size}"),
        };
    }

    private protected static DatasetArchive ZenkeArchive(string fileName, string md5) => new(new RemoteFile(
        new Uri("https://zenkelab.org/datasets/" + fileName + ".zip"),
        fileName + ".zip",
        FileChecksum.Md5(md5))
    { Archive = ArchiveKind.Zip });
}
