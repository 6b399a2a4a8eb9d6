using System.Buffers.Binary;
using System.IO.Compression;

namespace EventSnn.Datasets.Images;

#pragma warning disable CA1720 // The member names are the IDX specification's element type names.

/// <summary>The element types of the IDX format (third byte of the magic number).</summary>
public enum IdxDataType : byte
{
    /// <summary>Unsigned byte (0x08).</summary>
    UInt8 = 0x08,

    /// <summary>Signed byte (0x09).</summary>
    Int8 = 0x09,

    /// <summary>Big-endian 16-bit integer (0x0B).</summary>
    Int16 = 0x0B,

    /// <summary>Big-endian 32-bit integer (0x0C).</summary>
    Int32 = 0x0C,

    /// <summary>Big-endian IEEE 754 single (0x0D).</summary>
    Float32 = 0x0D,

    /// <summary>Big-endian IEEE 754 double (0x0E).</summary>
    Float64 = 0x0E,
}
#pragma warning restore CA1720

/// <summary>Thrown when an IDX file (or a dataset file) is malformed: the message names the source, the byte offset and the problem.</summary>
public sealed class IdxFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="sourceName">The file or stream name.</param>
    /// <param name="offset">The byte offset of the problem in the (decompressed) data, or −1.</param>
    /// <param name="problem">What was wrong.</param>
    public IdxFormatException(string sourceName, long offset, string problem)
        : base(offset >= 0 ? $"{sourceName}: at byte {offset}: {problem}" : $"{sourceName}: {problem}")
    {
        SourceName = sourceName;
        Offset = offset;
        Problem = problem;
    }

    /// <summary>The file or stream name.</summary>
    public string SourceName { get; }

    /// <summary>The byte offset of the problem, or −1.</summary>
    public long Offset { get; }

    /// <summary>What was wrong.</summary>
    public string Problem { get; }
}

/// <summary>
/// An n-dimensional array read from an IDX file. Elements are stored in the file's row-major order, converted to the
/// machine's byte order, in a typed array (<see cref="Data"/>: byte[], sbyte[], short[], int[], float[] or double[]).
/// </summary>
public sealed class IdxArray
{
    internal IdxArray(IdxDataType dataType, int[] dimensions, Array data)
    {
        DataType = dataType;
        Dimensions = dimensions;
        Data = data;
    }

    /// <summary>The element type.</summary>
    public IdxDataType DataType { get; }

    /// <summary>The dimension sizes, outermost first.</summary>
    public IReadOnlyList<int> Dimensions { get; }

    /// <summary>The number of elements.</summary>
    public long Length => Data.LongLength;

    /// <summary>The elements: byte[], sbyte[], short[], int[], float[] or double[] according to <see cref="DataType"/>.</summary>
    public Array Data { get; }

    /// <summary>The elements as bytes.</summary>
    /// <exception cref="InvalidOperationException">The element type is not <see cref="IdxDataType.UInt8"/>.</exception>
    public byte[] AsBytes() => Data as byte[] ?? throw new InvalidOperationException($"The IDX array holds {DataType}, not UInt8.");

    /// <summary>The element at flat index <paramref name="index"/> as a double.</summary>
    public double GetDouble(long index) => Data switch
    {
        byte[] b => b[index],
        sbyte[] sb => sb[index],
        short[] s => s[index],
        int[] i => i[index],
        float[] f => f[index],
        double[] d => d[index],
        _ => throw new InvalidOperationException("Unknown element storage."),
    };
}

/// <summary>
/// Reads IDX files (the MNIST family's format): magic <c>00 00 TT NN</c> (TT = element type, NN = number of
/// dimensions), NN big-endian 32-bit dimension sizes, then the elements big-endian in row-major order. Gzip-compressed
/// files (starting 1F 8B) are decompressed on the fly.
/// </summary>
/// <remarks>
/// Hostile headers cannot cause large allocations: the element count is checked against a limit before reading, and
/// for uncompressed seekable streams against the remaining length; data are accumulated in chunks as they arrive, so a
/// truncated stream fails with a clear error naming the offset.
/// </remarks>
public static class IdxReader
{
    /// <summary>The default maximum number of elements (2^30).</summary>
    public const long DefaultMaxElements = 1L << 30;

    /// <summary>Reads the IDX file at <paramref name="path"/> (gzip-compressed or not).</summary>
    /// <exception cref="IdxFormatException">The file is malformed.</exception>
    public static IdxArray Read(string path, long maxElements = DefaultMaxElements)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream fs = File.OpenRead(path);
        return Read(fs, path, maxElements);
    }

    /// <summary>Reads an IDX array from <paramref name="stream"/> (gzip-compressed or not).</summary>
    /// <param name="stream">The data.</param>
    /// <param name="sourceName">A name for error messages.</param>
    /// <param name="maxElements">The largest element count accepted.</param>
    /// <exception cref="IdxFormatException">The data are malformed.</exception>
    public static IdxArray Read(Stream stream, string sourceName, long maxElements = DefaultMaxElements)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(sourceName);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxElements, 0);
        byte[] first = new byte[2];
        int got = ReadFully(stream, first);
        Stream input;
        bool compressed = got == 2 && first[0] == 0x1F && first[1] == 0x8B;
        var prefixed = new PrefixedStream(first.AsMemory(0, got), stream);
        input = compressed ? new GZipStream(prefixed, CompressionMode.Decompress, leaveOpen: true) : prefixed;
        try
        {
            return ReadCore(input, sourceName, maxElements, compressed ? null : RemainingLength(stream, got));
        }
        catch (InvalidDataException ex)
        {
            throw new IdxFormatException(sourceName, -1, "the gzip data are corrupt: " + ex.Message);
        }
        finally
        {
            if (compressed)
            {
                input.Dispose();
            }
        }
    }

    private static long? RemainingLength(Stream s, int consumed)
    {
        if (!s.CanSeek)
        {
            return null;
        }

        return s.Length - s.Position + consumed;
    }

    private static IdxArray ReadCore(Stream input, string name, long maxElements, long? totalLength)
    {
        byte[] magic = new byte[4];
        if (ReadFully(input, magic) < 4)
        {
            throw new IdxFormatException(name, 0, "the file is shorter than the 4-byte IDX magic number.");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new IdxFormatException(name, 0, $"not an IDX file: the magic number starts {magic[0]:X2} {magic[1]:X2}, not 00 00.");
        }

        var type = (IdxDataType)magic[2];
        int size = type switch
        {
            IdxDataType.UInt8 or IdxDataType.Int8 => 1,
            IdxDataType.Int16 => 2,
            IdxDataType.Int32 or IdxDataType.Float32 => 4,
            IdxDataType.Float64 => 8,
            _ => throw new IdxFormatException(name, 2, $"unknown IDX element type 0x{magic[2]:X2} (known: 08, 09, 0B, 0C, 0D, 0E)."),
        };

        int ndims = magic[3];
        if (ndims == 0)
        {
            throw new IdxFormatException(name, 3, "the IDX header declares 0 dimensions.");
        }

        byte[] dimBytes = new byte[4 * ndims];
        if (ReadFully(input, dimBytes) < dimBytes.Length)
        {
            throw new IdxFormatException(name, 4, $"the file ends inside the {ndims} dimension sizes.");
        }

        int[] dims = new int[ndims];
        long count = 1;
        for (int i = 0; i < ndims; i++)
        {
            int d = BinaryPrimitives.ReadInt32BigEndian(dimBytes.AsSpan(4 * i));
            if (d < 0)
            {
                throw new IdxFormatException(name, 4 + (4 * i), $"dimension {i} has a negative size ({d}).");
            }

            dims[i] = d;
            if (count != 0 && d > maxElements / Math.Max(1, count))
            {
                throw new IdxFormatException(name, 4 + (4 * i), $"the dimensions ({string.Join('×', dims[..(i + 1)])}...) give more than {maxElements} elements, the limit.");
            }

            count *= d;
        }

        long header = 4 + (4L * ndims);
        long bytes = count * size;
        if (bytes > Array.MaxLength)
        {
            throw new IdxFormatException(name, 4, $"the data would take {bytes} bytes, more than one array can hold.");
        }

        if (totalLength is long total && total - header < bytes)
        {
            throw new IdxFormatException(name, header, $"the header declares {count} elements ({bytes} bytes) but only {total - header} bytes follow.");
        }

        // Accumulate in chunks so a lying header cannot force a large allocation before data arrive.
        byte[] raw = new byte[(int)Math.Min(bytes, 1 << 20)];
        long filled = 0;
        while (filled < bytes)
        {
            if (filled == raw.Length)
            {
                Array.Resize(ref raw, (int)Math.Min(bytes, (long)raw.Length * 2));
            }

            int n = input.Read(raw, (int)filled, raw.Length - (int)filled);
            if (n == 0)
            {
                throw new IdxFormatException(name, header + filled, $"the data end after {filled} of {bytes} bytes ({count} elements of {size} bytes declared).");
            }

            filled += n;
        }

        if (input.ReadByte() >= 0)
        {
            throw new IdxFormatException(name, header + bytes, "unexpected bytes after the last element.");
        }

        Array data = Convert(type, raw, (int)count);
        return new IdxArray(type, dims, data);
    }

    private static Array Convert(IdxDataType type, byte[] raw, int count)
    {
        switch (type)
        {
            case IdxDataType.UInt8:
                return raw;
            case IdxDataType.Int8:
                {
                    sbyte[] r = new sbyte[count];
                    Buffer.BlockCopy(raw, 0, r, 0, count);
                    return r;
                }

            case IdxDataType.Int16:
                {
                    short[] r = new short[count];
                    for (int i = 0; i < count; i++)
                    {
                        r[i] = BinaryPrimitives.ReadInt16BigEndian(raw.AsSpan(2 * i));
                    }

                    return r;
                }

            case IdxDataType.Int32:
                {
                    int[] r = new int[count];
                    for (int i = 0; i < count; i++)
                    {
                        r[i] = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(4 * i));
                    }

                    return r;
                }

            case IdxDataType.Float32:
                {
                    float[] r = new float[count];
                    for (int i = 0; i < count; i++)
                    {
                        r[i] = BinaryPrimitives.ReadSingleBigEndian(raw.AsSpan(4 * i));
                    }

                    return r;
                }

            default:
                {
                    double[] r = new double[count];
                    for (int i = 0; i < count; i++)
                    {
                        r[i] = BinaryPrimitives.ReadDoubleBigEndian(raw.AsSpan(8 * i));
                    }

                    return r;
                }
        }
    }

    private static int ReadFully(Stream s, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = s.Read(buffer[total..]);
            if (n == 0)
            {
                break;
            }

            total += n;
        }

        return total;
    }

    /// <summary>A read-only stream that yields a few already-read bytes, then the rest of an inner stream.</summary>
    private sealed class PrefixedStream(ReadOnlyMemory<byte> prefix, Stream inner) : Stream
    {
        private ReadOnlyMemory<byte> _prefix = prefix;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            if (!_prefix.IsEmpty)
            {
                int n = Math.Min(buffer.Length, _prefix.Length);
                _prefix.Span[..n].CopyTo(buffer);
                _prefix = _prefix[n..];
                return n;
            }

            return inner.Read(buffer);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
