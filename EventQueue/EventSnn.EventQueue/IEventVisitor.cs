namespace EventSnn.EventQueue;

/// <summary>
/// Receives events from <see cref="IEventQueue{TPayload}.DequeueUntil{TVisitor}(SimTime, ref TVisitor)"/>.
/// Implement on a struct so the call is devirtualised and inlined.
/// </summary>
/// <typeparam name="TPayload">The event payload.</typeparam>
public interface IEventVisitor<TPayload>
    where TPayload : unmanaged
{
    /// <summary>Handles one event. It may enqueue further events on the queue that is delivering it.</summary>
    /// <param name="time">The event time (already the queue's <see cref="IEventQueue{TPayload}.Now"/>).</param>
    /// <param name="payload">The payload (a copy owned by the queue for the duration of the call).</param>
    void Visit(SimTime time, in TPayload payload);
}
