using BenchmarkDotNet.Attributes;
using EventSnn.Events;
using EventSnn.Datasets.Formats;

namespace EventSnn.Benchmarks;

/// <summary>
/// Single-threaded decoding of the shared Prophesee / N-MNIST samples held in memory, the data section replicated
/// to about <see cref="TargetEvents"/> events (one header, then the data repeated; see <c>eventsnn bench decode</c>).
/// Allocation per operation is the reader and its header only: nothing per event.
/// Run: <c>dotnet run -c Release --project Tests/EventSnn.Benchmarks -- --filter '*EventDecode*'</c>.
/// </summary>
[MemoryDiagnoser]
public class EventDecodeBenchmarks
{
    /// <summary>Events per operation (approximately: whole copies of the sample).</summary>
    public const long TargetEvents = 10_000_000;

    private byte[] _data = [];
    private EventBatch _batch = null!;

    /// <summary>The sample to decode.</summary>
    [Params("faery_evt2.raw", "expelliarmus_evt3_sample.raw", "tonic_sample_ncars.dat", "tonic_sample_nmnist.bin")]
    public string File { get; set; } = "";

    /// <summary>Events decoded per operation (for Mev/s = Events / mean time).</summary>
    public long Events { get; private set; }

    private EventFormat _format;

    /// <summary>Loads and replicates the sample.</summary>
    [GlobalSetup]
    public void Setup()
    {
        string path = SharedData(File);
        _format = EventFile.Detect(path);
        byte[] file = System.IO.File.ReadAllBytes(path);
        int record = _format switch
        {
            EventFormat.Evt2 => 4,
            EventFormat.Evt3 => 2,
            EventFormat.Dat => 8,
            _ => 5,
        };
        int start = 0;
        while (_format != EventFormat.NMnistBin && start < file.Length && file[start] == (byte)'%')
        {
            start = Array.IndexOf(file, (byte)'\n', start) + 1;
        }

        start += _format == EventFormat.Dat ? 2 : 0;
        int length = (file.Length - start) / record * record;
        _batch = new EventBatch();
        _data = file;
        long perCopy = Decode();
        long copies = (TargetEvents + perCopy - 1) / perCopy;
        _data = new byte[start + (length * copies)];
        file.AsSpan(0, start).CopyTo(_data);
        for (long c = 0; c < copies; c++)
        {
            file.AsSpan(start, length).CopyTo(_data.AsSpan((int)(start + (c * length))));
        }

        Events = Decode();
        Console.WriteLine($"// {File}: {Events} events per operation");
    }

    /// <summary>Releases the batch.</summary>
    [GlobalCleanup]
    public void Cleanup() => _batch.Dispose();

    /// <summary>Decodes every event once.</summary>
    [Benchmark]
    public long Decode()
    {
        using IEventReader reader = EventFile.Open(new MemoryStream(_data, 0, _data.Length, writable: false, publiclyVisible: true), _format);
        long n = 0;
        while (true)
        {
            _batch.Clear();
            int k = reader.ReadBatch(_batch);
            if (k == 0)
            {
                return n;
            }

            n += k;
        }
    }

    private static string SharedData(string file)
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !System.IO.File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        return dir is null
            ? throw new InvalidOperationException("EventSnn.sln not found above " + AppContext.BaseDirectory)
            : Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", file));
    }
}
