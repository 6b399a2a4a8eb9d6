using System.Globalization;
using System.Text;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Monitors;

public sealed class StreamingMonitorTests
{
    private static NetworkSpec Network() => new NetworkBuilder()
        .AddExternalInput("in, \"raw\"", PopulationShape.Linear(20))
        .AddNeurons("hidden", 40, NeuronModel.Lif, p => p.Set("tau_m", 15).Set("v_rest", -65).Set("v_thresh", -50).Set("v_reset", -70).Set("t_ref", 2).InitialUniform("v", -70, -55, seed: 4))
        .AddNeurons("out", 12, NeuronModel.Lif, p => p.Set("tau_m", 25).Set("v_rest", -65).Set("v_thresh", -52).Set("v_reset", -65).Set("t_ref", 2))
        .Connect("in, \"raw\"", "hidden", ConnectivitySpec.FixedProbability(0.3, seed: 11), c => c.WeightUniform(2, 8, seed: 12).Delay(SimDuration.FromTicks(1_000_000)))
        .Connect("hidden", "out", ConnectivitySpec.FixedProbability(0.4, seed: 13), c => c.Weight(4.5).Delay(SimDuration.FromTicks(2_000_000)))
        .Build();

    private static SimulationEngine Engine(NetworkSpec net)
    {
        var engine = new SimulationEngine(net);
        var rng = new Random(21);
        for (int k = 0; k < 3000; k++)
        {
            engine.InjectEvent(SimTime.FromTicks(1 + rng.Next(400_000_000)), 0, rng.Next(20));
        }

        return engine;
    }

    private static string Csv(string field) => field.Contains(',', StringComparison.Ordinal) || field.Contains('"', StringComparison.Ordinal)
        ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : field;

    [Fact]
    public void Spike_csv_names_populations_and_matches_a_recorder_row_for_row()
    {
        NetworkSpec net = Network();
        SimulationEngine engine = Engine(net);
        var recorder = new SpikeRecorder();
        using var stream = new MemoryStream();
        using var writer = new SpikeCsvWriter(stream, net, leaveOpen: true, bufferSize: 4096);
        engine.AddSpikeMonitor(recorder);
        engine.AddSpikeMonitor(writer);
        engine.RunUntil(SimTime.FromMilliseconds(420L));
        writer.Complete();

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).Split('\n');
        Assert.Equal(SpikeCsvWriter.Header, lines[0]);
        Assert.Equal(string.Empty, lines[^1]);
        Assert.True(recorder.Count > 4096 / 16, "the run must fill the buffer several times");
        Assert.Equal(recorder.Count, lines.Length - 2);
        Assert.Equal(recorder.Count, writer.SpikesWritten);
        for (int i = 0; i < recorder.Count; i++)
        {
            string expected = string.Create(CultureInfo.InvariantCulture, $"{recorder.TimeTicks[i]},{Csv(net.Populations[recorder.Populations[i]].Name)},{recorder.Neurons[i]}");
            Assert.Equal(expected, lines[i + 1]);
        }

        Assert.Contains(lines, l => l.Contains(",out,", StringComparison.Ordinal));
        Assert.Equal(4096, writer.BufferBytes);
    }

    [Fact]
    public void Spike_csv_memory_does_not_grow_with_the_number_of_spikes()
    {
        using var sink = new CountingStream();
        using var writer = new SpikeCsvWriter(sink, ["a", "b"], leaveOpen: true);
        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000_000; i++)
        {
            writer.OnSpike(SimTime.FromTicks(i * 1000L), i & 1, i % 977);
        }

        writer.Complete();
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 64 << 10, $"allocated {allocated} bytes for 1,000,000 spikes");
        Assert.Equal(1_000_000, writer.SpikesWritten);
        Assert.Equal(writer.BytesWritten, sink.Length);
        Assert.True(sink.Writes > 100, "written in chunks as the run goes");
        Assert.True(sink.LargestWrite <= SpikeCsvWriter.DefaultBufferSize);
    }

    [Fact]
    public void A_failed_write_is_reported_by_complete_not_by_the_engine_callback()
    {
        using var failing = new CountingStream { FailAfterBytes = 10_000 };
        using var writer = new SpikeCsvWriter(failing, ["a"], leaveOpen: true, bufferSize: 4096);
        for (int i = 0; i < 5000; i++)
        {
            writer.OnSpike(SimTime.FromTicks(i), 0, i);
        }

        Assert.True(writer.SpikesLost > 0);
        var ex = Assert.Throws<IOException>(writer.Complete);
        Assert.Contains("not written", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void State_csv_streams_the_samples_a_recorder_stores()
    {
        NetworkSpec net = Network();
        SimulationEngine engine = Engine(net);
        var recorder = new StateRecorder(2, "v", [0, 3, 11]);
        using var stream = new MemoryStream();
        using var writer = new StateCsvWriter(stream, 2, net.Populations[2].Name, "v", [0, 3, 11], leaveOpen: true, bufferSize: 4096);
        engine.AddStateSampler(recorder, SimDuration.FromMilliseconds(1L));
        engine.AddStateSampler(writer, SimDuration.FromMilliseconds(1L));
        engine.RunUntil(SimTime.FromMilliseconds(300L));
        writer.Complete();

        string[] lines = Encoding.UTF8.GetString(stream.ToArray()).TrimEnd('\n').Split('\n');
        Assert.Equal("time_ns,population,neuron,v", lines[0]);
        Assert.Equal(recorder.SampleCount, writer.SampleCount);
        Assert.Equal(recorder.SampleCount * 3, lines.Length - 1);
        for (int s = 0; s < recorder.SampleCount; s++)
        {
            for (int k = 0; k < 3; k++)
            {
                string[] f = lines[1 + (s * 3) + k].Split(',');
                Assert.Equal(recorder.TimeTicks[s], long.Parse(f[0], CultureInfo.InvariantCulture));
                Assert.Equal("out", f[1]);
                Assert.Equal(recorder.Neurons[k], int.Parse(f[2], CultureInfo.InvariantCulture));
                Assert.Equal(recorder.SampleValues(s)[k], (float)double.Parse(f[3], CultureInfo.InvariantCulture));
            }
        }

        using var bad = new StateCsvWriter(new MemoryStream(), 2, "out", "v", [12]);
        var other = Engine(net);
        other.AddStateSampler(bad, SimDuration.FromMilliseconds(1L));
        Assert.Throws<ArgumentException>(() => other.RunUntil(SimTime.FromMilliseconds(5L)));
    }

    [Fact]
    public void State_recorder_memory_is_capped_by_max_samples()
    {
        var capped = new StateRecorder(0, "v", [0, 1], everySteps: 1) { MaxSamples = 10 };
        float[] column = [1, 2];
        for (long step = 1; step <= 1000; step++)
        {
            capped.Record(SimTime.FromTicks(step), column);
        }

        Assert.Equal(10, capped.SampleCount);
        Assert.Equal(990, capped.DroppedSamples);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (long)i), capped.TimeTicks.ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => capped.MaxSamples = 0);
    }

    private sealed class CountingStream : Stream
    {
        private long _length;

        public long FailAfterBytes { get; init; } = long.MaxValue;

        public int Writes { get; private set; }

        public int LargestWrite { get; private set; }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position { get => _length; set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (_length + count > FailAfterBytes)
            {
                throw new IOException("No space left on device");
            }

            _length += count;
            Writes++;
            LargestWrite = Math.Max(LargestWrite, count);
        }
    }
}
