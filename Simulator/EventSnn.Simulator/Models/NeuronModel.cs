using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Models;

/// <summary>
/// A neuron model as a value a network spec can hold: wraps a struct model type (<see cref="INeuronModel{TSelf}"/>)
/// so that engines create typed, devirtualised population state for it.
/// </summary>
public abstract class NeuronModel
{
    private protected NeuronModel()
    {
    }

    /// <summary>The model's static description.</summary>
    public abstract NeuronModelInfo Info { get; }

    /// <summary>The struct type implementing the model.</summary>
    public abstract Type ModelType { get; }

    /// <summary>Leaky integrate-and-fire with delta synapses (<see cref="Models.Lif"/>).</summary>
    public static NeuronModel Lif => For<Lif>();

    /// <summary>Perfect integrate-and-fire with delta synapses (<see cref="Models.IntegrateAndFire"/>).</summary>
    public static NeuronModel IntegrateAndFire => For<IntegrateAndFire>();

    /// <summary>Current-based LIF with exponential currents (<see cref="Models.CubaLif"/>).</summary>
    public static NeuronModel CubaLif => For<CubaLif>();

    /// <summary>Conductance-based LIF with exponential conductances (<see cref="Models.CobaLif"/>).</summary>
    public static NeuronModel CobaLif => For<CobaLif>();

    /// <summary>Adaptive LIF with spike-triggered adaptation and delta synapses (<see cref="Models.AdaptiveLif"/>).</summary>
    public static NeuronModel AdaptiveLif => For<AdaptiveLif>();

    /// <summary>Conductance-based LIF with a homeostatic adaptive threshold (<see cref="Models.DiehlCookLif"/>).</summary>
    public static NeuronModel DiehlCookLif => For<DiehlCookLif>();

    /// <summary>The descriptor of model type <typeparamref name="TModel"/> (one instance per type).</summary>
    /// <typeparam name="TModel">The model struct.</typeparam>
    public static NeuronModel For<TModel>()
        where TModel : struct, INeuronModel<TModel>
        => NeuronModel<TModel>.Instance;

    /// <summary>
    /// Why these parameter values have no exact event-driven form (a phrase such as <c>with inhibition</c>, or
    /// <c>at all</c> for clock-only models), or null when the population can run event-driven.
    /// </summary>
    /// <param name="parameters">Values in <see cref="NeuronModelInfo.Parameters"/> order.</param>
    public abstract string? EventDrivenProblem(ReadOnlySpan<double> parameters);

    /// <summary>Checks cross-parameter rules; returns a message or null.</summary>
    /// <param name="parameters">Values in <see cref="NeuronModelInfo.Parameters"/> order.</param>
    /// <param name="rules">The spike rules (reset, threshold comparison, refractory end).</param>
    public abstract string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules);

    /// <summary>Creates the event-driven execution of a population of this model.</summary>
    /// <param name="spec">The population (its <see cref="PopulationSpec.Model"/> must be this model).</param>
    /// <param name="scaledForm">Whether a population whose model qualifies runs in scaled form.</param>
    internal abstract EventPopulation CreateEventPopulation(PopulationSpec spec, bool scaledForm = true);

    /// <summary>Creates the clock-driven execution of a population of this model.</summary>
    /// <param name="spec">The population (its <see cref="PopulationSpec.Model"/> must be this model).</param>
    /// <param name="dt">The step.</param>
    /// <param name="ringSlots">Ring slots of pending input.</param>
    /// <param name="maxWindow">The longest window of steps.</param>
    /// <param name="device">The device.</param>
    internal abstract ClockPopulation CreateClockPopulation(PopulationSpec spec, SimDuration dt, int ringSlots, int maxWindow, IComputeDevice device);

    /// <summary>Whether a population of this model applies a population-wide rule after each step (e.g. winner-take-all inhibition).</summary>
    /// <param name="spec">The population (its <see cref="PopulationSpec.Model"/> must be this model).</param>
    internal abstract bool UsesPopulationRule(PopulationSpec spec);

    /// <inheritdoc/>
    public override string ToString() => Info.Name;
}

/// <summary>The descriptor of one model struct type.</summary>
/// <typeparam name="TModel">The model struct.</typeparam>
public sealed class NeuronModel<TModel> : NeuronModel
    where TModel : struct, INeuronModel<TModel>
{
    private NeuronModel()
    {
        if (TModel.Info.StateVariables.Length is < 1 or > NeuronState.MaxVariables || TModel.Info.StateVariables[0] != "v")
        {
            throw new InvalidOperationException($"Model '{TModel.Info.Name}' must have 1..{NeuronState.MaxVariables} state variables, the first named 'v'.");
        }

        if (TModel.Info.Receptors.Length is < 1 or > 2)
        {
            throw new InvalidOperationException($"Model '{TModel.Info.Name}' must have 1 or 2 receptors.");
        }
    }

    internal static NeuronModel<TModel> Instance { get; } = new();

    /// <inheritdoc/>
    public override NeuronModelInfo Info => TModel.Info;

    /// <inheritdoc/>
    public override Type ModelType => typeof(TModel);

    /// <inheritdoc/>
    public override string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules)
        => TModel.Validate(parameters, rules);

    /// <inheritdoc/>
    internal override EventPopulation CreateEventPopulation(PopulationSpec spec, bool scaledForm = true)
    {
        Check(spec);
        Span<double> p = stackalloc double[spec.Parameters.Length];
        int count = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        for (int j = 0; j < count; j++)
        {
            spec.GetParameters(j, p);
            if (TModel.EventDrivenProblem(p) is { } why)
            {
                throw new ArgumentException($"{spec}: model '{Info.Name}' has no exact event-driven form {why}; declare the population clock-driven (or run with clock execution).", nameof(spec));
            }
        }

        if (scaledForm && spec.PerNeuronParameters.IsEmpty && TModel.Info.StateVariables.Length == 1 && TModel.Info.Receptors.Length == 1)
        {
            // One model for the whole population: it runs in scaled form when it has a qualifying jump-decay form.
            spec.GetParameters(0, p);
            TModel model = TModel.Create(p, spec.Rules);
            if (model is IJumpDecayModel { JumpDecay: { Qualifies: true } form })
            {
                return new ScaledEventPopulation<TModel>(spec, model, form);
            }
        }

        return new EventPopulation<TModel>(spec);
    }

    /// <inheritdoc/>
    public override string? EventDrivenProblem(ReadOnlySpan<double> parameters)
        => TModel.Info.SupportsEventDriven ? TModel.EventDrivenProblem(parameters) : "at all";

    /// <inheritdoc/>
    internal override ClockPopulation CreateClockPopulation(PopulationSpec spec, SimDuration dt, int ringSlots, int maxWindow, IComputeDevice device)
    {
        Check(spec);
        if (device is IResidentClockDevice && !spec.PoissonInputs.IsEmpty)
        {
            throw new NotSupportedException($"{spec}: Poisson input drawn per step runs on the CPU device only; give this population the CPU device (EngineOptions.PopulationDevices) or replace the input by a Poisson population.");
        }

        return device is IResidentClockDevice resident
            ? new ResidentClockPopulation<TModel>(spec, dt, ringSlots, maxWindow, device, resident)
            : new ClockPopulation<TModel>(spec, dt, ringSlots, maxWindow, device);
    }

    /// <inheritdoc/>
    internal override bool UsesPopulationRule(PopulationSpec spec)
    {
        Check(spec);
        Span<double> p = stackalloc double[spec.Parameters.Length];
        int count = spec.PerNeuronParameters.IsEmpty ? 1 : spec.Size;
        var models = new TModel[count];
        for (int j = 0; j < count; j++)
        {
            spec.GetParameters(j, p);
            models[j] = TModel.Create(p, spec.Rules);
        }

        return TModel.UsesPopulationRule(models);
    }

    private void Check(PopulationSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (!ReferenceEquals(spec.Model, this))
        {
            throw new ArgumentException($"{spec} does not use model '{Info.Name}'.", nameof(spec));
        }
    }
}
