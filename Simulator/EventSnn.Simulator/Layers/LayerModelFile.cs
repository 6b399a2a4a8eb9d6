using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Simulator.Layers;

/// <summary>
/// The saved layer model format (docs/Layers.md): a JSON description of a <see cref="LayerGraph"/> and a binary weights
/// file beside it. Every tensor is a <c>{"offset": bytes, "count": values}</c> reference into the weights file: float32
/// little-endian for layer weights, float64 for per-neuron values.
/// </summary>
internal static class LayerModelFile
{
    public const string Format = "eventsnn-layer-model";

    private static readonly KeySet Top = new("layerModel", ["$schema", "format", "version", "name", "weights", "weights_bytes", "weights_sha256", "delay_ns", "layers", "connections"], []);
    private static readonly KeySet InputLayer = new("inputLayer", ["name", "kind", "shape"], []);
    private static readonly KeySet NeuronLayer = new("neuronLayer", ["name", "kind", "shape", "model", "params", "per_neuron", "reset", "threshold_comparison", "refractory_end", "execution", "initial", "record_spikes"], []);
    private static readonly KeySet PoolLayer = new("maxPoolLayer", ["name", "kind", "from", "kernel", "stride", "padding", "record_spikes"], []);
    private static readonly KeySet Execution = new("execution", ["mode", "dt_ns"], []);
    private static readonly KeySet Initial = new("initial", ["variable", "low", "high", "seed", "values"], []);
    private static readonly KeySet Connection = new("connection", ["from", "to", "receptor", "delay_ns", "layers"], []);
    private static readonly KeySet Tensor = new("tensor", ["offset", "count"], []);
    private static readonly Dictionary<string, KeySet> Ops = new(StringComparer.Ordinal)
    {
        ["linear"] = new("linear", ["type", "out_features", "weight", "bias"], []),
        ["conv2d"] = new("conv2d", ["type", "out_channels", "kernel", "stride", "padding", "dilation", "weight", "bias"], []),
        ["avg_pool2d"] = new("avgPool2d", ["type", "kernel", "stride", "padding"], []),
        ["flatten"] = new("flatten", ["type"], []),
        ["dropout"] = new("dropout", ["type", "p"], []),
        ["batch_norm"] = new("batchNorm", ["type", "eps", "running_mean", "running_var", "weight", "bias"], []),
    };

    public static bool IsModelFile(string path)
    {
        try
        {
            using FileStream s = File.OpenRead(path);
            using JsonDocument doc = JsonDocument.Parse(s, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return doc.RootElement.ValueKind == JsonValueKind.Object
                && doc.RootElement.TryGetProperty("format", out JsonElement f)
                && f.ValueKind == JsonValueKind.String && f.GetString() == Format;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    public static string WeightsPathFor(string path) => Path.ChangeExtension(path, ".weights");

    public static void Save(LayerGraph graph, NetworkSpec spec, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string full = Path.GetFullPath(path);
        string weightsPath = WeightsPathFor(full);
        using var weights = new MemoryStream();
        using var json = new MemoryStream();
        using (var w = new Utf8JsonWriter(json, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("format", Format);
            w.WriteNumber("version", 1);
            w.WriteString("weights", Path.GetFileName(weightsPath));
            w.WriteNumber("delay_ns", graph.Delay.Ticks);
            w.WriteStartArray("layers");
            foreach (GraphNode n in graph.Nodes)
            {
                w.WriteStartObject();
                w.WriteString("name", n.Name);
                switch (n.Kind)
                {
                    case GraphNodeKind.Input:
                        w.WriteString("kind", "input");
                        WriteShape(w, n.Shape);
                        break;
                    case GraphNodeKind.MaxPool:
                        w.WriteString("kind", "max_pool2d");
                        w.WriteString("from", n.From);
                        w.WriteNumber("kernel", n.Pool.Kernel);
                        w.WriteNumber("stride", n.Pool.Stride);
                        w.WriteNumber("padding", n.Pool.Padding);
                        break;
                    default:
                        WriteNeurons(w, weights, n, spec.Populations.First(p => p.Name == n.Name));
                        break;
                }

                if (n.Record)
                {
                    w.WriteBoolean("record_spikes", true);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("connections");
            foreach (GraphConnection c in graph.Connections)
            {
                w.WriteStartObject();
                w.WriteString("from", c.From);
                w.WriteString("to", c.To);
                if (c.Receptor is { } r)
                {
                    w.WriteString("receptor", r);
                }

                if (c.Delay is { } d)
                {
                    w.WriteNumber("delay_ns", d.Ticks);
                }

                w.WriteStartArray("layers");
                foreach (LayerOp op in c.Path.Ops)
                {
                    WriteOp(w, weights, op);
                }

                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteNumber("weights_bytes", weights.Length);
            w.WriteString("weights_sha256", Convert.ToHexStringLower(SHA256.HashData(weights.GetBuffer().AsSpan(0, (int)weights.Length))));
            w.WriteEndObject();
        }

        json.WriteByte((byte)'\n');
        WriteAtomic(weightsPath, weights);
        WriteAtomic(full, json);
    }

    public static LayerGraph Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var errors = new FileErrors(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (FileNotFoundException)
        {
            throw errors.At("$", "no such file");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(bytes, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw errors.At("$", $"invalid JSON at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}");
        }

        using (doc)
        {
            ObjectNode top = new Node(doc.RootElement, "$", errors).Object(Top, "a layer model");
            Node format = top.Required("format", Format);
            if (format.String() != Format)
            {
                throw format.Error($"must be '{Format}' (a network file has no 'format' key)");
            }

            if (top.Optional("version") is Node v && v.Int(0, int.MaxValue) != 1)
            {
                throw v.Error("only version 1 is supported");
            }

            Node weightsNode = top.Required("weights", "the weights file beside the model");
            string weightsPath = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", weightsNode.NonEmptyString());
            byte[] weights;
            try
            {
                weights = File.ReadAllBytes(weightsPath);
            }
            catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
            {
                throw weightsNode.Error($"weights file {weightsPath} does not exist");
            }

            if (top.Optional("weights_bytes") is Node wb && wb.Integer(0, long.MaxValue) != weights.Length)
            {
                throw wb.Error($"the weights file {weightsPath} has {weights.Length} bytes, not {wb.Value.GetRawText()}");
            }

            if (top.Optional("weights_sha256") is Node sha && !string.Equals(sha.String(), Convert.ToHexStringLower(SHA256.HashData(weights)), StringComparison.OrdinalIgnoreCase))
            {
                throw sha.Error($"the weights file {weightsPath} does not match its SHA-256 (changed or truncated)");
            }

            var reader = new Reader(weights, weightsPath);
            SimDuration? delay = top.Optional("delay_ns") is Node dn ? SimDuration.FromTicks(dn.Integer(1, long.MaxValue)) : null;
            var graph = new LayerGraph(delay);
            Node layers = top.Required("layers").Array("an array of layers");
            foreach (Node item in layers.Items())
            {
                ReadLayer(graph, item, reader);
            }

            if (top.Optional("connections") is Node cons)
            {
                foreach (Node item in cons.Array("an array of connections").Items())
                {
                    ReadConnection(graph, item, reader);
                }
            }

            try
            {
                graph.Build();
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
            {
                throw errors.At("$", ex.Message.TrimEnd('.'));
            }

            return graph;
        }
    }

    private static void WriteShape(Utf8JsonWriter w, PopulationShape s)
    {
        w.WriteStartArray("shape");
        if (s.IsSpatial)
        {
            w.WriteNumberValue(s.Channels);
            w.WriteNumberValue(s.Height);
            w.WriteNumberValue(s.Width);
        }
        else
        {
            w.WriteNumberValue(s.Size);
        }

        w.WriteEndArray();
    }

    private static void WriteNeurons(Utf8JsonWriter w, MemoryStream weights, GraphNode n, PopulationSpec p)
    {
        NeuronModel model = p.Model!;
        if (!NeuronModels.TryGet(model.Info.Name, out NeuronModel? named) || !ReferenceEquals(named, model))
        {
            throw new InvalidOperationException($"Layer '{n.Name}': model '{model.Info.Name}' is not a registered model (NeuronModels), so a saved model could not name it.");
        }

        w.WriteString("kind", "neurons");
        WriteShape(w, n.Shape);
        w.WriteString("model", model.Info.Name);
        w.WriteStartObject("params");
        for (int i = 0; i < model.Info.Parameters.Length; i++)
        {
            w.WriteNumber(NetworkFile.ParameterKey(model.Info.Parameters[i]), p.Parameters[i]);
        }

        w.WriteEndObject();
        var perNeuron = p.PerNeuronParameters
            .Where(kv => !(kv.Key == "i_offset" && n.BiasOffset is { } b && kv.Value.AsSpan().SequenceEqual(b)))
            .OrderBy(kv => model.Info.ParameterIndex(kv.Key))
            .ToList();
        if (perNeuron.Count > 0)
        {
            w.WriteStartObject("per_neuron");
            foreach (var kv in perNeuron)
            {
                w.WritePropertyName(NetworkFile.ParameterKey(model.Info.Parameters[model.Info.ParameterIndex(kv.Key)]));
                WriteDoubles(w, weights, kv.Value.AsSpan());
            }

            w.WriteEndObject();
        }

        w.WriteString("reset", p.Reset switch { ResetMode.Subtract => "subtract", ResetMode.None => "none", _ => "to_value" });
        w.WriteString("threshold_comparison", p.Comparison == ThresholdComparison.Greater ? ">" : ">=");
        w.WriteString("refractory_end", p.RefractoryEnd == RefractoryEnd.Closed ? "closed" : "half_open");
        if (p.Execution is { } e)
        {
            w.WriteStartObject("execution");
            w.WriteString("mode", e.Mode == ExecutionMode.Event ? "event" : "clock");
            if (e.Mode == ExecutionMode.Clock)
            {
                w.WriteNumber("dt_ns", e.Dt.Ticks);
            }

            w.WriteEndObject();
        }

        if (p.Initial.Length > 0)
        {
            w.WriteStartArray("initial");
            foreach (InitialValueSpec iv in p.Initial)
            {
                w.WriteStartObject();
                w.WriteString("variable", iv.Variable);
                if (!iv.Values.IsDefaultOrEmpty)
                {
                    w.WritePropertyName("values");
                    WriteDoubles(w, weights, iv.Values.AsSpan());
                }
                else
                {
                    w.WriteNumber("low", iv.Low);
                    w.WriteNumber("high", iv.High);
                    w.WriteNumber("seed", iv.Seed);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
        }
    }

    private static void WriteOp(Utf8JsonWriter w, MemoryStream weights, LayerOp op)
    {
        w.WriteStartObject();
        switch (op.Kind)
        {
            case LayerOpKind.Linear:
                w.WriteString("type", "linear");
                w.WriteNumber("out_features", op.Ints[0]);
                WriteFloats(w, weights, "weight", op.Weights);
                WriteFloats(w, weights, "bias", op.Bias);
                break;
            case LayerOpKind.Conv2d:
                w.WriteString("type", "conv2d");
                w.WriteNumber("out_channels", op.Ints[0]);
                w.WriteNumber("kernel", op.Ints[1]);
                w.WriteNumber("stride", op.Ints[2]);
                w.WriteNumber("padding", op.Ints[3]);
                w.WriteNumber("dilation", op.Ints[4]);
                WriteFloats(w, weights, "weight", op.Weights);
                WriteFloats(w, weights, "bias", op.Bias);
                break;
            case LayerOpKind.AvgPool2d:
                w.WriteString("type", "avg_pool2d");
                w.WriteNumber("kernel", op.Ints[0]);
                w.WriteNumber("stride", op.Ints[1]);
                w.WriteNumber("padding", op.Ints[2]);
                break;
            case LayerOpKind.Flatten:
                w.WriteString("type", "flatten");
                break;
            case LayerOpKind.Dropout:
                w.WriteString("type", "dropout");
                w.WriteNumber("p", op.P);
                break;
            default:
                w.WriteString("type", "batch_norm");
                w.WriteNumber("eps", op.P);
                WriteFloats(w, weights, "running_mean", op.Mean);
                WriteFloats(w, weights, "running_var", op.Var);
                WriteFloats(w, weights, "weight", op.Gamma);
                WriteFloats(w, weights, "bias", op.Beta);
                break;
        }

        w.WriteEndObject();
    }

    private static void WriteFloats(Utf8JsonWriter w, MemoryStream weights, string key, float[]? values)
    {
        if (values is null)
        {
            return;
        }

        Pad(weights, 4);
        w.WriteStartObject(key);
        w.WriteNumber("offset", weights.Position);
        w.WriteNumber("count", values.Length);
        w.WriteEndObject();
        Span<byte> b = stackalloc byte[4];
        foreach (float v in values)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b, v);
            weights.Write(b);
        }
    }

    private static void WriteDoubles(Utf8JsonWriter w, MemoryStream weights, ReadOnlySpan<double> values)
    {
        Pad(weights, 8);
        w.WriteStartObject();
        w.WriteNumber("offset", weights.Position);
        w.WriteNumber("count", values.Length);
        w.WriteEndObject();
        Span<byte> b = stackalloc byte[8];
        foreach (double v in values)
        {
            BinaryPrimitives.WriteDoubleLittleEndian(b, v);
            weights.Write(b);
        }
    }

    private static void Pad(MemoryStream s, int alignment)
    {
        while (s.Position % alignment != 0)
        {
            s.WriteByte(0);
        }
    }

    private static void WriteAtomic(string path, MemoryStream content)
    {
        string dir = Path.GetDirectoryName(path) ?? ".";
        string temp = Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.tmp");
        try
        {
            using (FileStream f = File.Create(temp))
            {
                f.Write(content.GetBuffer().AsSpan(0, (int)content.Length));
            }

            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    private static void ReadLayer(LayerGraph graph, Node item, Reader reader)
    {
        ObjectNode any = item.ObjectAnyKeys("a layer");
        Node kindNode = any.Required("kind", "input, neurons or max_pool2d");
        string kind = kindNode.String();
        KeySet keys = kind switch
        {
            "input" => InputLayer,
            "neurons" => NeuronLayer,
            "max_pool2d" => PoolLayer,
            _ => throw kindNode.Error($"unknown layer kind '{kind}' (kinds: input, neurons, max_pool2d)"),
        };
        any.CheckKeys(keys, $"a {kind} layer");
        Node nameNode = any.Required("name");
        string name = nameNode.NonEmptyString();
        if (graph.Layers.Contains(name))
        {
            throw nameNode.Error($"a layer named '{name}' already exists");
        }

        Guard(item, () =>
        {
            switch (kind)
            {
                case "input":
                    graph.AddInput(name, ReadShape(any.Required("shape")));
                    break;
                case "max_pool2d":
                    Node from = any.Required("from");
                    string source = from.NonEmptyString();
                    if (!graph.Layers.Contains(source))
                    {
                        throw from.Error($"names unknown layer '{source}' (a pooling layer follows the layer it pools)");
                    }

                    int k = any.Required("kernel").Int(1, int.MaxValue);
                    graph.AddMaxPool2d(name, source, k, any.Optional("stride")?.Int(1, int.MaxValue), any.Optional("padding")?.Int(0, int.MaxValue) ?? 0);
                    break;
                default:
                    ReadNeurons(graph, any, name, reader);
                    break;
            }
        });

        if (any.Optional("record_spikes")?.Bool() == true)
        {
            graph.RecordSpikes(name);
        }
    }

    private static void ReadNeurons(LayerGraph graph, ObjectNode o, string name, Reader reader)
    {
        PopulationShape shape = ReadShape(o.Required("shape"));
        Node modelNode = o.Required("model");
        string modelName = modelNode.String();
        if (!NeuronModels.TryGet(modelName, out NeuronModel? model))
        {
            throw modelNode.Error($"unknown model '{modelName}' (models: {string.Join(", ", NeuronModels.Names)})");
        }

        var settings = new List<Action<PopulationOptions>>();
        var byKey = model.Info.Parameters.ToDictionary(NetworkFile.ParameterKey, StringComparer.Ordinal);
        if (o.Optional("params") is Node pn)
        {
            ObjectNode po = pn.ObjectAnyKeys("the parameters");
            foreach (string key in po.Keys)
            {
                if (!byKey.TryGetValue(key, out NeuronParameterInfo? p))
                {
                    throw po.Node.Errors.At(po.PathOf(key), ObjectNode.UnknownKey(key, byKey.Keys, $"the parameters of model '{modelName}'"));
                }

                po.TryGet(key, out Node vn);
                double value = vn.Number();
                settings.Add(x => x.Set(p.Name, value));
            }
        }

        if (o.Optional("per_neuron") is Node pp)
        {
            ObjectNode po = pp.ObjectAnyKeys("per-neuron parameters");
            foreach (string key in po.Keys)
            {
                if (!byKey.TryGetValue(key, out NeuronParameterInfo? p))
                {
                    throw po.Node.Errors.At(po.PathOf(key), ObjectNode.UnknownKey(key, byKey.Keys, $"the parameters of model '{modelName}'"));
                }

                po.TryGet(key, out Node vn);
                double[] values = reader.Doubles(vn, shape.Size);
                settings.Add(x => x.SetPerNeuron(p.Name, values));
            }
        }

        if (o.Optional("reset") is Node rn)
        {
            ResetMode mode = SpikeRuleKeys.Reset(rn);
            settings.Add(x => x.Reset(mode));
        }

        if (o.Optional("threshold_comparison") is Node tn)
        {
            ThresholdComparison c = SpikeRuleKeys.Comparison(tn);
            settings.Add(x => x.Threshold(c));
        }

        if (o.Optional("refractory_end") is Node en)
        {
            RefractoryEnd end = SpikeRuleKeys.RefractoryEnd(en);
            settings.Add(x => x.RefractoryEnd(end));
        }

        if (o.Optional("execution") is Node xn)
        {
            ObjectNode xo = xn.Object(Execution, "an execution");
            Node mode = xo.Required("mode", "event or clock");
            switch (mode.String())
            {
                case "event":
                    if (xo.Has("dt_ns"))
                    {
                        throw xo.Error("an event-driven layer has no 'dt_ns'");
                    }

                    settings.Add(x => x.EventDriven());
                    break;
                case "clock":
                    SimDuration dt = SimDuration.FromTicks(xo.Required("dt_ns", "the clock step in ns").Integer(1, long.MaxValue));
                    settings.Add(x => x.ClockDriven(dt));
                    break;
                default:
                    throw mode.Error($"unknown mode '{mode.String()}' (event, clock)");
            }
        }

        if (o.Optional("initial") is Node iv)
        {
            foreach (Node item in iv.Array("an array of initial values").Items())
            {
                ObjectNode io = item.Object(Initial, "an initial value");
                string variable = io.Required("variable").NonEmptyString();
                if (io.Optional("values") is Node vals)
                {
                    double[] values = reader.Doubles(vals, shape.Size);
                    settings.Add(x => x.InitialPerNeuron(variable, values));
                    continue;
                }

                double low = io.Required("low").Number();
                double high = io.Optional("high")?.Number() ?? low;
                ulong seed = io.Optional("seed")?.Seed() ?? 0;
                settings.Add(low == high ? x => x.Initial(variable, low) : x => x.InitialUniform(variable, low, high, seed));
            }
        }

        graph.AddNeurons(name, shape, model, x =>
        {
            foreach (Action<PopulationOptions> s in settings)
            {
                s(x);
            }
        });
    }

    private static void ReadConnection(LayerGraph graph, Node item, Reader reader)
    {
        ObjectNode o = item.Object(Connection, "a connection");
        Node fromNode = o.Required("from"), toNode = o.Required("to");
        string from = fromNode.NonEmptyString(), to = toNode.NonEmptyString();
        foreach ((Node n, string s) in new[] { (fromNode, from), (toNode, to) })
        {
            if (!graph.Layers.Contains(s))
            {
                throw n.Error($"names unknown layer '{s}' (layers: {string.Join(", ", graph.Layers)})");
            }
        }

        string? receptor = o.Optional("receptor")?.NonEmptyString();
        SimDuration? delay = o.Optional("delay_ns") is Node dn ? SimDuration.FromTicks(dn.Integer(1, long.MaxValue)) : null;
        Node? ops = o.Optional("layers")?.Array("an array of layers");
        Guard(item, () => graph.AddConnection(from, to, path =>
        {
            if (ops is Node list)
            {
                foreach (Node op in list.Items())
                {
                    Guard(op, () => ReadOp(path, op, reader));
                }
            }

            return path;
        }, receptor, delay));
    }

    private static void ReadOp(LayerPath path, Node node, Reader reader)
    {
        ObjectNode any = node.ObjectAnyKeys("a layer");
        Node typeNode = any.Required("type", string.Join(", ", Ops.Keys));
        string type = typeNode.String();
        if (!Ops.TryGetValue(type, out KeySet? keys))
        {
            throw typeNode.Error($"unknown layer type '{type}' (types: {string.Join(", ", Ops.Keys)})");
        }

        any.CheckKeys(keys, $"a {type} layer");
        switch (type)
        {
            case "linear":
            {
                int outF = any.Required("out_features").Int(1, int.MaxValue);
                float[] w = reader.Floats(any.Required("weight"), (long)outF * path.Shape.Size);
                float[]? b = any.Optional("bias") is Node bn ? reader.Floats(bn, outF) : null;
                path.Linear(outF, w, b);
                break;
            }

            case "conv2d":
            {
                int outC = any.Required("out_channels").Int(1, int.MaxValue);
                int k = any.Required("kernel").Int(1, int.MaxValue);
                int s = any.Optional("stride")?.Int(1, int.MaxValue) ?? 1;
                int p = any.Optional("padding")?.Int(0, int.MaxValue) ?? 0;
                int d = any.Optional("dilation")?.Int(1, int.MaxValue) ?? 1;
                float[] w = reader.Floats(any.Required("weight"), (long)outC * path.Shape.Channels * k * k);
                float[]? b = any.Optional("bias") is Node bn ? reader.Floats(bn, outC) : null;
                path.Conv2d(outC, k, s, p, d, w, b);
                break;
            }

            case "avg_pool2d":
            {
                int k = any.Required("kernel").Int(1, int.MaxValue);
                path.AvgPool2d(k, any.Optional("stride")?.Int(1, int.MaxValue), any.Optional("padding")?.Int(0, int.MaxValue) ?? 0);
                break;
            }

            case "flatten":
                path.Flatten();
                break;
            case "dropout":
                path.Dropout(any.Optional("p")?.Number() ?? 0.5);
                break;
            default:
            {
                int c = path.Shape.IsSpatial ? path.Shape.Channels : path.Shape.Size;
                float[] mean = reader.Floats(any.Required("running_mean"), c);
                float[] var = reader.Floats(any.Required("running_var"), c);
                float[]? gamma = any.Optional("weight") is Node g ? reader.Floats(g, c) : null;
                float[]? beta = any.Optional("bias") is Node bb ? reader.Floats(bb, c) : null;
                path.BatchNorm(mean, var, gamma, beta, any.Optional("eps")?.Number() ?? 1e-5);
                break;
            }
        }
    }

    private static PopulationShape ReadShape(Node node)
    {
        int[] dims = node.Ints(1, int.MaxValue);
        return dims.Length switch
        {
            1 => PopulationShape.Linear(dims[0]),
            3 when (long)dims[0] * dims[1] * dims[2] <= int.MaxValue => new PopulationShape(dims[0], dims[1], dims[2]),
            _ => throw node.Error("expected [size] or [channels, height, width] (at most 2^31 − 1 elements)"),
        };
    }

    /// <summary>Runs a layer call, turning an argument error into a file error at <paramref name="at"/>.</summary>
    private static void Guard(Node at, Action action)
    {
        try
        {
            action();
        }
        catch (ArgumentException ex) when (ex is not ArgumentNullException)
        {
            string message = ex.ParamName is null ? ex.Message : ex.Message.Replace($" (Parameter '{ex.ParamName}')", string.Empty, StringComparison.Ordinal);
            int newline = message.IndexOf('\n', StringComparison.Ordinal);
            throw at.Error((newline >= 0 ? message[..newline] : message).TrimEnd('.', '\r'));
        }
    }

    /// <summary>Reads tensor references out of the weights file.</summary>
    private sealed class Reader(byte[] weights, string path)
    {
        public float[] Floats(Node node, long expected)
        {
            (long offset, long count) = Ref(node, expected, 4);
            float[] r = new float[count];
            for (long i = 0; i < count; i++)
            {
                r[i] = BinaryPrimitives.ReadSingleLittleEndian(weights.AsSpan((int)(offset + (4 * i)), 4));
                if (!float.IsFinite(r[i]))
                {
                    throw node.Error($"value {i} in {path} is not finite");
                }
            }

            return r;
        }

        public double[] Doubles(Node node, long expected)
        {
            (long offset, long count) = Ref(node, expected, 8);
            double[] r = new double[count];
            for (long i = 0; i < count; i++)
            {
                r[i] = BinaryPrimitives.ReadDoubleLittleEndian(weights.AsSpan((int)(offset + (8 * i)), 8));
                if (!double.IsFinite(r[i]))
                {
                    throw node.Error($"value {i} in {path} is not finite");
                }
            }

            return r;
        }

        private (long Offset, long Count) Ref(Node node, long expected, int size)
        {
            ObjectNode o = node.Object(Tensor, "a tensor reference {offset, count}");
            Node on = o.Required("offset", "bytes into the weights file"), cn = o.Required("count", "the number of values");
            long offset = on.Integer(0, long.MaxValue), count = cn.Integer(0, int.MaxValue);
            if (count != expected)
            {
                throw cn.Error($"the layer needs {expected.ToString(CultureInfo.InvariantCulture)} values, not {count.ToString(CultureInfo.InvariantCulture)}");
            }

            if (offset % size != 0)
            {
                throw on.Error($"must be a multiple of {size} (the size of one value)");
            }

            if (offset + (count * size) > weights.Length)
            {
                throw on.Error($"{count} values of {size} bytes from byte {offset} run past the end of {path} ({weights.Length} bytes)");
            }

            return (offset, count);
        }
    }
}
