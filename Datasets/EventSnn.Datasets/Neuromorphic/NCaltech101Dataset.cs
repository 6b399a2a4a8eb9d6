using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;
using EventSnn.Datasets.Formats.NMnist;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// N-Caltech101 (Orchard et al. 2015): Caltech101 images recorded with an ATIS sensor through three saccades.
/// 101 object categories (plus <c>BACKGROUND_Google</c> when present), one split; the size varies per sample.
/// </summary>
/// <remarks>
/// <para><b>Layout:</b> <c>&lt;root&gt;/Caltech101/&lt;category&gt;/image_NNNN.bin</c> (the published
/// <c>Caltech101.zip</c> unpacks to this; the annotation folder <c>Caltech101_annotations</c> is not used).</para>
/// <para><b>Classes:</b> the category folder names, ordinal-sorted; the label is the index in that list.
/// <b>Order:</b> categories in that order, files ordinal-sorted within each.</para>
/// <para><b>Sensor:</b> per sample (<see cref="IEventDataset.SensorSize"/> is null): each sample's
/// <see cref="EventSample.Sensor"/> is the bounding size of its events, (max x + 1) × (max y + 1); coordinates
/// are kept as stored (not shifted to start at 0).</para>
/// </remarks>
public sealed class NCaltech101Dataset : EventDataset
{
    /// <summary>The folder under the root that holds the category folders.</summary>
    public const string FolderName = "Caltech101";

    /// <summary>The published archive (Mendeley Data, dataset cy6cvx3ryv; its MD5 is the one tonic lists for <c>Caltech101.zip</c>).</summary>
    public static DatasetArchive PublishedArchive { get; } = new(new RemoteFile(
        new Uri("https://data.mendeley.com/public-files/datasets/cy6cvx3ryv/files/36b5c52a-b49d-4853-addb-a836a8883e49/file_downloaded"),
        "Caltech101.zip",
        FileChecksum.Md5("66201824eabb0239c7ab992480b50ba3"))
    { Archive = ArchiveKind.Zip });

    private readonly string[] _files;
    private readonly int[] _labels;

    private NCaltech101Dataset(string root, string[] classes, string[] files, int[] labels, EventReaderOptions readerOptions)
        : base("N-Caltech101", root, classes, null, readerOptions)
    {
        _files = files;
        _labels = labels;
    }

    /// <inheritdoc/>
    public override int Count => _files.Length;

    /// <summary>Whether the layout is present under <paramref name="root"/> (no network access).</summary>
    public static bool IsPresent(string root)
    {
        string folder = Path.Combine(root, FolderName);
        return Directory.Exists(folder) && Directory.EnumerateDirectories(folder).Any();
    }

    /// <summary>Opens the dataset from <paramref name="root"/>; downloads it first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    public static NCaltech101Dataset Open(string root, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure("N-Caltech101", root, [PublishedArchive], () => IsPresent(root), () => LookedAt(root), options, nameof(NCaltech101Dataset));
        return Create(root, options);
    }

    /// <summary>Opens the dataset, downloading, verifying and extracting it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The dataset is missing and downloading is off.</exception>
    public static async Task<NCaltech101Dataset> OpenAsync(string root, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync("N-Caltech101", root, [PublishedArchive], () => IsPresent(root), () => LookedAt(root), options, nameof(NCaltech101Dataset), cancellationToken).ConfigureAwait(false);
        return Create(root, options);
    }

    private static NCaltech101Dataset Create(string root, DatasetOptions options)
    {
        string folder = Path.Combine(root, FolderName);
        string[] classes = SortedSubfolders(folder);
        var files = new List<string>();
        var labels = new List<int>();
        for (int label = 0; label < classes.Length; label++)
        {
            foreach (string file in SortedFiles(Path.Combine(folder, classes[label]), ".bin", recursive: false))
            {
                files.Add(file);
                labels.Add(label);
            }
        }

        return new NCaltech101Dataset(root, classes, [.. files], [.. labels], options.EffectiveReaderOptions);
    }

    private static string[] LookedAt(string root) => [Path.Combine(root, FolderName, "<category>", "image_NNNN.bin")];

    private protected override int LabelAt(int index) => _labels[index];

    private protected override string SourceAt(int index) => _files[index];

    private protected override IEventReader OpenAt(int index) => NMnistBinReader.Open(_files[index], ReaderOptions);
}
