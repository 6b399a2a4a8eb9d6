using System.Runtime.InteropServices;

namespace EventSnn.EventQueue;

/// <summary>A pending event as captured by <see cref="IEventQueue{TPayload}.CopyPendingTo"/> for save/restore.</summary>
/// <typeparam name="TPayload">The event payload.</typeparam>
/// <param name="Time">The delivery time.</param>
/// <param name="Payload">The payload.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct PendingEvent<TPayload>(SimTime Time, TPayload Payload)
    where TPayload : unmanaged;
