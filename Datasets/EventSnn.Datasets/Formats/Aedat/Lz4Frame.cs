using System.Buffers.Binary;
using System.Numerics;
using EventSnn.Events;
using K4os.Compression.LZ4;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>
/// LZ4 frame format (magic 0x184D2204) over K4os block codec: bounded, allocation-aware decoding of
/// linked or independent blocks, and encoding with independent blocks.
/// </summary>
internal static class Lz4Frame
{
    public const uint Magic = 0x184D2204;
    private const int MaxEncodeBlock = 4 << 20;

    /// <summary>
    /// Decodes every frame in <paramref name="source"/> into <paramref name="output"/> (grown as needed, never beyond
    /// <paramref name="maxOutput"/> bytes). Returns the decoded length.
    /// </summary>
    public static int Decode(ReadOnlySpan<byte> source, ref byte[] output, int maxOutput, string sourceName, long offset)
    {
        int pos = 0;
        int outLength = 0;
        while (pos < source.Length)
        {
            if (source.Length - pos < 7)
            {
                throw new EventFormatException(sourceName, offset + pos, $"LZ4 frame header truncated ({source.Length - pos} bytes)");
            }

            uint magic = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
            if ((magic & 0xFFFF_FFF0) == 0x184D_2A50)
            {
                // Skippable frame.
                long skip = 8L + BinaryPrimitives.ReadUInt32LittleEndian(source[(pos + 4)..]);
                if (skip > source.Length - pos)
                {
                    throw new EventFormatException(sourceName, offset + pos, "LZ4 skippable frame runs past the packet");
                }

                pos += (int)skip;
                continue;
            }

            if (magic != Magic)
            {
                throw new EventFormatException(sourceName, offset + pos, $"not an LZ4 frame (magic 0x{magic:X8})");
            }

            int descriptorStart = pos + 4;
            byte flg = source[descriptorStart];
            byte bd = source[descriptorStart + 1];
            if ((flg >> 6) != 1 || (flg & 0x02) != 0 || (bd & 0x8F) != 0)
            {
                throw new EventFormatException(sourceName, offset + descriptorStart, $"unsupported LZ4 frame descriptor (FLG 0x{flg:X2}, BD 0x{bd:X2})");
            }

            bool independent = (flg & 0x20) != 0;
            bool blockChecksum = (flg & 0x10) != 0;
            bool hasContentSize = (flg & 0x08) != 0;
            bool contentChecksum = (flg & 0x04) != 0;
            bool hasDictionary = (flg & 0x01) != 0;
            int blockMaxId = (bd >> 4) & 7;
            if (blockMaxId < 4)
            {
                throw new EventFormatException(sourceName, offset + descriptorStart + 1, $"invalid LZ4 block maximum size id {blockMaxId}");
            }

            int blockMax = 1 << (8 + (2 * blockMaxId));
            int descriptorLength = 2 + (hasContentSize ? 8 : 0) + (hasDictionary ? 4 : 0);
            if (source.Length - descriptorStart < descriptorLength + 1)
            {
                throw new EventFormatException(sourceName, offset + descriptorStart, "LZ4 frame descriptor truncated");
            }

            if (hasDictionary)
            {
                throw new EventFormatException(sourceName, offset + descriptorStart, "LZ4 frames with a dictionary id are not supported");
            }

            long contentSize = -1;
            if (hasContentSize)
            {
                ulong size = BinaryPrimitives.ReadUInt64LittleEndian(source[(descriptorStart + 2)..]);
                if (size > (ulong)(maxOutput - outLength))
                {
                    throw new EventFormatException(sourceName, offset + descriptorStart + 2, $"LZ4 content size {size} exceeds the {maxOutput}-byte packet limit");
                }

                contentSize = (long)size;
            }

            byte headerChecksum = source[descriptorStart + descriptorLength];
            byte expected = (byte)(XxHash32Small(source.Slice(descriptorStart, descriptorLength)) >> 8);
            if (headerChecksum != expected)
            {
                throw new EventFormatException(sourceName, offset + descriptorStart + descriptorLength, $"LZ4 frame header checksum 0x{headerChecksum:X2} does not match 0x{expected:X2}");
            }

            pos = descriptorStart + descriptorLength + 1;
            int frameStart = outLength;
            if (contentSize >= 0)
            {
                // Pre-size from the header only as far as the compressed bytes can possibly expand.
                Grow(ref output, (int)Math.Min(outLength + contentSize, Math.Min(maxOutput, outLength + MaxExpansion(source.Length - pos))), maxOutput);
            }

            while (true)
            {
                if (source.Length - pos < 4)
                {
                    throw new EventFormatException(sourceName, offset + pos, "LZ4 block header truncated");
                }

                uint word = BinaryPrimitives.ReadUInt32LittleEndian(source[pos..]);
                pos += 4;
                if (word == 0)
                {
                    break;
                }

                bool stored = (word & 0x8000_0000) != 0;
                int size = (int)(word & 0x7FFF_FFFF);
                if (size > blockMax || size > source.Length - pos)
                {
                    throw new EventFormatException(sourceName, offset + pos - 4, $"LZ4 block of {size} bytes exceeds the block maximum ({blockMax}) or the packet");
                }

                ReadOnlySpan<byte> block = source.Slice(pos, size);
                if (stored)
                {
                    if (size > maxOutput - outLength)
                    {
                        throw Bomb(sourceName, offset, maxOutput);
                    }

                    Grow(ref output, outLength + size, maxOutput);
                    block.CopyTo(output.AsSpan(outLength));
                    outLength += size;
                }
                else
                {
                    long bound = contentSize >= 0 ? contentSize - (outLength - frameStart) : blockMax;
                    int room = (int)Math.Min(Math.Min(blockMax, maxOutput - outLength), Math.Min(MaxExpansion(size), Math.Max(0, bound)));
                    Grow(ref output, outLength + room, maxOutput);
                    Span<byte> target = output.AsSpan(outLength, room);
                    int decoded;
                    if (independent || outLength == frameStart)
                    {
                        decoded = LZ4Codec.Decode(block, target);
                    }
                    else
                    {
                        int dictStart = Math.Max(frameStart, outLength - (64 << 10));
                        decoded = LZ4Codec.Decode(block, target, output.AsSpan(dictStart, outLength - dictStart));
                    }

                    if (decoded < 0)
                    {
                        if (room == maxOutput - outLength && room < blockMax && room < bound)
                        {
                            throw Bomb(sourceName, offset, maxOutput);
                        }

                        throw new EventFormatException(sourceName, offset + pos, "corrupt LZ4 block");
                    }

                    outLength += decoded;
                }

                pos += size;
                if (blockChecksum)
                {
                    if (source.Length - pos < 4)
                    {
                        throw new EventFormatException(sourceName, offset + pos, "LZ4 block checksum truncated");
                    }

                    pos += 4;
                }
            }

            if (contentChecksum)
            {
                if (source.Length - pos < 4)
                {
                    throw new EventFormatException(sourceName, offset + pos, "LZ4 content checksum truncated");
                }

                pos += 4;
            }

            if (contentSize >= 0 && outLength - frameStart != contentSize)
            {
                throw new EventFormatException(sourceName, offset + pos, $"LZ4 frame decoded to {outLength - frameStart} bytes, its header says {contentSize}");
            }
        }

        return outLength;
    }

    /// <summary>Encodes <paramref name="source"/> as one LZ4 frame (independent blocks, content size, no checksums).</summary>
    public static int Encode(ReadOnlySpan<byte> source, ref byte[] output, LZ4Level level)
    {
        int blocks = Math.Max(1, (source.Length + MaxEncodeBlock - 1) / MaxEncodeBlock);
        int bound = 15 + (blocks * (4 + LZ4Codec.MaximumOutputSize(Math.Min(source.Length, MaxEncodeBlock)))) + 4;
        if (output.Length < bound)
        {
            output = new byte[bound];
        }

        Span<byte> o = output;
        BinaryPrimitives.WriteUInt32LittleEndian(o, Magic);
        o[4] = 0x68; // version 01, independent blocks, content size present
        o[5] = 0x70; // 4 MiB block maximum
        BinaryPrimitives.WriteUInt64LittleEndian(o[6..], (ulong)source.Length);
        o[14] = (byte)(XxHash32Small(o.Slice(4, 10)) >> 8);
        int pos = 15;
        for (int start = 0; start < source.Length; start += MaxEncodeBlock)
        {
            ReadOnlySpan<byte> block = source.Slice(start, Math.Min(MaxEncodeBlock, source.Length - start));
            int n = LZ4Codec.Encode(block, o[(pos + 4)..], level);
            if (n <= 0 || n >= block.Length)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(o[pos..], 0x8000_0000u | (uint)block.Length);
                block.CopyTo(o[(pos + 4)..]);
                n = block.Length;
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(o[pos..], (uint)n);
            }

            pos += 4 + n;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(o[pos..], 0);
        return pos + 4;
    }

    /// <summary>xxHash32 (seed 0) of fewer than 16 bytes: enough for LZ4 frame descriptors.</summary>
    internal static uint XxHash32Small(ReadOnlySpan<byte> data)
    {
        const uint prime1 = 2654435761U;
        const uint prime2 = 2246822519U;
        const uint prime3 = 3266489917U;
        const uint prime4 = 668265263U;
        const uint prime5 = 374761393U;
        if (data.Length >= 16)
        {
            throw new ArgumentOutOfRangeException(nameof(data));
        }

        uint h = prime5 + (uint)data.Length;
        int i = 0;
        for (; i + 4 <= data.Length; i += 4)
        {
            h += BinaryPrimitives.ReadUInt32LittleEndian(data[i..]) * prime3;
            h = BitOperations.RotateLeft(h, 17) * prime4;
        }

        for (; i < data.Length; i++)
        {
            h += data[i] * prime5;
            h = BitOperations.RotateLeft(h, 11) * prime1;
        }

        h ^= h >> 15;
        h *= prime2;
        h ^= h >> 13;
        h *= prime3;
        h ^= h >> 16;
        return h;
    }

    /// <summary>An upper bound of what <paramref name="compressed"/> LZ4 bytes can decode to (a match length byte adds at most 255).</summary>
    private static long MaxExpansion(long compressed) => (256 * compressed) + 64;

    internal static void Grow(ref byte[] buffer, int needed, int max)
    {
        if (buffer.Length >= needed)
        {
            return;
        }

        int size = (int)Math.Min(max, Math.Max(needed, Math.Min((long)buffer.Length * 2, int.MaxValue)));
        Array.Resize(ref buffer, Math.Max(size, needed));
    }

    internal static EventFormatException Bomb(string sourceName, long offset, int maxOutput) =>
        new(sourceName, offset, $"packet decompresses to more than the {maxOutput}-byte limit");
}
