using System.Runtime.InteropServices;

namespace EventSnn.Simulator.Engines;

/// <summary>The kinds of events the event-driven engine queues.</summary>
public enum EngineEventKind
{
    /// <summary>Delivery of one delay group: <c>A</c> = projection, <c>B</c> = group.</summary>
    Deliver = 0,

    /// <summary>A source spike (spike array, Poisson, external): <c>A</c> = population, <c>B</c> = source.</summary>
    Source = 1,

    /// <summary>A predicted threshold crossing: <c>A</c> = population, <c>B</c> = neuron, <c>C</c> = generation.</summary>
    Wake = 2,
}

/// <summary>A queued engine event (16 bytes, stored inline in the queue).</summary>
/// <param name="Kind">What happens.</param>
/// <param name="A">First operand (see <see cref="EngineEventKind"/>).</param>
/// <param name="B">Second operand.</param>
/// <param name="C">Third operand.</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct EngineEvent(EngineEventKind Kind, int A, int B, int C);
