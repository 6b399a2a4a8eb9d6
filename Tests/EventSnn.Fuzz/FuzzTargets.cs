using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Events;

namespace EventSnn.Fuzz;

/// <summary>A reader under fuzzing: how to open it, its seed inputs, and its allocation bound.</summary>
/// <param name="Name">Short name (<c>evt2</c>, <c>aedat4</c>, …).</param>
/// <param name="Open">Opens a reader on a stream with options (source name <c>fuzz</c>).</param>
/// <param name="Seeds">Seed inputs, derived from the real samples.</param>
/// <param name="AllocationBound">The most bytes reading one input of a given length may allocate.</param>
internal sealed record FuzzTarget(
    string Name,
    Func<Stream, EventReaderOptions, IEventReader> Open,
    IReadOnlyList<byte[]> Seeds,
    Func<int, long> AllocationBound);

/// <summary>The readers and their seeds, built from the files in <c>../shared/data</c>.</summary>
internal static class FuzzTargets
{
    /// <summary>The longest seed prefix taken from a sample (mutations work on small inputs, so runs are fast).</summary>
    public const int SeedBytes = 8 * 1024;

    /// <summary>The project's bound for a reader: 1 MiB + 12 bytes per input byte.</summary>
    public static long ProjectBound(int length) => (1L << 20) + (12L * length);

    /// <summary>Every target name, in run order.</summary>
    public static readonly string[] Names = ["evt2", "evt3", "dat", "nmnist", "aedat2", "aedat3", "aedat4", "detect"];

    /// <summary>Builds the targets named in <paramref name="names"/> from the samples in <paramref name="dataDir"/>.</summary>
    public static List<FuzzTarget> Build(string dataDir, IEnumerable<string> names)
    {
        byte[] Sample(string file) => File.ReadAllBytes(Path.Combine(dataDir, file));
        byte[] Prefix(string file) => [.. Sample(file).AsSpan(0, Math.Min(SeedBytes, (int)new FileInfo(Path.Combine(dataDir, file)).Length))];

        List<DvsEvent> real = NMnistEvents(Sample("tonic_sample_nmnist.bin"));
        var targets = new List<FuzzTarget>();
        foreach (string name in names)
        {
            targets.Add(name switch
            {
                "evt2" => new FuzzTarget(name, (s, o) => new Evt2Reader(s, o, "fuzz"), [Prefix("faery_evt2.raw")], ProjectBound),
                "evt3" => new FuzzTarget(name, (s, o) => new Evt3Reader(s, o, "fuzz"), [Prefix("expelliarmus_evt3_sample.raw")], ProjectBound),
                "dat" => new FuzzTarget(name, (s, o) => new DatReader(s, o, "fuzz"), [Sample("tonic_sample_ncars.dat")], ProjectBound),
                "nmnist" => new FuzzTarget(name, (s, o) => new NMnistBinReader(s, o, "fuzz"), [Sample("tonic_sample_nmnist.bin")], ProjectBound),
                "aedat2" => new FuzzTarget(name, (s, o) => new Aedat2Reader(s, o, "fuzz"), [Prefix("jaer_MovingDarkBox.aedat"), Sample("mibblez_header_test_128.aedat")], ProjectBound),
                "aedat3" => new FuzzTarget(name, (s, o) => new Aedat3Reader(s, o, "fuzz"), [Aedat31(real)], ProjectBound),
                "aedat4" => new FuzzTarget(
                    name,
                    (s, o) => new Aedat4Reader(s, o, "fuzz"),
                    [Prefix("tonic_sample.aedat4"), Aedat4(real, Aedat4Compression.None), Aedat4(real, Aedat4Compression.Lz4), Aedat4(real, Aedat4Compression.Zstd)],

                    // Decompression may expand a packet up to the 64 MiB packet limit (docs/Formats-AEDAT.md).
                    length => ProjectBound(length) + (2L * Aedat4Reader.MaxPacketBytes)),
                "detect" => new FuzzTarget(
                    name,
                    OpenDetected,
                    [Prefix("faery_evt2.raw"), Prefix("expelliarmus_evt3_sample.raw"), Sample("tonic_sample_ncars.dat"), Sample("tonic_sample_nmnist.bin"), Prefix("jaer_MovingDarkBox.aedat"), Aedat31(real), Aedat4(real, Aedat4Compression.Lz4)],
                    length => ProjectBound(length) + (2L * Aedat4Reader.MaxPacketBytes)),
                _ => throw new ArgumentException($"unknown reader '{name}'; known: {string.Join(", ", Names)}", nameof(names)),
            });
        }

        return targets;
    }

    /// <summary>Detects the format of the whole input as <see cref="EventFile"/> does and opens that reader.</summary>
    private static IEventReader OpenDetected(Stream stream, EventReaderOptions options)
    {
        var memory = (MemoryStream)stream;
        ReadOnlySpan<byte> all = memory.GetBuffer().AsSpan(0, (int)memory.Length);
        EventFormat format = FormatDetector.Detect(all[..Math.Min(all.Length, FormatDetector.HeadLength)], "fuzz.bin", all.Length);
        if (format == EventFormat.Unknown)
        {
            throw new EventFormatException("fuzz", 0, "unrecognised event-file format");
        }

        return EventFile.Open(stream, format, options, "fuzz");
    }

    private static List<DvsEvent> NMnistEvents(byte[] bytes)
    {
        using var reader = new NMnistBinReader(new MemoryStream(bytes));
        var events = new List<DvsEvent>();
        using var batch = new EventBatch();
        while (true)
        {
            batch.Clear();
            if (reader.ReadBatch(batch) == 0)
            {
                return events;
            }

            for (int i = 0; i < batch.Count; i++)
            {
                events.Add(batch[i]);
            }
        }
    }

    /// <summary>An AEDAT 3.1 file holding the first 1,500 real events: polarity packets of 250, and a special packet.</summary>
    private static byte[] Aedat31(List<DvsEvent> events)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("#!AER-DAT3.1\r\n#Format: RAW\r\n#Source 1: DVS128\r\n#Start-Time: 2017-06-12 13:42:07 (TZ+0200)\r\n#!END-HEADER\r\n"));
        List<DvsEvent> first = events.Take(1500).ToList();
        for (int start = 0; start < first.Count; start += 250)
        {
            List<DvsEvent> chunk = first.Skip(start).Take(250).ToList();
            bytes.AddRange(PacketHeader(1, 8, chunk.Count));
            foreach (DvsEvent e in chunk)
            {
                uint data = 1u | ((uint)e.P << 1) | ((uint)e.Y << 2) | ((uint)e.X << 17);
                bytes.AddRange(Word(data, (int)e.T));
            }

            if (start == 500)
            {
                // SPECIAL: a timestamp wrap (type 0) and an external event (type 2).
                bytes.AddRange(PacketHeader(0, 8, 2));
                bytes.AddRange(Word(1u, (int)chunk[^1].T));
                bytes.AddRange(Word(1u | (2u << 1), (int)chunk[^1].T));
            }
        }

        return [.. bytes];

        static byte[] PacketHeader(short type, int size, int count)
        {
            byte[] h = new byte[28];
            BinaryPrimitives.WriteInt16LittleEndian(h, type);
            BinaryPrimitives.WriteInt16LittleEndian(h.AsSpan(2), 1);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(4), size);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(8), 4);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(16), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(20), count);
            BinaryPrimitives.WriteInt32LittleEndian(h.AsSpan(24), count);
            return h;
        }

        static byte[] Word(uint data, int ts)
        {
            byte[] w = new byte[8];
            BinaryPrimitives.WriteUInt32LittleEndian(w, data);
            BinaryPrimitives.WriteInt32LittleEndian(w.AsSpan(4), ts);
            return w;
        }
    }

    /// <summary>An AEDAT 4.0 file of the first 1,500 real events in packets of 256, with a FileDataTable.</summary>
    private static byte[] Aedat4(List<DvsEvent> events, Aedat4Compression compression)
    {
        using var stream = new MemoryStream();
        using (var writer = new Aedat4Writer(stream, new Aedat4WriterOptions { Sensor = new SensorSize(34, 34), Compression = compression, PacketEvents = 256 }))
        {
            foreach (DvsEvent e in events.Take(1500))
            {
                writer.Write(e);
            }

            writer.Complete();
        }

        return stream.ToArray();
    }
}
