using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;
using PureHDF;
using PureHDF.Filters;
using PureHDF.VOL.Native;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class Hdf5ShuffleTests
{
    private static H5DatasetCreation ShuffleDeflate() =>
        new(Filters: [new H5Filter(ShuffleFilter.Id), new H5Filter(DeflateFilter.Id)]);

    [Fact]
    public void Shuffle_round_trips_fixed_size_data_through_a_file()
    {
        Hdf5Shuffle.EnsureRegistered();
        using var dir = new TempFolder();
        string path = dir.Combine("f.h5");
        float[] values = [.. Enumerable.Range(0, 1001).Select(i => (i * 0.37f) - 50f)];
        new H5File { ["a"] = new H5Dataset<float[]>(values, chunks: [64], datasetCreation: ShuffleDeflate()) }.Write(path);

        using NativeFile file = H5File.OpenRead(path);
        Assert.Equal(values, file.Dataset("a").Read<float[]>());
    }

    [Theory]
    [InlineData(4, new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, new byte[] { 1, 5, 2, 6, 3, 7, 4, 8, 9 })]
    [InlineData(2, new byte[] { 1, 2, 3, 4, 5, 6 }, new byte[] { 1, 3, 5, 2, 4, 6 })]
    public void Shuffle_matches_the_hdf5_byte_order(int size, byte[] plain, byte[] shuffled)
    {
        // HDF5: byte b of element i goes to b·n + i; bytes past the last whole element stay at the end.
        var filter = new Hdf5Shuffle();
        Memory<byte> encoded = filter.Filter(new FilterInfo(H5FilterFlags.None, [(uint)size], plain.Length, plain.ToArray()));
        Assert.Equal(shuffled, encoded.ToArray());
        Memory<byte> decoded = filter.Filter(new FilterInfo(H5FilterFlags.Decompress, [(uint)size], shuffled.Length, shuffled.ToArray()));
        Assert.Equal(plain, decoded.ToArray());
    }

    [Fact]
    public void Variable_length_spikes_shuffled_the_way_the_hdf5_library_writes_them_are_read()
    {
        using var dir = new TempFolder();
        // Sample 1 is a null element, as h5py stores an empty sample.
        float[][] times = [[0.0125f, 0.7f, 1.1f], null!, [0.25f], [0.5f, 0.75f]];
        ushort[][] units = [[0, 350, 699], null!, [12], [1, 2]];
        var file = new H5File
        {
            ["spikes"] = new H5Group
            {
                ["times"] = new H5Dataset<float[][]>(times, chunks: [2], datasetCreation: ShuffleDeflate()),
                ["units"] = new H5Dataset<ushort[][]>(units, chunks: [2], datasetCreation: ShuffleDeflate()),
            },
            ["labels"] = new byte[] { 3, 0, 19, 5 },
            ["extra"] = new H5Group { ["keys"] = Enumerable.Range(0, 20).Select(i => "k" + i).ToArray() },
        };

        // On this thread only: shuffle listed without parameter over unshuffled bytes, as HDF5 (h5py, PyTables) leaves
        // variable-length chunks; PureHDF's own shuffle filter fails on such files.
        Hdf5Shuffle.EnsureRegistered();
        Hdf5Shuffle.EmulateLibraryVlenWrite = true;
        try
        {
            file.Write(dir.Combine("shd_test.h5"));
        }
        finally
        {
            Hdf5Shuffle.EmulateLibraryVlenWrite = false;
        }

        using ShdDataset ds = ShdDataset.Open(dir.Path, HeidelbergSplit.Test);

        Assert.Equal(4, ds.Count);
        Assert.Equal([3, 0, 19, 5], Enumerable.Range(0, 4).Select(ds.GetLabel));
        Assert.Equal([new DvsEvent(12_500, 0, 0, 1), new DvsEvent(700_000, 350, 0, 1), new DvsEvent(1_100_000, 699, 0, 1)], ds[0].ToArray());
        Assert.Empty(ds[1].ToArray());
        Assert.Equal([new DvsEvent(250_000, 12, 0, 1)], ds[2].ToArray());
        Assert.Equal([new DvsEvent(500_000, 1, 0, 1), new DvsEvent(750_000, 2, 0, 1)], ds[3].ToArray());
    }
}
