using System.Globalization;
using System.Text;
using System.Text.Json;
using EventSnn.Datasets.Formats;
using EventSnn.Events;

namespace EventSnn.Cli.Tests;

/// <summary>
/// <c>eventsnn replay</c> on generated N-MNIST-format samples (ATIS 40-bit records in <c>Test/&lt;digit&gt;/</c> folders) and
/// on the shared sample files. The network feeds a 2×34×34 input to 10 integrate-and-fire neurons (rest −65 mV,
/// threshold −50 mV, weight 6 mV, no leak): neuron d listens to columns 3d … 3d+2, so it fires ⌊n_d/3⌋ times for n_d
/// events in those columns; the expected predictions follow from the generated events alone.
/// </summary>
[Collection(EventFileCliGroup.Name)]
public sealed class ReplayCommandTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("eventsnn-replay-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Network(bool withInput = true)
    {
        var pre = new List<int>();
        var post = new List<int>();
        for (int d = 0; d < 10; d++)
        {
            for (int p = 0; p < 2; p++)
            {
                for (int y = 0; y < 34; y++)
                {
                    for (int x = 3 * d; x < (3 * d) + 3; x++)
                    {
                        pre.Add((((p * 34) + y) * 34) + x);
                        post.Add(d);
                    }
                }
            }
        }

        string input = withInput ? """{ "name": "dvs", "kind": "external", "shape": [2, 34, 34] },""" : """{ "name": "dvs", "kind": "poisson", "size": 2312, "rate_hz": 0, "seed": 1 },""";
        string json = $$"""
        {
          "version": 1,
          "populations": [
            {{input}}
            { "name": "digits", "model": "if", "size": 10, "execution": { "mode": "event" } }
          ],
          "projections": [
            { "pre": "dvs", "post": "digits", "weight": 6, "delay_ms": 1,
              "connectivity": { "rule": "explicit", "pre": [{{string.Join(",", pre)}}], "post": [{{string.Join(",", post)}}] } }
          ]
        }
        """;
        string path = Path.Combine(_dir, withInput ? "net.json" : "no-input.json");
        File.WriteAllText(path, json);
        return path;
    }

    /// <summary>ATIS 40-bit records: x, y, polarity bit 7 of byte 2 with t bits 22–16, then t bits 15–0.</summary>
    private static byte[] Atis(IReadOnlyList<(long T, int X, int Y, int P)> events)
    {
        byte[] data = new byte[events.Count * 5];
        for (int i = 0; i < events.Count; i++)
        {
            (long t, int x, int y, int p) = events[i];
            data[i * 5] = (byte)x;
            data[(i * 5) + 1] = (byte)y;
            data[(i * 5) + 2] = (byte)((p << 7) | (int)((t >> 16) & 0x7F));
            data[(i * 5) + 3] = (byte)(t >> 8);
            data[(i * 5) + 4] = (byte)t;
        }

        return data;
    }

    /// <summary>Writes samples under root/Test/&lt;label&gt;/; returns each file with its label and expected prediction.</summary>
    private static List<(string Path, int Label, int Expected, int Events)> MakeDataset(string root, int perDigit, int seed, string extension = ".bin")
    {
        var rng = new Random(seed);
        var made = new List<(string, int, int, int)>();
        for (int label = 0; label < 10; label++)
        {
            string folder = Path.Combine(root, "Test", label.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            for (int k = 0; k < perDigit; k++)
            {
                // Mostly events in the label's columns; a third of the samples lean to another digit instead.
                int main = k % 3 == 2 ? rng.Next(10) : label;
                var events = new List<(long, int, int, int)>();
                long t = rng.Next(100);
                int[] perGroup = new int[10];
                int n = 20 + rng.Next(30);
                for (int e = 0; e < n; e++)
                {
                    int group = rng.Next(4) == 0 ? rng.Next(10) : main;
                    perGroup[group]++;
                    events.Add((t += 50 + rng.Next(200), (3 * group) + rng.Next(3), rng.Next(34), rng.Next(2)));
                }

                int[] spikes = [.. perGroup.Select(c => c / 3)];
                int expected = spikes.Max() == 0 ? -1 : Array.IndexOf(spikes, spikes.Max());
                string path = Path.Combine(folder, $"{k:D5}{extension}");
                File.WriteAllBytes(path, Atis(events));
                made.Add((path, label, expected, n));
            }
        }

        return made;
    }

    private static JsonElement Json(string stdout)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(stdout.Trim()));
        using var doc = JsonDocument.ParseValue(ref reader);
        Assert.False(reader.Read());
        return doc.RootElement.Clone();
    }

    private static void AssertMatches(JsonElement s, List<(string Path, int Label, int Expected, int Events)> made)
    {
        int correct = made.Count(m => m.Expected == m.Label);
        Assert.Equal(made.Count, s.GetProperty("samples").GetInt32());
        Assert.Equal(made.Count, s.GetProperty("labelled").GetInt32());
        Assert.Equal(correct, s.GetProperty("correct").GetInt32());
        Assert.Equal((double)correct / made.Count, s.GetProperty("accuracy").GetDouble(), 12);
        Assert.Equal(made.Sum(m => m.Events), s.GetProperty("events").GetInt64());
        Assert.Equal(made.Sum(m => m.Events), s.GetProperty("injected").GetInt64());
        Assert.True(s.GetProperty("samples_per_s").GetDouble() > 0);
        Assert.True(s.GetProperty("events_per_s").GetDouble() > 0);
        var byPath = made.ToDictionary(m => m.Path);
        foreach (JsonElement p in s.GetProperty("predictions").EnumerateArray())
        {
            var m = byPath[p.GetProperty("source").GetString()!];
            Assert.Equal(m.Label, p.GetProperty("label").GetInt32());
            Assert.Equal(m.Expected, p.GetProperty("prediction").GetInt32());
        }
    }

    [Fact]
    public void A_dataset_replay_reports_each_prediction_the_accuracy_and_writes_predictions_csv()
    {
        string root = Path.Combine(_dir, "nmnist");
        var made = MakeDataset(root, perDigit: 3, seed: 1);
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Cli.Run("replay", Network(), "--dataset", "nmnist", "--root", root, "--split", "test", "--out", outDir, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        AssertMatches(s, made);
        Assert.Equal("dvs", s.GetProperty("input").GetString());
        Assert.Equal("digits", s.GetProperty("output").GetString());

        string[] lines = File.ReadAllLines(Path.Combine(outDir, "predictions.csv"));
        Assert.Equal("sample,source,label,prediction,correct,events,injected,skipped,output_spikes,duration_ns", lines[0]);
        Assert.Equal(made.Count + 1, lines.Length);
        foreach (string line in lines.Skip(1))
        {
            string[] f = line.Split(',');
            var m = made.Single(x => x.Path == f[1]);
            Assert.Equal(m.Expected, int.Parse(f[3], CultureInfo.InvariantCulture));
            Assert.Equal(m.Expected == m.Label ? "1" : "0", f[4]);
        }

        Assert.Equal(s.GetProperty("correct").GetInt32(), Json(File.ReadAllText(Path.Combine(outDir, "summary.json"))).GetProperty("correct").GetInt32());
    }

    [Theory]
    [InlineData(".bin", "event")]
    [InlineData(".bs2", "clock")]
    public void A_file_pattern_takes_labels_from_the_digit_folders(string extension, string execution)
    {
        string root = Path.Combine(_dir, "files");
        var made = MakeDataset(root, perDigit: 2, seed: 2, extension);
        var (code, stdout, stderr) = Cli.Run("replay", Network(), "--files", Path.Combine(root, "Test", "*", "*" + extension), "--execution", execution, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        Assert.Equal(execution, s.GetProperty("execution").GetString());
        AssertMatches(s, made);
    }

    [Theory]
    [InlineData("clock")]
    [InlineData("event")]
    public void A_batched_replay_gives_the_results_of_the_one_by_one_replay(string execution)
    {
        string root = Path.Combine(_dir, "batched");
        var made = MakeDataset(root, perDigit: 3, seed: 6);
        string glob = Path.Combine(root, "Test", "*", "*.bin");
        var (code1, one, err1) = Cli.Run("replay", Network(), "--files", glob, "--execution", execution, "--json");
        Assert.True(code1 == 0, err1);
        var (code2, batched, err2) = Cli.Run("replay", Network(), "--files", glob, "--execution", execution, "--batch", "4", "--threads", "2", "--json");
        Assert.True(code2 == 0, err2);
        JsonElement s = Json(batched);
        AssertMatches(s, made);
        Assert.Equal(Json(one).GetProperty("predictions").GetRawText(), s.GetProperty("predictions").GetRawText());
    }

    /// <summary>The same network as <see cref="Network"/>, saved as a layer model: a Linear layer of weights 6 into 10 event-driven IF neurons.</summary>
    private string LayerModel()
    {
        float[] w = new float[10 * 2312];
        for (int d = 0; d < 10; d++)
        {
            for (int p = 0; p < 2; p++)
            {
                for (int y = 0; y < 34; y++)
                {
                    for (int x = 3 * d; x < (3 * d) + 3; x++)
                    {
                        w[(d * 2312) + (((p * 34) + y) * 34) + x] = 6;
                    }
                }
            }
        }

        string path = Path.Combine(_dir, "digits.layers.json");
        new Simulator.Layers.LayerGraph()
            .AddInput("dvs", new Simulator.Network.PopulationShape(2, 34, 34))
            .AddLayer("digits", "dvs", l => l.Flatten().Linear(10, w), Simulator.Models.NeuronModel.IntegrateAndFire, o => o.EventDriven())
            .Save(path);
        return path;
    }

    [Theory]
    [InlineData("event")]
    [InlineData("clock")]
    public void A_saved_layer_model_replays_like_the_network_file(string execution)
    {
        string root = Path.Combine(_dir, "files");
        var made = MakeDataset(root, perDigit: 2, seed: 5);
        var (code, stdout, stderr) = Cli.Run("replay", LayerModel(), "--files", Path.Combine(root, "Test", "*", "*.bin"), "--execution", execution, "--json");
        Assert.True(code == 0, stderr);
        JsonElement s = Json(stdout);
        Assert.Equal("digits", s.GetProperty("output").GetString());
        AssertMatches(s, made);
    }

    [Fact]
    public void A_broken_layer_model_is_one_line_naming_the_file_and_the_path()
    {
        string root = Path.Combine(_dir, "files");
        MakeDataset(root, perDigit: 1, seed: 6);
        string model = LayerModel();
        File.WriteAllText(model, File.ReadAllText(model).Replace("\"out_features\": 10", "\"out_features\": 11", StringComparison.Ordinal));
        var (code, _, stderr) = Cli.Run("replay", model, "--files", Path.Combine(root, "Test", "*", "*.bin"), "--json");
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains($"{model}: $.connections[0].layers[1].weight.count: the layer needs 25432 values", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void The_shared_samples_replay_with_every_event_read_and_no_labels()
    {
        string[] files = ["tonic_sample_nmnist.bin", "tonic_sample_ncars.dat", "mibblez_header_test_128.aedat", "tonic_sample.aedat4"];
        foreach (string name in files)
        {
            string path = Cli.Sample(name);
            long expected = 0;
            using (IEventReader reader = EventFile.Open(path))
            using (var batch = new EventBatch())
            {
                while (reader.ReadBatch(batch) > 0)
                {
                    expected += batch.Count;
                    batch.Clear();
                }
            }

            var (code, stdout, stderr) = Cli.Run("replay", Network(), "--files", path, "--max-duration", "50", "--json");
            Assert.True(code == 0, $"{name}: {stderr}");
            JsonElement s = Json(stdout);
            Assert.Equal(1, s.GetProperty("samples").GetInt32());
            Assert.Equal(0, s.GetProperty("labelled").GetInt32());
            Assert.Equal(JsonValueKind.Null, s.GetProperty("accuracy").ValueKind);
            Assert.Equal(expected, s.GetProperty("events").GetInt64());
            Assert.Equal(expected, s.GetProperty("injected").GetInt64() + s.GetProperty("skipped").GetInt64());
        }
    }

    [Fact]
    public void The_text_report_lists_samples_and_the_accuracy()
    {
        string root = Path.Combine(_dir, "text");
        var made = MakeDataset(root, perDigit: 1, seed: 3);
        var (code, stdout, stderr) = Cli.Run("replay", Network(), "--files", Path.Combine(root, "**", "*.bin"), "--limit", "4");
        Assert.True(code == 0, stderr);
        int correct = made.Take(4).Count(m => m.Expected == m.Label);
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"accuracy: {correct * 100.0 / 4:F2} % ({correct} of 4 labelled)"), stdout, StringComparison.Ordinal);
        Assert.Contains("samples/s", stdout, StringComparison.Ordinal);
        Assert.Contains("0 - zero", stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2, "either --dataset", "replay", "NET")]
    [InlineData(2, "either --dataset", "replay", "NET", "--dataset", "nmnist", "--root", "ROOT", "--files", "x.bin")]
    [InlineData(2, "--dataset needs --root", "replay", "NET", "--dataset", "nmnist")]
    [InlineData(2, "--dataset: Unknown dataset 'mnist'", "replay", "NET", "--dataset", "mnist", "--root", "ROOT")]
    [InlineData(2, "--split: N-MNIST has no split 'valid'", "replay", "NET", "--dataset", "nmnist", "--root", "ROOT", "--split", "valid")]
    [InlineData(2, "--root goes with --dataset", "replay", "NET", "--files", "x.bin", "--root", "ROOT")]
    [InlineData(2, "--tail", "replay", "NET", "--files", "x.bin", "--tail", "-1")]
    [InlineData(2, "--max-duration", "replay", "NET", "--files", "x.bin", "--max-duration", "0")]
    [InlineData(2, "--output: The network has no population 'nope'", "replay", "NET", "--files", "SAMPLE", "--output", "nope")]
    [InlineData(2, "--input: Population 'digits' is not an external input", "replay", "NET", "--files", "SAMPLE", "--input", "digits")]
    [InlineData(2, "--batch", "replay", "NET", "--files", "SAMPLE", "--batch", "0")]
    [InlineData(1, "no file matches", "replay", "NET", "--files", "ROOT/Test/*/*.xyz")]
    [InlineData(1, "no such file", "replay", "NET", "--files", "ROOT/missing.bin")]
    [InlineData(1, "no external input population", "replay", "NOINPUT", "--files", "SAMPLE")]
    [InlineData(1, "no such file", "replay", "ROOT/none.json", "--files", "SAMPLE")]
    public void Bad_command_lines_give_one_line_and_the_right_exit_code(int exit, string message, params string[] args)
    {
        string root = Path.Combine(_dir, "bad");
        MakeDataset(root, perDigit: 1, seed: 4);
        string sample = Path.Combine(root, "Test", "0", "00000.bin");
        string[] real = [.. args.Select(a => a
            .Replace("NOINPUT", Network(withInput: false), StringComparison.Ordinal)
            .Replace("NET", Network(), StringComparison.Ordinal)
            .Replace("ROOT", root, StringComparison.Ordinal)
            .Replace("SAMPLE", sample, StringComparison.Ordinal))];
        var (code, _, stderr) = Cli.Run(real);
        string line = Cli.OneErrorLine(stderr);
        Assert.Contains(message, line, StringComparison.Ordinal);
        Assert.Equal(exit, code);
    }
}
