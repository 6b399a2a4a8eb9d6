using System.Buffers.Binary;
using System.Text;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Neuromorphic;

/// <summary>
/// Writers for the dataset file formats, straight from the spec digest (../shared/docs/event-formats.md),
/// independent of the readers under test.
/// </summary>
internal static class Fixtures
{
    /// <summary>N-MNIST/N-Caltech101 40-bit records: x, y, p·128 | t[22:16], t[15:8], t[7:0].</summary>
    public static byte[] NMnistBin(IReadOnlyList<DvsEvent> events)
    {
        byte[] bytes = new byte[events.Count * 5];
        for (int i = 0; i < events.Count; i++)
        {
            DvsEvent e = events[i];
            if (e.X > 255 || e.Y > 255 || e.Y == 240 || e.T < 0 || e.T >= 1 << 23 || e.P > 1)
            {
                throw new ArgumentException($"event {e} does not fit the 40-bit format");
            }

            bytes[(i * 5) + 0] = (byte)e.X;
            bytes[(i * 5) + 1] = (byte)e.Y;
            bytes[(i * 5) + 2] = (byte)((e.P << 7) | (int)((e.T >> 16) & 0x7F));
            bytes[(i * 5) + 3] = (byte)((e.T >> 8) & 0xFF);
            bytes[(i * 5) + 4] = (byte)(e.T & 0xFF);
        }

        return bytes;
    }

    /// <summary>Independent decode of a 40-bit file (no overflow records expected).</summary>
    public static List<DvsEvent> DecodeNMnistBin(byte[] bytes)
    {
        var events = new List<DvsEvent>();
        for (int i = 0; i + 5 <= bytes.Length; i += 5)
        {
            long t = ((bytes[i + 2] & 0x7F) << 16) | (bytes[i + 3] << 8) | bytes[i + 4];
            events.Add(new DvsEvent(t, bytes[i], bytes[i + 1], (byte)(bytes[i + 2] >> 7)));
        }

        return events;
    }

    /// <summary>Prophesee DAT v2: '% ' header lines, event type 0x0C, size 8, then uint32 t + uint32 (x | y&lt;&lt;14 | p&lt;&lt;28), LE.</summary>
    public static byte[] Dat(IReadOnlyList<DvsEvent> events)
    {
        using var ms = new MemoryStream();
        byte[] header = Encoding.ASCII.GetBytes("% Data file containing CD events.\n% Version 2\n% Date 2017-05-10 10:00:00\n");
        ms.Write(header);
        ms.WriteByte(0x0C);
        ms.WriteByte(8);
        Span<byte> record = stackalloc byte[8];
        foreach (DvsEvent e in events)
        {
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)e.T);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], (uint)e.X | ((uint)e.Y << 14) | ((uint)e.P << 28));
            ms.Write(record);
        }

        return ms.ToArray();
    }

    /// <summary>AEDAT 2.0, DVS128 address layout: header lines, then big-endian int32 address ((y&lt;&lt;8)|(x&lt;&lt;1)|p) + int32 timestamp.</summary>
    public static byte[] Aedat2Dvs128(IReadOnlyList<DvsEvent> events)
    {
        using var ms = new MemoryStream();
        ms.Write(Encoding.ASCII.GetBytes("#!AER-DAT2.0\r\n# This is a raw AE data file - do not edit\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n"));
        Span<byte> record = stackalloc byte[8];
        foreach (DvsEvent e in events)
        {
            int address = (e.Y << 8) | (e.X << 1) | e.P;
            BinaryPrimitives.WriteInt32BigEndian(record, address);
            BinaryPrimitives.WriteInt32BigEndian(record[4..], checked((int)e.T));
            ms.Write(record);
        }

        return ms.ToArray();
    }

    /// <summary>Deterministic random events with non-decreasing time.</summary>
    public static List<DvsEvent> RandomEvents(int seed, int count, int width, int height, long t0 = 0, int maxStep = 50)
    {
        var rng = new Random(seed);
        var events = new List<DvsEvent>(count);
        long t = t0;
        for (int i = 0; i < count; i++)
        {
            t += rng.Next(0, maxStep);
            int y;
            do
            {
                y = rng.Next(height);
            }
            while (y == 240);
            events.Add(new DvsEvent(t, (ushort)rng.Next(width), (ushort)y, (byte)rng.Next(2)));
        }

        return events;
    }

    public static void Write(string path, byte[] bytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, bytes);
    }
}
