using System.Globalization;

namespace EventSnn.Simulator.Monitors;

/// <summary>
/// CSV export of monitor contents (invariant culture, <c>\n</c> line ends, one header line). Formats:
/// <list type="bullet">
/// <item><description>spikes: <c>time_us,neuron</c> or, with populations, <c>time_us,population,neuron</c>;</description></item>
/// <item><description>state: <c>time_us,neuron,&lt;variable&gt;</c>, one row per sample and recorded neuron;</description></item>
/// <item><description>rates: <c>time_us,population,rate_hz</c>, one row per bin (time = bin start) and population.</description></item>
/// </list>
/// <c>time_us</c> is the exact time in microseconds: an integer, or a decimal with up to three fraction digits
/// when the time (1 tick = 1 ns) is not a whole microsecond. See <c>docs/Simulator.md</c>.
/// </summary>
public static class MonitorCsv
{
    /// <summary>Writes the spikes of <paramref name="recorder"/>.</summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="writer">The destination.</param>
    /// <param name="includePopulation">Whether to write the <c>population</c> column.</param>
    public static void WriteSpikes(SpikeRecorder recorder, TextWriter writer, bool includePopulation = false)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(includePopulation ? "time_us,population,neuron\n" : "time_us,neuron\n");
        ReadOnlySpan<long> t = recorder.TimeTicks;
        ReadOnlySpan<int> p = recorder.Populations;
        ReadOnlySpan<int> n = recorder.Neurons;
        Span<char> buffer = stackalloc char[64];
        for (int i = 0; i < t.Length; i++)
        {
            int len = FormatMicroseconds(t[i], buffer);
            buffer[len++] = ',';
            if (includePopulation)
            {
                p[i].TryFormat(buffer[len..], out int w, default, CultureInfo.InvariantCulture);
                len += w;
                buffer[len++] = ',';
            }

            n[i].TryFormat(buffer[len..], out int wn, default, CultureInfo.InvariantCulture);
            len += wn;
            buffer[len++] = '\n';
            writer.Write(buffer[..len]);
        }
    }

    /// <summary>Writes the spikes of <paramref name="recorder"/> to <paramref name="stream"/> (UTF-8, left open).</summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="stream">The destination.</param>
    /// <param name="includePopulation">Whether to write the <c>population</c> column.</param>
    public static void WriteSpikes(SpikeRecorder recorder, Stream stream, bool includePopulation = false)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var writer = new StreamWriter(stream, new System.Text.UTF8Encoding(false), 1 << 16, leaveOpen: true);
        WriteSpikes(recorder, writer, includePopulation);
    }

    /// <summary>Writes the spikes of <paramref name="recorder"/> to a file (created or replaced).</summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="path">The file path.</param>
    /// <param name="includePopulation">Whether to write the <c>population</c> column.</param>
    public static void WriteSpikes(SpikeRecorder recorder, string path, bool includePopulation = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(false), 1 << 16);
        WriteSpikes(recorder, writer, includePopulation);
    }

    /// <summary>Writes the samples of <paramref name="recorder"/>.</summary>
    /// <param name="recorder">The recorder.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteState(StateRecorder recorder, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(recorder);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("time_us,neuron,");
        writer.Write(recorder.Variable);
        writer.Write('\n');
        Span<char> buffer = stackalloc char[32];
        ReadOnlySpan<int> neurons = recorder.Neurons;
        for (int s = 0; s < recorder.SampleCount; s++)
        {
            int len = FormatMicroseconds(recorder.TimeTicks[s], buffer);
            string time = new(buffer[..len]);
            ReadOnlySpan<float> values = recorder.SampleValues(s);
            for (int k = 0; k < neurons.Length; k++)
            {
                writer.Write(time);
                writer.Write(',');
                writer.Write(neurons[k].ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(values[k].ToString("R", CultureInfo.InvariantCulture));
                writer.Write('\n');
            }
        }
    }

    /// <summary>Writes the binned rates of <paramref name="monitor"/>.</summary>
    /// <param name="monitor">The monitor.</param>
    /// <param name="writer">The destination.</param>
    public static void WriteRates(PopulationRateMonitor monitor, TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(monitor);
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write("time_us,population,rate_hz\n");
        var rates = new double[monitor.PopulationCount][];
        for (int p = 0; p < rates.Length; p++)
        {
            rates[p] = new double[monitor.BinCount];
            monitor.Rates(p, rates[p]);
        }

        Span<char> buffer = stackalloc char[32];
        for (int b = 0; b < monitor.BinCount; b++)
        {
            int len = FormatMicroseconds(monitor.Start.Ticks + (b * monitor.Bin.Ticks), buffer);
            string time = new(buffer[..len]);
            for (int p = 0; p < rates.Length; p++)
            {
                writer.Write(time);
                writer.Write(',');
                writer.Write(p.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(rates[p][b].ToString("R", CultureInfo.InvariantCulture));
                writer.Write('\n');
            }
        }
    }

    /// <summary>Formats <paramref name="ticks"/> (ns) as exact microseconds: <c>1500</c>, <c>1500.25</c>, <c>-3.001</c>.</summary>
    /// <param name="ticks">The time in ticks.</param>
    /// <returns>The text.</returns>
    public static string FormatMicroseconds(long ticks)
    {
        Span<char> buffer = stackalloc char[32];
        return new string(buffer[..FormatMicroseconds(ticks, buffer)]);
    }

    private static int FormatMicroseconds(long ticks, Span<char> buffer)
    {
        int len = 0;
        ulong magnitude;
        if (ticks < 0)
        {
            buffer[len++] = '-';
            magnitude = (ulong)(-(ticks + 1)) + 1;
        }
        else
        {
            magnitude = (ulong)ticks;
        }

        ulong whole = magnitude / 1000;
        int fraction = (int)(magnitude % 1000);
        whole.TryFormat(buffer[len..], out int w, default, CultureInfo.InvariantCulture);
        len += w;
        if (fraction != 0)
        {
            buffer[len++] = '.';
            buffer[len++] = (char)('0' + (fraction / 100));
            int rest = fraction % 100;
            if (rest != 0)
            {
                buffer[len++] = (char)('0' + (rest / 10));
                if (rest % 10 != 0)
                {
                    buffer[len++] = (char)('0' + (rest % 10));
                }
            }
        }

        return len;
    }
}
