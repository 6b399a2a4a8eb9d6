using System.CommandLine;
using EventSnn.Cli.Commands;

namespace EventSnn.Cli;

/// <summary>Entry point of the <c>eventsnn</c> command-line tool.</summary>
internal static class Program
{
    /// <summary>Parses the command line and runs the chosen command.</summary>
    /// <param name="args">The command-line arguments.</param>
    /// <returns>0 on success, 1 for a user error (bad file, bad option value), 2 for a usage error.</returns>
    public static int Main(string[] args) => BuildRoot().Parse(args).Invoke();

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
        root.Subcommands.Add(TrainCommand.Create());
        return root;
    }
}
