using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Prophesee;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// N-CARS (Sironi et al. 2018, Prophesee): 100 ms ATIS recordings of cars and background, 120×100 pixels,
/// 2 classes, 7,940 + 7,482 training and 4,396 + 4,211 test samples, Prophesee DAT files.
/// </summary>
/// <remarks>
/// <para><b>Layout:</b> a split folder holding <c>cars/*.dat</c> and <c>background/*.dat</c>. The published
/// <c>Prophesee_Dataset_n_cars.zip</c> contains <c>n-cars_train.zip</c> and <c>n-cars_test.zip</c>, which unpack
/// to <c>train/</c> and <c>test/</c>; the installer unpacks them into <c>n-cars_train/train</c> and
/// <c>n-cars_test/test</c>. When opening, the first of these split folders holding both class folders is used:
/// <c>n-cars_&lt;split&gt;/&lt;split&gt;</c>, <c>n-cars_&lt;split&gt;</c>,
/// <c>Prophesee_Dataset_n_cars/n-cars_&lt;split&gt;/&lt;split&gt;</c>, <c>Prophesee_Dataset_n_cars/n-cars_&lt;split&gt;</c>,
/// <c>&lt;split&gt;</c>, <c>ncars-&lt;split&gt;</c> (tonic's name).</para>
/// <para><b>Labels:</b> 0 = background, 1 = car (tonic's numbering). <b>Order:</b> background files then car
/// files, ordinal-sorted. <b>Events:</b> read with <see cref="DatReader"/>, coordinates as stored; the DAT
/// headers carry no size, so 120×100 is supplied.</para>
/// </remarks>
public sealed class NCarsDataset : EventDataset
{
    /// <summary>The class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["background", "car"];

    /// <summary>The sensor size: 120×100 (width × height of the cropped recordings).</summary>
    public static SensorSize Sensor { get; } = new(120, 100);

    /// <summary>The published archive (Prophesee; MD5 as listed by tonic), with its two nested split archives.</summary>
    public static DatasetArchive PublishedArchive { get; } = new(new RemoteFile(
        new Uri("https://www.prophesee.ai/resources/Prophesee_Dataset_n_cars.zip"),
        "Prophesee_Dataset_n_cars.zip",
        FileChecksum.Md5("553ce464d6e5e617b3c21ce27c19368e"))
    { Archive = ArchiveKind.Zip })
    {
        Nested =
        [
            new NestedArchive("n-cars_train.zip", FileChecksum.Md5("976d126a651b95d81800b05a3093337b")) { ExtractTo = "n-cars_train" },
            new NestedArchive("n-cars_test.zip", FileChecksum.Md5("3b5e8e9a5bffeb95614b8c0a2ba4e511")) { ExtractTo = "n-cars_test" },
        ],
    };

    private readonly string[] _files;
    private readonly int[] _labels;

    private NCarsDataset(string root, bool train, string[] files, int[] labels, EventReaderOptions readerOptions)
        : base(Title(train), root, ClassNames, Sensor, readerOptions)
    {
        _files = files;
        _labels = labels;
    }

    /// <inheritdoc/>
    public override int Count => _files.Length;

    /// <summary>The split folder found under <paramref name="root"/>, or null (no network access).</summary>
    public static string? FindSplitFolder(string root, bool train)
    {
        foreach (string candidate in Candidates(root, train))
        {
            if (Directory.Exists(Path.Combine(candidate, "cars")) && Directory.Exists(Path.Combine(candidate, "background")))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Opens a split from <paramref name="root"/>; downloads first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The split is missing and downloading is off.</exception>
    public static NCarsDataset Open(string root, bool train = true, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure(Title(train), root, [PublishedArchive], () => FindSplitFolder(root, train) is not null, () => LookedAt(root, train), options, nameof(NCarsDataset));
        return Create(root, train, options);
    }

    /// <summary>Opens a split, downloading, verifying and extracting first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The split is missing and downloading is off.</exception>
    public static async Task<NCarsDataset> OpenAsync(string root, bool train = true, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync(Title(train), root, [PublishedArchive], () => FindSplitFolder(root, train) is not null, () => LookedAt(root, train), options, nameof(NCarsDataset), cancellationToken).ConfigureAwait(false);
        return Create(root, train, options);
    }

    private static NCarsDataset Create(string root, bool train, DatasetOptions options)
    {
        string split = FindSplitFolder(root, train)!;
        var files = new List<string>();
        var labels = new List<int>();
        string[] folders = ["background", "cars"];
        for (int label = 0; label < folders.Length; label++)
        {
            foreach (string file in SortedFiles(Path.Combine(split, folders[label]), ".dat", recursive: false))
            {
                files.Add(file);
                labels.Add(label);
            }
        }

        return new NCarsDataset(root, train, [.. files], [.. labels], options.EffectiveReaderOptions);
    }

    private static string Title(bool train) => train ? "N-CARS (train)" : "N-CARS (test)";

    private static IEnumerable<string> Candidates(string root, bool train)
    {
        string s = train ? "train" : "test";
        yield return Path.Combine(root, "n-cars_" + s, s);
        yield return Path.Combine(root, "n-cars_" + s);
        yield return Path.Combine(root, "Prophesee_Dataset_n_cars", "n-cars_" + s, s);
        yield return Path.Combine(root, "Prophesee_Dataset_n_cars", "n-cars_" + s);
        yield return Path.Combine(root, s);
        yield return Path.Combine(root, "ncars-" + s);
    }

    private static string[] LookedAt(string root, bool train) =>
        [.. Candidates(root, train).Select(c => Path.Combine(c, "{cars,background}", "*.dat"))];

    private protected override int LabelAt(int index) => _labels[index];

    private protected override string SourceAt(int index) => _files[index];

    private protected override IEventReader OpenAt(int index) => DatReader.Open(_files[index], ReaderOptions with { Sensor = ReaderOptions.Sensor ?? Sensor });
}
