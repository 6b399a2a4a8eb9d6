using System.Globalization;
using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// DVS128 Gesture (Amir et al. 2017, IBM): 29 subjects performing 11 gestures under several lighting conditions,
/// recorded with a DVS128 (128×128) as AEDAT 3.1 files; each recording holds several gestures marked in a label
/// CSV. One sample = one labelled row (a time slice of a recording).
/// </summary>
/// <remarks>
/// <para><b>Layout:</b> <c>&lt;root&gt;/DvsGesture/</c> (or the root itself) holding <c>userNN_&lt;lighting&gt;.aedat</c>,
/// <c>userNN_&lt;lighting&gt;_labels.csv</c>, <c>trials_to_train.txt</c> and <c>trials_to_test.txt</c> (one recording
/// file name per line), as unpacked from the published <c>DvsGesture.tar.gz</c>.</para>
/// <para><b>Samples and order:</b> recordings in the order the trials file lists them; within a recording, the label
/// CSV's rows in file order (rows are not sorted by class or time and a class may repeat: each row is its own
/// sample). Sample events are those with <c>startTime_usec ≤ t &lt; endTime_usec</c>, times kept as stored (not
/// shifted to 0). <b>Labels:</b> CSV class 1–11 minus 1, so 0–10; names as in the dataset's
/// <c>gesture_mapping.csv</c> (tonic's spelling).</para>
/// <para><b>Reading:</b> <see cref="Aedat3Reader"/> (x, y, p as stored, (0,0) upper-left). With
/// <c>stopAtSliceEnd</c> (default) reading stops at the first event at or past the slice's end, which relies on the
/// recordings' time never decreasing (true of the published files); pass false to scan whole files.</para>
/// </remarks>
public sealed class DvsGestureDataset : EventDataset
{
    /// <summary>The class names, indexed by label (CSV class − 1).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
    [
        "hand_clapping", "right_hand_wave", "left_hand_wave", "right_arm_clockwise", "right_arm_counter_clockwise",
        "left_arm_clockwise", "left_arm_counter_clockwise", "arm_roll", "air_drums", "air_guitar", "other_gestures",
    ];

    /// <summary>The sensor size: 128×128 (DVS128).</summary>
    public static SensorSize Sensor { get; } = new(128, 128);

    /// <summary>
    /// The published archive <c>DvsGesture.tar.gz</c> (MD5 as listed by SpikingJelly). The official page is IBM's
    /// (https://research.ibm.com/interactive/dvsgesture/, files on ibm.ent.box.com, which needs a browser); this is
    /// the direct link snnTorch documents for the same file.
    /// </summary>
    public static DatasetArchive PublishedArchive { get; } = new(new RemoteFile(
        new Uri("https://www.dropbox.com/s/cct5kyilhtsliup/DvsGesture.tar.gz?dl=1"),
        "DvsGesture.tar.gz",
        FileChecksum.Md5("8a5c71fb11e24e5ca5b11866ca6c00a1"))
    { Archive = ArchiveKind.TarGz });

    /// <summary>The official page listing the files (manual download).</summary>
    public static Uri OfficialPage { get; } = new("https://ibm.ent.box.com/s/3hiq58ww1pbbjrinh367ykfdf60xsfm8/folder/50167556794");

    private readonly string[] _recordings;
    private readonly Slice[] _slices;
    private readonly bool _stopAtSliceEnd;

    private DvsGestureDataset(string root, bool train, string[] recordings, Slice[] slices, bool stopAtSliceEnd, EventReaderOptions readerOptions)
        : base(Title(train), root, ClassNames, Sensor, readerOptions)
    {
        _recordings = recordings;
        _slices = slices;
        _stopAtSliceEnd = stopAtSliceEnd;
    }

    /// <inheritdoc/>
    public override int Count => _slices.Length;

    /// <summary>The recordings of the split, in order (full paths).</summary>
    public IReadOnlyList<string> Recordings => _recordings;

    /// <summary>The labelled slice behind sample <paramref name="index"/>: its recording, CSV row (0-based) and time range.</summary>
    public (string Recording, int Row, GestureLabel Label) GetSlice(int index)
    {
        CheckIndex(index);
        Slice s = _slices[index];
        return (_recordings[s.Recording], s.Row, s.Label);
    }

    /// <summary>
    /// Reads every sample of recording <paramref name="recordingIndex"/> (an index into <see cref="Recordings"/>) in one
    /// pass over the file, instead of one scan per sample. Returns them in dataset order; each equals
    /// <see cref="EventDataset.GetSample"/> of its index.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="recordingIndex"/> is not a recording index.</exception>
    public IReadOnlyList<EventSample> ReadRecording(int recordingIndex)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)recordingIndex, (uint)_recordings.Length, nameof(recordingIndex));
        int[] indices = [.. Enumerable.Range(0, _slices.Length).Where(i => _slices[i].Recording == recordingIndex)];
        var builders = new EventArrayBuilder[indices.Length];
        long end = long.MinValue;
        for (int k = 0; k < indices.Length; k++)
        {
            builders[k] = new EventArrayBuilder();
            end = Math.Max(end, _slices[indices[k]].Label.EndUs);
        }

        string path = _recordings[recordingIndex];
        using (Aedat3Reader reader = Aedat3Reader.Open(path, ReaderOptions with { Sensor = ReaderOptions.Sensor ?? Sensor }))
        using (var batch = new EventBatch(1 << 14))
        {
            bool done = indices.Length == 0;
            while (!done)
            {
                batch.Clear();
                if (reader.ReadBatch(batch) == 0)
                {
                    break;
                }

                ReadOnlySpan<long> t = batch.T;
                for (int i = 0; i < t.Length; i++)
                {
                    long time = t[i];
                    if (_stopAtSliceEnd && time >= end)
                    {
                        done = true;
                        break;
                    }

                    for (int k = 0; k < indices.Length; k++)
                    {
                        GestureLabel label = _slices[indices[k]].Label;
                        if (time >= label.StartUs && time < label.EndUs)
                        {
                            builders[k].Add(time, batch.X[i], batch.Y[i], batch.P[i], path);
                        }
                    }
                }
            }
        }

        var samples = new EventSample[indices.Length];
        for (int k = 0; k < indices.Length; k++)
        {
            int index = indices[k];
            int label = LabelAt(index);
            samples[k] = builders[k].ToSample(index, label, ClassNames[label], Sensor, SourceAt(index));
        }

        return samples;
    }

    /// <summary>The folder holding the recordings and trial lists under <paramref name="root"/>, or null (no network access).</summary>
    public static string? FindFolder(string root)
    {
        foreach (string candidate in new[] { Path.Combine(root, "DvsGesture"), root })
        {
            if (File.Exists(Path.Combine(candidate, TrialsFile(true))) && File.Exists(Path.Combine(candidate, TrialsFile(false))))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>The trial list file name of a split.</summary>
    public static string TrialsFile(bool train) => train ? "trials_to_train.txt" : "trials_to_test.txt";

    /// <summary>Opens a split from <paramref name="root"/>; downloads first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    /// <exception cref="FileNotFoundException">A recording or label file named by the trial list is missing.</exception>
    /// <exception cref="EventFormatException">A label file is malformed or names a class outside 1–11.</exception>
    public static DvsGestureDataset Open(string root, bool train = true, bool stopAtSliceEnd = true, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure(Title(train), root, [PublishedArchive], () => FindFolder(root) is not null, () => LookedAt(root), options, nameof(DvsGestureDataset));
        return Create(root, train, stopAtSliceEnd, options);
    }

    /// <summary>Opens a split, downloading, verifying and extracting first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    public static async Task<DvsGestureDataset> OpenAsync(string root, bool train = true, bool stopAtSliceEnd = true, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync(Title(train), root, [PublishedArchive], () => FindFolder(root) is not null, () => LookedAt(root), options, nameof(DvsGestureDataset), cancellationToken).ConfigureAwait(false);
        return Create(root, train, stopAtSliceEnd, options);
    }

    private static DvsGestureDataset Create(string root, bool train, bool stopAtSliceEnd, DatasetOptions options)
    {
        string folder = FindFolder(root)!;
        string trials = Path.Combine(folder, TrialsFile(train));
        var recordings = new List<string>();
        var slices = new List<Slice>();
        foreach (string raw in File.ReadLines(trials))
        {
            string name = raw.Trim();
            if (name.Length == 0)
            {
                continue;
            }

            if (name != Path.GetFileName(name) || !name.EndsWith(".aedat", StringComparison.OrdinalIgnoreCase))
            {
                throw new EventFormatException(trials, -1, $"'{name}' is not a recording file name (userNN_lighting.aedat)");
            }

            string recording = Path.Combine(folder, name);
            string labelsPath = Path.Combine(folder, Path.GetFileNameWithoutExtension(name) + "_labels.csv");
            if (!File.Exists(recording))
            {
                throw new FileNotFoundException($"{trials} lists {name}, but {recording} does not exist.", recording);
            }

            if (!File.Exists(labelsPath))
            {
                throw new FileNotFoundException($"{trials} lists {name}, but its label file {labelsPath} does not exist.", labelsPath);
            }

            DvsGestureLabels labels = DvsGestureLabels.Load(labelsPath);
            int recordingIndex = recordings.Count;
            recordings.Add(recording);
            for (int row = 0; row < labels.Labels.Count; row++)
            {
                GestureLabel label = labels.Labels[row];
                if (label.ClassId > ClassNames.Count)
                {
                    throw new EventFormatException(labelsPath, -1, $"row {row + 1}: class {label.ClassId} is outside 1..{ClassNames.Count}");
                }

                slices.Add(new Slice(recordingIndex, row, label));
            }
        }

        return new DvsGestureDataset(root, train, [.. recordings], [.. slices], stopAtSliceEnd, options.EffectiveReaderOptions);
    }

    private static string Title(bool train) => train ? "DVS128 Gesture (train)" : "DVS128 Gesture (test)";

    private static string[] LookedAt(string root) =>
        [Path.Combine(root, "DvsGesture", "trials_to_{train,test}.txt"), Path.Combine(root, "trials_to_{train,test}.txt")];

    private protected override int LabelAt(int index) => _slices[index].Label.ClassId - 1;

    private protected override string SourceAt(int index)
    {
        Slice s = _slices[index];
        return string.Create(CultureInfo.InvariantCulture, $"{_recordings[s.Recording]}#row{s.Row + 1}[{s.Label.StartUs},{s.Label.EndUs})");
    }

    private protected override IEventReader OpenAt(int index)
    {
        Slice s = _slices[index];
        Aedat3Reader reader = Aedat3Reader.Open(_recordings[s.Recording], ReaderOptions with { Sensor = ReaderOptions.Sensor ?? Sensor });
        try
        {
            return new WindowedEventReader(reader, s.Label.StartUs, s.Label.EndUs, _stopAtSliceEnd, mapping: null, reader.Info with { SourceName = SourceAt(index) });
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    private readonly record struct Slice(int Recording, int Row, GestureLabel Label);
}
