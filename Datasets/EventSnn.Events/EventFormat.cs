namespace EventSnn.Events;

/// <summary>The event-data file formats EventSnn reads.</summary>
public enum EventFormat
{
    /// <summary>Not recognised.</summary>
    Unknown = 0,

    /// <summary>AEDAT 2.0 (jAER): big-endian 8-byte records, DVS128 or DAVIS address layouts.</summary>
    Aedat2,

    /// <summary>AEDAT 3.1 (cAER, DVS128 Gesture): little-endian packets with 28-byte headers; also 3.0.</summary>
    Aedat3,

    /// <summary>AEDAT 4.0 (DV): flatbuffer packets, optionally LZ4 or ZSTD compressed.</summary>
    Aedat4,

    /// <summary>Prophesee EVT 2.0 RAW: 32-bit words.</summary>
    Evt2,

    /// <summary>Prophesee EVT 3.0 RAW: 16-bit stateful words.</summary>
    Evt3,

    /// <summary>Prophesee DAT: 8-byte records after an ASCII header.</summary>
    Dat,

    /// <summary>N-MNIST / N-Caltech101 ATIS 40-bit binary (5 bytes per event, no header).</summary>
    NMnistBin,
}
