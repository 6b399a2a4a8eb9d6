using System.Security.Cryptography;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Simulator.Tests.Clock;

/// <summary>Helpers shared by the clock-engine tests.</summary>
internal static class ClockTestNetworks
{
    public static string RasterHash(SpikeRecorder recorder)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> buffer = stackalloc byte[16];
        for (int i = 0; i < recorder.Count; i++)
        {
            BitConverter.TryWriteBytes(buffer, recorder.TimeTicks[i]);
            BitConverter.TryWriteBytes(buffer[8..], recorder.Populations[i]);
            BitConverter.TryWriteBytes(buffer[12..], recorder.Neurons[i]);
            sha.AppendData(buffer);
        }

        return Convert.ToHexString(sha.GetHashAndReset());
    }

    /// <summary>A CUBA network of <paramref name="neurons"/> on a device with the given threads and small chunks (so that several threads really share the work).</summary>
    public static (ClockEngine Engine, CpuDevice Device, SpikeRecorder Recorder) Cuba(int neurons, int threads, ulong seed = 7, BretteModel model = BretteModel.Cuba)
    {
        var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 256, MinParallelCount = 0 });
        var engine = new ClockEngine(device, new ClockEngineOptions { Dt = SimDuration.FromMicroseconds(100) });
        BretteBenchmark.Build(engine, new BretteBenchmarkOptions { Model = model, Neurons = neurons, Seed = seed });
        var recorder = new SpikeRecorder();
        engine.AddMonitor(recorder);
        return (engine, device, recorder);
    }
}
