using System.Buffers.Binary;
using System.Text;
using EventSnn.Datasets.Formats;
using EventSnn.Datasets.Formats.Aedat;
using EventSnn.Datasets.Formats.NMnist;
using EventSnn.Datasets.Formats.Prophesee;
using EventSnn.Datasets.Streams;
using EventSnn.Datasets.Tests.Formats.Aedat;
using EventSnn.Datasets.Tests.Formats.Prophesee;
using EventSnn.Events;

namespace EventSnn.Datasets.Tests.Formats;

/// <summary>
/// The contract every event-file reader meets, run against each format the library reads (one derived class per
/// format supplies its files, an encoder and the format's documented counters), as the queue contract suite does for
/// the event queues: generated events round-trip through the writer (the library's where it has one, else an encoder
/// written from the format description); batch, buffer and read sizes do not change the events; truncation at any
/// byte gives the documented format error or a prefix of the events; time is non-decreasing or every step back is
/// counted; re-opening gives the same events, the same info and the same diagnostics; a stated sensor holds every
/// event; a stream cancelled under the reader surfaces as cancellation; diagnostics stay bounded.
/// </summary>
public abstract class ReaderContractTests
{
    /// <summary>The sensor of the generated files.</summary>
    protected static readonly SensorSize GeneratedSensor = new(64, 48);

    /// <summary>The format under test.</summary>
    protected abstract EventFormat Format { get; }

    /// <summary>Real samples (from <c>../shared/data</c>, possibly a prefix) and generated files, by name.</summary>
    protected abstract IEnumerable<(string Name, byte[] Bytes)> Samples();

    /// <summary>
    /// Encodes <paramref name="events"/> (in file order) as this format on <see cref="GeneratedSensor"/>; the library's
    /// writer where one exists. A writer that refuses the input throws <see cref="ArgumentException"/>.
    /// </summary>
    protected abstract byte[] Encode(IReadOnlyList<DvsEvent> events);

    /// <summary>The reader's own count of steps back in time (null: the format documents no such counter).</summary>
    protected virtual long? BackwardStepsCounted(IEventReader reader) => null;

    /// <summary>Whether a stated header sensor is part of the encoded files (else the reader states none, or a default).</summary>
    protected virtual bool EncodesSensor => true;

    /// <summary>A file that makes the reader warn (or drop) once per record, thousands of times; null when the format has no such warning.</summary>
    protected virtual byte[]? WarningStorm() => null;

    /// <summary>The most bytes a read of <paramref name="length"/> input bytes may allocate (the project's bound).</summary>
    protected virtual long AllocationBound(int length) => (1L << 20) + (12L * length);

    /// <summary>Events in time order with ties, both polarities, on <see cref="GeneratedSensor"/>, below 2^23 µs.</summary>
    internal static List<DvsEvent> GeneratedEvents(int count = 3000, int seed = 7)
    {
        var random = new Random(seed);
        var events = new List<DvsEvent>(count);
        long t = 1000;
        for (int i = 0; i < count; i++)
        {
            // A third of the steps are 0 (equal timestamps); a few are long (several EVT 3.0 TIME_HIGH periods).
            int r = random.Next(100);
            t += r < 33 ? 0 : r < 98 ? random.Next(1, 40) : random.Next(4096, 20000);
            events.Add(new DvsEvent(t, (ushort)random.Next(GeneratedSensor.Width), (ushort)random.Next(GeneratedSensor.Height), (byte)random.Next(2)));
        }

        // The sensor's corners, so a stated size is exercised at its edge.
        events.Add(new DvsEvent(t + 1, (ushort)(GeneratedSensor.Width - 1), (ushort)(GeneratedSensor.Height - 1), 1));
        events.Add(new DvsEvent(t + 1, 0, 0, 0));
        return events;
    }

    /// <summary>Every sample and the generated file, for the data-driven tests.</summary>
    private IEnumerable<(string Name, byte[] Bytes)> AllFiles()
    {
        foreach (var sample in Samples())
        {
            yield return sample;
        }

        yield return ("generated", Encode(GeneratedEvents()));
    }

    /// <summary>Opens <paramref name="data"/> as this format, as <see cref="EventFile"/> does.</summary>
    protected IEventReader Open(Stream stream, EventReaderOptions? options = null) => EventFile.Open(stream, Format, options, "contract");

    /// <summary>Everything a read produced: the events, the error (if any) and the diagnostics.</summary>
    internal sealed record Outcome(List<DvsEvent> Events, EventFormatException? Error, string Diagnostics, long? BackwardSteps, EventStreamInfo? Info);

    /// <summary>
    /// Reads everything (or, with <paramref name="maxEvents"/>, stops once that many events are read). Events a failing
    /// <see cref="IEventReader.ReadBatch"/> appended before it threw are kept: they are part of what the reader delivered.
    /// </summary>
    private Outcome Read(Func<IEventReader> open, int batchCapacity, int maxEvents = int.MaxValue)
    {
        var events = new List<DvsEvent>();
        IEventReader? reader = null;
        using var batch = new EventBatch(batchCapacity);
        try
        {
            reader = open();
            long calls = 0;
            while (events.Count < maxEvents)
            {
                batch.Clear();
                int n = reader.ReadBatch(batch);
                if (n == 0)
                {
                    break;
                }

                Assert.Equal(n, batch.Count);
                Collect(batch, events);
                batch.Clear();
                Assert.True(++calls < 10_000_000, "the reader does not progress");
            }

            return new Outcome(events, null, Describe(reader), BackwardStepsCounted(reader), reader.Info);
        }
        catch (EventFormatException ex)
        {
            Collect(batch, events);
            return new Outcome(events, ex, reader is null ? string.Empty : Describe(reader), reader is null ? null : BackwardStepsCounted(reader), reader?.Info);
        }
        finally
        {
            reader?.Dispose();
        }

        static void Collect(EventBatch batch, List<DvsEvent> events)
        {
            for (int i = 0; i < batch.Count; i++)
            {
                events.Add(batch[i]);
            }
        }
    }

    /// <summary>The diagnostics, with the source name (a path or <c>contract</c>) written as <c>SOURCE</c>.</summary>
    private static string Describe(IEventReader reader)
    {
        ReaderDiagnostics d = reader.Diagnostics;
        return $"trailing {d.TrailingBytesIgnored}, skipped {d.SkippedRecords}, dropped {d.DroppedEvents}, warnings {d.WarningCount} ({d.Warnings.Count} kept): {string.Join(" | ", d.Warnings)}"
            .Replace(reader.Info.SourceName, "SOURCE", StringComparison.Ordinal);
    }

    private Outcome ReadBytes(byte[] data, int batchCapacity = 4096, EventReaderOptions? options = null) =>
        Read(() => Open(new MemoryStream(data, 0, data.Length, writable: false, publiclyVisible: true), options), batchCapacity);

    private static void AssertSameEvents(List<DvsEvent> expected, List<DvsEvent> actual, string what)
    {
        Assert.True(expected.Count == actual.Count, $"{what}: {actual.Count} events, expected {expected.Count}");
        for (int i = 0; i < expected.Count; i++)
        {
            if (expected[i] != actual[i])
            {
                Assert.Fail($"{what}: event {i} is {actual[i]}, expected {expected[i]}");
            }
        }
    }

    private static void AssertSameOutcome(Outcome expected, Outcome actual, string what)
    {
        AssertSameEvents(expected.Events, actual.Events, what);
        Assert.Equal(expected.Error?.Message.Replace(expected.Error.SourceName, "SOURCE", StringComparison.Ordinal), actual.Error?.Message.Replace(actual.Error.SourceName, "SOURCE", StringComparison.Ordinal));
        Assert.Equal(expected.Diagnostics, actual.Diagnostics);
        Assert.Equal(expected.BackwardSteps, actual.BackwardSteps);
    }

    [Fact]
    public void Samples_decode_without_error()
    {
        foreach (var (name, bytes) in AllFiles())
        {
            Outcome o = ReadBytes(bytes);
            Assert.True(o.Error is null, $"{name}: {o.Error?.Message}");
            Assert.Equal(Format, o.Info!.Format);
            Assert.Equal("contract", o.Info.SourceName);
        }
    }

    [Fact]
    public void Generated_events_round_trip_through_the_writer()
    {
        foreach (int count in new[] { 0, 1, 3000 })
        {
            List<DvsEvent> events = count == 0 ? [] : GeneratedEvents(count, seed: count);
            Outcome o = ReadBytes(Encode(events));
            Assert.Null(o.Error);
            AssertSameEvents(events, o.Events, $"{count} events");
            if (EncodesSensor)
            {
                Assert.Equal(GeneratedSensor, o.Info!.Sensor);
            }
        }
    }

    [Fact]
    public void Batch_buffer_and_read_sizes_do_not_change_the_events()
    {
        foreach (var (name, bytes) in AllFiles())
        {
            Outcome reference = ReadBytes(bytes, EventBatch.DefaultCapacity);
            Assert.True(reference.Events.Count > 0 || name == "mibblez_header_test_128.aedat", $"{name}: no events");
            foreach (int capacity in new[] { 509, 1 << 20 })
            {
                AssertSameOutcome(reference, ReadBytes(bytes, capacity), $"{name}, in-place, batch {capacity}");
            }

            foreach (int capacity in new[] { 1, 7 })
            {
                // Tiny batches over the first 20,000 events (a vector or packet split across calls).
                const int limit = 20_000;
                Outcome tiny = Read(() => Open(new MemoryStream(bytes, 0, bytes.Length, writable: false, publiclyVisible: true)), capacity, limit);
                Assert.InRange(tiny.Events.Count, Math.Min(limit, reference.Events.Count), reference.Events.Count);
                AssertSameEvents(reference.Events.Take(tiny.Events.Count).ToList(), tiny.Events, $"{name}, batch {capacity}");
            }

            foreach (int bufferSize in new[] { 4096, 4096 + 13 })
            {
                // A stream whose buffer is not visible: the reader copies through its own buffer of this size.
                AssertSameOutcome(
                    reference,
                    Read(() => Open(new MemoryStream(bytes, writable: false), new EventReaderOptions { BufferSize = bufferSize }), 333),
                    $"{name}, buffer {bufferSize}");
            }

            // A forward-only stream returning 1..7 bytes per read.
            AssertSameOutcome(reference, Read(() => Open(new TrickleStream(bytes)), 4096), $"{name}, trickled");
        }
    }

    [Fact]
    public void Truncation_at_any_byte_gives_a_format_error_or_a_prefix()
    {
        foreach (var (name, full) in AllFiles())
        {
            // At most 24 KiB per file (the cuts past that are of the same kind); every byte of the first 320, then
            // about 120 cuts spread over the rest at an odd step (not a multiple of any record size).
            byte[] bytes = full.Length <= 24 * 1024 ? full : full[..(24 * 1024)];
            Outcome reference = ReadBytes(bytes);
            int step = Math.Max(1, ((bytes.Length - 320) / 120) | 1);
            for (int cut = 0; cut < bytes.Length; cut += cut < 320 ? 1 : step)
            {
                byte[] data = bytes[..cut];
                Outcome o = ReadBytes(data, cut % 5 == 0 ? 3 : 1024, new EventReaderOptions { BufferSize = 4096 });
                string what = $"{name} cut at {cut}";
                if (o.Error is EventFormatException ex)
                {
                    Assert.Equal("contract", ex.SourceName);
                    Assert.InRange(ex.Offset, 0, cut);
                    Assert.Contains($"at byte {ex.Offset}", ex.Message, StringComparison.Ordinal);
                }

                Assert.True(o.Events.Count <= reference.Events.Count, $"{what}: {o.Events.Count} events, more than the whole file's {reference.Events.Count}");
                for (int i = 0; i < o.Events.Count; i++)
                {
                    if (o.Events[i] != reference.Events[i])
                    {
                        Assert.Fail($"{what}: event {i} is {o.Events[i]}, the whole file has {reference.Events[i]}");
                    }
                }
            }
        }
    }

    [Fact]
    public void Time_is_non_decreasing_or_each_step_back_is_counted()
    {
        foreach (var (name, bytes) in AllFiles())
        {
            Outcome o = ReadBytes(bytes);
            long back = 0;
            for (int i = 1; i < o.Events.Count; i++)
            {
                back += o.Events[i].T < o.Events[i - 1].T ? 1 : 0;
            }

            Assert.True(back == 0 || back <= o.BackwardSteps, $"{name}: {back} steps back in time, {o.BackwardSteps?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"} counted");
        }
    }

    [Fact]
    public void Events_keep_file_order_and_a_step_back_is_counted_or_refused_by_the_writer()
    {
        List<DvsEvent> events = GeneratedEvents(200);
        events.Insert(100, events[100] with { T = events[99].T - 1 });
        byte[] data;
        try
        {
            data = Encode(events);
        }
        catch (ArgumentException)
        {
            // The format's writer documents non-decreasing input.
            return;
        }

        Outcome o = ReadBytes(data);
        Assert.Null(o.Error);
        AssertSameEvents(events, o.Events, "a file with a step back");
        if (o.BackwardSteps is long counted)
        {
            Assert.True(counted >= 1, "the step back is not counted");
        }
    }

    [Fact]
    public void Reopening_a_file_gives_the_same_events_info_and_diagnostics()
    {
        string dir = Directory.CreateTempSubdirectory("eventsnn-contract-").FullName;
        try
        {
            foreach (var (name, bytes) in AllFiles())
            {
                string path = Path.Combine(dir, name.Replace('/', '_') + ".data");
                File.WriteAllBytes(path, bytes);
                Outcome fromStream = ReadBytes(bytes);
                Outcome first = Read(() => EventFile.Open(path, Format), 4096);
                Outcome again = Read(() => EventFile.Open(path, Format), 999);
                Outcome detected = Read(() => EventFile.Open(path), 4096);
                AssertSameOutcome(fromStream, first, $"{name} from its path");
                AssertSameOutcome(first, again, $"{name} re-opened");
                AssertSameOutcome(first, detected, $"{name} detected");
                Assert.Equal(Format, detected.Info!.Format);
                Assert.Equal(first.Info!.Sensor, again.Info!.Sensor);
                Assert.Equal(first.Info.SensorOrigin, again.Info.SensorOrigin);
                Assert.Equal(first.Info.Notes, again.Info.Notes);

                // The reader owns the file: once disposed, the file can be opened for exclusive writing.
                using (var exclusive = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
                {
                    Assert.True(exclusive.CanWrite);
                }
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Disposing_the_reader_disposes_the_stream_it_was_given_by_EventFile()
    {
        byte[] data = Encode(GeneratedEvents(100));
        var stream = new TrackingStream(data);
        using (IEventReader reader = Open(stream))
        {
            using var batch = new EventBatch(16);
            Assert.True(reader.ReadBatch(batch) > 0);
        }

        Assert.True(stream.Disposed, "EventFile.Open documents that the reader owns and disposes the stream");
    }

    [Fact]
    public void A_stated_sensor_and_the_chosen_sensor_hold_every_event()
    {
        foreach (var (name, bytes) in AllFiles())
        {
            Outcome o = ReadBytes(bytes);
            var extent = default(EventExtent);
            foreach (DvsEvent e in o.Events)
            {
                extent.Add([e.X], [e.Y]);
            }

            if (o.Info!.Sensor is SensorSize stated && o.Info.SensorOrigin == SensorOrigin.File)
            {
                Assert.True(extent.FitsIn(stated), $"{name}: the stated sensor {stated} does not hold x ≤ {extent.MaxX}, y ≤ {extent.MaxY}");
            }

            SensorChoice choice = SensorRules.Choose(o.Info, extent);
            if (o.Events.Count > 0)
            {
                Assert.NotNull(choice.Sensor);
                Assert.True(extent.FitsIn(choice.Sensor.Value), $"{name}: the chosen sensor {choice.Sensor} does not hold every event");
            }
        }
    }

    [Fact]
    public void A_stream_cancelled_under_the_reader_surfaces_as_cancellation()
    {
        byte[] data = Encode(GeneratedEvents());
        foreach (int after in new[] { 0, 3, data.Length / 2 })
        {
            var stream = new TrackingStream(data) { CancelAfter = after };
            Exception? thrown = Record.Exception(() =>
            {
                using IEventReader reader = Open(stream, new EventReaderOptions { BufferSize = 4096 });
                using var batch = new EventBatch(64);
                while (true)
                {
                    batch.Clear();
                    if (reader.ReadBatch(batch) == 0)
                    {
                        break;
                    }
                }
            });
            Assert.IsAssignableFrom<OperationCanceledException>(thrown);
            Assert.True(stream.Disposed, $"cancelled after {after} bytes: the stream was not released");
        }
    }

    [Fact]
    public void A_replay_of_the_file_stops_when_cancelled()
    {
        string dir = Directory.CreateTempSubdirectory("eventsnn-contract-").FullName;
        try
        {
            string path = Path.Combine(dir, "replay.data");
            File.WriteAllBytes(path, Encode(GeneratedEvents()));
            using var cancel = new CancellationTokenSource();
            using var source = ReplaySource.ForFile(EventSourceAddress.Parse($"file:{path}?speed=0"));
            using IEventReader reader = source.Open(cancel.Token);
            using var batch = new EventBatch(100);
            Assert.Equal(100, reader.ReadBatch(batch));
            cancel.Cancel();
            batch.Clear();
            Assert.ThrowsAny<OperationCanceledException>(() => reader.ReadBatch(batch));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Diagnostics_stay_bounded()
    {
        foreach (var (name, bytes) in AllFiles())
        {
            Outcome o = ReadBytes(bytes);
            Assert.True(o.Diagnostics.Split(" | ").Length <= ReaderDiagnostics.MaxKeptWarnings, name);
        }

        if (WarningStorm() is not byte[] storm)
        {
            return;
        }

        long before = GC.GetAllocatedBytesForCurrentThread();
        using (IEventReader reader = Open(new MemoryStream(storm, 0, storm.Length, writable: false, publiclyVisible: true)))
        {
            using var batch = new EventBatch(4096);
            while (true)
            {
                batch.Clear();
                if (reader.ReadBatch(batch) == 0)
                {
                    break;
                }
            }

            ReaderDiagnostics d = reader.Diagnostics;
            long raised = d.WarningCount + d.DroppedEvents + (BackwardStepsCounted(reader) ?? 0);
            Assert.True(raised > 10 * ReaderDiagnostics.MaxKeptWarnings, $"the storm raised only {d.WarningCount} warnings, {d.DroppedEvents} drops and {BackwardStepsCounted(reader)} steps back");
            Assert.InRange(d.Warnings.Count, 0, ReaderDiagnostics.MaxKeptWarnings);
            Assert.True(d.WarningCount >= d.Warnings.Count);
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= AllocationBound(storm.Length), $"the warning storm of {storm.Length} bytes allocated {allocated} bytes");
    }

    /// <summary>A prefix of a shared sample.</summary>
    protected static byte[] Sample(string file, int maxBytes = int.MaxValue)
    {
        byte[] all = SampleData.Bytes(file);
        return all.Length <= maxBytes ? all : all[..maxBytes];
    }

    /// <summary>A seekable in-memory stream that records its disposal and can be cancelled after a number of bytes.</summary>
    private sealed class TrackingStream(byte[] data) : MemoryStream(data, writable: false)
    {
        public bool Disposed { get; private set; }

        public int CancelAfter { get; init; } = int.MaxValue;

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (Position + count > CancelAfter)
            {
                int allowed = (int)Math.Max(0, CancelAfter - Position);
                if (allowed == 0)
                {
                    throw new OperationCanceledException("the read was cancelled");
                }

                count = allowed;
            }

            return base.Read(buffer, offset, count);
        }

        public override int Read(Span<byte> buffer)
        {
            byte[] temp = new byte[buffer.Length];
            int n = Read(temp, 0, temp.Length);
            temp.AsSpan(0, n).CopyTo(buffer);
            return n;
        }

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            base.Dispose(disposing);
        }
    }
}

/// <summary>EVT 2.0: the faery sample and files written by <see cref="EvtWriter"/>.</summary>
public sealed class Evt2ReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Evt2;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() => [("faery_evt2.raw", Sample("faery_evt2.raw", 48 * 1024))];

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events) => Evt(events, EventFormat.Evt2);

    internal static byte[] Evt(IReadOnlyList<DvsEvent> events, EventFormat format)
    {
        using var stream = new MemoryStream();
        using (var writer = new EvtWriter(stream, format, GeneratedSensor))
        {
            using var batch = new EventBatch(Math.Max(1, events.Count));
            foreach (DvsEvent e in events)
            {
                batch.Add(e);
            }

            writer.Write(batch);
        }

        return stream.ToArray();
    }
}

/// <summary>EVT 3.0: the expelliarmus sample (backward TIME_LOW steps) and files written by <see cref="EvtWriter"/>.</summary>
public sealed class Evt3ReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Evt3;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() => [("expelliarmus_evt3_sample.raw", Sample("expelliarmus_evt3_sample.raw", 48 * 1024))];

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events) => Evt2ReaderContractTests.Evt(events, EventFormat.Evt3);

    protected override long? BackwardStepsCounted(IEventReader reader) => ((Evt3Reader)reader).NonMonotonicTimeHigh;

    /// <summary>Vector words after an x base of 2047 on a 64-wide sensor: every vector is dropped and warned about.</summary>
    protected override byte[]? WarningStorm()
    {
        var words = new List<ushort> { 0x8000, 0x0005 };
        for (int i = 0; i < 100_000; i++)
        {
            words.Add(0x37FF);
            words.Add(0x4FFF);
        }

        byte[] header = Encoding.ASCII.GetBytes("% evt 3.0\n% format EVT3;height=48;width=64\n% end\n");
        byte[] data = new byte[header.Length + (2 * words.Count)];
        header.CopyTo(data, 0);
        for (int i = 0; i < words.Count; i++)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(data.AsSpan(header.Length + (2 * i)), words[i]);
        }

        return data;
    }
}

/// <summary>DAT: the N-CARS sample and files encoded from the format description (version 2, Width/Height lines).</summary>
public sealed class DatReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Dat;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() => [("tonic_sample_ncars.dat", Sample("tonic_sample_ncars.dat"))];

    protected override long? BackwardStepsCounted(IEventReader reader) => ((DatReader)reader).NonMonotonicTimestamps;

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events)
    {
        byte[] header = Encoding.ASCII.GetBytes($"% Version 2\n% Width {GeneratedSensor.Width}\n% Height {GeneratedSensor.Height}\n");
        byte[] data = new byte[header.Length + 2 + (8 * events.Count)];
        header.CopyTo(data, 0);
        data[header.Length] = 0x0C;
        data[header.Length + 1] = 8;
        for (int i = 0; i < events.Count; i++)
        {
            DvsEvent e = events[i];
            Span<byte> record = data.AsSpan(header.Length + 2 + (8 * i), 8);
            BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)e.T);
            BinaryPrimitives.WriteUInt32LittleEndian(record[4..], e.X | ((uint)e.Y << 14) | ((uint)e.P << 28));
        }

        return data;
    }

    /// <summary>Timestamps stepping back and forth: every other record is a step back, warned about.</summary>
    protected override byte[]? WarningStorm()
    {
        var events = new List<DvsEvent>();
        for (int i = 0; i < 50_000; i++)
        {
            events.Add(new DvsEvent(i % 2 == 0 ? 1000 : 500, 1, 1, 1));
        }

        return Encode(events);
    }
}

/// <summary>N-MNIST / ATIS 40-bit: the tonic sample and files encoded from the format description (no header, no sensor).</summary>
public sealed class NMnistReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.NMnistBin;

    protected override bool EncodesSensor => false;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() => [("tonic_sample_nmnist.bin", Sample("tonic_sample_nmnist.bin"))];

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events)
    {
        byte[] data = new byte[5 * events.Count];
        for (int i = 0; i < events.Count; i++)
        {
            DvsEvent e = events[i];
            data[5 * i] = (byte)e.X;
            data[(5 * i) + 1] = (byte)e.Y;
            data[(5 * i) + 2] = (byte)((e.P << 7) | (int)((e.T >> 16) & 0x7F));
            data[(5 * i) + 3] = (byte)(e.T >> 8);
            data[(5 * i) + 4] = (byte)e.T;
        }

        return data;
    }
}

/// <summary>AEDAT 2.0: the jAER sample (no AEChip line), the header-only test file, and DVS128 files encoded from the format description.</summary>
public sealed class Aedat2ReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Aedat2;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() =>
        [("jaer_MovingDarkBox.aedat", Sample("jaer_MovingDarkBox.aedat", 48 * 1024)), ("mibblez_header_test_128.aedat", Sample("mibblez_header_test_128.aedat"))];

    protected override long? BackwardStepsCounted(IEventReader reader) => ((Aedat2Reader)reader).BackwardSteps;

    // DVS128 is 128×128, stated by the AEChip line.
    protected override bool EncodesSensor => false;

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events) => Dvs128(events.Select(e => ((uint)((e.Y << 8) | (e.X << 1) | e.P), (int)e.T)).ToList());

    private static byte[] Dvs128(List<(uint Address, int Ts)> records)
    {
        byte[] header = Encoding.ASCII.GetBytes("#!AER-DAT2.0\r\n# This is a raw AE data file\r\n# AEChip: ch.unizh.ini.jaer.chip.retina.DVS128\r\n");
        byte[] data = new byte[header.Length + (8 * records.Count)];
        header.CopyTo(data, 0);
        for (int i = 0; i < records.Count; i++)
        {
            BinaryPrimitives.WriteUInt32BigEndian(data.AsSpan(header.Length + (8 * i)), records[i].Address);
            BinaryPrimitives.WriteInt32BigEndian(data.AsSpan(header.Length + (8 * i) + 4), records[i].Ts);
        }

        return data;
    }

    /// <summary>Records whose addresses use bits 31–16: not DVS128 addresses, every one dropped.</summary>
    protected override byte[]? WarningStorm() => Dvs128(Enumerable.Range(0, 50_000).Select(i => (0x24240000u | (uint)(i & 0xFFFF), i)).ToList());
}

/// <summary>AEDAT 3.1: files encoded from the format description (the library has no AEDAT 3.1 writer and no real sample).</summary>
public sealed class Aedat3ReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Aedat3;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples()
    {
        // The N-MNIST sample's events in packets of 250 with a special packet (a wrap and an external event) between.
        using var reader = NMnistBinReader.Open(SampleData.PathOf("tonic_sample_nmnist.bin"));
        List<DvsEvent> real = AedatTestUtil.ReadAll(reader);
        var writer = new Aedat31FixtureWriter();
        for (int start = 0; start < real.Count; start += 250)
        {
            List<DvsEvent> chunk = real.Skip(start).Take(250).ToList();
            writer.Polarity(1, 0, chunk.Select(e => ((int)e.T, (int)e.X, (int)e.Y, (int)e.P, true)).ToList());
            if (start == 500)
            {
                writer.Special(1, 0, [((int)chunk[^1].T, 0, true), ((int)chunk[^1].T, 2, true)]);
            }
        }

        return [("nmnist-events.aedat3", writer.ToArray())];
    }

    // DVS128 is 128×128, stated by the source line.
    protected override bool EncodesSensor => false;

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events)
    {
        var writer = new Aedat31FixtureWriter();
        for (int start = 0; start < events.Count; start += 97)
        {
            writer.Polarity(1, 0, events.Skip(start).Take(97).Select(e => ((int)e.T, (int)e.X, (int)e.Y, (int)e.P, true)).ToList(), spareCapacity: start % 2);
        }

        return writer.ToArray();
    }

    /// <summary>A special packet of timestamp resets: every one is warned about.</summary>
    protected override byte[]? WarningStorm() =>
        new Aedat31FixtureWriter().Special(1, 0, Enumerable.Range(0, 50_000).Select(i => (i, 1, true)).ToList()).ToArray();
}

/// <summary>AEDAT 4.0: the tonic sample (LZ4, events and IMU) and files written by <see cref="Aedat4Writer"/>, uncompressed, LZ4 and zstd.</summary>
public sealed class Aedat4ReaderContractTests : ReaderContractTests
{
    protected override EventFormat Format => EventFormat.Aedat4;

    protected override IEnumerable<(string Name, byte[] Bytes)> Samples() =>
    [
        ("tonic_sample.aedat4", Sample("tonic_sample.aedat4")),
        ("generated-none.aedat4", Write(GeneratedEvents(2000, 3), Aedat4Compression.None)),
        ("generated-zstd.aedat4", Write(GeneratedEvents(2000, 5), Aedat4Compression.Zstd)),
    ];

    // Decompression may expand a packet up to the packet limit (docs/Formats-AEDAT.md).
    protected override long AllocationBound(int length) => base.AllocationBound(length) + (2L * Aedat4Reader.MaxPacketBytes);

    protected override byte[] Encode(IReadOnlyList<DvsEvent> events) => Write(events, Aedat4Compression.Lz4);

    private static byte[] Write(IReadOnlyList<DvsEvent> events, Aedat4Compression compression)
    {
        using var stream = new MemoryStream();
        using (var writer = new Aedat4Writer(stream, new Aedat4WriterOptions { Sensor = GeneratedSensor, Compression = compression, PacketEvents = 256 }))
        {
            foreach (DvsEvent e in events)
            {
                writer.Write(e);
            }

            writer.Complete();
        }

        return stream.ToArray();
    }
}
