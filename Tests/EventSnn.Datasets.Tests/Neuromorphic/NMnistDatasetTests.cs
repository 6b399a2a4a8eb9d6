using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class NMnistDatasetTests
{
    /// <summary>Writes Train/{3,0,7} and Test/1 with generated samples plus the real sample as Train/3/00000_real.bin.</summary>
    private static Dictionary<string, List<DvsEvent>> WriteLayout(string root)
    {
        var written = new Dictionary<string, List<DvsEvent>>(StringComparer.Ordinal);
        void Add(string split, int digit, string name, List<DvsEvent> events)
        {
            string path = Path.Combine(root, split, digit.ToString(System.Globalization.CultureInfo.InvariantCulture), name);
            Fixtures.Write(path, Fixtures.NMnistBin(events));
            written[path] = events;
        }

        Add("Train", 7, "00010.bin", Fixtures.RandomEvents(1, 300, 34, 34));
        Add("Train", 3, "00002.bin", Fixtures.RandomEvents(2, 150, 34, 34, maxStep: 2000));
        Add("Train", 0, "00001.bin", Fixtures.RandomEvents(3, 10, 34, 34));
        Add("Train", 3, "00001.bin", []);
        Add("Test", 1, "00005.bin", Fixtures.RandomEvents(4, 42, 34, 34));
        byte[] real = File.ReadAllBytes(TestData.SharedData("tonic_sample_nmnist.bin"));
        string realPath = Path.Combine(root, "Train", "3", "00000_real.bin");
        Fixtures.Write(realPath, real);
        written[realPath] = Fixtures.DecodeNMnistBin(real);
        return written;
    }

    [Fact]
    public void Indexes_the_train_split_in_digit_then_file_order_with_labels_from_folders()
    {
        using var dir = new TempFolder();
        Dictionary<string, List<DvsEvent>> written = WriteLayout(dir.Path);

        NMnistDataset ds = NMnistDataset.Open(dir.Path, train: true);

        Assert.Equal("N-MNIST (train)", ds.Name);
        Assert.Equal(new SensorSize(34, 34), ds.SensorSize);
        Assert.Equal(10, ds.Classes.Count);
        Assert.Equal("3 - three", ds.Classes[3]);
        Assert.Equal(5, ds.Count);
        string[] expectedOrder =
        [
            Path.Combine(dir.Path, "Train", "0", "00001.bin"),
            Path.Combine(dir.Path, "Train", "3", "00000_real.bin"),
            Path.Combine(dir.Path, "Train", "3", "00001.bin"),
            Path.Combine(dir.Path, "Train", "3", "00002.bin"),
            Path.Combine(dir.Path, "Train", "7", "00010.bin"),
        ];
        Assert.Equal(expectedOrder, Enumerable.Range(0, ds.Count).Select(ds.GetSourceName));
        Assert.Equal([0, 3, 3, 3, 7], Enumerable.Range(0, ds.Count).Select(ds.GetLabel));
        Assert.Equal([1, 0, 0, 3, 0, 0, 0, 1, 0, 0], ds.CountPerClass());

        for (int i = 0; i < ds.Count; i++)
        {
            EventSample sample = ds[i];
            Assert.Equal(written[expectedOrder[i]], sample.ToArray());
            Assert.Equal(ds.GetLabel(i), sample.Label);
            Assert.Equal(ds.Classes[sample.Label], sample.ClassName);
            Assert.Equal(i, sample.Index);
        }
    }

    [Fact]
    public void The_real_sample_matches_the_published_facts()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path);

        EventSample real = ds[1];

        // SOURCES.md: 4,325 events, first [654,7,15,1], last [311175,21,14,1], 2,145 ON.
        Assert.Equal(4325, real.Count);
        Assert.Equal(new DvsEvent(654, 7, 15, 1), real[0]);
        Assert.Equal(new DvsEvent(311175, 21, 14, 1), real[real.Count - 1]);
        Assert.Equal(2145, real.P.ToArray().Count(p => p == 1));
        Assert.Equal(3, real.Label);
    }

    [Fact]
    public void First_saccade_only_keeps_events_before_100_ms()
    {
        using var dir = new TempFolder();
        Dictionary<string, List<DvsEvent>> written = WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path, firstSaccadeOnly: true);

        for (int i = 0; i < ds.Count; i++)
        {
            DvsEvent[] expected = [.. written[ds.GetSourceName(i)].Where(e => e.T < 100_000)];
            Assert.Equal(expected, ds.GetSample(i).ToArray());
        }

        Assert.True(ds[1].Count is > 0 and < 4325);
    }

    [Fact]
    public void The_test_split_is_separate()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);

        NMnistDataset test = NMnistDataset.Open(dir.Path, train: false);

        Assert.Equal(1, test.Count);
        Assert.Equal(1, test.GetLabel(0));
        Assert.Equal(42, test[0].Count);
    }

    [Fact]
    public void Streaming_a_sample_gives_the_same_events_as_reading_it_whole()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path);

        using IEventReader reader = ds.OpenSample(1);
        var streamed = new List<DvsEvent>();
        using var batch = new EventBatch(100);
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                break;
            }

            for (int i = 0; i < batch.Count; i++)
            {
                streamed.Add(batch[i]);
            }
        }

        Assert.Equal(ds[1].ToArray(), streamed);
    }

    [Fact]
    public void Samples_convert_to_event_arrays_for_the_transforms()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path);

        EventArray array = ds[1].ToEventArray();
        Assert.Equal(ds[1].ToArray(), array.ToEvents());
        Assert.Equal(new SensorSize(34, 34), array.Sensor);

        ds[4].CopyTo(array);
        Assert.Equal(ds[4].ToArray(), array.ToEvents());
    }

    [Fact]
    public void Concurrent_reads_of_different_samples_match_sequential_reads()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path);
        DvsEvent[][] sequential = [.. Enumerable.Range(0, ds.Count).Select(i => ds[i].ToArray())];

        var parallel = new DvsEvent[ds.Count * 8][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => parallel[k] = ds[k % ds.Count].ToArray());

        for (int k = 0; k < parallel.Length; k++)
        {
            Assert.Equal(sequential[k % ds.Count], parallel[k]);
        }
    }

    [Fact]
    public void Missing_data_without_download_says_where_it_looked_and_how_to_get_it()
    {
        using var dir = new TempFolder();

        var ex = Assert.Throws<DatasetNotFoundException>(() => NMnistDataset.Open(dir.Path, train: true));

        Assert.Contains(Path.Combine(dir.Path, "Train"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("Download = true", ex.Message, StringComparison.Ordinal);
        Assert.Contains(NMnistDataset.TrainArchive.Remote.Url.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Contains("20959b8e626244a1b502305a9e6e2031", ex.Message, StringComparison.Ordinal);
        Assert.NotEmpty(ex.LookedAt);
    }

    [Fact]
    public async Task An_existing_layout_is_used_without_any_network_call()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        var handler = new CountingHandler();
        using var http = new HttpClient(handler);

        NMnistDataset ds = await NMnistDataset.OpenAsync(dir.Path, true, false, new DatasetOptions { Download = true, HttpClient = http });

        Assert.Equal(5, ds.Count);
        Assert.Equal(0, handler.Calls);
    }

    [Fact]
    public async Task A_download_that_fails_verification_leaves_no_dataset_behind()
    {
        using var dir = new TempFolder();
        var handler = new CountingHandler { Body = TestData.Bytes(4096, 7) };
        using var http = new HttpClient(handler);
        var options = new DatasetOptions
        {
            Download = true,
            HttpClient = http,
            DownloadOptions = new EventSnn.Datasets.Download.DownloadOptions { RetryDelay = TimeSpan.Zero },
        };

        var ex = await Assert.ThrowsAsync<EventSnn.Datasets.Download.DatasetDownloadException>(() => NMnistDataset.OpenAsync(dir.Path, false, false, options));

        Assert.Contains("Checksum mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains("69ca8762b2fe404d9b9bad1103e97832", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, handler.Calls);
        Assert.Equal(NMnistDataset.TestArchive.Remote.Url, handler.LastUri);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));
        Assert.False(NMnistDataset.IsPresent(dir.Path, train: false));
    }

    [Fact]
    public void Indexes_outside_the_dataset_are_rejected()
    {
        using var dir = new TempFolder();
        WriteLayout(dir.Path);
        NMnistDataset ds = NMnistDataset.Open(dir.Path);

        Assert.Throws<ArgumentOutOfRangeException>("index", () => ds[5]);
        Assert.Throws<ArgumentOutOfRangeException>("index", () => ds.GetLabel(-1));
        Assert.Throws<ArgumentOutOfRangeException>("index", () => ds.OpenSample(int.MaxValue));
        Assert.Throws<ArgumentException>(() => NMnistDataset.Open(" "));
    }
}

/// <summary>An HTTP handler that counts calls and answers 200 with a fixed body.</summary>
internal sealed class CountingHandler : HttpMessageHandler
{
    private int _calls;

    public byte[] Body { get; init; } = [];

    public int Calls => Volatile.Read(ref _calls);

    public Uri? LastUri { get; private set; }

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        LastUri = request.RequestUri;
        return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new ByteArrayContent(Body) });
    }
}
