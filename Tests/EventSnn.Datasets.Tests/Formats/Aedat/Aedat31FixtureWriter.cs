using System.Buffers.Binary;
using System.Text;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

/// <summary>
/// Builds AEDAT 3.1 (or 3.0) files straight from the iniVation format description, independently of the reader:
/// CRLF header lines <c>#!AER-DAT3.1</c>, <c>#Format: RAW</c>, <c>#Source N: NAME</c>, <c>#Start-Time: …</c>,
/// <c>#!END-HEADER</c> (absent in 3.0); then packets, little-endian, each a 28-byte header
/// (int16 eventType, int16 eventSource, int32 eventSize, int32 eventTSOffset, int32 eventTSOverflow,
/// int32 eventCapacity, int32 eventNumber, int32 eventValid) followed by eventCapacity × eventSize bytes.
/// POLARITY (type 1, 8 bytes): uint32 data = valid (bit 0) | polarity &lt;&lt; 1 | y &lt;&lt; 2 | x &lt;&lt; 17, then int32 timestamp.
/// SPECIAL (type 0, 8 bytes): uint32 data = valid | type &lt;&lt; 1 | payload &lt;&lt; 8, then int32 timestamp.
/// </summary>
internal sealed class Aedat31FixtureWriter
{
    private readonly System.Buffers.ArrayBufferWriter<byte> _ms = new();

    public Aedat31FixtureWriter(string version = "3.1", params (int Id, string Name)[] sources)
    {
        var header = new StringBuilder();
        header.Append("#!AER-DAT").Append(version).Append("\r\n");
        header.Append("#Format: RAW\r\n");
        foreach (var (id, name) in sources.Length == 0 ? [(1, "DVS128")] : sources)
        {
            header.Append("#Source ").Append(id).Append(": ").Append(name).Append("\r\n");
        }

        header.Append("#Start-Time: 2017-06-12 13:42:07 (TZ+0200)\r\n");
        if (version == "3.1")
        {
            header.Append("#!END-HEADER\r\n");
        }

        System.Buffers.BuffersExtensions.Write(_ms, (ReadOnlySpan<byte>)Encoding.ASCII.GetBytes(header.ToString()));
        HeaderLength = _ms.WrittenCount;
    }

    public long HeaderLength { get; }

    public long Length => _ms.WrittenCount;

    public static uint PolarityData(int x, int y, int p, bool valid = true) =>
        (valid ? 1u : 0u) | ((uint)p << 1) | ((uint)y << 2) | ((uint)x << 17);

    public Aedat31FixtureWriter Polarity(short source, int overflow, IReadOnlyList<(int Ts, int X, int Y, int P, bool Valid)> events, int spareCapacity = 0)
    {
        var body = new byte[(events.Count + spareCapacity) * 8];
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(i * 8), PolarityData(e.X, e.Y, e.P, e.Valid));
            BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan((i * 8) + 4), e.Ts);
        }

        for (int i = events.Count; i < events.Count + spareCapacity; i++)
        {
            // Spare capacity slots: garbage that must not be decoded.
            BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(i * 8), PolarityData(7, 7, 1));
            BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan((i * 8) + 4), 12345);
        }

        return Packet(1, source, 8, 4, overflow, events.Count + spareCapacity, events.Count, events.Count(e => e.Valid), body);
    }

    public Aedat31FixtureWriter Special(short source, int overflow, IReadOnlyList<(int Ts, int Type, bool Valid)> events)
    {
        var body = new byte[events.Count * 8];
        for (int i = 0; i < events.Count; i++)
        {
            var e = events[i];
            BinaryPrimitives.WriteUInt32LittleEndian(body.AsSpan(i * 8), (e.Valid ? 1u : 0u) | ((uint)e.Type << 1));
            BinaryPrimitives.WriteInt32LittleEndian(body.AsSpan((i * 8) + 4), e.Ts);
        }

        return Packet(0, source, 8, 4, overflow, events.Count, events.Count, events.Count(e => e.Valid), body);
    }

    public Aedat31FixtureWriter Packet(short type, short source, int size, int tsOffset, int overflow, int capacity, int number, int valid, ReadOnlySpan<byte> body)
    {
        Span<byte> h = stackalloc byte[28];
        BinaryPrimitives.WriteInt16LittleEndian(h, type);
        BinaryPrimitives.WriteInt16LittleEndian(h[2..], source);
        BinaryPrimitives.WriteInt32LittleEndian(h[4..], size);
        BinaryPrimitives.WriteInt32LittleEndian(h[8..], tsOffset);
        BinaryPrimitives.WriteInt32LittleEndian(h[12..], overflow);
        BinaryPrimitives.WriteInt32LittleEndian(h[16..], capacity);
        BinaryPrimitives.WriteInt32LittleEndian(h[20..], number);
        BinaryPrimitives.WriteInt32LittleEndian(h[24..], valid);
        System.Buffers.BuffersExtensions.Write(_ms, h);
        System.Buffers.BuffersExtensions.Write(_ms, body);
        return this;
    }

    public Aedat31FixtureWriter RawBytes(ReadOnlySpan<byte> bytes)
    {
        System.Buffers.BuffersExtensions.Write(_ms, bytes);
        return this;
    }

    public byte[] ToArray() => _ms.WrittenSpan.ToArray();
}
