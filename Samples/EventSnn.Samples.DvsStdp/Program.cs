using System.Globalization;
using EventSnn.Samples.DvsStdp;

// Usage: dotnet run --project Samples/EventSnn.Samples.DvsStdp -- [FILE] [--events N] [--out DIR]
string? file = null;
long events = 0;
string outDir = "dvs-stdp";
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--events" when i + 1 < args.Length:
            if (!long.TryParse(args[++i], NumberStyles.Integer, CultureInfo.InvariantCulture, out events) || events < 0)
            {
                Console.Error.WriteLine($"dvs-stdp: error: --events must be a whole number ≥ 0 (got '{args[i]}').");
                return 1;
            }

            break;
        case "--out" when i + 1 < args.Length:
            outDir = args[++i];
            break;
        default:
            file = args[i];
            break;
    }
}

file ??= SampleData.Find("tonic_sample.aedat4");
if (file is null || !File.Exists(file))
{
    Console.Error.WriteLine($"dvs-stdp: error: event file not found ({file ?? "../shared/data/tonic_sample.aedat4 beside the repository"}); pass a path.");
    return 1;
}

try
{
    var options = new DvsStdpOptions { File = file, MaxEvents = events, OutDirectory = outDir };
    DvsStdpResult r = DvsStdpLearner.Run(options);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{r.Events:N0} events ({r.SimulatedMs:F1} ms of recording) → {r.Spikes:N0} feature spikes in {r.WallSeconds:F1} s; mean kernel change {r.KernelChange:F3}"));
    Console.WriteLine($"kernels: {r.KernelsPng}");
    Console.WriteLine($"evolution: {r.EvolutionPng}");
    return 0;
}
catch (Exception ex) when (ex is IOException or InvalidDataException or ArgumentException or NotSupportedException)
{
    Console.Error.WriteLine($"dvs-stdp: error: {ex.Message}");
    return 1;
}
