namespace EventSnn.Datasets.Tests.Download;

/// <summary>A fresh temporary folder, deleted on dispose.</summary>
internal sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "eventsnn-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string Combine(params string[] parts) => System.IO.Path.Combine([Path, .. parts]);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

internal static class TestData
{
    /// <summary>Deterministic pseudo-random bytes.</summary>
    public static byte[] Bytes(int length, int seed)
    {
        var rng = new Random(seed);
        byte[] data = new byte[length];
        rng.NextBytes(data);
        return data;
    }

    /// <summary>The repository root (the folder holding EventSnn.sln).</summary>
    public static string RepoRoot()
    {
        string? dir = AppContext.BaseDirectory;
        for (int i = 0; i < 20 && dir is not null; i++)
        {
            if (File.Exists(Path.Combine(dir, "EventSnn.sln")))
            {
                return dir;
            }

            dir = Path.GetDirectoryName(dir);
        }

        throw new InvalidOperationException("EventSnn.sln not found above " + AppContext.BaseDirectory);
    }

    /// <summary>A file from ../shared/data.</summary>
    public static string SharedData(string name) => Path.GetFullPath(Path.Combine(RepoRoot(), "..", "shared", "data", name));
}
