namespace EventSnn.Datasets.Images;

/// <summary>
/// Loads Fashion-MNIST from its IDX files (<c>train-images-idx3-ubyte.gz</c>, <c>train-labels-idx1-ubyte.gz</c>,
/// <c>t10k-images-idx3-ubyte.gz</c>, <c>t10k-labels-idx1-ubyte.gz</c>, gzip-compressed or not), as installed by the
/// Debian package <c>dataset-fashion-mnist</c> in <see cref="DefaultDirectory"/>.
/// </summary>
public static class FashionMnist
{
    /// <summary>Where the Debian package <c>dataset-fashion-mnist</c> installs the files.</summary>
    public const string DefaultDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>Environment variable naming a directory that holds the files.</summary>
    public const string EnvironmentVariable = "EVENTSNN_FASHION_MNIST_DIR";

    /// <summary>The ten class names, indexed by label.</summary>
    public static IReadOnlyList<string> ClassNames { get; } =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>
    /// The directory to load from: <paramref name="directory"/> when given, else <see cref="EnvironmentVariable"/>, else
    /// <see cref="DefaultDirectory"/>; null when the chosen place lacks the files.
    /// </summary>
    public static string? FindDirectory(string? directory = null)
    {
        foreach (string candidate in Candidates(directory))
        {
            if (FindFile(candidate, "train-images-idx3-ubyte") is not null || FindFile(candidate, "t10k-images-idx3-ubyte") is not null)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Loads the training (60 000) or test (10 000) split.</summary>
    /// <param name="train">True for the training split, false for the test split.</param>
    /// <param name="directory">Directory holding the files; null searches as <see cref="FindDirectory"/> does.</param>
    /// <exception cref="FileNotFoundException">The files are not found; the message says what to install.</exception>
    /// <exception cref="IdxFormatException">A file is malformed or images and labels disagree.</exception>
    public static LabeledImages Load(bool train, string? directory = null)
    {
        string prefix = train ? "train" : "t10k";
        string? dir = FindDirectory(directory);
        string? images = dir is null ? null : FindFile(dir, $"{prefix}-images-idx3-ubyte");
        string? labels = dir is null ? null : FindFile(dir, $"{prefix}-labels-idx1-ubyte");
        if (images is null || labels is null)
        {
            throw new FileNotFoundException(
                $"Fashion-MNIST {prefix} files ({prefix}-images-idx3-ubyte[.gz], {prefix}-labels-idx1-ubyte[.gz]) not found in "
                + string.Join(", ", Candidates(directory)) + ". Install them with `apt-get install dataset-fashion-mnist` "
                + $"(files go to {DefaultDirectory}), or set {EnvironmentVariable} to a directory holding the IDX files.");
        }

        return IdxImages.LoadPair(images, labels, ClassNames);
    }

    private static IEnumerable<string> Candidates(string? directory)
    {
        if (directory is not null)
        {
            yield return directory;
            yield break;
        }

        string? env = Environment.GetEnvironmentVariable(EnvironmentVariable);
        if (!string.IsNullOrEmpty(env))
        {
            yield return env;
        }

        yield return DefaultDirectory;
    }

    private static string? FindFile(string dir, string stem) => IdxImages.FindFile(dir, stem);
}
