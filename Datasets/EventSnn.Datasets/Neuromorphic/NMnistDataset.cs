using System.Globalization;
using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.NMnist;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// N-MNIST (Orchard et al. 2015): MNIST digits recorded with an ATIS sensor through three saccades.
/// 34×34 pixels, 10 classes, 60,000 training and 10,000 test samples of about 0.3 s.
/// </summary>
/// <remarks>
/// <para><b>Layout:</b> <c>&lt;root&gt;/Train/&lt;digit&gt;/*.bin</c> and <c>&lt;root&gt;/Test/&lt;digit&gt;/*.bin</c>
/// (the published <c>Train.zip</c>/<c>Test.zip</c> unpack to exactly this). The label is the digit folder's name.</para>
/// <para><b>Order:</b> digit folders 0–9, files ordinal-sorted within each.</para>
/// <para><b>Events:</b> read with <see cref="NMnistBinReader"/> (t in µs, x, y, p as stored).
/// <c>firstSaccadeOnly</c> keeps events with t &lt; 100,000 µs, like tonic's option.</para>
/// </remarks>
public sealed class NMnistDataset : EventDataset
{
    /// <summary>The class names, indexed by digit (tonic's names).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["0 - zero", "1 - one", "2 - two", "3 - three", "4 - four", "5 - five", "6 - six", "7 - seven", "8 - eight", "9 - nine"];

    /// <summary>The sensor size: 34×34.</summary>
    public static SensorSize Sensor { get; } = new(34, 34);

    /// <summary>End of the first saccade in µs (tonic's <c>first_saccade_only</c> cut).</summary>
    public const long FirstSaccadeEndUs = 100_000;

    /// <summary>The published training archive (Mendeley Data, dataset 468j46mzdv; MD5 as listed by tonic).</summary>
    public static DatasetArchive TrainArchive { get; } = new(new RemoteFile(
        new Uri("https://data.mendeley.com/public-files/datasets/468j46mzdv/files/39c25547-014b-4137-a934-9d29fa53c7a0/file_downloaded"),
        "Train.zip",
        FileChecksum.Md5("20959b8e626244a1b502305a9e6e2031"))
    { Archive = ArchiveKind.Zip });

    /// <summary>The published test archive (Mendeley Data, dataset 468j46mzdv; MD5 as listed by tonic).</summary>
    public static DatasetArchive TestArchive { get; } = new(new RemoteFile(
        new Uri("https://data.mendeley.com/public-files/datasets/468j46mzdv/files/05a4d654-7e03-4c15-bdfa-9bb2bcbea494/file_downloaded"),
        "Test.zip",
        FileChecksum.Md5("69ca8762b2fe404d9b9bad1103e97832"))
    { Archive = ArchiveKind.Zip });

    private readonly string[] _files;
    private readonly int[] _labels;
    private readonly bool _firstSaccadeOnly;

    private NMnistDataset(string root, bool train, bool firstSaccadeOnly, EventReaderOptions readerOptions)
        : base(train ? "N-MNIST (train)" : "N-MNIST (test)", root, ClassNames, Sensor, readerOptions)
    {
        _firstSaccadeOnly = firstSaccadeOnly;
        string splitFolder = Path.Combine(root, SplitFolder(train));
        var files = new List<string>();
        var labels = new List<int>();
        for (int digit = 0; digit < 10; digit++)
        {
            string folder = Path.Combine(splitFolder, digit.ToString(CultureInfo.InvariantCulture));
            if (!Directory.Exists(folder))
            {
                continue;
            }

            foreach (string file in SortedFiles(folder, ".bin", recursive: false))
            {
                files.Add(file);
                labels.Add(digit);
            }
        }

        _files = [.. files];
        _labels = [.. labels];
    }

    /// <inheritdoc/>
    public override int Count => _files.Length;

    /// <summary>Whether only the first saccade (t &lt; 100 ms) is read.</summary>
    public bool FirstSaccadeOnly => _firstSaccadeOnly;

    /// <summary>The split's folder name: <c>Train</c> or <c>Test</c>.</summary>
    public static string SplitFolder(bool train) => train ? "Train" : "Test";

    /// <summary>Whether the split's layout is present under <paramref name="root"/> (no network access).</summary>
    public static bool IsPresent(string root, bool train)
    {
        string split = Path.Combine(root, SplitFolder(train));
        return Directory.Exists(split)
            && Enumerable.Range(0, 10).Any(d => Directory.Exists(Path.Combine(split, d.ToString(CultureInfo.InvariantCulture))));
    }

    /// <summary>Opens a split from <paramref name="root"/>; downloads it first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The split is missing and downloading is off.</exception>
    public static NMnistDataset Open(string root, bool train = true, bool firstSaccadeOnly = false, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure(Title(train), root, [Archive(train)], () => IsPresent(root, train), () => LookedAt(root, train), options, nameof(NMnistDataset));
        return new NMnistDataset(root, train, firstSaccadeOnly, options.EffectiveReaderOptions);
    }

    /// <summary>Opens a split, downloading, verifying and extracting it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The split is missing and downloading is off.</exception>
    public static async Task<NMnistDataset> OpenAsync(string root, bool train = true, bool firstSaccadeOnly = false, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync(Title(train), root, [Archive(train)], () => IsPresent(root, train), () => LookedAt(root, train), options, nameof(NMnistDataset), cancellationToken).ConfigureAwait(false);
        return new NMnistDataset(root, train, firstSaccadeOnly, options.EffectiveReaderOptions);
    }

    /// <summary>The archive of a split.</summary>
    public static DatasetArchive Archive(bool train) => train ? TrainArchive : TestArchive;

    private static string Title(bool train) => train ? "N-MNIST (train)" : "N-MNIST (test)";

    private static string[] LookedAt(string root, bool train) =>
        [Path.Combine(root, SplitFolder(train), "<digit 0-9>", "*.bin")];

    private protected override int LabelAt(int index) => _labels[index];

    private protected override string SourceAt(int index) => _files[index];

    private protected override IEventReader OpenAt(int index)
    {
        NMnistBinReader reader = NMnistBinReader.Open(_files[index], ReaderOptions with { Sensor = Sensor });
        return _firstSaccadeOnly
            ? new WindowedEventReader(reader, long.MinValue, FirstSaccadeEndUs, stopAtEnd: false, mapping: null, reader.Info)
            : reader;
    }
}
