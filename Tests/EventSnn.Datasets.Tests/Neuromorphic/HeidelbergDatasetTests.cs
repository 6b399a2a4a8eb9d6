using System.Numerics;
using CsCheck;
using EventSnn.Events;
using EventSnn.Datasets.Neuromorphic;
using EventSnn.Datasets.Tests.Download;
using PureHDF;

namespace EventSnn.Datasets.Tests.Neuromorphic;

public sealed class HeidelbergDatasetTests
{
    private static readonly string[] ShdKeys =
    [
        "null", "eins", "zwei", "drei", "vier", "fuenf", "sechs", "sieben", "acht", "neun",
        "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
    ];

    /// <summary>
    /// Writes the SHD/SSC layout with PureHDF: spikes/times and spikes/units as variable-length (ragged) arrays,
    /// labels, extra/keys (variable-length strings; the published files store fixed-length byte strings, which the
    /// reader accepts the same way).
    /// </summary>
    private static (float[][] Times, ushort[][] Units, ushort[] Labels) WriteFile(string path, int samples, int seed, string[] keys)
    {
        var rng = new Random(seed);
        var times = new float[samples][];
        var units = new ushort[samples][];
        var labels = new ushort[samples];
        for (int s = 0; s < samples; s++)
        {
            int n = s == 1 ? 0 : rng.Next(1, 400);
            float t = 0;
            times[s] = new float[n];
            units[s] = new ushort[n];
            for (int i = 0; i < n; i++)
            {
                t += (float)(rng.NextDouble() * 0.004);
                times[s][i] = t;
                units[s][i] = (ushort)rng.Next(700);
            }

            labels[s] = (ushort)rng.Next(keys.Length);
        }

        var file = new H5File
        {
            ["spikes"] = new H5Group { ["times"] = times, ["units"] = units },
            ["labels"] = labels,
            ["extra"] = new H5Group { ["keys"] = keys, ["speaker"] = new ushort[samples] },
        };
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        file.Write(path);
        return (times, units, labels);
    }

    [Fact]
    public void Reads_ragged_spike_arrays_with_exactly_rounded_microseconds()
    {
        using var dir = new TempFolder();
        (float[][] times, ushort[][] units, ushort[] labels) = WriteFile(dir.Combine("shd_train.h5"), 25, 1, ShdKeys);

        using ShdDataset ds = ShdDataset.Open(dir.Path, HeidelbergSplit.Train);

        Assert.Equal("SHD (train)", ds.Name);
        Assert.Equal(25, ds.Count);
        Assert.Equal(ShdKeys, ds.Classes);
        Assert.Equal(new SensorSize(700, 1), ds.SensorSize);
        for (int s = 0; s < ds.Count; s++)
        {
            EventSample sample = ds[s];
            Assert.Equal(labels[s], ds.GetLabel(s));
            Assert.Equal(ShdKeys[labels[s]], sample.ClassName);
            Assert.Equal(times[s].Length, sample.Count);
            for (int i = 0; i < sample.Count; i++)
            {
                Assert.Equal(ExactRound(times[s][i]), sample.T[i]);
                Assert.Equal(units[s][i], sample.X[i]);
                Assert.Equal(0, sample.Y[i]);
                Assert.Equal(1, sample.P[i]);
            }
        }

        Assert.Equal(0, ds[1].Count);
    }

    [Fact]
    public void Concurrent_reads_match_sequential_reads()
    {
        using var dir = new TempFolder();
        WriteFile(dir.Combine("shd_test.h5"), 12, 2, ShdKeys);
        using ShdDataset ds = ShdDataset.Open(dir.Path, HeidelbergSplit.Test);
        DvsEvent[][] sequential = [.. Enumerable.Range(0, ds.Count).Select(i => ds[i].ToArray())];

        var parallel = new DvsEvent[ds.Count * 6][];
        Parallel.For(0, parallel.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k => parallel[k] = ds[k % ds.Count].ToArray());

        for (int k = 0; k < parallel.Length; k++)
        {
            Assert.Equal(sequential[k % ds.Count], parallel[k]);
        }

        using IEventReader reader = ds.OpenSample(3);
        using var batch = new EventBatch(7);
        var streamed = new List<DvsEvent>();
        while (reader.ReadBatch(batch) > 0)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                streamed.Add(batch[i]);
            }

            batch.Clear();
        }

        Assert.Equal(sequential[3], streamed);
    }

    [Fact]
    public void Ssc_has_three_splits_and_float64_times_are_read()
    {
        using var dir = new TempFolder();
        string[] keys = [.. Enumerable.Range(0, 35).Select(i => "word" + i.ToString(System.Globalization.CultureInfo.InvariantCulture))];
        double[][] doubles = [[0.0, 0.5e-6, 1.5e-6, 2.5e-6, 0.123456789], [], [1.0]];
        new H5File
        {
            ["spikes"] = new H5Group { ["times"] = doubles, ["units"] = new uint[][] { [0, 1, 2, 3, 699], [], [5] } },
            ["labels"] = new byte[] { 34, 0, 7 },
            ["extra"] = new H5Group { ["keys"] = keys },
        }.Write(dir.Combine("ssc_valid.h5"));

        using SscDataset ds = SscDataset.Open(dir.Path, HeidelbergSplit.Valid);

        Assert.Equal("SSC (valid)", ds.Name);
        Assert.Equal(35, ds.Classes.Count);
        // 0.5, 1.5, 2.5 µs are not exact in binary: the stored doubles lie just above or below, and the exact
        // rational reference decides the rounding.
        long[] t = ds[0].T.ToArray();
        Assert.Equal(doubles[0].Select(ExactRound).ToArray(), t);
        Assert.Equal(123457, t[4]);
        Assert.Equal([1_000_000L], ds[2].T.ToArray());
        Assert.Equal([0, 1, 2, 3, 699], ds[0].X.ToArray().Select(x => (int)x));
        Assert.Equal([34, 0, 7], Enumerable.Range(0, 3).Select(ds.GetLabel));
        Assert.Throws<DatasetNotFoundException>(() => SscDataset.Open(dir.Path, HeidelbergSplit.Train));
        Assert.Throws<ArgumentOutOfRangeException>("split", () => ShdDataset.Open(dir.Path, HeidelbergSplit.Valid));
    }

    [Fact]
    public void Bad_files_are_rejected_with_the_file_and_sample_named()
    {
        using var dir = new TempFolder();
        string path = dir.Combine("shd_train.h5");
        new H5File
        {
            ["spikes"] = new H5Group { ["times"] = new float[][] { [0.1f, 0.2f] }, ["units"] = new ushort[][] { [3, 700] } },
            ["labels"] = new ushort[] { 1 },
            ["extra"] = new H5Group { ["keys"] = ShdKeys },
        }.Write(path);
        using (ShdDataset ds = ShdDataset.Open(dir.Path))
        {
            var ex = Assert.Throws<EventFormatException>(() => ds[0]);
            Assert.Contains("unit 700", ex.Message, StringComparison.Ordinal);
            Assert.Contains("shd_train.h5", ex.Message, StringComparison.Ordinal);
        }

        new H5File
        {
            ["spikes"] = new H5Group { ["times"] = new float[][] { [-0.1f] }, ["units"] = new ushort[][] { [3] } },
            ["labels"] = new ushort[] { 1 },
            ["extra"] = new H5Group { ["keys"] = ShdKeys },
        }.Write(path);
        using (ShdDataset ds = ShdDataset.Open(dir.Path))
        {
            Assert.Contains("not a finite non-negative", Assert.Throws<EventFormatException>(() => ds[0]).Message, StringComparison.Ordinal);
        }

        new H5File
        {
            ["spikes"] = new H5Group { ["times"] = new float[][] { [0.1f] }, ["units"] = new ushort[][] { [3] } },
            ["labels"] = new ushort[] { 20 },
            ["extra"] = new H5Group { ["keys"] = ShdKeys },
        }.Write(path);
        Assert.Contains("labels[0] = 20", Assert.Throws<EventFormatException>(() => ShdDataset.Open(dir.Path)).Message, StringComparison.Ordinal);

        new H5File
        {
            ["spikes"] = new H5Group { ["times"] = new float[][] { [0.1f], [0.2f] }, ["units"] = new ushort[][] { [3] } },
            ["labels"] = new ushort[] { 1, 2 },
        }.Write(path);
        Assert.Contains("must be equal", Assert.Throws<EventFormatException>(() => ShdDataset.Open(dir.Path)).Message, StringComparison.Ordinal);

        new H5File { ["labels"] = new ushort[] { 1 } }.Write(path);
        Assert.Contains("spikes/times", Assert.Throws<EventFormatException>(() => ShdDataset.Open(dir.Path)).Message, StringComparison.Ordinal);

        File.WriteAllBytes(path, TestData.Bytes(1000, 3));
        Assert.Throws<EventFormatException>(() => ShdDataset.Open(dir.Path));
    }

    [Fact]
    public void Seconds_convert_to_the_nearest_microsecond_for_every_float_and_double()
    {
        // Known values: float32 0.7 is 0.699999988079071… s → 700,000 µs (tonic's truncation gives 699,999).
        Assert.Equal(700_000, SecondsToMicroseconds.Convert(0.7f));
        Assert.Equal(699_999, (long)((double)0.7f * 1e6));
        Assert.Equal(0, SecondsToMicroseconds.Convert(0));
        Assert.Equal(0, SecondsToMicroseconds.Convert(double.Epsilon));
        Assert.Equal(1, SecondsToMicroseconds.Convert(1e-6));
        Assert.Equal(-3, SecondsToMicroseconds.Convert(-3e-6));
        Assert.Throws<ArgumentOutOfRangeException>("seconds", () => SecondsToMicroseconds.Convert(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>("seconds", () => SecondsToMicroseconds.Convert(1e300));
        Assert.Throws<ArgumentOutOfRangeException>("seconds", () => SecondsToMicroseconds.Convert(double.PositiveInfinity));

        Gen.Float[0f, 100_000f].Sample(f => Assert.Equal(ExactRound(f), SecondsToMicroseconds.Convert(f)), iter: 20_000);
        Gen.Double[0, 1e9].Sample(d => Assert.Equal(ExactRound(d), SecondsToMicroseconds.Convert(d)), iter: 20_000);
        // Half-microsecond values (k + 0.5 µs), which doubles only approximate: the exact rational reference decides.
        Gen.Int[0, 1 << 20].Sample(k =>
        {
            double seconds = ((2 * k) + 1) / 2e6;
            Assert.Equal(ExactRound(seconds), SecondsToMicroseconds.Convert(seconds));
        }, iter: 5_000);
    }

    [Fact]
    public void Exact_binary_ties_round_to_even()
    {
        // 2^-k seconds × 10^6 has a fractional part of exactly 1/2 when 10^6 / 2^k = odd/2, i.e. k = 7: 10^6/128 = 7812.5.
        Assert.Equal(7812, SecondsToMicroseconds.Convert(1.0 / 128));
        Assert.Equal(23438, SecondsToMicroseconds.Convert(3.0 / 128)); // 23437.5 → even 23438
        Assert.Equal(ExactRound(5.0 / 128), SecondsToMicroseconds.Convert(5.0 / 128));
    }

    /// <summary>
    /// Reference: nearest integer to the exact rational value·10^6 (ties to even), computed with BigInteger from the
    /// double's exact binary expansion (v = m·2^e) — a different method from the code under test.
    /// </summary>
    private static long ExactRound(double value)
    {
        if (value == 0)
        {
            return 0;
        }

        long bits = BitConverter.DoubleToInt64Bits(value);
        int exp = (int)((bits >> 52) & 0x7FF);
        long frac = bits & 0xF_FFFF_FFFF_FFFF;
        BigInteger m = exp == 0 ? frac : frac | (1L << 52);
        int e = exp == 0 ? -1074 : exp - 1075;
        BigInteger num = m * 1_000_000;
        BigInteger den = BigInteger.One;
        if (e >= 0)
        {
            num <<= e;
        }
        else
        {
            den <<= -e;
        }

        BigInteger q = BigInteger.DivRem(num, den, out BigInteger r);
        int cmp = (2 * r).CompareTo(den);
        if (cmp > 0 || (cmp == 0 && !q.IsEven))
        {
            q += 1;
        }

        return (long)q;
    }
}
