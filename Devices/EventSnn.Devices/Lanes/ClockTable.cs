using System.Runtime.CompilerServices;

namespace EventSnn.Devices.Lanes;

/// <summary>
/// A read-only table of float32 values that a model step reads by index (for example the non-uniform levels of a state
/// quantiser), held by its address so that model structs stay blittable and can be GPU kernel arguments.
/// </summary>
/// <remarks>
/// <para>On the host a table lives in pinned memory that is never moved or freed (<see cref="Pin"/> interns equal
/// contents, so a process holds one copy per distinct table). A device that keeps populations resident copies the table
/// into its own memory and gives the model a table with the device's address
/// (<see cref="IClockTables{TSelf}.WithTable"/>): the same model source then reads the device copy.</para>
/// <para>Reads are not bounds-checked: a model indexes only within <see cref="Count"/>.</para>
/// </remarks>
public readonly struct ClockTable : IEquatable<ClockTable>
{
    private static readonly List<float[]> s_pinned = [];

    /// <summary>Creates a table from an address and a length.</summary>
    /// <param name="address">The address of the first value (host or device memory, as the device that runs the step sees it).</param>
    /// <param name="count">The number of values.</param>
    public ClockTable(ulong address, int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Address = address;
        Count = count;
    }

    /// <summary>The address of the first value.</summary>
    public ulong Address { get; }

    /// <summary>The number of values (0 for no table).</summary>
    public int Count { get; }

    /// <summary>Value <paramref name="index"/> (not bounds-checked).</summary>
    /// <param name="index">An index in [0, <see cref="Count"/>).</param>
    public unsafe float this[int index]
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        get => ((float*)Address)[index];
    }

    /// <summary>
    /// A host table holding <paramref name="values"/>: pinned, never freed, and shared by every call with the same values.
    /// </summary>
    /// <param name="values">The values (at least one).</param>
    /// <returns>The table.</returns>
    public static unsafe ClockTable Pin(ReadOnlySpan<float> values)
    {
        if (values.IsEmpty)
        {
            throw new ArgumentException("A table needs at least one value.", nameof(values));
        }

        lock (s_pinned)
        {
            foreach (float[] p in s_pinned)
            {
                if (values.SequenceEqual(p))
                {
                    return new((ulong)Unsafe.AsPointer(ref p[0]), p.Length);
                }
            }

            float[] copy = GC.AllocateUninitializedArray<float>(values.Length, pinned: true);
            values.CopyTo(copy);
            s_pinned.Add(copy);
            return new((ulong)Unsafe.AsPointer(ref copy[0]), copy.Length);
        }
    }

    /// <summary>The values of a host table (<see cref="Pin"/>); empty for no table.</summary>
    /// <returns>A copy of the values.</returns>
    public unsafe float[] ToArray() => Count == 0 ? [] : new ReadOnlySpan<float>((void*)Address, Count).ToArray();

    /// <inheritdoc/>
    public bool Equals(ClockTable other) => Address == other.Address && Count == other.Count;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is ClockTable t && Equals(t);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Address, Count);

    /// <summary>Equality of address and length.</summary>
    /// <param name="left">A table.</param>
    /// <param name="right">Another table.</param>
    public static bool operator ==(ClockTable left, ClockTable right) => left.Equals(right);

    /// <summary>Inequality of address or length.</summary>
    /// <param name="left">A table.</param>
    /// <param name="right">Another table.</param>
    public static bool operator !=(ClockTable left, ClockTable right) => !left.Equals(right);
}

/// <summary>
/// A model whose step reads a <see cref="ClockTable"/>: a device that keeps populations resident copies the table into its
/// memory and steps the model returned by <see cref="WithTable"/>.
/// </summary>
/// <typeparam name="TSelf">The model.</typeparam>
public interface IClockTables<TSelf>
    where TSelf : struct
{
    /// <summary>The model's table on the host (<c>Count</c> 0 when the model reads none).</summary>
    ClockTable Table { get; }

    /// <summary>The same model reading <paramref name="table"/> (a copy of <see cref="Table"/> elsewhere) instead.</summary>
    /// <param name="table">The table, with the same values as <see cref="Table"/>.</param>
    /// <returns>The model.</returns>
    TSelf WithTable(ClockTable table);
}
