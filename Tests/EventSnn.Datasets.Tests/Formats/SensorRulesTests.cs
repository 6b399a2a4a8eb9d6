using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Tests.Formats.Prophesee;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Formats;

public class SensorRulesTests
{
    private static EventExtent ExtentOf(IEventReader reader) => EventExtent.Scan(reader);

    [Fact]
    public void Extent_is_the_running_maximum_of_the_coordinates()
    {
        var extent = default(EventExtent);
        Assert.Null(extent.Sensor);
        Assert.True(extent.FitsIn(new SensorSize(1, 1)));
        extent.Add([3, 150, 7], [172, 0, 9]);
        extent.Add([], []);
        extent.Add([149], [171]);
        Assert.Equal(4, extent.Events);
        Assert.Equal(new SensorSize(151, 173), extent.Sensor);
        Assert.True(extent.FitsIn(new SensorSize(151, 173)));
        Assert.False(extent.FitsIn(new SensorSize(150, 173)));
        Assert.False(extent.FitsIn(new SensorSize(151, 172)));
        Assert.Throws<ArgumentException>(() => extent.Add([1], []));
    }

    [Fact]
    public void Atis_records_beyond_34x34_get_a_sensor_holding_every_event()
    {
        // N-Caltech101-like: x up to 150, y up to 172; the reader assumes N-MNIST's 34x34.
        byte[] data = FormatDetectorTests.AtisRecords(500, 150, 172);
        using var reader = new NMnistBinReader(new MemoryStream(data));
        Assert.Equal(SensorOrigin.Assumed, reader.Info.SensorOrigin);
        Assert.Equal(NMnistBinReader.NMnistSensor, reader.Info.Sensor);
        EventExtent extent = ExtentOf(reader);

        SensorChoice choice = SensorRules.Choose(reader.Info, extent, "/data/caltech/airplanes/image_0001.bin");
        Assert.Equal(new SensorSize(151, 173), choice.Sensor);
        Assert.Equal(SensorOrigin.Extent, choice.Origin);
        Assert.Contains("extent", choice.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void Atis_records_within_34x34_keep_the_assumed_sensor_and_a_dataset_layout_wins()
    {
        using var reader = NMnistBinReader.Open(SampleData.PathOf("tonic_sample_nmnist.bin"));
        EventExtent extent = ExtentOf(reader);
        Assert.True(extent.FitsIn(NMnistBinReader.NMnistSensor));
        SensorChoice plain = SensorRules.Choose(reader.Info, extent, SampleData.PathOf("tonic_sample_nmnist.bin"));
        Assert.Equal((NMnistBinReader.NMnistSensor, SensorOrigin.Assumed), (plain.Sensor!.Value, plain.Origin));

        SensorChoice inLayout = SensorRules.Choose(reader.Info, extent, Path.Combine("root", "Test", "7", "00001.bin"));
        Assert.Equal((NMnistBinReader.NMnistSensor, SensorOrigin.Dataset), (inLayout.Sensor!.Value, inLayout.Origin));
        Assert.Contains("N-MNIST", inLayout.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_stated_sensor_is_kept_when_it_holds_the_data_and_enlarged_when_not()
    {
        var info = new EventStreamInfo(EventFormat.Evt2, new SensorSize(640, 480), null, null, "x");
        var inside = default(EventExtent);
        inside.Add([639], [479]);
        Assert.Equal(new SensorChoice(new SensorSize(640, 480), SensorOrigin.File, null), SensorRules.Choose(info, inside));

        var outside = default(EventExtent);
        outside.Add([700, 3], [2, 500]);
        SensorChoice enlarged = SensorRules.Choose(info, outside);
        Assert.Equal(new SensorSize(701, 501), enlarged.Sensor);
        Assert.Equal(SensorOrigin.Extent, enlarged.Origin);
        Assert.Contains("640x480", enlarged.Note, StringComparison.Ordinal);
    }

    [Fact]
    public void A_given_sensor_smaller_than_the_data_is_refused()
    {
        byte[] data = FormatDetectorTests.AtisRecords(50, 150, 172);
        using var reader = new NMnistBinReader(new MemoryStream(data), new EventReaderOptions { Sensor = new SensorSize(10, 10) });
        Assert.Equal(SensorOrigin.Caller, reader.Info.SensorOrigin);
        EventExtent extent = ExtentOf(reader);
        var ex = Assert.Throws<ArgumentException>(() => SensorRules.Choose(reader.Info, extent));
        Assert.Contains("151x173", ex.Message, StringComparison.Ordinal);

        var fits = new EventReaderOptions { Sensor = new SensorSize(200, 200) };
        using var big = new NMnistBinReader(new MemoryStream(data), fits);
        Assert.Equal(new SensorChoice(new SensorSize(200, 200), SensorOrigin.Caller, null), SensorRules.Choose(big.Info, ExtentOf(big)));
    }

    [Fact]
    public void Dat_without_a_size_uses_the_ncars_layout_or_the_extent()
    {
        string path = SampleData.PathOf("tonic_sample_ncars.dat");
        using IEventReader reader = EventFile.Open(path);
        Assert.Equal(SensorOrigin.None, reader.Info.SensorOrigin);
        EventExtent extent = ExtentOf(reader);

        SensorChoice loose = SensorRules.Choose(reader.Info, extent, path);
        Assert.Equal(extent.Sensor, loose.Sensor);
        Assert.Equal(SensorOrigin.Extent, loose.Origin);

        SensorChoice ncars = SensorRules.Choose(reader.Info, extent, Path.Combine("n-cars_test", "test", "cars", "obj_004.dat"));
        Assert.Equal(new SensorSize(120, 100), ncars.Sensor);
        Assert.Equal(SensorOrigin.Dataset, ncars.Origin);

        SensorChoice none = SensorRules.Choose(reader.Info, default);
        Assert.Equal(new SensorChoice(null, SensorOrigin.None, null), none);
    }
}
