using System.Buffers.Binary;
using BenchmarkDotNet.Attributes;
using EventSnn.Events;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Benchmarks;

/// <summary>
/// AEDAT decoding throughput, one core, data in memory: the real samples' events replicated (with shifted times)
/// to a few million events, written with <see cref="Aedat4Writer"/> (NONE, LZ4, ZSTD) or as AEDAT 2.0 records,
/// then read back to the end with a reused <see cref="EventBatch"/>. Mev/s = events / mean time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(warmupCount: 3, iterationCount: 10)]
public class AedatDecodeBenchmarks
{
    private const int Replicas = 40;
    private byte[] _aedat4None = [];
    private byte[] _aedat4Lz4 = [];
    private byte[] _aedat4Zstd = [];
    private byte[] _aedat2 = [];
    private byte[] _aedat31 = [];
    private EventBatch _batch = null!;

    /// <summary>Events in each AEDAT 4.0 buffer.</summary>
    public long Aedat4Events { get; private set; }

    /// <summary>Events in the AEDAT 2.0 buffer.</summary>
    public long Aedat2Events { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _batch = new EventBatch();
        string data = SharedData();
        var (t, x, y, p) = ReadColumns(Aedat4Reader.Open(Path.Combine(data, "tonic_sample.aedat4")));
        long span = t[^1] - t[0] + 1;
        _aedat4None = WriteReplicated(t, x, y, p, span, Aedat4Compression.None);
        _aedat4Lz4 = WriteReplicated(t, x, y, p, span, Aedat4Compression.Lz4);
        _aedat4Zstd = WriteReplicated(t, x, y, p, span, Aedat4Compression.Zstd);
        Aedat4Events = (long)t.Length * Replicas;

        byte[] dark = File.ReadAllBytes(Path.Combine(data, "jaer_MovingDarkBox.aedat"));
        int header = 0;
        while (dark[header] == (byte)'#')
        {
            header = Array.IndexOf(dark, (byte)'\n', header) + 1;
        }

        int records = (dark.Length - header) / 8;
        using var ms = new MemoryStream();
        ms.Write(dark, 0, header);
        byte[] rec = new byte[8];
        for (int r = 0; r < 10; r++)
        {
            for (int i = 0; i < records; i++)
            {
                int at = header + (8 * i);
                BinaryPrimitives.WriteInt32BigEndian(rec, BinaryPrimitives.ReadInt32BigEndian(dark.AsSpan(at)));
                BinaryPrimitives.WriteInt32BigEndian(rec.AsSpan(4), BinaryPrimitives.ReadInt32BigEndian(dark.AsSpan(at + 4)) + (r * 50_000_000));
                ms.Write(rec);
            }
        }

        _aedat2 = ms.ToArray();
        Aedat2Events = records * 10L;
        _aedat31 = BuildAedat31(t, x, y, p, span);
        Console.WriteLine($"// AEDAT4 events per op: {Aedat4Events}; NONE {_aedat4None.Length} B, LZ4 {_aedat4Lz4.Length} B, ZSTD {_aedat4Zstd.Length} B; AEDAT2 events per op: {Aedat2Events}");
    }

    [GlobalCleanup]
    public void Cleanup() => _batch.Dispose();

    [Benchmark]
    public long Aedat4None() => ReadAll(new Aedat4Reader(new MemoryStream(_aedat4None, writable: false)));

    [Benchmark]
    public long Aedat4Lz4() => ReadAll(new Aedat4Reader(new MemoryStream(_aedat4Lz4, writable: false)));

    [Benchmark]
    public long Aedat4Zstd() => ReadAll(new Aedat4Reader(new MemoryStream(_aedat4Zstd, writable: false)));

    /// <summary>The same events as the AEDAT 4.0 cases, as AEDAT 3.1 POLARITY packets of 8192 events.</summary>
    [Benchmark]
    public long Aedat31Polarity() => ReadAll(new Aedat3Reader(new MemoryStream(_aedat31, writable: false)));

    [Benchmark]
    public long Aedat2Dvs128() => ReadAll(new Aedat2Reader(new MemoryStream(_aedat2, writable: false)));

    private long ReadAll(IEventReader reader)
    {
        using (reader)
        {
            long total = 0;
            int n;
            do
            {
                _batch.Clear();
                n = reader.ReadBatch(_batch);
                total += n;
            }
            while (n > 0);
            return total;
        }
    }

    /// <summary>AEDAT 3.1 from the format description: header lines, then POLARITY packets (28-byte header + 8-byte events).</summary>
    private static byte[] BuildAedat31(long[] t, ushort[] x, ushort[] y, byte[] p, long span)
    {
        using var ms = new MemoryStream();
        ms.Write("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVXplorer\r\n#!END-HEADER\r\n"u8);
        const int packetEvents = 8192;
        byte[] packet = new byte[28 + (8 * packetEvents)];
        int n = 0;
        long first = t[0];
        for (int r = 0; r < Replicas; r++)
        {
            for (int i = 0; i < t.Length; i++)
            {
                long time = t[i] - first + (r * span);
                Span<byte> e = packet.AsSpan(28 + (8 * n), 8);
                BinaryPrimitives.WriteUInt32LittleEndian(e, 1u | ((uint)p[i] << 1) | ((uint)y[i] << 2) | ((uint)x[i] << 17));
                BinaryPrimitives.WriteInt32LittleEndian(e[4..], (int)(time & int.MaxValue));
                if (++n == packetEvents || (r == Replicas - 1 && i == t.Length - 1))
                {
                    Span<byte> h = packet.AsSpan(0, 28);
                    BinaryPrimitives.WriteInt16LittleEndian(h, 1);
                    BinaryPrimitives.WriteInt16LittleEndian(h[2..], 1);
                    BinaryPrimitives.WriteInt32LittleEndian(h[4..], 8);
                    BinaryPrimitives.WriteInt32LittleEndian(h[8..], 4);
                    BinaryPrimitives.WriteInt32LittleEndian(h[12..], (int)(time >> 31));
                    BinaryPrimitives.WriteInt32LittleEndian(h[16..], n);
                    BinaryPrimitives.WriteInt32LittleEndian(h[20..], n);
                    BinaryPrimitives.WriteInt32LittleEndian(h[24..], n);
                    ms.Write(packet, 0, 28 + (8 * n));
                    n = 0;
                }
            }
        }

        return ms.ToArray();
    }

    private static byte[] WriteReplicated(long[] t, ushort[] x, ushort[] y, byte[] p, long span, Aedat4Compression compression)
    {
        using var ms = new MemoryStream();
        using (var writer = new Aedat4Writer(ms, new Aedat4WriterOptions { Sensor = new SensorSize(320, 240), Compression = compression }))
        {
            long[] shifted = new long[t.Length];
            for (int r = 0; r < Replicas; r++)
            {
                for (int i = 0; i < t.Length; i++)
                {
                    shifted[i] = t[i] + (r * span);
                }

                writer.Write(shifted, x, y, p);
            }
        }

        return ms.ToArray();
    }

    private static (long[] T, ushort[] X, ushort[] Y, byte[] P) ReadColumns(Aedat4Reader reader)
    {
        using (reader)
        {
            var t = new List<long>();
            var x = new List<ushort>();
            var y = new List<ushort>();
            var p = new List<byte>();
            using var batch = new EventBatch();
            while (true)
            {
                batch.Clear();
                if (reader.ReadBatch(batch) == 0)
                {
                    return (t.ToArray(), x.ToArray(), y.ToArray(), p.ToArray());
                }

                t.AddRange(batch.T);
                x.AddRange(batch.X);
                y.AddRange(batch.Y);
                p.AddRange(batch.P);
            }
        }
    }

    private static string SharedData()
    {
        if (Environment.GetEnvironmentVariable("EVENTSNN_SHARED_DATA") is { Length: > 0 } overridden)
        {
            return overridden;
        }

        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        if (dir is null)
        {
            throw new InvalidOperationException("EventSnn.sln not found above the benchmark binaries.");
        }

        return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
    }
}
