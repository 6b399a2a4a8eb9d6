using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>AEDAT 4.0 packet compression (one setting for the whole file), as the IOHeader stores it.</summary>
public enum Aedat4Compression
{
    /// <summary>Packets are stored as they are.</summary>
    None = 0,

    /// <summary>Each packet is one LZ4 frame.</summary>
    Lz4 = 1,

    /// <summary>LZ4 at a high compression level (decodes like <see cref="Lz4"/>).</summary>
    Lz4High = 2,

    /// <summary>Each packet is one Zstandard frame.</summary>
    Zstd = 3,

    /// <summary>Zstandard at a high compression level (decodes like <see cref="Zstd"/>).</summary>
    ZstdHigh = 4,
}

/// <summary>One stream declared in an AEDAT 4.0 file's infoNode.</summary>
/// <param name="Id">The stream id used in packet headers.</param>
/// <param name="TypeIdentifier">The flatbuffer type of its packets (<c>EVTS</c>, <c>FRME</c>, <c>IMUS</c>, <c>TRIG</c>, …).</param>
/// <param name="Sensor">The sensor size (<c>sizeX</c>, <c>sizeY</c>) when declared.</param>
/// <param name="Source">The source device (e.g. <c>DVXplorer_DXB00010</c>) when declared.</param>
/// <param name="OutputName">The original output name (e.g. <c>events</c>) when declared.</param>
/// <param name="TsOffset">The declared <c>tsOffset</c> when present (timestamps in packets are already absolute).</param>
public sealed record Aedat4StreamDescription(int Id, string TypeIdentifier, SensorSize? Sensor, string? Source, string? OutputName, long? TsOffset);

/// <summary>What an AEDAT 4.0 FileDataTable says about the selected stream, when the table is consistent.</summary>
/// <param name="StreamId">The stream the counts are for.</param>
/// <param name="Packets">Packets of that stream.</param>
/// <param name="Events">Sum of the packets' element counts.</param>
/// <param name="FirstTimestamp">Smallest packet start timestamp (µs), or null with no packets.</param>
/// <param name="LastTimestamp">Largest packet end timestamp (µs), or null with no packets.</param>
/// <param name="TotalPackets">Packets of every stream listed in the table.</param>
public sealed record Aedat4TableSummary(int StreamId, long Packets, long Events, long? FirstTimestamp, long? LastTimestamp, long TotalPackets);
