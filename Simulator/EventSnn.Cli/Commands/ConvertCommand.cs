using System.CommandLine;
using System.Globalization;
using EventSnn.Events;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;

namespace EventSnn.Cli.Commands;

/// <summary>The <c>convert</c> command: reads an event file and writes its polarity events as AEDAT 4.0.</summary>
internal static class ConvertCommand
{
    /// <summary>Creates the <c>convert</c> command.</summary>
    public static Command Create()
    {
        var input = new Argument<FileInfo>("input") { Description = "The event file to read (any format EventFile.Open detects: AEDAT 1.0/2.0/3.x/4.0, Prophesee EVT 2.0/3.0/DAT, N-MNIST .bin)." };
        var output = new Argument<FileInfo>("output") { Description = "The AEDAT 4.0 file to write (overwritten)." };
        var compression = new Option<string>("--compression")
        {
            Description = "Packet compression of the output.",
            DefaultValueFactory = _ => "lz4",
        };
        compression.AcceptOnlyFromAmong("lz4", "zstd", "none");
        var layout = new Option<string?>("--layout") { Description = "AEDAT 2.0 address layout (default: from the AEChip line, else inferred)." };
        layout.AcceptOnlyFromAmong("dvs128", "davis");
        var stream = new Option<int?>("--stream") { Description = "AEDAT 4.0: event stream id to read; AEDAT 3.1: source id." };
        var sensor = new Option<string?>("--sensor") { Description = "Sensor size WxH when the input does not state one, or to override it (e.g. 346x260)." };
        var packet = new Option<int>("--packet-events")
        {
            Description = "Events per output packet.",
            DefaultValueFactory = _ => 8192,
        };

        var command = new Command("convert", "Convert an event file to AEDAT 4.0 (prints events written and bytes).")
        {
            input, output, compression, layout, stream, sensor, packet,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            FileInfo inFile = parse.GetRequiredValue(input);
            FileInfo outFile = parse.GetRequiredValue(output);
            var options = new EventReaderOptions
            {
                Aedat2Layout = parse.GetValue(layout) switch
                {
                    "dvs128" => Aedat2Layout.Dvs128,
                    "davis" => Aedat2Layout.Davis,
                    _ => Aedat2Layout.Auto,
                },
                StreamId = parse.GetValue(stream),
                Sensor = ParseSensor(parse.GetValue(sensor)),
            };
            Aedat4Compression codec = parse.GetValue(compression) switch
            {
                "zstd" => Aedat4Compression.Zstd,
                "none" => Aedat4Compression.None,
                _ => Aedat4Compression.Lz4,
            };
            var result = Convert(inFile.FullName, outFile.FullName, options, codec, parse.GetValue(packet));
            parse.InvocationConfiguration.Output.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{result.Events} events written to {outFile.FullName} ({result.Bytes} bytes, {codec.ToString().ToUpperInvariant()}, {result.Sensor}) from {result.Format} {inFile.FullName}"));
            return 0;
        }));
        return command;
    }

    /// <summary>Converts <paramref name="inputPath"/> to an AEDAT 4.0 file; deletes a partial output on failure.</summary>
    internal static (long Events, long Bytes, EventFormat Format, SensorSize Sensor) Convert(
        string inputPath, string outputPath, EventReaderOptions options, Aedat4Compression compression, int packetEvents)
    {
        if (string.Equals(Path.GetFullPath(inputPath), Path.GetFullPath(outputPath), StringComparison.Ordinal))
        {
            throw new ArgumentException($"The output must differ from the input ({inputPath}).");
        }

        using IEventReader reader = EventFile.Open(inputPath, options);
        SensorSize size = reader.Info.Sensor
            ?? throw new InvalidDataException($"{inputPath}: the sensor size is unknown; pass --sensor WxH.");
        try
        {
            long bytes;
            long events;
            using (var writer = Aedat4Writer.Create(outputPath, new Aedat4WriterOptions
            {
                Sensor = size,
                Compression = compression,
                Source = reader.Info.Source ?? "EventSnn",
                PacketEvents = packetEvents,
            }))
            {
                using var batch = new EventBatch();
                while (true)
                {
                    batch.Clear();
                    if (reader.ReadBatch(batch) == 0)
                    {
                        break;
                    }

                    writer.Write(batch);
                }

                writer.Complete();
                bytes = writer.BytesWritten;
                events = writer.EventsWritten;
            }

            return (events, bytes, reader.Info.Format, size);
        }
        catch
        {
            File.Delete(outputPath);
            throw;
        }
    }

    private static SensorSize? ParseSensor(string? text)
    {
        if (text is null)
        {
            return null;
        }

        string[] parts = text.Split('x', 'X');
        if (parts.Length == 2
            && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && w is >= 1 and <= 65536 && h is >= 1 and <= 65536)
        {
            return new SensorSize(w, h);
        }

        throw new FormatException($"--sensor '{text}' is not WxH (e.g. 346x260).");
    }
}
