using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Engines;

/// <summary>The recorders created for a spec's monitors by <see cref="SpecMonitors.Attach"/>, in <see cref="NetworkSpec.Monitors"/> order.</summary>
/// <param name="Spikes">One spike recorder per spike monitor (recording only its population and neurons).</param>
/// <param name="States">One state recorder per state monitor (sampling at its interval from the attach time).</param>
public sealed record AttachedMonitors(IReadOnlyList<SpikeRecorder> Spikes, IReadOnlyList<StateRecorder> States);

/// <summary>Creates and attaches the recorders a <see cref="NetworkSpec"/> describes (its <see cref="MonitorSpec"/> list) to any engine.</summary>
public static class SpecMonitors
{
    /// <summary>Attaches one recorder per monitor of <paramref name="engine"/>'s network.</summary>
    /// <param name="engine">The engine (event-driven or clock-driven).</param>
    /// <returns>The recorders, to read after running.</returns>
    public static AttachedMonitors Attach(ISimulationEngine engine)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var spikes = new List<SpikeRecorder>();
        var states = new List<StateRecorder>();
        foreach (MonitorSpec m in engine.Network.Monitors)
        {
            PopulationSpec p = engine.Network.Populations[m.Population];
            int[] neurons = m.Neurons.IsDefaultOrEmpty ? [.. Enumerable.Range(0, p.Size)] : [.. m.Neurons];
            if (m.Kind == MonitorKind.Spikes)
            {
                var r = new SpikeRecorder().Select(m.Population, p.Size, neurons);
                r.RecordOnlySelected = true;
                engine.AddSpikeMonitor(r);
                spikes.Add(r);
            }
            else
            {
                var r = new StateRecorder(m.Population, p.Model!.Info.StateVariables[m.Variable], neurons);
                engine.AddStateSampler(r, m.Interval);
                states.Add(r);
            }
        }

        return new AttachedMonitors(spikes, states);
    }
}
