using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

/// <summary>Helpers shared by the AEDAT tests: sample paths and whole-stream reads.</summary>
internal static class AedatTestUtil
{
    private static readonly Lazy<string> s_repoRoot = new(() =>
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("EventSnn.sln not found above the test binaries.");
    });

    public static string RepoRoot => s_repoRoot.Value;

    public static string SharedData(string file)
    {
        string path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "data", file));
        Assert.True(File.Exists(path), $"sample file missing: {path}");
        return path;
    }

    public static bool LongTests => Environment.GetEnvironmentVariable("EVENTSNN_LONG_TESTS") == "1";

    /// <summary>Reads every event with batches of <paramref name="batchCapacity"/> events.</summary>
    public static List<DvsEvent> ReadAll(IEventReader reader, int batchCapacity = 4096)
    {
        var events = new List<DvsEvent>();
        using var batch = new EventBatch(batchCapacity);
        while (true)
        {
            batch.Clear();
            int n = reader.ReadBatch(batch);
            Assert.Equal(batch.Count, n);
            if (n == 0)
            {
                break;
            }

            for (int i = 0; i < n; i++)
            {
                events.Add(batch[i]);
            }
        }

        return events;
    }

    /// <summary>Reads every event into columns without keeping per-event objects.</summary>
    public static (long[] T, ushort[] X, ushort[] Y, byte[] P) ReadColumns(IEventReader reader, int batchCapacity = 65536)
    {
        var t = new List<long>();
        var x = new List<ushort>();
        var y = new List<ushort>();
        var p = new List<byte>();
        using var batch = new EventBatch(batchCapacity);
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            t.AddRange(batch.T);
            x.AddRange(batch.X);
            y.AddRange(batch.Y);
            p.AddRange(batch.P);
        }

        return (t.ToArray(), x.ToArray(), y.ToArray(), p.ToArray());
    }
}
