using EventSnn.Datasets.Streams;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.Options;

namespace EventSnn.Hosting;

/// <summary>The network the hosted service runs (registered by <c>AddEventSnn</c>).</summary>
/// <param name="Spec">The network description.</param>
public sealed record EventSnnNetwork(NetworkSpec Spec);

/// <summary>Validates <see cref="EventSnnOptions"/> against the network; every failure names the option and the value.</summary>
public sealed class EventSnnOptionsValidator : IValidateOptions<EventSnnOptions>
{
    private readonly Func<EventSnnNetwork> _network;
    private readonly EventSourceFactory _sources;

    /// <summary>Creates the validator.</summary>
    /// <param name="network">Gives the network (resolved when validating).</param>
    /// <param name="sources">Creates sources (each address is checked by creating its source, which opens nothing); null for the built-in kinds.</param>
    public EventSnnOptionsValidator(Func<EventSnnNetwork> network, EventSourceFactory? sources = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        _network = network;
        _sources = sources ?? EventSources.Create;
    }

    /// <inheritdoc/>
    public ValidateOptionsResult Validate(string? name, EventSnnOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        const string S = EventSnnOptions.SectionName;
        if (options.Sources.Count == 0)
        {
            errors.Add($"{S}:Sources: at least one event source is required (tcp://, tcp-listen://, udp://, file: or emulator:)");
        }

        for (int i = 0; i < options.Sources.Count; i++)
        {
            try
            {
                _sources(options.Sources[i], new EventSourceOptions { AllowRemoteListeners = options.AllowRemoteListeners }).Dispose();
                if (options.Sources[i].StartsWith("file:", StringComparison.OrdinalIgnoreCase)
                    && EventSourceAddress.Parse(options.Sources[i]) is { } file && !File.Exists(file.Path))
                {
                    errors.Add($"{S}:Sources[{i}]: file '{file.Path}' does not exist");
                }
            }
            catch (Exception ex) when (ex is FormatException or ArgumentException)
            {
                errors.Add($"{S}:Sources[{i}]: {ex.Message}");
            }
        }

        Range(errors, $"{S}:ChannelCapacity", options.ChannelCapacity, 1, 65536);
        Range(errors, $"{S}:BatchEvents", options.BatchEvents, 64, 1 << 20);
        Range(errors, $"{S}:MaxFrameBytes", options.MaxFrameBytes, 1024, 64 << 20);
        Range(errors, $"{S}:OutputQueueCapacity", options.OutputQueueCapacity, 16, 16 << 20);
        Range(errors, $"{S}:DecisionWindowMicroseconds", options.DecisionWindowMicroseconds, 1, 3_600_000_000);
        Range(errors, $"{S}:LateToleranceMicroseconds", options.LateToleranceMicroseconds, 0, 86_400_000_000);
        Range(errors, $"{S}:MaxTimeJumpMicroseconds", options.MaxTimeJumpMicroseconds, 1, 86_400_000_000);
        if (!Enum.IsDefined(options.FullMode))
        {
            errors.Add($"{S}:FullMode: {options.FullMode} is not Wait, DropOldest or DropNewest");
        }

        if (options.ReconnectMinDelay <= TimeSpan.Zero || options.ReconnectMaxDelay < options.ReconnectMinDelay || options.ReconnectMaxDelay > TimeSpan.FromHours(1))
        {
            errors.Add($"{S}:ReconnectMinDelay/ReconnectMaxDelay: need 0 < min ≤ max ≤ 1 h (got {options.ReconnectMinDelay}, {options.ReconnectMaxDelay})");
        }

        if (options.IdleTimeout < TimeSpan.Zero || options.IdleTimeout > TimeSpan.FromDays(1))
        {
            errors.Add($"{S}:IdleTimeout: {options.IdleTimeout} is not in 0..1 day");
        }

        if (options.ConnectTimeout <= TimeSpan.Zero || options.ConnectTimeout > TimeSpan.FromHours(1))
        {
            errors.Add($"{S}:ConnectTimeout: {options.ConnectTimeout} is not in (0, 1 h]");
        }

        if (options.MaxLag <= TimeSpan.Zero)
        {
            errors.Add($"{S}:MaxLag: {options.MaxLag} must be positive");
        }

        if (!string.IsNullOrEmpty(options.Output))
        {
            try
            {
                EventSourceAddress output = EventSourceAddress.Parse(options.Output);
                if (output.Kind != EventSourceKind.TcpListener)
                {
                    errors.Add($"{S}:Output: '{options.Output}' must be a tcp-listen://HOST:PORT address");
                }
                else if (!options.AllowRemoteListeners)
                {
                    CheckLoopback(output, $"{S}:Output", errors);
                }
            }
            catch (FormatException ex)
            {
                errors.Add($"{S}:Output: {ex.Message}");
            }
        }

        NetworkSpec network = _network().Spec;
        PopulationSpec? input = network.Populations.FirstOrDefault(p => p.Name == options.InputPopulation);
        string names = string.Join(", ", network.Populations.Select(p => p.Name));
        if (input is null)
        {
            errors.Add($"{S}:InputPopulation: '{options.InputPopulation}' is not a population of the network (populations: {names})");
        }
        else if (input.Kind != PopulationKind.External)
        {
            errors.Add($"{S}:InputPopulation: '{options.InputPopulation}' is {input.Kind}, not an external input population");
        }
        else if (input.Shape.Channels is not (1 or 2))
        {
            errors.Add($"{S}:InputPopulation: '{options.InputPopulation}' has {input.Shape.Channels} channels; DVS events need 1 (polarity ignored) or 2");
        }

        if (!string.IsNullOrEmpty(options.OutputPopulation) && network.Populations.All(p => p.Name != options.OutputPopulation))
        {
            errors.Add($"{S}:OutputPopulation: '{options.OutputPopulation}' is not a population of the network (populations: {names})");
        }

        if (!string.IsNullOrEmpty(options.CheckpointPath) && options.CheckpointPath.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
        {
            errors.Add($"{S}:CheckpointPath: '{options.CheckpointPath}' is not a valid path");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Range(List<string> errors, string name, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name}: {value} is not in {min}..{max}");
        }
    }

    private static void CheckLoopback(EventSourceAddress address, string name, List<string> errors)
    {
        bool loopback = string.Equals(address.Host, "localhost", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(address.Host, out System.Net.IPAddress? ip) && System.Net.IPAddress.IsLoopback(ip));
        if (!loopback)
        {
            errors.Add($"{name}: '{address.Text}' listens on '{address.Host}', not loopback; set AllowRemoteListeners to allow it");
        }
    }
}
