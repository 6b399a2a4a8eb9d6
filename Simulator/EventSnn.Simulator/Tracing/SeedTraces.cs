using System.Collections.Frozen;
using System.Globalization;
using System.Text.Json;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Tracing;

/// <summary>
/// The trace contract of the models that reproduce snnTorch, Matterhorn and PySNN: a model name (<c>library.class</c> in
/// lower case), the library's own constructor arguments as JSON, and the columns the library's <c>forward</c> returns.
/// </summary>
/// <remarks>
/// <para>PARAMS.json holds the constructor's arguments by their own names, each a scalar or an array with one value per
/// neuron; choices by name (<c>"reset_mechanism": "zero"</c>, <c>"update_type": "exponential"</c>,
/// <c>"spiking_function": "floor"</c>) and booleans as JSON booleans. <c>"init"</c> gives initial states by the library's
/// names (<c>mem</c>, <c>syn</c>, <c>h</c>, <c>w</c>, <c>v_cell</c>, <c>trace</c>, …; <c>spk</c> for the recurrent classes'
/// previous spikes). snnTorch's <c>state_quant</c> is <c>false</c> or an object of <c>state_quant()</c>'s arguments; the
/// recurrent classes take <c>V</c> with <c>"all_to_all": false</c>, or <c>"all_to_all": true</c> (the library's default)
/// with <c>V_weight</c> (N×N, row = output neuron) and <c>V_bias</c>. Arguments that do not change the forward values
/// (<c>spike_grad</c>, <c>learn_*</c>, <c>batch_first</c>, <c>store_trace</c>, …) are accepted and ignored;
/// PySNN's <c>cells_shape</c> must hold N neurons.</para>
/// </remarks>
public static class SeedTraces
{
    private static readonly string[] s_snnTorchIgnored =
        ["spike_grad", "surrogate_disable", "learn_beta", "learn_alpha", "learn_threshold", "learn_graded_spikes_factor", "learn_recurrent", "learn_V", "output"];

    private static readonly string[] s_matterhornIgnored = ["batch_first", "return_states", "device", "dtype"];

    private static readonly string[] s_pysnnIgnored = ["store_trace"];

    private static readonly Descriptor[] s_descriptors =
    [
        Snn("snntorch.leaky", [("spk", -1), ("mem", 0)], [("mem", "v")]),
        Snn("snntorch.synaptic", [("spk", -1), ("syn", 1), ("mem", 0)], [("syn", "syn"), ("mem", "v")]),
        Snn("snntorch.alpha", [("spk", -1), ("syn_exc", 1), ("syn_inh", 2), ("mem", 0)], [("syn_exc", "syn_exc"), ("syn_inh", "syn_inh"), ("mem", "v")]),
        Snn("snntorch.lapicque", [("spk", -1), ("mem", 0)], [("mem", "v")]),
        Snn("snntorch.rleaky", [("spk", -1), ("mem", 0)], [("mem", "v")]) with { Recurrent = true },
        Snn("snntorch.rsynaptic", [("spk", -1), ("syn", 1), ("mem", 0)], [("syn", "syn"), ("mem", "v")]) with { Recurrent = true },
        Mh("matterhorn.if", [("o", -1), ("h", 0)], [("h", "v")]),
        Mh("matterhorn.lif", [("o", -1), ("h", 0)], [("h", "v")]),
        Mh("matterhorn.qif", [("o", -1), ("h", 0)], [("h", "v")]),
        Mh("matterhorn.expif", [("o", -1), ("h", 0)], [("h", "v")]),
        Mh("matterhorn.izhikevich", [("o", -1), ("h", 0), ("w", 1)], [("h", "v"), ("w", "w")]),
        Mh("matterhorn.klif", [("o", -1), ("h", 0)], [("h", "v")]),
        Mh("matterhorn.liaf", [("o", -1), ("h", 0)], [("h", "v")]),
        Py("pysnn.if", [("spk", -1), ("v", 0), ("trace", 1)], [("v_cell", "v"), ("v", "v"), ("trace", "trace"), ("refrac_counts", "refrac_counts")]),
        Py("pysnn.lif", [("spk", -1), ("v", 0), ("trace", 1)], [("v_cell", "v"), ("v", "v"), ("trace", "trace"), ("refrac_counts", "refrac_counts")]),
        Py("pysnn.adaptive_lif", [("spk", -1), ("v", 0), ("trace", 1)], [("v_cell", "v"), ("v", "v"), ("trace", "trace"), ("thresh", "thresh"), ("refrac_counts", "refrac_counts")]),
        Py("pysnn.fede", [("spk", -1), ("v", 0), ("trace", 1)], [("v_cell", "v"), ("v", "v"), ("trace", "trace"), ("refrac_counts", "refrac_counts")]) with { SecondInput = "pre_trace" },
        Py("pysnn.input", [("spk", -1), ("trace", 1)], [("trace", "trace")]),
    ];

    private static readonly FrozenDictionary<string, Descriptor> s_byName = s_descriptors.ToFrozenDictionary(d => d.Name, StringComparer.Ordinal);

    /// <summary>The model names the trace contract covers.</summary>
    public static IReadOnlyList<string> Names { get; } = [.. s_descriptors.Select(d => d.Name)];

    /// <summary>Whether <paramref name="model"/> is a traceable model name.</summary>
    /// <param name="model">A model name.</param>
    public static bool IsKnown(string model) => s_byName.ContainsKey(model ?? string.Empty);

    /// <summary>
    /// The name of the optional second block of input columns (<c>pre_trace</c> for <c>pysnn.fede</c>), or null when the
    /// model takes one input per neuron.
    /// </summary>
    /// <param name="model">A traceable model name.</param>
    public static string? SecondInput(string model) => Get(model).SecondInput;

    /// <summary>The columns <paramref name="model"/> reports after <c>step,neuron</c>.</summary>
    /// <param name="model">A traceable model name.</param>
    public static IReadOnlyList<string> Columns(string model) => [.. Get(model).Columns.Select(c => c.Name)];

    /// <summary>Builds the population of <paramref name="size"/> neurons that PARAMS.json describes.</summary>
    /// <param name="model">A traceable model name.</param>
    /// <param name="json">The PARAMS.json text (an object).</param>
    /// <param name="size">The number of neurons (from the input's columns).</param>
    /// <returns>The setup.</returns>
    /// <exception cref="ArgumentException">The model is unknown or a parameter is unknown, missing or invalid (the message names it).</exception>
    public static TraceSetup Parse(string model, string json, int size)
    {
        Descriptor d = Get(model);
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json ?? string.Empty);
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"PARAMS.json is not valid JSON: {ex.Message}", nameof(json), ex);
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("PARAMS.json must hold one JSON object of constructor arguments.", nameof(json));
            }

            return new Parser(d, size).Parse(doc.RootElement);
        }
    }

    private static Descriptor Get(string model)
        => s_byName.TryGetValue(model ?? string.Empty, out Descriptor? d)
            ? d
            : throw new ArgumentException($"unknown model '{model}' (known: {string.Join(", ", Names)})", nameof(model));

    private static Descriptor Snn(string name, (string, int)[] columns, (string, string)[] init) => new(name, "snntorch", columns, init, s_snnTorchIgnored);

    private static Descriptor Mh(string name, (string, int)[] columns, (string, string)[] init) => new(name, "matterhorn", columns, init, s_matterhornIgnored);

    private static Descriptor Py(string name, (string, int)[] columns, (string, string)[] init) => new(name, "pysnn", columns, init, s_pysnnIgnored);

    private sealed record Descriptor(string Name, string Library, TraceColumn[] Columns, FrozenDictionary<string, string> Init, FrozenSet<string> Ignored)
    {
        public Descriptor(string name, string library, (string Name, int State)[] columns, (string Lib, string Model)[] init, string[] ignored)
            : this(name, library, [.. columns.Select(c => new TraceColumn(c.Name, c.State))], init.ToFrozenDictionary(i => i.Lib, i => i.Model, StringComparer.Ordinal), ignored.ToFrozenSet(StringComparer.Ordinal))
        {
        }

        public bool Recurrent { get; init; }

        public string? SecondInput { get; init; }

        public NeuronModel Model => NeuronModels.TryGet(Name, out NeuronModel? m) ? m : throw new InvalidOperationException($"Model '{Name}' is not registered.");
    }

    /// <summary>Turns the library's arguments into a <see cref="TraceSetup"/>.</summary>
    private sealed class Parser(Descriptor d, int n)
    {
        private readonly NeuronModelInfo _info = d.Model.Info;
        private readonly TraceSetup _setup = new(d.Model, n, d.Columns);
        private readonly HashSet<string> _given = new(StringComparer.Ordinal);

        public TraceSetup Parse(JsonElement root)
        {
            JsonElement? v = null, weight = null, bias = null, init = null;
            bool? allToAll = null;
            foreach (JsonProperty p in root.EnumerateObject())
            {
                string key = p.Name;
                if (!_given.Add(key))
                {
                    throw Bad($"parameter '{key}' is given twice");
                }

                if (d.Ignored.Contains(key))
                {
                    continue;
                }

                switch (key)
                {
                    case "init":
                        init = p.Value;
                        continue;
                    case "init_hidden" when d.Library == "snntorch":
                        if (p.Value.ValueKind != JsonValueKind.False)
                        {
                            throw Bad("parameter 'init_hidden' must be false (with init_hidden the forward returns only the spikes)");
                        }

                        continue;
                    case "state_quant" when d.Library == "snntorch":
                        StateQuant(p.Value);
                        continue;
                    case "cells_shape" when d.Library == "pysnn":
                        CellsShape(p.Value);
                        continue;
                    case "V" when d.Recurrent:
                        v = p.Value;
                        continue;
                    case "V_weight" when d.Recurrent:
                        weight = p.Value;
                        continue;
                    case "V_bias" when d.Recurrent:
                        bias = p.Value;
                        continue;
                    case "all_to_all" when d.Recurrent:
                        allToAll = p.Value.ValueKind switch
                        {
                            JsonValueKind.True => true,
                            JsonValueKind.False => false,
                            _ => throw Bad("parameter 'all_to_all' must be true or false"),
                        };
                        continue;
                    case "linear_features" when d.Recurrent:
                        if (!p.Value.TryGetInt32(out int features) || features != n)
                        {
                            throw Bad($"parameter 'linear_features' must equal the number of neurons ({n}), the input's column count");
                        }

                        continue;
                    case "conv2d_channels" or "kernel_size" when d.Recurrent:
                        throw Bad($"parameter '{key}': convolutional recurrence is not supported by the trace (use V or V_weight)");
                    case "beta" or "R" or "C" when d.Name == "snntorch.lapicque" && p.Value.ValueKind is JsonValueKind.False or JsonValueKind.Null:
                        // The library's default False: not given.
                        continue;
                }

                int k = _info.ParameterIndex(key);
                if (k < 0 || key == "V_bias")
                {
                    throw Bad($"unknown parameter '{key}' (known: {string.Join(", ", Known())})");
                }

                SetParameter(_info.Parameters[k], p.Value);
            }

            foreach (NeuronParameterInfo p in _info.Parameters)
            {
                if (p.Required && !_given.Contains(p.Name))
                {
                    throw Bad($"missing parameter '{p.Name}' (the library's constructor requires it)");
                }
            }

            if (d.Recurrent)
            {
                Recurrence(allToAll ?? true, v, weight, bias);
            }

            if (init is { } i)
            {
                Initial(i);
            }

            return _setup;
        }

        private IEnumerable<string> Known()
        {
            IEnumerable<string> names = _info.Parameters.Select(p => p.Name).Where(x => !x.StartsWith("state_quant_", StringComparison.Ordinal) && x != "V_bias");
            if (d.Recurrent)
            {
                names = names.Concat(["V", "all_to_all", "linear_features", "V_weight", "V_bias"]);
            }

            if (d.Library == "pysnn")
            {
                names = names.Concat(["cells_shape"]);
            }

            return names.Concat(["init"]);
        }

        private ArgumentException Bad(string message) => new($"{d.Name}: {message}");

        private void SetParameter(NeuronParameterInfo p, JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.Array)
            {
                var values = new double[value.GetArrayLength()];
                if (values.Length != n)
                {
                    throw Bad($"parameter '{p.Name}' has {values.Length} values for {n} neurons");
                }

                int j = 0;
                foreach (JsonElement e in value.EnumerateArray())
                {
                    values[j] = Scalar(p, e, $"{p.Name}[{j}]");
                    j++;
                }

                _setup.PerNeuronParameters[p.Name] = values;
                _setup.Parameters.Remove(p.Name);
                return;
            }

            _setup.Parameters[p.Name] = Scalar(p, value, p.Name);
            _setup.PerNeuronParameters.Remove(p.Name);
        }

        private double Scalar(NeuronParameterInfo p, JsonElement e, string where)
        {
            if (p.IsChoice)
            {
                bool flag = p.Choices is ["false", "true"];
                switch (e.ValueKind)
                {
                    case JsonValueKind.True when flag:
                        return 1;
                    case JsonValueKind.False when flag:
                        return 0;
                    case JsonValueKind.Number when flag && e.TryGetDouble(out double b) && b is 0 or 1:
                        return b;
                    case JsonValueKind.String:
                        string s = Normalize(e.GetString()!);
                        int k = p.Choices.IndexOf(s);
                        if (k >= 0 && !flag)
                        {
                            return k;
                        }

                        break;
                }

                throw Bad(flag
                    ? $"parameter '{where}' must be true or false (got {e.GetRawText()})"
                    : $"parameter '{where}' must be one of {string.Join(", ", p.Choices.Select(c => $"\"{c}\""))} (got {e.GetRawText()})");
            }

            if (e.ValueKind != JsonValueKind.Number || !e.TryGetDouble(out double x))
            {
                throw Bad($"parameter '{where}' must be a number (got {e.GetRawText()})");
            }

            return x;
        }

        /// <summary>Choice names as the library spells its classes or strings: <c>"Floor()"</c>, <c>"snn.Floor"</c>, <c>"floor"</c>.</summary>
        private static string Normalize(string s)
        {
            s = s.Trim();
            if (s.EndsWith("()", StringComparison.Ordinal))
            {
                s = s[..^2];
            }

            int dot = s.LastIndexOf('.');
            if (dot >= 0)
            {
                s = s[(dot + 1)..];
            }

            return s.ToLowerInvariant();
        }

        private void StateQuant(JsonElement value)
        {
            if (value.ValueKind == JsonValueKind.False)
            {
                _setup.Parameters["state_quant"] = 0;
                return;
            }

            if (value.ValueKind != JsonValueKind.Object)
            {
                throw Bad("parameter 'state_quant' must be false or an object of state_quant() arguments (num_bits, uniform, thr_centered, threshold, lower_limit, upper_limit, multiplier)");
            }

            _setup.Parameters["state_quant"] = 1;
            foreach (JsonProperty p in value.EnumerateObject())
            {
                string name = "state_quant_" + p.Name;
                int k = _info.ParameterIndex(name);
                if (k < 0)
                {
                    throw Bad($"unknown state_quant argument '{p.Name}' (known: num_bits, uniform, thr_centered, threshold, lower_limit, upper_limit, multiplier)");
                }

                if (p.Name == "multiplier" && p.Value.ValueKind == JsonValueKind.Null)
                {
                    continue;
                }

                _setup.Parameters[name] = Scalar(_info.Parameters[k], p.Value, $"state_quant.{p.Name}");
            }
        }

        private void CellsShape(JsonElement value)
        {
            long product = 1;
            if (value.ValueKind != JsonValueKind.Array)
            {
                throw Bad("parameter 'cells_shape' must be an array of sizes");
            }

            foreach (JsonElement e in value.EnumerateArray())
            {
                if (!e.TryGetInt32(out int s) || s < 1)
                {
                    throw Bad($"parameter 'cells_shape' must hold positive whole numbers (got {value.GetRawText()})");
                }

                product *= s;
            }

            if (product != n)
            {
                throw Bad($"parameter 'cells_shape' {value.GetRawText()} holds {product} neurons, the input has {n} columns");
            }
        }

        private void Recurrence(bool allToAll, JsonElement? v, JsonElement? weight, JsonElement? bias)
        {
            var w = new float[n * n];
            if (allToAll)
            {
                if (weight is not { } wt)
                {
                    throw Bad("all_to_all=true (the library's default) needs V_weight (N×N, row = output neuron) and V_bias; or set all_to_all=false and give V");
                }

                if (v is not null)
                {
                    throw Bad("parameter 'V' is only used with all_to_all=false");
                }

                if (wt.ValueKind != JsonValueKind.Array || wt.GetArrayLength() != n)
                {
                    throw Bad($"parameter 'V_weight' must be {n} rows of {n} numbers");
                }

                int i = 0;
                foreach (JsonElement r in wt.EnumerateArray())
                {
                    if (r.ValueKind != JsonValueKind.Array || r.GetArrayLength() != n)
                    {
                        throw Bad($"parameter 'V_weight' row {i} must hold {n} numbers");
                    }

                    int j = 0;
                    foreach (JsonElement e in r.EnumerateArray())
                    {
                        w[(i * n) + j] = (float)Number(e, $"V_weight[{i}][{j}]");
                        j++;
                    }

                    i++;
                }

                if (bias is { } b)
                {
                    SetParameter(_info.Parameters[_info.ParameterIndex("V_bias")], b);
                }
            }
            else
            {
                if (weight is not null || bias is not null)
                {
                    throw Bad("parameters 'V_weight' and 'V_bias' are only used with all_to_all=true");
                }

                for (int i = 0; i < n; i++)
                {
                    w[(i * n) + i] = 1f;
                }

                if (v is { } vv)
                {
                    if (vv.ValueKind == JsonValueKind.Array)
                    {
                        if (vv.GetArrayLength() != n)
                        {
                            throw Bad($"parameter 'V' has {vv.GetArrayLength()} values for {n} neurons");
                        }

                        int i = 0;
                        foreach (JsonElement e in vv.EnumerateArray())
                        {
                            w[(i * n) + i] = (float)Number(e, $"V[{i}]");
                            i++;
                        }
                    }
                    else
                    {
                        float s = (float)Number(vv, "V");
                        for (int i = 0; i < n; i++)
                        {
                            w[(i * n) + i] = s;
                        }
                    }
                }
            }

            _setup.Recurrent = w;
        }

        private double Number(JsonElement e, string where)
            => e.ValueKind == JsonValueKind.Number && e.TryGetDouble(out double x) && double.IsFinite(x)
                ? x
                : throw Bad($"parameter '{where}' must be a finite number (got {e.GetRawText()})");

        private void Initial(JsonElement init)
        {
            if (init.ValueKind != JsonValueKind.Object)
            {
                throw Bad("'init' must be an object of initial states");
            }

            foreach (JsonProperty p in init.EnumerateObject())
            {
                double[] values = Values(p.Value, $"init.{p.Name}");
                if (p.Name == "spk" && d.Recurrent)
                {
                    _setup.InitialOutputs = [.. values.Select(x => (float)x)];
                    continue;
                }

                if (!d.Init.TryGetValue(p.Name, out string? state))
                {
                    IEnumerable<string> known = d.Recurrent ? d.Init.Keys.Append("spk") : d.Init.Keys;
                    throw Bad($"unknown initial state 'init.{p.Name}' (known: {string.Join(", ", known)})");
                }

                _setup.Initial[state] = values;
            }
        }

        private double[] Values(JsonElement e, string where)
        {
            if (e.ValueKind == JsonValueKind.Array)
            {
                if (e.GetArrayLength() != n)
                {
                    throw Bad($"'{where}' has {e.GetArrayLength()} values for {n} neurons");
                }

                var values = new double[n];
                int j = 0;
                foreach (JsonElement x in e.EnumerateArray())
                {
                    values[j] = Number(x, $"{where}[{j}]");
                    j++;
                }

                return values;
            }

            double s = Number(e, where);
            return [.. Enumerable.Repeat(s, n)];
        }
    }

    /// <summary>Formats a value as the trace CSV writes it: the shortest text that reads back as the same float32.</summary>
    /// <param name="value">The value.</param>
    public static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
