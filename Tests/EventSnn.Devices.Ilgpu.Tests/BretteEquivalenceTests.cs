using EventSnn.Cli.Networks;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>The CUBA and COBA benchmark networks give the same spikes on the ILGPU device as on the CPU device.</summary>
[Collection("ilgpu")]
public sealed class BretteEquivalenceTests
{
    [Theory]
    [InlineData(BretteModel.Cuba)]
    [InlineData(BretteModel.Coba)]
    internal void SpikesAndStateEqualTheCpuDeviceBitForBit(BretteModel model)
    {
        NetworkSpec net = BretteNetworks.Build(model, 400, 3, ExecutionSpec.Clock(SimDuration.FromMicroseconds(100)));
        var until = SimTime.FromMilliseconds(15);
        (var cpu, SimulationEngine a) = TestDevices.Run(net, null, until);
        (var gpu, SimulationEngine b) = TestDevices.Run(net, TestDevices.Cpu, until);
        Assert.True(cpu.Count > 20, $"the network must be active ({cpu.Count} spikes)");
        Assert.Equal(cpu, gpu);
        foreach (PopulationSpec p in net.Populations)
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
}
