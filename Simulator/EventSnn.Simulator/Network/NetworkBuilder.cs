using System.Collections.Immutable;
using System.Globalization;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Network;

/// <summary>
/// Fluent builder of an immutable <see cref="NetworkSpec"/>. Elements are referred to by name; every reference,
/// shape and parameter is checked by <see cref="Build"/>, which reports all problems at once, each naming the
/// element and the field.
/// </summary>
/// <example>
/// <code>
/// var net = new NetworkBuilder()
///     .AddNeurons("exc", 3200, NeuronModel.CubaLif, p => p.Set("tau_m", 20).InitialUniform("v", -60, -50, seed: 1))
///     .AddPoisson("noise", 100, rateHz: 5, seed: 7)
///     .Connect("noise", "exc", ConnectivitySpec.FixedProbability(0.02, seed: 3), c => c.Weight(1.62).Delay(SimDuration.FromMilliseconds(0.1)).Receptor("e"))
///     .RecordSpikes("exc")
///     .Build();
/// </code>
/// </example>
public sealed class NetworkBuilder
{
    private readonly List<PopulationOptions> _populations = [];
    private readonly List<ProjectionOptions> _projections = [];
    private readonly List<(MonitorKind Kind, string Population, string? Variable, int[] Neurons, SimDuration Interval)> _monitors = [];

    /// <summary>Adds a 1-D population of model neurons.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="size">Number of neurons (≥ 1).</param>
    /// <param name="model">The neuron model.</param>
    /// <param name="configure">Sets parameters, reset, threshold comparison and initial values.</param>
    public NetworkBuilder AddNeurons(string name, int size, NeuronModel model, Action<PopulationOptions>? configure = null)
        => AddNeurons(name, size >= 1 ? PopulationShape.Linear(size) : default, model, configure, size);

    /// <summary>Adds a shaped (C×H×W) population of model neurons.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="shape">The shape.</param>
    /// <param name="model">The neuron model.</param>
    /// <param name="configure">Sets parameters, reset, threshold comparison and initial values.</param>
    public NetworkBuilder AddNeurons(string name, PopulationShape shape, NeuronModel model, Action<PopulationOptions>? configure = null)
        => AddNeurons(name, shape, model, configure, shape.Size);

    private NetworkBuilder AddNeurons(string name, PopulationShape shape, NeuronModel model, Action<PopulationOptions>? configure, int size)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = new PopulationOptions(name, PopulationKind.Neurons, shape, size) { Model = model };
        configure?.Invoke(o);
        _populations.Add(o);
        return this;
    }

    /// <summary>Adds spike sources firing at explicit times, one list per source.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="spikeTimes">For each source, its spike times (sorted ascending, ≥ 0; a repeated time gives several spikes at that instant).</param>
    public NetworkBuilder AddSpikeSource(string name, IReadOnlyList<SimTime[]> spikeTimes)
    {
        ArgumentNullException.ThrowIfNull(spikeTimes);
        var o = new PopulationOptions(name, PopulationKind.SpikeSource, spikeTimes.Count >= 1 ? PopulationShape.Linear(spikeTimes.Count) : default, spikeTimes.Count)
        {
            SpikeTimes = [.. spikeTimes.Select(t => t is null ? [] : ImmutableArray.Create(t))],
        };
        _populations.Add(o);
        return this;
    }

    /// <summary>Adds independent seeded Poisson generators.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="size">Number of generators.</param>
    /// <param name="rateHz">Rate per generator in Hz (≥ 0).</param>
    /// <param name="seed">Seed.</param>
    /// <param name="start">First time at which spikes may occur (default 0).</param>
    /// <param name="stop">Time from which no spikes occur (exclusive; default: never).</param>
    public NetworkBuilder AddPoisson(string name, int size, double rateHz, ulong seed, SimTime? start = null, SimTime? stop = null)
    {
        var o = new PopulationOptions(name, PopulationKind.Poisson, size >= 1 ? PopulationShape.Linear(size) : default, size)
        {
            Poisson = new PoissonSpec(rateHz, start ?? SimTime.Zero, stop ?? SimTime.MaxValue, seed),
        };
        _populations.Add(o);
        return this;
    }

    /// <summary>
    /// Adds an external input population driven by events injected while running; for an event camera use shape
    /// (2, height, width) so that event (x, y, p) maps to neuron <c>(p·height + y)·width + x</c>.
    /// </summary>
    /// <param name="name">Unique name.</param>
    /// <param name="shape">The shape.</param>
    public NetworkBuilder AddExternalInput(string name, PopulationShape shape)
    {
        _populations.Add(new PopulationOptions(name, PopulationKind.External, shape, shape.Size));
        return this;
    }

    /// <summary>Connects two populations.</summary>
    /// <param name="pre">Presynaptic population name.</param>
    /// <param name="post">Postsynaptic (neuron) population name.</param>
    /// <param name="connectivity">The rule.</param>
    /// <param name="configure">Sets weight, delay, receptor, plasticity and name.</param>
    public NetworkBuilder Connect(string pre, string post, ConnectivitySpec connectivity, Action<ProjectionOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(connectivity);
        var o = new ProjectionOptions(pre, post, connectivity);
        configure?.Invoke(o);
        _projections.Add(o);
        return this;
    }

    /// <summary>
    /// Lateral winner-take-all inhibition inside one population: every neuron inhibits every other one (no self
    /// connection) with weight <paramref name="weight"/> on <paramref name="receptor"/>, so the first neurons to fire
    /// suppress the rest. The projection is named <c>population:wta</c>.
    /// </summary>
    /// <param name="population">The neuron population.</param>
    /// <param name="weight">The inhibitory weight: negative mV for voltage receptors, a positive conductance for an inhibitory receptor.</param>
    /// <param name="receptor">The receptor (null: receptor 0).</param>
    /// <param name="delay">The delay (default 1 ms).</param>
    public NetworkBuilder LateralInhibition(string population, double weight, string? receptor = null, SimDuration? delay = null)
        => Connect(population, population, ConnectivitySpec.AllToAll(allowSelf: false), c =>
        {
            c.Named(population + ":wta").Weight(weight);
            if (receptor is not null)
            {
                c.Receptor(receptor);
            }

            if (delay is { } d)
            {
                c.Delay(d);
            }
        });

    /// <summary>Records the spikes of a population.</summary>
    /// <param name="population">Population name.</param>
    public NetworkBuilder RecordSpikes(string population)
    {
        _monitors.Add((MonitorKind.Spikes, population, null, [], SimDuration.Zero));
        return this;
    }

    /// <summary>Records the spikes of some neurons of a population.</summary>
    /// <param name="population">Population name.</param>
    /// <param name="neurons">Neurons to record (empty: all).</param>
    public NetworkBuilder RecordSpikes(string population, int[] neurons)
    {
        ArgumentNullException.ThrowIfNull(neurons);
        _monitors.Add((MonitorKind.Spikes, population, null, (int[])neurons.Clone(), SimDuration.Zero));
        return this;
    }

    /// <summary>Samples a state variable every <paramref name="interval"/>.</summary>
    /// <param name="population">Population name.</param>
    /// <param name="variable">State variable name.</param>
    /// <param name="interval">Interval (≥ 1 tick).</param>
    /// <param name="neurons">Neurons to record (null or empty: all).</param>
    public NetworkBuilder RecordState(string population, string variable, SimDuration interval, int[]? neurons = null)
    {
        _monitors.Add((MonitorKind.State, population, variable, neurons ?? [], interval));
        return this;
    }

    /// <summary>Validates everything and builds the immutable spec.</summary>
    /// <exception cref="NetworkValidationException">One or more problems (all listed).</exception>
    public NetworkSpec Build()
    {
        var errors = new List<string>();
        var byName = new Dictionary<string, int>(StringComparer.Ordinal);
        var pops = ImmutableArray.CreateBuilder<PopulationSpec>();
        for (int i = 0; i < _populations.Count; i++)
        {
            PopulationOptions o = _populations[i];
            string label = string.IsNullOrWhiteSpace(o.Name) ? $"population #{i}" : $"population '{o.Name}'";
            if (string.IsNullOrWhiteSpace(o.Name))
            {
                errors.Add($"{label}: field 'name' must not be empty");
            }
            else if (!byName.TryAdd(o.Name, i))
            {
                errors.Add($"{label}: field 'name' is already used by another population");
            }

            if (o.Size < 1)
            {
                errors.Add($"{label}: field 'size' must be ≥ 1 (got {o.Size})");
                pops.Add(new PopulationSpec(i, o.Name ?? string.Empty, o.Kind, PopulationShape.Linear(1)));
                continue;
            }

            pops.Add(BuildPopulation(i, o, label, errors));
        }

        var projs = ImmutableArray.CreateBuilder<ProjectionSpec>();
        var projNames = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < _projections.Count; i++)
        {
            ProjectionOptions o = _projections[i];
            string name = o.Name ?? $"{o.PreName}->{o.PostName}";
            string label = $"projection '{name}'";
            if (!projNames.Add(name))
            {
                errors.Add($"{label}: field 'name' is already used (give the projection a distinct name)");
            }

            bool ok = true;
            if (o.PreName is null || !byName.TryGetValue(o.PreName, out int pre))
            {
                errors.Add($"{label}: field 'pre' names unknown population '{o.PreName}'");
                pre = -1;
                ok = false;
            }

            if (o.PostName is null || !byName.TryGetValue(o.PostName, out int post))
            {
                errors.Add($"{label}: field 'post' names unknown population '{o.PostName}'");
                post = -1;
                ok = false;
            }

            if (!ok)
            {
                continue;
            }

            ProjectionSpec? spec = BuildProjection(i, name, label, o, pops[pre], pops[post], errors);
            if (spec is not null)
            {
                projs.Add(spec);
            }
        }

        var mons = ImmutableArray.CreateBuilder<MonitorSpec>();
        for (int i = 0; i < _monitors.Count; i++)
        {
            var (kind, popName, variable, neurons, interval) = _monitors[i];
            string label = $"monitor #{i} ({kind})";
            if (popName is null || !byName.TryGetValue(popName, out int pop))
            {
                errors.Add($"{label}: field 'population' names unknown population '{popName}'");
                continue;
            }

            PopulationSpec ps = pops[pop];
            int varIndex = -1;
            if (kind == MonitorKind.State)
            {
                if (ps.Model is null)
                {
                    errors.Add($"{label}: field 'population' ('{popName}') has no state to sample");
                    continue;
                }

                varIndex = variable is null ? -1 : ps.Model.Info.StateIndex(variable);
                if (varIndex < 0)
                {
                    errors.Add($"{label}: field 'variable' '{variable}' is not a state variable of model '{ps.Model.Info.Name}' ({string.Join(", ", ps.Model.Info.StateVariables)})");
                }

                if (interval.Ticks < 1)
                {
                    errors.Add($"{label}: field 'interval' must be ≥ 1 tick (got {interval})");
                }
            }

            foreach (int n in neurons)
            {
                if ((uint)n >= (uint)ps.Size)
                {
                    errors.Add($"{label}: field 'neurons' contains {n}, outside 0..{ps.Size - 1} of population '{popName}'");
                    break;
                }
            }

            mons.Add(new MonitorSpec(kind, pop, varIndex, [.. neurons], interval));
        }

        if (errors.Count > 0)
        {
            throw new NetworkValidationException(errors);
        }

        return new NetworkSpec(pops.ToImmutable(), projs.ToImmutable(), mons.ToImmutable());
    }

    private static PopulationSpec BuildPopulation(int id, PopulationOptions o, string label, List<string> errors)
    {
        switch (o.Kind)
        {
            case PopulationKind.SpikeSource:
                for (int j = 0; j < o.SpikeTimes.Length; j++)
                {
                    ImmutableArray<SimTime> t = o.SpikeTimes[j];
                    for (int k = 0; k < t.Length; k++)
                    {
                        if (t[k] < SimTime.Zero || (k > 0 && t[k] < t[k - 1]))
                        {
                            errors.Add($"{label}: field 'spike_times[{j}]' must be ≥ 0 and ascending (entry {k} = {t[k]})");
                            break;
                        }
                    }
                }

                return new PopulationSpec(id, o.Name, o.Kind, o.Shape) { SpikeTimes = o.SpikeTimes };
            case PopulationKind.Poisson:
                PoissonSpec ps = o.Poisson!;
                if (!double.IsFinite(ps.RateHz) || ps.RateHz < 0)
                {
                    errors.Add($"{label}: field 'rate_hz' must be finite and ≥ 0 (got {Fmt(ps.RateHz)})");
                }
                else if (ps.RateHz > Units.TicksPerSecond)
                {
                    errors.Add($"{label}: field 'rate_hz' must be ≤ 1e9 (one spike per tick) (got {Fmt(ps.RateHz)})");
                }

                if (ps.Start < SimTime.Zero || ps.Stop < ps.Start)
                {
                    errors.Add($"{label}: fields 'start'/'stop' must satisfy 0 ≤ start ≤ stop (got {ps.Start}, {ps.Stop})");
                }

                return new PopulationSpec(id, o.Name, o.Kind, o.Shape) { Poisson = ps };
            case PopulationKind.External:
                return new PopulationSpec(id, o.Name, o.Kind, o.Shape);
            default:
                return BuildNeurons(id, o, label, errors);
        }
    }

    private static PopulationSpec BuildNeurons(int id, PopulationOptions o, string label, List<string> errors)
    {
        NeuronModel model = o.Model!;
        NeuronModelInfo info = model.Info;
        double[] values = [.. info.Parameters.Select(p => p.Default)];
        foreach (KeyValuePair<string, double> kv in o.ParameterValues)
        {
            int k = info.ParameterIndex(kv.Key);
            if (k < 0)
            {
                errors.Add($"{label}: parameter '{kv.Key}' is not a parameter of model '{info.Name}' ({string.Join(", ", info.Parameters.Select(p => p.Name))})");
                continue;
            }

            values[k] = kv.Value;
        }

        for (int k = 0; k < values.Length; k++)
        {
            string? why = info.Parameters[k].Check(values[k]);
            if (why is not null)
            {
                errors.Add($"{label}: parameter '{info.Parameters[k].Name}' {why}");
            }
        }

        var perNeuron = ImmutableDictionary.CreateBuilder<string, ImmutableArray<double>>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, double[]> kv in o.PerNeuronValues)
        {
            int k = info.ParameterIndex(kv.Key);
            if (k < 0)
            {
                errors.Add($"{label}: parameter '{kv.Key}' is not a parameter of model '{info.Name}'");
                continue;
            }

            if (kv.Value.Length != o.Size)
            {
                errors.Add($"{label}: parameter '{kv.Key}' has {kv.Value.Length} per-neuron values for {o.Size} neurons");
                continue;
            }

            for (int j = 0; j < kv.Value.Length; j++)
            {
                string? why = info.Parameters[k].Check(kv.Value[j]);
                if (why is not null)
                {
                    errors.Add($"{label}: parameter '{kv.Key}'[{j}] {why}");
                    break;
                }
            }

            perNeuron[kv.Key] = [.. kv.Value];
        }

        if (o.ExecutionValue is { Mode: ExecutionMode.Clock } ex && ex.Dt.Ticks < 1)
        {
            errors.Add($"{label}: field 'execution.dt' must be ≥ 1 tick for a clock-driven population (got {ex.Dt})");
        }

        if (!info.SupportedResets.Contains(o.ResetMode))
        {
            errors.Add($"{label}: field 'reset' {o.ResetMode} is not supported by model '{info.Name}'");
        }

        var spec = new PopulationSpec(id, o.Name, o.Kind, o.Shape)
        {
            Model = model,
            Parameters = [.. values],
            PerNeuronParameters = perNeuron.ToImmutable(),
            Reset = o.ResetMode,
            Comparison = o.Comparison,
            RefractoryEnd = o.RefractoryEndValue,
        };

        if (errors.Count == 0)
        {
            // Cross-parameter rules, per neuron when parameters vary.
            Span<double> p = stackalloc double[values.Length];
            int count = spec.PerNeuronParameters.IsEmpty ? 1 : o.Size;
            for (int j = 0; j < count; j++)
            {
                spec.GetParameters(j, p);
                string? why = model.Validate(p, spec.Rules);
                if (why is not null)
                {
                    errors.Add(count == 1 ? $"{label}: {why}" : $"{label}: neuron {j}: {why}");
                    break;
                }
            }
        }

        var initial = ImmutableArray.CreateBuilder<InitialValueSpec>();
        foreach (InitialValueSpec iv in o.InitialValues)
        {
            if (info.StateIndex(iv.Variable) < 0)
            {
                errors.Add($"{label}: initial value names unknown state variable '{iv.Variable}' of model '{info.Name}' ({string.Join(", ", info.StateVariables)})");
                continue;
            }

            if (!iv.Values.IsDefaultOrEmpty)
            {
                if (iv.Values.Length != o.Size)
                {
                    errors.Add($"{label}: initial '{iv.Variable}' has {iv.Values.Length} values for {o.Size} neurons");
                }
                else if (iv.Values.Any(v => !double.IsFinite(v)))
                {
                    errors.Add($"{label}: initial '{iv.Variable}' values must be finite");
                }
            }
            else if (!double.IsFinite(iv.Low) || !double.IsFinite(iv.High) || iv.High < iv.Low)
            {
                errors.Add($"{label}: initial '{iv.Variable}' range must be finite with low ≤ high (got [{Fmt(iv.Low)}, {Fmt(iv.High)}])");
            }

            initial.Add(iv);
        }

        for (int k = 0; k < o.PoissonInputValues.Count; k++)
        {
            PoissonInputSpec pi = o.PoissonInputValues[k];
            string at = $"{label}: poisson input {k}";
            if (info.ReceptorIndex(pi.Receptor) < 0)
            {
                errors.Add($"{at}: '{pi.Receptor}' is not a receptor of model '{info.Name}' (receptors: {string.Join(", ", info.Receptors)})");
            }

            if (!(pi.RateHz >= 0 && pi.RateHz <= Units.TicksPerSecond))
            {
                errors.Add($"{at}: rate must be in 0..1e9 Hz (got {Fmt(pi.RateHz)})");
            }

            if (pi.Sources < 1)
            {
                errors.Add($"{at}: sources must be ≥ 1 (got {pi.Sources})");
            }

            if (!double.IsFinite(pi.Weight))
            {
                errors.Add($"{at}: weight must be finite (got {Fmt(pi.Weight)})");
            }

            if (o.ExecutionValue is { Mode: ExecutionMode.Event })
            {
                errors.Add($"{at}: Poisson input is drawn per step and needs clock-driven execution");
            }
        }

        return new PopulationSpec(id, o.Name, o.Kind, o.Shape)
        {
            Model = model,
            Parameters = spec.Parameters,
            PerNeuronParameters = spec.PerNeuronParameters,
            Reset = o.ResetMode,
            Comparison = o.Comparison,
            RefractoryEnd = o.RefractoryEndValue,
            Execution = o.ExecutionValue,
            Initial = initial.ToImmutable(),
            PoissonInputs = [.. o.PoissonInputValues],
        };
    }

    private static ProjectionSpec? BuildProjection(int id, string name, string label, ProjectionOptions o, PopulationSpec pre, PopulationSpec post, List<string> errors)
    {
        int before = errors.Count;
        if (post.Model is null)
        {
            errors.Add($"{label}: field 'post' ('{post.Name}') is a {post.Kind} population; projections must target model neurons");
            return null;
        }

        NeuronModelInfo info = post.Model.Info;
        int receptor = 0;
        if (o.ReceptorName is not null)
        {
            receptor = info.ReceptorIndex(o.ReceptorName);
            if (receptor < 0)
            {
                errors.Add($"{label}: field 'receptor' '{o.ReceptorName}' is not a receptor of model '{info.Name}' ({string.Join(", ", info.Receptors)})");
            }
        }

        WeightSpec w = o.WeightValue;
        if (w.IsNormal)
        {
            ValidateNormalWeight(label, w, info, errors);
        }
        else if (!double.IsFinite(w.Low) || !double.IsFinite(w.High) || w.High < w.Low || Math.Abs(w.Low) > float.MaxValue || Math.Abs(w.High) > float.MaxValue)
        {
            errors.Add($"{label}: field 'weight' must be finite (float range) with low ≤ high (got [{Fmt(w.Low)}, {Fmt(w.High)}])");
        }
        else if (info.NonNegativeWeights && w.Low < 0)
        {
            errors.Add($"{label}: field 'weight' must be ≥ 0 for conductance model '{info.Name}' (got {Fmt(w.Low)})");
        }

        DelaySpec d = o.DelayValue;
        if (d.IsNormal)
        {
            ValidateNormalDelay(label, d, errors);
        }
        else if (d.Low.Ticks < 1 || d.High < d.Low)
        {
            errors.Add($"{label}: field 'delay' must be ≥ 1 tick with low ≤ high (got [{d.Low}, {d.High}]); negative and zero delays are not allowed");
        }

        switch (o.Connectivity)
        {
            case OneToOneConnectivity when pre.Size != post.Size:
                errors.Add($"{label}: field 'connectivity' one-to-one needs equal sizes (pre '{pre.Name}' has {pre.Size}, post '{post.Name}' has {post.Size})");
                break;
            case FixedTotalNumberConnectivity ft when ft.Count < 0 || ft.Count > int.MaxValue:
                errors.Add($"{label}: field 'count' must be in [0, 2^31 − 1] (got {ft.Count})");
                break;
            case FixedProbabilityConnectivity fp when !(fp.P >= 0 && fp.P <= 1):
                errors.Add($"{label}: field 'p' must be in [0, 1] (got {Fmt(fp.P)})");
                break;
            case ExplicitConnectivity ex:
                ValidateExplicit(label, ex, pre, post, info, errors);
                break;
            case Conv2DConnectivity cv:
                ValidateConv(label, cv, pre, post, errors);
                if (!cv.Kernel.IsDefaultOrEmpty && info.NonNegativeWeights && cv.Kernel.Any(k => k < 0))
                {
                    errors.Add($"{label}: field 'kernel' must be ≥ 0 for conductance model '{info.Name}'");
                }

                break;
        }

        if (o.PlasticityValue is { } rule)
        {
            rule.Validate(label, errors, info.NonNegativeWeights, o.Connectivity is Conv2DConnectivity);
        }

        if (o.NormalizationValue is { } norm)
        {
            if (!(norm.Total > 0) || !double.IsFinite(norm.Total))
            {
                errors.Add($"{label}: field 'normalize.total' must be finite and > 0 (got {Fmt(norm.Total)})");
            }

            if (o.Connectivity is Conv2DConnectivity)
            {
                errors.Add($"{label}: field 'normalize' is not supported on a convolution (its kernel is shared)");
            }
        }

        if (errors.Count > before)
        {
            return null;
        }

        return new ProjectionSpec(id, name, pre.Id, post.Id, o.Connectivity)
        {
            Weight = w,
            Delay = d,
            Receptor = receptor,
            Plasticity = o.PlasticityValue,
            Normalization = o.NormalizationValue,
        };
    }

    private static void ValidateNormalWeight(string label, WeightSpec w, NeuronModelInfo info, List<string> errors)
    {
        if (!double.IsFinite(w.Mean) || !double.IsFinite(w.StandardDeviation) || w.StandardDeviation < 0 || Math.Abs(w.Mean) > float.MaxValue)
        {
            errors.Add($"{label}: field 'weight' normal needs a finite mean and sd ≥ 0 (got mean {Fmt(w.Mean)}, sd {Fmt(w.StandardDeviation)})");
        }
        else if (double.IsNaN(w.Low) || double.IsNaN(w.High) || !(w.Low <= w.Mean + (3 * w.StandardDeviation)) || !(w.High >= w.Mean - (3 * w.StandardDeviation)) || w.High < w.Low)
        {
            errors.Add($"{label}: field 'weight' normal keeps [{Fmt(w.Low)}, {Fmt(w.High)}], which must overlap mean ± 3 sd ([{Fmt(w.Mean - (3 * w.StandardDeviation))}, {Fmt(w.Mean + (3 * w.StandardDeviation))}]) so that redrawing ends");
        }
        else if (info.NonNegativeWeights && w.Low < 0)
        {
            errors.Add($"{label}: field 'weight' must be ≥ 0 for conductance model '{info.Name}': give the normal draw min ≥ 0 (got {Fmt(w.Low)})");
        }
    }

    private static void ValidateNormalDelay(string label, DelaySpec d, List<string> errors)
    {
        long mean = d.Mean.Ticks, sd = d.StandardDeviation.Ticks, step = d.Step.Ticks;
        if (step < 1 || sd < 0 || mean < 1)
        {
            errors.Add($"{label}: field 'delay' normal needs mean ≥ 1 tick, sd ≥ 0 and step ≥ 1 tick (got mean {d.Mean}, sd {d.StandardDeviation}, step {d.Step})");
        }
        else if (2 * d.Low.Ticks < step || d.High < d.Low)
        {
            errors.Add($"{label}: field 'delay' normal min must be ≥ half a step ({step / 2.0} ns) and ≤ max, so every delay rounds to at least one step (got min {d.Low}, step {d.Step})");
        }
        else if (d.Low.Ticks > mean + (3.0 * sd) || d.High.Ticks < mean - (3.0 * sd))
        {
            errors.Add($"{label}: field 'delay' normal keeps [{d.Low}, {d.High}], which must overlap mean ± 3 sd so that redrawing ends");
        }
    }

    private static void ValidateExplicit(string label, ExplicitConnectivity ex, PopulationSpec pre, PopulationSpec post, NeuronModelInfo info, List<string> errors)
    {
        if (ex.Pre.Length != ex.Post.Length)
        {
            errors.Add($"{label}: field 'synapses' has {ex.Pre.Length} pre indices but {ex.Post.Length} post indices");
            return;
        }

        if (!ex.Weights.IsDefaultOrEmpty && ex.Weights.Length != ex.Pre.Length)
        {
            errors.Add($"{label}: field 'weights' has {ex.Weights.Length} values for {ex.Pre.Length} synapses");
        }

        if (!ex.Delays.IsDefaultOrEmpty && ex.Delays.Length != ex.Pre.Length)
        {
            errors.Add($"{label}: field 'delays' has {ex.Delays.Length} values for {ex.Pre.Length} synapses");
        }

        for (int k = 0; k < ex.Pre.Length; k++)
        {
            if ((uint)ex.Pre[k] >= (uint)pre.Size)
            {
                errors.Add($"{label}: synapse {k}: field 'pre' = {ex.Pre[k]} is outside 0..{pre.Size - 1} of '{pre.Name}'");
                return;
            }

            if ((uint)ex.Post[k] >= (uint)post.Size)
            {
                errors.Add($"{label}: synapse {k}: field 'post' = {ex.Post[k]} is outside 0..{post.Size - 1} of '{post.Name}'");
                return;
            }

            if (!ex.Weights.IsDefaultOrEmpty && k < ex.Weights.Length && (!float.IsFinite(ex.Weights[k]) || (info.NonNegativeWeights && ex.Weights[k] < 0)))
            {
                errors.Add($"{label}: synapse {k}: field 'weight' = {Fmt(ex.Weights[k])} must be finite{(info.NonNegativeWeights ? " and ≥ 0" : string.Empty)}");
                return;
            }

            if (!ex.Delays.IsDefaultOrEmpty && k < ex.Delays.Length && ex.Delays[k].Ticks < 1)
            {
                errors.Add($"{label}: synapse {k}: field 'delay' = {ex.Delays[k]} must be ≥ 1 tick");
                return;
            }
        }
    }

    private static void ValidateConv(string label, Conv2DConnectivity cv, PopulationSpec pre, PopulationSpec post, List<string> errors)
    {
        if (cv.OutChannels < 1 || cv.InChannels < 1 || cv.KernelHeight < 1 || cv.KernelWidth < 1 || cv.StrideY < 1 || cv.StrideX < 1 || cv.PadY < 0 || cv.PadX < 0)
        {
            errors.Add($"{label}: fields of 'conv2d' must satisfy channels, kernel size and stride ≥ 1, padding ≥ 0");
            return;
        }

        long expected = (long)cv.OutChannels * cv.InChannels * cv.KernelHeight * cv.KernelWidth;
        if (cv.Kernel.IsDefault || cv.Kernel.Length != expected)
        {
            errors.Add($"{label}: field 'kernel' has {(cv.Kernel.IsDefault ? 0 : cv.Kernel.Length)} values, expected C_out·C_in·kh·kw = {expected}");
        }
        else if (cv.Kernel.Any(k => !float.IsFinite(k)))
        {
            errors.Add($"{label}: field 'kernel' values must be finite");
        }

        PopulationShape ps = pre.Shape;
        if (ps.Channels != cv.InChannels)
        {
            errors.Add($"{label}: shape mismatch: pre '{pre.Name}' has shape {ps} but the kernel expects {cv.InChannels} input channels");
            return;
        }

        int ho = cv.OutputHeight(ps.Height);
        int wo = cv.OutputWidth(ps.Width);
        if (ho < 1 || wo < 1)
        {
            errors.Add($"{label}: shape mismatch: kernel {cv.KernelHeight}x{cv.KernelWidth} does not fit input {ps} with padding {cv.PadY},{cv.PadX}");
            return;
        }

        PopulationShape qs = post.Shape;
        if (qs.Channels != cv.OutChannels || qs.Height != ho || qs.Width != wo)
        {
            errors.Add($"{label}: shape mismatch: post '{post.Name}' has shape {qs} but the convolution of {ps} produces {cv.OutChannels}x{ho}x{wo}");
        }
    }

    private static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>Options of one population, set inside <see cref="NetworkBuilder.AddNeurons(string, int, NeuronModel, Action{PopulationOptions}?)"/>.</summary>
public sealed class PopulationOptions
{
    internal PopulationOptions(string name, PopulationKind kind, PopulationShape shape, int size)
    {
        Name = name;
        Kind = kind;
        Shape = shape;
        Size = size;
    }

    internal string Name { get; }

    internal PopulationKind Kind { get; }

    internal PopulationShape Shape { get; }

    internal int Size { get; }

    internal NeuronModel? Model { get; init; }

    internal ImmutableArray<ImmutableArray<SimTime>> SpikeTimes { get; init; } = [];

    internal PoissonSpec? Poisson { get; init; }

    internal Dictionary<string, double> ParameterValues { get; } = new(StringComparer.Ordinal);

    internal Dictionary<string, double[]> PerNeuronValues { get; } = new(StringComparer.Ordinal);

    internal List<InitialValueSpec> InitialValues { get; } = [];

    internal ResetMode ResetMode { get; private set; }

    internal ThresholdComparison Comparison { get; private set; }

    internal RefractoryEnd RefractoryEndValue { get; private set; }

    internal ExecutionSpec? ExecutionValue { get; private set; }

    internal List<PoissonInputSpec> PoissonInputValues { get; } = [];

    /// <summary>
    /// Adds Poisson input drawn per neuron and per step (clock-driven execution only): each step of dt adds
    /// <paramref name="weight"/> · n to <paramref name="receptor"/>, n ~ Poisson(<paramref name="rateHz"/> ·
    /// <paramref name="sources"/> · dt) independently per neuron and step (see <see cref="PoissonInputSpec"/>).
    /// </summary>
    /// <param name="receptor">The receptor.</param>
    /// <param name="rateHz">Rate of each source in Hz.</param>
    /// <param name="sources">Independent sources per neuron.</param>
    /// <param name="weight">Weight of one source spike.</param>
    /// <param name="seed">Seed of the draws.</param>
    public PopulationOptions PoissonInput(string receptor, double rateHz, int sources, double weight, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(receptor);
        PoissonInputValues.Add(new PoissonInputSpec(receptor, rateHz, sources, weight, seed));
        return this;
    }

    /// <summary>Sets a parameter for every neuron (units as in <see cref="NeuronModelInfo.Parameters"/>).</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="value">Value.</param>
    public PopulationOptions Set(string name, double value)
    {
        ParameterValues[name] = value;
        return this;
    }

    /// <summary>Sets a parameter per neuron.</summary>
    /// <param name="name">Parameter name.</param>
    /// <param name="values">One value per neuron.</param>
    public PopulationOptions SetPerNeuron(string name, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        PerNeuronValues[name] = (double[])values.Clone();
        return this;
    }

    /// <summary>Sets the reset mode (default <see cref="Models.ResetMode.ToValue"/>).</summary>
    /// <param name="mode">The mode.</param>
    public PopulationOptions Reset(ResetMode mode)
    {
        ResetMode = mode;
        return this;
    }

    /// <summary>Sets the threshold comparison (default <see cref="ThresholdComparison.GreaterOrEqual"/>).</summary>
    /// <param name="comparison">The comparison.</param>
    public PopulationOptions Threshold(ThresholdComparison comparison)
    {
        Comparison = comparison;
        return this;
    }

    /// <summary>Sets whether an input arriving exactly at the end of the refractory period is discarded (default <see cref="Models.RefractoryEnd.HalfOpen"/>: applied).</summary>
    /// <param name="end">The convention.</param>
    public PopulationOptions RefractoryEnd(RefractoryEnd end)
    {
        RefractoryEndValue = end;
        return this;
    }

    /// <summary>Declares event-driven execution: exact, lazy, per neuron, in continuous integer time.</summary>
    public PopulationOptions EventDriven()
    {
        ExecutionValue = ExecutionSpec.Event;
        return this;
    }

    /// <summary>Declares clock-driven execution with step <paramref name="dt"/>: dense steps of the whole population on a compute device.</summary>
    /// <param name="dt">The step (positive).</param>
    public PopulationOptions ClockDriven(SimDuration dt)
    {
        ExecutionValue = ExecutionSpec.Clock(dt);
        return this;
    }

    /// <summary>Sets a state variable's initial value for every neuron.</summary>
    /// <param name="variable">State variable name.</param>
    /// <param name="value">Value.</param>
    public PopulationOptions Initial(string variable, double value)
    {
        InitialValues.Add(new InitialValueSpec(variable, value, value, 0, []));
        return this;
    }

    /// <summary>Draws a state variable's initial values uniformly in [low, high) from a seeded stream.</summary>
    /// <param name="variable">State variable name.</param>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    /// <param name="seed">Seed.</param>
    public PopulationOptions InitialUniform(string variable, double low, double high, ulong seed)
    {
        InitialValues.Add(new InitialValueSpec(variable, low, high, seed, []));
        return this;
    }

    /// <summary>Sets a state variable's initial value per neuron.</summary>
    /// <param name="variable">State variable name.</param>
    /// <param name="values">One value per neuron.</param>
    public PopulationOptions InitialPerNeuron(string variable, double[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        InitialValues.Add(new InitialValueSpec(variable, 0, 0, 0, [.. values]));
        return this;
    }
}

/// <summary>Options of one projection, set inside <see cref="NetworkBuilder.Connect"/>.</summary>
public sealed class ProjectionOptions
{
    internal ProjectionOptions(string pre, string post, ConnectivitySpec connectivity)
    {
        PreName = pre;
        PostName = post;
        Connectivity = connectivity;
    }

    internal string PreName { get; }

    internal string PostName { get; }

    internal ConnectivitySpec Connectivity { get; }

    internal string? Name { get; private set; }

    internal string? ReceptorName { get; private set; }

    internal WeightSpec WeightValue { get; private set; } = WeightSpec.Constant(1.0);

    internal DelaySpec DelayValue { get; private set; } = DelaySpec.Constant(SimDuration.FromMilliseconds(1L));

    internal PlasticitySpec? PlasticityValue { get; private set; }

    internal WeightNormalizationSpec? NormalizationValue { get; private set; }

    /// <summary>Names the projection (default <c>pre->post</c>).</summary>
    /// <param name="name">The name.</param>
    public ProjectionOptions Named(string name)
    {
        Name = name;
        return this;
    }

    /// <summary>Sets a constant weight.</summary>
    /// <param name="w">The weight (mV, or dimensionless conductance).</param>
    public ProjectionOptions Weight(double w)
    {
        WeightValue = WeightSpec.Constant(w);
        return this;
    }

    /// <summary>Draws weights uniformly in [low, high) from a seeded stream.</summary>
    /// <param name="low">Lower bound.</param>
    /// <param name="high">Upper bound.</param>
    /// <param name="seed">Seed.</param>
    public ProjectionOptions WeightUniform(double low, double high, ulong seed)
    {
        WeightValue = new WeightSpec(low, high, seed);
        return this;
    }

    /// <summary>Draws weights from a normal distribution, redrawing values outside [min, max] (<see cref="WeightSpec.Normal"/>).</summary>
    /// <param name="mean">Mean.</param>
    /// <param name="sd">Standard deviation.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="min">Lowest weight kept.</param>
    /// <param name="max">Highest weight kept.</param>
    public ProjectionOptions WeightNormal(double mean, double sd, ulong seed, double min = double.NegativeInfinity, double max = double.PositiveInfinity)
    {
        WeightValue = WeightSpec.Normal(mean, sd, seed, min, max);
        return this;
    }

    /// <summary>Draws delays from a normal distribution, redrawn below min, rounded to whole steps (<see cref="DelaySpec.Normal"/>).</summary>
    /// <param name="mean">Mean.</param>
    /// <param name="sd">Standard deviation.</param>
    /// <param name="min">Shortest delay kept before rounding.</param>
    /// <param name="step">Resolution.</param>
    /// <param name="seed">Seed.</param>
    /// <param name="max">Longest delay kept before rounding (default: none).</param>
    public ProjectionOptions DelayNormal(SimDuration mean, SimDuration sd, SimDuration min, SimDuration step, ulong seed, SimDuration? max = null)
    {
        DelayValue = DelaySpec.Normal(mean, sd, min, step, seed, max);
        return this;
    }

    /// <summary>Sets a constant delay (≥ 1 tick; default 1 ms).</summary>
    /// <param name="delay">The delay.</param>
    public ProjectionOptions Delay(SimDuration delay)
    {
        DelayValue = DelaySpec.Constant(delay);
        return this;
    }

    /// <summary>Draws delays uniformly from the whole ticks in [low, high] from a seeded stream.</summary>
    /// <param name="low">Lower bound (≥ 1 tick).</param>
    /// <param name="high">Upper bound (inclusive).</param>
    /// <param name="seed">Seed.</param>
    public ProjectionOptions DelayUniform(SimDuration low, SimDuration high, ulong seed)
    {
        DelayValue = new DelaySpec(low, high, seed);
        return this;
    }

    /// <summary>Targets a receptor of the postsynaptic model by name (default: receptor 0).</summary>
    /// <param name="name">Receptor name.</param>
    public ProjectionOptions Receptor(string name)
    {
        ReceptorName = name;
        return this;
    }

    /// <summary>Makes the synapses plastic with pair-based STDP.</summary>
    /// <param name="rule">The rule.</param>
    public ProjectionOptions Stdp(StdpSpec rule) => Plasticity(rule);

    /// <summary>
    /// Makes the synapses plastic with any rule of the plasticity family (<see cref="StdpSpec"/>,
    /// <see cref="TripletStdpSpec"/>, <see cref="MstdpSpec"/>, <see cref="MstdpetSpec"/>, <see cref="FedeStdpSpec"/>,
    /// <see cref="SnnTorchStdpSpec"/>, <see cref="MatterhornStdpSpec"/>). On a convolution the rule updates the shared kernel.
    /// </summary>
    /// <param name="rule">The rule.</param>
    public ProjectionOptions Plasticity(PlasticitySpec rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        PlasticityValue = rule;
        return this;
    }

    /// <summary>Scales each postsynaptic neuron's incoming weights to sum to <paramref name="total"/> at every engine <c>ResetState</c> (and at start).</summary>
    /// <param name="total">The target sum per postsynaptic neuron (&gt; 0).</param>
    public ProjectionOptions NormalizeWeights(double total)
    {
        NormalizationValue = new WeightNormalizationSpec(total);
        return this;
    }
}
