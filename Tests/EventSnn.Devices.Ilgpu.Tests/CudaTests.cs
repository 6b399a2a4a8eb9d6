using EventSnn.Cli.Networks;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>The same checks on a CUDA GPU: skipped, saying so, on machines without one (run by Tests/gpu/check.sh).</summary>
[Collection("ilgpu")]
[Trait("Category", "Gpu")]
public sealed class CudaTests
{
    [CudaFact]
    public void CubaAndCobaSpikesEqualTheCpuDeviceOnCuda()
    {
        foreach (BretteModel model in new[] { BretteModel.Cuba, BretteModel.Coba })
        {
            NetworkSpec net = BretteNetworks.Build(model, 4000, 1, ExecutionSpec.Clock(SimDuration.FromMicroseconds(100)));
            (var cpu, SimulationEngine a) = TestDevices.Run(net, null, SimTime.FromMilliseconds(500));
            (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cuda, SimTime.FromMilliseconds(500));
            Assert.True(cpu.Count > 1000);
            Assert.Equal(cpu, gpu);
            a.Dispose();
            b.Dispose();
        }
    }

    [CudaFact]
    public void EveryModelMatchesTheCpuDeviceOnCuda()
    {
        foreach (string model in new[] { "lif", "iaf", "cuba_lif", "coba_lif", "adaptive_lif" })
        {
            NetworkSpec net = ResidentEngineTests.DrivenNetwork(model, 5000, SimDuration.FromMilliseconds(1), perNeuron: model == "lif");
            (var cpu, SimulationEngine a) = TestDevices.Run(net, null, SimTime.FromMilliseconds(50));
            (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cuda, SimTime.FromMilliseconds(50));
            Assert.True(cpu.Count > 100, model);
            Assert.Equal(cpu, gpu);
            a.Dispose();
            b.Dispose();
        }
    }

    [CudaFact]
    public void SnnTorchNonUniformStateQuantisationMatchesTheCpuDeviceOnCuda()
    {
        foreach ((string name, bool perNeuron) in EveryModelTests.SnnTorchModels.Select(r => ((string)r[0], (bool)r[1])))
        {
            EveryModelTests.CheckNonUniformStateQuantisation(name, perNeuron, TestDevices.Cuda!);
        }
    }

    [CudaFact]
    public void StdpOnCudaStaysWithinOneUlpOfTheHostRule()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("pre", 300, 10, 1)
            .AddNeurons("post", 200, EventSnn.Simulator.Models.NeuronModel.Lif)
            .Connect("pre", "post", ConnectivitySpec.FixedProbability(0.2, 3), c => c.WeightUniform(0.2, 0.8, 4))
            .Build();
        var spec = new StdpSpec(0.05, 0.06, 17, 23, 0.1, 0.9);
        var table = EventSnn.Simulator.Connectivity.SynapseTable.Build(net.Projections[0], net.Populations[0], net.Populations[1]);
        var host = (EventSnn.Simulator.Plasticity.PairStdpRule<EventSnn.Simulator.Plasticity.AdditiveDependence>)EventSnn.Simulator.Plasticity.PlasticityRule.Create(spec, table);
        using var device = new IlgpuStdpProjection(TestDevices.Cuda!, new StdpParameters(0.05, 0.06, 17e6, 23e6, 0.1f, 0.9f, false), 200, table.SourceGroupStart, table.GroupStart, table.Targets, table.Weights);
        var rng = new Random(9);
        long t = 0;
        for (int k = 0; k < 2000; k++)
        {
            t += rng.Next(0, 2_000_000);
            if (rng.Next(2) == 0)
            {
                int i = rng.Next(300);
                host.OnPreSpike(i, t);
                device.OnPreSpike(i, t);
            }
            else
            {
                int j = rng.Next(200);
                host.OnPostSpike(j, t);
                device.OnPostSpike(j, t);
            }
        }

        float[] w = new float[device.SynapseCount];
        device.CopyWeightsTo(w);
        for (int k = 0; k < w.Length; k++)
        {
            Assert.True(Math.Abs(BitConverter.SingleToInt32Bits(w[k]) - BitConverter.SingleToInt32Bits(table.Weights[k])) <= 1, $"synapse {k}: {w[k]} vs {table.Weights[k]}");
        }
    }
}
