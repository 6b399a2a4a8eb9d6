using EventSnn.Samples.DvsStdp;

namespace EventSnn.Samples.Tests;

public sealed class DvsStdpSampleTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "eventsnn-dvs-stdp-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_out))
        {
            Directory.Delete(_out, recursive: true);
        }
    }

    [Fact]
    public void LearnsKernelsFromTheRecordingAndWritesBothImages()
    {
        string file = SampleData.Find("tonic_sample.aedat4") ?? throw new FileNotFoundException("../shared/data/tonic_sample.aedat4 beside the repository is missing.");
        DvsStdpResult r = DvsStdpLearner.Run(new DvsStdpOptions { File = file, MaxEvents = 15_000, OutDirectory = _out, Snapshots = 3, Pool = 8 });
        Assert.Equal(15_000, r.Events);
        Assert.True(r.Spikes > 0, "the feature layer fired");
        Assert.True(r.KernelChange > 0.001, $"the kernels learned (mean change {r.KernelChange})");
        Assert.True(r.SimulatedMs > 0);
        foreach (string png in (string[])[r.KernelsPng, r.EvolutionPng])
        {
            byte[] head = File.ReadAllBytes(png)[..8];
            Assert.Equal([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], head);
        }
    }

    [Fact]
    public void AMissingFileIsAClearError()
    {
        var ex = Assert.ThrowsAny<IOException>(() => DvsStdpLearner.Run(new DvsStdpOptions { File = Path.Combine(_out, "none.aedat4"), OutDirectory = _out }));
        Assert.Contains("none.aedat4", ex.Message);
    }
}
