using System.CommandLine;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using Serilog.Extensions.Logging;
using Serilog.Formatting;
using Serilog.Formatting.Display;

namespace EventSnn.Cli;

/// <summary>
/// The tool's logging, shared by every command: <c>--verbose</c> writes the libraries' log (Microsoft.Extensions.Logging,
/// debug level and above) to standard error, <c>--log-file FILE</c> to a file rolled daily (information and above, debug
/// with <c>--verbose</c>). Without either, nothing is logged and standard error carries only errors. Serilog is used
/// here, in the tool, only; commands pass <see cref="Factory"/> (or loggers from it) to the libraries.
/// </summary>
internal static class CliLogging
{
    /// <summary>The <c>--verbose</c> option's name.</summary>
    public const string VerboseName = "--verbose";

    /// <summary>The <c>--log-file</c> option's name.</summary>
    public const string LogFileName = "--log-file";

    private const string Template = "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}";

    private static readonly AsyncLocal<ILoggerFactory?> s_factory = new();

    /// <summary>The logger factory of the command running in this flow of execution (a null factory when nothing is logged).</summary>
    public static ILoggerFactory Factory => s_factory.Value ?? NullLoggerFactory.Instance;

    /// <summary>The logger the commands give the simulation engines they build (silent unless --verbose or --log-file).</summary>
    public static Microsoft.Extensions.Logging.ILogger EngineLogger => Factory.CreateLogger("EventSnn.Simulator.Engines.SimulationEngine");

    /// <summary>Adds <c>--verbose</c> and <c>--log-file</c> to <paramref name="root"/>, for it and every subcommand.</summary>
    /// <param name="root">The root command.</param>
    public static void AddOptions(RootCommand root)
    {
        ArgumentNullException.ThrowIfNull(root);
        root.Options.Add(new Option<bool>(VerboseName)
        {
            Description = "Log what the libraries do (debug level) to standard error.",
            Recursive = true,
        });
        root.Options.Add(new Option<FileInfo?>(LogFileName)
        {
            Description = "Also write the log to FILE (rolled daily: FILE's name gets the date); information level, debug with --verbose.",
            Recursive = true,
        });
    }

    /// <summary>
    /// Starts logging as <paramref name="parse"/> asks, for the rest of this flow of execution; disposing the result
    /// flushes the log and restores the previous factory.
    /// </summary>
    /// <param name="parse">The command line (after a successful parse).</param>
    /// <param name="error">Standard error of the invocation (where <c>--verbose</c> writes).</param>
    /// <returns>The scope.</returns>
    /// <exception cref="CliUsageException">The log file's folder does not exist.</exception>
    public static IDisposable Begin(ParseResult parse, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(parse);
        ArgumentNullException.ThrowIfNull(error);
        bool verbose = parse.GetValue<bool>(VerboseName);
        FileInfo? file = parse.GetValue<FileInfo?>(LogFileName);
        ILoggerFactory? previous = s_factory.Value;
        if (!verbose && file is null)
        {
            s_factory.Value = null;
            return new Scope(previous, null);
        }

        var configuration = new LoggerConfiguration().MinimumLevel.Is(verbose ? LogEventLevel.Debug : LogEventLevel.Information);
        if (verbose)
        {
            configuration = configuration.WriteTo.Sink(new WriterSink(error, new MessageTemplateTextFormatter(Template, System.Globalization.CultureInfo.InvariantCulture)));
        }

        if (file is not null)
        {
            if (file.Directory is { Exists: false } folder)
            {
                throw new CliUsageException($"{LogFileName}: the folder '{folder.FullName}' does not exist");
            }

            configuration = configuration.WriteTo.File(
                file.FullName,
                restrictedToMinimumLevel: verbose ? LogEventLevel.Debug : LogEventLevel.Information,
                outputTemplate: Template,
                formatProvider: System.Globalization.CultureInfo.InvariantCulture,
                rollingInterval: RollingInterval.Day,
                retainedFileCountLimit: 7);
        }

        Logger logger = configuration.CreateLogger();
        var factory = new SerilogLoggerFactory(logger, dispose: true);
        s_factory.Value = factory;
        return new Scope(previous, factory);
    }

    private sealed class Scope(ILoggerFactory? previous, ILoggerFactory? own) : IDisposable
    {
        public void Dispose()
        {
            s_factory.Value = previous;
            own?.Dispose();
        }
    }

    /// <summary>Writes log events to a text writer (the invocation's standard error), one event at a time.</summary>
    private sealed class WriterSink(TextWriter writer, ITextFormatter formatter) : ILogEventSink
    {
        private readonly Lock _lock = new();

        public void Emit(LogEvent logEvent)
        {
            lock (_lock)
            {
                formatter.Format(logEvent, writer);
                writer.Flush();
            }
        }
    }
}
