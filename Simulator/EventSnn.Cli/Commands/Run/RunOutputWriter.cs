using EventSnn.EventQueue;
using EventSnn.Plotting;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands.Run;

/// <summary>
/// Everything <c>eventsnn run</c> writes to its output folder, in bounded memory whatever the run's length, each file
/// written to a hidden temporary file beside its target and moved into place only when the run has completed (an
/// existing output is never damaged by a run that fails): <c>spikes.csv</c> (<c>time_ns,population,neuron</c>,
/// population by name) streamed by <see cref="SpikeCsvWriter"/> in 64 KiB chunks, <c>raster.png</c> from a fixed grid
/// of time bins (<see cref="SpikeRaster"/>), and one <c>state_POPULATION_VARIABLE.csv</c>
/// (<c>time_ns,population,neuron,VARIABLE</c>) per state monitor streamed by <see cref="StateCsvWriter"/>.
/// </summary>
internal sealed class RunOutputWriter : IDisposable
{
    private readonly NetworkSpec _spec;
    private readonly AtomicFile _spikeFile;
    private readonly SpikeCsvWriter _spikes;
    private readonly SpikeRaster _raster;
    private readonly List<(AtomicFile File, StateCsvWriter Writer)> _states = [];

    /// <summary>Checks the folder (created if needed) and opens every output as a temporary file.</summary>
    /// <exception cref="CliPathException">The folder cannot be created or written.</exception>
    public RunOutputWriter(string folder, NetworkSpec spec, SimDuration duration)
    {
        _spec = spec;
        Folder = CliPaths.RequireOutputFolder(folder, "--out");
        _spikeFile = AtomicFile.Create(SpikesCsv, "--out");
        try
        {
            _spikes = new SpikeCsvWriter(_spikeFile.Stream, spec, leaveOpen: true);
            _raster = new SpikeRaster(spec, SimTime.Zero, duration);
            Spikes = Selected(spec, [_spikes, _raster]);
            var used = new HashSet<string>(StringComparer.Ordinal);
            foreach (MonitorSpec m in spec.Monitors.Where(m => m.Kind == MonitorKind.State))
            {
                PopulationSpec p = spec.Populations[m.Population];
                string variable = p.Model!.Info.StateVariables[m.Variable];
                string stem = $"state_{p.Name}_{variable}";
                string name = stem;
                for (int k = 2; !used.Add(name); k++)
                {
                    name = $"{stem}_{k}";
                }

                int[] neurons = m.Neurons.IsDefaultOrEmpty ? [.. Enumerable.Range(0, p.Size)] : [.. m.Neurons];
                AtomicFile file = AtomicFile.Create(Path.Combine(Folder, name + ".csv"), "--out");
                _states.Add((file, new StateCsvWriter(file.Stream, m.Population, p.Name, variable, neurons, leaveOpen: true)));
                StateIntervals.Add(m.Interval);
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>The output folder.</summary>
    public string Folder { get; }

    /// <summary>The spikes file.</summary>
    public string SpikesCsv => Path.Combine(Folder, "spikes.csv");

    /// <summary>The raster image.</summary>
    public string RasterPng => Path.Combine(Folder, "raster.png");

    /// <summary>
    /// The monitor to add to the engine: it passes the spikes the network's spike monitors select (every spike when it
    /// has none) to <c>spikes.csv</c> and the raster.
    /// </summary>
    public ISpikeMonitor Spikes { get; }

    /// <summary>The state samplers, in monitor order (add each with its interval from <see cref="StateIntervals"/>).</summary>
    public IEnumerable<StateCsvWriter> StateWriters => _states.Select(s => s.Writer);

    /// <summary>The sampling interval of each state monitor, in monitor order.</summary>
    public List<SimDuration> StateIntervals { get; } = [];

    /// <summary>The state files, in monitor order.</summary>
    public IReadOnlyList<string> StateFiles => [.. _states.Select(s => s.File.Path)];

    /// <summary>Spikes written to <c>spikes.csv</c>.</summary>
    public long SpikesWritten => _spikes.SpikesWritten;

    /// <summary>Adds the monitors to <paramref name="engine"/>.</summary>
    public void Attach(ISimulationEngine engine)
    {
        engine.AddSpikeMonitor(Spikes);
        for (int i = 0; i < _states.Count; i++)
        {
            engine.AddStateSampler(_states[i].Writer, StateIntervals[i]);
        }
    }

    /// <summary>Writes what is buffered, draws the raster and moves every file into place.</summary>
    /// <param name="title">The raster's title.</param>
    /// <param name="end">The end of the run (the raster's time axis).</param>
    public void Commit(string title, SimTime end)
    {
        _spikes.Complete();
        foreach ((AtomicFile file, StateCsvWriter writer) in _states)
        {
            writer.Complete();
        }

        using AtomicFile png = AtomicFile.Create(RasterPng, "--out");
        RasterPlot.WritePng(_raster, png.Stream, new RasterPlotOptions { Title = title, End = end });
        _spikeFile.Commit();
        foreach ((AtomicFile file, _) in _states)
        {
            file.Commit();
        }

        png.Commit();
    }

    /// <summary>Releases the files; those not committed are deleted (an existing output stays as it was).</summary>
    public void Dispose()
    {
        _spikes?.Dispose();
        _spikeFile.Dispose();
        foreach ((AtomicFile file, StateCsvWriter writer) in _states)
        {
            writer.Dispose();
            file.Dispose();
        }
    }

    /// <summary>The spike monitors' selection: every spike when the network has no spike monitor.</summary>
    private static Fanout Selected(NetworkSpec spec, ISpikeMonitor[] targets)
    {
        MonitorSpec[] monitors = [.. spec.Monitors.Where(m => m.Kind == MonitorKind.Spikes)];
        if (monitors.Length == 0)
        {
            return new Fanout(targets, null);
        }

        var selected = new bool[spec.Populations.Length][];
        foreach (IGrouping<int, MonitorSpec> group in monitors.GroupBy(m => m.Population))
        {
            var mask = new bool[spec.Populations[group.Key].Size];
            if (group.Any(m => m.Neurons.IsDefaultOrEmpty))
            {
                Array.Fill(mask, true);
            }
            else
            {
                foreach (int n in group.SelectMany(m => m.Neurons))
                {
                    mask[n] = true;
                }
            }

            selected[group.Key] = mask;
        }

        return new Fanout(targets, selected);
    }

    /// <summary>Passes the selected spikes (all when <paramref name="selected"/> is null) to every target; nothing allocated per spike.</summary>
    private sealed class Fanout(ISpikeMonitor[] targets, bool[][]? selected) : ISpikeMonitor
    {
        public void OnSpike(SimTime time, int population, int neuron)
        {
            if (selected is not null && (selected[population] is not bool[] mask || !mask[neuron]))
            {
                return;
            }

            foreach (ISpikeMonitor t in targets)
            {
                t.OnSpike(time, population, neuron);
            }
        }
    }
}
