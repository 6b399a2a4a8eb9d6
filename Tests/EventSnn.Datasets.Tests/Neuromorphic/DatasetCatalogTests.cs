using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class DatasetCatalogTests
{
    [Fact]
    public void Every_archive_is_fetched_over_https()
    {
        var archives = DatasetCatalog.All.SelectMany(d => d.Archives).Select(a => a.Remote.Url).ToList();
        Assert.NotEmpty(archives);
        Assert.All(archives, url => Assert.Equal(Uri.UriSchemeHttps, url.Scheme));
    }

    [Theory]
    [InlineData("root/Train/3/00002.bin", EventFormat.NMnistBin, "nmnist")]
    [InlineData("root/test/0/1.bin", EventFormat.NMnistBin, "nmnist")]
    [InlineData("root/Train/3/00002.bin", EventFormat.Dat, null)]
    [InlineData("root/airplanes/image_0001.bin", EventFormat.NMnistBin, null)]
    [InlineData("n-cars_test/test/background/obj_1.dat", EventFormat.Dat, "ncars")]
    [InlineData("DvsGesture/user01_natural.aedat", EventFormat.Aedat3, "dvsgesture")]
    [InlineData("DvsGesture/userXY_natural.aedat", EventFormat.Aedat3, null)]
    public void A_sample_file_is_matched_to_its_dataset_by_its_folder_layout(string path, EventFormat format, string? id)
    {
        Assert.Equal(id, DatasetCatalog.FindByFilePath(path, format)?.Id);
    }

    [Fact]
    public void Lists_every_dataset_with_published_archives()
    {
        Assert.Equal(["nmnist", "ncaltech101", "ncars", "dvsgesture", "cifar10dvs", "shd", "ssc"], DatasetCatalog.All.Select(d => d.Id));
        foreach (DatasetDescription d in DatasetCatalog.All)
        {
            Assert.NotEmpty(d.Splits);
            Assert.NotEmpty(d.Archives);
            Assert.All(d.Archives, a =>
            {
                Assert.True(a.Remote.Url.IsAbsoluteUri);
                Assert.Equal(32, a.Remote.Checksum.Hex.Length);
                Assert.NotEqual(EventSnn.Datasets.Download.ArchiveKind.None, a.Remote.Archive);
            });
        }

        // Every archive file name is distinct within a dataset (they share one root folder).
        Assert.All(DatasetCatalog.All, d => Assert.Equal(d.Archives.Count, d.Archives.Select(a => a.Remote.FileName).Distinct().Count()));
        Assert.Equal(10, DatasetCatalog.Describe("CIFAR10DVS").Archives.Count);
    }

    [Fact]
    public void Opens_by_identifier_and_split()
    {
        using var dir = new TempFolder();
        List<DvsEvent> events = Fixtures.RandomEvents(9, 20, 34, 34);
        Fixtures.Write(Path.Combine(dir.Path, "Test", "4", "1.bin"), Fixtures.NMnistBin(events));

        IEventDataset ds = DatasetCatalog.Open("NMNIST", dir.Path, "Test");

        Assert.Equal("N-MNIST (test)", ds.Name);
        Assert.Equal(4, ds.GetLabel(0));
        Assert.Equal(events, ds.GetSample(0).ToArray());
        Assert.Throws<DatasetNotFoundException>(() => DatasetCatalog.Open("nmnist", dir.Path));
    }

    [Fact]
    public async Task Opens_asynchronously_and_disposes_hdf5_datasets()
    {
        using var dir = new TempFolder();
        new PureHDF.H5File
        {
            ["spikes"] = new PureHDF.H5Group { ["times"] = new float[][] { [0.5f] }, ["units"] = new ushort[][] { [7] } },
            ["labels"] = new byte[] { 2 },
            ["extra"] = new PureHDF.H5Group { ["keys"] = Enumerable.Range(0, 35).Select(i => "w" + i).ToArray() },
        }.Write(dir.Combine("ssc_valid.h5"));

        IEventDataset ds = await DatasetCatalog.OpenAsync("ssc", dir.Path, "valid");
        try
        {
            Assert.Equal([new DvsEvent(500_000, 7, 0, 1)], ds.GetSample(0).ToArray());
            Assert.Equal("w2", ds.GetSample(0).ClassName);
        }
        finally
        {
            (ds as IDisposable)?.Dispose();
        }
    }

    [Fact]
    public void Unknown_identifiers_and_splits_list_the_valid_ones()
    {
        var id = Assert.Throws<ArgumentException>("id", () => DatasetCatalog.Describe("mnist-dvs"));
        Assert.Contains("dvsgesture", id.Message, StringComparison.Ordinal);
        var split = Assert.Throws<ArgumentException>("split", () => DatasetCatalog.Open("shd", "/nonexistent", "valid"));
        Assert.Contains("train, test", split.Message, StringComparison.Ordinal);
    }
}
