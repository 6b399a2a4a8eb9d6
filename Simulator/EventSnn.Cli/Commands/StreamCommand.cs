using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Streams;
using EventSnn.Events;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn stream FILE --to tcp://HOST:PORT|tcp-listen://HOST:PORT|udp://HOST:PORT [--speed X]</c>: sends the
/// events of an event file to a live consumer, paced in real time (a camera stand-in for demos and tests).
/// </summary>
internal static class StreamCommand
{
    /// <summary>Exit code for a usage error (a malformed destination or option value).</summary>
    public const int UsageError = 2;

    /// <summary>Creates the <c>stream</c> command.</summary>
    internal static Command Create()
    {
        var file = EventFileOptions.File();
        var to = new Option<string>("--to")
        {
            Description = "Destination: tcp://HOST:PORT (connect and send AEDAT 4 as dv-processing does; ?format=evt2|evt3 for raw words, "
                + "?compression=lz4|zstd|none), tcp-listen://HOST:PORT (wait for one peer, then send), udp://HOST:PORT (AEStream datagrams).",
            Required = true,
        };
        var speed = new Option<double>("--speed")
        {
            Description = "Replay speed factor: 1 = real time, 10 = ten times faster, 0 = as fast as the peer takes them.",
            DefaultValueFactory = _ => 1.0,
        };
        var command = new Command("stream", "Send an event file's events to a live consumer (e.g. eventsnn serve) over TCP or UDP, in real time.")
        {
            file, to, speed,
        };
        command.SetAction((parse, cancellationToken) => Task.Run(
            () => Run(parse.GetRequiredValue(file).FullName, parse.GetRequiredValue(to), parse.GetValue(speed), parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken),
            CancellationToken.None));
        return command;
    }

    /// <summary>Runs the command; returns the exit code (0, 1 for a failure, 2 for a usage error).</summary>
    internal static int Run(string path, string destination, double speed, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        try
        {
            EventSourceAddress.Parse(destination);
            if (!double.IsFinite(speed) || speed < 0 || speed > 1e6)
            {
                throw new FormatException($"--speed {speed.ToString(CultureInfo.InvariantCulture)} is not in 0..1e6 (0 = as fast as possible)");
            }
        }
        catch (FormatException ex)
        {
            error.WriteLine($"eventsnn: error: {ex.Message}");
            return UsageError;
        }

        return CliAction.Run(() =>
        {
            using IEventReader reader = EventFile.Open(path);
            var clock = Stopwatch.StartNew();
            long sent;
            try
            {
                sent = EventStreamSender.Send(reader, destination, new EventSenderOptions
                {
                    Speed = speed,
                    Listening = ep => output.WriteLine($"waiting for a peer on {ep}"),
                }, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                error.WriteLine("eventsnn: stream cancelled");
                return CliAction.UserError;
            }

            double seconds = clock.Elapsed.TotalSeconds;
            output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"sent {sent} events to {destination} in {seconds:0.###} s ({(seconds > 0 ? sent / seconds : 0):0} events/s)"));
            return 0;
        });
    }
}
