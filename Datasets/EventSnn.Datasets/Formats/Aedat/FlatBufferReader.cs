using System.Buffers.Binary;
using EventSnn.Events;

namespace EventSnn.Datasets.Formats.Aedat;

/// <summary>A validated flatbuffer table: its position, its vtable and their sizes.</summary>
internal readonly record struct FlatTable(int Position, int VTable, int VTableSize, int TableSize);

/// <summary>
/// Bounds-checked reading of a flatbuffer without generated code. Every offset and length is checked
/// against the buffer before use; a violation throws <see cref="EventFormatException"/> naming the absolute
/// byte offset. Offsets are computed in 64-bit arithmetic, and the reader never follows more than a fixed
/// number of offsets per value, so a cyclic or self-referencing offset cannot loop.
/// </summary>
internal readonly ref struct FlatBufferReader
{
    private readonly ReadOnlySpan<byte> _buffer;
    private readonly long _baseOffset;
    private readonly string _source;
    private readonly string _what;
    private readonly bool _decompressed;

    /// <param name="buffer">The flatbuffer (root offset at byte 0).</param>
    /// <param name="baseOffset">The absolute stream offset of <paramref name="buffer"/>[0]; for a decompressed buffer, the
    /// stream offset of the compressed packet (errors then name it and the position inside the decompressed data).</param>
    /// <param name="source">The stream name for messages.</param>
    /// <param name="what">What the buffer is (e.g. "IOHeader"), for messages.</param>
    /// <param name="decompressed">Whether the buffer was decompressed (positions are not stream offsets).</param>
    public FlatBufferReader(ReadOnlySpan<byte> buffer, long baseOffset, string source, string what, bool decompressed = false)
    {
        _buffer = buffer;
        _baseOffset = baseOffset;
        _source = source;
        _what = what;
        _decompressed = decompressed;
    }

    public int Length => _buffer.Length;

    /// <summary>The 4-byte file identifier at bytes 4–7, or an empty span when the buffer is too short.</summary>
    public ReadOnlySpan<byte> Identifier => _buffer.Length >= 8 ? _buffer.Slice(4, 4) : default;

    public FlatTable Root()
    {
        if (_buffer.Length < 8)
        {
            throw Error(0, $"{_buffer.Length} bytes is too short for a flatbuffer");
        }

        uint root = BinaryPrimitives.ReadUInt32LittleEndian(_buffer);
        return Table(root, 0);
    }

    /// <summary>Validates the table at <paramref name="position"/> (referenced from <paramref name="from"/>).</summary>
    public FlatTable Table(long position, long from)
    {
        if (position < 0 || position > _buffer.Length - 4L)
        {
            throw Error(from, $"table offset {position} is outside the {_buffer.Length}-byte {_what}");
        }

        int pos = (int)position;
        long vtable = pos - (long)BinaryPrimitives.ReadInt32LittleEndian(_buffer[pos..]);
        if (vtable < 0 || vtable > _buffer.Length - 4L)
        {
            throw Error(pos, $"vtable offset {vtable} is outside the {_buffer.Length}-byte {_what}");
        }

        int vt = (int)vtable;
        int vtSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[vt..]);
        int tableSize = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(vt + 2)..]);
        if (vtSize < 4 || (vtSize & 1) != 0 || vt + (long)vtSize > _buffer.Length)
        {
            throw Error(vt, $"vtable size {vtSize} is invalid");
        }

        if (tableSize < 4 || pos + (long)tableSize > _buffer.Length)
        {
            throw Error(pos, $"table size {tableSize} runs past the {_buffer.Length}-byte {_what}");
        }

        return new FlatTable(pos, vt, vtSize, tableSize);
    }

    /// <summary>The position of field <paramref name="index"/> (of <paramref name="size"/> bytes), or −1 when absent.</summary>
    public int Field(in FlatTable table, int index, int size)
    {
        int slot = 4 + (2 * index);
        if (slot + 2 > table.VTableSize)
        {
            return -1;
        }

        int offset = BinaryPrimitives.ReadUInt16LittleEndian(_buffer[(table.VTable + slot)..]);
        if (offset == 0)
        {
            return -1;
        }

        if (offset < 4 || offset + size > table.TableSize)
        {
            throw Error(table.VTable + slot, $"field {index} at table offset {offset} ({size} bytes) lies outside its {table.TableSize}-byte table");
        }

        return table.Position + offset;
    }

    public int GetInt32(in FlatTable table, int index, int defaultValue)
    {
        int p = Field(table, index, 4);
        return p < 0 ? defaultValue : BinaryPrimitives.ReadInt32LittleEndian(_buffer[p..]);
    }

    public long GetInt64(in FlatTable table, int index, long defaultValue)
    {
        int p = Field(table, index, 8);
        return p < 0 ? defaultValue : BinaryPrimitives.ReadInt64LittleEndian(_buffer[p..]);
    }

    /// <summary>Inline struct field: its position, or −1 when absent.</summary>
    public int Struct(in FlatTable table, int index, int size) => Field(table, index, size);

    /// <summary>Follows the offset field at <paramref name="fieldPosition"/>; the target must leave room for a 4-byte length.</summary>
    public int Deref(int fieldPosition)
    {
        long target = fieldPosition + (long)BinaryPrimitives.ReadUInt32LittleEndian(_buffer[fieldPosition..]);
        if (target > _buffer.Length - 4L)
        {
            throw Error(fieldPosition, $"offset to {target} is outside the {_buffer.Length}-byte {_what}");
        }

        return (int)target;
    }

    /// <summary>A vector field: the position of its first element and its length (0, 0 when absent).</summary>
    public (int Start, int Count) Vector(in FlatTable table, int index, int elementSize)
    {
        int p = Field(table, index, 4);
        if (p < 0)
        {
            return (0, 0);
        }

        int at = Deref(p);
        uint count = BinaryPrimitives.ReadUInt32LittleEndian(_buffer[at..]);
        long bytes = count * (long)elementSize;
        if (bytes > _buffer.Length - (at + 4L))
        {
            throw Error(at, $"vector of {count} x {elementSize} bytes runs past the {_buffer.Length}-byte {_what}");
        }

        return (at + 4, (int)count);
    }

    /// <summary>A string field as bytes (empty when absent).</summary>
    public ReadOnlySpan<byte> String(in FlatTable table, int index)
    {
        var (start, count) = Vector(table, index, 1);
        return _buffer.Slice(start, count);
    }

    public ReadOnlySpan<byte> Slice(int start, int length) => _buffer.Slice(start, length);

    public EventFormatException Error(long position, string problem) => _decompressed
        ? new(_source, _baseOffset, $"{_what}: at decompressed byte {position}: {problem}")
        : new(_source, _baseOffset + position, $"{_what}: {problem}");
}
