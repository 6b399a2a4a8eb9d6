using System.CommandLine;

namespace EventSnn.Cli.Commands;

/// <summary>The <c>bench</c> command group: scripted benchmarks that print JSON.</summary>
internal static class BenchCommand
{
    /// <summary>Creates the <c>bench</c> command with its subcommands.</summary>
    public static Command Create()
    {
        var bench = new Command("bench", "Benchmarks for scripted comparison (use --json for machine-readable output).");
        bench.Subcommands.Add(BenchBretteCommand.CreateCuba());
        bench.Subcommands.Add(BenchBretteCommand.CreateCoba());
        bench.Subcommands.Add(BenchQueueCommand.Create());
        bench.Subcommands.Add(BenchDecodeCommand.Create());
        bench.Subcommands.Add(BenchAedatCommand.Create());
        bench.Subcommands.Add(BenchIngestCommand.Create());
        return bench;
    }
}
