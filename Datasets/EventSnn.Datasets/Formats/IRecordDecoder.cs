namespace EventSnn.Datasets.Formats;

/// <summary>
/// The format-specific part of a fixed-record reader driven by <see cref="StreamBuffer.ReadRecords"/>: decodes one
/// chunk of whole records into the free tail of a batch.
/// </summary>
internal interface IRecordDecoder
{
    /// <summary>
    /// Whether events decoded earlier still wait to be emitted (the batch filled up mid-record), so that a chunk must
    /// be decoded even when no whole record is unread.
    /// </summary>
    bool HasPendingEvents => false;

    /// <summary>Decodes records from <paramref name="bytes"/> into the spans until either runs out.</summary>
    /// <param name="bytes">The unread bytes (at least one whole record unless <see cref="HasPendingEvents"/>).</param>
    /// <param name="t">Free timestamp slots.</param>
    /// <param name="x">Free x slots.</param>
    /// <param name="y">Free y slots.</param>
    /// <param name="p">Free polarity slots.</param>
    /// <param name="consumedBytes">The bytes consumed (whole records).</param>
    /// <returns>The number of events written.</returns>
    int DecodeRecords(ReadOnlySpan<byte> bytes, Span<long> t, Span<ushort> x, Span<ushort> y, Span<byte> p, out int consumedBytes);
}
