using System.Collections.Immutable;
using System.Globalization;
using EventSnn.EventQueue;
using EventSnn.Simulator.NetworkFiles;

namespace EventSnn.Simulator.Network;

/// <summary>
/// Reads explicit synapse lists from CSV (see <see cref="ConnectivitySpec.FromCsv"/>), keeping the line of every synapse
/// so that later checks can name it.
/// </summary>
internal static class SynapseCsv
{
    private const string Columns = "pre, post, weight, delay_ticks|delay_ns|delay_us|delay_ms|delay_s";

    /// <summary>Reads the file; <paramref name="lines"/> receives the 1-based line of each synapse.</summary>
    public static ExplicitConnectivity Read(string path, out int[] lines)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var pre = ImmutableArray.CreateBuilder<int>();
        var post = ImmutableArray.CreateBuilder<int>();
        var w = ImmutableArray.CreateBuilder<float>();
        var d = ImmutableArray.CreateBuilder<SimDuration>();
        var at = new List<int>();

        // Column positions (−1: absent) and the delay unit; null layout until the header or first row is seen.
        int iPre = -1, iPost = -1, iWeight = -1, iDelay = -1, width = -1;
        long delayUnit = 1;
        string delayName = "delay_ticks";
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
                if (!int.TryParse(f[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out _))
                {
                    // Header: the columns name themselves (and the delay its unit), in any order.
                    width = f.Length;
                    for (int k = 0; k < f.Length; k++)
                    {
                        string name = f[k];
                        long unit = UnitTime.UnitOf(name, "delay");
                        ref int slot = ref iPre;
                        if (name == "pre")
                        {
                            slot = ref iPre;
                        }
                        else if (name == "post")
                        {
                            slot = ref iPost;
                        }
                        else if (name == "weight")
                        {
                            slot = ref iWeight;
                        }
                        else if (unit > 0)
                        {
                            slot = ref iDelay;
                            if (iDelay < 0)
                            {
                                delayUnit = unit;
                                delayName = name;
                            }
                        }
                        else if (name == "delay")
                        {
                            throw new FormatException($"{path}:{lineNo}: column 'delay' must name its unit: delay_ms, delay_us, delay_ns, delay_ticks or delay_s.");
                        }
                        else
                        {
                            throw new FormatException($"{path}:{lineNo}: unknown column '{name}' (expected {Columns}).");
                        }

                        if (slot >= 0)
                        {
                            throw new FormatException($"{path}:{lineNo}: column '{name}' appears twice{(unit > 0 ? " (one delay column only)" : string.Empty)}.");
                        }

                        slot = k;
                    }

                    if (iPre < 0 || iPost < 0)
                    {
                        throw new FormatException($"{path}:{lineNo}: the header must name columns 'pre' and 'post' (got '{line}').");
                    }

                    continue;
                }

                // No header: positional pre,post[,weight[,delay_ticks]].
                if (f.Length is < 2 or > 4)
                {
                    throw new FormatException($"{path}:{lineNo}: expected 2 to 4 comma-separated fields (pre,post[,weight[,delay_ticks]]), got {f.Length}.");
                }

                width = f.Length;
                iPre = 0;
                iPost = 1;
                iWeight = f.Length >= 3 ? 2 : -1;
                iDelay = f.Length == 4 ? 3 : -1;
            }

            if (f.Length != width)
            {
                throw new FormatException($"{path}:{lineNo}: expected {width} fields like the {(pre.Count > 0 ? "previous lines" : "header")}, got {f.Length}.");
            }

            pre.Add(ParseInt(f[iPre], path, lineNo, "pre"));
            post.Add(ParseInt(f[iPost], path, lineNo, "post"));
            if (iWeight >= 0)
            {
                if (!float.TryParse(f[iWeight], NumberStyles.Float, CultureInfo.InvariantCulture, out float wv) || !float.IsFinite(wv))
                {
                    throw new FormatException($"{path}:{lineNo}: field 'weight' is not a finite number: '{f[iWeight]}'.");
                }

                w.Add(wv);
            }

            if (iDelay >= 0)
            {
                if (!UnitTime.TryToTicks(f[iDelay], delayUnit, out long ticks, out string? why))
                {
                    throw new FormatException($"{path}:{lineNo}: field '{delayName}' {why}.");
                }

                d.Add(SimDuration.FromTicks(ticks));
            }

            at.Add(lineNo);
        }

        lines = [.. at];
        return new ExplicitConnectivity(pre.ToImmutable(), post.ToImmutable(), w.ToImmutable(), d.ToImmutable());
    }

    private static int ParseInt(string s, string path, int line, string field)
        => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int v)
            ? v
            : throw new FormatException($"{path}:{line}: field '{field}' is not an integer: '{s}'.");
}
