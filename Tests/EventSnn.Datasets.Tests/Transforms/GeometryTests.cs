using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Transforms;

namespace EventSnn.Datasets.Tests.Transforms;

public class GeometryTests
{
    [Fact]
    public void Flips_TwiceAreIdentity()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            foreach (IEventTransform t in new IEventTransform[] { new FlipLeftRight(), new FlipUpDown(), new FlipPolarity() })
            {
                t.Apply(a);
                t.Apply(a);
                Assert.Equal(before, a.ToEvents());
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O5");
    }

    [Fact]
    public void Flips_MapEachCoordinate()
    {
        TestStreams.Sorted.Sample(a =>
        {
            DvsEvent[] before = a.ToEvents();
            int w = a.Sensor.Width, h = a.Sensor.Height;
            new EventPipeline(new FlipLeftRight(), new FlipUpDown(), new FlipPolarity()).Apply(a);
            DvsEvent[] after = a.ToEvents();
            for (int i = 0; i < before.Length; i++)
            {
                Assert.Equal(new DvsEvent(before[i].T, (ushort)(w - 1 - before[i].X), (ushort)(h - 1 - before[i].Y), (byte)(before[i].P == 1 ? 0 : 1)), after[i]);
            }
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O6");
    }

    [Fact]
    public void RandomFlip_FlipsAboutTheRequestedFraction()
    {
        var flip = new FlipLeftRight(0.5, seed: 7);
        int flipped = 0;
        const int n = 2000;
        for (int i = 0; i < n; i++)
        {
            var a = TestStreams.Of(10, 1, (0, 2, 0, 1));
            flip.Apply(a);
            flipped += a.X[0] == 7 ? 1 : 0;
        }

        // Binomial(2000, 0.5): 5 standard deviations.
        double sd = Math.Sqrt(n * 0.25);
        Assert.InRange(flipped, (n / 2) - (5 * sd), (n / 2) + (5 * sd));
    }

    [Fact]
    public void MergePolarities_SetsAllToZero()
    {
        var a = TestStreams.Of(2, 2, (0, 0, 0, 1), (1, 1, 1, 0));
        new MergePolarities().Apply(a);
        Assert.True(a.P.ToArray().All(p => p == 0));
    }

    [Fact]
    public void Crop_KeepsOnlyInBoundsEventsShifted()
    {
        var gen = from a in TestStreams.Sorted
                  from l in Gen.Int[0, a.Sensor.Width - 1]
                  from t in Gen.Int[0, a.Sensor.Height - 1]
                  from cw in Gen.Int[1, a.Sensor.Width - l]
                  from ch in Gen.Int[1, a.Sensor.Height - t]
                  select (a, l, t, cw, ch);
        gen.Sample(c =>
        {
            var (a, l, t, cw, ch) = c;
            DvsEvent[] expected = a.ToEvents()
                .Where(e => e.X >= l && e.X < l + cw && e.Y >= t && e.Y < t + ch)
                .Select(e => e with { X = (ushort)(e.X - l), Y = (ushort)(e.Y - t) }).ToArray();
            new Crop(l, t, cw, ch).Apply(a);
            Assert.Equal(expected, a.ToEvents());
            Assert.Equal(new SensorSize(cw, ch), a.Sensor);
            Assert.All(a.ToEvents(), e => Assert.True(a.Sensor.Contains(e.X, e.Y)));
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O7");
    }

    [Fact]
    public void CenterCrop_UsesFlooredOffsets()
    {
        // 7x5 sensor, 3x2 crop: left = (7-3)/2 = 2, top = (5-2)/2 = 1.
        var a = TestStreams.Of(7, 5, (0, 2, 1, 1), (1, 4, 2, 0), (2, 5, 1, 1), (3, 1, 1, 1), (4, 3, 3, 0));
        Crop.Center(3, 2).Apply(a);
        Assert.Equal([new DvsEvent(0, 0, 0, 1), new DvsEvent(1, 2, 1, 0)], a.ToEvents());
    }

    [Fact]
    public void RandomCrop_IsReproducibleAndInBounds()
    {
        EventArray src = TestStreams.Build(16, 16, Enumerable.Range(0, 256).Select(i => (long)i).ToArray(),
            Enumerable.Range(0, 256).Select(i => i % 16).ToArray(), Enumerable.Range(0, 256).Select(i => i / 16).ToArray(), new int[256]);
        EventArray a = src.Clone(), b = src.Clone();
        Crop.Random(5, 6, 3).Apply(a);
        Crop.Random(5, 6, 3).Apply(b);
        Assert.Equal(a.ToEvents(), b.ToEvents());
        Assert.Equal(30, a.Count); // every pixel of the 16x16 grid fires once, so any 5x6 window holds 30 events
    }

    [Fact]
    public void Downsample_ToTarget_UsesIntegerScaling()
    {
        TestStreams.Sorted.Sample(a =>
        {
            int tw = Math.Max(1, a.Sensor.Width / 3), th = Math.Max(1, a.Sensor.Height / 2);
            SensorSize s = a.Sensor;
            DvsEvent[] expected = a.ToEvents().Select(e => e with { X = (ushort)(e.X * tw / s.Width), Y = (ushort)(e.Y * th / s.Height) }).ToArray();
            new Downsample(new SensorSize(tw, th)).Apply(a);
            Assert.Equal(expected, a.ToEvents());
            Assert.Equal(new SensorSize(tw, th), a.Sensor);
        }, iter: TestStreams.Iterations, threads: 1, seed: "0N0XIzNsQ0O8");
    }

    [Fact]
    public void Downsample_ByFactor_FloorsAndCeilsSensor()
    {
        var a = TestStreams.Of(35, 34, (0, 34, 33, 1), (1, 3, 1, 0));
        new Downsample(0.25).Apply(a);
        Assert.Equal(new SensorSize(9, 9), a.Sensor); // ceil(35/4), ceil(34/4)
        Assert.Equal([new DvsEvent(0, 8, 8, 1), new DvsEvent(1, 0, 0, 0)], a.ToEvents());
    }

    [Fact]
    public void JaerDvs128_MatchesAddressDecoding()
    {
        // Raw DVS128 addresses: x = (a >> 1) & 0x7F, y = (a >> 8) & 0x7F, bit0 = polarity bit.
        int[] addresses = [0x0000, 0x0001, 0x7F7E, 0x3A15, 0x1234 & 0x7FFF];
        var a = new EventArray(new SensorSize(128, 128));
        foreach (int addr in addresses)
        {
            a.Add(0, (ushort)((addr >> 1) & 0x7F), (ushort)((addr >> 8) & 0x7F), (byte)(addr & 1));
        }

        new JaerDisplayFlip(JaerChip.Dvs128).Apply(a);
        for (int i = 0; i < addresses.Length; i++)
        {
            int addr = addresses[i];
            Assert.Equal(127 - ((addr >> 1) & 0x7F), a.X[i]);
            Assert.Equal((addr >> 8) & 0x7F, a.Y[i]);
            Assert.Equal((addr & 1) == 0 ? 1 : 0, a.P[i]); // jAER: bit0 == 0 is ON
        }
    }

    [Fact]
    public void JaerDavis_FlipsXOnly()
    {
        // DAVIS address: y bits 30-22, x bits 21-12, p bit 11.
        uint[] addresses = [(5u << 22) | (300u << 12) | (1u << 11), (259u << 22) | (0u << 12)];
        var a = new EventArray(new SensorSize(346, 260));
        foreach (uint addr in addresses)
        {
            a.Add(0, (ushort)((addr >> 12) & 0x3FF), (ushort)((addr >> 22) & 0x1FF), (byte)((addr >> 11) & 1));
        }

        new JaerDisplayFlip(JaerChip.Davis).Apply(a);
        for (int i = 0; i < addresses.Length; i++)
        {
            Assert.Equal(345 - (int)((addresses[i] >> 12) & 0x3FF), a.X[i]);
            Assert.Equal((int)((addresses[i] >> 22) & 0x1FF), a.Y[i]);
            Assert.Equal((int)((addresses[i] >> 11) & 1), a.P[i]);
        }
    }

    [Fact]
    public void Cifar10Dvs_TransposesAndInverts()
    {
        int[] addresses = [0x0203, 0x7F00, 0x11FF & 0x7FFF];
        var a = new EventArray(new SensorSize(128, 128));
        foreach (int addr in addresses)
        {
            a.Add(0, (ushort)((addr >> 1) & 0x7F), (ushort)((addr >> 8) & 0x7F), (byte)(addr & 1));
        }

        new Cifar10DvsTranspose().Apply(a);
        for (int i = 0; i < addresses.Length; i++)
        {
            int xr = (addresses[i] >> 1) & 0x7F, yr = (addresses[i] >> 8) & 0x7F, bit0 = addresses[i] & 1;
            Assert.Equal(127 - yr, a.X[i]);
            Assert.Equal(127 - xr, a.Y[i]);
            Assert.Equal(1 - bit0, a.P[i]);
        }

        Assert.Throws<ArgumentException>(() => new Cifar10DvsTranspose().Apply(new EventArray(new SensorSize(4, 3))));
    }

    [Fact]
    public void FlipPolarity_RejectsNonBinaryPolarity()
    {
        var a = TestStreams.Of(2, 2, (0, 0, 0, 3));
        var ex = Assert.Throws<ArgumentException>(() => new FlipPolarity().Apply(a));
        Assert.Contains("polarity 3", ex.Message, StringComparison.Ordinal);
    }
}
