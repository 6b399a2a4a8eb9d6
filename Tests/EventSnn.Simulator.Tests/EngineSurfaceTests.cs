using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class EngineSurfaceTests
{
    [Fact]
    public void PerNeuronParametersGiveEachNeuronItsOwnClosedFormIsi()
    {
        double[] tau = [5, 10, 20, 40];
        double[] drive = [16, 20, 30, 18];
        var net = new NetworkBuilder()
            .AddNeurons("n", 4, NeuronModel.Lif, p => p.SetPerNeuron("tau_m", tau).SetPerNeuron("i_offset", drive).Initial("v", -65))
            .Build();
        var e = new EventDrivenEngine(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromSeconds(2L));
        for (int j = 0; j < 4; j++)
        {
            double isi = tau[j] * 1e6 * Math.Log(drive[j] / (drive[j] - 15));
            long[] t = s.TimesOf(0, j);
            Assert.True(t.Length > 10);
            Assert.True(Math.Abs(((t[^1] - t[0]) / (double)(t.Length - 1)) - isi) / isi < 1e-8);
        }
    }

    [Fact]
    public void StepProcessesOneTimeAtATime()
    {
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [[10L, 10L, 25L], [17L]])
            .AddNeurons("n", 2, NeuronModel.Lif)
            .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(1).Delay(5))
            .Build();
        var e = new EventDrivenEngine(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        Assert.Equal(10, e.Step().Ticks);
        Assert.Equal(2, s.Spikes.Count); // both spikes of source 0 at tick 10
        Assert.Equal(15, e.Step().Ticks); // their deliveries
        Assert.Equal(-63.0, e.ReadState(1, 0, 0), 12);
        Assert.Equal(17, e.Step().Ticks);
        Assert.Equal(22, e.Step().Ticks);
        Assert.Equal(25, e.Step().Ticks);
        Assert.Equal(30, e.Step().Ticks);
        Assert.Equal(30, e.Step().Ticks); // nothing pending: no-op
        Assert.Equal(0, e.PendingEvents);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.RunUntil(SimTime.FromTicks(29)));
    }

    [Fact]
    public void ReadStateValidatesArguments()
    {
        var net = new NetworkBuilder().AddPoisson("p", 2, 1, 1).AddNeurons("n", 2, NeuronModel.Lif).Build();
        var e = new EventDrivenEngine(net);
        Assert.Throws<ArgumentException>(() => e.ReadState(0, 0, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(1, 2, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(1, 0, 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => e.ReadState(5, 0, 0));
        Assert.Null(e.GetPopulationState(0));
        Assert.NotNull(e.GetPopulationState(1));
    }
}
