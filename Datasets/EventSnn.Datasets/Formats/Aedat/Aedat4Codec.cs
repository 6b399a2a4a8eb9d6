using EventSnn.Events;
using K4os.Compression.LZ4;
using ZstdSharp;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>Packet compression and decompression for AEDAT 4.0, with a bound on the decompressed size.</summary>
internal sealed class Aedat4Codec : IDisposable
{
    private readonly Aedat4Compression _compression;
    private Decompressor? _zstdDecompressor;
    private Compressor? _zstdCompressor;

    public Aedat4Codec(Aedat4Compression compression) => _compression = compression;

    /// <summary>
    /// Decompresses one packet payload into <paramref name="output"/> (grown as needed up to <paramref name="maxOutput"/>)
    /// and returns its length; for <see cref="Aedat4Compression.None"/> returns −1 (use the payload as it is).
    /// </summary>
    public int Decompress(ReadOnlySpan<byte> payload, ref byte[] output, int maxOutput, string sourceName, long offset)
    {
        switch (_compression)
        {
            case Aedat4Compression.None:
                return -1;
            case Aedat4Compression.Lz4:
            case Aedat4Compression.Lz4High:
                return Lz4Frame.Decode(payload, ref output, maxOutput, sourceName, offset);
            default:
                return DecompressZstd(payload, ref output, maxOutput, sourceName, offset);
        }
    }

    /// <summary>Compresses <paramref name="payload"/> into <paramref name="output"/> (grown as needed); returns the length.</summary>
    public int Compress(ReadOnlySpan<byte> payload, ref byte[] output)
    {
        switch (_compression)
        {
            case Aedat4Compression.None:
                Lz4Frame.Grow(ref output, payload.Length, int.MaxValue);
                payload.CopyTo(output);
                return payload.Length;
            case Aedat4Compression.Lz4:
                return Lz4Frame.Encode(payload, ref output, LZ4Level.L00_FAST);
            case Aedat4Compression.Lz4High:
                return Lz4Frame.Encode(payload, ref output, LZ4Level.L09_HC);
            default:
                _zstdCompressor ??= new Compressor(_compression == Aedat4Compression.ZstdHigh ? 19 : 3);
                Lz4Frame.Grow(ref output, Compressor.GetCompressBound(payload.Length), int.MaxValue);
                return _zstdCompressor.Wrap(payload, output);
        }
    }

    public void Dispose()
    {
        _zstdDecompressor?.Dispose();
        _zstdCompressor?.Dispose();
    }

    private int DecompressZstd(ReadOnlySpan<byte> payload, ref byte[] output, int maxOutput, string sourceName, long offset)
    {
        _zstdDecompressor ??= new Decompressor();
        ulong declared;
        try
        {
            declared = Decompressor.GetDecompressedSize(payload);
        }
        catch (ZstdException ex)
        {
            throw new EventFormatException(sourceName, offset, "invalid Zstandard frame header", ex);
        }

        // Unknown (or unreadable) sizes are reported as huge values: then grow from a guess.
        const ulong sizeUnknown = ulong.MaxValue - 2;
        if (declared < sizeUnknown && declared > (ulong)maxOutput)
        {
            throw new EventFormatException(sourceName, offset, $"Zstandard content size {declared} exceeds the {maxOutput}-byte packet limit");
        }

        // Start from the declared size only as far as the compressed size makes plausible, then grow by doubling:
        // memory follows what the frame really decodes to, never more than maxOutput.
        long guess = Math.Max(64L << 10, payload.Length * 16L);
        int size = (int)Math.Min(maxOutput, declared < sizeUnknown ? Math.Min((long)declared, guess) : guess);
        size = Math.Max(1, size);
        while (true)
        {
            Lz4Frame.Grow(ref output, size, maxOutput);
            try
            {
                if (_zstdDecompressor.TryUnwrap(payload, output.AsSpan(0, Math.Min(output.Length, maxOutput)), out int written))
                {
                    return written;
                }
            }
            catch (ZstdException ex)
            {
                throw new EventFormatException(sourceName, offset, $"corrupt Zstandard frame: {ex.Message}", ex);
            }

            if (output.Length >= maxOutput)
            {
                throw Lz4Frame.Bomb(sourceName, offset, maxOutput);
            }

            size = (int)Math.Min(maxOutput, (long)output.Length * 2);
        }
    }
}
