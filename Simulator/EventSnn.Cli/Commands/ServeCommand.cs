using System.CommandLine;
using System.Globalization;
using EventSnn.Datasets.Streams;
using EventSnn.EventQueue;
using EventSnn.Hosting;
using EventSnn.Simulator.NetworkFiles;
using EventSnn.Simulator.Network;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn serve NET.json --source ADDRESS [--source …] [--speed X]</c>: runs a network file as the hosted service
/// (EventSnn.Hosting) on live event sources, with a status view (events/s, drops, lag, spikes/s) that is a live table on
/// a terminal and plain lines when output is redirected. Ctrl+C (or <c>--duration</c>) drains the pipeline and stops.
/// </summary>
internal static class ServeCommand
{
    /// <summary>Creates the <c>serve</c> command.</summary>
    internal static Command Create()
    {
        var network = new Argument<FileInfo>("NET.json") { Description = "The network file (docs/NetworkFiles.md); its event-file inputs are ignored, the sources feed the input population." };
        var sources = new Option<string[]>("--source")
        {
            Description = "An event source (repeatable): tcp://HOST:PORT (connect to a sender), tcp-listen://HOST:PORT (wait for senders), "
                + "udp://HOST:PORT (AEStream datagrams), file:PATH (replay a recording), emulator: (synthetic DVS scene). See docs/Hosting.md.",
            Required = true,
            Arity = ArgumentArity.OneOrMore,
        };
        var speed = new Option<double?>("--speed") { Description = "Replay speed of file: sources: 1 = real time (default), 10 = ten times faster, 0 = as fast as the network takes them." }
            .Check(v => v is { } x && (!double.IsFinite(x) || x < 0 || x > 1e6) ? string.Create(CultureInfo.InvariantCulture, $"must be in 0..1e6 (got {x})") : null);
        var input = new Option<string?>("--input") { Description = "The external input population the events drive (default: the network's only external population)." };
        var output = new Option<string?>("--output-population") { Description = "The population whose spikes are published and decoded into decisions (default: every neuron population's spikes, no decisions)." };
        var duration = new Option<double?>("--duration") { Description = "Stop after this many seconds of wall time (default: until Ctrl+C, or until every source is a finished file)." }
            .Check(v => v is { } x && (!double.IsFinite(x) || x <= 0 || x > 1e7) ? string.Create(CultureInfo.InvariantCulture, $"must be a positive number of seconds, at most 1e7 (got {x})") : null);
        var interval = new Option<double>("--status-interval") { Description = "Seconds between status updates (default 1).", DefaultValueFactory = _ => 1.0 }
            .Check(v => !double.IsFinite(v) || v < 0.05 || v > 3600 ? string.Create(CultureInfo.InvariantCulture, $"must be in 0.05..3600 seconds (got {v})") : null);
        var fullMode = new Option<string>("--full-mode") { Description = "When the ingest channel is full: wait (default), drop-oldest, drop-newest.", DefaultValueFactory = _ => "wait" };
        fullMode.AcceptOnlyFromAmong("wait", "drop-oldest", "drop-newest");
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Restore the network's state from FILE at start (when it exists) and save it there at shutdown." };
        var command = new Command("serve", "Run a network file on live event sources as a service, with a live status view; Ctrl+C drains and stops.")
        {
            network, sources, speed, input, output, duration, interval, fullMode, checkpoint,
        };
        command.SetAction((parse, cancellationToken) => RunAsync(
            new ServeSettings(
                parse.GetRequiredValue(network).FullName,
                parse.GetRequiredValue(sources),
                parse.GetValue(speed),
                parse.GetValue(input),
                parse.GetValue(output),
                parse.GetValue(duration),
                parse.GetValue(interval),
                parse.GetValue(fullMode) ?? "wait",
                parse.GetValue(checkpoint)?.FullName),
            parse.InvocationConfiguration.Output,
            parse.InvocationConfiguration.Error,
            cancellationToken));
        return command;
    }

    /// <summary>Runs the service until cancelled, <see cref="ServeSettings.Duration"/> passes, or every source is a finished file.</summary>
    /// <returns>The exit code (0, 1 for a failure, 2 for a usage error).</returns>
    internal static async Task<int> RunAsync(ServeSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        List<string> addresses;
        try
        {
            addresses = Addresses(settings);
        }
        catch (FormatException ex)
        {
            await error.WriteLineAsync($"eventsnn: error: --source: {ex.Message}").ConfigureAwait(false);
            return CliAction.UsageError;
        }
        catch (CliUsageException ex)
        {
            await error.WriteLineAsync($"eventsnn: error: {ex.Message}").ConfigureAwait(false);
            return CliAction.UsageError;
        }

        NetworkSpec? spec = null;
        string? inputPopulation = null;
        int code = CliAction.Run(() =>
        {
            NetworkFile file = NetworkFile.Load(settings.NetworkPath);
            spec = file.Network;
            inputPopulation = InputPopulation(spec, settings.Input);
            if (settings.Output is { } o && !spec.Populations.Any(p => p.Name == o && p.Model is not null))
            {
                throw new CliUsageException($"--output-population: '{o}' is not a neuron population of {Path.GetFileName(settings.NetworkPath)} (neuron populations: {string.Join(", ", spec.Populations.Where(p => p.Model is not null).Select(p => p.Name))})");
            }

            return CliAction.Success;
        });
        if (code != CliAction.Success)
        {
            return code;
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        if (settings.Duration is { } seconds)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(seconds));
        }

        ILoggerFactory loggers = CliLogging.Factory;
        var view = StatusView.Create(output);
        StatusSnapshot final;
        try
        {
            final = await view.RunAsync(
                onStatus => EventSnnHost.RunAsync(
                    spec!,
                    addresses,
                    options =>
                    {
                        options.InputPopulation = inputPopulation!;
                        options.OutputPopulation = settings.Output;
                        options.FullMode = settings.FullMode switch
                        {
                            "drop-oldest" => IngestFullMode.DropOldest,
                            "drop-newest" => IngestFullMode.DropNewest,
                            _ => IngestFullMode.Wait,
                        };
                        options.CheckpointPath = settings.Checkpoint;
                    },
                    onStatus,
                    TimeSpan.FromSeconds(settings.StatusInterval),
                    loggers is NullLoggerFactory ? null : logging => logging.AddProvider(new FactoryProvider(loggers)),
                    stop.Token)).ConfigureAwait(false);
        }
        catch (OptionsValidationException ex)
        {
            await error.WriteLineAsync($"eventsnn: error: {string.Join("; ", ex.Failures)}").ConfigureAwait(false);
            return CliAction.UsageError;
        }
        catch (Exception ex) when (CliErrors.Describe(ex, CliErrors.CurrentParse) is { } described)
        {
            await error.WriteLineAsync($"eventsnn: error: {described.Message}").ConfigureAwait(false);
            return described.ExitCode;
        }

        await output.WriteLineAsync(Summary(final, Path.GetFileName(settings.NetworkPath))).ConfigureAwait(false);
        SourceStatus? failed = final.Sources.FirstOrDefault(s => s.State == SourceState.Faulted);
        if (failed is not null)
        {
            await error.WriteLineAsync($"eventsnn: error: source {failed.Name} failed: {failed.LastError}").ConfigureAwait(false);
            return CliAction.UserError;
        }

        return CliAction.Success;
    }

    /// <summary>The source addresses, checked, with <c>--speed</c> applied to file sources.</summary>
    private static List<string> Addresses(ServeSettings settings)
    {
        var list = new List<string>();
        bool anyFile = false;
        foreach (string text in settings.Sources)
        {
            EventSourceAddress address = EventSourceAddress.Parse(text);
            string value = text;
            if (address.Kind == EventSourceKind.File)
            {
                anyFile = true;
                if (settings.Speed is { } speed)
                {
                    if (address.Settings.ContainsKey("speed"))
                    {
                        throw new CliUsageException($"--speed: the source '{text}' already sets speed=");
                    }

                    value += (text.Contains('?', StringComparison.Ordinal) ? "&" : "?") + "speed=" + speed.ToString("R", CultureInfo.InvariantCulture);
                    EventSourceAddress.Parse(value);
                }

                if (!File.Exists(address.Path))
                {
                    throw new CliUsageException($"--source: the file '{address.Path}' does not exist");
                }
            }

            list.Add(value);
        }

        if (settings.Speed is not null && !anyFile)
        {
            throw new CliUsageException("--speed applies to file: sources only, and none is given");
        }

        return list;
    }

    private static string InputPopulation(NetworkSpec spec, string? requested)
    {
        string[] external = [.. spec.Populations.Where(p => p.Kind == PopulationKind.External).Select(p => p.Name)];
        if (requested is not null)
        {
            return external.Contains(requested, StringComparer.Ordinal)
                ? requested
                : throw new CliUsageException($"--input: '{requested}' is not an external input population of the network (external populations: {(external.Length == 0 ? "none" : string.Join(", ", external))})");
        }

        return external.Length switch
        {
            1 => external[0],
            0 => throw new CliUsageException("the network has no external input population for the sources to drive (add one with \"kind\": \"external\")"),
            _ => throw new CliUsageException($"the network has several external input populations ({string.Join(", ", external)}); choose one with --input"),
        };
    }

    /// <summary>The final line: what was served.</summary>
    internal static string Summary(StatusSnapshot s, string network) => string.Create(
        CultureInfo.InvariantCulture,
        $"served {network}: {s.EventsReceived} events received, {s.EventsProcessed} processed, {s.EventsDropped} dropped, {s.SpikesOut} spikes out, {s.Decisions} decisions; network time {SimTime.FromTicks(s.NetworkTimeTicks).TotalSeconds:0.###} s");

    /// <summary>One status line (plain mode).</summary>
    internal static string StatusLine(StatusSnapshot s, StatusSnapshot? previous) => string.Create(
        CultureInfo.InvariantCulture,
        $"status: events {s.EventsReceived} ({(previous is null ? 0 : s.EventsPerSecond(previous)):0}/s), dropped {s.EventsDropped}, lag {s.LagMicroseconds / 1000.0:0.0} ms, spikes {s.SpikesOut} ({(previous is null ? 0 : s.SpikesPerSecond(previous)):0}/s), network time {SimTime.FromTicks(s.NetworkTimeTicks).TotalSeconds:0.000} s, sources {string.Join(", ", s.Sources.Select(x => $"{x.Name} {x.State.ToString().ToLowerInvariant()}"))}");

    /// <summary>The command's settings.</summary>
    internal sealed record ServeSettings(string NetworkPath, IReadOnlyList<string> Sources, double? Speed, string? Input, string? Output, double? Duration, double StatusInterval, string FullMode, string? Checkpoint);

    /// <summary>Hands the tool's logger factory to the host's logging.</summary>
    private sealed class FactoryProvider(ILoggerFactory factory) : ILoggerProvider
    {
        public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => factory.CreateLogger(categoryName);

        public void Dispose()
        {
        }
    }

    /// <summary>Shows status snapshots: a live table on an interactive terminal, plain lines otherwise.</summary>
    internal abstract class StatusView
    {
        public static StatusView Create(TextWriter output)
            => ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive
                ? new LiveView(AnsiConsole.Console)
                : new PlainView(output);

        public abstract Task<StatusSnapshot> RunAsync(Func<Action<StatusSnapshot>, Task<StatusSnapshot>> run);
    }

    private sealed class PlainView(TextWriter output) : StatusView
    {
        private readonly Lock _lock = new();
        private StatusSnapshot? _previous;

        public override Task<StatusSnapshot> RunAsync(Func<Action<StatusSnapshot>, Task<StatusSnapshot>> run) => run(s =>
        {
            lock (_lock)
            {
                output.WriteLine(StatusLine(s, _previous));
                output.Flush();
                _previous = s;
            }
        });
    }

    /// <summary>The live status table on an interactive terminal (<paramref name="console"/>: the terminal, or a test console).</summary>
    internal sealed class LiveView(IAnsiConsole console) : StatusView
    {
        private readonly Lock _lock = new();
        private StatusSnapshot? _previous;

        public override async Task<StatusSnapshot> RunAsync(Func<Action<StatusSnapshot>, Task<StatusSnapshot>> run)
        {
            var table = new Table().Border(TableBorder.Rounded).Title("eventsnn serve (Ctrl+C drains and stops)");
            table.AddColumn("events/s");
            table.AddColumn("events");
            table.AddColumn("dropped");
            table.AddColumn("lag");
            table.AddColumn("spikes/s");
            table.AddColumn("network time");
            table.AddColumn("sources");
            table.AddRow("-", "-", "-", "-", "-", "-", "connecting");
            StatusSnapshot final = null!;
            await console.Live(table).AutoClear(false).StartAsync(async context =>
            {
                final = await run(s =>
                {
                    lock (_lock)
                    {
                        table.Rows.Clear();
                        table.AddRow(
                            Format(_previous is null ? 0 : s.EventsPerSecond(_previous), "0"),
                            Format(s.EventsReceived, "N0"),
                            Format(s.EventsDropped, "N0"),
                            Format(s.LagMicroseconds / 1000.0, "0.0") + " ms",
                            Format(_previous is null ? 0 : s.SpikesPerSecond(_previous), "0"),
                            Format(SimTime.FromTicks(s.NetworkTimeTicks).TotalSeconds, "0.000") + " s",
                            Markup.Escape(string.Join(", ", s.Sources.Select(x => $"{x.Name} {x.State.ToString().ToLowerInvariant()}"))));
                        _previous = s;
                        context.Refresh();
                    }
                }).ConfigureAwait(false);
            }).ConfigureAwait(false);
            return final;
        }

        private static string Format(double value, string format) => value.ToString(format, CultureInfo.InvariantCulture);
    }
}
