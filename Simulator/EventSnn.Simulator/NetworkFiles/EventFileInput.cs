using EventSnn.Events;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>Where event time zero of an event file lands before <see cref="EventFileInput.TimeOffset"/> is added.</summary>
public enum EventTimeAlignment
{
    /// <summary>The file's own clock: event time t µs maps to tick <c>offset + t·1000</c>.</summary>
    File = 0,

    /// <summary>The first event maps to the offset: event time t µs maps to tick <c>offset + (t − t_first)·1000</c>.</summary>
    FirstEvent = 1,
}

/// <summary>
/// An event file (for example a DVS recording) that feeds an external population while a network file runs. The
/// simulator library only describes it; a host (the <c>eventsnn run</c> command) opens the file with a reader and
/// injects its events, mapping event (x, y, p) to a source of the population as <c>ExternalEventMap</c> does.
/// </summary>
/// <param name="Population">The external population's name.</param>
/// <param name="PopulationId">The external population's id in the spec.</param>
/// <param name="Path">The event file, resolved against the network file's folder.</param>
/// <param name="Format">The format named in the file, or null to detect it from the content.</param>
/// <param name="TimeOffset">Added to every mapped event time (may be negative; events mapped before time 0 are skipped).</param>
/// <param name="Alignment">Where event time zero lands.</param>
public sealed record EventFileInput(string Population, int PopulationId, string Path, EventFormat? Format, SimDuration TimeOffset, EventTimeAlignment Alignment);
