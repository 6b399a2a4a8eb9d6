namespace EventSnn.EventQueue;

/// <summary>
/// A monotone priority queue of timed events with deterministic order: events are delivered by time, and
/// events at equal time in insertion order (as if ordered by (time, 64-bit insertion sequence number)).
/// </summary>
/// <remarks>
/// <para>Monotone: an event may not be scheduled before <see cref="Now"/>, the time of the last dequeued event.
/// Scheduling at <see cref="Now"/> itself is allowed (zero-delay delivery) and such an event is delivered after
/// every pending event at that time that was enqueued before it.</para>
/// <para>Not thread-safe: one queue is used by one thread at a time. No allocation per operation in steady
/// state; storage grows by doubling and is kept for reuse (see <c>docs/EventQueue.md</c>).</para>
/// <para>Save/restore: <see cref="CopyPendingTo"/> writes every pending event in exact delivery order, which
/// carries all ordering information (the sequence number only breaks ties between equal times, and equal times
/// are adjacent in that order); <see cref="Restore"/> rebuilds an equivalent queue from such a copy.</para>
/// </remarks>
/// <typeparam name="TPayload">The event payload, stored inline.</typeparam>
public interface IEventQueue<TPayload>
    where TPayload : unmanaged
{
    /// <summary>The number of pending events.</summary>
    int Count { get; }

    /// <summary>The most events this queue can hold; <see cref="Enqueue"/> throws <see cref="InvalidOperationException"/> beyond it.</summary>
    int MaxCount { get; }

    /// <summary>The time of the last dequeued event; initially the time given at construction (default <see cref="SimTime.Zero"/>) or to <see cref="Reset"/>.</summary>
    SimTime Now { get; }

    /// <summary>Schedules an event.</summary>
    /// <param name="time">The delivery time, at or after <see cref="Now"/>.</param>
    /// <param name="payload">The payload, copied into the queue.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="time"/> is before <see cref="Now"/> (the message names both times),
    /// or the implementation restricts times further (documented per implementation).</exception>
    /// <exception cref="InvalidOperationException">The queue is at its documented capacity.</exception>
    void Enqueue(SimTime time, in TPayload payload);

    /// <summary>Reads the next event without removing it.</summary>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    bool TryPeek(out SimTime time, out TPayload payload);

    /// <summary>Removes the next event in (time, sequence) order and advances <see cref="Now"/> to its time.</summary>
    /// <returns><see langword="false"/> when the queue is empty.</returns>
    bool TryDequeue(out SimTime time, out TPayload payload);

    /// <summary>
    /// Removes and visits, in (time, sequence) order, every event with time at or before <paramref name="until"/>,
    /// including events the visitor itself enqueues during the call. Allocation-free.
    /// </summary>
    /// <remarks>
    /// Re-entrancy: <paramref name="visitor"/> may call <see cref="Enqueue"/> on this queue (not the other
    /// mutating members). Events so scheduled at or before <paramref name="until"/> are delivered by the same call in
    /// their correct place in the order; an event at the current time is delivered after all already pending at that
    /// time. <see cref="Now"/> is the time of the event being visited. <see cref="Now"/> does not move to
    /// <paramref name="until"/> when no event is delivered.
    /// </remarks>
    /// <typeparam name="TVisitor">A struct visitor, so the call is devirtualised.</typeparam>
    /// <param name="until">The inclusive time limit.</param>
    /// <param name="visitor">The visitor, passed by reference so its state persists.</param>
    /// <returns>The number of events visited.</returns>
    int DequeueUntil<TVisitor>(SimTime until, ref TVisitor visitor)
        where TVisitor : struct, IEventVisitor<TPayload>;

    /// <summary>Removes every pending event; <see cref="Now"/> is unchanged. Storage is kept for reuse.</summary>
    void Clear();

    /// <summary>Removes every pending event and restarts at <paramref name="now"/> (which may be earlier than <see cref="Now"/>).</summary>
    /// <param name="now">The new <see cref="Now"/>.</param>
    void Reset(SimTime now);

    /// <summary>Copies every pending event, in exact delivery order, to <paramref name="destination"/>; the queue is unchanged.</summary>
    /// <param name="destination">Space for at least <see cref="Count"/> events.</param>
    /// <returns>The number of events written (<see cref="Count"/>).</returns>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is shorter than <see cref="Count"/>.</exception>
    int CopyPendingTo(Span<PendingEvent<TPayload>> destination);

    /// <summary>
    /// Replaces the contents with <paramref name="events"/> (in delivery order, as written by <see cref="CopyPendingTo"/>)
    /// and sets <see cref="Now"/> to <paramref name="now"/>: the queue then delivers exactly those events in that order,
    /// and later events enqueued at an equal time come after them.
    /// </summary>
    /// <param name="now">The restored <see cref="Now"/>.</param>
    /// <param name="events">The pending events in delivery order.</param>
    /// <exception cref="ArgumentException">An event is before <paramref name="now"/> or before its predecessor, or is not
    /// accepted by this implementation; the queue is unchanged.</exception>
    /// <exception cref="InvalidOperationException">More events than <see cref="MaxCount"/>; the queue is unchanged.</exception>
    void Restore(SimTime now, ReadOnlySpan<PendingEvent<TPayload>> events);
}
