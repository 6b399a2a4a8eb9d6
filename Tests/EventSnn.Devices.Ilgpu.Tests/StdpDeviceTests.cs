using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;

namespace EventSnn.Devices.Ilgpu.Tests;

/// <summary>Pair STDP on the device gives the host rule's weights and traces, bit for bit, on dense and sparse projections.</summary>
[Collection("ilgpu")]
public sealed class StdpDeviceTests
{
    [Theory]
    [InlineData("dense", TraceMode.Additive)]
    [InlineData("sparse", TraceMode.Additive)]
    [InlineData("sparse", TraceMode.Nearest)]
    public void DeviceStdpEqualsTheHostRule(string kind, TraceMode mode)
    {
        NetworkSpec net = new NetworkBuilder()
            .AddPoisson("pre", 30, 10, 1)
            .AddNeurons("post", 25, EventSnn.Simulator.Models.NeuronModel.Lif)
            .Connect("pre", "post", kind == "dense" ? ConnectivitySpec.AllToAll() : ConnectivitySpec.FixedProbability(0.3, 3), c => c.WeightUniform(0.2, 0.8, 4))
            .Build();
        var spec = new StdpSpec(0.05, 0.06, 17, 23, 0.1, 0.9, mode);
        SynapseTable hostTable = SynapseTable.Build(net.Projections[0], net.Populations[0], net.Populations[1]);
        var host = (PairStdpRule<AdditiveDependence>)PlasticityRule.Create(spec, hostTable);
        var p = new StdpParameters(spec.APlus, spec.AMinus, spec.TauPlusMs * 1e6, spec.TauMinusMs * 1e6, (float)spec.WMin, (float)spec.WMax, mode == TraceMode.Nearest);
        using var device = new IlgpuStdpProjection(TestDevices.Cpu, p, hostTable.PostSize, hostTable.SourceGroupStart, hostTable.GroupStart, hostTable.Targets, hostTable.Weights);

        // A spike train with ties (pre and post at the same tick, both orders) and repeated spikes of one neuron.
        var rng = new Random(5);
        long t = 0;
        for (int k = 0; k < 120; k++)
        {
            t += rng.Next(3) == 0 ? 0 : rng.Next(1, 4_000_000);
            if (rng.Next(2) == 0)
            {
                int i = rng.Next(hostTable.PreSize);
                host.OnPreSpike(i, t);
                device.OnPreSpike(i, t);
            }
            else
            {
                int j = rng.Next(hostTable.PostSize);
                host.OnPostSpike(j, t);
                device.OnPostSpike(j, t);
            }

            if (k % 37 == 0)
            {
                device.Flush();
            }
        }

        float[] weights = new float[device.SynapseCount];
        device.CopyWeightsTo(weights);
        Assert.Equal(hostTable.Weights, weights);
        Assert.NotEqual(SynapseTable.Build(net.Projections[0], net.Populations[0], net.Populations[1]).Weights, weights);
        double[] preV = new double[hostTable.PreSize];
        long[] preL = new long[hostTable.PreSize];
        double[] postV = new double[hostTable.PostSize];
        long[] postL = new long[hostTable.PostSize];
        device.CopyTracesTo(preV, preL, postV, postL);
        // The host rule keeps a trace's value before and after a spike (for same-tick pairing) and sums in another order
        // than the device: double-precision traces agree within a few ulps; the float32 weights above are identical.
        // A neuron that never spiked has a zero trace whose time is not meaningful (the host marks it long.MinValue).
        AssertClose(host.PreTrace.Values, preV);
        AssertSameTimes(host.PreTrace.Values, host.PreTrace.LastUpdate, preL);
        AssertClose(host.PostTrace.Values, postV);
        AssertSameTimes(host.PostTrace.Values, host.PostTrace.LastUpdate, postL);
    }

    private static void AssertSameTimes(double[] values, long[] expected, long[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        Assert.Contains(values, v => v != 0);
        for (int i = 0; i < expected.Length; i++)
        {
            if (values[i] != 0)
            {
                Assert.Equal(expected[i], actual[i]);
            }
        }
    }

    private static void AssertClose(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-14 * Math.Max(1, Math.Abs(expected[i])), $"trace {i}: host {expected[i]:R}, device {actual[i]:R}");
        }
    }

    [Fact]
    public void BadArgumentsAreClearErrors()
    {
        var p = new StdpParameters(0.1, 0.1, 1e7, 1e7, 0, 1, false);
        var ex = Assert.Throws<ArgumentException>(() => new IlgpuStdpProjection(TestDevices.Cpu, p, 2, [0, 1], [0, 1], [5], [0.5f]));
        Assert.Contains("target 5", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new IlgpuStdpProjection(TestDevices.Cpu, p with { TauPlusTicks = 0 }, 2, [0, 1], [0, 1], [1], [0.5f]));
        using var ok = new IlgpuStdpProjection(TestDevices.Cpu, p, 2, [0, 1], [0, 1], [1], [0.5f]);
        Assert.Throws<ArgumentOutOfRangeException>(() => ok.OnPreSpike(1, 0));
    }
}
