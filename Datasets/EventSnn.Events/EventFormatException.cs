namespace EventSnn.Events;

/// <summary>
/// Thrown when event data is malformed: the message names the source, the byte offset and what was wrong.
/// </summary>
public sealed class EventFormatException : IOException
{
    /// <summary>Creates an exception for malformed data at <paramref name="offset"/> in <paramref name="sourceName"/>.</summary>
    /// <param name="sourceName">The file path or stream name.</param>
    /// <param name="offset">The byte offset where the problem was found (−1 if unknown).</param>
    /// <param name="problem">What was wrong, in a short sentence.</param>
    public EventFormatException(string sourceName, long offset, string problem)
        : base(offset >= 0 ? $"{sourceName}: at byte {offset}: {problem}" : $"{sourceName}: {problem}")
    {
        SourceName = sourceName;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>Creates an exception with an inner cause (e.g. a decompression error).</summary>
    public EventFormatException(string sourceName, long offset, string problem, Exception inner)
        : base(offset >= 0 ? $"{sourceName}: at byte {offset}: {problem}" : $"{sourceName}: {problem}", inner)
    {
        SourceName = sourceName;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file path or stream name.</summary>
    public string SourceName { get; }

    /// <summary>The byte offset of the problem, or −1 when unknown.</summary>
    public long Offset { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}
