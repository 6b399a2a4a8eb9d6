using System.Buffers.Binary;

namespace EventSnn.Hosting;

/// <summary>
/// The checkpoint file: an 8-byte tag <c>ESNCKPT1</c>, the time base (has-base flag, base µs, base tick, latest tick),
/// then the engine's <c>Save</c> bytes (length-prefixed). Written to a temporary file and moved over the old one, so a
/// crash mid-write leaves the previous checkpoint intact.
/// </summary>
internal static class Checkpoint
{
    private static readonly byte[] s_tag = "ESNCKPT1"u8.ToArray();
    private const int HeaderBytes = 8 + 1 + 8 + 8 + 8 + 8;

    public static void Save(string path, NetworkRunner runner)
    {
        using var engineState = new MemoryStream();
        runner.Engine.Save(engineState);
        byte[] header = new byte[HeaderBytes];
        s_tag.CopyTo(header, 0);
        header[8] = runner.HasBase ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(9), runner.BaseMicroseconds);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(17), runner.BaseTick);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(25), runner.LatestTick);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(33), engineState.Length);
        string full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        string temp = full + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(header);
            engineState.Position = 0;
            engineState.CopyTo(file);
            file.Flush(flushToDisk: true);
        }

        File.Move(temp, full, overwrite: true);
    }

    /// <summary>Restores a checkpoint into a freshly built runner.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint, is truncated, or belongs to another network or engine.</exception>
    public static void Restore(string path, NetworkRunner runner)
    {
        byte[] bytes = File.ReadAllBytes(path);
        if (bytes.Length < HeaderBytes || !bytes.AsSpan(0, 8).SequenceEqual(s_tag))
        {
            throw new InvalidDataException($"checkpoint '{path}' is not an EventSnn hosting checkpoint (expected tag ESNCKPT1)");
        }

        long length = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(33));
        if (length != bytes.Length - HeaderBytes)
        {
            throw new InvalidDataException($"checkpoint '{path}' is truncated: {bytes.Length - HeaderBytes} engine bytes, {length} declared");
        }

        using var engineState = new MemoryStream(bytes, HeaderBytes, (int)length, writable: false);
        try
        {
            runner.Engine.Restore(engineState);
        }
        catch (InvalidDataException ex)
        {
            throw new InvalidDataException($"checkpoint '{path}': {ex.Message}", ex);
        }

        runner.SetTimeBase(
            bytes[8] != 0,
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(9)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(17)),
            BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(25)));
    }
}
