using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EventSnn.EventQueue;

/// <summary>Throw helpers shared by the queues (kept out of line so hot paths stay small).</summary>
internal static class QueueErrors
{
    [DoesNotReturn]
    public static void ThrowPast(SimTime time, SimTime now) =>
        throw new ArgumentOutOfRangeException(nameof(time), time,
            $"Cannot schedule an event at {time} ({time.Ticks} ticks): it is before the queue's current time {now} ({now.Ticks} ticks).");

    [DoesNotReturn]
    public static void ThrowFull(int maxCount) =>
        throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
            $"The event queue is full: it holds its maximum of {maxCount} pending events."));

    public static void CheckDestination<T>(Span<T> destination, int count)
    {
        if (destination.Length < count)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"The destination holds {destination.Length} events but {count} are pending."), nameof(destination));
        }
    }

    /// <summary>Validates a restore set: times non-decreasing and not before <paramref name="now"/>, count within limit.</summary>
    public static void CheckRestore<TPayload>(SimTime now, ReadOnlySpan<PendingEvent<TPayload>> events, int maxCount)
        where TPayload : unmanaged
    {
        if (events.Length > maxCount)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"Cannot restore {events.Length} events: the queue holds at most {maxCount}."));
        }

        SimTime previous = now;
        for (int i = 0; i < events.Length; i++)
        {
            SimTime t = events[i].Time;
            if (t < previous)
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"Event {i} at {t} is before {(i == 0 ? "the restored current time" : "the previous event at")} {previous}: events must be in delivery order, not before now."),
                    nameof(events));
            }

            previous = t;
        }
    }
}
