using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;
using static EventSnn.Simulator.Tests.NetworkFiles.NetworkFileTestSupport;

namespace EventSnn.Simulator.Tests.NetworkFiles;

/// <summary>Broken network files: every error is one line naming the file, the JSON path and the problem.</summary>
public sealed class NetworkFileErrorTests
{
    private const string A = """{"name": "a", "model": "lif", "size": 3}""";
    private const string B = """{"name": "b", "model": "cuba_lif", "size": 4}""";
    private const string G = """{"name": "g", "model": "coba_lif", "size": 4}""";

    public static TheoryData<string, string, string> Broken => new()
    {
        // Not JSON, or not the right JSON.
        { "", "$", "invalid JSON at line 1" },
        { """{"populations": [""", "$", "invalid JSON" },
        { """{"populations": [] } x""", "$", "invalid JSON at line 1, column 22" },
        { "[1, 2]", "$", "expected an object, got an array" },
        { """{"populations": {}}""", "$.populations", "expected an array of populations, got an object" },
        { """{"populations": []}""", "$.populations", "at least one population" },
        { """{"projections": []}""", "$", "missing key 'populations'" },
        { """{"version": 2, "populations": [{"name": "a", "model": "lif", "size": 3}]}""", "$.version", "unsupported version 2" },

        // Unknown keys (typos are never ignored) and duplicate keys, at every level.
        { """{"population": [], "populations": [{"name": "a", "model": "lif", "size": 3}]}""", "$.population", "did you mean 'populations'?" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "modle": "x"}]}""", "$.populations[0].modle", "unknown key 'modle' in a neurons population; did you mean 'model'?" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m": 10}}]}""", "$.populations[0].params.tau_m", "did you mean 'tau_m_ms'?" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_e_ms": 10}}]}""", "$.populations[0].params.tau_e_ms", "unknown key 'tau_e_ms' in the parameters of model 'lif'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "initial": {"v": -60}}]}""", "$.populations[0].initial.v", "did you mean 'v_mV'?" },
        { """{"populations": [{"name": "a", "kind": "poisson", "size": 3, "rate_hz": 1, "seed": 1, "model": "lif"}]}""", "$.populations[0].model", "unknown key 'model' in a poisson population" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "size": 4}]}""", "$.populations[0].size", "duplicate key 'size'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "conectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].conectivity", "did you mean 'connectivity'?" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "fixed_probability", "p": 0.1, "seed": 1, "allowself": true}}]}""", "$.projections[0].connectivity.allowself", "did you mean 'allow_self'?" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}, "weight": {"uniform": [0, 1], "seed": 1, "sed": 2}}]}""", "$.projections[0].weight.sed", "unknown key 'sed'" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "spikes", "population": "a", "interval_ms": 1}]}""", "$.monitors[0].interval_ms", "unknown key 'interval_ms' in a spikes monitor" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "delay": 1, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].delay", "did you mean 'delay_" },

        // Wrong types.
        { """{"populations": [{"name": 3, "model": "lif", "size": 3}]}""", "$.populations[0].name", "expected a non-empty string, got a number (3)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": "3"}]}""", "$.populations[0].size", "expected an integer, got a string (\"3\")" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 2.5}]}""", "$.populations[0].size", "must be an integer in 1..2147483647 (got 2.5)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m_ms": "10"}}]}""", "$.populations[0].params.tau_m_ms", "expected a number, got a string" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m_ms": null}}]}""", "$.populations[0].params.tau_m_ms", "expected a number, got null" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m_ms": 1e999}}]}""", "$.populations[0].params.tau_m_ms", "must be a finite number" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "all_to_all", "allow_self": "no"}}]}""", "$.projections[0].connectivity.allow_self", "expected true or false" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "fixed_probability", "p": 0.1, "seed": -1}}]}""", "$.projections[0].connectivity.seed", "must be an integer in 0..18446744073709551615 (got -1)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": "all"}]}""", "$.projections[0].connectivity", "expected a connectivity object, got a string" },

        // Missing keys.
        { """{"populations": [{"model": "lif", "size": 3}]}""", "$.populations[0]", "missing key 'name'" },
        { """{"populations": [{"name": "a", "size": 3}]}""", "$.populations[0]", "missing key 'model'" },
        { """{"populations": [{"name": "a", "model": "lif"}]}""", "$.populations[0]", "missing key 'size'" },
        { """{"populations": [{"name": "p", "kind": "poisson", "size": 3, "rate_hz": 1}]}""", "$.populations[0]", "missing key 'seed'" },
        { """{"populations": [{"name": "s", "kind": "spike_source"}]}""", "$.populations[0]", "missing key 'spike_times_ms'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "clock"}}]}""", "$.populations[0].execution", "missing key 'dt_ms'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a"}]}""", "$.projections[0]", "missing key 'connectivity'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "fixed_probability", "p": 0.1}}]}""", "$.projections[0].connectivity", "missing key 'seed'" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "state", "population": "a", "variable": "v"}]}""", "$.monitors[0]", "missing key 'interval_ms'" },

        // Values out of range (the problem says what is allowed and what was given).
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m_ms": -3}}]}""", "$.populations[0].params.tau_m_ms", "must be > 0 (got -3)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"t_ref_ms": [1, -1, 2]}}]}""", "$.populations[0].params.t_ref_ms[1]", "must be ≥ 0 (got -1)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"tau_m_ms": [1, 2]}}]}""", "$.populations[0].params.tau_m_ms", "has 2 values, expected 3 (one per neuron)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 0}]}""", "$.populations[0].size", "must be an integer in 1..2147483647 (got 0)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3000000000}]}""", "$.populations[0].size", "must be an integer in 1..2147483647 (got 3000000000)" },
        { """{"populations": [{"name": "a", "model": "lif", "shape": [65536, 65536, 2]}]}""", "$.populations[0].shape", "exceeds 2147483647 neurons" },
        { """{"populations": [{"name": "a", "model": "lif", "shape": [2, 3]}]}""", "$.populations[0].shape", "expected [channels, height, width], got 2 values" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "shape": [1, 1, 3]}]}""", "$.populations[0].shape", "give 'size' or 'shape', not both" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "clock", "dt_ms": 0}}]}""", "$.populations[0].execution.dt_ms", "must be ≥ 1 tick" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "clock", "dt_ms": 1e-7}}]}""", "$.populations[0].execution.dt_ms", "is not a whole number of ticks (1 tick = 1 ns)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "event", "dt_ms": 0.1}}]}""", "$.populations[0].execution.dt_ms", "only clock-driven execution takes a step" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "clock", "dt_ms": 0.1, "dt_us": 100}}]}""", "$.populations[0].execution.dt_us", "give the time once: 'dt_ms' and 'dt_us'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "initial": {"v_mV": {"uniform": [-50, -60], "seed": 1}}}]}""", "$.populations[0].initial.v_mV.uniform", "low must be ≤ high" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "initial": {"v_mV": {"normal": {"mean": -55, "sd": -1}, "seed": 1}}}]}""", "$.populations[0].initial.v_mV.normal.sd", "must be ≥ 0" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "initial": {"v_mV": "low"}}]}""", "$.populations[0].initial.v_mV", "expected a number, an array" },
        { """{"populations": [{"name": "p", "kind": "poisson", "size": 3, "rate_hz": -1, "seed": 1}]}""", "$.populations[0].rate_hz", "must be in 0..1e9 Hz (got -1)" },
        { """{"populations": [{"name": "p", "kind": "poisson", "size": 3, "rate_hz": 1, "seed": 1, "start_ms": 5, "stop_ms": 4}]}""", "$.populations[0].stop_ms", "must be ≥ start" },
        { """{"populations": [{"name": "s", "kind": "spike_source", "spike_times_ms": [[1, 0.5]]}]}""", "$.populations[0].spike_times_ms[0][1]", "must be ascending" },
        { """{"populations": [{"name": "s", "kind": "spike_source", "spike_times_ms": [[-1]]}]}""", "$.populations[0].spike_times_ms[0][0]", "must be ≥ 0" },
        { """{"populations": [{"name": "s", "kind": "spike_source", "size": 2, "spike_times_ms": [[1]]}]}""", "$.populations[0].size", "is 2 but the spike times list 1 sources" },
        { """{"populations": [{"name": "s", "kind": "spike_source", "spike_times_ms": []}]}""", "$.populations[0]", "at least one source" },
        { """{"populations": [{"name": "s", "kind": "spike_source", "size": 16777217, "csv": "x.csv"}]}""", "$.populations[0].size", "must be an integer in 1..16777216 (got 16777217)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 67108865, "initial": {"v_mV": {"normal": {"mean": 0, "sd": 1}, "seed": 1}}}]}""", "$.populations[0].initial.v_mV.normal", "at most 67108864 neurons (this population has 67108865)" },
        { $$$"""{"populations": [{{{A}}}], "duration_s": 0}""", "$.duration_s", "must be > 0" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "fixed_probability", "p": 1.5, "seed": 1}}]}""", "$.projections[0].connectivity.p", "must be in [0, 1] (got 1.5)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "delay_ms": 0, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].delay_ms", "must be ≥ 1 tick (1 ns); delays are positive (got 0)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "delay_ms": -1, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].delay_ms", "delays are positive" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "delay_ms": {"uniform": [3, 1], "seed": 1}, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].delay_ms.uniform", "low must be ≤ high" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "weight": 1e39, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].weight", "outside the float range" },
        { $$$"""{"populations": [{{{G}}}], "projections": [{"pre": "g", "post": "g", "weight": -0.5, "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].weight", "must be ≥ 0 for conductance model 'coba_lif' (got -0.5)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "pre": [0, 5], "post": [1, 2]}}]}""", "$.projections[0].connectivity.pre[1]", "5 is outside 0..2 of population 'a'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "pre": [0, 1], "post": [1]}}]}""", "$.projections[0].connectivity.post", "has 1 indices but 'pre' has 2" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "pre": [0], "post": [1], "delay_ms": [0]}}]}""", "$.projections[0].connectivity.delay_ms[0]", "must be ≥ 1 tick" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "pre": [0], "post": [1], "weight": [1, 2]}}]}""", "$.projections[0].connectivity.weight", "has 2 values, expected 1 (one per synapse)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "pre": [0], "post": [1], "csv": "x.csv"}}]}""", "$.projections[0].connectivity.pre", "inline (pre, post, weight, delay_*) or in a CSV file, not both" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "conv2d", "kernel": [1, 2]}}]}""", "$.projections[0].connectivity", "missing key 'kernel_shape'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "conv2d", "kernel": [1, 2], "kernel_shape": [1, 1, 2, 2]}}]}""", "$.projections[0].connectivity.kernel", "has 2 values, expected out·in·kh·kw = 4" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "conv2d", "kernel": [[[[1, 2], [3]]]]}}]}""", "$.projections[0].connectivity.kernel[0][0][1]", "has 1 kernel columns, expected 2 like the others" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "conv2d", "kernel": [[[[1]]]], "stride": 0}}]}""", "$.projections[0].connectivity.stride", "must be an integer in 1..65536 (got 0)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}, "plasticity": {"rule": "stdp_pair", "a_plus": -1, "a_minus": 0, "tau_plus_ms": 20, "tau_minus_ms": 20, "w_min": 0, "w_max": 1}}]}""", "$.projections[0].plasticity.a_plus", "must be ≥ 0 (got -1)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}, "plasticity": {"rule": "stdp_pair", "a_plus": 1, "a_minus": 0, "tau_plus_ms": 0, "tau_minus_ms": 20, "w_min": 0, "w_max": 1}}]}""", "$.projections[0].plasticity.tau_plus_ms", "must be > 0" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}, "plasticity": {"rule": "stdp_pair", "a_plus": 1, "a_minus": 0, "tau_plus_ms": 1, "tau_minus_ms": 20, "w_min": 2, "w_max": 1}}]}""", "$.projections[0].plasticity.w_max", "must be ≥ w_min" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "state", "population": "a", "variable": "v", "interval_ms": 0}]}""", "$.monitors[0].interval_ms", "must be ≥ 1 tick" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "spikes", "population": "a", "neurons": [0, 3]}]}""", "$.monitors[0].neurons[1]", "must be an integer in 0..2 (got 3)" },

        // Unknown names and enumerations.
        { """{"populations": [{"name": "a", "model": "hh", "size": 3}]}""", "$.populations[0].model", "unknown model 'hh' (models: lif, if, cuba_lif, coba_lif, adaptive_lif)" },
        { """{"populations": [{"name": "a", "kind": "neuron", "model": "lif", "size": 3}]}""", "$.populations[0].kind", "unknown population kind 'neuron'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "reset": "soft"}]}""", "$.populations[0].reset", "unknown reset 'soft' (resets: to_value, subtract, none)" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "threshold_comparison": "=>"}]}""", "$.populations[0].threshold_comparison", "unknown threshold comparison '=>'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "refractory_end": "open"}]}""", "$.populations[0].refractory_end", "unknown refractory end 'open'" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "execution": {"mode": "gpu"}}]}""", "$.populations[0].execution.mode", "unknown execution mode 'gpu' (modes: event, clock)" },
        { """{"populations": [{"name": "a b", "model": "lif", "size": 3}]}""", "$.populations[0].name", "population names use letters, digits" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3}, {"name": "a", "model": "lif", "size": 3}]}""", "$.populations[1].name", "population name 'a' is already used by $.populations[0]" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "ghost", "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].post", "names unknown population 'ghost' (populations: a)" },
        { $$$"""{"populations": [{{{A}}}, {"name": "p", "kind": "poisson", "size": 3, "rate_hz": 1, "seed": 1}], "projections": [{"pre": "a", "post": "p", "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].post", "is a poisson population; projections must target model neurons" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "random"}}]}""", "$.projections[0].connectivity.rule", "unknown rule 'random' (rules: all_to_all, one_to_one, fixed_probability, fixed_total_number, explicit, conv2d, max_pool2d, avg_pool2d)" },
        { $$$"""{"populations": [{{{A}}}, {{{B}}}], "projections": [{"pre": "a", "post": "b", "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].connectivity.rule", "one-to-one needs equal sizes ('a' has 3, 'b' has 4)" },
        { $$$"""{"populations": [{{{B}}}], "projections": [{"pre": "b", "post": "b", "receptor": "x", "connectivity": {"rule": "one_to_one"}}]}""", "$.projections[0].receptor", "'x' is not a receptor of model 'cuba_lif' (receptors: e, i)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}, "plasticity": {"rule": "triplet"}}]}""", "$.projections[0].plasticity.rule", "unknown plasticity rule 'triplet' (rules: stdp_pair, stdp_triplet, mstdp, mstdpet, fede_stdp, stdp_snntorch, stdp_matterhorn)" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}}, {"pre": "a", "post": "a", "connectivity": {"rule": "all_to_all"}}]}""", "$.projections[1]", "a projection from 'a' to 'a' already exists ($.projections[0]): give each a distinct 'name'" },
        { $$$"""{"populations": [{{{A}}}], "projections": [{"name": "x", "pre": "a", "post": "a", "connectivity": {"rule": "one_to_one"}}, {"name": "x", "pre": "a", "post": "a", "connectivity": {"rule": "all_to_all"}}]}""", "$.projections[1].name", "projection name 'x' is already used by $.projections[0]" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "raster", "population": "a"}]}""", "$.monitors[0].kind", "unknown monitor kind 'raster' (kinds: spikes, state)" },
        { $$$"""{"populations": [{{{A}}}], "monitors": [{"kind": "state", "population": "a", "variable": "v_mV", "interval_ms": 1}]}""", "$.monitors[0].variable", "'v_mV' is not a state variable of model 'lif' (variables: v)" },
        { """{"populations": [{"name": "p", "kind": "poisson", "size": 3, "rate_hz": 1, "seed": 1}], "monitors": [{"kind": "state", "population": "p", "variable": "v", "interval_ms": 1}]}""", "$.monitors[0].population", "has no state to sample" },
        { $$$"""{"populations": [{{{A}}}], "event_inputs": [{"population": "a", "path": "x.aedat4"}]}""", "$.event_inputs[0].population", "population 'a' is a neurons population; event files feed external populations" },
        { """{"populations": [{"name": "d", "kind": "external", "shape": [2, 4, 4]}], "event_inputs": [{"population": "d", "path": "no-such-recording.aedat4"}]}""", "$.event_inputs[0].path", "file not found: " },

        // The builder's own cross-field validation, mapped back to JSON paths.
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "params": {"v_reset_mV": -40, "v_thresh_mV": -50}}]}""", "$.populations[0].params", "v_reset must be below v_thresh" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 2, "params": {"v_reset_mV": [-70, -40], "v_thresh_mV": -50}}]}""", "$.populations[0].params", "neuron 1: v_reset must be below v_thresh" },
        { """{"populations": [{"name": "a", "model": "lif", "size": 3, "reset": "none"}]}""", "$.populations[0].params", "t_ref must be positive with reset mode None" },
        { """{"populations": [{"name": "in", "kind": "external", "shape": [2, 8, 8]}, {"name": "out", "model": "lif", "shape": [4, 7, 7]}], "projections": [{"pre": "in", "post": "out", "connectivity": {"rule": "conv2d", "kernel": [1], "kernel_shape": [1, 1, 1, 1]}}]}""", "$.projections[0].connectivity", "shape mismatch" },
    };

    [Theory]
    [MemberData(nameof(Broken))]
    public void BrokenFilesNameFilePathAndProblem(string json, string path, string problem)
    {
        NetworkFileException ex = Fails(json);
        Assert.Equal(path, ex.JsonPath);
        Assert.Contains(problem, ex.Problem, StringComparison.Ordinal);
        Assert.Equal($"net.json: {path}: {ex.Problem}", ex.Problems[0]);
    }

    [Fact]
    public void ThePathOfAPopulationErrorCountsFromZero()
    {
        // The example, verbatim.
        NetworkFileException ex = Fails("""
            {"populations": [
              {"name": "a", "model": "lif", "size": 1},
              {"name": "b", "model": "lif", "size": 1},
              {"name": "c", "model": "cuba_lif", "size": 1, "params": {"tau_m_ms": -3}}
            ]}
            """);
        Assert.Equal("net.json: $.populations[2].params.tau_m_ms: must be > 0 (got -3)", ex.Message);
    }

    [Fact]
    public void SeveralBuilderProblemsAreAllKeptAndCounted()
    {
        NetworkFileException ex = Fails("""
            {"populations": [
              {"name": "a", "model": "lif", "size": 1, "params": {"v_reset_mV": -40}},
              {"name": "in", "kind": "external", "shape": [1, 4, 4]},
              {"name": "out", "model": "lif", "shape": [1, 3, 3]}
            ],
            "projections": [{"pre": "in", "post": "out", "connectivity": {"rule": "conv2d", "kernel": [[[[1]]]]}}]}
            """);
        Assert.Equal(2, ex.Problems.Count);
        Assert.EndsWith("(and 1 more problem)", ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("net.json: $.populations[0].params: ", ex.Problems[0], StringComparison.Ordinal);
        Assert.StartsWith("net.json: $.projections[0].connectivity: shape mismatch", ex.Problems[1], StringComparison.Ordinal);
    }

    [Fact]
    public void CsvErrorsNameTheJsonPathTheCsvFileAndTheLine()
    {
        using var dir = new TempFolder();
        (string Csv, string Fragment)[] spikeCases =
        [
            ("source,time\n0,1\n", ":1: column 'time' must name its unit"),
            ("source,time_ms\n0,1\n0,x\n", ":3: field 'time_ms' is not a number ('x')"),
            ("source,time_ms\n0,1\n0,-2\n", ":3: field 'time_ms' must be ≥ 0"),
            ("source,time_ms\n\n# c\n5,1\n", ":4: source 5 is outside 0..1 of the population"),
            ("source,time_ms\n0,1,2\n", ":2: expected 2 fields like the header, got 3"),
            ("source,time_ns\n0,0.5\n", ":2: field 'time_ns' is not a whole number of ticks"),
            ("src,time_ms\n0,1\n", ":1: unknown column 'src'"),
            ("", "the file is empty"),
        ];
        foreach ((string csv, string fragment) in spikeCases)
        {
            string path = dir.Write("s.csv", csv);
            NetworkFileException ex = Fails("""{"populations": [{"name": "s", "kind": "spike_source", "size": 2, "csv": "s.csv"}]}""", dir.Path);
            Assert.Equal("$.populations[0].csv", ex.JsonPath);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }

        (string Csv, string Fragment)[] synapseCases =
        [
            ("pre,post,delay\n0,1,1\n", ":1: column 'delay' must name its unit"),
            ("pre,post,w\n0,1,1\n", ":1: unknown column 'w'"),
            ("pre,post,delay_ms\n0,1,1e-9\n", ":2: field 'delay_ms' is not a whole number of ticks"),
            ("pre,post\n0,1\n\n0,9\n", ":4: post = 9 is outside 0..2 of population 'a'"),
            ("pre,post,delay_us\n0,1,0\n", ":2: delay = 0 ns must be ≥ 1 tick"),
            ("pre,post,weight\n0,1,abc\n", ":2: field 'weight' is not a finite number: 'abc'"),
            ("pre,post,weight\n0,1\n", ":2: expected 3 fields like the header, got 2"),
            ("pre,post,delay_ms,delay_us\n0,1,1,1\n", ":1: column 'delay_us' appears twice"),
            ("weight\n1\n", ":1: the header must name columns 'pre' and 'post'"),
        ];
        foreach ((string csv, string fragment) in synapseCases)
        {
            string path = dir.Write("syn.csv", csv);
            NetworkFileException ex = Fails("""{"populations": [{"name": "a", "model": "lif", "size": 3}], "projections": [{"pre": "a", "post": "a", "connectivity": {"rule": "explicit", "csv": "syn.csv"}}]}""", dir.Path);
            Assert.Equal("$.projections[0].connectivity.csv", ex.JsonPath);
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains(fragment, ex.Message, StringComparison.Ordinal);
        }

        NetworkFileException missing = Fails("""{"populations": [{"name": "s", "kind": "spike_source", "csv": "nope.csv"}]}""", dir.Path);
        Assert.Equal("$.populations[0].csv", missing.JsonPath);
        Assert.Contains("file not found: " + Path.Combine(dir.Path, "nope.csv"), missing.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConductanceWeightsInACsvListAreCheckedWithTheirLine()
    {
        using var dir = new TempFolder();
        dir.Write("syn.csv", "pre,post,weight\n0,1,0.5\n1,2,-0.5\n");
        NetworkFileException ex = Fails("""{"populations": [{"name": "g", "model": "coba_lif", "size": 3}], "projections": [{"pre": "g", "post": "g", "connectivity": {"rule": "explicit", "csv": "syn.csv"}}]}""", dir.Path);
        Assert.Contains(":3: weight = -0.5 must be ≥ 0 for conductance model 'coba_lif'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingUnreadableAndOversizedFilesAreOneLineErrors()
    {
        using var dir = new TempFolder();
        var missing = Assert.Throws<NetworkFileException>(() => NetworkFile.Load(Path.Combine(dir.Path, "none.json")));
        Assert.EndsWith("none.json: $: file not found", missing.Message, StringComparison.Ordinal);
        var folder = Assert.Throws<NetworkFileException>(() => NetworkFile.Load(dir.Path));
        Assert.EndsWith(": $: is a folder, not a network file", folder.Message, StringComparison.Ordinal);
        string big = dir.Write("big.json", WithA());
        var tooBig = Assert.Throws<NetworkFileException>(() => NetworkFile.Load(big, new NetworkFileOptions { MaxFileBytes = 10 }));
        Assert.Contains("more than the 10 bytes allowed", tooBig.Message, StringComparison.Ordinal);
        File.WriteAllBytes(Path.Combine(dir.Path, "binary.json"), [0xFF, 0xFE, 0x00, 0x7B, 0x80, 0x81]);
        var binary = Assert.Throws<NetworkFileException>(() => NetworkFile.Load(Path.Combine(dir.Path, "binary.json")));
        Assert.Contains("binary.json: $", binary.Message, StringComparison.Ordinal);
        Assert.Contains("invalid JSON", binary.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DeeplyNestedAndHugeInputsFailCleanly()
    {
        string deep = new string('[', 200) + new string(']', 200);
        NetworkFileException ex = Fails(deep);
        Assert.Contains("invalid JSON", ex.Problem, StringComparison.Ordinal);

        // A per-neuron array of the wrong length is reported before anything is allocated per neuron.
        NetworkFileException len = Fails($$$"""{"populations": [{"name": "a", "model": "lif", "size": 2000000000, "params": {"tau_m_ms": [1, 2, 3]}}]}""");
        Assert.Equal("$.populations[0].params.tau_m_ms", len.JsonPath);
    }

    [Fact]
    public void CustomModelsAreNamedThroughOptions()
    {
        const string Json = """{"populations": [{"name": "x", "model": "integrator_exp_current", "size": 2, "params": {"tau_s_ms": 7}, "initial": {"v_mV": 1, "i": 2}}]}""";
        Assert.Equal("$.populations[0].model", Fails(Json).JsonPath);
        NetworkFile f = NetworkFile.Parse(Json, Path.GetTempPath(), "net.json", new NetworkFileOptions { Models = [NeuronModel.For<IntegratorWithExpCurrent>()] });
        PopulationSpec x = f.Network.Population("x");
        Assert.Equal(7.0, x.Parameters[IntegratorWithExpCurrent.Info.ParameterIndex("tau_s")]);
        Assert.Equal(["v", "i"], [.. x.Initial.Select(i => i.Variable)]);
    }
}
