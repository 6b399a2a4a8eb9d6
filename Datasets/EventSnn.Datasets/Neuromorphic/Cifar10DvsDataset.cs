using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>How CIFAR10-DVS coordinates and polarity are presented (the files store DVS128 addresses as recorded).</summary>
public enum Cifar10DvsConvention
{
    /// <summary>
    /// The convention of SpikingJelly and tonic's AEDAT 2.0 loader: x = 127 − y_raw, y = 127 − x_raw,
    /// p = 1 − bit0. It transposes and flips the raw addresses so images appear upright, and makes p = 1 mean
    /// ON in jAER's sense (bit 0 = 0). Default.
    /// </summary>
    Transposed = 0,

    /// <summary>
    /// The dataset's own MATLAB converter (<c>dat2mat.m</c>): x = 127 − x_raw, y = y_raw, p = 1 − bit0. Images come
    /// out transposed relative to the CIFAR-10 originals (see jackd/events-tfds PR 1).
    /// </summary>
    Dat2Mat,

    /// <summary>The raw DVS128 address fields: x = bits 7–1, y = bits 14–8, p = bit 0.</summary>
    Raw,
}

/// <summary>
/// CIFAR10-DVS (Li et al. 2017): CIFAR-10 images moved on a monitor and recorded with a DVS128.
/// 128×128, 10 classes × 1,000 AEDAT 2.0 recordings, one split.
/// </summary>
/// <remarks>
/// <para><b>Layout:</b> <c>&lt;root&gt;/&lt;class&gt;/…/*.aedat</c> for the ten classes
/// (airplane … truck); each class's published zip (figshare, article 4724671) is unpacked into its class folder
/// and searched recursively, so both flat zips and zips with a top folder work.</para>
/// <para><b>Labels:</b> the index in <see cref="ClassNames"/> (CIFAR-10 order). <b>Order:</b> classes in that
/// order, files ordinal-sorted by relative path.</para>
/// <para><b>Events:</b> read with <see cref="Aedat2Reader"/> forced to the DVS128 layout, then presented in the
/// chosen <see cref="Cifar10DvsConvention"/> (default <see cref="Cifar10DvsConvention.Transposed"/>).</para>
/// </remarks>
public sealed class Cifar10DvsDataset : EventDataset
{
    /// <summary>The class names, indexed by label (CIFAR-10 order).</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>The sensor size: 128×128 (DVS128).</summary>
    public static SensorSize Sensor { get; } = new(128, 128);

    /// <summary>The ten published class archives (figshare article 4724671; MD5s as listed by SpikingJelly), in label order.</summary>
    public static IReadOnlyList<DatasetArchive> PublishedArchives { get; } =
    [
        Part("airplane", 7712788, "0afd5c4bf9ae06af762a77b180354fdd"),
        Part("automobile", 7712791, "8438dfeba3bc970c94962d995b1b9bdd"),
        Part("bird", 7712794, "a9c207c91c55b9dc2002dc21c684d785"),
        Part("cat", 7712812, "52c63c677c2b15fa5146a8daf4d56687"),
        Part("deer", 7712815, "b6bf21f6c04d21ba4e23fc3e36c8a4a3"),
        Part("dog", 7712818, "f379ebdf6703d16e0a690782e62639c3"),
        Part("frog", 7712842, "cad6ed91214b1c7388a5f6ee56d08803"),
        Part("horse", 7712851, "e7cbbf77bec584ffbf913f00e682782a"),
        Part("ship", 7712836, "41c7bd7d6b251be82557c6cce9a7d5c9"),
        Part("truck", 7712839, "89f3922fd147d9aeff89e76a2b0b70a7"),
    ];

    private readonly string[] _files;
    private readonly int[] _labels;

    private Cifar10DvsDataset(string root, Cifar10DvsConvention convention, string[] files, int[] labels, EventReaderOptions readerOptions)
        : base("CIFAR10-DVS", root, ClassNames, Sensor, readerOptions)
    {
        Convention = convention;
        _files = files;
        _labels = labels;
    }

    /// <inheritdoc/>
    public override int Count => _files.Length;

    /// <summary>The coordinate convention applied to every sample.</summary>
    public Cifar10DvsConvention Convention { get; }

    /// <summary>Whether all ten class folders are present under <paramref name="root"/> (no network access).</summary>
    public static bool IsPresent(string root) => ClassNames.All(c => Directory.Exists(Path.Combine(root, c)));

    /// <summary>Opens the dataset from <paramref name="root"/>; downloads first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="convention"/> is not defined.</exception>
    public static Cifar10DvsDataset Open(string root, Cifar10DvsConvention convention = Cifar10DvsConvention.Transposed, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        CheckConvention(convention);
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure("CIFAR10-DVS", root, PublishedArchives, () => IsPresent(root), () => LookedAt(root), options, nameof(Cifar10DvsDataset));
        return Create(root, convention, options);
    }

    /// <summary>Opens the dataset, downloading, verifying and extracting it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    public static async Task<Cifar10DvsDataset> OpenAsync(string root, Cifar10DvsConvention convention = Cifar10DvsConvention.Transposed, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        CheckConvention(convention);
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync("CIFAR10-DVS", root, PublishedArchives, () => IsPresent(root), () => LookedAt(root), options, nameof(Cifar10DvsDataset), cancellationToken).ConfigureAwait(false);
        return Create(root, convention, options);
    }

    /// <summary>Applies <paramref name="convention"/> to raw DVS128 fields (x = bits 7–1, y = bits 14–8, p = bit 0).</summary>
    public static DvsEvent Apply(Cifar10DvsConvention convention, DvsEvent raw) => convention switch
    {
        Cifar10DvsConvention.Transposed => new DvsEvent(raw.T, (ushort)(127 - raw.Y), (ushort)(127 - raw.X), (byte)(1 - raw.P)),
        Cifar10DvsConvention.Dat2Mat => new DvsEvent(raw.T, (ushort)(127 - raw.X), raw.Y, (byte)(1 - raw.P)),
        Cifar10DvsConvention.Raw => raw,
        _ => throw new ArgumentOutOfRangeException(nameof(convention), convention, "Unknown CIFAR10-DVS convention."),
    };

    private static void CheckConvention(Cifar10DvsConvention convention)
    {
        if (!Enum.IsDefined(convention))
        {
            throw new ArgumentOutOfRangeException(nameof(convention), convention, "Unknown CIFAR10-DVS convention.");
        }
    }

    private static DatasetArchive Part(string name, int figshareFile, string md5) => new(new RemoteFile(
        new Uri($"https://ndownloader.figshare.com/files/{figshareFile}"),
        name + ".zip",
        FileChecksum.Md5(md5))
    { Archive = ArchiveKind.Zip })
    {
        ExtractTo = name,
    };

    private static Cifar10DvsDataset Create(string root, Cifar10DvsConvention convention, DatasetOptions options)
    {
        var files = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < ClassNames.Count; label++)
        {
            foreach (string file in SortedFiles(Path.Combine(root, ClassNames[label]), ".aedat", recursive: true))
            {
                files.Add(file);
                labels.Add(label);
            }
        }

        return new Cifar10DvsDataset(root, convention, [.. files], [.. labels], options.EffectiveReaderOptions);
    }

    private static string[] LookedAt(string root) => [Path.Combine(root, "{" + string.Join(',', ClassNames) + "}", "*.aedat")];

    private protected override int LabelAt(int index) => _labels[index];

    private protected override string SourceAt(int index) => _files[index];

    private protected override IEventReader OpenAt(int index)
    {
        Aedat2Reader reader = Aedat2Reader.Open(_files[index], ReaderOptions with { Aedat2Layout = Aedat2Layout.Dvs128, Sensor = Sensor });
        IEventMapping? mapping = Convention switch
        {
            Cifar10DvsConvention.Transposed => new TransposedMapping(),
            Cifar10DvsConvention.Dat2Mat => new Dat2MatMapping(),
            _ => null,
        };
        return mapping is null
            ? reader
            : new WindowedEventReader(reader, long.MinValue, long.MaxValue, stopAtEnd: false, mapping, reader.Info);
    }

    private sealed class TransposedMapping : IEventMapping
    {
        public void Map(ref ushort x, ref ushort y, ref byte p)
        {
            ushort rawX = x;
            x = (ushort)(127 - (y & 0x7F));
            y = (ushort)(127 - (rawX & 0x7F));
            p = (byte)(1 - (p & 1));
        }
    }

    private sealed class Dat2MatMapping : IEventMapping
    {
        public void Map(ref ushort x, ref ushort y, ref byte p)
        {
            x = (ushort)(127 - (x & 0x7F));
            p = (byte)(1 - (p & 1));
        }
    }
}
