using System.CommandLine;
using EventSnn.Cli.Commands;

namespace EventSnn.Cli;

/// <summary>Entry point of the <c>eventsnn</c> command-line tool.</summary>
internal static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>0 on success, 1 for a user error (bad file, bad option value), 2 for a usage error.</returns>
    public static int Main(string[] args) => Run(args);

    /// <summary>Exit code of a usage error (unknown option, bad option value).</summary>
    public const int UsageError = 2;

    /// <summary>Parses and runs <paramref name="args"/>; command-line errors exit with <see cref="UsageError"/>.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <param name="configuration">Where output goes; null for the console.</param>
    internal static int Run(string[] args, InvocationConfiguration? configuration = null)
    {
        ParseResult result = BuildRoot().Parse(args);
        int code = configuration is null ? result.Invoke() : result.Invoke(configuration);
        return result.Errors.Count > 0 && code != 0 ? UsageError : code;
    }

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
        return root;
    }
}
