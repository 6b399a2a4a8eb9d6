using EventSnn.EventQueue;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// A step of the reward input in a network file (<c>"rewards": [{"at_ms": t, "value": r, "projection": p}]</c>): from
/// <see cref="At"/> on, the reward is <see cref="Value"/> (piecewise constant, 0 before the first step).
/// </summary>
/// <param name="At">When the reward takes this value.</param>
/// <param name="Value">The reward (finite).</param>
/// <param name="Projection">The projection whose reward-modulated rule it drives, or null for every such projection.</param>
public sealed record RewardInput(SimTime At, double Value, string? Projection);
