using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

public class ValidationTests
{
    private static string Fails(Action<NetworkBuilder> build)
    {
        var b = new NetworkBuilder();
        build(b);
        var ex = Assert.Throws<NetworkValidationException>(() => b.Build());
        return ex.Message;
    }

    [Fact]
    public void UnknownPopulationIsNamed()
    {
        string m = Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "ghost", ConnectivitySpec.AllToAll()));
        Assert.Contains("projection 'a->ghost'", m);
        Assert.Contains("'post'", m);
        Assert.Contains("ghost", m);
    }

    [Fact]
    public void NegativeAndZeroDelaysAreRejected()
    {
        Assert.Contains("field 'delay'", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.Delay(SimDuration.FromTicks(-5)))));
        Assert.Contains("field 'delay'", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.Delay(SimDuration.FromTicks(0)))));
        string m = Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.Explicit([0, 1], [1, 2], default, TestTime.Durations(5, -1))));
        Assert.Contains("synapse 1", m);
        Assert.Contains("'delay'", m);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(-3.0)]
    public void BadParameterValuesNameParameterAndPopulation(double tau)
    {
        string m = Fails(b => b.AddNeurons("exc", 3, NeuronModel.CubaLif, p => p.Set("tau_m", tau)));
        Assert.Contains("population 'exc'", m);
        Assert.Contains("'tau_m'", m);
    }

    [Fact]
    public void NonFiniteWeightAndUnknownParameterAndReceptor()
    {
        string m = Fails(b => b.AddNeurons("a", 3, NeuronModel.CubaLif, p => p.Set("tau_x", 1))
            .Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.Weight(double.NaN).Receptor("z")));
        Assert.Contains("'tau_x'", m);
        Assert.Contains("field 'weight'", m);
        Assert.Contains("field 'receptor' 'z'", m);
    }

    [Fact]
    public void ResetAboveThresholdIsRejected()
        => Assert.Contains("v_reset", Fails(b => b.AddNeurons("a", 1, NeuronModel.Lif, p => p.Set("v_reset", -40))));

    [Fact]
    public void ShapeMismatchesAreRejected()
    {
        Assert.Contains("one-to-one needs equal sizes", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).AddNeurons("b", 4, NeuronModel.Lif).Connect("a", "b", ConnectivitySpec.OneToOne())));
        string m = Fails(b => b.AddExternalInput("in", new PopulationShape(2, 8, 8))
            .AddNeurons("out", new PopulationShape(4, 7, 7), NeuronModel.Lif)
            .Connect("in", "out", ConnectivitySpec.Conv2D(new float[4 * 2 * 3 * 3], 4, 2, 3, 3)));
        Assert.Contains("shape mismatch", m);
        Assert.Contains("4x6x6", m);
        Assert.Contains("expected C_out", Fails(b => b.AddExternalInput("in", new PopulationShape(2, 8, 8))
            .AddNeurons("out", new PopulationShape(4, 6, 6), NeuronModel.Lif)
            .Connect("in", "out", ConnectivitySpec.Conv2D(new float[5], 4, 2, 3, 3))));
    }

    [Fact]
    public void ExplicitIndicesOutOfRangeAndSizeMismatch()
    {
        Assert.Contains("'post' = 9", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.Explicit([0], [9]))));
        Assert.Contains("has 2 per-neuron values", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif, p => p.SetPerNeuron("tau_m", [1, 2]))));
    }

    [Fact]
    public void DuplicateNamesAndTargetingSourcesAndMonitors()
    {
        string m = Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).AddPoisson("a", 2, 5, 1)
            .AddPoisson("p", 2, -1, 1)
            .Connect("a", "p", ConnectivitySpec.AllToAll())
            .RecordState("a", "w", SimDuration.FromTicks(10)));
        Assert.Contains("already used", m);
        Assert.Contains("'rate_hz'", m);
        Assert.Contains("projections must target model neurons", m);
        Assert.Contains("'variable' 'w'", m);
    }

    [Fact]
    public void ConductanceWeightsMustBeNonNegativeAndStdpBoundsChecked()
    {
        Assert.Contains("must be ≥ 0 for conductance", Fails(b => b.AddNeurons("a", 3, NeuronModel.CobaLif).Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.Weight(-1).Receptor("i"))));
        Assert.Contains("stdp.w_min", Fails(b => b.AddNeurons("a", 3, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.Stdp(new StdpSpec(0.1, 0.1, 20, 20, 2, 1)))));
    }

    [Fact]
    public void ValidSpecBuildsAndIsQueryable()
    {
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("exc", 10, NeuronModel.CubaLif, p => p.Set("v_rest", -49).InitialUniform("v", -60, -50, 3))
            .AddPoisson("noise", 5, 10, 1)
            .Connect("noise", "exc", ConnectivitySpec.AllToAll(), c => c.Receptor("i").Weight(-2))
            .RecordSpikes("exc")
            .Build();
        Assert.Equal(-49, net.Population("exc").Parameters[3]);
        Assert.Equal(1, net.Projection("noise->exc").Receptor);
        Assert.Single(net.Monitors);
    }
}
