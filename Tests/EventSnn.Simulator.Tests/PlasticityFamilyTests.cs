using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.Plasticity;

namespace EventSnn.Simulator.Tests;

/// <summary>Harness: a pre source and a post neuron driven to spike at chosen ticks through a strong "drive" source.</summary>
internal static class PairHarness
{
    public const long DriveDelay = 1_000_000;

    /// <summary>
    /// Runs pre spikes at <paramref name="pre"/> and post spikes at <paramref name="post"/> (ticks) through a plastic
    /// projection with <paramref name="rule"/>; returns the engine after running past the last spike.
    /// </summary>
    public static SimulationEngine Run(PlasticitySpec rule, long[] pre, long[] post, float w0 = 0.5f, bool clock = false, Action<SimulationEngine>? beforeRun = null, long? until = null, SimDuration? dt = null)
    {
        NetworkSpec net = Network(rule, pre, post, w0);
        SimulationEngine e = clock ? TestEngines.Clock(net, dt ?? SimDuration.FromMicroseconds(100)) : TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        beforeRun?.Invoke(e);
        long end = until ?? (Math.Max(pre.DefaultIfEmpty(0).Max(), post.DefaultIfEmpty(0).Max()) + Units.Ms(1));
        e.RunUntil(SimTime.FromTicks(end));
        Assert.Equal(post, s.TimesOf(2, 0));
        return e;
    }

    public static NetworkSpec Network(PlasticitySpec rule, long[] pre, long[] post, float w0)
        => new NetworkBuilder()
            .AddSpikeSource("pre", [TestTime.Ticks(pre)])
            .AddSpikeSource("drive", [TestTime.Ticks([.. post.Select(t => t - DriveDelay)])])
            .AddNeurons("post", 1, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromTicks(DriveDelay)))
            .Connect("pre", "post", ConnectivitySpec.AllToAll(), c => c.Named("plastic").Weight(w0).Delay(SimDuration.FromTicks(5)).Plasticity(rule))
            .Build();

    public static double Weight(SimulationEngine e) => e.GetSynapses(1).Weights[0];
}

public class TraceKindTests
{
    private static readonly SimDuration Step = SimDuration.FromMilliseconds(1L);

    /// <summary>Iterates a per-step trace law by hand: x ← q·x + b·s (additive), spikes at the given steps.</summary>
    private static double Iterate(double q, double b, int[] spikeSteps, int readStep, bool nearest = false)
    {
        double x = 0;
        for (int n = 0; n <= readStep; n++)
        {
            x = n == 0 ? 0 : x * q;
            if (spikeSteps.Contains(n))
            {
                x = nearest ? b : x + b;
            }
        }

        return x;
    }

    private static double Read(TraceSpec spec, int[] spikeSteps, int readStep)
    {
        var tr = new SynapticTrace(1, spec);
        foreach (int n in spikeSteps)
        {
            tr.OnSpike(0, n * Step.Ticks);
        }

        return tr.At(0, readStep * Step.Ticks);
    }

    [Fact]
    public void PySnnLinearTraceFollowsItsStepLaw()
    {
        // x ← λ·x + α·s: spikes at steps 1 and 3, read at step 6 → α(λ⁵ + λ³).
        const double lambda = 0.8;
        const double alpha = 0.7;
        double expected = alpha * (Math.Pow(lambda, 5) + Math.Pow(lambda, 3));
        Assert.Equal(expected, Read(TraceSpec.LinearFactor(lambda, Step, alpha), [1, 3], 6), 12);
        Assert.Equal(Iterate(lambda, alpha, [1, 3], 6), Read(TraceSpec.LinearFactor(lambda, Step, alpha), [1, 3], 6), 12);
    }

    [Fact]
    public void PySnnExponentialEulerTraceFollowsItsStepLaw()
    {
        // x ← x + (dt/τ)(−x + α·s), τ = 4 ms, dt = 1 ms: factor 0.75, amplitude α/4.
        const double tau = 4;
        const double alpha = 2;
        double x = 0;
        int[] spikes = [2, 3, 7];
        for (int n = 1; n <= 9; n++)
        {
            x += 1.0 / tau * (-x + (alpha * (spikes.Contains(n) ? 1 : 0)));
        }

        Assert.Equal(x, Read(TraceSpec.ExponentialEuler(tau, Step, alpha), spikes, 9), 12);
    }

    [Fact]
    public void SnnTorchTraceFollowsItsStepLaw()
    {
        // x ← x − x/τ + s with τ = 5 steps.
        const double tau = 5;
        double x = 0;
        int[] spikes = [1, 2, 6];
        for (int n = 1; n <= 8; n++)
        {
            x = x - (x / tau) + (spikes.Contains(n) ? 1 : 0);
        }

        Assert.Equal(x, Read(TraceSpec.SnnTorch(tau, Step), spikes, 8), 12);
    }

    [Fact]
    public void MatterhornTraceWeighsAPairByItsKernel()
    {
        // A pair Δt steps apart weighs (1/τ)^{Δt−1}.
        const double tau = 3;
        for (int dt = 1; dt <= 5; dt++)
        {
            Assert.Equal(Math.Pow(1 / tau, dt - 1), Read(TraceSpec.Matterhorn(tau, Step), [2], 2 + dt), 12);
        }
    }

    [Fact]
    public void NearestTraceKeepsOnlyTheLastSpike()
    {
        TraceSpec spec = TraceSpec.Exponential(10, TraceMode.Nearest);
        Assert.Equal(Math.Exp(-0.3), Read(spec, [0, 2], 5), 12);
        Assert.Equal(Math.Exp(-0.3) + Math.Exp(-0.5), Read(TraceSpec.Exponential(10), [0, 2], 5), 12);
    }

    [Fact]
    public void TraceReadBeforeItsOwnSpikeExcludesIt()
    {
        var tr = new SynapticTrace(1, TraceSpec.Exponential(10));
        tr.OnSpike(0, 0);
        tr.OnSpike(0, Units.Ms(10));
        Assert.Equal(Math.Exp(-1), tr.AtBefore(0, Units.Ms(10)), 12);
        Assert.Equal(Math.Exp(-1) + 1, tr.At(0, Units.Ms(10)), 12);
        Assert.True(tr.SpikedAt(0, Units.Ms(10)));
    }

    [Theory]
    [InlineData(TraceDecay.LinearFactor, 0, 1.5)]
    [InlineData(TraceDecay.SnnTorch, 1, 0)]
    [InlineData(TraceDecay.Exponential, -2, 0)]
    [InlineData(TraceDecay.ExponentialEuler, 0.05, 0)]
    public void BadTracesAreRejectedNamingTheField(TraceDecay decay, double tau, double factor)
    {
        var spec = new TraceSpec(decay, tau, factor, Step);
        var ex = Assert.Throws<NetworkValidationException>(() => PairHarness.Network(new StdpSpec(0.1, 0.1, 10, 10, 0, 1) { PreTrace = spec }, [1_000_000], [2_000_000], 0.5f));
        Assert.Contains("stdp.pre_trace", ex.Message);
    }
}

public class PairRuleTests
{
    private const double APlus = 0.02;
    private const double AMinus = 0.03;

    [Fact]
    public void MultiplicativeDepressionScalesWithTheWeight()
    {
        const float w0 = 0.6f;
        var rule = new StdpSpec(APlus, AMinus, 20, 20, 0.1, 1) { Dependence = WeightDependence.Multiplicative };
        double ltd = PairHarness.Weight(PairHarness.Run(rule, [Units.Ms(15)], [Units.Ms(5)], w0));
        Assert.Equal(w0 - (AMinus * (w0 - 0.1) * Math.Exp(-10.0 / 20)), ltd, 6);
        double ltp = PairHarness.Weight(PairHarness.Run(rule, [Units.Ms(5)], [Units.Ms(15)], w0));
        Assert.Equal(w0 + (APlus * Math.Exp(-10.0 / 20)), ltp, 6);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    public void SoftBoundsScaleByTheDistanceToTheBound(double mu)
    {
        const float w0 = 0.7f;
        var rule = new StdpSpec(APlus, AMinus, 20, 30, 0, 1) { Dependence = WeightDependence.SoftBounds, Mu = mu };
        double ltp = PairHarness.Weight(PairHarness.Run(rule, [Units.Ms(5)], [Units.Ms(12)], w0));
        Assert.Equal(w0 + (APlus * Math.Pow(1 - w0, mu) * Math.Exp(-7.0 / 20)), ltp, 6);
        double ltd = PairHarness.Weight(PairHarness.Run(rule, [Units.Ms(12)], [Units.Ms(5)], w0));
        Assert.Equal(w0 - (AMinus * Math.Pow(w0, mu) * Math.Exp(-7.0 / 30)), ltd, 6);
    }

    [Fact]
    public void SoftBoundsNeverLeaveTheRangeUnderRepeatedPotentiation()
    {
        var rule = new StdpSpec(0.5, 0, 20, 20, 0, 1) { Dependence = WeightDependence.SoftBounds };
        long[] pre = [.. Enumerable.Range(0, 20).Select(k => Units.Ms(5 + (10 * k)))];
        long[] post = [.. pre.Select(t => t + Units.Ms(1))];
        double w = PairHarness.Weight(PairHarness.Run(rule, pre, post, 0.1f));
        Assert.InRange(w, 0.9, 1.0);
    }

    [Fact]
    public void SameTickPairingFollowsTheChosenConvention()
    {
        long t = Units.Ms(10);
        const float w0 = 0.5f;
        var exclude = new StdpSpec(APlus, AMinus, 20, 20, 0, 1) { SameTick = SameTickPairing.Exclude };
        Assert.Equal(w0, PairHarness.Weight(PairHarness.Run(exclude, [t], [t], w0)), 6);
        var include = new StdpSpec(APlus, AMinus, 20, 20, 0, 1) { SameTick = SameTickPairing.Include };
        Assert.Equal(w0 + APlus - AMinus, PairHarness.Weight(PairHarness.Run(include, [t], [t], w0)), 6);

        // In processing order the pre source (population 0) is processed before the post neuron: potentiation only.
        var order = new StdpSpec(APlus, AMinus, 20, 20, 0, 1);
        Assert.Equal(w0 + APlus, PairHarness.Weight(PairHarness.Run(order, [t], [t], w0)), 6);
    }

    /// <summary>snnTorch's per-step update written from its equations: traces include the step's spikes, Δw = lr·(f(w)·x_pre·s_post − f(w)·x_post·s_pre).</summary>
    private static double SnnTorchReference(int[] preSteps, int[] postSteps, double tauPre, double tauPost, double lr, bool proportional)
    {
        double w = 0.5;
        double xPre = 0;
        double xPost = 0;
        for (int n = 1; n <= 20; n++)
        {
            double sPre = preSteps.Contains(n) ? 1 : 0;
            double sPost = postSteps.Contains(n) ? 1 : 0;
            xPre = xPre - (xPre / tauPre) + sPre;
            xPost = xPost - (xPost / tauPost) + sPost;
            double f = proportional ? w : 1;
            w += lr * ((f * xPre * sPost) - (f * xPost * sPre));
        }

        return w;
    }

    [Theory]
    [InlineData(false, new[] { 3, 5, 9, 14, 15 })]
    [InlineData(true, new[] { 3, 5, 10, 14, 15 })]
    public void SnnTorchLearnerMatchesItsPerStepUpdate(bool proportional, int[] preSteps)
    {
        // With f = 1 even a pre and a post spike in the same step (9) match; with snnTorch's default f(w) = w the weight is
        // updated spike by spike, which equals snnTorch's per-step update when no pre and post spike share a step.
        SimDuration step = SimDuration.FromMilliseconds(1L);
        int[] postSteps = [6, 9, 12, 16];
        var rule = new SnnTorchStdpSpec(4, 6, step, 0.05, -10, 10) { Dependence = proportional ? WeightDependence.Proportional : WeightDependence.Additive };
        double got = PairHarness.Weight(PairHarness.Run(rule, [.. preSteps.Select(n => n * step.Ticks)], [.. postSteps.Select(n => n * step.Ticks)], 0.5f));
        Assert.Equal(SnnTorchReference(preSteps, postSteps, 4, 6, 0.05, proportional), got, 6);
    }

    [Fact]
    public void MatterhornRuleSumsEveryPairWithItsKernel()
    {
        // Reference: Matterhorn's double loop over output and input spikes (steps), pairs in one step do not count.
        SimDuration step = SimDuration.FromMilliseconds(1L);
        const double aPos = 0.05;
        const double aNeg = 0.04;
        const double tauPos = 2;
        const double tauNeg = 3;
        const double lr = 0.5;
        int[] preSteps = [2, 4, 8, 11];
        int[] postSteps = [4, 5, 10];
        double dw = 0;
        foreach (int ti in postSteps)
        {
            foreach (int tj in preSteps)
            {
                int d = ti - tj;
                dw += d > 0 ? aPos * Math.Pow(1 / tauPos, d - 1) : d < 0 ? -aNeg * Math.Pow(1 / tauNeg, -d - 1) : 0;
            }
        }

        var rule = new MatterhornStdpSpec(aPos, tauPos, aNeg, tauNeg, lr, step, -10, 10);
        double got = PairHarness.Weight(PairHarness.Run(rule, [.. preSteps.Select(n => n * step.Ticks)], [.. postSteps.Select(n => n * step.Ticks)], 0.5f));
        Assert.Equal(0.5 + (lr * dw), got, 5);
    }
}

public class TripletRuleTests
{
    [Fact]
    public void PrePostPostTripletMatchesTheHandComputedUpdate()
    {
        // pre at 10 ms, post at 20 and 30 ms (all-to-all): at post 1: r1·A2+ (o2 before = 0); at post 2: r1·(A2+ + A3+·o2(t−ε)).
        TripletStdpSpec s = TripletStdpSpec.VisualCortexAllToAll(-10, 10);
        double r1a = Math.Exp(-10 / s.TauPlusMs);
        double r1b = Math.Exp(-20 / s.TauPlusMs);
        double o2 = Math.Exp(-10 / s.TauYMs);
        double expected = 0.5 + (r1a * s.A2Plus) + (r1b * (s.A2Plus + (s.A3Plus * o2)));
        Assert.Equal(expected, PairHarness.Weight(PairHarness.Run(s, [Units.Ms(10)], [Units.Ms(20), Units.Ms(30)])), 6);
    }

    [Fact]
    public void PostPrePreTripletMatchesTheHandComputedUpdate()
    {
        // post at 10 ms, pre at 15 and 25 ms: depression o1·(A2− + A3−·r2(t−ε)) at each pre spike.
        TripletStdpSpec s = TripletStdpSpec.VisualCortexAllToAll(-10, 10);
        double first = Math.Exp(-5 / s.TauMinusMs) * s.A2Minus;
        double second = Math.Exp(-15 / s.TauMinusMs) * (s.A2Minus + (s.A3Minus * Math.Exp(-10 / s.TauXMs)));
        Assert.Equal(0.5 - first - second, PairHarness.Weight(PairHarness.Run(s, [Units.Ms(15), Units.Ms(25)], [Units.Ms(10)])), 6);
    }

    [Fact]
    public void NearestSpikeTracesResetInsteadOfSumming()
    {
        // Two pre spikes then a post: nearest-spike r1 only remembers the later pre spike.
        TripletStdpSpec s = TripletStdpSpec.VisualCortexNearest(-10, 10);
        double expected = 0.5 + (Math.Exp(-5 / s.TauPlusMs) * s.A2Plus);
        Assert.Equal(expected, PairHarness.Weight(PairHarness.Run(s, [Units.Ms(5), Units.Ms(10)], [Units.Ms(15)])), 9);
    }

    /// <summary>Direct evaluation of the all-to-all triplet model (sums over spikes, no traces).</summary>
    private static double DirectTriplet(TripletStdpSpec s, long[] pre, long[] post)
    {
        double dw = 0;
        foreach (long t in post)
        {
            double r1 = pre.Where(p => p < t).Sum(p => Math.Exp(-(t - p) / (s.TauPlusMs * 1e6)));
            double o2 = post.Where(q => q < t).Sum(q => Math.Exp(-(t - q) / (s.TauYMs * 1e6)));
            dw += r1 * (s.A2Plus + (s.A3Plus * o2));
        }

        foreach (long t in pre)
        {
            double o1 = post.Where(q => q < t).Sum(q => Math.Exp(-(t - q) / (s.TauMinusMs * 1e6)));
            double r2 = pre.Where(p => p < t).Sum(p => Math.Exp(-(t - p) / (s.TauXMs * 1e6)));
            dw -= o1 * (s.A2Minus + (s.A3Minus * r2));
        }

        return dw;
    }

    private static (long[] Pre, long[] Post) Pairings(double rhoHz, double dtMs, int count = 60)
    {
        long period = (long)Math.Round(1e9 / rhoHz);
        long start = Units.Ms(20);
        long[] pre = [.. Enumerable.Range(0, count).Select(k => start + (k * period))];
        long[] post = [.. pre.Select(t => t + Units.Ms(dtMs))];
        return (pre, post);
    }

    [Fact]
    public void PairingFrequencyDependenceReproducesPfisterAndGerstnerFigure()
    {
        // Sjöström et al. (2001) protocol as in Pfister & Gerstner (2006): 60 pairings at frequency ρ with Δt = ±10 ms,
        // minimal all-to-all visual-cortex model. Low frequencies: LTP for pre-post, LTD for post-pre; at high
        // frequencies both orders potentiate, and pre-post LTP grows with ρ.
        TripletStdpSpec s = TripletStdpSpec.VisualCortexAllToAllMinimal(-100, 100);
        double[] rhos = [0.1, 10, 20, 40, 50];
        var plus = new double[rhos.Length];
        var minus = new double[rhos.Length];
        for (int k = 0; k < rhos.Length; k++)
        {
            (long[] pre, long[] post) = Pairings(rhos[k], 10);
            plus[k] = PairHarness.Weight(PairHarness.Run(s, pre, post, 0f)) - 0;
            Assert.Equal(DirectTriplet(s, pre, post), plus[k], 5);
            (pre, post) = Pairings(rhos[k], -10);
            minus[k] = PairHarness.Weight(PairHarness.Run(s, pre, post, 0f));
            Assert.Equal(DirectTriplet(s, pre, post), minus[k], 5);
        }

        Assert.True(Math.Abs(plus[0]) < 1e-6, "pre-post at 0.1 Hz leaves the weight (no LTP at low frequency)");
        Assert.True(minus[0] < -0.1, "post-pre at 0.1 Hz depresses");
        Assert.True(plus[^1] > 0.1, "pre-post at 50 Hz potentiates");
        string all = string.Join(", ", rhos.Select((r, k) => $"{r} Hz: +{plus[k]:G4} / −{minus[k]:G4}"));
        for (int k = 0; k < rhos.Length; k++)
        {
            Assert.True(rhos[k] <= 20 ? minus[k] < 0 : minus[k] > 0, $"post-pre depresses up to 20 Hz and potentiates from 40 Hz: " + all);
            Assert.True(k == 0 || plus[k] > plus[k - 1], $"pre-post LTP grows with frequency: " + all);
        }

        // At 50 Hz the two orders are nearly the same spike train: both potentiate by about as much.
        Assert.True(Math.Abs(plus[^1] - minus[^1]) < 0.1 * plus[^1], all);
    }
}

public class RewardRuleTests
{
    private static readonly TraceSpec Pre = TraceSpec.Exponential(20);
    private static readonly TraceSpec Post = TraceSpec.Exponential(30);

    [Theory]
    [InlineData(0.0)]
    [InlineData(1.0)]
    [InlineData(-2.0)]
    public void MstdpScalesThePairTermsByTheReward(double reward)
    {
        var rule = new MstdpSpec(0.4, 0.6, Pre, Post, 0.1, -10, 10);
        SimulationEngine e = PairHarness.Run(rule, [Units.Ms(5), Units.Ms(40)], [Units.Ms(12)], beforeRun: en => en.SetReward(reward));
        double expected = 0.5 + (0.1 * reward * ((0.4 * Math.Exp(-7.0 / 20)) - (0.6 * Math.Exp(-28.0 / 30))));
        Assert.Equal(expected, PairHarness.Weight(e), 6);
    }

    [Fact]
    public void MstdpetIntegratesTheEligibilityUnderAPiecewiseConstantReward()
    {
        // pre at 5 ms, post at 12 ms: e jumps by a_pre·e^{−7/20} at 12 ms and decays with τe; reward r₁ from 0 to 30 ms,
        // r₂ from 30 ms on; dw/dt = (lr/dt)·r·e.
        SimDuration step = SimDuration.FromMilliseconds(1L);
        const double decay = 0.9;
        const double lr = 0.02;
        const double aPre = 0.5;
        var rule = new MstdpetSpec(aPre, 0.3, Pre, Post, lr, decay, step, -10, 10);
        double tauE = -1 / Math.Log(decay); // ms
        double e0 = aPre * Math.Exp(-7.0 / 20);
        const double r1 = 1.5;
        const double r2 = -0.5;
        double segment1 = r1 * e0 * tauE * (1 - Math.Exp(-18 / tauE));
        double e30 = e0 * Math.Exp(-18 / tauE);
        double segment2 = r2 * e30 * tauE * (1 - Math.Exp(-20 / tauE));
        double expected = 0.5 + ((lr / 1.0) * (segment1 + segment2));

        NetworkSpec net = PairHarness.Network(rule, [Units.Ms(5)], [Units.Ms(12)], 0.5f);
        foreach (bool clock in (bool[])[false, true])
        {
            using SimulationEngine e = clock ? TestEngines.Clock(net) : TestEngines.Event(net);
            e.SetReward(r1);
            e.RunUntil(SimTime.FromMilliseconds(30L));
            e.SetReward(r2);
            e.RunUntil(SimTime.FromMilliseconds(50L));
            Assert.Equal(expected, PairHarness.Weight(e), 5);
        }
    }

    [Fact]
    public void RewardOnAProjectionWithoutARewardRuleIsRejected()
    {
        NetworkSpec net = PairHarness.Network(new StdpSpec(0.1, 0.1, 10, 10, 0, 1), [Units.Ms(1)], [Units.Ms(2)], 0.5f);
        using SimulationEngine e = TestEngines.Event(net);
        Assert.Contains("no reward-modulated", Assert.Throws<ArgumentException>(() => e.SetReward("plastic", 1)).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => e.GetPlasticity(1)!.SetReward(double.NaN, 0));
    }
}

public class FedeAndStructureTests
{
    [Fact]
    public void FedeStdpFollowsItsEquation()
    {
        // Two pre sources spiking at 2 and 8 ms, post at 10 ms; x̂ = x / max over the post neuron's inputs.
        var rule = new FedeStdpSpec(0.01, 0.5, 0.2, TraceSpec.Exponential(5), 0, 1);
        var net = new NetworkBuilder()
            .AddSpikeSource("pre", [TestTime.Ticks(Units.Ms(2)), TestTime.Ticks(Units.Ms(8))])
            .AddSpikeSource("drive", [TestTime.Ticks(Units.Ms(9))])
            .AddNeurons("post", 1, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromMilliseconds(1L)))
            .Connect("pre", "post", ConnectivitySpec.AllToAll(), c => c.Named("plastic").Weight(0.6).Delay(SimDuration.FromTicks(5)).Plasticity(rule))
            .Build();
        using SimulationEngine e = TestEngines.Event(net);
        e.RunUntil(SimTime.FromMilliseconds(12L));
        double x0 = Math.Exp(-8.0 / 5);
        double x1 = Math.Exp(-2.0 / 5);
        double Expected(double xn)
        {
            double dw = 0.6f - 0.5;
            return 0.6f + (0.01 * ((Math.Exp(-dw) * (Math.Exp(xn) - 0.2)) - (Math.Exp(dw) * (Math.Exp(1 - xn) - 0.2))));
        }

        Assert.Equal(Expected(x0 / x1), e.GetSynapses(1).Weights[0], 6);
        Assert.Equal(Expected(1), e.GetSynapses(1).Weights[1], 6);
    }

    [Fact]
    public void NormalisationScalesEachNeuronsInputsToTheTotal()
    {
        var net = new NetworkBuilder()
            .AddSpikeSource("pre", [.. Enumerable.Range(0, 6).Select(_ => Array.Empty<SimTime>())])
            .AddNeurons("post", 3, NeuronModel.Lif)
            .Connect("pre", "post", ConnectivitySpec.AllToAll(), c => c.WeightUniform(0.1, 0.9, 4).NormalizeWeights(2.5))
            .Build();
        using SimulationEngine e = TestEngines.Event(net);
        var t = e.GetSynapses(0);
        for (int j = 0; j < 3; j++)
        {
            double sum = Enumerable.Range(0, t.SynapseCount).Where(k => t.Targets[k] == j).Sum(k => (double)t.Weights[k]);
            Assert.Equal(2.5, sum, 5);
        }

        t.Weights[0] = 5;
        e.ResetState();
        Assert.Equal(2.5, Enumerable.Range(0, t.SynapseCount).Where(k => t.Targets[k] == t.Targets[0]).Sum(k => (double)t.Weights[k]), 5);
        Assert.Contains("normalize.total", Assert.Throws<NetworkValidationException>(() => new NetworkBuilder()
            .AddNeurons("a", 2, NeuronModel.Lif).Connect("a", "a", ConnectivitySpec.AllToAll(), c => c.NormalizeWeights(0)).Build()).Message);
    }

    [Fact]
    public void LateralInhibitionLetsTheFirstNeuronWin()
    {
        // Neuron 0 is driven slightly earlier than 1 and 2; their inhibition (delay 0.1 ms) arrives before the others cross.
        var net = new NetworkBuilder()
            .AddSpikeSource("drive", [TestTime.Ticks(Units.Ms(1)), TestTime.Ticks(Units.Ms(1) + 50_000), TestTime.Ticks(Units.Ms(1) + 50_000)])
            .AddNeurons("layer", 3, NeuronModel.Lif)
            .Connect("drive", "layer", ConnectivitySpec.OneToOne(), c => c.Weight(20).Delay(SimDuration.FromMicroseconds(100)))
            .LateralInhibition("layer", -30, delay: SimDuration.FromTicks(10_000))
            .Build();
        using SimulationEngine e = TestEngines.Event(net);
        var s = new SpikeList();
        e.AddSpikeMonitor(s);
        e.RunUntil(SimTime.FromMilliseconds(5L));
        Assert.Single(s.TimesOf(1, 0));
        Assert.Empty(s.TimesOf(1, 1));
        Assert.Empty(s.TimesOf(1, 2));
        Assert.Equal("layer:wta", net.Projections[1].Name);
    }

    [Fact]
    public void ConvolutionLearnsItsSharedKernel()
    {
        // 1×3×3 input, one 2×2 kernel, output 1×2×2. Input pixel (1,1) feeds every output through a different kernel entry;
        // output (0,0) and (1,1) spike after it: kernel entries (1,1) and (0,0) potentiate once each.
        const double aPlus = 0.1;
        var rule = new StdpSpec(aPlus, 0, 10, 10, 0, 5);
        float[] kernel = [0.5f, 0.5f, 0.5f, 0.5f];
        var net = new NetworkBuilder()
            .AddSpikeSource("src", [.. Enumerable.Range(0, 9).Select(i => i == 4 ? TestTime.Ticks(Units.Ms(1)) : Array.Empty<SimTime>())])
            .AddNeurons("in", new PopulationShape(1, 3, 3), NeuronModel.Lif)
            .AddSpikeSource("drive", [TestTime.Ticks(Units.Ms(3)), [], [], TestTime.Ticks(Units.Ms(3))])
            .AddNeurons("out", new PopulationShape(1, 2, 2), NeuronModel.Lif)
            .Connect("src", "in", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromMilliseconds(1L)))
            .Connect("drive", "out", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromMilliseconds(1L)))
            .Connect("in", "out", ConnectivitySpec.Conv2D(kernel, 1, 1, 2, 2), c => c.Named("conv").Delay(SimDuration.FromTicks(5)).Plasticity(rule))
            .Build();
        foreach (bool clock in (bool[])[false, true])
        {
            using SimulationEngine e = clock ? TestEngines.Clock(net) : TestEngines.Event(net);
            e.RunUntil(SimTime.FromMilliseconds(6L));
            float[] k = e.GetPlasticity(2)!.Weights;
            float up = (float)(0.5 + (aPlus * Math.Exp(-0.2)));
            Assert.Equal(up, k[3], 6); // output (0,0) sees pixel (1,1) through entry (1,1)
            Assert.Equal(up, k[0], 6); // output (1,1) sees it through entry (0,0)
            Assert.Equal(0.5f, k[1]);
            Assert.Equal(0.5f, k[2]);
            var table = e.GetSynapses(2);
            for (int s = 0; s < table.SynapseCount; s++)
            {
                Assert.Equal(k[table.KernelIndex![s]], table.Weights[s]);
            }
        }
    }

    [Fact]
    public void RulesThatCannotShareAKernelAreRejectedOnConvolutions()
    {
        var rule = new FedeStdpSpec(0.01, 0.5, 0.2, TraceSpec.Exponential(5), 0, 1);
        var ex = Assert.Throws<NetworkValidationException>(() => new NetworkBuilder()
            .AddNeurons("in", new PopulationShape(1, 3, 3), NeuronModel.Lif)
            .AddNeurons("out", new PopulationShape(1, 2, 2), NeuronModel.Lif)
            .Connect("in", "out", ConnectivitySpec.Conv2D([1, 1, 1, 1], 1, 1, 2, 2), c => c.Plasticity(rule))
            .Build());
        Assert.Contains("fede_stdp", ex.Message);
    }
}

public class PlasticityAcrossExecutionsTests
{
    public static TheoryData<string> Rules => ["pair", "soft", "triplet", "snntorch", "mstdp", "mstdpet"];

    private static PlasticitySpec Rule(string name)
    {
        SimDuration step = SimDuration.FromMilliseconds(1L);
        return name switch
        {
            "pair" => new StdpSpec(0.02, 0.025, 15, 25, -5, 5),
            "soft" => new StdpSpec(0.02, 0.025, 15, 25, 0, 2) { Dependence = WeightDependence.SoftBounds },
            "triplet" => TripletStdpSpec.VisualCortexAllToAll(-5, 5),
            "snntorch" => new SnnTorchStdpSpec(4, 6, step, 0.05, -5, 5),
            "mstdp" => new MstdpSpec(0.5, 0.4, TraceSpec.Exponential(15), TraceSpec.Exponential(25), 0.1, -5, 5),
            _ => new MstdpetSpec(0.5, 0.4, TraceSpec.Exponential(15), TraceSpec.Exponential(25), 0.05, 0.9, step, -5, 5),
        };
    }

    [Theory]
    [MemberData(nameof(Rules))]
    public void EventAndClockGiveTheSameWeightsOnGridAlignedInput(string name)
    {
        // Pre spikes on even ms, post spikes (driven) on odd ms: every spike is on the 0.1 ms grid in both executions.
        var rng = new Random(5);
        const int pres = 6;
        const int posts = 3;
        SimTime[][] preTimes = [.. Enumerable.Range(0, pres).Select(_ => Enumerable.Range(1, 30).Where(_ => rng.NextDouble() < 0.3).Select(k => SimTime.FromMilliseconds(2L * k)).ToArray())];
        SimTime[][] driveTimes = [.. Enumerable.Range(0, posts).Select(_ => Enumerable.Range(1, 30).Where(_ => rng.NextDouble() < 0.3).Select(k => SimTime.FromMilliseconds((2L * k) + 1 - 1)).ToArray())];
        var net = new NetworkBuilder()
            .AddSpikeSource("pre", preTimes)
            .AddSpikeSource("drive", driveTimes)
            .AddNeurons("post", posts, NeuronModel.Lif)
            .Connect("drive", "post", ConnectivitySpec.OneToOne(), c => c.Weight(40).Delay(SimDuration.FromMilliseconds(1L)))
            .Connect("pre", "post", ConnectivitySpec.FixedProbability(0.7, 3), c => c.Named("plastic").WeightUniform(0.2, 0.8, 9).Delay(SimDuration.FromMicroseconds(300)).Plasticity(Rule(name)))
            .Build();
        using SimulationEngine ev = TestEngines.Event(net);
        using SimulationEngine ck = TestEngines.Clock(net);
        foreach (SimulationEngine e in (SimulationEngine[])[ev, ck])
        {
            e.SetReward(0.7);
            e.RunUntil(SimTime.FromMilliseconds(30L));
            e.SetReward(-0.4);
            e.RunUntil(SimTime.FromMilliseconds(70L));
        }

        float[] a = ev.GetSynapses(1).Weights;
        float[] b = ck.GetSynapses(1).Weights;
        for (int k = 0; k < a.Length; k++)
        {
            Assert.Equal(a[k], b[k], 5);
        }

        using var fresh = new SimulationEngine(net);
        float[] initial = fresh.GetSynapses(1).Weights;
        Assert.True(a.Zip(initial).Count(p => Math.Abs(p.First - p.Second) > 1e-6) > a.Length / 3, $"{name} changed most weights");
    }

    [Fact]
    public void SaveRestoreKeepsRuleState()
    {
        PlasticitySpec rule = Rule("mstdpet");
        NetworkSpec net = PairHarness.Network(rule, [Units.Ms(5), Units.Ms(25)], [Units.Ms(12), Units.Ms(30)], 0.5f);
        using SimulationEngine a = TestEngines.Event(net);
        a.SetReward(1);
        a.RunUntil(SimTime.FromMilliseconds(20L));
        using var ms = new MemoryStream();
        a.Save(ms);
        a.RunUntil(SimTime.FromMilliseconds(60L));
        using SimulationEngine b = TestEngines.Event(net);
        ms.Position = 0;
        b.Restore(ms);
        b.RunUntil(SimTime.FromMilliseconds(60L));
        Assert.Equal(a.GetSynapses(1).Weights[0], b.GetSynapses(1).Weights[0]);
        Assert.NotEqual(0.5f, a.GetSynapses(1).Weights[0]);
    }
}
