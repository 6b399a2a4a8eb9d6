using EventSnn.Datasets.Download;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// Spiking Heidelberg Digits (SHD): spoken digits 0–9 in English and German, 20 classes, 700 channels;
/// 8,156 training and 2,264 test samples. File per split: <c>&lt;root&gt;/shd_train.h5</c>, <c>shd_test.h5</c>.
/// </summary>
/// <remarks>See <see cref="HeidelbergDataset"/> for the file layout, time conversion and threading.</remarks>
public sealed class ShdDataset : HeidelbergDataset
{
    /// <summary>The published training archive (zenkelab.org; MD5 as listed by tonic).</summary>
    public static DatasetArchive TrainArchive { get; } = ZenkeArchive("shd_train.h5", "f3252aeb598ac776c1b526422d90eecb");

    /// <summary>The published test archive (zenkelab.org; MD5 as listed by tonic).</summary>
    public static DatasetArchive TestArchive { get; } = ZenkeArchive("shd_test.h5", "1503a5064faa34311c398fb0a1ed0a6f");

    private ShdDataset(string name, string root, string path, HeidelbergFile file, EventReaderOptions readerOptions)
        : base(name, root, path, file.File, file.Times, file.Units, file.Labels, file.Classes, readerOptions)
    {
    }

    /// <summary>The HDF5 file name of a split: <c>shd_train.h5</c> or <c>shd_test.h5</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">SHD has no <paramref name="split"/> split.</exception>
    public static string FileName(HeidelbergSplit split) => split switch
    {
        HeidelbergSplit.Train => "shd_train.h5",
        HeidelbergSplit.Test => "shd_test.h5",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "SHD has train and test splits only."),
    };

    /// <summary>The published archive of a split.</summary>
    public static DatasetArchive Archive(HeidelbergSplit split) => split switch
    {
        HeidelbergSplit.Train => TrainArchive,
        HeidelbergSplit.Test => TestArchive,
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "SHD has train and test splits only."),
    };

    /// <summary>Opens a split from <paramref name="root"/>; downloads first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The file is missing and downloading is off.</exception>
    /// <exception cref="EventFormatException">The file is not in the SHD layout.</exception>
    public static ShdDataset Open(string root, HeidelbergSplit split = HeidelbergSplit.Train, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        string path = Path.Combine(root, FileName(split));
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure(Title(split), root, [Archive(split)], () => File.Exists(path), () => [path], options, nameof(ShdDataset));
        return new ShdDataset(Title(split), root, path, OpenFile(path, 20), options.EffectiveReaderOptions);
    }

    /// <summary>Opens a split, downloading, verifying and extracting it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The file is missing and downloading is off.</exception>
    public static async Task<ShdDataset> OpenAsync(string root, HeidelbergSplit split = HeidelbergSplit.Train, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        string path = Path.Combine(root, FileName(split));
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync(Title(split), root, [Archive(split)], () => File.Exists(path), () => [path], options, nameof(ShdDataset), cancellationToken).ConfigureAwait(false);
        return new ShdDataset(Title(split), root, path, OpenFile(path, 20), options.EffectiveReaderOptions);
    }

    private static string Title(HeidelbergSplit split) => split == HeidelbergSplit.Train ? "SHD (train)" : "SHD (test)";
}

/// <summary>
/// Spiking Speech Commands (SSC): Google Speech Commands words, 35 classes, 700 channels; train, valid and test
/// splits. File per split: <c>&lt;root&gt;/ssc_train.h5</c>, <c>ssc_valid.h5</c>, <c>ssc_test.h5</c>.
/// </summary>
/// <remarks>See <see cref="HeidelbergDataset"/> for the file layout, time conversion and threading.</remarks>
public sealed class SscDataset : HeidelbergDataset
{
    /// <summary>The published archives (zenkelab.org; MD5s as listed by tonic), in <see cref="HeidelbergSplit"/> order.</summary>
    public static IReadOnlyList<DatasetArchive> PublishedArchives { get; } =
    [
        ZenkeArchive("ssc_train.h5", "d102be95e7144fcc0553d1f45ba94170"),
        ZenkeArchive("ssc_test.h5", "a35ff1e9cffdd02a20eb850c17c37748"),
        ZenkeArchive("ssc_valid.h5", "b4eee3516a4a90dd0c71a6ac23a8ae43"),
    ];

    private SscDataset(string name, string root, string path, HeidelbergFile file, EventReaderOptions readerOptions)
        : base(name, root, path, file.File, file.Times, file.Units, file.Labels, file.Classes, readerOptions)
    {
    }

    /// <summary>The HDF5 file name of a split: <c>ssc_train.h5</c>, <c>ssc_test.h5</c> or <c>ssc_valid.h5</c>.</summary>
    public static string FileName(HeidelbergSplit split) => split switch
    {
        HeidelbergSplit.Train => "ssc_train.h5",
        HeidelbergSplit.Test => "ssc_test.h5",
        HeidelbergSplit.Valid => "ssc_valid.h5",
        _ => throw new ArgumentOutOfRangeException(nameof(split), split, "Unknown split."),
    };

    /// <summary>Opens a split from <paramref name="root"/>; downloads first only when <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The file is missing and downloading is off.</exception>
    /// <exception cref="EventFormatException">The file is not in the SSC layout.</exception>
    public static SscDataset Open(string root, HeidelbergSplit split = HeidelbergSplit.Train, DatasetOptions? options = null)
    {
        root = DatasetSetup.CheckRoot(root);
        string path = Path.Combine(root, FileName(split));
        options ??= DatasetOptions.Default;
        DatasetSetup.Ensure(Title(split), root, [PublishedArchives[(int)split]], () => File.Exists(path), () => [path], options, nameof(SscDataset));
        return new SscDataset(Title(split), root, path, OpenFile(path, 35), options.EffectiveReaderOptions);
    }

    /// <summary>Opens a split, downloading, verifying and extracting it first when missing and <see cref="DatasetOptions.Download"/> is set.</summary>
    /// <exception cref="DatasetNotFoundException">The file is missing and downloading is off.</exception>
    public static async Task<SscDataset> OpenAsync(string root, HeidelbergSplit split = HeidelbergSplit.Train, DatasetOptions? options = null, CancellationToken cancellationToken = default)
    {
        root = DatasetSetup.CheckRoot(root);
        string path = Path.Combine(root, FileName(split));
        options ??= DatasetOptions.Default;
        await DatasetSetup.EnsureAsync(Title(split), root, [PublishedArchives[(int)split]], () => File.Exists(path), () => [path], options, nameof(SscDataset), cancellationToken).ConfigureAwait(false);
        return new SscDataset(Title(split), root, path, OpenFile(path, 35), options.EffectiveReaderOptions);
    }

    private static string Title(HeidelbergSplit split) => $"SSC ({split.ToString().ToLowerInvariant()})";
}
