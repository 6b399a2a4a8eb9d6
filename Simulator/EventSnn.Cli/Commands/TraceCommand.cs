using System.CommandLine;
using System.Globalization;
using System.Text;
using EventSnn.Simulator.Tracing;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn trace MODEL --params PARAMS.json --input INPUT.csv --out OUT.csv</c>: runs one population of N neurons of a
/// model that reproduces snnTorch, Matterhorn or PySNN for T steps with an analog input per step, and writes what the
/// library's <c>forward</c> returns at every step, so a model can be held against its library without writing C#.
/// </summary>
/// <remarks>
/// <para>INPUT.csv: header <c>x0,…,x{N−1}</c> (for <c>pysnn.fede</c> optionally followed by <c>pre_trace0,…</c>), then one row
/// per step with one value per column. OUT.csv: header <c>step,neuron,&lt;columns&gt;</c>, one row per (step, neuron) from
/// step 0, values as the shortest text that reads back as the same float32. See <see cref="SeedTraces"/> for PARAMS.json.</para>
/// <para>An unknown model or a missing option is a usage error (exit 2); an unknown or invalid parameter, a bad header or a row with the wrong
/// number of values prints one line naming it and exits 1.</para>
/// </remarks>
internal static class TraceCommand
{
    /// <summary>Exit code for a usage error.</summary>
    public const int UsageError = 2;

    /// <summary>Creates the <c>trace</c> command.</summary>
    internal static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = $"The model: {string.Join(", ", SeedTraces.Names)}." };
        var parameters = new Option<FileInfo>("--params") { Description = "PARAMS.json: the library's constructor arguments (scalars or per-neuron arrays), optional \"init\".", };
        var input = new Option<FileInfo>("--input") { Description = "INPUT.csv: header x0..x{N-1}, one row of inputs per step." };
        var output = new Option<FileInfo>("--out") { Description = "OUT.csv to write: step,neuron,<the columns the library's forward returns>." };
        var command = new Command("trace", "Run one population of a snnTorch, Matterhorn or PySNN model with an analog input per step and write its trace.")
        {
            model,
            parameters,
            input,
            output,
        };
        command.SetAction(parse =>
        {
            string name = parse.GetValue(model)!;
            string[] missing = [.. new[] { ("--params", parse.GetValue(parameters)), ("--input", parse.GetValue(input)), ("--out", parse.GetValue(output)) }
                .Where(o => o.Item2 is null).Select(o => o.Item1)];
            if (missing.Length > 0)
            {
                Console.Error.WriteLine($"eventsnn: error: trace needs --params, --input and --out (missing {string.Join(", ", missing)})");
                return UsageError;
            }

            if (!SeedTraces.IsKnown(name))
            {
                Console.Error.WriteLine($"eventsnn: error: unknown model '{name}' (known: {string.Join(", ", SeedTraces.Names)})");
                return UsageError;
            }

            return CliAction.Run(() =>
            {
                Run(name, parse.GetValue(parameters)!.FullName, parse.GetValue(input)!.FullName, parse.GetValue(output)!.FullName);
                return 0;
            });
        });
        return command;
    }

    /// <summary>Runs the trace and writes OUT.csv.</summary>
    internal static void Run(string model, string paramsPath, string inputPath, string outPath)
    {
        string json = File.ReadAllText(paramsPath);
        string? second = SeedTraces.SecondInput(model);
        (int n, int perNeuron, int steps, float[] values) = ReadInput(inputPath, second);
        TraceSetup setup = SeedTraces.Parse(model, json, n);
        setup.InputsPerNeuron = perNeuron;
        TraceResult result = TraceRunner.Run(setup, values, steps);
        Write(outPath, result);
    }

    /// <summary>Reads INPUT.csv: the number of neurons, inputs per neuron (1, or 2 with the second block), steps and values.</summary>
    internal static (int Neurons, int PerNeuron, int Steps, float[] Values) ReadInput(string path, string? secondBlock)
    {
        string name = Path.GetFileName(path);
        using var reader = new StreamReader(path, Encoding.UTF8);
        string? header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw new InvalidDataException($"{name} line 1: the header x0,x1,... is missing");
        }

        string[] columns = header.Split(',').Select(c => c.Trim()).ToArray();
        int n = 0;
        while (n < columns.Length && columns[n] == $"x{n}")
        {
            n++;
        }

        int per = 1;
        if (n > 0 && columns.Length == 2 * n && secondBlock is not null && Enumerable.Range(0, n).All(i => columns[n + i] == $"{secondBlock}{i}"))
        {
            per = 2;
        }
        else if (n == 0 || n != columns.Length)
        {
            string expected = secondBlock is null ? "x0,x1,...,x{N-1}" : $"x0,...,x{{N-1}} (optionally followed by {secondBlock}0,...,{secondBlock}{{N-1}})";
            throw new InvalidDataException($"{name} line 1: the header must be {expected}; column {n + 1} is '{(n < columns.Length ? columns[n] : string.Empty)}'");
        }

        var values = new List<float>();
        int width = columns.Length;
        int line = 1;
        int steps = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (string.IsNullOrWhiteSpace(text))
            {
                continue;
            }

            string[] cells = text.Split(',');
            if (cells.Length != width)
            {
                throw new InvalidDataException($"{name} line {line}: {cells.Length} values, the header has {width} columns");
            }

            for (int c = 0; c < width; c++)
            {
                if (!float.TryParse(cells[c], NumberStyles.Float, CultureInfo.InvariantCulture, out float v))
                {
                    throw new InvalidDataException($"{name} line {line}, column '{columns[c]}': '{cells[c].Trim()}' is not a number");
                }

                values.Add(v);
            }

            steps++;
        }

        return (n, per, steps, [.. values]);
    }

    /// <summary>Writes OUT.csv.</summary>
    internal static void Write(string path, TraceResult result)
    {
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 16);
        writer.Write("step,neuron");
        foreach (string c in result.Columns)
        {
            writer.Write(',');
            writer.Write(c);
        }

        writer.Write('\n');
        for (int t = 0; t < result.Steps; t++)
        {
            for (int i = 0; i < result.Size; i++)
            {
                writer.Write(t.ToString(CultureInfo.InvariantCulture));
                writer.Write(',');
                writer.Write(i.ToString(CultureInfo.InvariantCulture));
                int index = (t * result.Size) + i;
                foreach (float[] column in result.Values)
                {
                    writer.Write(',');
                    writer.Write(SeedTraces.Format(column[index]));
                }

                writer.Write('\n');
            }
        }
    }
}
