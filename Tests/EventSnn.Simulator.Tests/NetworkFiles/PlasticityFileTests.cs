using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>
/// Every rule of the plasticity family, weight normalisation, lateral inhibition and the reward input are expressible in
/// a network file: the file gives the same spec as the builder (round trip), and broken files name file, path and problem.
/// </summary>
public sealed class PlasticityFileTests
{
    private const string Pops = """
        "populations": [
          { "name": "in", "kind": "spike_source", "spike_times_ms": [[1], [2], [3]] },
          { "name": "out", "model": "lif", "size": 2 },
          { "name": "g", "model": "coba_lif", "size": 3 }
        ]
        """;

    private static NetworkFile WithProjection(string plasticity, string extra = "")
        => Parse($$$"""{ {{{Pops}}}, "projections": [{ "name": "p", "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "plasticity": {{{plasticity}}} {{{extra}}} }] }""");

    /// <summary>The same network built in code with <paramref name="configure"/> on the projection.</summary>
    private static ProjectionSpec Built(Action<ProjectionOptions> configure)
        => new NetworkBuilder()
            .AddSpikeSource("in", [[SimTime.FromMilliseconds(1L)], [SimTime.FromMilliseconds(2L)], [SimTime.FromMilliseconds(3L)]])
            .AddNeurons("out", 2, NeuronModel.Lif)
            .AddNeurons("g", 3, NeuronModel.CobaLif)
            .Connect("in", "out", ConnectivitySpec.AllToAll(), c => configure(c.Named("p")))
            .Build()
            .Projection("p");

    private static void AssertSameProjection(ProjectionSpec built, ProjectionSpec loaded)
    {
        Assert.Equal(built.Name, loaded.Name);
        Assert.Equal((built.Pre, built.Post, built.Receptor), (loaded.Pre, loaded.Post, loaded.Receptor));
        if (built.Connectivity is Conv2DConnectivity bc && loaded.Connectivity is Conv2DConnectivity lc)
        {
            Assert.Equal([.. bc.Kernel], [.. lc.Kernel]);
            Assert.Equal(bc with { Kernel = [] }, lc with { Kernel = [] });
        }
        else
        {
            Assert.Equal(built.Connectivity, loaded.Connectivity);
        }

        Assert.Equal(built.Weight, loaded.Weight);
        Assert.Equal(built.Delay, loaded.Delay);
        Assert.Equal(built.Plasticity, loaded.Plasticity);
        Assert.Equal(built.Normalization, loaded.Normalization);
    }

    public static TheoryData<string, string, PlasticitySpec> Rules => new()
    {
        {
            "pair, soft bounds, explicit traces",
            """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.012, "w_min": 0, "w_max": 2, "weight_dependence": "soft_bounds", "mu": 0.5, "same_tick": "include", "pre_trace": { "decay": "linear_factor", "factor": 0.75, "step_us": 500, "alpha": 2, "mode": "nearest" }, "post_trace": { "decay": "exponential", "tau_ms": 30 } }""",
            new StdpSpec(0.01, 0.012, 1, 1, 0, 2)
            {
                Dependence = WeightDependence.SoftBounds,
                Mu = 0.5,
                SameTick = SameTickPairing.Include,
                PreTrace = TraceSpec.LinearFactor(0.75, SimDuration.FromMicroseconds(500), 2, TraceMode.Nearest),
                PostTrace = TraceSpec.Exponential(30),
            }
        },
        {
            "pair, multiplicative",
            """{ "rule": "stdp_pair", "a_plus": 0.02, "a_minus": 0.01, "tau_plus_ms": 17, "tau_minus_s": 0.034, "w_min": -1, "w_max": 1, "weight_dependence": "multiplicative", "same_tick": "exclude" }""",
            new StdpSpec(0.02, 0.01, 17, 34, -1, 1) { Dependence = WeightDependence.Multiplicative, SameTick = SameTickPairing.Exclude }
        },
        {
            "pair, proportional, Euler trace",
            """{ "rule": "stdp_pair", "a_plus": 0.02, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "weight_dependence": "proportional", "pre_trace": { "decay": "exponential_euler", "tau_ms": 5, "step_ms": 1, "alpha": 0.5 } }""",
            new StdpSpec(0.02, 0.01, 1, 20, 0, 1) { Dependence = WeightDependence.Proportional, PreTrace = TraceSpec.ExponentialEuler(5, SimDuration.FromMilliseconds(1L), 0.5) }
        },
        {
            "triplet (Diehl & Cook)",
            """{ "rule": "stdp_triplet", "a2_plus": 0, "a3_plus": 0.01, "a2_minus": 0.0001, "a3_minus": 0, "tau_plus_ms": 20, "tau_minus_ms": 20, "tau_x_ms": 20, "tau_y_ms": 40, "w_min": 0, "w_max": 1, "trace": "nearest" }""",
            TripletStdpSpec.DiehlCook2015()
        },
        {
            "triplet (visual cortex, all to all)",
            """{ "rule": "stdp_triplet", "a2_plus": 5e-10, "a3_plus": 6.2e-3, "a2_minus": 7e-3, "a3_minus": 2.3e-4, "tau_plus_ms": 16.8, "tau_minus_ms": 33.7, "tau_x_ms": 101, "tau_y_ms": 125, "w_min": 0, "w_max": 1 }""",
            TripletStdpSpec.VisualCortexAllToAll()
        },
        {
            "mstdp",
            """{ "rule": "mstdp", "a_pre": 1, "a_post": 0.5, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "snntorch", "tau_steps": 4, "step_ms": 1 }, "post_trace": { "decay": "matterhorn", "tau_steps": 2, "step_ms": 1, "alpha": 3 } }""",
            new MstdpSpec(1, 0.5, TraceSpec.SnnTorch(4, SimDuration.FromMilliseconds(1L)), TraceSpec.Matterhorn(2, SimDuration.FromMilliseconds(1L)) with { Alpha = 3 }, 0.1, 0, 3)
        },
        {
            "mstdpet",
            """{ "rule": "mstdpet", "a_pre": 1, "a_post": 1, "lr": 0.01, "e_trace_decay": 0.8, "step_ms": 1, "w_min": -2, "w_max": 2, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20, "mode": "nearest" } }""",
            new MstdpetSpec(1, 1, TraceSpec.Exponential(20), TraceSpec.Exponential(20, TraceMode.Nearest), 0.01, 0.8, SimDuration.FromMilliseconds(1L), -2, 2)
        },
        {
            "fede_stdp",
            """{ "rule": "fede_stdp", "lr": 0.0001, "w_init": 0.5, "a": 0.25, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential", "tau_ms": 5 } }""",
            new FedeStdpSpec(0.0001, 0.5, 0.25, TraceSpec.Exponential(5), 0, 1)
        },
        {
            "stdp_snntorch",
            """{ "rule": "stdp_snntorch", "tau_pre_steps": 2, "tau_post_steps": 5, "step_us": 100, "lr": 0.1, "w_min": -10, "w_max": 10 }""",
            new SnnTorchStdpSpec(2, 5, SimDuration.FromMicroseconds(100), 0.1, -10, 10)
        },
        {
            "stdp_snntorch, additive",
            """{ "rule": "stdp_snntorch", "tau_pre_steps": 2, "tau_post_steps": 5, "step_ms": 1, "lr": 0.1, "w_min": -10, "w_max": 10, "weight_dependence": "additive" }""",
            new SnnTorchStdpSpec(2, 5, SimDuration.FromMilliseconds(1L), 0.1, -10, 10) { Dependence = WeightDependence.Additive }
        },
        {
            "stdp_matterhorn",
            """{ "rule": "stdp_matterhorn", "a_pos": 0.015, "tau_pos_steps": 2, "a_neg": 0.02, "tau_neg_steps": 3, "lr": 0.5, "step_ms": 1, "w_min": 0, "w_max": 1 }""",
            new MatterhornStdpSpec(0.015, 2, 0.02, 3, 0.5, SimDuration.FromMilliseconds(1L), 0, 1)
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void EveryRuleInAFileGivesTheSpecTheBuilderGives(string what, string json, PlasticitySpec rule)
    {
        ProjectionSpec loaded = WithProjection(json).Network.Projection("p");
        AssertSameProjection(Built(c => c.Plasticity(rule)), loaded);
        Assert.True(loaded.Plasticity is not null, what);
    }

    [Fact]
    public void EveryRuleNameIsCoveredByTheRoundTrip()
    {
        string[] names = [.. Rules.Select(r => ((PlasticitySpec)r[2]).Rule).Distinct().Order(StringComparer.Ordinal)];
        Assert.Equal(["fede_stdp", "mstdp", "mstdpet", "stdp_matterhorn", "stdp_pair", "stdp_snntorch", "stdp_triplet"], names);
    }

    [Fact]
    public void WeightNormalisationAndPlasticConvolutionsRoundTrip()
    {
        ProjectionSpec norm = WithProjection("""{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": 0, "w_max": 1 }""", """, "normalize_weights": 78""").Network.Projection("p");
        AssertSameProjection(Built(c => c.Plasticity(new StdpSpec(0.01, 0.01, 20, 20, 0, 1)).NormalizeWeights(78)), norm);

        // A plastic convolution: the rule updates the shared kernel.
        NetworkFile conv = Parse("""
            { "populations": [ { "name": "in", "kind": "external", "shape": [1, 4, 4] }, { "name": "map", "model": "lif", "shape": [1, 3, 3] } ],
              "projections": [ { "name": "c", "pre": "in", "post": "map", "connectivity": { "rule": "conv2d", "kernel": [[[[1, 2], [3, 4]]]] },
                "plasticity": { "rule": "stdp_triplet", "a2_plus": 0, "a3_plus": 0.01, "a2_minus": 0.0001, "a3_minus": 0, "tau_plus_ms": 20, "tau_minus_ms": 20, "tau_x_ms": 20, "tau_y_ms": 40, "w_min": 0, "w_max": 1, "trace": "nearest" } } ] }
            """);
        ProjectionSpec built = new NetworkBuilder()
            .AddExternalInput("in", new PopulationShape(1, 4, 4))
            .AddNeurons("map", new PopulationShape(1, 3, 3), NeuronModel.Lif)
            .Connect("in", "map", ConnectivitySpec.Conv2D([1f, 2f, 3f, 4f], 1, 1, 2, 2), c => c.Named("c").Plasticity(TripletStdpSpec.DiehlCook2015()))
            .Build()
            .Projection("c");
        AssertSameProjection(built, conv.Network.Projection("c"));
    }

    [Fact]
    public void LateralInhibitionIsTheBuildersWinnerTakeAllProjection()
    {
        NetworkFile f = Parse($$$"""{ {{{Pops}}}, "lateral_inhibition": [ { "population": "out", "weight": -3, "delay_us": 500 }, { "population": "g", "weight": 2, "receptor": "i" } ] }""");
        NetworkSpec built = new NetworkBuilder()
            .AddSpikeSource("in", [[SimTime.FromMilliseconds(1L)], [SimTime.FromMilliseconds(2L)], [SimTime.FromMilliseconds(3L)]])
            .AddNeurons("out", 2, NeuronModel.Lif)
            .AddNeurons("g", 3, NeuronModel.CobaLif)
            .LateralInhibition("out", -3, delay: SimDuration.FromMicroseconds(500))
            .LateralInhibition("g", 2, "i")
            .Build();
        Assert.Equal(built.Projections.Length, f.Network.Projections.Length);
        AssertSameProjection(built.Projection("out:wta"), f.Network.Projection("out:wta"));
        AssertSameProjection(built.Projection("g:wta"), f.Network.Projection("g:wta"));
    }

    [Fact]
    public void RewardsAreReadInTimeOrderWithTheirProjection()
    {
        NetworkFile f = WithProjection(
            """{ "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } }""");
        Assert.Empty(f.Rewards);
        NetworkFile r = Parse($$$"""
            { {{{Pops}}},
              "projections": [{ "name": "p", "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "plasticity": { "rule": "mstdpet", "a_pre": 1, "a_post": 1, "lr": 0.01, "e_trace_decay": 0.8, "step_ms": 1, "w_min": -2, "w_max": 2, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } } }],
              "rewards": [ { "at_ms": 0, "value": 1 }, { "at_us": 1500, "value": -0.5, "projection": "p" }, { "at_ms": 1.5, "value": 2 } ] }
            """);
        Assert.Equal(
            [new RewardInput(SimTime.Zero, 1, null), new RewardInput(SimTime.FromMicroseconds(1500), -0.5, "p"), new RewardInput(SimTime.FromMicroseconds(1500), 2, null)],
            [.. r.Rewards]);
    }

    private const string Proj = """"{ "name": "p", "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "plasticity": """";

    public static TheoryData<string, string, string> Broken => new()
    {
        { """{ "rule": "stdp_triplet", "a2_plus": 0, "a3_plus": 0.01, "a2_minus": 0.0001, "a3_minus": 0, "tau_plus_ms": 20, "tau_minus_ms": 20, "tau_x_ms": 20, "w_min": 0, "w_max": 1 }""", "$.projections[0].plasticity", "missing key 'tau_y_ms'" },
        { """{ "rule": "stdp_triplet", "a2_plus": -1, "a3_plus": 0.01, "a2_minus": 0.0001, "a3_minus": 0, "tau_plus_ms": 20, "tau_minus_ms": 20, "tau_x_ms": 20, "tau_y_ms": 40, "w_min": 0, "w_max": 1 }""", "$.projections[0].plasticity.a2_plus", "must be ≥ 0 (got -1)" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "weight_dependence": "hard" }""", "$.projections[0].plasticity.weight_dependence", "unknown weight dependence 'hard'" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "same_tick": "both" }""", "$.projections[0].plasticity.same_tick", "unknown same-tick pairing 'both'" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential", "tau_ms": 5 } }""", "$.projections[0].plasticity.tau_plus_ms", "give either 'tau_plus_ms' or 'pre_trace', not both" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1 }""", "$.projections[0].plasticity", "missing key 'tau_plus_ms'" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "cosine" } }""", "$.projections[0].plasticity.pre_trace.decay", "unknown trace decay 'cosine'" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "linear_factor", "factor": 1.5, "step_ms": 1 } }""", "$.projections[0].plasticity.pre_trace.factor", "must be in (0, 1] (got 1.5)" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential_euler", "tau_ms": 1, "step_ms": 1 } }""", "$.projections[0].plasticity.pre_trace.tau_ms", "must be longer than the step" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential", "tau_ms": 20, "step_ms": 1 } }""", "$.projections[0].plasticity.pre_trace.step_ms", "not used by a 'exponential' trace" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "snntorch", "tau_steps": 1, "step_ms": 1 } }""", "$.projections[0].plasticity.pre_trace.tau_steps", "must be > 1 step (got 1)" },
        { """{ "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_minus_ms": 20, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "snntorch", "tau_steps": 3, "step_ms": 0 } }""", "$.projections[0].plasticity.pre_trace.step_ms", "must be ≥ 1 tick" },
        { """{ "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 } }""", "$.projections[0].plasticity", "missing key 'post_trace'" },
        { """{ "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20, "tau_steps": 4 } }""", "$.projections[0].plasticity.post_trace.tau_steps", "not used by a 'exponential' trace" },
        { """{ "rule": "mstdpet", "a_pre": 1, "a_post": 1, "lr": 0.1, "e_trace_decay": 1, "step_ms": 1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } }""", "$.projections[0].plasticity.e_trace_decay", "must be in (0, 1) (got 1)" },
        { """{ "rule": "mstdpet", "a_pre": 1, "a_post": 1, "lr": 0.1, "e_trace_decay": 0.5, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } }""", "$.projections[0].plasticity", "missing key 'step_ms'" },
        { """{ "rule": "fede_stdp", "lr": 0, "w_init": 0.5, "a": 0, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential", "tau_ms": 5 } }""", "$.projections[0].plasticity.lr", "must be > 0 (got 0)" },
        { """{ "rule": "fede_stdp", "lr": 0.1, "w_init": 0.5, "a": 2, "w_min": 0, "w_max": 1, "pre_trace": { "decay": "exponential", "tau_ms": 5 } }""", "$.projections[0].plasticity.a", "must be in [0, 1] (got 2)" },
        { """{ "rule": "stdp_snntorch", "tau_pre_steps": 2, "tau_post_steps": 5, "step_ms": 1, "lr": 0.1, "w_min": 0, "w_max": 1, "weight_dependence": "soft_bounds" }""", "$.projections[0].plasticity.weight_dependence", "must be proportional or additive for stdp_snntorch" },
        { """{ "rule": "stdp_snntorch", "tau_pre_steps": 2, "tau_post_steps": 5, "step_ms": 1, "lr": 0.1, "w_min": 0, "w_max": 1, "tau_ms": 5 }""", "$.projections[0].plasticity.tau_ms", "unknown key 'tau_ms'" },
        { """{ "rule": "stdp_matterhorn", "a_pos": 0.01, "tau_pos_steps": 0.5, "a_neg": 0.01, "tau_neg_steps": 2, "lr": 1, "step_ms": 1, "w_min": 0, "w_max": 1 }""", "$.projections[0].plasticity.tau_pos_steps", "must be > 1 step (got 0.5)" },
        { """{ "rule": "stdp_matterhorn", "a_pos": 0.01, "tau_pos_steps": 2, "a_neg": 0.01, "tau_neg_steps": 2, "lr": 1, "step_ms": 1, "w_min": 1, "w_max": 0 }""", "$.projections[0].plasticity.w_max", "must be ≥ w_min (got 0 < 1)" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenRulesNameFilePathAndProblem(string plasticity, string path, string problem)
    {
        NetworkFileException ex = Fails($$$"""{ {{{Pops}}}, "projections": [{{{Proj}}} {{{plasticity}}} }] }""");
        Assert.Equal(path, ex.JsonPath);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> BrokenNetwork => new()
    {
        { """, "projections": [{ "pre": "in", "post": "g", "connectivity": { "rule": "all_to_all" }, "plasticity": { "rule": "stdp_pair", "a_plus": 0.01, "a_minus": 0.01, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": -1, "w_max": 1 } }]""", "$.projections[0].plasticity.w_min", "must be ≥ 0 for a conductance model" },
        { """, "projections": [{ "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "normalize_weights": 0 }]""", "$.projections[0].normalize_weights", "must be > 0 (got 0)" },
        { """, "lateral_inhibition": [{ "population": "in", "weight": -1 }]""", "$.lateral_inhibition[0].population", "lateral inhibition needs model neurons" },
        { """, "lateral_inhibition": [{ "population": "g", "weight": -1 }]""", "$.lateral_inhibition[0].weight", "must be ≥ 0 for conductance model 'coba_lif'" },
        { """, "lateral_inhibition": [{ "population": "g", "weight": 1, "receptor": "x" }]""", "$.lateral_inhibition[0].receptor", "'x' is not a receptor of model 'coba_lif'" },
        { """, "lateral_inhibition": [{ "population": "out", "weight": -1 }, { "population": "out", "weight": -2 }]""", "$.lateral_inhibition[1].population", "already has lateral inhibition" },
        { """, "lateral_inhibition": [{ "population": "out", "weight": -1, "delay_ms": 0 }]""", "$.lateral_inhibition[0].delay_ms", "must be ≥ 1 tick" },
        { """, "rewards": [{ "at_ms": 1, "value": 1 }]""", "$.rewards[0]", "no projection has a reward-modulated rule" },
        { """, "projections": [{ "name": "p", "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" } }], "rewards": [{ "at_ms": 1, "value": 1, "projection": "p" }]""", "$.rewards[0].projection", "projection 'p' has no reward-modulated rule" },
        { """, "projections": [{ "name": "p", "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" } }], "rewards": [{ "at_ms": 1, "value": 1, "projection": "q" }]""", "$.rewards[0].projection", "names unknown projection 'q' (projections: p)" },
        { """, "rewards": [{ "value": 1 }]""", "$.rewards[0]", "missing key 'at_ms'" },
        { """, "projections": [{ "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "plasticity": { "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } } }], "rewards": [{ "at_ms": 2, "value": 1 }, { "at_ms": 1, "value": 0 }]""", "$.rewards[1]", "rewards must be listed in time order" },
        { """, "projections": [{ "pre": "in", "post": "out", "connectivity": { "rule": "all_to_all" }, "plasticity": { "rule": "mstdp", "a_pre": 1, "a_post": 1, "lr": 0.1, "w_min": 0, "w_max": 3, "pre_trace": { "decay": "exponential", "tau_ms": 20 }, "post_trace": { "decay": "exponential", "tau_ms": 20 } } }], "rewards": [{ "at_ms": -1, "value": 1 }]""", "$.rewards[0].at_ms", "must be ≥ 0" },
    };

    [Theory]
    [MemberData(nameof(BrokenNetwork))]
    public void BrokenNetworksNameFilePathAndProblem(string extra, string path, string problem)
    {
        NetworkFileException ex = Fails($$$"""{ {{{Pops}}} {{{extra}}} }""");
        Assert.Equal(path, ex.JsonPath);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
    }
}
