namespace EventSnn.Datasets.Formats.Prophesee;

/// <summary>
/// An external trigger edge recorded by a Prophesee camera (EVT 2.0/3.0 <c>EXT_TRIGGER</c>). Triggers are
/// not DVS events: readers count them and hand them to <c>TriggerReceived</c>, never to the event batch.
/// </summary>
/// <param name="T">Timestamp in microseconds, on the same unwrapped time base as the events.</param>
/// <param name="Channel">Trigger channel id (EVT 2.0: 5 bits; EVT 3.0: 4 bits).</param>
/// <param name="Value">Edge value: 1 rising, 0 falling.</param>
public readonly record struct ExternalTrigger(long T, byte Channel, byte Value);
