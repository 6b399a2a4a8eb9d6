using System.Numerics;

namespace EventSnn.EventQueue;

/// <summary>
/// Arrays a queue no longer uses, by power-of-two size class, for reuse by the queue's buckets. Unlike a shared pool,
/// it belongs to one queue (no locking) and keeps whatever it is given, so a queue in steady state allocates nothing.
/// </summary>
/// <remarks>
/// Headroom: when no spare fits and an array of at most <see cref="HeadroomMaxLength"/> elements must be allocated,
/// a quarter as many again as the class has allocated so far (at least one) are allocated with it and kept as spares.
/// The demand for small arrays (one per non-empty bucket) fluctuates around a level that a warm-up reaches; without
/// headroom every new record of that fluctuation would allocate, with it a record must exceed the warm-up's peak by a
/// quarter.
/// </remarks>
internal sealed class SpareArrays<T>
{
    /// <summary>The largest array length given headroom.</summary>
    public const int HeadroomMaxLength = 4096;

    private readonly List<T[]>?[] _byClass = new List<T[]>?[32];
    private readonly int[] _allocated = new int[32];

    /// <summary>An array of at least <paramref name="capacity"/> elements (contents unspecified).</summary>
    public T[] Rent(int capacity)
    {
        // Smallest class first, then any larger one: buckets grow (small arrays come back, large ones go out) and
        // empty out (large arrays come back), so taking only the exact class would leave large spares unused while
        // fresh small arrays are allocated for ever. Every spare of class k or above holds at least 2^k elements.
        int first = BitOperations.Log2((uint)capacity);
        List<T[]>? exact = _byClass[first];
        while (exact is { Count: > 0 })
        {
            T[] array = exact[^1];
            exact.RemoveAt(exact.Count - 1);
            if (array.Length >= capacity)
            {
                return array;
            }

            // Shorter than asked (same class, not a power of two): keep it out of the way one class down.
            if (first > 0)
            {
                (_byClass[first - 1] ??= new List<T[]>(16)).Add(array);
            }
        }

        for (int k = first + 1; k < _byClass.Length; k++)
        {
            List<T[]>? spares = _byClass[k];
            if (spares is { Count: > 0 })
            {
                T[] array = spares[^1];
                spares.RemoveAt(spares.Count - 1);
                return array;
            }
        }

        if (capacity <= HeadroomMaxLength)
        {
            int extra = Math.Max(1, _allocated[first] / 4);
            for (int k = 0; k < extra; k++)
            {
                Return(new T[capacity]);
            }

            _allocated[first] += extra;
        }

        _allocated[first]++;
        return new T[capacity];
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="Rent"/>.</summary>
    public void Return(T[] array)
    {
        if (array.Length > 0)
        {
            (_byClass[BitOperations.Log2((uint)array.Length)] ??= new List<T[]>(16)).Add(array);
        }
    }

    /// <summary>Drops every spare array.</summary>
    public void Clear()
    {
        Array.Clear(_byClass);
        Array.Clear(_allocated);
    }

    /// <summary>Grows <paramref name="array"/> to <paramref name="capacity"/> keeping its first <paramref name="count"/> elements; the old array becomes spare.</summary>
    public void Grow(ref T[] array, int count, int capacity)
    {
        T[] bigger = Rent(capacity);
        Array.Copy(array, bigger, count);
        Return(array);
        array = bigger;
    }
}
