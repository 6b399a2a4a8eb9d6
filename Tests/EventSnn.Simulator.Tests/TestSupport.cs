using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Simulator.Tests;

internal sealed class SpikeList : ISpikeMonitor
{
    public List<(long T, int Pop, int Neuron)> Spikes { get; } = [];

    public void OnSpike(SimTime time, int population, int neuron) => Spikes.Add((time.Ticks, population, neuron));

    public long[] TimesOf(int pop, int neuron) => [.. Spikes.Where(s => s.Pop == pop && s.Neuron == neuron).Select(s => s.T)];

    public ulong Hash()
    {
        // FNV-1a over (t, pop, neuron) in emission order.
        ulong h = 14695981039346656037UL;
        foreach (var (t, p, n) in Spikes)
        {
            foreach (long v in new[] { t, p, n })
            {
                h ^= (ulong)v;
                h *= 1099511628211UL;
            }
        }

        return h;
    }
}
