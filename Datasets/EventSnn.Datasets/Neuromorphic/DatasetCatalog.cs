using EventSnn.Datasets.Download;
using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>What the catalog knows about one dataset before opening it.</summary>
/// <param name="Id">The short identifier used by <see cref="DatasetCatalog.Open"/> (e.g. <c>nmnist</c>).</param>
/// <param name="Title">The dataset's name.</param>
/// <param name="Splits">The split names it accepts (the first is the default).</param>
/// <param name="Sensor">The sensor size, or null when it varies per sample.</param>
/// <param name="ClassCount">The number of classes (for SHD/SSC as published; the file's <c>extra/keys</c> decides).</param>
/// <param name="Archives">The published archives with their URLs and checksums.</param>
public sealed record DatasetDescription(
    string Id,
    string Title,
    IReadOnlyList<string> Splits,
    SensorSize? Sensor,
    int ClassCount,
    IReadOnlyList<DatasetArchive> Archives);

/// <summary>
/// The neuromorphic datasets by identifier, for tools that pick a dataset by name (a command line, a config file).
/// </summary>
/// <remarks>
/// Identifiers: <c>nmnist</c> (splits train, test), <c>ncaltech101</c> (all), <c>ncars</c> (train, test),
/// <c>dvsgesture</c> (train, test), <c>cifar10dvs</c> (all), <c>shd</c> (train, test), <c>ssc</c> (train, valid,
/// test). Identifiers and split names are case-insensitive. Datasets opened with default settings
/// (CIFAR10-DVS: <see cref="Cifar10DvsConvention.Transposed"/>; N-MNIST: all saccades; DVS Gesture: stop at slice
/// end). SHD/SSC datasets are <see cref="IDisposable"/>: dispose what <see cref="Open"/> returns when it is.
/// </remarks>
public static class DatasetCatalog
{
    private static readonly DatasetDescription[] s_all =
    [
        new("nmnist", "N-MNIST", ["train", "test"], NMnistDataset.Sensor, 10, [NMnistDataset.TrainArchive, NMnistDataset.TestArchive]),
        new("ncaltech101", "N-Caltech101", ["all"], null, 101, [NCaltech101Dataset.PublishedArchive]),
        new("ncars", "N-CARS", ["train", "test"], NCarsDataset.Sensor, 2, [NCarsDataset.PublishedArchive]),
        new("dvsgesture", "DVS128 Gesture", ["train", "test"], DvsGestureDataset.Sensor, 11, [DvsGestureDataset.PublishedArchive]),
        new("cifar10dvs", "CIFAR10-DVS", ["all"], Cifar10DvsDataset.Sensor, 10, Cifar10DvsDataset.PublishedArchives),
        new("shd", "Spiking Heidelberg Digits", ["train", "test"], HeidelbergDataset.Sensor, 20, [ShdDataset.TrainArchive, ShdDataset.TestArchive]),
        new("ssc", "Spiking Speech Commands", ["train", "valid", "test"], HeidelbergDataset.Sensor, 35, SscDataset.PublishedArchives),
    ];

    /// <summary>Every dataset, in a fixed order.</summary>
    public static IReadOnlyList<DatasetDescription> All => s_all;

    /// <summary>The description of <paramref name="id"/>.</summary>
    /// <exception cref="ArgumentException">Unknown identifier (the message lists the known ones).</exception>
    public static DatasetDescription Describe(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        return s_all.FirstOrDefault(d => string.Equals(d.Id, id.Trim(), StringComparison.OrdinalIgnoreCase))
            ?? throw new ArgumentException($"Unknown dataset '{id}'; known: {string.Join(", ", s_all.Select(d => d.Id))}.", nameof(id));
    }

    /// <summary>Opens dataset <paramref name="id"/>, split <paramref name="split"/> (null for the default) from <paramref name="root"/>.</summary>
    /// <exception cref="ArgumentException">Unknown identifier or split.</exception>
    /// <exception cref="DatasetNotFoundException">The data is missing and downloading is off.</exception>
    public static IEventDataset Open(string id, string root, string? split = null, DatasetOptions? options = null)
    {
        (DatasetDescription d, string s) = Resolve(id, split);
        return d.Id switch
        {
            "nmnist" => NMnistDataset.Open(root, s == "train", options: options),
            "ncaltech101" => NCaltech101Dataset.Open(root, options),
            "ncars" => NCarsDataset.Open(root, s == "train", options),
            "dvsgesture" => DvsGestureDataset.Open(root, s == "train", options: options),
            "cifar10dvs" => Cifar10DvsDataset.Open(root, options: options),
            "shd" => ShdDataset.Open(root, ToSplit(s), options),
            _ => SscDataset.Open(root, ToSplit(s), options),
        };
    }

    /// <summary>Opens dataset <paramref name="id"/>, downloading it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="ArgumentException">Unknown identifier or split.</exception>
    /// <exception cref="DatasetNotFoundException">The data is missing and downloading is off.</exception>
    public static async Task<IEventDataset> OpenAsync(string id, string root, string? split = null, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        (DatasetDescription d, string s) = Resolve(id, split);
        return d.Id switch
        {
            "nmnist" => await NMnistDataset.OpenAsync(root, s == "train", false, options, cancellationToken).ConfigureAwait(false),
            "ncaltech101" => await NCaltech101Dataset.OpenAsync(root, options, cancellationToken).ConfigureAwait(false),
            "ncars" => await NCarsDataset.OpenAsync(root, s == "train", options, cancellationToken).ConfigureAwait(false),
            "dvsgesture" => await DvsGestureDataset.OpenAsync(root, s == "train", true, options, cancellationToken).ConfigureAwait(false),
            "cifar10dvs" => await Cifar10DvsDataset.OpenAsync(root, Cifar10DvsConvention.Transposed, options, cancellationToken).ConfigureAwait(false),
            "shd" => await ShdDataset.OpenAsync(root, ToSplit(s), options, cancellationToken).ConfigureAwait(false),
            _ => await SscDataset.OpenAsync(root, ToSplit(s), options, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The dataset whose folder layout <paramref name="path"/> matches, for a sample file of
    /// <paramref name="format"/>; null when none does. Recognised: N-MNIST (<c>…/Train|Test/&lt;digit&gt;/*.bin</c>),
    /// N-CARS (<c>…/cars|background/*.dat</c>), DVS128 Gesture (<c>user&lt;NN&gt;_*.aedat</c>). Only the path is
    /// looked at (no file access).
    /// </summary>
    /// <param name="path">A file path.</param>
    /// <param name="format">The file's format.</param>
    /// <returns>The dataset, or null.</returns>
    public static DatasetDescription? FindByFilePath(string path, EventFormat format)
    {
        ArgumentNullException.ThrowIfNull(path);
        string full = Path.GetFullPath(path);
        string? parent = Path.GetFileName(Path.GetDirectoryName(full));
        string? grandParent = Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(full)));
        string name = Path.GetFileName(full);
        string? id = format switch
        {
            EventFormat.NMnistBin when parent is { Length: 1 } && char.IsAsciiDigit(parent[0])
                && (string.Equals(grandParent, "Train", StringComparison.OrdinalIgnoreCase) || string.Equals(grandParent, "Test", StringComparison.OrdinalIgnoreCase)) => "nmnist",
            EventFormat.Dat when string.Equals(parent, "cars", StringComparison.OrdinalIgnoreCase) || string.Equals(parent, "background", StringComparison.OrdinalIgnoreCase) => "ncars",
            EventFormat.Aedat3 when name.StartsWith("user", StringComparison.OrdinalIgnoreCase) && name.Length > 6
                && char.IsAsciiDigit(name[4]) && char.IsAsciiDigit(name[5]) => "dvsgesture",
            _ => null,
        };
        return id is null ? null : Describe(id);
    }

    private static (DatasetDescription Description, string Split) Resolve(string id, string? split)
    {
        DatasetDescription d = Describe(id);
        if (split is null)
        {
            return (d, d.Splits[0]);
        }

        string s = split.Trim().ToLowerInvariant();
        if (!d.Splits.Contains(s))
        {
            throw new ArgumentException($"{d.Title} has no split '{split}'; it has: {string.Join(", ", d.Splits)}.", nameof(split));
        }

        return (d, s);
    }

    private static HeidelbergSplit ToSplit(string split) => split switch
    {
        "train" => HeidelbergSplit.Train,
        "valid" => HeidelbergSplit.Valid,
        _ => HeidelbergSplit.Test,
    };
}
