using System.CommandLine;
using System.Globalization;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Events;

namespace EventSnn.Cli.Commands;

/// <summary>
/// The <c>convert</c> command: reads an event file and writes its polarity events as AEDAT 4.0, to a temporary file
/// beside the output that replaces it only once complete (a failed conversion leaves an existing output untouched).
/// </summary>
/// <remarks>
/// The declared sensor always holds every event: a size the file states is used when the events fit it (checked while
/// converting; when one does not, the file is converted again with a sensor that holds them, with a note); otherwise
/// a first pass finds the extent and <see cref="SensorRules"/> chooses (the dataset's size, else the extent). A
/// <c>--sensor</c> that does not hold the data is an error (found by the first pass, before anything is written).
/// </remarks>
internal static class ConvertCommand
{
    /// <summary>Creates the <c>convert</c> command.</summary>
    public static Command Create()
    {
        var input = EventFileOptions.File("input", "The event file to read");
        var output = new Argument<FileInfo>("output") { Description = "The AEDAT 4.0 file to write, ending in .aedat4 (replaced only when the conversion succeeds)." };
        output.Validators.Add(result =>
        {
            if (result.Tokens.Count == 1 && !result.Tokens[0].Value.EndsWith(".aedat4", StringComparison.OrdinalIgnoreCase))
            {
                result.AddError($"output must end in .aedat4 (it writes AEDAT 4.0; got '{Path.GetFileName(result.Tokens[0].Value)}')");
            }
        });
        var compression = new Option<string>("--compression")
        {
            Description = "Packet compression of the output.",
            DefaultValueFactory = _ => "lz4",
        };
        compression.AcceptOnlyFromAmong("lz4", "zstd", "none");
        var format = EventFileOptions.Format();
        var layout = EventFileOptions.Layout();
        var stream = EventFileOptions.Stream();
        var sensor = EventFileOptions.Sensor("Sensor size WxH to declare (e.g. 346x260) instead of the one found; it must hold every event.");
        var packet = new Option<int>("--packet-events")
        {
            Description = "Events per output packet (1..4194304).",
            DefaultValueFactory = _ => 8192,
        }.InRange(1, 4 << 20);

        var command = new Command("convert", "Convert an event file to AEDAT 4.0 (prints events written and bytes).")
        {
            input, output, compression, format, layout, stream, sensor, packet,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            string inPath = CliPaths.RequireInputFile(parse.GetRequiredValue(input).FullName, "input");
            string outPath = CliPaths.RequireOutputFile(parse.GetRequiredValue(output).FullName, "output");
            EventReaderOptions options = EventFileOptions.ReaderOptions(parse.GetValue(layout), parse.GetValue(sensor), parse.GetValue(stream));
            Aedat4Compression codec = parse.GetValue(compression) switch
            {
                "zstd" => Aedat4Compression.Zstd,
                "none" => Aedat4Compression.None,
                _ => Aedat4Compression.Lz4,
            };
            var result = Convert(inPath, outPath, options, codec, parse.GetValue(packet), EventFileOptions.ParseFormat(parse.GetValue(format)));
            TextWriter stdout = parse.InvocationConfiguration.Output;
            if (result.Note is string note)
            {
                stdout.WriteLine($"note: {note}");
            }

            stdout.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Events} events written to {outPath} ({result.Bytes} bytes, {codec.ToString().ToUpperInvariant()}, {result.Sensor}) from {result.Format} {inPath}"));
            return 0;
        }));
        return command;
    }

    /// <summary>What a conversion did.</summary>
    internal sealed record Result(long Events, long Bytes, EventFormat Format, SensorSize Sensor, string? Note);

    /// <summary>Converts <paramref name="inputPath"/> to an AEDAT 4.0 file; on failure the output path is left as it was.</summary>
    internal static Result Convert(
        string inputPath, string outputPath, EventReaderOptions options, Aedat4Compression compression, int packetEvents, EventFormat format = EventFormat.Unknown)
    {
        if (string.Equals(Path.GetFullPath(inputPath), Path.GetFullPath(outputPath), StringComparison.Ordinal))
        {
            throw new CliUsageException($"output {outputPath}: must differ from the input");
        }

        SensorChoice choice;
        using (IEventReader probe = EventFile.Open(inputPath, format, options))
        {
            // A size the file states is checked while converting; any other is chosen (or, given, checked) by a first pass.
            choice = probe.Info.SensorOrigin == SensorOrigin.File && probe.Info.Sensor is SensorSize stated
                ? new SensorChoice(stated, SensorOrigin.File, null)
                : EventFileOptions.ScanSensor(inputPath, format, options).Choice;
        }

        if (TryWrite(inputPath, outputPath, options, compression, packetEvents, format, choice, out Result? result))
        {
            return result;
        }

        // An event lies beyond the stated sensor: convert again with the size the rules choose from the extent.
        choice = EventFileOptions.ScanSensor(inputPath, format, options).Choice;
        return TryWrite(inputPath, outputPath, options, compression, packetEvents, format, choice, out result)
            ? result
            : throw new InvalidDataException($"{inputPath}: the events changed between two readings");
    }

    private static bool TryWrite(
        string inputPath,
        string outputPath,
        EventReaderOptions options,
        Aedat4Compression compression,
        int packetEvents,
        EventFormat format,
        SensorChoice choice,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Result? result)
    {
        result = null;
        using IEventReader reader = EventFile.Open(inputPath, format, options);
        SensorSize size = choice.Sensor
            ?? throw new InvalidDataException($"{inputPath}: the file holds no events and states no sensor size; pass --sensor WxH");
        using AtomicFile file = AtomicFile.Create(outputPath, "output");
        using (var writer = new Aedat4Writer(file.Stream, new Aedat4WriterOptions
        {
            Sensor = size,
            Compression = compression,
            Source = reader.Info.Source ?? "EventSnn",
            PacketEvents = packetEvents,
        }))
        {
            using var batch = new EventBatch();
            var extent = default(EventExtent);
            while (true)
            {
                batch.Clear();
                if (reader.ReadBatch(batch) == 0)
                {
                    break;
                }

                extent.Add(batch);
                if (!extent.FitsIn(size))
                {
                    return false;
                }

                writer.Write(batch);
            }

            writer.Complete();
            result = new Result(writer.EventsWritten, writer.BytesWritten, reader.Info.Format, size, choice.Note);
        }

        file.Commit();
        return true;
    }
}
