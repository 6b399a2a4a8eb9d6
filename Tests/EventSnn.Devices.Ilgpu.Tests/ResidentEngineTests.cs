using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>
/// Networks run on the ILGPU device (ILGPU's CPU accelerator) give the CPU device's spikes and state, bit for bit: every
/// model, windows of several steps, several compaction chunks, per-neuron parameters, multapses, plastic projections,
/// save/restore and sampling, and populations split between devices.
/// </summary>
[Collection("ilgpu")]
public sealed class ResidentEngineTests
{
    private static readonly SimDuration Dt = SimDuration.FromMicroseconds(100);

    public static TheoryData<string> Models => ["lif", "iaf", "cuba_lif", "coba_lif", "adaptive_lif"];

    [Theory]
    [MemberData(nameof(Models))]
    public void EveryModelMatchesTheCpuDeviceWithWindowsOfSeveralSteps(string model)
    {
        // Delays of 1 ms with dt = 0.1 ms: windows of 10 steps; 600 neurons: two compaction chunks of 512.
        NetworkSpec net = DrivenNetwork(model, 600, SimDuration.FromMilliseconds(1), perNeuron: false);
        AssertSameRun(net, SimTime.FromMilliseconds(4), minSpikes: 20);
    }

    [Fact]
    public void PerNeuronParametersMatchTheCpuDevice()
    {
        NetworkSpec net = DrivenNetwork("lif", 300, SimDuration.FromMicroseconds(500), perNeuron: true);
        AssertSameRun(net, SimTime.FromMilliseconds(6), minSpikes: 10);
    }

    [Fact]
    public void MultapsesAndMixedSignWeightsAccumulateInTheCpuOrder()
    {
        // Source 0 hits target 1 three times in one delay group (serial path); mixed signs make the order visible in float32.
        int[] pre = [0, 0, 0, 0, 1, 1, 2];
        int[] post = [1, 1, 1, 2, 1, 2, 1];
        float[] w = [3.1f, -1.7f, 1e-3f, 9f, 2.9f, -4.4f, 7.7f];
        var times = new[] { new[] { SimTime.FromMicroseconds(50), SimTime.FromMicroseconds(250) }, new[] { SimTime.FromMicroseconds(50) }, new[] { SimTime.FromMicroseconds(120) } };
        NetworkSpec net = new NetworkBuilder()
            .AddSpikeSource("in", times)
            .AddNeurons("n", 3, NeuronModel.Lif, o => o.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -60).Set("v_reset", -65).ClockDriven(Dt))
            .Connect("in", "n", ConnectivitySpec.Explicit(pre, post, w), c => c.Delay(SimDuration.FromMicroseconds(200)))
            .Build();
        AssertSameRun(net, SimTime.FromMilliseconds(2), minSpikes: 1);
    }

    [Fact]
    public void PlasticProjectionsDeliverTheirCurrentWeights()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("in", 60, 400, 11)
            .AddNeurons("n", 40, NeuronModel.Lif, o => o.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).ClockDriven(Dt))
            .Connect("in", "n", ConnectivitySpec.FixedProbability(0.3, 12), c => c.WeightUniform(0.5, 3, 13).Delay(SimDuration.FromMicroseconds(300))
                .Stdp(new StdpSpec(0.2, 0.25, 20, 20, 0, 4)))
            .Build();
        (var cpu, SimulationEngine a) = TestDevices.Run(net, null, SimTime.FromMilliseconds(6));
        (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cpu, SimTime.FromMilliseconds(6));
        Assert.True(cpu.Count(s => s.P == 1) > 5);
        Assert.Equal(cpu, gpu);
        Assert.Equal(a.GetSynapses(0).Weights, b.GetSynapses(0).Weights);
        Assert.NotEqual(a.GetSynapses(0).Weights, new SimulationEngine(net).GetSynapses(0).Weights);
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public void SaveRestoreAndSamplingSeeTheDeviceState()
    {
        NetworkSpec net = DrivenNetwork("cuba_lif", 200, SimDuration.FromMicroseconds(500), perNeuron: false);
        using var reference = new SimulationEngine(net);
        reference.RunUntil(SimTime.FromMilliseconds(6));
        using var device = new SimulationEngine(net, new EngineOptions { Device = TestDevices.Cpu });
        device.RunUntil(SimTime.FromMilliseconds(3));
        using var saved = new MemoryStream();
        device.Save(saved);
        device.RunUntil(SimTime.FromMilliseconds(4));
        saved.Position = 0;
        device.Restore(saved);
        device.RunUntil(SimTime.FromMilliseconds(6));
        for (int j = 0; j < 200; j += 7)
        {
            for (int v = 0; v < 3; v++)
            {
                Assert.Equal(reference.ReadState(1, j, v), device.ReadState(1, j, v));
            }
        }

        Assert.Equal(reference.SpikeCount, device.SpikeCount);
    }

    [Fact]
    public void PopulationsCanRunOnDifferentDevices()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("in", 50, 300, 21)
            .AddNeurons("a", 120, NeuronModel.CubaLif, o => o.Set("v_rest", -49).Set("t_ref", 2).InitialUniform("v", -60, -50, 22).ClockDriven(Dt))
            .AddNeurons("b", 80, NeuronModel.Lif, o => o.Set("tau_m", 10).Set("v_rest", -65).Set("v_thresh", -55).Set("v_reset", -65).ClockDriven(Dt))
            .Connect("in", "a", ConnectivitySpec.FixedProbability(0.2, 23), c => c.Weight(1.5).Receptor("e").Delay(SimDuration.FromMicroseconds(200)))
            .Connect("a", "b", ConnectivitySpec.FixedProbability(0.2, 24), c => c.Weight(2.5).Delay(SimDuration.FromMicroseconds(400)))
            .Connect("b", "a", ConnectivitySpec.FixedProbability(0.2, 25), c => c.Weight(-1.5).Receptor("i").Delay(SimDuration.FromMicroseconds(300)))
            .Build();
        var split = new EngineOptions { PopulationDevices = new Dictionary<string, IComputeDevice> { ["b"] = TestDevices.Cpu } };
        (var cpu, SimulationEngine x) = TestDevices.Run(net, null, SimTime.FromMilliseconds(8));
        (var mixed, SimulationEngine y) = TestDevices.Run(net, null, SimTime.FromMilliseconds(8), split);
        Assert.True(cpu.Count(s => s.P == 2) > 3);
        Assert.Equal(cpu, mixed);
        x.Dispose();
        y.Dispose();
    }

    [Fact]
    public void UnknownPopulationInPopulationDevicesIsAOneLineError()
    {
        NetworkSpec net = DrivenNetwork("lif", 10, SimDuration.FromMicroseconds(500), perNeuron: false);
        var ex = Assert.Throws<ArgumentException>(() => new SimulationEngine(net, new EngineOptions { PopulationDevices = new Dictionary<string, IComputeDevice> { ["nope"] = TestDevices.Cpu } }));
        Assert.Contains("'nope'", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', ex.Message);
    }

    [Fact]
    public void HostKernelsAreRefusedWithAClearMessage()
    {
        var kernel = default(NoKernel);
        var ex = Assert.Throws<NotSupportedException>(() => TestDevices.Cpu.For(4, ref kernel));
        Assert.Contains("host-visible", ex.Message, StringComparison.Ordinal);
    }

    internal static NetworkSpec DrivenNetwork(string model, int size, SimDuration delay, bool perNeuron)
    {
        NeuronModel m = model switch
        {
            "lif" => NeuronModel.Lif,
            "iaf" => NeuronModel.IntegrateAndFire,
            "cuba_lif" => NeuronModel.CubaLif,
            "coba_lif" => NeuronModel.CobaLif,
            _ => NeuronModel.AdaptiveLif,
        };
        string receptor = m.Info.Receptors[0];
        double weight = model == "coba_lif" ? 0.3 : 3;
        return new NetworkBuilder()
            .AddPoisson("in", 80, 500, 5)
            .AddNeurons("n", size, m, o =>
            {
                o.Set("v_thresh", -50).Set("v_reset", -60).Set("t_ref", 1).Threshold(ThresholdComparison.Greater).InitialUniform("v", -60, -50.5, 6).ClockDriven(Dt);
                if (model is "lif" or "adaptive_lif" or "cuba_lif")
                {
                    o.Set("v_rest", -52);
                }

                if (perNeuron)
                {
                    o.SetPerNeuron("tau_m", [.. Enumerable.Range(0, size).Select(j => 5.0 + (j % 17))]);
                }
            })
            .Connect("in", "n", ConnectivitySpec.FixedProbability(0.1, 7), c => c.WeightUniform(weight * 0.2, weight, 8).Receptor(receptor).Delay(delay))
            .Connect("n", "n", ConnectivitySpec.FixedProbability(0.02, 9), c => c.WeightUniform(model == "coba_lif" ? 0 : -weight, weight, 10).Receptor(m.Info.Receptors[^1]).Delay(delay))
            .Build();
    }

    private static void AssertSameRun(NetworkSpec net, SimTime until, int minSpikes)
    {
        (var cpu, SimulationEngine a) = TestDevices.Run(net, null, until);
        (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cpu, until);
        Assert.True(cpu.Count(s => net.Populations[s.P].Model is not null) >= minSpikes, $"model neurons must spike ({cpu.Count} spikes in all)");
        Assert.Equal(cpu, gpu);
        foreach (PopulationSpec p in net.Populations.Where(p => p.Model is not null))
        {
            var sa = (ClockPopulationState)a.GetPopulationState(p.Id)!;
            var sb = (ClockPopulationState)b.GetPopulationState(p.Id)!;
            for (int k = 0; k < sa.Columns.Length; k++)
            {
                Assert.Equal(sa.Columns[k].AsSpan(0, p.Size).ToArray(), sb.Columns[k].AsSpan(0, p.Size).ToArray());
            }

            Assert.Equal(sa.RefractorySteps.AsSpan(0, p.Size).ToArray(), sb.RefractorySteps.AsSpan(0, p.Size).ToArray());
        }

        a.Dispose();
        b.Dispose();
    }

    private struct NoKernel : IRangeKernel
    {
        public readonly void Execute(int start, int end)
        {
        }
    }
}
