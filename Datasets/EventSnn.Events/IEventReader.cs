namespace EventSnn.Events;

/// <summary>
/// A forward-only reader of an event stream (a file or a live source). Memory use is bounded by the
/// reader's buffers, whatever the stream's length.
/// </summary>
public interface IEventReader : IDisposable
{
    /// <summary>What is known about the stream (format, sensor, source, start time), available once the header is read.</summary>
    EventStreamInfo Info { get; }

    /// <summary>What the reader skipped or ignored so far (partial trailing records, unknown packets).</summary>
    ReaderDiagnostics Diagnostics { get; }

    /// <summary>
    /// Appends the next events to <paramref name="batch"/> until it is full or the stream ends.
    /// </summary>
    /// <param name="batch">The batch to append to; it is not cleared first.</param>
    /// <returns>The number of events appended; 0 only when the stream has ended (or the batch was already full).</returns>
    /// <exception cref="EventFormatException">The data is malformed; the message names the offset.</exception>
    int ReadBatch(EventBatch batch);
}
