using EventSnn.Devices.Lanes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests;

/// <summary>
/// A model defined outside the library, to show that adding a model is one new type: a perfect integrator driven by an
/// exponentially decaying synaptic current, τs·I' = −I, τm·v' = I (v and I in mV). Exact solution
/// v(t) = v0 + I0·(τs/τm)·(1 − e^{−t/τs}); closed-form crossing.
/// </summary>
internal readonly struct IntegratorWithExpCurrent : INeuronModel<IntegratorWithExpCurrent>
{
    private readonly double _taum;
    private readonly double _taus;
    private readonly double _vt;
    private readonly double _vr;
    private readonly double _dt;
    private readonly float _decay;
    private readonly float _gain;

    private IntegratorWithExpCurrent(ReadOnlySpan<double> p, double dt)
    {
        _taum = Units.MsToTicks(p[0]);
        _taus = Units.MsToTicks(p[1]);
        _vt = p[2];
        _vr = p[3];
        _dt = dt;
        _decay = (float)Math.Exp(-dt / _taus);
        _gain = (float)(_taus / _taum * (1 - Math.Exp(-dt / _taus)));
    }

    public static NeuronModelInfo Info { get; } = new(
        "integrator_exp_current",
        ["v", "i"],
        ["i"],
        [new("tau_m", "ms", 10, 0, true), new("tau_s", "ms", 5, 0, true), new("v_thresh", "mV", 10), new("v_reset", "mV", 0)],
        [ResetMode.ToValue]);

    public NeuronState InitialState => new() { V = _vr };

    public double RefractoryTicks => 0;

    public double Threshold => _vt;

    public double StepTicks => _dt;

    public static string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => parameters[3] < parameters[2] ? null : "v_reset must be below v_thresh";

    public static IntegratorWithExpCurrent Create(ReadOnlySpan<double> parameters, in SpikeRules rules) => new(parameters, 0);

    public IntegratorWithExpCurrent WithTimeStep(double dtTicks) => new([_taum / 1e6, _taus / 1e6, _vt, _vr], dtTicks);

    public void AdvanceFree(ref NeuronState state, double dt)
    {
        double decay = Math.Exp(-dt / _taus);
        state.V += state.S1 * (_taus / _taum) * (1 - decay);
        state.S1 *= decay;
    }

    public void AdvanceRefractory(ref NeuronState state, double dt) => state.S1 *= Math.Exp(-dt / _taus);

    public void ApplyInput(ref NeuronState state, int receptor, double weight) => state.S1 += weight;

    public bool IsAboveThreshold(in NeuronState state) => state.V >= _vt;

    // Clock mode: the same exact solution over one step, written once for every lane type.
    public TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        neuron.V += neuron.S1 * TLane.Splat(_gain);
        neuron.S1 = (neuron.S1 * TLane.Splat(_decay)) + input0;
        TMask spike = TLane.GreaterThanOrEqual(neuron.V, TLane.Splat((float)_vt));
        neuron.V = TLane.Select(spike, TLane.Splat((float)_vr), neuron.V);
        return spike;
    }

    public void Reset(ref NeuronState state) => state.V = _vr;

    public double FindCrossing(in NeuronState state, double horizon, out double recheck)
    {
        recheck = double.PositiveInfinity;
        if (IsAboveThreshold(state))
        {
            return 0;
        }

        double reach = state.S1 * _taus / _taum;
        double need = _vt - state.V;
        if (!(reach > need))
        {
            return double.PositiveInfinity;
        }

        double delta = -_taus * Math.Log(1 - (need / reach));
        if (delta > horizon)
        {
            recheck = horizon;
            return double.PositiveInfinity;
        }

        return delta;
    }
}

public class CustomModelTests
{
    private static NetworkSpec Net() => new NetworkBuilder()
        .AddSpikeSource("src", [TestTime.Ticks(Units.Ms(1), Units.Ms(1.5), Units.Ms(9))])
        .AddNeurons("n", 1, NeuronModel.For<IntegratorWithExpCurrent>(), p => p.Set("tau_m", 10).Set("tau_s", 5).Set("v_thresh", 10))
        .Connect("src", "n", ConnectivitySpec.OneToOne(), c => c.Weight(14).Delay(SimDuration.FromMilliseconds(1)))
        .Build();

    [Fact]
    public void ANewModelTypeRunsInBothEnginesWithItsClosedForm()
    {
        // Inputs of 14 mV arrive at 2 ms and 2.5 ms. Reference crossing: solve v(t) = 10 from the closed form.
        double taus = 5e6;
        double taum = 10e6;
        double i1 = 14 * Math.Exp(-0.5e6 / taus) + 14;             // current just after the second input
        double v1 = 14 * (taus / taum) * (1 - Math.Exp(-0.5e6 / taus)); // v at 2.5 ms
        double tc = Units.Ms(2.5) + (-taus * Math.Log(1 - ((10 - v1) / (i1 * taus / taum))));

        var e = TestEngines.Event(Net());
        var es = new SpikeList();
        e.AddSpikeMonitor(es);
        e.RunUntil(SimTime.FromMilliseconds(20L));
        long[] t = es.TimesOf(1, 0);
        Assert.NotEmpty(t);
        Assert.InRange(t[0] - tc, 0, 1);

        // The clock engine runs the same type through the default dense step; its spike is on the 0.1 ms grid at or
        // after the exact crossing, within one step.
        using var c = TestEngines.Clock(Net(), SimDuration.FromMicroseconds(100L));
        var cs = new SpikeList();
        c.AddSpikeMonitor(cs);
        c.RunUntil(SimTime.FromMilliseconds(20L));
        long[] tcClock = cs.TimesOf(1, 0);
        Assert.Equal(t.Length, tcClock.Length);
        Assert.InRange(tcClock[0] - tc, 0, 100_000);
        Assert.Equal(NeuronModel.For<IntegratorWithExpCurrent>().Info.Name, Net().Populations[1].Model!.Info.Name);
    }
}
