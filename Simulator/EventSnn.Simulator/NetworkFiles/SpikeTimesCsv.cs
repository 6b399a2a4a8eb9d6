using System.Globalization;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.NetworkFiles;

/// <summary>
/// Reads spike times of a spike-source population from CSV: a header naming a source column (<c>source</c> or
/// <c>neuron</c>) and a time column that names its unit (<c>time_ms</c>, <c>time_us</c>, <c>time_ns</c>, <c>time_ticks</c>,
/// <c>time_s</c>), in either order; one spike per line, lines in any order (each source's times are sorted), blank lines
/// and <c>#</c> comments skipped. Times must be whole ticks and ≥ 0.
/// </summary>
internal static class SpikeTimesCsv
{
    /// <summary>Reads the file; <paramref name="size"/> is the population size, or null to use the largest source index + 1.</summary>
    /// <exception cref="FormatException">A line is malformed (the message names the file and line).</exception>
    public static SimTime[][] Read(string path, int? size)
    {
        int iSource = -1, iTime = -1, width = -1;
        long unit = 0;
        string timeName = "time";
        string sourceName = "source";
        var sources = new List<int>();
        var times = new List<long>();
        int lineNo = 0;
        foreach (string raw in File.ReadLines(path))
        {
            lineNo++;
            string line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }

            string[] f = line.Split(',');
            for (int k = 0; k < f.Length; k++)
            {
                f[k] = f[k].Trim();
            }

            if (width < 0)
            {
                width = f.Length;
                for (int k = 0; k < f.Length; k++)
                {
                    long u = UnitTime.UnitOf(f[k], "time");
                    if (f[k] is "source" or "neuron")
                    {
                        if (iSource >= 0)
                        {
                            throw new FormatException($"{path}:{lineNo}: two source columns ('source' or 'neuron'); give one.");
                        }

                        iSource = k;
                        sourceName = f[k];
                    }
                    else if (u > 0)
                    {
                        if (iTime >= 0)
                        {
                            throw new FormatException($"{path}:{lineNo}: two time columns; give one of time_ms, time_us, time_ns, time_ticks, time_s.");
                        }

                        iTime = k;
                        unit = u;
                        timeName = f[k];
                    }
                    else if (f[k] == "time")
                    {
                        throw new FormatException($"{path}:{lineNo}: column 'time' must name its unit: time_ms, time_us, time_ns, time_ticks or time_s.");
                    }
                    else
                    {
                        throw new FormatException($"{path}:{lineNo}: unknown column '{f[k]}' (expected a header 'source,time_ms' or similar: source|neuron and time_ms|time_us|time_ns|time_ticks|time_s).");
                    }
                }

                if (iSource < 0 || iTime < 0)
                {
                    throw new FormatException($"{path}:{lineNo}: the header must name a source column (source or neuron) and a time column with its unit (time_ms, time_us, time_ns, time_ticks, time_s); got '{line}'.");
                }

                continue;
            }

            if (f.Length != width)
            {
                throw new FormatException($"{path}:{lineNo}: expected {width} fields like the header, got {f.Length}.");
            }

            if (!int.TryParse(f[iSource], NumberStyles.Integer, CultureInfo.InvariantCulture, out int source) || source < 0)
            {
                throw new FormatException($"{path}:{lineNo}: field '{sourceName}' is not an integer ≥ 0: '{f[iSource]}'.");
            }

            if (size is int n && source >= n)
            {
                throw new FormatException($"{path}:{lineNo}: source {source} is outside 0..{n - 1} of the population.");
            }

            if (source >= NetworkFileReader.MaxSpikeSources)
            {
                throw new FormatException($"{path}:{lineNo}: source {source} is beyond the {NetworkFileReader.MaxSpikeSources} sources a spike source may have.");
            }

            if (!UnitTime.TryToTicks(f[iTime], unit, out long ticks, out string? why))
            {
                throw new FormatException($"{path}:{lineNo}: field '{timeName}' {why}.");
            }

            if (ticks < 0)
            {
                throw new FormatException($"{path}:{lineNo}: field '{timeName}' must be ≥ 0 (got {f[iTime]}).");
            }

            sources.Add(source);
            times.Add(ticks);
        }

        if (width < 0)
        {
            throw new FormatException($"{path}: the file is empty (expected a header such as 'source,time_ms').");
        }

        int count = size ?? (sources.Count == 0 ? 0 : sources.Max() + 1);
        var lists = new List<long>[count];
        for (int i = 0; i < count; i++)
        {
            lists[i] = [];
        }

        for (int k = 0; k < sources.Count; k++)
        {
            lists[sources[k]].Add(times[k]);
        }

        var result = new SimTime[count][];
        for (int i = 0; i < count; i++)
        {
            lists[i].Sort();
            result[i] = [.. lists[i].Select(SimTime.FromTicks)];
        }

        return result;
    }
}
