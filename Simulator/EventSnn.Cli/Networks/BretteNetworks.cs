using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Networks;

/// <summary>The two networks of Brette et al. (2007) benchmarked by <c>eventsnn bench cuba|coba</c>.</summary>
internal enum BretteModel
{
    /// <summary>Benchmark 2: current-based exponential synapses (Brian2's <c>examples/CUBA.py</c>, <c>method='exact'</c>).</summary>
    Cuba = 0,

    /// <summary>Benchmark 1: conductance-based exponential synapses (the Brian2 COBA benchmark, <c>method='euler'</c>).</summary>
    Coba = 1,
}

/// <summary>
/// Builds the Brette et al. (2007) CUBA and COBA networks through the public <see cref="NetworkBuilder"/>, as a user
/// would: populations <c>exc</c> (80 %) and <c>inh</c> of <c>cuba_lif</c> or <c>coba_lif</c> neurons, four
/// fixed-probability projections with 80/N connection probability, threshold <c>v &gt; Vt</c>, initial potentials uniform
/// in [V_r, V_t). Brian2's zero synaptic delay is the smallest delay a spec allows, one tick: in clock mode the input then
/// reaches its targets in the step after the spike, one step later than Brian2 (where the spike and its effect share a
/// step).
/// </summary>
internal static class BretteNetworks
{
    public static NetworkSpec Build(BretteModel model, int neurons, ulong seed, ExecutionSpec? execution, double connectionsPerNeuron = 80)
    {
        int nExc = (int)Math.Round(0.8 * neurons);
        double p = Math.Min(1.0, connectionsPerNeuron / neurons);
        bool cuba = model == BretteModel.Cuba;
        NeuronModel neuronModel = cuba ? NeuronModel.CubaLif : NeuronModel.CobaLif;
        void Neurons(PopulationOptions o, ulong s)
        {
            o.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_thresh", -50).Set("v_reset", -60).Set("t_ref", 5)
                .Threshold(ThresholdComparison.Greater).InitialUniform("v", -60, -50, s);
            if (cuba)
            {
                o.Set("v_rest", -49);
            }
            else
            {
                o.Set("v_rest", -60).Set("e_exc", 0).Set("e_inh", -80).Set("i_offset", 20);
            }

            if (execution is { Mode: ExecutionMode.Clock })
            {
                o.ClockDriven(execution.Dt);
            }
            else if (execution is not null)
            {
                o.EventDriven();
            }
        }

        double we = cuba ? 60 * 0.27 / 10 : 0.6;
        double wi = cuba ? -20 * 4.5 / 10 : 6.7;
        ulong s = seed * 16;
        return new NetworkBuilder()
            .AddNeurons("exc", nExc, neuronModel, o => Neurons(o, s + 1))
            .AddNeurons("inh", neurons - nExc, neuronModel, o => Neurons(o, s + 2))
            .Connect("exc", "exc", ConnectivitySpec.FixedProbability(p, s + 3), c => c.Weight(we).Receptor("e").Delay(SimDuration.Epsilon))
            .Connect("exc", "inh", ConnectivitySpec.FixedProbability(p, s + 4), c => c.Weight(we).Receptor("e").Delay(SimDuration.Epsilon))
            .Connect("inh", "exc", ConnectivitySpec.FixedProbability(p, s + 5), c => c.Weight(wi).Receptor("i").Delay(SimDuration.Epsilon))
            .Connect("inh", "inh", ConnectivitySpec.FixedProbability(p, s + 6), c => c.Weight(wi).Receptor("i").Delay(SimDuration.Epsilon))
            .Build();
    }
}
