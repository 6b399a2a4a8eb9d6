using EventSnn.Devices;

namespace EventSnn.Devices.Tests;

/// <summary>Measures allocation, so it runs alone: concurrent tests change thread scheduling.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurements
{
    /// <summary>The collection name.</summary>
    public const string Name = "Device allocation measurements";
}

[Collection(AllocationMeasurements.Name)]
public sealed class AllocationTests
{
    [Fact]
    public void StepDispatchDoesNotAllocateAfterWarmUp()
    {
        const int N = 50_000;
        (float[] v0, float[] drive) = CpuDeviceTests.RandomPopulation(N, 3);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 2, ChunkSize = 2048, MinParallelCount = 0 });
        SpikeBuffer spikes = device.CreateSpikeBuffer(N, 4);
        var kernel = new LifStepKernel { V = v0, Drive = drive, Decay = 0.99f, Threshold = 1f, Reset = 0f };
        device.RunSteps(N, 4, ref kernel, spikes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 100; i++)
        {
            device.RunSteps(N, 4, ref kernel, spikes);
        }

        Assert.Equal(before, GC.GetAllocatedBytesForCurrentThread());
    }
}
