using System.Globalization;
using EventSnn.Simulator.Tracing;

namespace EventSnn.Cli.Tests;

/// <summary>
/// <c>eventsnn trace</c> on the shared reference traces produced by the real libraries (compared with the rule of their
/// <c>check_trace.py</c>: spike columns exactly after rounding to 6 decimals, others within 1e-5 + 1e-4·|expected|), on every
/// model the contract lists, and on bad input.
/// </summary>
[Collection(EventFileCliGroup.Name)]
public sealed class TraceCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-trace-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string SeedTraceDir()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "EventSnn.sln")))
        {
            dir = dir.Parent;
        }

        Assert.NotNull(dir);
        string path = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data", "seed-traces"));
        Assert.True(Directory.Exists(path), path);
        return path;
    }

    public static TheoryData<string> Cases => [.. Directory.GetDirectories(SeedTraceDir()).Select(d => Path.GetFileName(d)!).Order()];

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        TextWriter oldOut = Console.Out, oldErr = Console.Error;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Console.SetOut(stdout);
        Console.SetError(stderr);
        try
        {
            int code = Program.BuildRoot().Parse(args).Invoke();
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetOut(oldOut);
            Console.SetError(oldErr);
        }
    }

    /// <summary>The model a case folder's case.md names (its first <c>`library.class`</c>).</summary>
    private static string ModelOf(string caseDir)
    {
        string text = File.ReadAllText(Path.Combine(caseDir, "case.md"));
        var m = System.Text.RegularExpressions.Regex.Match(text, @"`([a-z]+\.[a-z_]+)`");
        Assert.True(m.Success, caseDir);
        return m.Groups[1].Value;
    }

    private static (string[] Header, Dictionary<(int, int), string[]> Rows) Load(string path)
    {
        string[] lines = File.ReadAllLines(path);
        string[] header = lines[0].Split(',');
        var rows = new Dictionary<(int, int), string[]>();
        foreach (string line in lines.Skip(1).Where(l => l.Length > 0))
        {
            string[] cells = line.Split(',');
            rows[(int.Parse(cells[0], CultureInfo.InvariantCulture), int.Parse(cells[1], CultureInfo.InvariantCulture))] = cells;
        }

        return (header, rows);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Trace_matches_the_library_reference(string name)
    {
        string caseDir = Path.Combine(SeedTraceDir(), name);
        string output = Path.Combine(_dir, name + ".csv");
        var (code, _, err) = Run("trace", ModelOf(caseDir), "--params", Path.Combine(caseDir, "params.json"), "--input", Path.Combine(caseDir, "input.csv"), "--out", output);
        Assert.True(code == 0, err);

        var (eh, er) = Load(Path.Combine(caseDir, "expected.csv"));
        var (gh, gr) = Load(output);
        Assert.Equal(eh, gh);
        Assert.Equal(er.Count, gr.Count);
        int spikes = 0;
        for (int c = 2; c < eh.Length; c++)
        {
            double Value(string[] row) => double.Parse(row[c], CultureInfo.InvariantCulture);
            bool spikeColumn = eh[c] == "spk" || (eh[c] == "o" && er.Values.Select(r => Math.Round(Value(r), 6)).Distinct().Count() <= 2);
            foreach (var (key, e) in er)
            {
                Assert.True(gr.TryGetValue(key, out string[]? g), $"{name}: row {key} missing");
                double ev = Value(e), gv = Value(g);
                bool ok = spikeColumn
                    ? Math.Round(ev, 6) == Math.Round(gv, 6)
                    : double.IsNaN(ev) ? double.IsNaN(gv) : Math.Abs(gv - ev) <= 1e-5 + (1e-4 * Math.Abs(ev));
                Assert.True(ok, $"{name}: step {key.Item1}, neuron {key.Item2}, column {eh[c]}: expected {e[c]}, got {g[c]}");
                spikes += spikeColumn && ev != 0 ? 1 : 0;
            }
        }

        Assert.True(spikes > 0, $"{name}: the reference has spikes to compare");
    }

    private static readonly Dictionary<string, string> s_minimal = new()
    {
        ["snntorch.leaky"] = """{"beta": 0.9}""",
        ["snntorch.synaptic"] = """{"alpha": 0.9, "beta": 0.8}""",
        ["snntorch.alpha"] = """{"alpha": 0.9, "beta": 0.8}""",
        ["snntorch.lapicque"] = """{"beta": 0.9}""",
        ["snntorch.rleaky"] = """{"beta": 0.9, "all_to_all": false, "V": 0.5}""",
        ["snntorch.rsynaptic"] = """{"alpha": 0.9, "beta": 0.8, "all_to_all": false}""",
        ["pysnn.if"] = """{"cells_shape": [1, 3], "thresh": 1, "v_rest": 0, "alpha_v": 1, "alpha_t": 1, "dt": 1, "duration_refrac": 0, "tau_t": 0.5}""",
        ["pysnn.lif"] = """{"thresh": 1, "v_rest": 0, "alpha_v": 1, "alpha_t": 1, "dt": 1, "duration_refrac": 2, "tau_v": 0.8, "tau_t": 0.5}""",
        ["pysnn.adaptive_lif"] = """{"thresh": 1, "v_rest": 0, "alpha_v": 1, "alpha_t": 1, "dt": 1, "duration_refrac": 2, "tau_v": 0.8, "tau_t": 0.5, "alpha_thresh": 0.2, "tau_thresh": 0.9}""",
        ["pysnn.fede"] = """{"thresh": 1, "v_rest": 0, "alpha_v": 1, "alpha_t": 1, "dt": 1, "duration_refrac": 2, "tau_v": 2, "tau_t": 2}""",
        ["pysnn.input"] = """{"dt": 1, "alpha_t": 1, "tau_t": 0.5}""",
    };

    public static TheoryData<string> Models => [.. SeedTraces.Names];

    private string Write(string file, string text)
    {
        string path = Path.Combine(_dir, file);
        File.WriteAllText(path, text);
        return path;
    }

    private string Input(int n, int steps, Func<int, int, double> value, string? header = null)
    {
        var lines = new List<string> { header ?? string.Join(",", Enumerable.Range(0, n).Select(i => $"x{i}")) };
        for (int t = 0; t < steps; t++)
        {
            lines.Add(string.Join(",", Enumerable.Range(0, n).Select(i => value(t, i).ToString("R", CultureInfo.InvariantCulture))));
        }

        return Write("input.csv", string.Join("\n", lines) + "\n");
    }

    [Theory]
    [MemberData(nameof(Models))]
    public void Every_listed_model_runs(string model)
    {
        string json = s_minimal.TryGetValue(model, out string? j) ? j : "{}";
        string input = Input(3, 20, (t, i) => 0.3 + (0.4 * Math.Sin(t + i)));
        string output = Path.Combine(_dir, "out.csv");
        var (code, _, err) = Run("trace", model, "--params", Write("p.json", json), "--input", input, "--out", output);
        Assert.True(code == 0, err);
        string[] lines = File.ReadAllLines(output);
        Assert.Equal("step,neuron," + string.Join(",", SeedTraces.Columns(model)), lines[0]);
        Assert.Equal(1 + (20 * 3), lines.Length);
        Assert.Equal("19,2", string.Join(",", lines[^1].Split(',').Take(2)));
    }

    [Fact]
    public void Fede_takes_an_optional_pre_trace_block()
    {
        string header = "x0,x1,pre_trace0,pre_trace1";
        var lines = new[] { header, "1,1,0,0.5", "1,1,0,0.5" };
        string output = Path.Combine(_dir, "out.csv");
        var (code, _, err) = Run("trace", "pysnn.fede", "--params", Write("p.json", s_minimal["pysnn.fede"]), "--input", Write("in.csv", string.Join("\n", lines)), "--out", output);
        Assert.True(code == 0, err);
        string[] rows = File.ReadAllLines(output);
        float v0 = float.Parse(rows[1].Split(',')[3], CultureInfo.InvariantCulture);
        float v1 = float.Parse(rows[2].Split(',')[3], CultureInfo.InvariantCulture);

        // dt/τ_v = 0.5: v = 0.5·(1 − pre_trace) after one step.
        Assert.Equal(0.5f * (1 - 0f), v0);
        Assert.Equal(0.5f * (1 - 0.5f), v1);
    }

    [Fact]
    public void Bad_input_gives_one_line_naming_it()
    {
        string input = Input(2, 3, (t, i) => 0.1);
        string output = Path.Combine(_dir, "out.csv");
        string ok = Write("ok.json", """{"beta": 0.9}""");

        var (code, _, err) = Run("trace", "snntorch.nope", "--params", ok, "--input", input, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("snntorch.nope", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.leaky", "--params", ok, "--out", output);
        Assert.Equal(2, code);
        Assert.Contains("--input", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.leaky", "--params", Write("u.json", """{"beta": 0.9, "gamma": 1}"""), "--input", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("'gamma'", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.leaky", "--params", Write("m.json", """{"threshold": 1}"""), "--input", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("'beta'", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.leaky", "--params", Write("a.json", """{"beta": [0.9, 0.8, 0.7]}"""), "--input", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("3 values for 2 neurons", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.leaky", "--params", Write("r.json", """{"beta": 0.9, "reset_mechanism": "halve"}"""), "--input", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("reset_mechanism", err, StringComparison.Ordinal);

        (code, _, err) = Run("trace", "snntorch.rleaky", "--params", Write("w.json", """{"beta": 0.9, "V_weight": [[1, 2]]}"""), "--input", input, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("V_weight", err, StringComparison.Ordinal);

        string badRow = Write("row.csv", "x0,x1\n0.1,0.2\n0.3\n");
        (code, _, err) = Run("trace", "snntorch.leaky", "--params", ok, "--input", badRow, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("line 3", err, StringComparison.Ordinal);

        string badHeader = Write("head.csv", "x0,y1\n0.1,0.2\n");
        (code, _, err) = Run("trace", "snntorch.leaky", "--params", ok, "--input", badHeader, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("'y1'", err, StringComparison.Ordinal);

        string notNumber = Write("nan.csv", "x0,x1\n0.1,abc\n");
        (code, _, err) = Run("trace", "snntorch.leaky", "--params", ok, "--input", notNumber, "--out", output);
        Assert.Equal(1, code);
        Assert.Contains("'abc'", err, StringComparison.Ordinal);

        foreach (string e in new[] { err })
        {
            Assert.Single(e.Trim().Split('\n'));
        }
    }
}
