using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Formats.Prophesee;

/// <summary>Locates the shared sample files and drains readers into arrays.</summary>
internal static class SampleData
{
    private static readonly Lazy<string> s_dataDir = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("EventSnn.sln not found above " + AppContext.BaseDirectory);
        }

        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
    });

    public static string PathOf(string file)
    {
        string path = Path.Combine(s_dataDir.Value, file);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException("Sample file missing (expected in ../shared/data)", path);
        }

        return path;
    }

    public static byte[] Bytes(string file) => File.ReadAllBytes(PathOf(file));

    /// <summary>Whether long randomized runs were asked for.</summary>
    public static bool LongRuns => Environment.GetEnvironmentVariable("EVENTSNN_LONG_TESTS") == "1";

    /// <summary>Reads every event with batches of <paramref name="batchCapacity"/>.</summary>
    public static Decoded ReadAll(IEventReader reader, int batchCapacity = EventBatch.DefaultCapacity)
    {
        var result = new Decoded();
        using var batch = new EventBatch(batchCapacity);
        while (true)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            if (n == 0)
            {
                break;
            }

            Assert.Equal(n, batch.Count);
            result.T.AddRange(batch.T);
            result.X.AddRange(batch.X);
            result.Y.AddRange(batch.Y);
            result.P.AddRange(batch.P);
        }

        return result;
    }
}

/// <summary>Decoded columns.</summary>
internal sealed class Decoded
{
    public List<long> T { get; } = [];

    public List<ushort> X { get; } = [];

    public List<ushort> Y { get; } = [];

    public List<byte> P { get; } = [];

    public int Count => T.Count;

    public DvsEvent this[int i] => new(T[i], X[i], Y[i], P[i]);

    public DvsEvent First => this[0];

    public DvsEvent Last => this[Count - 1];

    public int On => P.Count(p => p == 1);

    public int Off => P.Count(p => p == 0);

    public void AssertEqual(Decoded other)
    {
        Assert.Equal(other.Count, Count);
        Assert.Equal(other.T, T);
        Assert.Equal(other.X, X);
        Assert.Equal(other.Y, Y);
        Assert.Equal(other.P, P);
    }
}
