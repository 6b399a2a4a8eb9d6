using EventSnn.EventQueue;

namespace EventSnn.Simulator.Monitors;

/// <summary>Receives every spike an engine emits.</summary>
public interface ISpikeMonitor
{
    /// <summary>Called once per spike, in time order.</summary>
    /// <param name="time">The spike time.</param>
    /// <param name="population">The population index.</param>
    /// <param name="neuron">The neuron index inside the population.</param>
    void OnSpike(SimTime time, int population, int neuron);
}
