using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>
/// Samples/networks/brette-cuba.json and brette-coba.json describe the networks of Brette et al. (2007) with the numbers
/// of Brian2's examples/CUBA.py and of the Brian2 COBA benchmark (written out here from those scripts).
/// </summary>
public sealed class BretteSampleTests
{
    private const int N = 4000;
    private const double P = 0.02;

    private static double Param(PopulationSpec p, string name) => p.Parameters[p.Model!.Info.ParameterIndex(name)];

    [Theory]
    [InlineData("brette-cuba.json")]
    [InlineData("brette-coba.json")]
    public void PopulationsHaveBrian2sSizesParametersAndExecution(string file)
    {
        bool cuba = file.Contains("cuba", StringComparison.Ordinal);
        NetworkFile f = NetworkFile.Load(Sample(file));
        Assert.Equal(SimDuration.FromSeconds(1L), f.Duration);
        Assert.Equal(["exc", "inh"], f.Network.Populations.Select(p => p.Name));
        Assert.Equal((int)(0.8 * N), f.Network.Population("exc").Size);
        Assert.Equal(N - (int)(0.8 * N), f.Network.Population("inh").Size);
        foreach (PopulationSpec p in f.Network.Populations)
        {
            Assert.Same(cuba ? NeuronModel.CubaLif : NeuronModel.CobaLif, p.Model);
            Assert.Empty(p.PerNeuronParameters);

            // taum = 20 ms, taue = 5 ms, taui = 10 ms, Vt = -50 mV, Vr = -60 mV, refractory = 5 ms, threshold 'v > Vt'.
            Assert.Equal((20.0, 5.0, 10.0, -50.0, -60.0, 5.0), (Param(p, "tau_m"), Param(p, "tau_e"), Param(p, "tau_i"), Param(p, "v_thresh"), Param(p, "v_reset"), Param(p, "t_ref")));
            Assert.Equal(ThresholdComparison.Greater, p.Comparison);
            Assert.Equal(ResetMode.ToValue, p.Reset);
            Assert.Equal(ExecutionSpec.Clock(SimDuration.FromMicroseconds(100)), p.Execution);
            if (cuba)
            {
                // CUBA: El = -49 mV, no drive.
                Assert.Equal((-49.0, 0.0), (Param(p, "v_rest"), Param(p, "i_offset")));

                // P.v = 'Vr + rand() * (Vt - Vr)'.
                InitialValueSpec v = Assert.Single(p.Initial);
                Assert.Equal(("v", -60.0, -50.0), (v.Variable, v.Low, v.High));
            }
            else
            {
                // COBA: El = -60 mV, Erev_exc = 0 mV, Erev_inh = -80 mV, I = 20 mV.
                Assert.Equal((-60.0, 0.0, -80.0, 20.0), (Param(p, "v_rest"), Param(p, "e_exc"), Param(p, "e_inh"), Param(p, "i_offset")));

                // P.v = (randn() * 5 - 55) mV, drawn per neuron: sample mean and sd within 5 standard errors.
                double[] v = [.. Assert.Single(p.Initial).Values];
                Assert.Equal(p.Size, v.Length);
                double mean = v.Average();
                double sd = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
                Assert.InRange(mean, -55 - (5 * 5 / Math.Sqrt(v.Length)), -55 + (5 * 5 / Math.Sqrt(v.Length)));
                Assert.InRange(sd, 5 * (1 - (5 / Math.Sqrt(2.0 * v.Length))), 5 * (1 + (5 / Math.Sqrt(2.0 * v.Length))));
            }
        }

        // Distinct seeds: the two populations do not start from the same draws.
        InitialValueSpec e = f.Network.Population("exc").Initial[0], i = f.Network.Population("inh").Initial[0];
        if (cuba)
        {
            Assert.NotEqual(e.Seed, i.Seed);
        }
        else
        {
            Assert.NotEqual(e.Values.Take(i.Values.Length), i.Values);
        }
    }

    [Theory]
    [InlineData("brette-cuba.json")]
    [InlineData("brette-coba.json")]
    public void ProjectionsHaveBrian2sWeightsAndSynapseCounts(string file)
    {
        bool cuba = file.Contains("cuba", StringComparison.Ordinal);
        NetworkFile f = NetworkFile.Load(Sample(file));
        NetworkSpec net = f.Network;
        double we = cuba ? 60 * 0.27 / 10 : 6.0 / 10;
        double wi = cuba ? -20 * 4.5 / 10 : 67.0 / 10;
        Assert.Equal(4, net.Projections.Length);
        var engine = TestEngines.Event(net);
        long total = 0;
        foreach (ProjectionSpec pr in net.Projections)
        {
            bool excitatory = net.Populations[pr.Pre].Name == "exc";
            Assert.Equal(excitatory ? we : wi, pr.Weight.Low, 12);
            Assert.True(pr.Weight.IsConstant);
            Assert.Equal(net.Populations[pr.Post].Model!.Info.ReceptorIndex(excitatory ? "e" : "i"), pr.Receptor);

            // Brian2 delivers within the step; the smallest spec delay (1 tick) stands for that.
            Assert.Equal(DelaySpec.Constant(SimDuration.Epsilon), pr.Delay);
            var fp = Assert.IsType<FixedProbabilityConnectivity>(pr.Connectivity);
            Assert.Equal(P, fp.P);
            Assert.True(fp.AllowSelf);

            // Synapse count ~ Binomial(N_pre·N_post, p): within 5 standard deviations of p·N_pre·N_post.
            double pairs = (double)net.Populations[pr.Pre].Size * net.Populations[pr.Post].Size;
            double count = engine.GetSynapses(pr.Id).SynapseCount;
            double sigma = Math.Sqrt(pairs * P * (1 - P));
            Assert.InRange(count, (pairs * P) - (5 * sigma), (pairs * P) + (5 * sigma));
            total += (long)count;
        }

        double all = (double)N * N;
        Assert.InRange(total, (all * P) - (5 * Math.Sqrt(all * P * (1 - P))), (all * P) + (5 * Math.Sqrt(all * P * (1 - P))));

        // The four projections draw from different seeds.
        Assert.Equal(4, net.Projections.Select(pr => ((FixedProbabilityConnectivity)pr.Connectivity).Seed).Distinct().Count());
    }
}
