using System.Collections.Immutable;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Network;

/// <summary>What kind of elements a population holds.</summary>
public enum PopulationKind
{
    /// <summary>Model neurons (<see cref="PopulationSpec.Model"/>).</summary>
    Neurons = 0,

    /// <summary>Spike sources that fire at explicit times (<see cref="PopulationSpec.SpikeTimes"/>).</summary>
    SpikeSource = 1,

    /// <summary>Seeded Poisson generators (<see cref="PopulationSpec.Poisson"/>).</summary>
    Poisson = 2,

    /// <summary>Sources driven by external address events injected while running (for example DVS pixels).</summary>
    External = 3,
}

/// <summary>How an initial state variable is set.</summary>
/// <param name="Variable">State variable name.</param>
/// <param name="Low">Constant value, or lower bound of a uniform draw.</param>
/// <param name="High">Upper bound of a uniform draw (equal to <paramref name="Low"/> for a constant).</param>
/// <param name="Seed">Seed of the uniform draw.</param>
/// <param name="Values">Per-neuron values (empty unless given per neuron).</param>
public sealed record InitialValueSpec(string Variable, double Low, double High, ulong Seed, ImmutableArray<double> Values);

/// <summary>Parameters of a Poisson source population.</summary>
/// <param name="RateHz">Rate of each generator in Hz (≥ 0).</param>
/// <param name="Start">First time at which spikes may occur.</param>
/// <param name="Stop">Time from which no spikes occur (exclusive).</param>
/// <param name="Seed">Seed of the population's random stream.</param>
public sealed record PoissonSpec(double RateHz, SimTime Start, SimTime Stop, ulong Seed);

/// <summary>
/// Poisson input of a clock-driven neuron population, drawn on the device per neuron and per step: every step of dt adds
/// <c>Weight · n</c> to receptor <c>Receptor</c> of each neuron, with n ~ Poisson(<c>RateHz</c> · <c>Sources</c> · dt) drawn
/// independently per neuron and step — the summed spikes of <c>Sources</c> independent Poisson trains of <c>RateHz</c>
/// each, as through that many external synapses of weight <c>Weight</c>, without one event per spike.
/// </summary>
/// <param name="Receptor">The receptor the input is added to.</param>
/// <param name="RateHz">Rate of each source in Hz (≥ 0).</param>
/// <param name="Sources">Number of independent sources per neuron (≥ 1).</param>
/// <param name="Weight">Weight of one source spike (the model's input units).</param>
/// <param name="Seed">Seed of the draws: the count of neuron j at step k depends on (seed, j, k) only.</param>
public sealed record PoissonInputSpec(string Receptor, double RateHz, int Sources, double Weight, ulong Seed);

/// <summary>How a neuron population is executed by the engine.</summary>
public enum ExecutionMode
{
    /// <summary>
    /// Event-driven: every neuron is brought forward lazily with its model's exact solution when an input or a predicted
    /// threshold crossing reaches it, in continuous integer time.
    /// </summary>
    Event = 0,

    /// <summary>Clock-driven: the whole population advances by fixed steps of <see cref="ExecutionSpec.Dt"/> on a compute device.</summary>
    Clock = 1,
}

/// <summary>The execution a population declares: event-driven, or clock-driven with its own step.</summary>
/// <param name="Mode">Event- or clock-driven.</param>
/// <param name="Dt">The step of a clock-driven population (positive); <see cref="SimDuration.Zero"/> for event-driven ones.</param>
public sealed record ExecutionSpec(ExecutionMode Mode, SimDuration Dt)
{
    /// <summary>Event-driven execution.</summary>
    public static ExecutionSpec Event { get; } = new(ExecutionMode.Event, SimDuration.Zero);

    /// <summary>Clock-driven execution with step <paramref name="dt"/>.</summary>
    /// <param name="dt">The step (positive).</param>
    public static ExecutionSpec Clock(SimDuration dt) => new(ExecutionMode.Clock, dt);

    /// <inheritdoc/>
    public override string ToString() => Mode == ExecutionMode.Event ? "event" : $"clock(dt {Dt})";
}

/// <summary>An immutable, validated population description.</summary>
public sealed class PopulationSpec
{
    internal PopulationSpec(int id, string name, PopulationKind kind, PopulationShape shape)
    {
        Id = id;
        Name = name;
        Kind = kind;
        Shape = shape;
    }

    /// <summary>Index of the population in <see cref="NetworkSpec.Populations"/>.</summary>
    public int Id { get; }

    /// <summary>Unique name.</summary>
    public string Name { get; }

    /// <summary>What the population holds.</summary>
    public PopulationKind Kind { get; }

    /// <summary>Shape (and size).</summary>
    public PopulationShape Shape { get; }

    /// <summary>Number of neurons or sources.</summary>
    public int Size => Shape.Size;

    /// <summary>The neuron model (for <see cref="PopulationKind.Neurons"/>), else null.</summary>
    public NeuronModel? Model { get; internal init; }

    /// <summary>Parameter values shared by the population, in <see cref="NeuronModelInfo.Parameters"/> order (defaults filled in).</summary>
    public ImmutableArray<double> Parameters { get; internal init; } = [];

    /// <summary>Per-neuron parameter values by parameter name (each of length <see cref="Size"/>); they override <see cref="Parameters"/>.</summary>
    public ImmutableDictionary<string, ImmutableArray<double>> PerNeuronParameters { get; internal init; } = ImmutableDictionary<string, ImmutableArray<double>>.Empty;

    /// <summary>Reset mode.</summary>
    public ResetMode Reset { get; internal init; }

    /// <summary>Threshold comparison.</summary>
    public ThresholdComparison Comparison { get; internal init; }

    /// <summary>Whether an input arriving exactly when the refractory period ends is discarded.</summary>
    public RefractoryEnd RefractoryEnd { get; internal init; }

    /// <summary>The spike rules (reset, threshold comparison, refractory end) as one value.</summary>
    public SpikeRules Rules => new(Reset, Comparison, RefractoryEnd);

    /// <summary>The execution the population declares, or null when it declares none (the engine's default applies).</summary>
    public ExecutionSpec? Execution { get; internal init; }

    /// <summary>Initial values of state variables (others start at the model's initial state).</summary>
    public ImmutableArray<InitialValueSpec> Initial { get; internal init; } = [];

    /// <summary>Spike times per source (for <see cref="PopulationKind.SpikeSource"/>), each sorted ascending.</summary>
    public ImmutableArray<ImmutableArray<SimTime>> SpikeTimes { get; internal init; } = [];

    /// <summary>Poisson parameters (for <see cref="PopulationKind.Poisson"/>).</summary>
    public PoissonSpec? Poisson { get; internal init; }

    /// <summary>Poisson inputs drawn per neuron and per step (clock-driven neuron populations only).</summary>
    public ImmutableArray<PoissonInputSpec> PoissonInputs { get; internal init; } = [];

    /// <summary>Whether the population has model state (<see cref="PopulationKind.Neurons"/>).</summary>
    public bool HasState => Kind == PopulationKind.Neurons;

    /// <summary>Resolves the parameter values of neuron <paramref name="neuron"/> into <paramref name="destination"/>.</summary>
    /// <param name="neuron">Neuron index.</param>
    /// <param name="destination">Receives <see cref="Parameters"/> with per-neuron overrides applied.</param>
    public void GetParameters(int neuron, Span<double> destination)
    {
        Parameters.AsSpan().CopyTo(destination);
        if (Model is null)
        {
            return;
        }

        foreach (KeyValuePair<string, ImmutableArray<double>> kv in PerNeuronParameters)
        {
            destination[Model.Info.ParameterIndex(kv.Key)] = kv.Value[neuron];
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"population '{Name}' ({Kind}, {Shape})";
}

/// <summary>Weights of a projection's synapses (unless the connectivity gives them).</summary>
/// <param name="Low">Constant weight, or lower bound of a uniform draw; for a normal draw, the lowest value kept (−∞ for none).</param>
/// <param name="High">Upper bound of a uniform draw (equal to <paramref name="Low"/> for a constant); for a normal draw, the highest value kept (+∞ for none).</param>
/// <param name="Seed">Seed of the draw.</param>
public sealed record WeightSpec(double Low, double High, ulong Seed)
{
    /// <summary>A constant weight.</summary>
    /// <param name="w">The weight.</param>
    public static WeightSpec Constant(double w) => new(w, w, 0);

    /// <summary>
    /// Weights drawn from a normal distribution (Box–Muller on a seeded xoshiro256** stream), a draw outside
    /// [<paramref name="min"/>, <paramref name="max"/>] drawn again (NEST's <c>redraw</c>: <c>min: 0</c> keeps excitatory
    /// weights positive, <c>max: 0</c> inhibitory ones negative).
    /// </summary>
    /// <param name="mean">Mean.</param>
    /// <param name="sd">Standard deviation (≥ 0).</param>
    /// <param name="seed">Seed.</param>
    /// <param name="min">Lowest weight kept (default −∞).</param>
    /// <param name="max">Highest weight kept (default +∞).</param>
    public static WeightSpec Normal(double mean, double sd, ulong seed, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
        => new(min, max, seed) { IsNormal = true, Mean = mean, StandardDeviation = sd };

    /// <summary>Whether weights are drawn from a normal distribution (<see cref="Normal"/>).</summary>
    public bool IsNormal { get; init; }

    /// <summary>Mean of a normal draw.</summary>
    public double Mean { get; init; }

    /// <summary>Standard deviation of a normal draw.</summary>
    public double StandardDeviation { get; init; }

    /// <summary>Whether the weight is constant.</summary>
    public bool IsConstant => !IsNormal && Low == High;
}

/// <summary>Delays of a projection's synapses (unless the connectivity gives them): whole ticks, at least one.</summary>
/// <param name="Low">Constant delay, or lower bound of a uniform draw of whole ticks (inclusive); for a normal draw, the shortest delay kept.</param>
/// <param name="High">Upper bound (inclusive; equal to <paramref name="Low"/> for a constant); for a normal draw, the longest delay kept.</param>
/// <param name="Seed">Seed of the draw.</param>
public sealed record DelaySpec(SimDuration Low, SimDuration High, ulong Seed)
{
    /// <summary>A constant delay.</summary>
    /// <param name="delay">The delay (≥ 1 tick).</param>
    public static DelaySpec Constant(SimDuration delay) => new(delay, delay, 0);

    /// <summary>
    /// Delays drawn from a normal distribution, a draw below <paramref name="min"/> or above <paramref name="max"/> drawn
    /// again, then rounded to a whole number of <paramref name="step"/>s (half to even) — as NEST draws
    /// <c>redraw(normal(mean, sd), min)</c> and rounds delays to its resolution.
    /// </summary>
    /// <param name="mean">Mean.</param>
    /// <param name="sd">Standard deviation (≥ 0).</param>
    /// <param name="min">Shortest delay kept before rounding (≥ half a step, so a delay rounds to at least one step).</param>
    /// <param name="step">Resolution (≥ 1 tick): the clock-driven populations' time step, so a source's synapses fall into few delay groups.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="max">Longest delay kept before rounding (default: no limit).</param>
    public static DelaySpec Normal(SimDuration mean, SimDuration sd, SimDuration min, SimDuration step, ulong seed, SimDuration? max = null)
        => new(min, max ?? SimDuration.FromTicks(long.MaxValue / 4), seed) { IsNormal = true, Mean = mean, StandardDeviation = sd, Step = step };

    /// <summary>Whether delays are drawn from a normal distribution (<see cref="Normal"/>).</summary>
    public bool IsNormal { get; init; }

    /// <summary>Mean of a normal draw.</summary>
    public SimDuration Mean { get; init; }

    /// <summary>Standard deviation of a normal draw.</summary>
    public SimDuration StandardDeviation { get; init; }

    /// <summary>Resolution a normal draw is rounded to.</summary>
    public SimDuration Step { get; init; }

    /// <summary>Whether the delay is constant.</summary>
    public bool IsConstant => !IsNormal && Low == High;
}

/// <summary>An immutable, validated projection description.</summary>
public sealed class ProjectionSpec
{
    internal ProjectionSpec(int id, string name, int pre, int post, ConnectivitySpec connectivity)
    {
        Id = id;
        Name = name;
        Pre = pre;
        Post = post;
        Connectivity = connectivity;
    }

    /// <summary>Index in <see cref="NetworkSpec.Projections"/>.</summary>
    public int Id { get; }

    /// <summary>Unique name (<c>pre->post</c> unless given).</summary>
    public string Name { get; }

    /// <summary>Presynaptic population id.</summary>
    public int Pre { get; }

    /// <summary>Postsynaptic population id (a neuron population).</summary>
    public int Post { get; }

    /// <summary>Connectivity rule.</summary>
    public ConnectivitySpec Connectivity { get; }

    /// <summary>Weights (ignored where the connectivity gives weights).</summary>
    public WeightSpec Weight { get; internal init; } = WeightSpec.Constant(1.0);

    /// <summary>Delays (ignored where the connectivity gives delays).</summary>
    public DelaySpec Delay { get; internal init; } = DelaySpec.Constant(SimDuration.FromMilliseconds(1L));

    /// <summary>Receptor index on the postsynaptic model.</summary>
    public int Receptor { get; internal init; }

    /// <summary>The plasticity rule, or null for static synapses.</summary>
    public PlasticitySpec? Plasticity { get; internal init; }

    /// <summary>The rule when it is pair STDP (<see cref="StdpSpec"/>), else null.</summary>
    public StdpSpec? Stdp => Plasticity as StdpSpec;

    /// <summary>Weight normalisation applied at every <see cref="Engines.SimulationEngine.ResetState"/>, or null.</summary>
    public WeightNormalizationSpec? Normalization { get; internal init; }

    /// <inheritdoc/>
    public override string ToString() => $"projection '{Name}'";
}

/// <summary>What a monitor records.</summary>
public enum MonitorKind
{
    /// <summary>Spike times and neuron indices.</summary>
    Spikes = 0,

    /// <summary>Samples of one state variable at a fixed interval.</summary>
    State = 1,
}

/// <summary>A monitor description; engines feed monitors created from it.</summary>
/// <param name="Kind">What is recorded.</param>
/// <param name="Population">Population id.</param>
/// <param name="Variable">State variable index (state monitors), else −1.</param>
/// <param name="Neurons">Recorded neurons (empty: all).</param>
/// <param name="Interval">Sampling interval (state monitors), else zero.</param>
public sealed record MonitorSpec(MonitorKind Kind, int Population, int Variable, ImmutableArray<int> Neurons, SimDuration Interval);

/// <summary>An immutable, validated network: populations, projections and monitors. Build it with <see cref="NetworkBuilder"/>.</summary>
public sealed class NetworkSpec
{
    internal NetworkSpec(ImmutableArray<PopulationSpec> populations, ImmutableArray<ProjectionSpec> projections, ImmutableArray<MonitorSpec> monitors)
    {
        Populations = populations;
        Projections = projections;
        Monitors = monitors;
    }

    /// <summary>Populations, indexed by id.</summary>
    public ImmutableArray<PopulationSpec> Populations { get; }

    /// <summary>Projections, indexed by id.</summary>
    public ImmutableArray<ProjectionSpec> Projections { get; }

    /// <summary>Monitors.</summary>
    public ImmutableArray<MonitorSpec> Monitors { get; }

    /// <summary>Total number of neurons and sources.</summary>
    public long TotalSize => Populations.Sum(p => (long)p.Size);

    /// <summary>Finds a population by name.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="KeyNotFoundException">No population has that name.</exception>
    public PopulationSpec Population(string name)
        => Populations.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"No population named '{name}'.");

    /// <summary>Finds a projection by name.</summary>
    /// <param name="name">The name.</param>
    /// <exception cref="KeyNotFoundException">No projection has that name.</exception>
    public ProjectionSpec Projection(string name)
        => Projections.FirstOrDefault(p => p.Name == name) ?? throw new KeyNotFoundException($"No projection named '{name}'.");
}

/// <summary>A network description failed validation; <see cref="Errors"/> lists every problem, each naming the element and field.</summary>
public sealed class NetworkValidationException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errors">The problems.</param>
    public NetworkValidationException(IReadOnlyList<string> errors)
        : base("Invalid network: " + string.Join("; ", errors))
    {
        Errors = errors;
    }

    /// <summary>Creates the exception with one problem.</summary>
    /// <param name="message">The problem.</param>
    public NetworkValidationException(string message)
        : this([message])
    {
    }

    /// <summary>Creates the exception with no details.</summary>
    public NetworkValidationException()
        : this("Invalid network.")
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    /// <param name="message">The problem.</param>
    /// <param name="inner">The cause.</param>
    public NetworkValidationException(string message, Exception inner)
        : base(message, inner)
    {
        Errors = [message];
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<string> Errors { get; }
}
