using System.Globalization;
using System.Text;
using EventSnn.Plotting;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands.Run;

/// <summary>
/// Everything <c>eventsnn run</c> writes to its output folder, in one place: <c>spikes.csv</c>
/// (<c>time_ns,population,neuron</c>, population by name), <c>raster.png</c>, and one <c>state_POPULATION_VARIABLE.csv</c>
/// per state monitor. It works from in-memory recorders (<see cref="SpikeRecorder"/>, <see cref="StateRecorder"/>).
/// </summary>
internal sealed class RunOutputWriter
{
    public RunOutputWriter(string folder)
    {
        Folder = Path.GetFullPath(folder);
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>The spikes file.</summary>
    public string SpikesCsv => Path.Combine(Folder, "spikes.csv");

    /// <summary>The raster image.</summary>
    public string RasterPng => Path.Combine(Folder, "raster.png");

    /// <summary>The spikes the run records for <c>spikes.csv</c>: the spike monitors' populations and neurons, or every population when the file has none.</summary>
    public static SpikeRecorder CreateRecorder(NetworkSpec spec)
    {
        var recorder = new SpikeRecorder(1 << 16);
        MonitorSpec[] monitors = [.. spec.Monitors.Where(m => m.Kind == MonitorKind.Spikes)];
        if (monitors.Length == 0)
        {
            return recorder;
        }

        foreach (IGrouping<int, MonitorSpec> group in monitors.GroupBy(m => m.Population))
        {
            int size = spec.Populations[group.Key].Size;
            int[] neurons = group.Any(m => m.Neurons.IsDefaultOrEmpty)
                ? [.. Enumerable.Range(0, size)]
                : [.. group.SelectMany(m => m.Neurons).Distinct().Order()];
            recorder.Select(group.Key, size, neurons);
        }

        recorder.RecordOnlySelected = true;
        return recorder;
    }

    /// <summary>Creates the folder.</summary>
    public void Prepare() => Directory.CreateDirectory(Folder);

    /// <summary>Writes <c>spikes.csv</c>: header <c>time_ns,population,neuron</c>, one spike per line in time order, population by name.</summary>
    public void WriteSpikes(SpikeRecorder recorder, NetworkSpec spec)
    {
        string[] names = [.. spec.Populations.Select(p => Quote(p.Name))];
        using var writer = new StreamWriter(SpikesCsv, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write("time_ns,population,neuron\n");
        ReadOnlySpan<long> t = recorder.TimeTicks;
        ReadOnlySpan<int> p = recorder.Populations;
        ReadOnlySpan<int> n = recorder.Neurons;
        Span<char> buffer = stackalloc char[24];
        for (int i = 0; i < t.Length; i++)
        {
            t[i].TryFormat(buffer, out int w, default, CultureInfo.InvariantCulture);
            writer.Write(buffer[..w]);
            writer.Write(',');
            writer.Write(names[p[i]]);
            writer.Write(',');
            n[i].TryFormat(buffer, out w, default, CultureInfo.InvariantCulture);
            writer.Write(buffer[..w]);
            writer.Write('\n');
        }
    }

    /// <summary>Writes <c>raster.png</c> with populations stacked in file order.</summary>
    public void WriteRaster(SpikeRecorder recorder, NetworkSpec spec, string title)
        => RasterPlot.SavePng(recorder, RasterPng, new RasterPlotOptions
        {
            Title = title,
            PopulationSizes = [.. spec.Populations.Select(p => p.Size)],
            PopulationNames = [.. spec.Populations.Select(p => p.Name)],
        });

    /// <summary>Writes one state monitor's samples (<see cref="MonitorCsv.WriteState"/> format) and returns the file.</summary>
    public string WriteState(StateRecorder recorder, NetworkSpec spec, ISet<string> used)
    {
        string stem = $"state_{spec.Populations[recorder.Population].Name}_{recorder.Variable}";
        string name = stem;
        for (int k = 2; !used.Add(name); k++)
        {
            name = $"{stem}_{k}";
        }

        string path = Path.Combine(Folder, name + ".csv");
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        MonitorCsv.WriteState(recorder, writer);
        return path;
    }

    private static string Quote(string s)
        => s.AsSpan().IndexOfAny(",\"\r\n") < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
}
