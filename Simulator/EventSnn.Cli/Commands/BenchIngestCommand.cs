using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Streams;
using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Hosting;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Cli.Commands;

/// <summary>
/// <c>eventsnn bench ingest [--part ingest|e2e|overload|all] [--events N] [--e2e-events N] [--neurons N]
/// [--overload-seconds S] [--json]</c>: live-ingest throughput on loopback TCP.
/// </summary>
/// <remarks>
/// <para><b>ingest</b>: N synthetic events (640×480, 1 µs apart, random pixels and polarities) are encoded once as an
/// AEDAT 4 network stream (LZ4, 8192-event packets) and as raw EVT 3.0 words, sent unpaced over loopback TCP by a
/// sender thread, and read by a <c>tcp-listen://</c> source whose events are mapped onto a 2×480×640 input population
/// (<see cref="ExternalEventMap.SourceOf"/>); reported: events per second of wall time from the connection to the last
/// event, and per second of process CPU time.</para>
/// <para><b>e2e</b>: the hosting pipeline (wait mode) runs a network of <c>--neurons</c> LIF neurons fed by a 2×64×64
/// input population with fixed-probability connections (≈ 12 synapses per input, weight 1 mV, delay 1 ms) on an AEDAT 4 LZ4 stream sent
/// unpaced over loopback, on the engine <see cref="EventSnnEngines.Create"/> builds; reported: events per second until every event is processed, and that none was lost.</para>
/// <para><b>overload</b>: for each full mode, an in-process generator offers events as fast as it can (far above what
/// the network takes) for <c>--overload-seconds</c>; reported: received, processed and dropped counts (which must
/// balance), the offered/processed ratio, batches created against the pool bound, and the peak managed heap.</para>
/// </remarks>
internal static class BenchIngestCommand
{
    /// <summary>Creates the <c>bench ingest</c> command.</summary>
    internal static Command Create()
    {
        var part = new Option<string>("--part") { Description = "Which benchmark: ingest, e2e, overload or all.", DefaultValueFactory = _ => "all" };
        part.AcceptOnlyFromAmong("ingest", "e2e", "overload", "all");
        var events = new Option<long>("--events") { Description = "Events for the ingest benchmark.", DefaultValueFactory = _ => 10_000_000 };
        var e2eEvents = new Option<long>("--e2e-events") { Description = "Events for the end-to-end benchmark.", DefaultValueFactory = _ => 5_000_000 };
        var neurons = new Option<int>("--neurons") { Description = "Neurons of the end-to-end and overload network.", DefaultValueFactory = _ => 10_000 };
        var seconds = new Option<double>("--overload-seconds") { Description = "Duration of each overload run.", DefaultValueFactory = _ => 60.0 };
        var batchEvents = new Option<int>("--batch-events") { Description = "Events per pipeline batch (the channel holds 64 batches).", DefaultValueFactory = _ => 8192 };
        var execution = new Option<string>("--execution") { Description = "How the network's LIF population runs: clock (clock-driven, step --dt-us) or event (exact event-driven).", DefaultValueFactory = _ => "clock" };
        execution.AcceptOnlyFromAmong("clock", "event");
        var dtUs = new Option<int>("--dt-us") { Description = "The clock-driven population's step in microseconds.", DefaultValueFactory = _ => 1000 };
        var json = new Option<bool>("--json") { Description = "Print one JSON object." };
        var command = new Command("ingest", "Live ingest over loopback TCP: AEDAT 4 LZ4 and raw EVT 3.0 decoding, end to end into a running network, and overload per full mode.")
        {
            part, events, e2eEvents, neurons, seconds, batchEvents, execution, dtUs, json,
        };
        command.SetAction(parse => CliAction.Run(() =>
        {
            string which = parse.GetValue(part)!;
            long n = parse.GetValue(events);
            long e2e = parse.GetValue(e2eEvents);
            int size = parse.GetValue(neurons);
            double s = parse.GetValue(seconds);
            int batch = parse.GetValue(batchEvents);
            int dt = parse.GetValue(dtUs);
            if (dt is < 1 or > 100_000)
            {
                throw new ArgumentOutOfRangeException("--dt-us", dt, "--dt-us must be in 1..100,000.");
            }

            SimDuration? step = parse.GetValue(execution) == "event" ? null : SimDuration.FromMicroseconds(dt);
            if (batch is < 64 or > (1 << 20))
            {
                throw new ArgumentOutOfRangeException("--batch-events", batch, "--batch-events must be in 64..1,048,576.");
            }

            if (n is < 1000 or > 200_000_000 || e2e is < 1000 or > 200_000_000)
            {
                throw new ArgumentOutOfRangeException("--events", "--events and --e2e-events must be in 1,000..200,000,000.");
            }

            if (size is < 100 or > 1_000_000)
            {
                throw new ArgumentOutOfRangeException("--neurons", size, "--neurons must be in 100..1,000,000.");
            }

            if (!double.IsFinite(s) || s is < 0.1 or > 3600)
            {
                throw new ArgumentOutOfRangeException("--overload-seconds", s, "--overload-seconds must be in 0.1..3600.");
            }

            if (which is "ingest" or "all")
            {
                // Warm-up passes (JIT tiers) before the timed ones.
                Ingest(EventFormat.Aedat4, Math.Min(n, 300_000));
                Ingest(EventFormat.Evt3, Math.Min(n, 300_000));
            }

            if (which is "e2e" or "all")
            {
                // Warm-up pass (JIT tiers of the engine and pipeline) before the timed one.
                EndToEnd(Math.Min(e2e, 300_000), size, batch, step);
            }

            var report = new Report(
                which is "ingest" or "all" ? [Ingest(EventFormat.Aedat4, n), Ingest(EventFormat.Evt3, n)] : [],
                which is "e2e" or "all" ? EndToEnd(e2e, size, batch, step) : null,
                which is "overload" or "all" ? [.. Enum.GetValues<IngestFullMode>().Select(m => Overload(m, size, TimeSpan.FromSeconds(s), batch, step))] : []);
            Write(parse.InvocationConfiguration.Output, report, parse.GetValue(json));
            return report.Ok ? 0 : CliAction.UserError;
        }));
        return command;
    }

    internal sealed record IngestResult(string Format, long Events, long Bytes, double Seconds, double CpuSeconds, long Checksum)
    {
        public double EventsPerSecond => Events / Seconds;

        public double EventsPerCpuSecond => Events / CpuSeconds;
    }

    internal sealed record EndToEndResult(long Sent, long Processed, long Dropped, double Seconds, double CpuSeconds, long Spikes, int Neurons, double FanOut, string Execution, int BatchEvents)
    {
        public double EventsPerSecond => Processed / Seconds;

        public double EventsPerCpuSecond => Processed / CpuSeconds;
    }

    internal sealed record OverloadResult(
        string Mode, double Seconds, double DrainSeconds, long Offered, long Received, long Processed, long Dropped, bool Balanced,
        int BatchesCreated, int MaxBatches, long BatchBoundBytes, long PeakManagedBytes, long StartManagedBytes, long PeakWorkingSetBytes, string Execution)
    {
        public double OverloadRatio => Processed == 0 ? 0 : Offered / (double)Processed;
    }

    internal sealed record Report(IReadOnlyList<IngestResult> Ingest, EndToEndResult? EndToEnd, IReadOnlyList<OverloadResult> Overload)
    {
        public bool Ok => (EndToEnd is null || (EndToEnd.Processed == EndToEnd.Sent && EndToEnd.Dropped == 0))
            && Overload.All(o => o.Balanced && o.BatchesCreated <= o.MaxBatches);
    }

    /// <summary>Encodes N synthetic events as an AEDAT 4 LZ4 network stream or raw EVT 3.0 words.</summary>
    internal static byte[] Encode(EventFormat format, long count, int width, int height)
    {
        var wire = new MemoryStream();
        using var batch = new EventBatch(1 << 16);
        var rng = new Random(42);
        Aedat4Writer? aedat = format == EventFormat.Aedat4
            ? Aedat4Writer.CreateNetworkStream(wire, new Aedat4WriterOptions { Sensor = new SensorSize(width, height), Compression = Aedat4Compression.Lz4 })
            : null;
        EvtWriter? evt = format == EventFormat.Evt3 ? new EvtWriter(wire, EventFormat.Evt3, writeHeader: false) : null;
        try
        {
            for (long done = 0; done < count;)
            {
                batch.Clear();
                int n = (int)Math.Min(batch.Capacity, count - done);
                for (int i = 0; i < n; i++)
                {
                    batch.Add(done + i, (ushort)rng.Next(width), (ushort)rng.Next(height), (byte)(i & 1));
                }

                aedat?.Write(batch);
                evt?.Write(batch);
                done += n;
            }
        }
        finally
        {
            aedat?.Dispose();
            evt?.Dispose();
        }

        return wire.ToArray();
    }

    /// <summary>Sends <paramref name="wire"/> to a loopback port in 1 MiB writes, then closes.</summary>
    private static void SendAll(int port, byte[] wire)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true, SendBufferSize = 4 << 20 };
        socket.Connect(IPAddress.Loopback, port);
        for (int offset = 0; offset < wire.Length;)
        {
            offset += socket.Send(wire.AsSpan(offset, Math.Min(1 << 20, wire.Length - offset)));
        }

        socket.Shutdown(SocketShutdown.Send);
    }

    internal static IngestResult Ingest(EventFormat format, long count)
    {
        const int Width = 640, Height = 480;
        byte[] wire = Encode(format, count, Width, Height);
        string settings = format == EventFormat.Evt3 ? "?format=evt3&width=640&height=480" : string.Empty;
        using var source = new TcpEventSource(EventSourceAddress.Parse("tcp-listen://127.0.0.1:0" + settings));
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(10));
        Task<IEventReader> open = Task.Run(() => source.Open(cts.Token));
        while (source.LocalEndPoint is null)
        {
            Thread.Sleep(1);
        }

        int port = ((IPEndPoint)source.LocalEndPoint).Port;
        var shape = new PopulationShape(2, Height, Width);
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Task send = Task.Run(() => SendAll(port, wire));
        long events = 0, checksum = 0;
        using (IEventReader session = open.GetAwaiter().GetResult())
        {
            using var batch = new EventBatch(1 << 16);
            while (true)
            {
                batch.Clear();
                int n = session.ReadBatch(batch);
                if (n == 0)
                {
                    break;
                }

                ReadOnlySpan<ushort> x = batch.X, y = batch.Y;
                ReadOnlySpan<byte> p = batch.P;
                for (int i = 0; i < n; i++)
                {
                    checksum += ExternalEventMap.SourceOf(shape, x[i], y[i], p[i]);
                }

                events += n;
            }
        }

        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        send.GetAwaiter().GetResult();
        if (events != count)
        {
            throw new InvalidDataException($"ingest {format}: {events} events read, {count} sent");
        }

        return new IngestResult(format == EventFormat.Evt3 ? "evt3" : "aedat4-lz4", events, wire.LongLength, seconds, cpu, checksum);
    }

    /// <summary>
    /// The benchmark network: a 2×64×64 DVS input, fixed-probability (≈ 12 per input) onto LIF neurons, clock-driven
    /// with step <paramref name="clockDt"/> (what a service that must keep up with a camera declares) or event-driven (null).
    /// </summary>
    internal static NetworkSpec Network(int neurons, SimDuration? clockDt = null) => new NetworkBuilder()
        .AddExternalInput("dvs", new PopulationShape(2, 64, 64))
        .AddNeurons("hidden", neurons, NeuronModel.Lif, p =>
        {
            p.Set("tau_m", 20);
            if (clockDt is { } dt)
            {
                p.ClockDriven(dt);
            }
            else
            {
                p.EventDriven();
            }
        })
        .Connect("dvs", "hidden", ConnectivitySpec.FixedProbability(12.0 / neurons, seed: 7), c => c.Weight(1.0).Delay(SimDuration.FromMilliseconds(1L)))
        .Build();

    internal static EndToEndResult EndToEnd(long count, int neurons, int batchEvents, SimDuration? clockDt = null)
    {
        byte[] wire = Encode(EventFormat.Aedat4, count, 64, 64);
        NetworkSpec network = Network(neurons, clockDt);
        long synapses = 0;
        var options = new EventSnnOptions { InputPopulation = "dvs", OutputPopulation = "hidden", FullMode = IngestFullMode.Wait, BatchEvents = batchEvents };
        options.Sources.Add("tcp-listen://127.0.0.1:0");
        var status = new EventSnnStatus();
        var pipeline = new EventSnnPipeline(
            network,
            spec =>
            {
                ISimulationEngine engine = EventSnnEngines.Create(spec);
                synapses = engine.GetSynapses(0).SynapseCount;
                return engine;
            },
            options,
            status,
            new EventSnnMetrics(status),
            new EventSnnOutputs());
        using var stop = new CancellationTokenSource();
        pipeline.Initialize();
        Task run = pipeline.RunAsync(stop.Token);
        int port = WaitForPort(status);
        using var process = Process.GetCurrentProcess();
        TimeSpan cpu0 = process.TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        Task send = Task.Run(() => SendAll(port, wire));
        var deadline = Stopwatch.StartNew();
        while (status.Snapshot().EventsProcessed < count && deadline.Elapsed < TimeSpan.FromMinutes(10))
        {
            Thread.Sleep(1);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        process.Refresh();
        double cpu = (process.TotalProcessorTime - cpu0).TotalSeconds;
        send.GetAwaiter().GetResult();
        stop.Cancel();
        run.GetAwaiter().GetResult();
        pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        StatusSnapshot s = status.Snapshot();
        return new EndToEndResult(count, s.EventsProcessed, s.EventsDropped, seconds, cpu, s.SpikesOut, neurons, synapses / (2.0 * 64 * 64), Execution(clockDt), batchEvents);
    }

    private static int WaitForPort(EventSnnStatus status)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (status.Snapshot().Sources[0].LocalEndPoint is IPEndPoint ep)
            {
                return ep.Port;
            }

            Thread.Sleep(1);
        }

        throw new TimeoutException("the benchmark listener did not bind");
    }

    private static string Execution(SimDuration? clockDt) => clockDt is { } dt ? string.Create(CultureInfo.InvariantCulture, $"clock dt {dt.Ticks / 1000} us") : "event";

    internal static OverloadResult Overload(IngestFullMode mode, int neurons, TimeSpan duration, int batchEvents, SimDuration? clockDt = null)
    {
        NetworkSpec network = Network(neurons, clockDt);
        var options = new EventSnnOptions { InputPopulation = "dvs", OutputPopulation = "hidden", FullMode = mode, ChannelCapacity = 64, BatchEvents = batchEvents };
        options.Sources.Add("generator:");
        var status = new EventSnnStatus();
        var generator = new GeneratorSource();
        var pipeline = new EventSnnPipeline(network, spec => EventSnnEngines.Create(spec), options, status, new EventSnnMetrics(status), new EventSnnOutputs(), null, (_, _) => generator);
        using var stop = new CancellationTokenSource();
        pipeline.Initialize();
        GC.Collect();
        long start = GC.GetTotalMemory(false);
        long peak = start;
        long peakWorkingSet = Environment.WorkingSet;
        Task run = pipeline.RunAsync(stop.Token);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            Thread.Sleep(20);
            peak = Math.Max(peak, GC.GetTotalMemory(false));
            peakWorkingSet = Math.Max(peakWorkingSet, Environment.WorkingSet);
        }

        double seconds = clock.Elapsed.TotalSeconds;
        stop.Cancel();
        run.GetAwaiter().GetResult();
        double drain = clock.Elapsed.TotalSeconds - seconds;
        StatusSnapshot s = status.Snapshot();
        var result = new OverloadResult(
            mode.ToString(), seconds, drain, generator.Offered, s.EventsReceived, s.EventsProcessed, s.EventsDropped,
            s.EventsReceived == s.EventsProcessed + s.EventsDropped,
            pipeline.BatchesCreated, pipeline.MaxBatches, (long)pipeline.MaxBatches * options.BatchEvents * 13, peak, start, peakWorkingSet, Execution(clockDt));
        pipeline.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return result;
    }

    private static void Write(TextWriter output, Report report, bool json)
    {
        if (!json)
        {
            foreach (IngestResult r in report.Ingest)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ingest {r.Format}: {r.Events:N0} events, {r.Bytes:N0} bytes, {r.EventsPerSecond / 1e6:F1} Mev/s wall, {r.EventsPerCpuSecond / 1e6:F1} Mev/s CPU"));
            }

            if (report.EndToEnd is { } e)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"e2e: {e.Processed:N0}/{e.Sent:N0} events into {e.Neurons:N0} neurons ({e.Execution}, fan-out {e.FanOut:F1}, {e.BatchEvents} events per batch), {e.EventsPerSecond / 1e6:F2} Mev/s wall, {e.EventsPerCpuSecond / 1e6:F2} Mev/s CPU, {e.Dropped} dropped, {e.Spikes:N0} spikes"));
            }

            foreach (OverloadResult o in report.Overload)
            {
                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"overload {o.Mode}: {o.Seconds:F1} s (+{o.DrainSeconds:F1} s drain), offered {o.Offered:N0}, processed {o.Processed:N0} ({o.OverloadRatio:F1}x), dropped {o.Dropped:N0}, balanced {o.Balanced}, batches {o.BatchesCreated}/{o.MaxBatches} (bound {o.BatchBoundBytes:N0} B), managed heap {o.StartManagedBytes:N0} B at start, peak {o.PeakManagedBytes:N0} B, peak working set {o.PeakWorkingSetBytes:N0} B ({o.Execution})"));
            }

            return;
        }

        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            w.WriteStartArray("ingest");
            foreach (IngestResult r in report.Ingest)
            {
                w.WriteStartObject();
                w.WriteString("format", r.Format);
                w.WriteNumber("events", r.Events);
                w.WriteNumber("bytes", r.Bytes);
                w.WriteNumber("seconds", Math.Round(r.Seconds, 4));
                w.WriteNumber("mev_per_s", Math.Round(r.EventsPerSecond / 1e6, 2));
                w.WriteNumber("mev_per_cpu_s", Math.Round(r.EventsPerCpuSecond / 1e6, 2));
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (report.EndToEnd is { } e)
            {
                w.WriteStartObject("e2e");
                w.WriteNumber("sent", e.Sent);
                w.WriteNumber("processed", e.Processed);
                w.WriteNumber("dropped", e.Dropped);
                w.WriteNumber("neurons", e.Neurons);
                w.WriteString("execution", e.Execution);
                w.WriteNumber("batch_events", e.BatchEvents);
                w.WriteNumber("fan_out", Math.Round(e.FanOut, 2));
                w.WriteNumber("spikes", e.Spikes);
                w.WriteNumber("seconds", Math.Round(e.Seconds, 4));
                w.WriteNumber("mev_per_s", Math.Round(e.EventsPerSecond / 1e6, 3));
                w.WriteNumber("mev_per_cpu_s", Math.Round(e.EventsPerCpuSecond / 1e6, 3));
                w.WriteEndObject();
            }

            w.WriteStartArray("overload");
            foreach (OverloadResult o in report.Overload)
            {
                w.WriteStartObject();
                w.WriteString("mode", o.Mode);
                w.WriteNumber("seconds", Math.Round(o.Seconds, 2));
                w.WriteNumber("drain_seconds", Math.Round(o.DrainSeconds, 2));
                w.WriteNumber("offered", o.Offered);
                w.WriteNumber("received", o.Received);
                w.WriteNumber("processed", o.Processed);
                w.WriteNumber("dropped", o.Dropped);
                w.WriteBoolean("balanced", o.Balanced);
                w.WriteNumber("overload_ratio", Math.Round(o.OverloadRatio, 2));
                w.WriteNumber("batches_created", o.BatchesCreated);
                w.WriteNumber("max_batches", o.MaxBatches);
                w.WriteNumber("batch_bound_bytes", o.BatchBoundBytes);
                w.WriteNumber("start_managed_bytes", o.StartManagedBytes);
                w.WriteNumber("peak_managed_bytes", o.PeakManagedBytes);
                w.WriteNumber("peak_working_set_bytes", o.PeakWorkingSetBytes);
                w.WriteString("execution", o.Execution);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteBoolean("ok", report.Ok);
            w.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>
    /// An endless in-process source that offers full batches as fast as it can: a pre-drawn block of 64×64 events
    /// copied with advancing times (1 µs apart). <see cref="Offered"/> counts every event it produced.
    /// </summary>
    private sealed class GeneratorSource : IEventSource
    {
        private long _offered;

        public string Name => "generator:";

        public bool IsLive => true;

        public EndPoint? LocalEndPoint => null;

        public long Offered => Interlocked.Read(ref _offered);

        public IEventReader Open(CancellationToken cancellationToken) => new Reader(this, cancellationToken);

        public void Dispose()
        {
        }

        private sealed class Reader : IEventReader
        {
            private readonly GeneratorSource _owner;
            private readonly CancellationToken _cancellation;
            private readonly ushort[] _x = new ushort[1 << 16];
            private readonly ushort[] _y = new ushort[1 << 16];
            private readonly byte[] _p = new byte[1 << 16];
            private long _time;
            private int _cursor;

            public Reader(GeneratorSource owner, CancellationToken cancellation)
            {
                _owner = owner;
                _cancellation = cancellation;
                var rng = new Random(5);
                for (int i = 0; i < _x.Length; i++)
                {
                    _x[i] = (ushort)rng.Next(64);
                    _y[i] = (ushort)rng.Next(64);
                    _p[i] = (byte)rng.Next(2);
                }
            }

            public EventStreamInfo Info { get; } = new(EventFormat.Unknown, new SensorSize(64, 64), "generator", null, "generator:");

            public ReaderDiagnostics Diagnostics { get; } = new();

            public int ReadBatch(EventBatch batch)
            {
                _cancellation.ThrowIfCancellationRequested();
                batch.GetWritableTail(out Span<long> t, out Span<ushort> x, out Span<ushort> y, out Span<byte> p);
                int n = Math.Min(t.Length, _x.Length - _cursor);
                for (int i = 0; i < n; i++)
                {
                    t[i] = _time + i;
                }

                _x.AsSpan(_cursor, n).CopyTo(x);
                _y.AsSpan(_cursor, n).CopyTo(y);
                _p.AsSpan(_cursor, n).CopyTo(p);
                batch.Commit(n);
                _time += n;
                _cursor = (_cursor + n) % _x.Length;
                Interlocked.Add(ref _owner._offered, n);
                return n;
            }

            public void Dispose()
            {
            }
        }
    }
}
