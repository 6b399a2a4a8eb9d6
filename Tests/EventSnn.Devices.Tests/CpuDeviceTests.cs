using CsCheck;
using EventSnn.Devices;

namespace EventSnn.Devices.Tests;

public sealed class CpuDeviceTests
{
    internal static (float[] V, float[] Drive) RandomPopulation(int n, int seed)
    {
        var rng = new Random(seed);
        var v = new float[n];
        var drive = new float[n];
        for (int i = 0; i < n; i++)
        {
            v[i] = (float)rng.NextDouble();
            drive[i] = (float)(rng.NextDouble() * 2.0);
        }

        return (v, drive);
    }

    [Theory]
    [InlineData(1, 64, 0)]
    [InlineData(2, 64, 0)]
    [InlineData(3, 128, 0)]
    [InlineData(4, 4096, 0)]
    [InlineData(2, 4096, 1_000_000)]
    public void StepMatchesScalarReference(int threads, int chunkSize, int minParallel)
    {
        const int N = 10_007;
        (float[] v0, float[] drive) = RandomPopulation(N, 42);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = chunkSize, MinParallelCount = minParallel });
        CpuBuffer<float> v = device.Allocate<float>(N);
        v.CopyFrom(v0);
        float[] reference = (float[])v0.Clone();
        SpikeBuffer spikes = device.CreateSpikeBuffer(N);
        var kernel = new LifStepKernel { V = v.Array, Drive = drive, Decay = MathF.Exp(-0.1f / 20f), Threshold = 1f, Reset = 0f };
        int total = 0;
        for (int step = 0; step < 200; step++)
        {
            device.RunSteps(N, 1, ref kernel, spikes);
            List<int> expected = LifStepKernel.Reference(reference, drive, kernel.Decay, kernel.Threshold, kernel.Reset);
            Assert.Equal(expected, spikes.ForStep(0).ToArray());
            total += expected.Count;
        }

        Assert.Equal(reference, v.Array);
        Assert.True(total > 1000, $"the test population should spike a lot, got {total}");
    }

    [Fact]
    public void WindowOfStepsEqualsSingleStepsForEveryThreadCount()
    {
        const int N = 20_000;
        const int Steps = 7;
        (float[] v0, float[] drive) = RandomPopulation(N, 7);
        List<int[]>? first = null;
        float[]? firstState = null;
        foreach (int threads in new[] { 1, 2, 3, 8 })
        {
            using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 1024, MinParallelCount = 0 });
            CpuBuffer<float> v = device.Allocate<float>(N);
            v.CopyFrom(v0);
            SpikeBuffer spikes = device.CreateSpikeBuffer(N, Steps);
            var kernel = new LifStepKernel { V = v.Array, Drive = drive, Decay = 0.99f, Threshold = 1f, Reset = 0f };
            var perStep = new List<int[]>();
            for (int w = 0; w < 20; w++)
            {
                int n = device.RunSteps(N, Steps, ref kernel, spikes);
                Assert.Equal(Steps, spikes.Steps);
                int sum = 0;
                for (int s = 0; s < Steps; s++)
                {
                    perStep.Add(spikes.ForStep(s).ToArray());
                    sum += spikes.ForStep(s).Length;
                }

                Assert.Equal(n, sum);
                Assert.Equal(n, spikes.All.Length);
            }

            if (first is null)
            {
                first = perStep;
                firstState = (float[])v.Array.Clone();

                // Independent check: the same 140 steps one at a time with the scalar reference.
                float[] reference = (float[])v0.Clone();
                for (int s = 0; s < perStep.Count; s++)
                {
                    Assert.Equal(LifStepKernel.Reference(reference, drive, 0.99f, 1f, 0f), perStep[s]);
                }

                Assert.Equal(reference, firstState);
            }
            else
            {
                Assert.Equal(first.Count, perStep.Count);
                for (int s = 0; s < first.Count; s++)
                {
                    Assert.Equal(first[s], perStep[s]);
                }

                Assert.Equal(firstState, v.Array);
            }
        }
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 2)]
    [InlineData(3, 5)]
    public void WindowsRunInPartsEqualRunSteps(int threads, int parts)
    {
        // RunStepChunks over contiguous chunk ranges, one per ForEachPart part, then FinishSteps: the same spikes and state
        // as RunSteps, whatever the threads and parts.
        const int N = 9_001;
        const int Steps = 3;
        (float[] v0, float[] drive) = RandomPopulation(N, 11);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 512 });
        float[] reference = (float[])v0.Clone();
        float[] v = (float[])v0.Clone();
        SpikeBuffer expected = device.CreateSpikeBuffer(N, Steps);
        SpikeBuffer actual = device.CreateSpikeBuffer(N, Steps);
        var whole = new LifStepKernel { V = reference, Drive = drive, Decay = 0.97f, Threshold = 1f, Reset = 0f };
        var split = new PartsKernel { Device = device, Spikes = actual, Parts = parts, Steps = Steps, Count = N, Step = whole with { V = v } };
        int total = 0;
        for (int w = 0; w < 10; w++)
        {
            int n = device.RunSteps(N, Steps, ref whole, expected);
            device.ForEachPart(parts, ref split);
            Assert.Equal(n, device.FinishSteps(N, Steps, actual));
            for (int s = 0; s < Steps; s++)
            {
                Assert.Equal(expected.ForStep(s).ToArray(), actual.ForStep(s).ToArray());
            }

            total += n;
        }

        Assert.Equal(reference, v);
        Assert.True(total > 500, $"{total} spikes");
    }

    /// <summary>Part p runs chunks [p·C/P, (p + 1)·C/P) of the window.</summary>
    private struct PartsKernel : IRangeKernel
    {
        public CpuDevice Device;
        public SpikeBuffer Spikes;
        public LifStepKernel Step;
        public int Parts;
        public int Steps;
        public int Count;

        public readonly void Execute(int start, int end)
        {
            int chunks = (Count + Device.ChunkSize - 1) / Device.ChunkSize;
            for (int p = start; p < end; p++)
            {
                LifStepKernel k = Step;
                Device.RunStepChunks(Count, Steps, ref k, Spikes, chunks * p / Parts, chunks * (p + 1) / Parts);
            }
        }
    }

    [Fact]
    public void ChunkedForCoversEveryElementOnce()
    {
        Gen.Select(Gen.Int[0, 30_000], Gen.Int[1, 5], Gen.Int[1, 9000]).Sample((n, threads, chunk) =>
        {
            using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = chunk, MinParallelCount = 0 });
            var x = new float[n];
            for (int i = 0; i < n; i++)
            {
                x[i] = i * 0.5f;
            }

            var y = new float[n];
            Array.Fill(y, float.NaN);
            var kernel = new AxpyKernel { X = x, Y = y, A = 3f };
            device.For(n, ref kernel);
            for (int i = 0; i < n; i++)
            {
                if (y[i] != (3f * x[i]) + i)
                {
                    return false;
                }
            }

            return true;
        }, iter: 60);
    }

    [Fact]
    public void ValidatesArgumentsAndKernelOutput()
    {
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        using var other = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        SpikeBuffer spikes = device.CreateSpikeBuffer(100, 2);
        var kernel = new LyingKernel { Reported = 0 };
        Assert.Throws<ArgumentOutOfRangeException>(() => device.RunSteps(101, 1, ref kernel, spikes));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.RunSteps(10, 3, ref kernel, spikes));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.RunSteps(10, 0, ref kernel, spikes));
        Assert.Throws<ArgumentException>(() => other.RunSteps(10, 1, ref kernel, spikes));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.Allocate<float>(-1));
        Assert.Throws<ArgumentOutOfRangeException>(() => device.CreateSpikeBuffer(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new CpuDevice(new CpuDeviceOptions { Threads = 0 }));

        var tooMany = new LyingKernel { Reported = 11 };
        Assert.Throws<InvalidOperationException>(() => device.RunSteps(10, 1, ref tooMany, spikes));
        var outside = new LyingKernel { Reported = 1, Index = 50 };
        Assert.Throws<InvalidOperationException>(() => device.RunSteps(10, 1, ref outside, spikes));

        CpuBuffer<float> b = device.Allocate<float>(4);
        Assert.Throws<ArgumentException>(() => b.CopyFrom(new float[3]));
        Assert.Throws<ArgumentException>(() => b.CopyTo(new float[5]));
        b.Fill(2.5f);
        var back = new float[4];
        b.CopyTo(back);
        Assert.Equal(new[] { 2.5f, 2.5f, 2.5f, 2.5f }, back);
    }

    [Fact]
    public void KernelExceptionOnWorkerThreadReachesCaller()
    {
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 2, ChunkSize = 64, MinParallelCount = 0 });
        SpikeBuffer spikes = device.CreateSpikeBuffer(10_000);
        var bad = new LyingKernel { Reported = -1 };
        Assert.Throws<InvalidOperationException>(() => device.RunSteps(10_000, 1, ref bad, spikes));

        // The device still works afterwards.
        var ok = new LyingKernel { Reported = 0 };
        Assert.Equal(0, device.RunSteps(10_000, 1, ref ok, spikes));
    }
}
