using System.CommandLine;
using System.CommandLine.Invocation;
using EventSnn.Cli.Commands;

namespace EventSnn.Cli;

/// <summary>Entry point of the <c>eventsnn</c> command-line tool.</summary>
internal static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>0 on success, 1 for a failure (bad file, I/O, resource limits), 2 for a usage error.</returns>
    public static int Main(string[] args) => Run(args);

    /// <summary>Exit code of a usage error (unknown option, bad option value); the same as <see cref="CliAction.UsageError"/>.</summary>
    public const int UsageError = CliAction.UsageError;

    /// <summary>Builds the root command with every subcommand; tests use it to run commands in-process.</summary>
    internal static RootCommand BuildRoot()
    {
        var root = new RootCommand("eventsnn: event-driven spiking neural network simulator and event-camera tools.");
        root.Subcommands.Add(BenchCommand.Create());
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(ViewCommand.Create());
        root.Subcommands.Add(ConvertCommand.Create());
        root.Subcommands.Add(DatasetsCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(RunCommand.Create());
        root.Subcommands.Add(TraceCommand.Create());
        root.Subcommands.Add(StreamCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        return root;
    }

    /// <summary>Runs <paramref name="args"/> on the tool's commands with its error convention (see <c>CliAction.cs</c>).</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="configuration">Where output and errors go (null: the console).</param>
    /// <returns>The exit code.</returns>
    internal static int Run(string[] args, InvocationConfiguration? configuration = null) => Run(BuildRoot(), args, configuration);

    /// <summary>
    /// Parses <paramref name="args"/> against <paramref name="root"/> and runs the command: a parse error is one line
    /// per error on the error writer and exit code 2 (no help dump); an exception escaping a command is one line too.
    /// </summary>
    /// <param name="root">The root command.</param>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="configuration">Where output and errors go (null: the console).</param>
    /// <returns>The exit code.</returns>
    internal static int Run(RootCommand root, string[] args, InvocationConfiguration? configuration = null)
    {
        ArgumentNullException.ThrowIfNull(root);
        ParseResult parse = root.Parse(args);
        TextWriter error = configuration?.Error ?? Console.Error;
        if (parse.Action is ParseErrorAction)
        {
            foreach (string line in CliErrors.ParseErrorLines(parse))
            {
                error.WriteLine($"eventsnn: error: {line}");
            }

            return CliAction.UsageError;
        }

        var invocation = new InvocationConfiguration
        {
            EnableDefaultExceptionHandler = false,
            Output = configuration?.Output ?? Console.Out,
            Error = error,
        };
        TextWriter? previousError = CliAction.ErrorOverride;
        ParseResult? previousParse = CliErrors.CurrentParse;
        CliAction.ErrorOverride = error;
        CliErrors.CurrentParse = parse;
        try
        {
            return parse.Invoke(invocation);
        }
        catch (Exception ex) when (CliErrors.Describe(ex, parse, includeBugs: true) is { } described)
        {
            error.WriteLine($"eventsnn: error: {described.Message}");
            return described.ExitCode;
        }
        finally
        {
            CliAction.ErrorOverride = previousError;
            CliErrors.CurrentParse = previousParse;
        }
    }
}
