using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using EventSnn.Events;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// Reads one network file into a <see cref="NetworkBuilder"/>: every value is checked where it is read, so that an error
/// names its JSON path; the builder's own validation errors are mapped back to paths.
/// </summary>
internal sealed partial class NetworkFileReader
{
    private static readonly (string Name, EventFormat Format)[] Formats =
    [
        ("aedat2", EventFormat.Aedat2), ("aedat3", EventFormat.Aedat3), ("aedat4", EventFormat.Aedat4), ("evt2", EventFormat.Evt2),
        ("evt3", EventFormat.Evt3), ("dat", EventFormat.Dat), ("nmnist", EventFormat.NMnistBin),
    ];

    private static readonly string[] Rules = ["all_to_all", "one_to_one", "fixed_probability", "fixed_total_number", "explicit", "conv2d", "max_pool2d", "avg_pool2d"];

    /// <summary>The most neurons whose normal initial values the loader draws (they are stored per neuron: 8 bytes each).</summary>
    internal const int MaxNormalDraws = 1 << 26;

    /// <summary>The most sources a spike-source population may have (each holds its own list of times).</summary>
    internal const int MaxSpikeSources = 1 << 24;

    private readonly FileErrors _errors;
    private readonly string _baseDirectory;
    private readonly Dictionary<string, NeuronModel> _models = new(StringComparer.Ordinal);
    private readonly List<Pop> _pops = [];
    private readonly Dictionary<string, int> _popIndex = new(StringComparer.Ordinal);
    private readonly List<Proj> _projs = [];
    private readonly HashSet<string> _rewardProjections = new(StringComparer.Ordinal);
    private readonly List<ObjectNode> _monitors = [];

    public NetworkFileReader(string file, string baseDirectory, NetworkFileOptions options)
    {
        _errors = new FileErrors(file);
        _baseDirectory = baseDirectory;
        foreach (NeuronModel m in NetworkFile.BuiltInModels)
        {
            _models[m.Info.Name] = m;
        }

        foreach (NeuronModel m in options.Models ?? [])
        {
            ArgumentNullException.ThrowIfNull(m, nameof(options));
            if (_models.TryGetValue(m.Info.Name, out NeuronModel? existing) && !ReferenceEquals(existing, m))
            {
                throw new ArgumentException($"Model name '{m.Info.Name}' is already taken by another model.", nameof(options));
            }

            _models[m.Info.Name] = m;
        }
    }

    private enum PopKind
    {
        Neurons,
        SpikeSource,
        Poisson,
        External,
    }

    public NetworkFile Read(byte[] utf8)
    {
        int start = utf8.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]) ? 3 : 0;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(utf8.AsMemory(start), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip, MaxDepth = 64 });
        }
        catch (JsonException ex)
        {
            throw _errors.At(ex.Path ?? "$", $"invalid JSON at line {(ex.LineNumber ?? 0) + 1}, column {(ex.BytePositionInLine ?? 0) + 1}: {FirstSentence(ex.Message)}");
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            throw _errors.At("$", $"invalid JSON: {FirstSentence(ex.Message)}");
        }

        using (doc)
        {
            return ReadNetwork(new Node(doc.RootElement, "$", _errors));
        }
    }

    private NetworkFile ReadNetwork(Node rootNode)
    {
        ObjectNode root = rootNode.Object(NetworkFileKeys.Network);
        if (root.Optional("version") is Node version && version.Integer(0, long.MaxValue) != 1)
        {
            throw version.Error($"unsupported version {version.Value.GetRawText()} (this EventSnn reads version 1)");
        }

        _ = root.Optional("$schema")?.String();
        string? name = root.Optional("name")?.String();
        string? description = root.Optional("description")?.String();
        SimDuration? duration = null;
        if (root.Time("duration") is (Node dn, long du))
        {
            long ticks = dn.Ticks(du);
            if (ticks < 1)
            {
                throw dn.Error($"must be > 0 (got {dn.Value.GetRawText()})");
            }

            duration = SimDuration.FromTicks(ticks);
        }

        var builder = new NetworkBuilder();
        Node pops = root.Required("populations", "a list of populations").Array("an array of populations");
        if (pops.Length == 0)
        {
            throw pops.Error("must list at least one population");
        }

        foreach (Node p in pops.Items())
        {
            ReadPopulation(p, builder);
        }

        if (root.Optional("projections") is Node projections)
        {
            foreach (Node p in projections.Array("an array of projections").Items())
            {
                ReadProjection(p, builder);
            }
        }

        if (root.Optional("lateral_inhibition") is Node lateral)
        {
            foreach (Node l in lateral.Array("an array of lateral inhibitions").Items())
            {
                ReadLateralInhibition(l, builder);
            }
        }

        if (root.Optional("monitors") is Node monitors)
        {
            foreach (Node m in monitors.Array("an array of monitors").Items())
            {
                ReadMonitor(m, builder);
            }
        }

        var inputs = ImmutableArray.CreateBuilder<EventFileInput>();
        if (root.Optional("event_inputs") is Node eventInputs)
        {
            foreach (Node e in eventInputs.Array("an array of event inputs").Items())
            {
                inputs.Add(ReadEventInput(e));
            }
        }

        var rewards = ImmutableArray.CreateBuilder<RewardInput>();
        if (root.Optional("rewards") is Node rewardList)
        {
            foreach (Node r in rewardList.Array("an array of rewards").Items())
            {
                RewardInput reward = ReadReward(r);
                if (rewards.Count > 0 && reward.At < rewards[^1].At)
                {
                    throw r.Error($"rewards must be listed in time order ({reward.At} comes after {rewards[^1].At})");
                }

                rewards.Add(reward);
            }
        }

        NetworkSpec spec;
        try
        {
            spec = builder.Build();
        }
        catch (NetworkValidationException ex)
        {
            throw new NetworkFileException(_errors.File, [.. ex.Errors.Select(MapBuilderError)]);
        }

        return new NetworkFile(_errors.File, _baseDirectory, name, description, spec, duration, inputs.ToImmutable()) { Rewards = rewards.ToImmutable() };
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Populations

    private void ReadPopulation(Node node, NetworkBuilder builder)
    {
        ObjectNode any = node.ObjectAnyKeys("a population object");
        string kindText = any.Optional("kind")?.String() ?? "neurons";
        (PopKind kind, KeySet keys) = kindText switch
        {
            "neurons" => (PopKind.Neurons, NetworkFileKeys.NeuronPopulation),
            "spike_source" => (PopKind.SpikeSource, NetworkFileKeys.SpikeSourcePopulation),
            "poisson" => (PopKind.Poisson, NetworkFileKeys.PoissonPopulation),
            "external" => (PopKind.External, NetworkFileKeys.ExternalPopulation),
            _ => throw any.Required("kind").Error($"unknown population kind '{kindText}' (kinds: neurons, spike_source, poisson, external)"),
        };
        any.CheckKeys(keys, $"a {kindText} population");
        _ = any.Optional("description")?.String();
        Node nameNode = any.Required("name");
        string name = nameNode.NonEmptyString();
        if (!PopulationName().IsMatch(name))
        {
            throw nameNode.Error($"population names use letters, digits, '_', '-' and '.', starting with a letter or '_' (got \"{name}\")");
        }

        if (_popIndex.TryGetValue(name, out int other))
        {
            throw nameNode.Error($"population name '{name}' is already used by {_pops[other].Path}");
        }

        var pop = new Pop(_pops.Count, name, kind, any.Path);
        switch (kind)
        {
            case PopKind.Neurons:
                ReadNeurons(any, pop, builder);
                break;
            case PopKind.SpikeSource:
                ReadSpikeSource(any, pop, builder);
                break;
            case PopKind.Poisson:
                pop.Shape = PopulationShape.Linear(any.Required("size").Int(1, int.MaxValue));
                ReadPoisson(any, pop, builder);
                break;
            default:
                pop.Shape = ReadShape(any);
                builder.AddExternalInput(name, pop.Shape);
                break;
        }

        _popIndex[name] = pop.Index;
        _pops.Add(pop);
    }

    private static PopulationShape ReadShape(ObjectNode o)
    {
        Node? size = o.Optional("size");
        Node? shape = o.Optional("shape");
        if (size is Node && shape is Node s0)
        {
            throw s0.Error("give 'size' or 'shape', not both");
        }

        if (shape is Node s)
        {
            s.Array("an array [channels, height, width]");
            if (s.Length != 3)
            {
                throw s.Error($"expected [channels, height, width], got {s.Length} values");
            }

            int c = s.Item(0).Int(1, int.MaxValue), h = s.Item(1).Int(1, int.MaxValue), w = s.Item(2).Int(1, int.MaxValue);
            if ((long)c * h * w > int.MaxValue)
            {
                throw s.Error($"channels·height·width = {(long)c * h * w} exceeds 2147483647 neurons");
            }

            return new PopulationShape(c, h, w);
        }

        if (size is Node n)
        {
            return PopulationShape.Linear(n.Int(1, int.MaxValue));
        }

        throw o.Error("missing key 'size' (or 'shape': [channels, height, width])");
    }

    private void ReadNeurons(ObjectNode o, Pop pop, NetworkBuilder builder)
    {
        Node modelNode = o.Required("model", $"one of {string.Join(", ", _models.Keys)}");
        string modelName = modelNode.String();
        if (!_models.TryGetValue(modelName, out NeuronModel? model))
        {
            throw modelNode.Error($"unknown model '{modelName}' (models: {string.Join(", ", _models.Keys)})");
        }

        NeuronModelInfo info = model.Info;
        pop.Model = model;
        pop.Shape = ReadShape(o);
        int size = pop.Shape.Size;
        var settings = new List<Action<PopulationOptions>>();

        if (o.Optional("params") is Node paramsNode)
        {
            ObjectNode po = paramsNode.ObjectAnyKeys("an object of parameters");
            var byKey = info.Parameters.ToDictionary(NetworkFile.ParameterKey, StringComparer.Ordinal);
            foreach (string key in po.Keys)
            {
                if (!byKey.TryGetValue(key, out NeuronParameterInfo? p))
                {
                    throw _errors.At(po.PathOf(key), ObjectNode.UnknownKey(key, byKey.Keys, $"the parameters of model '{info.Name}'"));
                }

                po.TryGet(key, out Node v);
                if (v.IsArray)
                {
                    double[] values = v.Numbers(size, "(one per neuron)");
                    for (int j = 0; j < values.Length; j++)
                    {
                        if (p.Check(values[j]) is string why)
                        {
                            throw v.Item(j).Error(why);
                        }
                    }

                    settings.Add(x => x.SetPerNeuron(p.Name, values));
                }
                else
                {
                    double value = v.Number();
                    if (p.Check(value) is string why)
                    {
                        throw v.Error(why);
                    }

                    settings.Add(x => x.Set(p.Name, value));
                }
            }
        }

        if (o.Optional("reset") is Node resetNode)
        {
            ResetMode reset = SpikeRuleKeys.Reset(resetNode);
            if (!info.SupportedResets.Contains(reset))
            {
                throw resetNode.Error($"model '{info.Name}' does not support this reset");
            }

            settings.Add(x => x.Reset(reset));
        }

        if (o.Optional("threshold_comparison") is Node cmpNode)
        {
            ThresholdComparison cmp = SpikeRuleKeys.Comparison(cmpNode);
            settings.Add(x => x.Threshold(cmp));
        }

        if (o.Optional("refractory_end") is Node endNode)
        {
            RefractoryEnd end = SpikeRuleKeys.RefractoryEnd(endNode);
            settings.Add(x => x.RefractoryEnd(end));
        }

        if (o.Optional("execution") is Node execNode)
        {
            ObjectNode eo = execNode.Object(NetworkFileKeys.Execution, "an execution");
            Node modeNode = eo.Required("mode", "event or clock");
            switch (modeNode.String())
            {
                case "event":
                    if (eo.Time("dt") is (Node dtNode, long _))
                    {
                        throw dtNode.Error("only clock-driven execution takes a step (remove it, or set \"mode\": \"clock\")");
                    }

                    settings.Add(x => x.EventDriven());
                    break;
                case "clock":
                    (Node dn, long du) = eo.RequiredTime("dt");
                    long dt = dn.Ticks(du);
                    if (dt < 1)
                    {
                        throw dn.Error($"must be ≥ 1 tick (1 ns) (got {dn.Value.GetRawText()})");
                    }

                    settings.Add(x => x.ClockDriven(SimDuration.FromTicks(dt)));
                    break;
                case string s:
                    throw modeNode.Error($"unknown execution mode '{s}' (modes: event, clock)");
            }
        }

        if (o.Optional("poisson_input") is Node piNode)
        {
            foreach (Node item in piNode.Array("an array of Poisson inputs").Items())
            {
                settings.Add(ReadPoissonInput(item, info));
            }
        }

        if (o.Optional("initial") is Node initNode)
        {
            ObjectNode io = initNode.ObjectAnyKeys("an object of initial values");
            var byKey = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int j = 0; j < info.StateVariables.Length; j++)
            {
                byKey[NetworkFile.StateKey(info, j)] = info.StateVariables[j];
            }

            foreach (string key in io.Keys)
            {
                if (!byKey.TryGetValue(key, out string? variable))
                {
                    throw _errors.At(io.PathOf(key), ObjectNode.UnknownKey(key, byKey.Keys, $"the state variables of model '{info.Name}'"));
                }

                io.TryGet(key, out Node v);
                settings.Add(ReadInitial(v, variable, size));
            }
        }

        if (pop.Shape.IsSpatial)
        {
            builder.AddNeurons(pop.Name, pop.Shape, model, x => settings.ForEach(s => s(x)));
        }
        else
        {
            builder.AddNeurons(pop.Name, size, model, x => settings.ForEach(s => s(x)));
        }
    }

    /// <summary><c>{"receptor": r, "rate_hz": ν, "sources": K, "weight": w, "seed": s}</c>: <see cref="PopulationOptions.PoissonInput"/>.</summary>
    private static Action<PopulationOptions> ReadPoissonInput(Node item, NeuronModelInfo info)
    {
        ObjectNode po = item.Object(NetworkFileKeys.PoissonInput, "a Poisson input");
        Node receptorNode = po.Required("receptor", "the receptor the input is added to");
        string receptor = receptorNode.String();
        if (info.ReceptorIndex(receptor) < 0)
        {
            throw receptorNode.Error($"'{receptor}' is not a receptor of model '{info.Name}' (receptors: {string.Join(", ", info.Receptors)})");
        }

        Node rateNode = po.Required("rate_hz", "the rate of each source");
        double rate = rateNode.Number();
        if (!(rate >= 0 && rate <= Units.TicksPerSecond))
        {
            throw rateNode.Error($"must be in 0..1e9 Hz (got {Fmt(rate)})");
        }

        int sources = po.Optional("sources") is Node sn ? sn.Int(1, int.MaxValue) : 1;
        double weight = po.Required("weight", "the weight of one source spike").Number();
        ulong seed = po.Required("seed", "the seed of the draws").Seed();
        return x => x.PoissonInput(receptor, rate, sources, weight, seed);
    }

    private static Action<PopulationOptions> ReadInitial(Node v, string variable, int size)
    {
        if (v.IsNumber)
        {
            double value = v.Number();
            return x => x.Initial(variable, value);
        }

        if (v.IsArray)
        {
            double[] values = v.Numbers(size, "(one per neuron)");
            return x => x.InitialPerNeuron(variable, values);
        }

        if (!v.IsObject)
        {
            throw v.Error($"expected a number, an array (one value per neuron), {{\"uniform\": [low, high], \"seed\": n}} or {{\"normal\": {{\"mean\": m, \"sd\": s}}, \"seed\": n}}; got {Node.Describe(v.Value)}");
        }

        ObjectNode probe = v.ObjectAnyKeys();
        if (probe.Has("normal"))
        {
            ObjectNode no = v.Object(NetworkFileKeys.Normal, "a normal draw");
            ObjectNode np = no.Required("normal").Object(NetworkFileKeys.NormalParameters, "the normal distribution");
            double mean = np.Required("mean").Number();
            Node sdNode = np.Required("sd");
            double sd = sdNode.Number();
            if (sd < 0)
            {
                throw sdNode.Error($"must be ≥ 0 (got {sd.ToString("R", CultureInfo.InvariantCulture)})");
            }

            ulong seed = no.Required("seed").Seed();
            if (size > MaxNormalDraws)
            {
                throw no.Required("normal").Error($"normal initial values are drawn per neuron when the file is loaded: at most {MaxNormalDraws} neurons (this population has {size}); use a uniform draw");
            }

            double[] values = DrawNormal(size, mean, sd, seed);
            return x => x.InitialPerNeuron(variable, values);
        }

        (double low, double high, ulong useed) = ReadUniform(v, "an initial value");
        return x => x.InitialUniform(variable, low, high, useed);
    }

    /// <summary>
    /// Draws <paramref name="count"/> normal values with the Box–Muller transform on a xoshiro256** stream: pair k uses
    /// u₁ ∈ (0, 1], u₂ ∈ [0, 1) and gives mean + sd·√(−2 ln u₁)·(cos 2πu₂, sin 2πu₂).
    /// </summary>
    internal static double[] DrawNormal(int count, double mean, double sd, ulong seed)
    {
        var rng = new Xoshiro256(seed);
        var values = new double[count];
        for (int j = 0; j < count; j += 2)
        {
            double r = Math.Sqrt(-2 * Math.Log(rng.NextDoubleNonZero()));
            double a = 2 * Math.PI * rng.NextDouble();
            values[j] = mean + (sd * r * Math.Cos(a));
            if (j + 1 < count)
            {
                values[j + 1] = mean + (sd * r * Math.Sin(a));
            }
        }

        return values;
    }

    private static (double Low, double High, ulong Seed) ReadUniform(Node v, string what)
    {
        if (!v.IsObject || !v.ObjectAnyKeys().Has("uniform"))
        {
            throw v.Error($"expected a number or {{\"uniform\": [low, high], \"seed\": n}} for {what}, got {Node.Describe(v.Value)}");
        }

        ObjectNode uo = v.Object(NetworkFileKeys.Uniform, "a uniform draw");
        Node range = uo.Required("uniform").Array("an array [low, high]");
        if (range.Length != 2)
        {
            throw range.Error($"expected [low, high], got {range.Length} values");
        }

        double low = range.Item(0).Number(), high = range.Item(1).Number();
        if (high < low)
        {
            throw range.Error($"low must be ≤ high (got [{Fmt(low)}, {Fmt(high)}])");
        }

        return (low, high, uo.Required("seed", "the seed of the draw").Seed());
    }

    /// <summary><c>{"normal": {"mean": m, "sd": s}, "min"?: a, "max"?: b, "seed": n}</c>: a normal weight draw, redrawn outside [min, max].</summary>
    private static (double Mean, double Sd, double Min, double Max, ulong Seed) ReadNormalWeight(Node v)
    {
        ObjectNode no = v.Object(NetworkFileKeys.WeightNormal, "a normal draw");
        ObjectNode np = no.Required("normal").Object(NetworkFileKeys.NormalParameters, "the normal distribution");
        Node meanNode = np.Required("mean");
        double mean = meanNode.Number();
        if (Math.Abs(mean) > float.MaxValue)
        {
            throw meanNode.Error($"is outside the float range (got {Fmt(mean)})");
        }

        Node sdNode = np.Required("sd");
        double sd = sdNode.Number();
        if (sd < 0)
        {
            throw sdNode.Error($"must be ≥ 0 (got {Fmt(sd)})");
        }

        double min = no.Optional("min")?.Number() ?? double.NegativeInfinity;
        double max = no.Optional("max")?.Number() ?? double.PositiveInfinity;
        if (max < min)
        {
            throw no.Required("max").Error($"must be ≥ min (got min {Fmt(min)}, max {Fmt(max)})");
        }

        if (min > mean + (3 * sd) || max < mean - (3 * sd))
        {
            throw no.Error($"keeps [{Fmt(min)}, {Fmt(max)}], which must overlap mean ± 3 sd ([{Fmt(mean - (3 * sd))}, {Fmt(mean + (3 * sd))}]) so that redrawing ends");
        }

        return (mean, sd, min, max, no.Required("seed", "the seed of the draw").Seed());
    }

    /// <summary>
    /// <c>{"normal": {"mean": m, "sd": s}, "min"?: a, "max"?: b, "step": d, "seed": n}</c> in the unit of the delay key: a
    /// normal delay draw, redrawn outside [min, max] (min defaults to half a step), rounded to whole steps.
    /// </summary>
    private static DelaySpec ReadNormalDelay(Node v, long unitTicks)
    {
        ObjectNode no = v.Object(NetworkFileKeys.DelayNormal, "a normal draw");
        ObjectNode np = no.Required("normal").Object(NetworkFileKeys.NormalParameters, "the normal distribution");
        Node meanNode = np.Required("mean");
        long mean = CheckDelay(meanNode, meanNode.Ticks(unitTicks));
        Node sdNode = np.Required("sd");
        if (sdNode.Number() < 0)
        {
            throw sdNode.Error($"must be ≥ 0 (got {Fmt(sdNode.Number())})");
        }

        long sd = sdNode.Ticks(unitTicks);
        Node stepNode = no.Required("step", "the resolution delays are rounded to (the clock-driven populations' dt)");
        long step = CheckDelay(stepNode, stepNode.Ticks(unitTicks));
        long min = (step + 1) / 2;
        if (no.Optional("min") is Node minNode)
        {
            min = minNode.Ticks(unitTicks);
            if (2 * min < step)
            {
                throw minNode.Error($"must be ≥ half a step, so that every delay rounds to at least one step (got {minNode.Value.GetRawText()}, step {stepNode.Value.GetRawText()})");
            }
        }

        long max = long.MaxValue / 4;
        if (no.Optional("max") is Node maxNode)
        {
            max = maxNode.Ticks(unitTicks);
            if (max < min)
            {
                throw maxNode.Error("must be ≥ min");
            }
        }

        if (min > mean + (3.0 * sd) || max < mean - (3.0 * sd))
        {
            throw no.Error("keeps [min, max], which must overlap mean ± 3 sd so that redrawing ends");
        }

        return DelaySpec.Normal(SimDuration.FromTicks(mean), SimDuration.FromTicks(sd), SimDuration.FromTicks(min), SimDuration.FromTicks(step), no.Required("seed", "the seed of the draw").Seed(), SimDuration.FromTicks(max));
    }

    private void ReadSpikeSource(ObjectNode o, Pop pop, NetworkBuilder builder)
    {
        int? size = o.Optional("size") is Node sn ? sn.Int(1, MaxSpikeSources) : null;
        var inline = o.Time("spike_times");
        Node? csv = o.Optional("csv");
        SimTime[][] times;
        if (inline is (Node tn, long tu))
        {
            if (csv is Node c)
            {
                throw c.Error("give the spike times inline or in a CSV file, not both");
            }

            tn.Array("an array with one array of times per source");
            if (tn.Length > MaxSpikeSources)
            {
                throw tn.Error($"lists {tn.Length} sources; a spike source has at most {MaxSpikeSources}");
            }

            times = new SimTime[tn.Length][];
            int j = 0;
            foreach (Node list in tn.Items())
            {
                list.Array("an array of spike times");
                var t = new SimTime[list.Length];
                int k = 0;
                foreach (Node item in list.Items())
                {
                    long ticks = item.Ticks(tu);
                    if (ticks < 0 || (k > 0 && ticks < t[k - 1].Ticks))
                    {
                        throw item.Error(ticks < 0 ? $"spike times must be ≥ 0 (got {item.Value.GetRawText()})" : "spike times of a source must be ascending");
                    }

                    t[k++] = SimTime.FromTicks(ticks);
                }

                times[j++] = t;
            }

            if (size is int n && n != times.Length)
            {
                throw o.Required("size").Error($"is {n} but the spike times list {times.Length} sources");
            }
        }
        else if (csv is Node c)
        {
            string path = Resolve(c);
            try
            {
                times = SpikeTimesCsv.Read(path, size);
            }
            catch (FormatException ex)
            {
                throw c.Error(ex.Message.TrimEnd('.'));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw c.Error(ex is FileNotFoundException or DirectoryNotFoundException ? $"file not found: {path}" : $"cannot read {path}: {ex.Message}");
            }
        }
        else
        {
            throw o.Error("missing key 'spike_times_ms' (or another unit) or 'csv'");
        }

        if (times.Length == 0)
        {
            throw o.Error("a spike source needs at least one source (give 'size')");
        }

        pop.Shape = PopulationShape.Linear(times.Length);
        builder.AddSpikeSource(pop.Name, times);
    }

    private static void ReadPoisson(ObjectNode o, Pop pop, NetworkBuilder builder)
    {
        Node rateNode = o.Required("rate_hz");
        double rate = rateNode.Number();
        if (rate < 0 || rate > Units.TicksPerSecond)
        {
            throw rateNode.Error($"must be in 0..1e9 Hz (got {Fmt(rate)})");
        }

        ulong seed = o.Required("seed", "the seed of the generators").Seed();
        SimTime? start = null, stop = null;
        if (o.Time("start") is (Node an, long au))
        {
            long t = an.Ticks(au);
            start = t >= 0 ? SimTime.FromTicks(t) : throw an.Error($"must be ≥ 0 (got {an.Value.GetRawText()})");
        }

        if (o.Time("stop") is (Node on, long ou))
        {
            long t = on.Ticks(ou);
            if (t < (start ?? SimTime.Zero).Ticks)
            {
                throw on.Error($"must be ≥ start (got {on.Value.GetRawText()})");
            }

            stop = SimTime.FromTicks(t);
        }

        builder.AddPoisson(pop.Name, pop.Shape.Size, rate, seed, start, stop);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Projections

    private void ReadProjection(Node node, NetworkBuilder builder)
    {
        ObjectNode o = node.Object(NetworkFileKeys.Projection, "a projection");
        _ = o.Optional("description")?.String();
        Pop pre = Population(o.Required("pre"));
        Node postNode = o.Required("post");
        Pop post = Population(postNode);
        if (post.Model is null)
        {
            throw postNode.Error($"population '{post.Name}' is a {KindName(post.Kind)} population; projections must target model neurons");
        }

        NeuronModelInfo info = post.Model.Info;
        string name = $"{pre.Name}->{post.Name}";
        if (o.Optional("name") is Node nameNode)
        {
            name = nameNode.NonEmptyString();
            if (name.IndexOfAny(['\'', '"', '\r', '\n']) >= 0)
            {
                throw nameNode.Error("projection names must not contain quotes or line breaks");
            }
        }

        if (_projs.FirstOrDefault(p => p.Name == name) is Proj dup)
        {
            throw (o.Optional("name") ?? o.Node).Error(o.Has("name")
                ? $"projection name '{name}' is already used by {dup.Path}"
                : $"a projection from '{pre.Name}' to '{post.Name}' already exists ({dup.Path}): give each a distinct 'name'");
        }

        var settings = new List<Action<ProjectionOptions>> { x => x.Named(name) };
        if (o.Optional("receptor") is Node receptorNode)
        {
            string receptor = receptorNode.String();
            if (info.ReceptorIndex(receptor) < 0)
            {
                throw receptorNode.Error($"'{receptor}' is not a receptor of model '{info.Name}' (receptors: {string.Join(", ", info.Receptors)})");
            }

            settings.Add(x => x.Receptor(receptor));
        }

        if (o.Optional("weight") is Node wn)
        {
            if (wn.IsNumber)
            {
                double w = CheckWeight(wn, wn.Number(), info);
                settings.Add(x => x.Weight(w));
            }
            else if (wn.IsObject && wn.ObjectAnyKeys().Has("normal"))
            {
                (double mean, double sd, double min, double max, ulong seed) = ReadNormalWeight(wn);
                settings.Add(x => x.WeightNormal(mean, sd, seed, min, max));
            }
            else
            {
                (double low, double high, ulong seed) = ReadUniform(wn, "a weight");
                CheckWeight(wn, low, info);
                CheckWeight(wn, high, info);
                settings.Add(x => x.WeightUniform(low, high, seed));
            }
        }

        if (o.Time("delay") is (Node dn, long du))
        {
            if (dn.IsNumber)
            {
                long d = CheckDelay(dn, dn.Ticks(du));
                settings.Add(x => x.Delay(SimDuration.FromTicks(d)));
            }
            else if (dn.IsObject && dn.ObjectAnyKeys().Has("normal"))
            {
                DelaySpec nd = ReadNormalDelay(dn, du);
                settings.Add(x => x.DelayNormal(nd.Mean, nd.StandardDeviation, nd.Low, nd.Step, nd.Seed, nd.High));
            }
            else
            {
                if (!dn.IsObject || !dn.ObjectAnyKeys().Has("uniform"))
                {
                    throw dn.Error($"expected a number, {{\"uniform\": [low, high], \"seed\": n}} or {{\"normal\": {{\"mean\": m, \"sd\": s}}, \"min\": d, \"step\": d, \"seed\": n}}, got {Node.Describe(dn.Value)}");
                }

                ObjectNode uo = dn.Object(NetworkFileKeys.Uniform, "a uniform draw");
                Node range = uo.Required("uniform").Array("an array [low, high]");
                if (range.Length != 2)
                {
                    throw range.Error($"expected [low, high], got {range.Length} values");
                }

                long low = CheckDelay(range.Item(0), range.Item(0).Ticks(du));
                long high = CheckDelay(range.Item(1), range.Item(1).Ticks(du));
                if (high < low)
                {
                    throw range.Error("low must be ≤ high");
                }

                ulong seed = uo.Required("seed", "the seed of the draw").Seed();
                settings.Add(x => x.DelayUniform(SimDuration.FromTicks(low), SimDuration.FromTicks(high), seed));
            }
        }

        ConnectivitySpec connectivity = ReadConnectivity(o.Required("connectivity", $"an object with a 'rule': {string.Join(", ", Rules)}"), pre, post, info, o);
        if (o.Optional("plasticity") is Node plasticity)
        {
            PlasticitySpec rule = ReadPlasticity(plasticity);
            settings.Add(x => x.Plasticity(rule));
            if (rule.UsesReward)
            {
                _rewardProjections.Add(name);
            }
        }

        if (o.Optional("normalize_weights") is Node normalize)
        {
            double total = normalize.Number();
            if (!(total > 0))
            {
                throw normalize.Error($"must be > 0 (got {Fmt(total)})");
            }

            settings.Add(x => x.NormalizeWeights(total));
        }

        _projs.Add(new Proj(name, o.Path, o));
        builder.Connect(pre.Name, post.Name, connectivity, x => settings.ForEach(s => s(x)));
    }

    /// <summary><c>{"population": P, "weight": w, "receptor"?: r, "delay_ms"?: d}</c>: <see cref="NetworkBuilder.LateralInhibition"/>, a projection named <c>P:wta</c>.</summary>
    private void ReadLateralInhibition(Node node, NetworkBuilder builder)
    {
        ObjectNode o = node.Object(NetworkFileKeys.LateralInhibition, "a lateral inhibition");
        _ = o.Optional("description")?.String();
        Node popNode = o.Required("population");
        Pop pop = Population(popNode);
        if (pop.Model is null)
        {
            throw popNode.Error($"population '{pop.Name}' is a {KindName(pop.Kind)} population; lateral inhibition needs model neurons");
        }

        NeuronModelInfo info = pop.Model.Info;
        Node weightNode = o.Required("weight", "the inhibitory weight");
        double weight = CheckWeight(weightNode, weightNode.Number(), info);
        string? receptor = null;
        if (o.Optional("receptor") is Node receptorNode)
        {
            receptor = receptorNode.String();
            if (info.ReceptorIndex(receptor) < 0)
            {
                throw receptorNode.Error($"'{receptor}' is not a receptor of model '{info.Name}' (receptors: {string.Join(", ", info.Receptors)})");
            }
        }

        SimDuration? delay = o.Time("delay") is (Node dn, long du) ? SimDuration.FromTicks(CheckDelay(dn, dn.Ticks(du))) : null;
        string name = pop.Name + ":wta";
        if (_projs.FirstOrDefault(p => p.Name == name) is Proj dup)
        {
            throw popNode.Error($"population '{pop.Name}' already has lateral inhibition ({dup.Path})");
        }

        _projs.Add(new Proj(name, o.Path, o));
        builder.LateralInhibition(pop.Name, weight, receptor, delay);
    }

    /// <summary><c>{"at_ms": t, "value": r, "projection"?: name}</c>: the reward input from time t on.</summary>
    private RewardInput ReadReward(Node node)
    {
        ObjectNode o = node.Object(NetworkFileKeys.Reward, "a reward");
        _ = o.Optional("description")?.String();
        (Node atNode, long unit) = o.RequiredTime("at");
        long at = atNode.Ticks(unit);
        if (at < 0)
        {
            throw atNode.Error($"must be ≥ 0 (got {atNode.Value.GetRawText()})");
        }

        double value = o.Required("value", "the reward").Number();
        string? projection = null;
        if (o.Optional("projection") is Node pn)
        {
            projection = pn.String();
            if (!_projs.Any(p => p.Name == projection))
            {
                throw pn.Error($"names unknown projection '{projection}' (projections: {string.Join(", ", _projs.Select(p => p.Name))})");
            }

            if (!_rewardProjections.Contains(projection))
            {
                throw pn.Error($"projection '{projection}' has no reward-modulated rule (mstdp, mstdpet)");
            }
        }
        else if (_rewardProjections.Count == 0)
        {
            throw o.Error("no projection has a reward-modulated rule (mstdp, mstdpet) for this reward to drive");
        }

        return new RewardInput(SimTime.FromTicks(at), value, projection);
    }

    private ConnectivitySpec ReadConnectivity(Node node, Pop pre, Pop post, NeuronModelInfo info, ObjectNode projection)
    {
        ObjectNode any = node.ObjectAnyKeys("a connectivity object");
        Node ruleNode = any.Required("rule", string.Join(", ", Rules));
        string rule = ruleNode.String();
        KeySet keys = rule switch
        {
            "all_to_all" => NetworkFileKeys.AllToAll,
            "one_to_one" => NetworkFileKeys.OneToOne,
            "fixed_probability" => NetworkFileKeys.FixedProbability,
            "fixed_total_number" => NetworkFileKeys.FixedTotalNumber,
            "explicit" => NetworkFileKeys.Explicit,
            "conv2d" => NetworkFileKeys.Conv2D,
            "max_pool2d" => NetworkFileKeys.MaxPool2D,
            "avg_pool2d" => NetworkFileKeys.AvgPool2D,
            _ => throw ruleNode.Error($"unknown rule '{rule}' (rules: {string.Join(", ", Rules)})"),
        };
        any.CheckKeys(keys, $"a {rule} connectivity");
        bool allowSelf = any.Optional("allow_self")?.Bool() ?? true;
        switch (rule)
        {
            case "all_to_all":
                return ConnectivitySpec.AllToAll(allowSelf);
            case "one_to_one":
                if (pre.Shape.Size != post.Shape.Size)
                {
                    throw ruleNode.Error($"one-to-one needs equal sizes ('{pre.Name}' has {pre.Shape.Size}, '{post.Name}' has {post.Shape.Size})");
                }

                return ConnectivitySpec.OneToOne();
            case "fixed_probability":
                Node pn = any.Required("p", "the connection probability");
                double p = pn.Number();
                if (p is < 0 or > 1)
                {
                    throw pn.Error($"must be in [0, 1] (got {Fmt(p)})");
                }

                return ConnectivitySpec.FixedProbability(p, any.Required("seed", "the seed of the draw").Seed(), allowSelf);
            case "fixed_total_number":
                return ConnectivitySpec.FixedTotalNumber(any.Required("count", "the number of synapses").Integer(0, int.MaxValue), any.Required("seed", "the seed of the draw").Seed());
            case "explicit":
                return ReadExplicit(any, pre, post, info);
            case "max_pool2d" or "avg_pool2d":
                return ReadPool(any, rule, pre, post, projection);
            default:
                return ReadConv(any);
        }
    }

    private ExplicitConnectivity ReadExplicit(ObjectNode o, Pop pre, Pop post, NeuronModelInfo info)
    {
        if (o.Optional("csv") is Node csv)
        {
            foreach (string key in o.Keys)
            {
                if (key is not ("rule" or "csv"))
                {
                    throw _errors.At(o.PathOf(key), "give the synapses inline (pre, post, weight, delay_*) or in a CSV file, not both");
                }
            }

            string path = Resolve(csv);
            ExplicitConnectivity ex;
            int[] lines;
            try
            {
                ex = SynapseCsv.Read(path, out lines);
            }
            catch (FormatException e)
            {
                throw csv.Error(e.Message.TrimEnd('.'));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw csv.Error(e is FileNotFoundException or DirectoryNotFoundException ? $"file not found: {path}" : $"cannot read {path}: {e.Message}");
            }

            for (int k = 0; k < ex.Pre.Length; k++)
            {
                string? why = SynapseProblem(ex, k, pre, post, info);
                if (why is not null)
                {
                    throw csv.Error($"{path}:{lines[k]}: {why}");
                }
            }

            return ex;
        }

        Node preNode = o.Required("pre", "an array of presynaptic indices, or 'csv'");
        Node postNode = o.Required("post", "an array of postsynaptic indices");
        int[] preIdx = preNode.Ints(0, int.MaxValue);
        int[] postIdx = postNode.Ints(0, int.MaxValue);
        if (postIdx.Length != preIdx.Length)
        {
            throw postNode.Error($"has {postIdx.Length} indices but 'pre' has {preIdx.Length}");
        }

        float[] weights = [];
        if (o.Optional("weight") is Node wn)
        {
            double[] w = wn.Numbers(preIdx.Length, "(one per synapse)");
            weights = new float[w.Length];
            for (int k = 0; k < w.Length; k++)
            {
                weights[k] = (float)CheckWeight(wn.Item(k), w[k], info);
            }
        }

        SimDuration[] delays = [];
        if (o.Time("delay") is (Node dn, long du))
        {
            dn.Array("an array of delays (one per synapse)");
            if (dn.Length != preIdx.Length)
            {
                throw dn.Error($"has {dn.Length} values, expected {preIdx.Length} (one per synapse)");
            }

            delays = new SimDuration[dn.Length];
            for (int k = 0; k < delays.Length; k++)
            {
                Node item = dn.Item(k);
                delays[k] = SimDuration.FromTicks(CheckDelay(item, item.Ticks(du)));
            }
        }

        var ex2 = ConnectivitySpec.Explicit(preIdx, postIdx, weights, delays);
        for (int k = 0; k < preIdx.Length; k++)
        {
            if (preIdx[k] >= pre.Shape.Size)
            {
                throw preNode.Item(k).Error($"{preIdx[k]} is outside 0..{pre.Shape.Size - 1} of population '{pre.Name}'");
            }

            if (postIdx[k] >= post.Shape.Size)
            {
                throw postNode.Item(k).Error($"{postIdx[k]} is outside 0..{post.Shape.Size - 1} of population '{post.Name}'");
            }
        }

        return ex2;
    }

    private static string? SynapseProblem(ExplicitConnectivity ex, int k, Pop pre, Pop post, NeuronModelInfo info)
    {
        if ((uint)ex.Pre[k] >= (uint)pre.Shape.Size)
        {
            return $"pre = {ex.Pre[k]} is outside 0..{pre.Shape.Size - 1} of population '{pre.Name}'";
        }

        if ((uint)ex.Post[k] >= (uint)post.Shape.Size)
        {
            return $"post = {ex.Post[k]} is outside 0..{post.Shape.Size - 1} of population '{post.Name}'";
        }

        if (!ex.Weights.IsDefaultOrEmpty && info.NonNegativeWeights && ex.Weights[k] < 0)
        {
            return $"weight = {Fmt(ex.Weights[k])} must be ≥ 0 for conductance model '{info.Name}'";
        }

        if (!ex.Delays.IsDefaultOrEmpty && ex.Delays[k].Ticks < 1)
        {
            return $"delay = {ex.Delays[k].Ticks} ns must be ≥ 1 tick (1 ns; delays are positive)";
        }

        return null;
    }

    private static Conv2DConnectivity ReadConv(ObjectNode o)
    {
        Node kernelNode = o.Required("kernel", "the weights, nested [out][in][kh][kw] or flat with 'kernel_shape'");
        kernelNode.Array("an array of weights");
        int[] dims;
        var values = new List<float>();
        if (kernelNode.Length > 0 && kernelNode.Item(0).IsArray)
        {
            dims = new int[4];
            Flatten(kernelNode, 0, dims, values);
            if (o.Optional("kernel_shape") is Node ks && !ks.Ints(1, int.MaxValue).SequenceEqual(dims))
            {
                throw ks.Error($"does not match the nested kernel's shape [{string.Join(", ", dims)}]");
            }
        }
        else
        {
            Node ks = o.Required("kernel_shape", "[out_channels, in_channels, kernel_height, kernel_width] for a flat kernel");
            dims = ks.Ints(1, int.MaxValue);
            if (dims.Length != 4)
            {
                throw ks.Error($"expected [out_channels, in_channels, kernel_height, kernel_width], got {dims.Length} values");
            }

            long expected = (long)dims[0] * dims[1] * dims[2] * dims[3];
            if (kernelNode.Length != expected)
            {
                throw kernelNode.Error($"has {kernelNode.Length} values, expected out·in·kh·kw = {expected}");
            }

            foreach (Node item in kernelNode.Items())
            {
                values.Add(KernelValue(item));
            }
        }

        (int sy, int sx) = Pair(o.Optional("stride"), 1, 1, "stride");
        (int py, int px) = Pair(o.Optional("padding"), 0, 0, "padding");
        return new Conv2DConnectivity([.. values], dims[0], dims[1], dims[2], dims[3], sy, sx, py, px);
    }

    private static void Flatten(Node node, int depth, int[] dims, List<float> values)
    {
        if (depth == 4)
        {
            values.Add(KernelValue(node));
            return;
        }

        string[] names = ["output channels", "input channels", "kernel rows", "kernel columns"];
        node.Array($"an array of {names[depth]} (the kernel is nested [out][in][kh][kw])");
        if (node.Length == 0)
        {
            throw node.Error($"has no {names[depth]}");
        }

        if (dims[depth] == 0)
        {
            dims[depth] = node.Length;
        }
        else if (dims[depth] != node.Length)
        {
            throw node.Error($"has {node.Length} {names[depth]}, expected {dims[depth]} like the others");
        }

        foreach (Node item in node.Items())
        {
            Flatten(item, depth + 1, dims, values);
        }
    }

    private static float KernelValue(Node item)
    {
        double v = item.Number();
        if (Math.Abs(v) > float.MaxValue)
        {
            throw item.Error($"is outside the float range (got {Fmt(v)})");
        }

        return (float)v;
    }

    private static (int Y, int X) Pair(Node? node, int min, int fallback, string what)
    {
        if (node is not Node n)
        {
            return (fallback, fallback);
        }

        if (n.IsArray)
        {
            int[] v = n.Ints(min, 1 << 16);
            if (v.Length != 2)
            {
                throw n.Error($"expected a number or [{what}_y, {what}_x], got {v.Length} values");
            }

            return (v[0], v[1]);
        }

        int s = n.Int(min, 1 << 16);
        return (s, s);
    }

    /// <summary>The plasticity rules a network file names, in the order the docs list them.</summary>
    internal static readonly string[] PlasticityRules = ["stdp_pair", "stdp_triplet", "mstdp", "mstdpet", "fede_stdp", "stdp_snntorch", "stdp_matterhorn"];

    private static PlasticitySpec ReadPlasticity(Node node)
    {
        ObjectNode any = node.ObjectAnyKeys("a plasticity object");
        Node ruleNode = any.Required("rule", string.Join(", ", PlasticityRules));
        string rule = ruleNode.String();
        KeySet keys = rule switch
        {
            "stdp_pair" => NetworkFileKeys.StdpPair,
            "stdp_triplet" => NetworkFileKeys.StdpTriplet,
            "mstdp" => NetworkFileKeys.Mstdp,
            "mstdpet" => NetworkFileKeys.Mstdpet,
            "fede_stdp" => NetworkFileKeys.FedeStdp,
            "stdp_snntorch" => NetworkFileKeys.StdpSnnTorch,
            "stdp_matterhorn" => NetworkFileKeys.StdpMatterhorn,
            _ => throw ruleNode.Error($"unknown plasticity rule '{rule}' (rules: {string.Join(", ", PlasticityRules)})"),
        };
        ObjectNode o = node.Object(keys, $"an {rule} rule");
        double wMin = o.Required("w_min").Number();
        Node wMaxNode = o.Required("w_max");
        double wMax = wMaxNode.Number();
        if (wMax < wMin)
        {
            throw wMaxNode.Error($"must be ≥ w_min (got {Fmt(wMax)} < {Fmt(wMin)})");
        }

        switch (rule)
        {
            case "stdp_pair":
            {
                TraceMode trace = ReadTraceMode(o.Optional("trace"));
                TraceSpec? preTrace = o.Optional("pre_trace") is Node pt ? ReadTrace(pt) : null;
                TraceSpec? postTrace = o.Optional("post_trace") is Node qt ? ReadTrace(qt) : null;
                double tauPlus = TauOrTrace(o, "tau_plus", preTrace, "pre_trace");
                double tauMinus = TauOrTrace(o, "tau_minus", postTrace, "post_trace");
                return new StdpSpec(NonNegative(o.Required("a_plus")), NonNegative(o.Required("a_minus")), tauPlus, tauMinus, wMin, wMax, trace)
                {
                    Dependence = o.Optional("weight_dependence") is Node dn ? ReadDependence(dn) : WeightDependence.Additive,
                    Mu = o.Optional("mu") is Node mn ? NonNegative(mn) : 1,
                    PreTrace = preTrace,
                    PostTrace = postTrace,
                    SameTick = o.Optional("same_tick") is Node sn ? ReadSameTick(sn) : SameTickPairing.ProcessingOrder,
                };
            }

            case "stdp_triplet":
                return new TripletStdpSpec(
                    NonNegative(o.Required("a2_plus")),
                    NonNegative(o.Required("a3_plus")),
                    NonNegative(o.Required("a2_minus")),
                    NonNegative(o.Required("a3_minus")),
                    PositiveMs(o.RequiredTime("tau_plus")),
                    PositiveMs(o.RequiredTime("tau_minus")),
                    PositiveMs(o.RequiredTime("tau_x")),
                    PositiveMs(o.RequiredTime("tau_y")),
                    wMin,
                    wMax,
                    ReadTraceMode(o.Optional("trace")));

            case "mstdp":
                return new MstdpSpec(
                    NonNegative(o.Required("a_pre")),
                    NonNegative(o.Required("a_post")),
                    ReadTrace(o.Required("pre_trace", "a trace object")),
                    ReadTrace(o.Required("post_trace", "a trace object")),
                    o.Required("lr").Number(),
                    wMin,
                    wMax);

            case "mstdpet":
            {
                Node decay = o.Required("e_trace_decay");
                double lambda = decay.Number();
                if (!(lambda > 0 && lambda < 1))
                {
                    throw decay.Error($"must be in (0, 1) (got {Fmt(lambda)})");
                }

                return new MstdpetSpec(
                    NonNegative(o.Required("a_pre")),
                    NonNegative(o.Required("a_post")),
                    ReadTrace(o.Required("pre_trace", "a trace object")),
                    ReadTrace(o.Required("post_trace", "a trace object")),
                    o.Required("lr").Number(),
                    lambda,
                    PositiveStep(o.RequiredTime("step")),
                    wMin,
                    wMax);
            }

            case "fede_stdp":
            {
                Node lrNode = o.Required("lr");
                double lr = lrNode.Number();
                if (!(lr > 0))
                {
                    throw lrNode.Error($"must be > 0 (got {Fmt(lr)})");
                }

                Node aNode = o.Required("a");
                double a = aNode.Number();
                if (!(a >= 0 && a <= 1))
                {
                    throw aNode.Error($"must be in [0, 1] (got {Fmt(a)})");
                }

                return new FedeStdpSpec(lr, o.Required("w_init").Number(), a, ReadTrace(o.Required("pre_trace", "a trace object")), wMin, wMax);
            }

            case "stdp_snntorch":
            {
                var spec = new SnnTorchStdpSpec(
                    StepsAboveOne(o.Required("tau_pre_steps")),
                    StepsAboveOne(o.Required("tau_post_steps")),
                    PositiveStep(o.RequiredTime("step")),
                    o.Required("lr").Number(),
                    wMin,
                    wMax);
                if (o.Optional("weight_dependence") is Node dn)
                {
                    WeightDependence d = ReadDependence(dn);
                    spec = d is WeightDependence.Proportional or WeightDependence.Additive
                        ? spec with { Dependence = d }
                        : throw dn.Error($"must be proportional or additive for stdp_snntorch (got '{dn.String()}')");
                }

                return spec;
            }

            default:
                return new MatterhornStdpSpec(
                    NonNegative(o.Required("a_pos")),
                    StepsAboveOne(o.Required("tau_pos_steps")),
                    NonNegative(o.Required("a_neg")),
                    StepsAboveOne(o.Required("tau_neg_steps")),
                    o.Required("lr").Number(),
                    PositiveStep(o.RequiredTime("step")),
                    wMin,
                    wMax);
        }
    }

    /// <summary>A trace object: <c>{"decay": "exponential"|"linear_factor"|"exponential_euler"|"snntorch"|"matterhorn", …}</c>.</summary>
    private static TraceSpec ReadTrace(Node node)
    {
        ObjectNode o = node.Object(NetworkFileKeys.Trace, "a trace object");
        Node decayNode = o.Required("decay", string.Join(", ", TraceDecays));
        string decay = decayNode.String();
        TraceMode mode = ReadTraceMode(o.Optional("mode"));
        double alpha = o.Optional("alpha") is Node an ? an.Number() : 1.0;
        void Refuse(string key, string why)
        {
            if (o.Optional(key) is Node n)
            {
                throw n.Error($"not used by a '{decay}' trace ({why})");
            }
        }

        void RefuseTime(string baseName, string why)
        {
            if (o.Time(baseName) is (Node n, _))
            {
                throw n.Error($"not used by a '{decay}' trace ({why})");
            }
        }

        switch (decay)
        {
            case "exponential":
                Refuse("tau_steps", "its time constant is 'tau_ms'");
                Refuse("factor", "it decays by e^(−Δt/τ)");
                Refuse("alpha", "its amplitude is 1");
                RefuseTime("step", "it decays in continuous time");
                return TraceSpec.Exponential(PositiveMs(o.RequiredTime("tau")), mode);
            case "linear_factor":
            {
                Refuse("tau_steps", "it decays by 'factor' per step");
                RefuseTime("tau", "it decays by 'factor' per step");
                Node f = o.Required("factor");
                double factor = f.Number();
                if (!(factor > 0 && factor <= 1))
                {
                    throw f.Error($"must be in (0, 1] (got {Fmt(factor)})");
                }

                return TraceSpec.LinearFactor(factor, PositiveStep(o.RequiredTime("step")), alpha, mode);
            }

            case "exponential_euler":
            {
                Refuse("tau_steps", "its time constant is 'tau_ms'");
                Refuse("factor", "its factor is 1 − dt/τ");
                (Node tauNode, long tauUnit) = o.RequiredTime("tau");
                double tau = PositiveMs((tauNode, tauUnit));
                SimDuration step = PositiveStep(o.RequiredTime("step"));
                if (tauNode.Ticks(tauUnit) <= step.Ticks)
                {
                    throw tauNode.Error($"must be longer than the step {step}");
                }

                return TraceSpec.ExponentialEuler(tau, step, alpha, mode);
            }

            case "snntorch" or "matterhorn":
            {
                Refuse("factor", $"its factor follows from 'tau_steps'");
                RefuseTime("tau", "its time constant is 'tau_steps'");
                double tau = StepsAboveOne(o.Required("tau_steps"));
                SimDuration step = PositiveStep(o.RequiredTime("step"));
                TraceSpec t = decay == "snntorch" ? TraceSpec.SnnTorch(tau, step) : TraceSpec.Matterhorn(tau, step);
                return t with { Alpha = alpha, Mode = mode };
            }

            default:
                throw decayNode.Error($"unknown trace decay '{decay}' (decays: {string.Join(", ", TraceDecays)})");
        }
    }

    private static readonly string[] TraceDecays = ["exponential", "linear_factor", "exponential_euler", "snntorch", "matterhorn"];

    /// <summary>A pair rule's time constant: given as a time key, or (with an explicit trace) absent and recorded as 1 ms.</summary>
    private static double TauOrTrace(ObjectNode o, string baseName, TraceSpec? trace, string traceKey)
    {
        if (o.Time(baseName) is (Node n, long unit))
        {
            return trace is null ? PositiveMs((n, unit)) : throw n.Error($"give either '{baseName}_ms' or '{traceKey}', not both");
        }

        return trace is null ? PositiveMs(o.RequiredTime(baseName)) : 1;
    }

    private static TraceMode ReadTraceMode(Node? node) => node is not Node n ? TraceMode.Additive : n.String() switch
    {
        "additive" => TraceMode.Additive,
        "nearest" => TraceMode.Nearest,
        string s => throw n.Error($"unknown trace '{s}' (traces: additive, nearest)"),
    };

    private static WeightDependence ReadDependence(Node n) => n.String() switch
    {
        "additive" => WeightDependence.Additive,
        "multiplicative" => WeightDependence.Multiplicative,
        "soft_bounds" => WeightDependence.SoftBounds,
        "proportional" => WeightDependence.Proportional,
        string s => throw n.Error($"unknown weight dependence '{s}' (dependences: additive, multiplicative, soft_bounds, proportional)"),
    };

    private static SameTickPairing ReadSameTick(Node n) => n.String() switch
    {
        "processing_order" => SameTickPairing.ProcessingOrder,
        "exclude" => SameTickPairing.Exclude,
        "include" => SameTickPairing.Include,
        string s => throw n.Error($"unknown same-tick pairing '{s}' (pairings: processing_order, exclude, include)"),
    };

    private static SimDuration PositiveStep((Node Value, long UnitTicks) t)
    {
        long ticks = t.Value.Ticks(t.UnitTicks);
        return ticks > 0 ? SimDuration.FromTicks(ticks) : throw t.Value.Error($"must be ≥ 1 tick (got {t.Value.Value.GetRawText()})");
    }

    private static double StepsAboveOne(Node n)
    {
        double v = n.Number();
        return v > 1 ? v : throw n.Error($"must be > 1 step (got {Fmt(v)})");
    }

    private static double NonNegative(Node n)
    {
        double v = n.Number();
        return v >= 0 ? v : throw n.Error($"must be ≥ 0 (got {Fmt(v)})");
    }

    private static double PositiveMs((Node Value, long UnitTicks) t)
    {
        long ticks = t.Value.Ticks(t.UnitTicks);
        return ticks > 0 ? ticks / (double)Units.TicksPerMillisecond : throw t.Value.Error($"must be > 0 (got {t.Value.Value.GetRawText()})");
    }

    private static double CheckWeight(Node n, double w, NeuronModelInfo info)
    {
        if (Math.Abs(w) > float.MaxValue)
        {
            throw n.Error($"is outside the float range (got {Fmt(w)})");
        }

        if (info.NonNegativeWeights && w < 0)
        {
            throw n.Error($"must be ≥ 0 for conductance model '{info.Name}' (got {Fmt(w)})");
        }

        return w;
    }

    private static long CheckDelay(Node n, long ticks)
        => ticks >= 1 ? ticks : throw n.Error($"must be ≥ 1 tick (1 ns); delays are positive (got {n.Value.GetRawText()})");

    // ----------------------------------------------------------------------------------------------------------------
    // Monitors and event inputs

    private void ReadMonitor(Node node, NetworkBuilder builder)
    {
        ObjectNode any = node.ObjectAnyKeys("a monitor object");
        Node kindNode = any.Required("kind", "spikes or state");
        string kind = kindNode.String();
        KeySet keys = kind switch
        {
            "spikes" => NetworkFileKeys.SpikeMonitor,
            "state" => NetworkFileKeys.StateMonitor,
            _ => throw kindNode.Error($"unknown monitor kind '{kind}' (kinds: spikes, state)"),
        };
        any.CheckKeys(keys, $"a {kind} monitor");
        _ = any.Optional("description")?.String();
        Node popNode = any.Required("population");
        Pop pop = Population(popNode);
        int[]? neurons = any.Optional("neurons") is Node nn ? nn.Ints(0, pop.Shape.Size - 1) : null;
        if (kind == "spikes")
        {
            if (neurons is null)
            {
                builder.RecordSpikes(pop.Name);
            }
            else
            {
                builder.RecordSpikes(pop.Name, neurons);
            }
        }
        else
        {
            if (pop.Model is null)
            {
                throw popNode.Error($"population '{pop.Name}' is a {KindName(pop.Kind)} population and has no state to sample");
            }

            Node varNode = any.Required("variable", $"one of {string.Join(", ", pop.Model.Info.StateVariables)}");
            string variable = varNode.String();
            if (pop.Model.Info.StateIndex(variable) < 0)
            {
                throw varNode.Error($"'{variable}' is not a state variable of model '{pop.Model.Info.Name}' (variables: {string.Join(", ", pop.Model.Info.StateVariables)})");
            }

            (Node iv, long iu) = any.RequiredTime("interval");
            long interval = iv.Ticks(iu);
            if (interval < 1)
            {
                throw iv.Error($"must be ≥ 1 tick (got {iv.Value.GetRawText()})");
            }

            builder.RecordState(pop.Name, variable, SimDuration.FromTicks(interval), neurons);
        }

        _monitors.Add(any);
    }

    private EventFileInput ReadEventInput(Node node)
    {
        ObjectNode o = node.Object(NetworkFileKeys.EventInput, "an event input");
        _ = o.Optional("description")?.String();
        Node popNode = o.Required("population", "an external population");
        Pop pop = Population(popNode);
        if (pop.Kind != PopKind.External)
        {
            throw popNode.Error($"population '{pop.Name}' is a {KindName(pop.Kind)} population; event files feed external populations");
        }

        Node pathNode = o.Required("path", "the event file");
        string path = Resolve(pathNode);
        if (!File.Exists(path))
        {
            throw pathNode.Error($"file not found: {path}");
        }

        EventFormat? format = null;
        if (o.Optional("format") is Node fn)
        {
            string f = fn.String();
            format = Formats.FirstOrDefault(x => x.Name == f).Format;
            if (format == EventFormat.Unknown)
            {
                throw fn.Error($"unknown event-file format '{f}' (formats: {string.Join(", ", Formats.Select(x => x.Name))}; omit it to detect the format)");
            }
        }

        SimDuration offset = SimDuration.Zero;
        if (o.Time("time_offset") is (Node tn, long tu))
        {
            offset = SimDuration.FromTicks(tn.Ticks(tu));
        }

        EventTimeAlignment align = EventTimeAlignment.File;
        if (o.Optional("align") is Node an)
        {
            align = an.String() switch
            {
                "file" => EventTimeAlignment.File,
                "first_event" => EventTimeAlignment.FirstEvent,
                string s => throw an.Error($"unknown alignment '{s}' (file: event time 0 at the offset; first_event: the first event at the offset)"),
            };
        }

        return new EventFileInput(pop.Name, pop.Index, path, format, offset, align);
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Helpers

    private Pop Population(Node node)
    {
        string name = node.String("a population name");
        return _popIndex.TryGetValue(name, out int i)
            ? _pops[i]
            : throw node.Error($"names unknown population '{name}' (populations: {string.Join(", ", _pops.Select(p => p.Name))})");
    }

    private string Resolve(Node node)
    {
        string p = node.NonEmptyString("a file path");
        try
        {
            return Path.GetFullPath(Path.IsPathRooted(p) ? p : Path.Combine(_baseDirectory, p));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            throw node.Error($"is not a valid path ({ex.Message})");
        }
    }

    private static string KindName(PopKind kind) => kind switch
    {
        PopKind.Neurons => "neurons",
        PopKind.SpikeSource => "spike_source",
        PopKind.Poisson => "poisson",
        _ => "external",
    };

    private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    private static string FirstSentence(string message)
    {
        int cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
        }

        string s = (cut >= 0 ? message[..cut] : message).Trim();
        return s.Replace('\r', ' ').Replace('\n', ' ');
    }

    // ----------------------------------------------------------------------------------------------------------------
    // Builder errors → JSON paths

    private (string Path, string Problem) MapBuilderError(string error)
    {
        Match m = PopulationLabel().Match(error);
        if (m.Success && _popIndex.TryGetValue(m.Groups[1].Value, out int pi))
        {
            return MapPopulation(_pops[pi], m.Groups[2].Value);
        }

        m = ProjectionLabel().Match(error);
        if (m.Success && _projs.FirstOrDefault(p => p.Name == m.Groups[1].Value) is Proj proj)
        {
            return MapProjection(proj, m.Groups[2].Value);
        }

        m = MonitorLabel().Match(error);
        if (m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int mi) && mi < _monitors.Count)
        {
            ObjectNode mon = _monitors[mi];
            string rest = m.Groups[2].Value;
            Match f = FieldPrefix().Match(rest);
            if (f.Success)
            {
                string field = f.Groups[1].Value;
                string path = field == "interval" ? TimeKeyPath(mon, "interval") : mon.Has(field) ? mon.PathOf(field) : mon.Path;
                return (path, f.Groups[2].Value);
            }

            return (mon.Path, rest);
        }

        return ("$", error);
    }

    private static (string Path, string Problem) MapPopulation(Pop pop, string rest)
    {
        Match m = ParameterPrefix().Match(rest);
        if (m.Success && pop.Model is not null)
        {
            NeuronParameterInfo? p = pop.Model.Info.Parameters.FirstOrDefault(x => x.Name == m.Groups[1].Value);
            string key = p is null ? m.Groups[1].Value : NetworkFile.ParameterKey(p);
            string path = Node.Child(Node.Child(pop.Path, "params"), key) + (m.Groups[2].Success ? $"[{m.Groups[3].Value}]" : string.Empty);
            return (path, m.Groups[4].Value);
        }

        m = FieldPrefix().Match(rest);
        if (m.Success)
        {
            string field = m.Groups[1].Value;
            string sub = field switch
            {
                "name" or "size" or "reset" or "rate_hz" => Node.Child(pop.Path, field),
                "execution.dt" => Node.Child(pop.Path, "execution"),
                _ => pop.Path,
            };
            return (sub, sub == pop.Path ? rest : m.Groups[2].Value);
        }

        if (rest.StartsWith("initial", StringComparison.Ordinal))
        {
            return (Node.Child(pop.Path, "initial"), rest);
        }

        return (pop.Model is null ? pop.Path : Node.Child(pop.Path, "params"), rest);
    }

    private static (string Path, string Problem) MapProjection(Proj proj, string rest)
    {
        ObjectNode o = proj.Object;
        string connectivity = o.PathOf("connectivity");
        Match m = FieldPrefix().Match(rest);
        if (m.Success)
        {
            string field = m.Groups[1].Value;
            string? path = field switch
            {
                "pre" or "post" or "receptor" or "weight" or "name" => o.Has(field) ? o.PathOf(field) : o.Path,
                "delay" => TimeKeyPath(o, "delay"),
                "p" => Node.Child(connectivity, "p"),
                "connectivity" or "synapses" or "weights" or "delays" or "kernel" => connectivity,
                "stdp" or "plasticity" => o.Has("plasticity") ? o.PathOf("plasticity") : o.Path,
                _ when field.StartsWith("stdp.", StringComparison.Ordinal) || field.StartsWith("plasticity.", StringComparison.Ordinal) => PlasticityPath(o, field[(field.IndexOf('.', StringComparison.Ordinal) + 1)..]),
                "normalize" or "normalize.total" => o.Has("normalize_weights") ? o.PathOf("normalize_weights") : o.Path,
                _ => null,
            };
            if (path is not null)
            {
                return (path, m.Groups[2].Value);
            }
        }

        if (rest.StartsWith("fields of 'conv2d'", StringComparison.Ordinal) || rest.StartsWith("shape mismatch", StringComparison.Ordinal) || rest.StartsWith("synapse ", StringComparison.Ordinal))
        {
            return (connectivity, rest);
        }

        if (rest.StartsWith("fields 'stdp.", StringComparison.Ordinal) || rest.StartsWith("fields 'plasticity.", StringComparison.Ordinal) || rest.StartsWith("rule '", StringComparison.Ordinal))
        {
            return (o.Has("plasticity") ? o.PathOf("plasticity") : o.Path, rest);
        }

        return (o.Path, rest);
    }

    /// <summary>The path of <paramref name="key"/> inside the projection's plasticity object (a time key in any unit), else of the object.</summary>
    private static string PlasticityPath(ObjectNode projection, string key)
    {
        if (!projection.TryGet("plasticity", out Node node) || !node.IsObject)
        {
            return projection.Path;
        }

        var rule = new ObjectNode(node);
        return rule.Has(key) ? rule.PathOf(key) : TimeKeyPath(rule, key);
    }

    private static string TimeKeyPath(ObjectNode o, string baseName)
    {
        foreach (string key in o.Keys)
        {
            if (UnitTime.UnitOf(key, baseName) > 0)
            {
                return o.PathOf(key);
            }
        }

        return o.Path;
    }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.\\-]*$")]
    private static partial Regex PopulationName();

    [GeneratedRegex("^population '([^']*)': (.*)$", RegexOptions.Singleline)]
    private static partial Regex PopulationLabel();

    [GeneratedRegex("^projection '([^']*)': (.*)$", RegexOptions.Singleline)]
    private static partial Regex ProjectionLabel();

    [GeneratedRegex("^monitor #(\\d+) \\(\\w+\\): (.*)$", RegexOptions.Singleline)]
    private static partial Regex MonitorLabel();

    [GeneratedRegex("^parameter '([^']+)'(\\[(\\d+)\\])? (.*)$", RegexOptions.Singleline)]
    private static partial Regex ParameterPrefix();

    [GeneratedRegex("^field '([^']+)' (.*)$", RegexOptions.Singleline)]
    private static partial Regex FieldPrefix();

    private sealed class Pop(int index, string name, PopKind kind, string path)
    {
        public int Index { get; } = index;

        public string Name { get; } = name;

        public PopKind Kind { get; } = kind;

        public string Path { get; } = path;

        public PopulationShape Shape { get; set; }

        public NeuronModel? Model { get; set; }
    }

    private sealed record Proj(string Name, string Path, ObjectNode Object);
}
