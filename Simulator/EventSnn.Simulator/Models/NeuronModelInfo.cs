using System.Collections.Immutable;

namespace EventSnn.Simulator.Models;

/// <summary>One named parameter of a neuron model, with its unit, default and allowed range.</summary>
/// <param name="Name">Parameter name as used in specs (for example <c>tau_m</c>).</param>
/// <param name="Unit">Unit text (<c>ms</c>, <c>mV</c> or <c>1</c>).</param>
/// <param name="Default">Value used when a spec does not set the parameter.</param>
/// <param name="Minimum">Smallest allowed value (inclusive unless <paramref name="StrictMinimum"/>).</param>
/// <param name="StrictMinimum">Whether the value must be strictly greater than <paramref name="Minimum"/>.</param>
public sealed record NeuronParameterInfo(string Name, string Unit, double Default, double Minimum = double.NegativeInfinity, bool StrictMinimum = false)
{
    /// <summary>
    /// For a parameter that selects one of several named behaviours (a reset mechanism, an update type, a boolean), the
    /// names of its values: value k (a whole number) stands for <c>Choices[k]</c>. Empty for numeric parameters.
    /// </summary>
    public ImmutableArray<string> Choices { get; init; } = [];

    /// <summary>
    /// Whether the library a model reproduces has no default for this parameter (its constructor requires it): tools that
    /// take the library's own arguments, such as <c>eventsnn trace</c>, ask for it; network specs use <see cref="Default"/>.
    /// </summary>
    public bool Required { get; init; }

    /// <summary>Whether the parameter selects one of <see cref="Choices"/>.</summary>
    public bool IsChoice => !Choices.IsDefaultOrEmpty;

    /// <summary>A choice parameter with named values (value k stands for <paramref name="choices"/>[k]).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultChoice">The default value's name (one of <paramref name="choices"/>).</param>
    /// <param name="choices">The value names.</param>
    public static NeuronParameterInfo Choice(string name, string defaultChoice, params string[] choices)
    {
        ArgumentNullException.ThrowIfNull(choices);
        int k = Array.IndexOf(choices, defaultChoice);
        if (k < 0)
        {
            throw new ArgumentException($"Default '{defaultChoice}' is not one of the choices of '{name}'.", nameof(defaultChoice));
        }

        return new NeuronParameterInfo(name, "1", k, 0) { Choices = [.. choices] };
    }

    /// <summary>A boolean parameter (0 = false, 1 = true).</summary>
    /// <param name="name">The parameter name.</param>
    /// <param name="defaultValue">The default.</param>
    public static NeuronParameterInfo Flag(string name, bool defaultValue) => Choice(name, defaultValue ? "true" : "false", "false", "true");

    /// <summary>The index of the value named <paramref name="choice"/>, or −1.</summary>
    /// <param name="choice">A value name.</param>
    public int ChoiceIndex(string choice) => IsChoice ? Choices.IndexOf(choice) : -1;

    /// <summary>Returns a message describing why <paramref name="value"/> is invalid, or null when it is valid.</summary>
    /// <param name="value">The candidate value.</param>
    public string? Check(double value)
    {
        if (!double.IsFinite(value))
        {
            return $"must be finite (got {value.ToString(System.Globalization.CultureInfo.InvariantCulture)})";
        }

        if (IsChoice && (value != Math.Floor(value) || value < 0 || value >= Choices.Length))
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be one of {string.Join(", ", Choices.Select((c, k) => $"{k} ({c})"))} (got {value})");
        }

        if (StrictMinimum ? value <= Minimum : value < Minimum)
        {
            return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"must be {(StrictMinimum ? ">" : "≥")} {Minimum} (got {value})");
        }

        return null;
    }
}

/// <summary>Static description of a neuron model: its name, state variables, receptors and parameters.</summary>
/// <param name="Name">Model name (for example <c>lif</c>).</param>
/// <param name="StateVariables">State variable names; index 0 is always the membrane potential <c>v</c> (at most <see cref="NeuronState.MaxVariables"/>).</param>
/// <param name="Receptors">Receptor names a projection can target (for example <c>e</c>, <c>i</c>); index = receptor number.</param>
/// <param name="Parameters">Parameters, in the order the model's <c>Create</c> receives them.</param>
/// <param name="SupportedResets">Reset modes the model supports.</param>
public sealed record NeuronModelInfo(
    string Name,
    ImmutableArray<string> StateVariables,
    ImmutableArray<string> Receptors,
    ImmutableArray<NeuronParameterInfo> Parameters,
    ImmutableArray<ResetMode> SupportedResets)
{
    /// <summary>Whether synaptic weights onto this model must be ≥ 0 (conductances).</summary>
    public bool NonNegativeWeights { get; init; }

    /// <summary>
    /// Whether the model's spikes carry an amplitude (a spike count, a graded spike, an analog activation) that scales the
    /// weights of their deliveries: clock mode reads it from <see cref="Devices.Lanes.ClockNeuron{TLane}.Output"/>.
    /// Binary models (the default) deliver their weights unscaled.
    /// </summary>
    public bool GradedOutput { get; init; }

    /// <summary>
    /// Whether the model has an exact event-driven form (per-neuron advance over any interval, threshold-crossing
    /// prediction). Models defined only by their per-step update (the default is true) are clock-driven only; asking the
    /// engine to run them event-driven is an error that names the population.
    /// </summary>
    public bool SupportsEventDriven { get; init; } = true;

    /// <summary>Index of the parameter named <paramref name="name"/>, or −1.</summary>
    /// <param name="name">Parameter name.</param>
    public int ParameterIndex(string name)
    {
        for (int i = 0; i < Parameters.Length; i++)
        {
            if (Parameters[i].Name == name)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Index of the state variable named <paramref name="name"/>, or −1.</summary>
    /// <param name="name">State variable name.</param>
    public int StateIndex(string name) => StateVariables.IndexOf(name);

    /// <summary>Index of the receptor named <paramref name="name"/>, or −1.</summary>
    /// <param name="name">Receptor name.</param>
    public int ReceptorIndex(string name) => Receptors.IndexOf(name);
}
