namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// The keys one kind of object in a network file accepts: fixed names plus times whose key names the unit
/// (<c>base_s</c>, <c>base_ms</c>, <c>base_us</c>, <c>base_ns</c>, <c>base_ticks</c>). <see cref="Name"/> is the object's
/// definition name in the JSON Schema (<c>docs/network-file.schema.json</c>, under <c>$defs</c>).
/// </summary>
internal sealed class KeySet(string name, string[] keys, string[] timeBases)
{
    public string Name { get; } = name;

    public IReadOnlyList<string> Keys { get; } = keys;

    public IReadOnlyList<string> TimeBases { get; } = timeBases;

    /// <summary>Every accepted key, time keys expanded.</summary>
    public IEnumerable<string> AllKeys => Keys.Concat(TimeBases.SelectMany(UnitTime.KeysFor));

    public bool Accepts(string key) => Keys.Contains(key) || TimeBases.Any(b => UnitTime.UnitOf(key, b) > 0);
}

/// <summary>The key sets of every object kind in a network file.</summary>
internal static class NetworkFileKeys
{
    public static KeySet Network { get; } = new("network", ["$schema", "version", "name", "description", "populations", "projections", "lateral_inhibition", "monitors", "event_inputs", "rewards"], ["duration"]);

    public static KeySet NeuronPopulation { get; } = new("neuronPopulation", ["name", "kind", "description", "size", "shape", "model", "params", "reset", "threshold_comparison", "refractory_end", "execution", "initial", "poisson_input"], []);

    public static KeySet SpikeSourcePopulation { get; } = new("spikeSourcePopulation", ["name", "kind", "description", "size", "csv"], ["spike_times"]);

    public static KeySet PoissonPopulation { get; } = new("poissonPopulation", ["name", "kind", "description", "size", "rate_hz", "seed"], ["start", "stop"]);

    public static KeySet ExternalPopulation { get; } = new("externalPopulation", ["name", "kind", "description", "size", "shape"], []);

    public static KeySet Execution { get; } = new("execution", ["mode"], ["dt"]);

    public static KeySet PoissonInput { get; } = new("poissonInput", ["receptor", "rate_hz", "sources", "weight", "seed"], []);

    public static KeySet Uniform { get; } = new("uniform", ["uniform", "seed"], []);

    public static KeySet Normal { get; } = new("normal", ["normal", "seed"], []);

    public static KeySet WeightNormal { get; } = new("weightNormal", ["normal", "min", "max", "seed"], []);

    public static KeySet DelayNormal { get; } = new("delayNormal", ["normal", "min", "max", "step", "seed"], []);

    public static KeySet NormalParameters { get; } = new("normalParameters", ["mean", "sd"], []);

    public static KeySet Projection { get; } = new("projection", ["name", "description", "pre", "post", "connectivity", "weight", "receptor", "plasticity", "normalize_weights"], ["delay"]);

    public static KeySet AllToAll { get; } = new("allToAll", ["rule", "allow_self"], []);

    public static KeySet OneToOne { get; } = new("oneToOne", ["rule"], []);

    public static KeySet FixedProbability { get; } = new("fixedProbability", ["rule", "p", "seed", "allow_self"], []);

    public static KeySet FixedTotalNumber { get; } = new("fixedTotalNumber", ["rule", "count", "seed"], []);

    public static KeySet Explicit { get; } = new("explicit", ["rule", "pre", "post", "weight", "csv"], ["delay"]);

    public static KeySet Conv2D { get; } = new("conv2d", ["rule", "kernel", "kernel_shape", "stride", "padding"], []);

    public static KeySet MaxPool2D { get; } = new("maxPool2d", ["rule", "kernel", "stride", "padding"], []);

    public static KeySet AvgPool2D { get; } = new("avgPool2d", ["rule", "kernel", "stride", "padding"], []);

    public static KeySet StdpPair { get; } = new("stdpPair", ["rule", "a_plus", "a_minus", "w_min", "w_max", "trace", "weight_dependence", "mu", "same_tick", "pre_trace", "post_trace"], ["tau_plus", "tau_minus"]);

    public static KeySet StdpTriplet { get; } = new("stdpTriplet", ["rule", "a2_plus", "a3_plus", "a2_minus", "a3_minus", "w_min", "w_max", "trace"], ["tau_plus", "tau_minus", "tau_x", "tau_y"]);

    public static KeySet Mstdp { get; } = new("mstdp", ["rule", "a_pre", "a_post", "pre_trace", "post_trace", "lr", "w_min", "w_max"], []);

    public static KeySet Mstdpet { get; } = new("mstdpet", ["rule", "a_pre", "a_post", "pre_trace", "post_trace", "lr", "e_trace_decay", "w_min", "w_max"], ["step"]);

    public static KeySet FedeStdp { get; } = new("fedeStdp", ["rule", "lr", "w_init", "a", "pre_trace", "w_min", "w_max"], []);

    public static KeySet StdpSnnTorch { get; } = new("stdpSnnTorch", ["rule", "tau_pre_steps", "tau_post_steps", "lr", "w_min", "w_max", "weight_dependence"], ["step"]);

    public static KeySet StdpMatterhorn { get; } = new("stdpMatterhorn", ["rule", "a_pos", "tau_pos_steps", "a_neg", "tau_neg_steps", "lr", "w_min", "w_max"], ["step"]);

    public static KeySet Trace { get; } = new("plasticityTrace", ["decay", "tau_steps", "factor", "alpha", "mode"], ["tau", "step"]);

    public static KeySet LateralInhibition { get; } = new("lateralInhibition", ["population", "weight", "receptor", "description"], ["delay"]);

    public static KeySet Reward { get; } = new("reward", ["value", "projection", "description"], ["at"]);

    public static KeySet SpikeMonitor { get; } = new("spikeMonitor", ["kind", "population", "neurons", "description"], []);

    public static KeySet StateMonitor { get; } = new("stateMonitor", ["kind", "population", "variable", "neurons", "description"], ["interval"]);

    public static KeySet EventInput { get; } = new("eventInput", ["population", "path", "format", "align", "description"], ["time_offset"]);

    /// <summary>Every key set (one per object kind).</summary>
    public static IReadOnlyList<KeySet> All { get; } =
    [
        Network, NeuronPopulation, SpikeSourcePopulation, PoissonPopulation, ExternalPopulation, Execution, Uniform, Normal,
        WeightNormal, DelayNormal, NormalParameters, Projection, AllToAll, OneToOne, FixedProbability, FixedTotalNumber, Explicit, Conv2D, MaxPool2D, AvgPool2D, StdpPair, StdpTriplet, Mstdp,
        Mstdpet, FedeStdp, StdpSnnTorch, StdpMatterhorn, Trace, LateralInhibition, Reward, SpikeMonitor, StateMonitor, EventInput,
    ];
}
