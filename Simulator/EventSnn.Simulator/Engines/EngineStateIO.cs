using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.Engines;

/// <summary>
/// The binary framing shared by the engines' saved states: magic number, format version, network fingerprint,
/// length-prefixed arrays, the pending-event block and the end marker. Each engine names its own magic number,
/// version and messages.
/// </summary>
/// <param name="magic">Magic number written first and last.</param>
/// <param name="version">Format version.</param>
/// <param name="stateName">How messages name the state ("state", "clock-engine state").</param>
/// <param name="notThisKind">Message for a bad magic number.</param>
/// <param name="otherNetwork">Message for a fingerprint mismatch.</param>
internal sealed class EngineStateIO(uint magic, int version, string stateName, string notThisKind, string otherNetwork)
{
    /// <summary>Opens a writer on <paramref name="stream"/> (left open) and writes magic number, version and fingerprint.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fingerprint">Writes the network fingerprint.</param>
    /// <returns>The writer; dispose it when done.</returns>
    public BinaryWriter BeginWrite(Stream stream, Action<BinaryWriter> fingerprint)
    {
        var w = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        w.Write(magic);
        w.Write(version);
        fingerprint(w);
        return w;
    }

    /// <summary>Writes the queue's time and pending events, then the end marker.</summary>
    /// <typeparam name="TQueue">The queue type.</typeparam>
    /// <param name="w">The writer.</param>
    /// <param name="queue">The queue.</param>
    public void EndWrite<TQueue>(BinaryWriter w, TQueue queue)
        where TQueue : IEventQueue<EngineEvent>
    {
        var pending = new PendingEvent<EngineEvent>[queue.Count];
        queue.CopyPendingTo(pending);
        w.Write(queue.Now.Ticks);
        w.Write(pending.Length);
        WriteArray<PendingEvent<EngineEvent>>(w, pending);
        w.Write(magic);
    }

    /// <summary>Writes a queue time and pending events (in delivery order), then the end marker.</summary>
    /// <param name="w">The writer.</param>
    /// <param name="queueNow">The queue's time.</param>
    /// <param name="pending">The pending events.</param>
    public void EndWrite(BinaryWriter w, long queueNow, ReadOnlySpan<PendingEvent<EngineEvent>> pending)
    {
        w.Write(queueNow);
        w.Write(pending.Length);
        WriteArray(w, pending);
        w.Write(magic);
    }

    /// <summary>Runs <paramref name="restore"/>, turning a premature end of stream into <see cref="InvalidDataException"/>.</summary>
    /// <param name="restore">The restore body.</param>
    public void Guard(Action restore)
    {
        try
        {
            restore();
        }
        catch (EndOfStreamException ex)
        {
            throw new InvalidDataException($"The saved {stateName} is truncated.", ex);
        }
    }

    /// <summary>Opens a reader on <paramref name="stream"/> (left open) and checks magic number, version and fingerprint.</summary>
    /// <param name="stream">The stream.</param>
    /// <param name="fingerprint">Writes the expected network fingerprint.</param>
    /// <returns>The reader; dispose it when done.</returns>
    public BinaryReader BeginRead(Stream stream, Action<BinaryWriter> fingerprint)
    {
        var r = new BinaryReader(stream, System.Text.Encoding.UTF8, leaveOpen: true);
        if (r.ReadUInt32() != magic)
        {
            throw new InvalidDataException(notThisKind);
        }

        int v = r.ReadInt32();
        if (v != version)
        {
            throw new InvalidDataException($"Unsupported {stateName} format version {v} (expected {version}).");
        }

        using var expected = new MemoryStream();
        using (var fw = new BinaryWriter(expected, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            fingerprint(fw);
        }

        byte[] actual = r.ReadBytes((int)expected.Length);
        if (!actual.AsSpan().SequenceEqual(expected.GetBuffer().AsSpan(0, (int)expected.Length)))
        {
            throw new InvalidDataException(otherNetwork);
        }

        return r;
    }

    /// <summary>Reads the pending-event block written by <see cref="EndWrite"/>, checking each event with <paramref name="fits"/>.</summary>
    /// <param name="r">The reader.</param>
    /// <param name="fits">Whether a pending event fits the engine's network.</param>
    /// <param name="queueNow">The saved queue time.</param>
    /// <returns>The pending events in delivery order.</returns>
    public static PendingEvent<EngineEvent>[] ReadPending(BinaryReader r, Func<PendingEvent<EngineEvent>, bool> fits, out long queueNow)
    {
        Stream stream = r.BaseStream;
        queueNow = r.ReadInt64();
        int count = r.ReadInt32();
        if (count < 0 || (stream.CanSeek && (long)count * Unsafe.SizeOf<PendingEvent<EngineEvent>>() > stream.Length - stream.Position))
        {
            throw new InvalidDataException($"Saved pending-event count {count} is invalid.");
        }

        PendingEvent<EngineEvent>[] pending = ReadArray<PendingEvent<EngineEvent>>(r, count);
        foreach (PendingEvent<EngineEvent> pe in pending)
        {
            if (!fits(pe))
            {
                throw new InvalidDataException($"Saved pending event {pe.Payload} at {pe.Time} does not fit this network.");
            }
        }

        return pending;
    }

    /// <summary>Reads and checks the end marker.</summary>
    /// <param name="r">The reader.</param>
    public void ReadEnd(BinaryReader r)
    {
        if (r.ReadUInt32() != magic)
        {
            throw new InvalidDataException($"The saved {stateName} is corrupt (bad end marker).");
        }
    }

    /// <summary>Replaces the queue's contents with the saved pending events.</summary>
    /// <typeparam name="TQueue">The queue type.</typeparam>
    /// <param name="queue">The queue.</param>
    /// <param name="queueNow">The saved queue time.</param>
    /// <param name="pending">The saved events, in delivery order.</param>
    public static void RestoreQueue<TQueue>(TQueue queue, long queueNow, PendingEvent<EngineEvent>[] pending)
        where TQueue : IEventQueue<EngineEvent>
    {
        try
        {
            queue.Restore(SimTime.FromTicks(queueNow), pending);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidDataException("The saved pending events are not in delivery order.", ex);
        }
    }

    /// <summary>Writes a length-prefixed array of unmanaged values.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="w">The writer.</param>
    /// <param name="data">The values.</param>
    public static void WriteArray<T>(BinaryWriter w, ReadOnlySpan<T> data)
        where T : unmanaged
    {
        w.Write(data.Length);
        w.Write(MemoryMarshal.AsBytes(data));
    }

    /// <summary>Reads an array written by <see cref="WriteArray"/>, requiring <paramref name="expectedLength"/> elements.</summary>
    /// <typeparam name="T">Element type.</typeparam>
    /// <param name="r">The reader.</param>
    /// <param name="expectedLength">The length the network implies.</param>
    /// <returns>The values.</returns>
    public static T[] ReadArray<T>(BinaryReader r, int expectedLength)
        where T : unmanaged
    {
        int n = r.ReadInt32();
        if (n != expectedLength)
        {
            throw new InvalidDataException($"Saved array has {n} elements where {expectedLength} were expected.");
        }

        var a = new T[n];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(a.AsSpan()));
        return a;
    }
}
