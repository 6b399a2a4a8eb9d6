using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using EventSnn.EventQueue;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Cli.Networks;

/// <summary>Background input of the microcircuit.</summary>
internal enum MicrocircuitBackground
{
    /// <summary>The file's Poisson input per neuron (K_ext sources at 8 Hz, weight of an excitatory synapse), drawn per step.</summary>
    Poisson = 0,

    /// <summary>A constant current equal to the mean of the Poisson background (the reference's <c>poisson_input = False</c>).</summary>
    Dc = 1,
}

/// <summary>
/// The cortical microcircuit of Potjans &amp; Diesmann (2014, Cerebral Cortex 24:785–806, doi:10.1093/cercor/bhs358) is the
/// network file <c>Samples/networks/microcircuit.json</c> (full scale); this loader only scales it, as the reference PyNEST
/// implementation scales the model, and can swap the Poisson background for its mean.
/// </summary>
/// <remarks>
/// <para>Scaling (<c>nScale</c> for neuron numbers, <c>kScale</c> for in-degrees): population sizes × nScale (rounded, at
/// least 1); every <c>fixed_total_number</c> count × nScale·kScale (so in-degrees scale by kScale); normal weight means and
/// standard deviations and background weights ÷ √kScale; background rates (K_ext · 8 Hz) × kScale; and a DC input
/// (<c>i_offset_mV</c>) restores the mean input lost by the scaling: <c>(1 − √kScale)·τs·Σ_s w_ts·K_ts/N_t·ν_s</c> at the
/// reference rates <see cref="ReferenceRatesHz"/>, plus the same for the background (the populations' <c>poisson_input</c>,
/// or Poisson populations with one-to-one projections as older copies of the file have). <see cref="MicrocircuitBackground.Dc"/>
/// removes the background and adds its mean, <c>τs·ν_bg·w_bg</c>, to <c>i_offset_mV</c>.</para>
/// <para><c>seed</c> shifts every seed of the file (1 keeps them); <c>dt</c> replaces the populations' time step and the
/// delay draws' step and minimum.</para>
/// </remarks>
internal static class Microcircuit
{
    /// <summary>Population names, in the reference's order.</summary>
    public static ImmutableArray<string> Names { get; } = ["L23E", "L23I", "L4E", "L4I", "L5E", "L5I", "L6E", "L6I"];

    /// <summary>
    /// Mean firing rates of the full-scale model in Hz with the Poisson background: the reference PyNEST implementation's
    /// <c>full_mean_rates</c> (NEST 3 microcircuit example, measured there at <c>N_scaling</c> = <c>K_scaling</c> = 1 with the
    /// parameters this file holds). The reference uses them for the DC compensation of scaled in-degrees, and so does
    /// <see cref="Scale"/>. (The NEST 2 example tabulated 0.971, 2.868, 4.746, 5.396, 8.142, 9.078, 0.991, 7.523 Hz, from an
    /// earlier parameter set.)
    /// </summary>
    public static ImmutableArray<double> ReferenceRatesHz { get; } = [0.903, 2.965, 4.414, 5.876, 7.569, 8.633, 1.105, 7.829];

    /// <summary>The network file shipped with the tool (<c>networks/microcircuit.json</c> beside it).</summary>
    public static string DefaultPath => Path.Combine(AppContext.BaseDirectory, "networks", "microcircuit.json");

    /// <summary>Loads <paramref name="path"/> (the full-scale file) scaled and with the chosen background.</summary>
    /// <param name="path">The network file.</param>
    /// <param name="nScale">Neuron scaling factor in (0, 1].</param>
    /// <param name="kScale">In-degree scaling factor in (0, 1].</param>
    /// <param name="background">Background kind.</param>
    /// <param name="seed">Seed shift (1: the file's seeds).</param>
    /// <param name="dt">Time step of the clock-driven populations and resolution of the delays.</param>
    /// <param name="poissonAsPopulations">
    /// Express each Poisson input as a Poisson population with a one-to-one projection (delay 1.5 ms), the same input as
    /// queued events, for devices that do not draw Poisson input per step (GPUs).
    /// </param>
    public static NetworkSpec Load(string path, double nScale, double kScale, MicrocircuitBackground background, ulong seed, SimDuration dt, bool poissonAsPopulations = false)
    {
        string json;
        try
        {
            json = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{path}: cannot read the microcircuit network file ({ex.Message}).", ex);
        }

        string scaled = Scale(json, path, nScale, kScale, background, seed, dt, poissonAsPopulations);
        return NetworkFile.Parse(scaled, Path.GetDirectoryName(Path.GetFullPath(path))!, path).Network;
    }

    /// <summary>The file's JSON scaled (see the remarks of <see cref="Microcircuit"/>).</summary>
    internal static string Scale(string json, string source, double nScale, double kScale, MicrocircuitBackground background, ulong seed, SimDuration dt, bool poissonAsPopulations = false)
    {
        if (!(nScale > 0 && nScale <= 1))
        {
            throw new ArgumentException($"The neuron scale must be in (0, 1] (got {nScale.ToString(CultureInfo.InvariantCulture)}).");
        }

        if (!(kScale > 0 && kScale <= 1))
        {
            throw new ArgumentException($"The in-degree scale must be in (0, 1] (got {kScale.ToString(CultureInfo.InvariantCulture)}).");
        }

        JsonObject root;
        try
        {
            root = JsonNode.Parse(json, documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!.AsObject();
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException)
        {
            throw new FormatException($"{source}: $: not a network file ({ex.Message})", ex);
        }

        JsonArray pops = Array(root, "populations", source);
        JsonArray projs = Array(root, "projections", source);
        var neurons = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        var fullSize = new Dictionary<string, double>(StringComparer.Ordinal);
        var poisson = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
        foreach (JsonObject p in pops.Select(p => p!.AsObject()))
        {
            string name = (string)p["name"]!;
            if (((string?)p["kind"] ?? "neurons") == "poisson")
            {
                poisson[name] = p;
                continue;
            }

            neurons[name] = p;
            fullSize[name] = (double)p["size"]!;
            p["size"] = Math.Max(1, (int)Math.Round(fullSize[name] * nScale, MidpointRounding.ToEven));
            if (p["execution"] is JsonObject ex)
            {
                ex["dt_ms"] = dt.Ticks / 1e6;
            }
        }

        double sqrtK = Math.Sqrt(kScale);
        var dc = neurons.Keys.ToDictionary(n => n, _ => 0.0, StringComparer.Ordinal);
        var keep = new List<JsonNode>();
        foreach (JsonObject pr in projs.Select(p => p!.AsObject()))
        {
            string pre = (string)pr["pre"]!;
            string post = (string)pr["post"]!;
            double tauSyn = (double)neurons[post]["params"]!["tau_e_ms"]!;
            if (poisson.TryGetValue(pre, out JsonObject? bg))
            {
                double w = (double)pr["weight"]!;
                double rate = (double)bg["rate_hz"]!;
                double mean = 1e-3 * tauSyn * rate * w;
                dc[post] += background == MicrocircuitBackground.Dc ? mean : (1 - sqrtK) * mean;
                if (background == MicrocircuitBackground.Dc)
                {
                    pops.Remove(bg);
                    continue;
                }

                pr["weight"] = w / sqrtK;
                bg["rate_hz"] = rate * kScale;
                bg["size"] = neurons[post]["size"]!.DeepClone();
                keep.Add(pr);
                continue;
            }

            JsonObject conn = pr["connectivity"]!.AsObject();
            if ((string?)conn["rule"] == "fixed_total_number")
            {
                double count = (double)conn["count"]!;
                conn["count"] = (long)Math.Round(count * nScale * kScale, MidpointRounding.ToEven);
                JsonObject normal = pr["weight"]!["normal"]!.AsObject();
                double mean = (double)normal["mean"]!;
                int s = Names.IndexOf(pre);
                if (s >= 0)
                {
                    dc[post] += 1e-3 * tauSyn * (1 - sqrtK) * mean * (count / fullSize[post]) * ReferenceRatesHz[s];
                }

                normal["mean"] = mean / sqrtK;
                normal["sd"] = (double)normal["sd"]! / sqrtK;
            }

            if (pr["delay_ms"] is JsonObject delay && delay["normal"] is not null)
            {
                delay["step"] = dt.Ticks / 1e6;
                delay["min"] = dt.Ticks / 1e6;
            }

            keep.Add(pr);
        }

        projs.Clear();
        foreach (JsonNode p in keep)
        {
            projs.Add(p);
        }

        foreach ((string name, JsonObject p) in neurons)
        {
            if (p["poisson_input"] is JsonArray inputs)
            {
                string receptorKey = "tau_e_ms";
                foreach (JsonObject pi in inputs.Select(x => x!.AsObject()))
                {
                    string receptor = (string?)pi["receptor"] ?? "e";
                    receptorKey = receptor == "i" ? "tau_i_ms" : "tau_e_ms";
                    double tauSyn = (double)p["params"]![receptorKey]!;
                    double w = (double)pi["weight"]!;
                    double rate = (double)pi["rate_hz"]! * ((double?)pi["sources"] ?? 1);
                    double mean = 1e-3 * tauSyn * rate * w;
                    dc[name] += background == MicrocircuitBackground.Dc ? mean : (1 - sqrtK) * mean;
                    pi["weight"] = w / sqrtK;
                    pi["rate_hz"] = (double)pi["rate_hz"]! * kScale;
                }

                if (background == MicrocircuitBackground.Dc)
                {
                    p.Remove("poisson_input");
                }
                else if (poissonAsPopulations)
                {
                    int k = 0;
                    foreach (JsonObject pi in inputs.Select(x => x!.AsObject()))
                    {
                        string bgName = $"{name}.bg{(k++ == 0 ? string.Empty : k.ToString(CultureInfo.InvariantCulture))}";
                        pops.Add(new JsonObject
                        {
                            ["name"] = bgName,
                            ["kind"] = "poisson",
                            ["size"] = p["size"]!.DeepClone(),
                            ["rate_hz"] = (double)pi["rate_hz"]! * ((double?)pi["sources"] ?? 1),
                            ["seed"] = pi["seed"]!.DeepClone(),
                        });
                        projs.Add(new JsonObject
                        {
                            ["pre"] = bgName,
                            ["post"] = name,
                            ["receptor"] = pi["receptor"]!.DeepClone(),
                            ["weight"] = pi["weight"]!.DeepClone(),
                            ["delay_ms"] = 1.5,
                            ["connectivity"] = new JsonObject { ["rule"] = "one_to_one" },
                        });
                    }

                    p.Remove("poisson_input");
                }
            }

            JsonObject parameters = p["params"]!.AsObject();
            parameters["i_offset_mV"] = ((double?)parameters["i_offset_mV"] ?? 0) + dc[name];
        }

        if (seed != 1)
        {
            ShiftSeeds(root, seed);
        }

        return root.ToJsonString();
    }

    private static JsonArray Array(JsonObject root, string key, string source)
        => root[key] as JsonArray ?? throw new FormatException($"{source}: $.{key}: the microcircuit file needs an array of {key}");

    /// <summary>Replaces every seed s by s + (seed − 1)·1 000 003 (mod 2^64), so another --seed draws another network.</summary>
    private static void ShiftSeeds(JsonNode node, ulong seed)
    {
        if (node is JsonObject o)
        {
            foreach (string key in o.Select(kv => kv.Key).ToList())
            {
                if (key == "seed" && o[key] is JsonValue v && v.TryGetValue(out ulong s))
                {
                    o[key] = unchecked(s + ((seed - 1) * 1_000_003UL));
                }
                else if (o[key] is JsonNode child)
                {
                    ShiftSeeds(child, seed);
                }
            }
        }
        else if (node is JsonArray a)
        {
            foreach (JsonNode? item in a)
            {
                if (item is not null)
                {
                    ShiftSeeds(item, seed);
                }
            }
        }
    }
}
