using System.Collections.Immutable;
using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>Settings of <see cref="NetworkFile.Load"/>.</summary>
public sealed record NetworkFileOptions
{
    /// <summary>Models a file may name besides the built-in ones (<see cref="NetworkFile.BuiltInModels"/>), by <see cref="NeuronModelInfo.Name"/>.</summary>
    public IReadOnlyList<NeuronModel> Models { get; init; } = [];

    /// <summary>The largest network file read, in bytes (default 256 MiB).</summary>
    public long MaxFileBytes { get; init; } = 256L << 20;
}

/// <summary>
/// A network loaded from a JSON network file (format: <c>docs/NetworkFiles.md</c>, schema:
/// <c>docs/network-file.schema.json</c>): the validated <see cref="NetworkSpec"/> plus the run-time parts a spec does not
/// hold (event-file inputs and a default duration).
/// </summary>
/// <example>
/// <code>
/// NetworkFile file = NetworkFile.Load("Samples/networks/brette-cuba.json");
/// NetworkSpec spec = file.Network;
/// </code>
/// </example>
public sealed class NetworkFile
{
    internal NetworkFile(string source, string baseDirectory, string? name, string? description, NetworkSpec network, SimDuration? duration, ImmutableArray<EventFileInput> eventInputs)
    {
        Source = source;
        BaseDirectory = baseDirectory;
        Name = name;
        Description = description;
        Network = network;
        Duration = duration;
        EventInputs = eventInputs;
    }

    /// <summary>The models every file may name: <c>lif</c>, <c>if</c>, <c>cuba_lif</c>, <c>coba_lif</c>, <c>adaptive_lif</c>.</summary>
    public static ImmutableArray<NeuronModel> BuiltInModels { get; } =
        [NeuronModel.Lif, NeuronModel.IntegrateAndFire, NeuronModel.CubaLif, NeuronModel.CobaLif, NeuronModel.AdaptiveLif];

    /// <summary>The file as the caller named it (used in error messages).</summary>
    public string Source { get; }

    /// <summary>The folder relative paths inside the file resolve against.</summary>
    public string BaseDirectory { get; }

    /// <summary>The file's <c>name</c>, if any.</summary>
    public string? Name { get; }

    /// <summary>The file's <c>description</c>, if any.</summary>
    public string? Description { get; }

    /// <summary>The network.</summary>
    public NetworkSpec Network { get; }

    /// <summary>The default simulated time (<c>duration_*</c>), or null when the file gives none.</summary>
    public SimDuration? Duration { get; }

    /// <summary>Event files that feed external populations, in file order.</summary>
    public ImmutableArray<EventFileInput> EventInputs { get; }

    /// <summary>
    /// The reward input of the reward-modulated rules (<see cref="MstdpSpec"/>, <see cref="MstdpetSpec"/>) over time, in
    /// time order: a host applies each with <see cref="Engines.SimulationEngine.SetReward(double)"/> (or the projection's
    /// overload) once the simulation reaches its time. Empty when the file lists none.
    /// </summary>
    public ImmutableArray<RewardInput> Rewards { get; internal init; } = [];

    /// <summary>Loads and validates a network file; relative paths inside it resolve against its folder.</summary>
    /// <param name="path">The file.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The network and its run-time parts.</returns>
    /// <exception cref="NetworkFileException">The file is missing, unreadable, not JSON, or describes an invalid network;
    /// the one-line message names the file, the JSON path and the problem.</exception>
    public static NetworkFile Load(string path, NetworkFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new NetworkFileOptions();
        string full = System.IO.Path.GetFullPath(path);
        byte[] bytes;
        try
        {
            var info = new FileInfo(full);
            if (!info.Exists)
            {
                throw new NetworkFileException(path, "$", Directory.Exists(full) ? "is a folder, not a network file" : "file not found");
            }

            if (info.Length > options.MaxFileBytes)
            {
                throw new NetworkFileException(path, "$", $"the file is {info.Length} bytes, more than the {options.MaxFileBytes} bytes allowed");
            }

            bytes = File.ReadAllBytes(full);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new NetworkFileException(path, "$", $"cannot read the file: {ex.Message}");
        }

        return new NetworkFileReader(path, System.IO.Path.GetDirectoryName(full) ?? Directory.GetCurrentDirectory(), options).Read(bytes);
    }

    /// <summary>Loads a network from JSON text.</summary>
    /// <param name="json">The document.</param>
    /// <param name="baseDirectory">The folder relative paths resolve against.</param>
    /// <param name="source">The name used in error messages.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <returns>The network and its run-time parts.</returns>
    /// <exception cref="NetworkFileException">The text is not JSON or describes an invalid network.</exception>
    public static NetworkFile Parse(string json, string baseDirectory, string source = "network.json", NetworkFileOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(json);
        ArgumentException.ThrowIfNullOrEmpty(baseDirectory);
        ArgumentException.ThrowIfNullOrEmpty(source);
        return new NetworkFileReader(source, System.IO.Path.GetFullPath(baseDirectory), options ?? new NetworkFileOptions()).Read(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>
    /// The key of a model parameter in a file's <c>params</c>: its name and unit (<c>tau_m_ms</c>, <c>v_thresh_mV</c>), or the
    /// bare name for a dimensionless parameter (unit <c>1</c>).
    /// </summary>
    /// <param name="parameter">The parameter.</param>
    public static string ParameterKey(NeuronParameterInfo parameter)
    {
        ArgumentNullException.ThrowIfNull(parameter);
        return parameter.Unit == "1" ? parameter.Name : $"{parameter.Name}_{parameter.Unit}";
    }

    /// <summary>
    /// The key of state variable <paramref name="index"/> of <paramref name="model"/> in a file's <c>initial</c>: its name
    /// and unit (<c>v_mV</c>, <c>ie_mV</c>), or the bare name when dimensionless (<c>ge</c> of <c>coba_lif</c>).
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="index">The state variable index.</param>
    public static string StateKey(NeuronModelInfo model, int index)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, model.StateVariables.Length);
        string unit = StateUnit(model, index);
        return unit == "1" ? model.StateVariables[index] : $"{model.StateVariables[index]}_{unit}";
    }

    /// <summary>
    /// The unit of a state variable: <c>mV</c> for the membrane potential <c>v</c> and for the built-in models' current and
    /// adaptation variables, <c>1</c> for conductances relative to the leak (<c>coba_lif</c>'s <c>ge</c>, <c>gi</c>) and for
    /// every other variable of a model that is not built in.
    /// </summary>
    internal static string StateUnit(NeuronModelInfo model, int index)
    {
        if (index == 0)
        {
            return "mV";
        }

        return model.Name switch
        {
            "cuba_lif" or "adaptive_lif" => "mV",
            _ => "1",
        };
    }
}
