using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Inputs;

/// <summary>
/// Maps event-camera address events (x, y, polarity) onto the sources of an external input population of shape
/// C×H×W: with C = 2, event (x, y, p) drives source <c>(p·H + y)·W + x</c>; with C = 1 polarity is ignored.
/// Event time t (µs) becomes tick <c>origin + t·1000</c>.
/// </summary>
public static class ExternalEventMap
{
    /// <summary>The source index for an event, or −1 when it lies outside the population's shape.</summary>
    /// <param name="shape">The external population's shape.</param>
    /// <param name="x">Column.</param>
    /// <param name="y">Row.</param>
    /// <param name="polarity">Polarity (0 or 1; any value when the shape has one channel).</param>
    public static int SourceOf(in PopulationShape shape, int x, int y, int polarity)
    {
        if ((uint)x >= (uint)shape.Width || (uint)y >= (uint)shape.Height)
        {
            return -1;
        }

        int c = shape.Channels == 1 ? 0 : polarity;
        if ((uint)c >= (uint)shape.Channels)
        {
            return -1;
        }

        return shape.IndexOf(c, y, x);
    }

    /// <summary>
    /// Injects every event of <paramref name="batch"/> into <paramref name="engine"/> as spikes of external population
    /// <paramref name="population"/>; events outside the shape are skipped and counted.
    /// </summary>
    /// <param name="engine">The engine.</param>
    /// <param name="population">External population id.</param>
    /// <param name="batch">Events (times in µs, non-decreasing, mapping to ticks ≥ the engine's Now).</param>
    /// <param name="origin">Tick that event time 0 maps to.</param>
    /// <returns>The number of events skipped because they were outside the shape.</returns>
    public static int Inject(ISimulationEngine engine, int population, EventBatch batch, SimTime origin = default)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(batch);
        PopulationShape shape = engine.Network.Populations[population].Shape;
        ReadOnlySpan<long> t = batch.T;
        ReadOnlySpan<ushort> xs = batch.X;
        ReadOnlySpan<ushort> ys = batch.Y;
        ReadOnlySpan<byte> ps = batch.P;
        int skipped = 0;
        for (int k = 0; k < t.Length; k++)
        {
            int src = SourceOf(shape, xs[k], ys[k], ps[k]);
            if (src < 0)
            {
                skipped++;
                continue;
            }

            engine.InjectEvent(origin + SimDuration.FromMicroseconds(t[k]), population, src);
        }

        return skipped;
    }
}
