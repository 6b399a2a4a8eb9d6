using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class NCaltech101DatasetTests
{
    [Fact]
    public void Categories_are_sorted_folders_and_the_sensor_is_per_sample()
    {
        using var dir = new TempFolder();
        string root = dir.Path;
        List<DvsEvent> faces = Fixtures.RandomEvents(1, 500, 173, 151);
        List<DvsEvent> acc1 = Fixtures.RandomEvents(2, 80, 200, 120);
        List<DvsEvent> acc2 = [new(10, 3, 4, 1), new(20, 9, 2, 0)];
        Fixtures.Write(Path.Combine(root, "Caltech101", "accordion", "image_0002.bin"), Fixtures.NMnistBin(acc2));
        Fixtures.Write(Path.Combine(root, "Caltech101", "accordion", "image_0001.bin"), Fixtures.NMnistBin(acc1));
        Fixtures.Write(Path.Combine(root, "Caltech101", "Faces_easy", "image_0001.bin"), Fixtures.NMnistBin(faces));
        Fixtures.Write(Path.Combine(root, "Caltech101", "Faces_easy", "notes.txt"), [1, 2]);

        NCaltech101Dataset ds = NCaltech101Dataset.Open(root);

        // Ordinal sort: upper case before lower case.
        Assert.Equal(["Faces_easy", "accordion"], ds.Classes);
        Assert.Null(ds.SensorSize);
        Assert.Equal(3, ds.Count);
        Assert.Equal([0, 1, 1], Enumerable.Range(0, 3).Select(ds.GetLabel));
        Assert.Equal(faces, ds[0].ToArray());
        Assert.Equal(acc1, ds[1].ToArray());
        Assert.Equal(acc2, ds[2].ToArray());
        Assert.Equal(new SensorSize(faces.Max(e => e.X) + 1, faces.Max(e => e.Y) + 1), ds[0].Sensor);
        Assert.Equal(new SensorSize(10, 5), ds[2].Sensor);
        Assert.Equal("accordion", ds[2].ClassName);
    }

    [Fact]
    public void Missing_folder_names_the_expected_layout()
    {
        using var dir = new TempFolder();
        var ex = Assert.Throws<DatasetNotFoundException>(() => NCaltech101Dataset.Open(dir.Path));
        Assert.Contains(Path.Combine(dir.Path, "Caltech101"), ex.Message, StringComparison.Ordinal);
        Assert.Contains("66201824eabb0239c7ab992480b50ba3", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class NCarsDatasetTests
{
    [Theory]
    [InlineData("n-cars_train/train")]
    [InlineData("n-cars_train")]
    [InlineData("Prophesee_Dataset_n_cars/n-cars_train")]
    [InlineData("train")]
    public void Reads_the_real_sample_and_generated_background_from_a_split_folder(string splitFolder)
    {
        using var dir = new TempFolder();
        string split = Path.Combine(dir.Path, splitFolder);
        string car = Path.Combine(split, "cars", "obj_004396_td.dat");
        Fixtures.Write(car, File.ReadAllBytes(TestData.SharedData("tonic_sample_ncars.dat")));
        List<DvsEvent> bg1 = Fixtures.RandomEvents(5, 120, 120, 100);
        List<DvsEvent> bg0 = Fixtures.RandomEvents(6, 30, 120, 100);
        Fixtures.Write(Path.Combine(split, "background", "obj_000001_td.dat"), Fixtures.Dat(bg1));
        Fixtures.Write(Path.Combine(split, "background", "obj_000000_td.dat"), Fixtures.Dat(bg0));

        NCarsDataset ds = NCarsDataset.Open(dir.Path, train: true);

        Assert.Equal(["background", "car"], ds.Classes);
        Assert.Equal(new SensorSize(120, 100), ds.SensorSize);
        Assert.Equal(3, ds.Count);
        Assert.Equal([0, 0, 1], Enumerable.Range(0, 3).Select(ds.GetLabel));
        Assert.Equal(bg0, ds[0].ToArray());
        Assert.Equal(bg1, ds[1].ToArray());

        EventSample real = ds[2];
        // SOURCES.md: 2,009 events, t 0 → 99,952, first [0,25,8,0], last [99952,75,28,1], 1,350 ON.
        Assert.Equal(2009, real.Count);
        Assert.Equal(new DvsEvent(0, 25, 8, 0), real[0]);
        Assert.Equal(new DvsEvent(99952, 75, 28, 1), real[real.Count - 1]);
        Assert.Equal(1350, real.P.ToArray().Count(p => p == 1));
        Assert.All(real.ToArray(), e => Assert.True(ds.SensorSize!.Value.Contains(e.X, e.Y)));
        Assert.Equal(car, ds.GetSourceName(2));
    }

    [Fact]
    public void The_test_split_is_looked_for_separately()
    {
        using var dir = new TempFolder();
        Fixtures.Write(Path.Combine(dir.Path, "n-cars_train", "train", "cars", "a.dat"), Fixtures.Dat([new DvsEvent(1, 2, 3, 1)]));
        Directory.CreateDirectory(Path.Combine(dir.Path, "n-cars_train", "train", "background"));

        Assert.Equal(1, NCarsDataset.Open(dir.Path, train: true).Count);
        var ex = Assert.Throws<DatasetNotFoundException>(() => NCarsDataset.Open(dir.Path, train: false));
        Assert.Contains("n-cars_test", ex.Message, StringComparison.Ordinal);
        Assert.Contains("553ce464d6e5e617b3c21ce27c19368e", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_corrupt_sample_reports_its_file()
    {
        using var dir = new TempFolder();
        string split = Path.Combine(dir.Path, "train");
        Fixtures.Write(Path.Combine(split, "cars", "bad.dat"), "% Data file containing CD events.\n% Version 7\n"u8.ToArray());
        Directory.CreateDirectory(Path.Combine(split, "background"));
        NCarsDataset ds = NCarsDataset.Open(dir.Path);

        var ex = Assert.Throws<EventFormatException>(() => ds[0]);
        Assert.Contains("bad.dat", ex.Message, StringComparison.Ordinal);
    }
}

public sealed class Cifar10DvsDatasetTests
{
    private static (string Root, Dictionary<string, List<DvsEvent>> Raw) WriteLayout(TempFolder dir)
    {
        var raw = new Dictionary<string, List<DvsEvent>>(StringComparer.Ordinal);
        for (int c = 0; c < 10; c++)
        {
            string cls = Cifar10DvsDataset.ClassNames[c];
            Directory.CreateDirectory(dir.Combine(cls));
            if (c is 0 or 9)
            {
                for (int k = 1; k >= 0; k--)
                {
                    // One class with a top folder inside the zip, one flat: both are found.
                    string path = c == 0
                        ? dir.Combine(cls, $"cifar10_{cls}_{k}.aedat")
                        : dir.Combine(cls, cls, $"cifar10_{cls}_{k}.aedat");
                    List<DvsEvent> events = Fixtures.RandomEvents((c * 10) + k, 200 + k, 128, 128);
                    Fixtures.Write(path, Fixtures.Aedat2Dvs128(events));
                    raw[path] = events;
                }
            }
        }

        return (dir.Path, raw);
    }

    [Theory]
    [InlineData(Cifar10DvsConvention.Transposed)]
    [InlineData(Cifar10DvsConvention.Dat2Mat)]
    [InlineData(Cifar10DvsConvention.Raw)]
    public void Applies_the_named_convention_to_raw_dvs128_addresses(Cifar10DvsConvention convention)
    {
        using var dir = new TempFolder();
        (string root, Dictionary<string, List<DvsEvent>> raw) = WriteLayout(dir);

        Cifar10DvsDataset ds = Cifar10DvsDataset.Open(root, convention);

        Assert.Equal(4, ds.Count);
        Assert.Equal([0, 0, 9, 9], Enumerable.Range(0, 4).Select(ds.GetLabel));
        Assert.Equal(new SensorSize(128, 128), ds.SensorSize);
        Assert.EndsWith("cifar10_airplane_0.aedat", ds.GetSourceName(0), StringComparison.Ordinal);
        for (int i = 0; i < ds.Count; i++)
        {
            DvsEvent[] expected = [.. raw[ds.GetSourceName(i)].Select(e => convention switch
            {
                // x = 127 − y_raw, y = 127 − x_raw, p = 1 − bit0 (SpikingJelly / tonic).
                Cifar10DvsConvention.Transposed => new DvsEvent(e.T, (ushort)(127 - e.Y), (ushort)(127 - e.X), (byte)(1 - e.P)),
                // dat2mat.m: x = 127 − x_raw, y = y_raw, p = 1 − bit0.
                Cifar10DvsConvention.Dat2Mat => new DvsEvent(e.T, (ushort)(127 - e.X), e.Y, (byte)(1 - e.P)),
                _ => e,
            })];
            Assert.Equal(expected, ds[i].ToArray());
            DvsEvent[] applied = [.. raw[ds.GetSourceName(i)].Select(e => Cifar10DvsDataset.Apply(convention, e))];
            Assert.Equal(expected, applied);
        }
    }

    [Fact]
    public void The_transposed_convention_equals_raw_samples_through_the_transpose_transform()
    {
        using var dir = new TempFolder();
        (string root, _) = WriteLayout(dir);
        Cifar10DvsDataset raw = Cifar10DvsDataset.Open(root, Cifar10DvsConvention.Raw);
        Cifar10DvsDataset transposed = Cifar10DvsDataset.Open(root);

        for (int i = 0; i < raw.Count; i++)
        {
            EventArray array = raw[i].ToEventArray();
            new EventSnn.Datasets.Transforms.Cifar10DvsTranspose().Apply(array);
            Assert.Equal(transposed[i].ToArray(), array.ToEvents());
        }
    }

    [Fact]
    public void Missing_class_folders_are_reported_and_conventions_validated()
    {
        using var dir = new TempFolder();
        Directory.CreateDirectory(dir.Combine("airplane"));

        var ex = Assert.Throws<DatasetNotFoundException>(() => Cifar10DvsDataset.Open(dir.Path));
        Assert.Contains("truck", ex.Message, StringComparison.Ordinal);
        Assert.Contains("figshare", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>("convention", () => Cifar10DvsDataset.Open(dir.Path, (Cifar10DvsConvention)42));
    }
}
