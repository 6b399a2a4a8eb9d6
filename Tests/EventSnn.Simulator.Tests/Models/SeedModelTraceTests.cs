using System.Text.Json.Nodes;
using EventSnn.Simulator.Tracing;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// Every seed-library model, over long random-input traces, against <see cref="SeedReference"/> (written in the test from
/// the libraries' equations). Tolerance: output (spike) columns exactly; other columns within 1e-5 + 1e-4·|expected| (the
/// rule of the shared reference traces); analog outputs (LIAF) as states.
/// </summary>
public sealed class SeedModelTraceTests
{
    private const int Steps = 400;

    public static TheoryData<string, string, double, double> Cases => new()
    {
        // model, PARAMS.json, input mean, input spread
        { "snntorch.leaky", """{"beta": 0.8}""", 0.15, 0.45 },
        { "snntorch.leaky", """{"beta": 0.9, "reset_mechanism": "zero", "reset_delay": false}""", 0.1, 0.5 },
        { "snntorch.leaky", """{"beta": [0.5, 0.7, 0.9, 0.95, 1.3, -0.2, 0.8], "threshold": [1, 0.5, 2, 1, 1, 0.3, 0.8], "reset_mechanism": "none"}""", 0.1, 0.4 },
        { "snntorch.leaky", """{"beta": 0.85, "graded_spikes_factor": 2.5, "reset_delay": false}""", 0.2, 0.6 },
        { "snntorch.leaky", """{"beta": 0.85, "graded_spikes_factor": 0.5, "reset_mechanism": "zero"}""", 0.2, 0.6 },
        { "snntorch.leaky", """{"beta": 0.9, "inhibition": true, "reset_delay": false, "graded_spikes_factor": 2.0}""", 0.2, 0.5 },
        { "snntorch.leaky", """{"beta": 0.9, "inhibition": true, "reset_mechanism": "zero", "reset_delay": false}""", 0.2, 0.5 },
        { "snntorch.leaky", """{"beta": 0.9, "inhibition": true}""", 0.2, 0.5 },
        { "snntorch.leaky", """{"beta": 0.95, "state_quant": {"num_bits": 4, "uniform": true, "threshold": 1.0}}""", 0.1, 0.4 },
        { "snntorch.leaky", """{"beta": 0.9, "state_quant": {"num_bits": 5, "uniform": false}}""", 0.1, 0.4 },
        { "snntorch.leaky", """{"beta": 0.9, "state_quant": {"num_bits": 4, "uniform": false, "thr_centered": false, "lower_limit": 0.5}}""", 0.1, 0.4 },
        { "snntorch.synaptic", """{"alpha": 0.7, "beta": 0.85}""", 0.05, 0.35 },
        { "snntorch.synaptic", """{"alpha": 0.6, "beta": 0.9, "reset_mechanism": "zero", "reset_delay": false, "init": {"syn": 0.3, "mem": [0, 0.5, 1.5, -1, 0.2, 0.9]}}""", 0.05, 0.35 },
        { "snntorch.synaptic", """{"alpha": 0.6, "beta": 0.9, "reset_delay": false, "inhibition": true}""", 0.1, 0.35 },
        { "snntorch.synaptic", """{"alpha": 0.8, "beta": 0.8, "reset_mechanism": "none", "state_quant": {"num_bits": 6}}""", 0.02, 0.3 },
        { "snntorch.alpha", """{"alpha": 0.9, "beta": 0.8}""", 0.3, 0.9 },
        { "snntorch.alpha", """{"alpha": 0.95, "beta": 0.7, "reset_mechanism": "subtract"}""", 0.3, 0.9 },
        { "snntorch.alpha", """{"alpha": 0.9, "beta": [0.1, 0.5, 0.8, 0.85, 0.6, 0.3], "reset_mechanism": "none", "inhibition": true}""", 0.3, 0.9 },
        { "snntorch.lapicque", """{"beta": 0.9}""", 0.9, 1.0 },
        { "snntorch.lapicque", """{"R": 5.0, "C": 2.0, "time_step": 0.5, "reset_mechanism": "zero"}""", 0.15, 0.4 },
        { "snntorch.lapicque", """{"beta": 0.8, "R": 2.0, "threshold": 0.7}""", 0.3, 0.5 },
        { "snntorch.lapicque", """{"beta": 0.9, "C": 3.0, "reset_mechanism": "none"}""", 0.1, 0.4 },
        { "snntorch.lapicque", """{"beta": 0.7, "R": false, "C": null, "inhibition": true}""", 0.8, 0.8 },
        { "snntorch.rleaky", RecurrentParams("""{"beta": 0.85, "all_to_all": true, "linear_features": 6}""", bias: true), 0.12, 0.5 },
        { "snntorch.rleaky", """{"beta": 0.85, "all_to_all": false, "V": 0.4}""", 0.12, 0.5 },
        { "snntorch.rleaky", """{"beta": 0.8, "all_to_all": false, "V": [0.5, -0.5, 0.2, 0, 1, -1], "reset_mechanism": "zero", "reset_delay": false, "init": {"spk": [1, 0, 1, 0, 0, 1]}}""", 0.12, 0.5 },
        { "snntorch.rleaky", RecurrentParams("""{"beta": 0.9, "inhibition": true, "reset_delay": false}""", bias: false), 0.15, 0.5 },
        { "snntorch.rsynaptic", """{"alpha": 0.7, "beta": 0.8, "all_to_all": false, "V": 0.3}""", 0.05, 0.3 },
        { "snntorch.rsynaptic", RecurrentParams("""{"alpha": 0.6, "beta": 0.85, "reset_mechanism": "zero"}""", bias: true), 0.05, 0.3 },
        { "snntorch.rsynaptic", """{"alpha": 0.6, "beta": 0.85, "all_to_all": false, "V": -0.5, "reset_delay": false, "reset_mechanism": "none"}""", 0.0, 0.3 },
        { "snntorch.rsynaptic", """{"alpha": 0.6, "beta": 0.85, "all_to_all": false, "V": 0.2, "reset_delay": false}""", 0.05, 0.3 },
        { "matterhorn.if", """{"u_threshold": 1.0}""", 0.15, 0.4 },
        { "matterhorn.if", """{"u_threshold": 1.5, "u_rest": -0.5, "hard_reset": false, "spiking_function": "floor"}""", 0.3, 0.8 },
        { "matterhorn.lif", """{"tau_m": 4.0, "hard_reset": false}""", 0.8, 1.2 },
        { "matterhorn.lif", """{"tau_m": [2, 3, 4, 5, 8, 1.5, 2.5, 10], "u_rest": 0.1, "spiking_function": "Ceil()"}""", 0.8, 1.5 },
        { "matterhorn.lif", """{"tau_m": 2.0, "spiking_function": "round", "hard_reset": false}""", 1.0, 2.5 },
        { "matterhorn.qif", """{"tau_m": 3.0, "u_c": 0.8, "a_0": 0.5, "u_rest": -0.2}""", 0.2, 0.4 },
        { "matterhorn.expif", """{"tau_m": 3.0, "u_t": 0.8, "delta_t": 0.3}""", 0.4, 0.8 },
        { "matterhorn.izhikevich", """{"a": 0.02, "b": 0.2}""", 0.08, 0.35 },
        { "matterhorn.izhikevich", """{"a": 0.1, "b": 0.25, "hard_reset": false, "spiking_function": "floor", "init": {"h": 0.2, "w": -0.1}}""", 0.08, 0.35 },
        { "matterhorn.klif", """{"tau_m": 3.0, "k": 1.5}""", 0.4, 0.8 },
        { "matterhorn.liaf", """{"tau_m": 3.0}""", 0.4, 1.0 },
        { "matterhorn.liaf", """{"tau_m": 2.0, "activation_function": "identity", "hard_reset": false}""", 0.4, 1.0 },
        { "matterhorn.liaf", """{"tau_m": 2.0, "activation_function": "sigmoid", "spiking_function": "floor"}""", 0.4, 1.0 },
        { "pysnn.if", """{"thresh": 1.0, "v_rest": 0.0, "alpha_v": 0.6, "alpha_t": 1.0, "dt": 1.0, "duration_refrac": 2.0, "tau_t": 0.8}""", 0.3, 0.6 },
        { "pysnn.if", """{"thresh": [1, 1.2, 0.8, 1, 1, 2], "v_rest": -0.2, "alpha_v": 1.0, "alpha_t": 0.5, "dt": 0.5, "duration_refrac": 1.0, "tau_t": 4.0, "update_type": "exponential"}""", 0.3, 0.6 },
        { "pysnn.lif", """{"thresh": 1.0, "v_rest": 0.0, "alpha_v": 1.0, "alpha_t": 1.0, "dt": 1.0, "duration_refrac": 3.0, "tau_v": 0.9, "tau_t": 0.8, "update_type": "linear"}""", 0.3, 0.7 },
        { "pysnn.lif", """{"thresh": 1.0, "v_rest": 0.1, "alpha_v": 2.0, "alpha_t": 0.7, "dt": 0.25, "duration_refrac": 0.75, "tau_v": 2.0, "tau_t": 3.0, "update_type": "exponential", "cells_shape": [2, 3]}""", 0.5, 1.0 },
        { "pysnn.adaptive_lif", """{"thresh": 1.0, "v_rest": 0.0, "alpha_v": 1.0, "alpha_t": 1.0, "dt": 1.0, "duration_refrac": 1.0, "tau_v": 0.9, "tau_t": 0.8, "alpha_thresh": 0.3, "tau_thresh": 0.95}""", 0.4, 0.8 },
        { "pysnn.adaptive_lif", """{"thresh": 0.8, "v_rest": 0.0, "alpha_v": 1.0, "alpha_t": 1.0, "dt": 0.5, "duration_refrac": 0.0, "tau_v": 3.0, "tau_t": 2.0, "alpha_thresh": 1.5, "tau_thresh": 10.0, "update_type": "exponential"}""", 0.8, 1.0 },
        { "pysnn.fede", """{"thresh": 1.0, "v_rest": 0.0, "alpha_v": 1.0, "alpha_t": 1.0, "dt": 1.0, "duration_refrac": 2.0, "tau_v": 2.0, "tau_t": 2.0}""", 0.8, 1.2 },
        { "pysnn.input", """{"dt": 1.0, "alpha_t": 1.0, "tau_t": 0.8}""", 0.3, 0.6 },
        { "pysnn.input", """{"dt": 0.5, "alpha_t": 0.5, "tau_t": 2.0, "update_type": "exponential"}""", 0.3, 0.6 },
    };

    private static string RecurrentParams(string baseJson, bool bias)
    {
        var p = JsonNode.Parse(baseJson)!.AsObject();
        var rng = new Random(77);
        var rows = new JsonArray();
        for (int i = 0; i < 6; i++)
        {
            rows.Add(new JsonArray([.. Enumerable.Range(0, 6).Select(_ => (JsonNode)JsonValue.Create(Math.Round((rng.NextDouble() - 0.5) * 1.2, 4)))]));
        }

        p["V_weight"] = rows;
        if (bias)
        {
            p["V_bias"] = new JsonArray([.. Enumerable.Range(0, 6).Select(_ => (JsonNode)JsonValue.Create(Math.Round((rng.NextDouble() - 0.5) * 0.06, 4)))]);
        }

        return p.ToJsonString();
    }

    /// <summary>Inputs x[t, i] = mean_i + spread·z, z standard normal, mean_i = mean·U(0.5, 1.5); seeded per case.</summary>
    internal static float[][] Input(int steps, int n, double mean, double spread, int seed)
    {
        var rng = new Random(seed);
        double[] mu = [.. Enumerable.Range(0, n).Select(_ => mean * (0.5 + rng.NextDouble()))];
        var x = new float[steps][];
        for (int t = 0; t < steps; t++)
        {
            x[t] = new float[n];
            for (int i = 0; i < n; i++)
            {
                double z = Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
                x[t][i] = (float)(mu[i] + (spread * z));
            }
        }

        return x;
    }

    private static int SizeOf(JsonObject p)
    {
        foreach (var kv in p)
        {
            if (kv.Value is JsonArray a && kv.Key != "cells_shape")
            {
                return a.Count;
            }

            if (kv.Value is JsonObject o && kv.Key == "init")
            {
                foreach (var iv in o)
                {
                    if (iv.Value is JsonArray b)
                    {
                        return b.Count;
                    }
                }
            }
        }

        return 6;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Long_random_trace_matches_the_reference(string model, string json, double mean, double spread)
    {
        JsonObject p = JsonNode.Parse(json)!.AsObject();
        int n = SizeOf(p);
        int seed = (model + json).Aggregate(17, (h, ch) => unchecked((h * 31) + ch)) & 0xFFFF;
        float[][] x = Input(Steps, n, mean, spread, seed);
        float[][]? second = model == "pysnn.fede" ? Input(Steps, n, mean / 2, spread / 2, seed + 1) : null;

        TraceSetup setup = SeedTraces.Parse(model, json, n);
        setup.InputsPerNeuron = second is null ? 1 : 2;
        float[] flat = [.. Enumerable.Range(0, Steps).SelectMany(t => second is null ? x[t] : [.. x[t], .. second[t]])];
        TraceResult got = TraceRunner.Run(setup, flat, Steps);

        Dictionary<string, float[]> expected = SeedReference.Run(model, p, x, second);
        Assert.Equal(expected.Keys, got.Columns);
        bool analog = model == "matterhorn.liaf";
        int fired = 0;
        for (int c = 0; c < got.Columns.Count; c++)
        {
            string name = got.Columns[c];
            float[] e = expected[name];
            float[] g = got.Values[c];
            bool spikes = (name is "spk" or "o") && !analog;
            for (int k = 0; k < e.Length; k++)
            {
                bool ok = spikes
                    ? e[k] == g[k]
                    : (float.IsNaN(e[k]) && float.IsNaN(g[k])) || Math.Abs(g[k] - e[k]) <= 1e-5 + (1e-4 * Math.Abs(e[k]));
                if (!ok)
                {
                    Assert.Fail($"{model} {json}: step {k / n}, neuron {k % n}, column {name}: expected {e[k]:R}, got {g[k]:R}");
                }

                if (spikes && e[k] != 0)
                {
                    fired++;
                }
            }
        }

        // The case must exercise both firing and silence.
        if (!analog && model != "pysnn.input")
        {
            Assert.InRange(fired, Steps * n / 100, Steps * n * 9 / 10);
        }
    }
}
