using EventSnn.Events;

namespace EventSnn.Datasets.Formats;

/// <summary>The address layouts of AEDAT 2.0 files.</summary>
public enum Aedat2Layout
{
    /// <summary>From the header's AEChip line, else inferred from the addresses (the reader notes that it inferred).</summary>
    Auto = 0,

    /// <summary>DVS128: x = (a &gt;&gt; 1) &amp; 0x7F, y = (a &gt;&gt; 8) &amp; 0x7F, p = bit 0; 128×128.</summary>
    Dvs128,

    /// <summary>DAVIS: 32-bit addresses, bit 31 = 0 for DVS events; x bits 21–12, y bits 30–22, p bit 11.</summary>
    Davis,
}

/// <summary>Options for opening event streams. All are optional.</summary>
public sealed record EventReaderOptions
{
    /// <summary>The default options.</summary>
    public static EventReaderOptions Default { get; } = new();

    /// <summary>Sensor size to use when the file does not state one (or to override it).</summary>
    public SensorSize? Sensor { get; init; }

    /// <summary>AEDAT 2.0 address layout.</summary>
    public Aedat2Layout Aedat2Layout { get; init; }

    /// <summary>AEDAT 4.0 stream id of the event stream to read; null picks the first event (EVTS) stream.</summary>
    public int? StreamId { get; init; }

    /// <summary>Read buffer size in bytes (default 1 MiB; 4 KiB..256 MiB).</summary>
    public int BufferSize { get; init; } = 1 << 20;

    /// <summary>
    /// Live input (a socket): <see cref="IEventReader.ReadBatch"/> returns as soon as it has decoded the events of the
    /// bytes already received, instead of waiting until the batch is full. It still blocks while nothing has arrived, and
    /// returns 0 only at the end of the stream. Default false (files: fill every batch).
    /// </summary>
    public bool Live { get; init; }
}
