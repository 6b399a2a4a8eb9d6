using System.Net;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// A place events come from, live or replayed: a TCP peer, a TCP listener, a UDP port, a file replayed in real time,
/// or the DVS emulator. Each <see cref="Open"/> starts one session (a connection, an accepted peer, a replay) and
/// returns a reader for it; a host reads the session until it ends or fails, then opens the next one (live sources)
/// or stops (finite sources).
/// </summary>
/// <remarks>
/// <para>Session readers are live: <see cref="IEventReader.ReadBatch"/> blocks until events arrive, returns what has
/// been decoded without waiting for a full batch, and returns 0 when the peer closed the stream (or the replay ended).
/// A malformed stream throws <see cref="EventFormatException"/>; a peer that sends nothing for the idle timeout throws
/// <see cref="EventSourceException"/>; cancelling the token given to <see cref="Open"/> closes the session and makes
/// a blocked read throw <see cref="OperationCanceledException"/>. Each session is read by one thread.</para>
/// </remarks>
public interface IEventSource : IDisposable
{
    /// <summary>The source's address as given (for logs, metrics and status).</summary>
    string Name { get; }

    /// <summary>Whether the source yields further sessions after one ends (network sources) rather than finishing (replays).</summary>
    bool IsLive { get; }

    /// <summary>The local endpoint a listening source is bound to (after the first <see cref="Open"/>), else null.</summary>
    EndPoint? LocalEndPoint { get; }

    /// <summary>
    /// Starts the next session: connects, accepts a peer, binds a port or opens the file, and reads the stream's header.
    /// Blocks until then.
    /// </summary>
    /// <param name="cancellationToken">Cancels the wait and, later, the session.</param>
    /// <returns>The session's reader; the caller disposes it (which closes the connection).</returns>
    /// <exception cref="OperationCanceledException">Cancelled.</exception>
    /// <exception cref="IOException">The connection failed or the header is malformed.</exception>
    IEventReader Open(CancellationToken cancellationToken);
}

/// <summary>A live source failed in a way that is not a format error: a stalled peer, a refused bind.</summary>
public sealed class EventSourceException : IOException
{
    /// <summary>Creates the exception.</summary>
    public EventSourceException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What happened, naming the source.</param>
    public EventSourceException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What happened, naming the source.</param>
    /// <param name="inner">The cause.</param>
    public EventSourceException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
