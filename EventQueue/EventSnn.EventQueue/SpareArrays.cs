using System.Numerics;

namespace EventSnn.EventQueue;

/// <summary>
/// Arrays a queue no longer uses, by power-of-two size class, for reuse by the queue's buckets. Unlike a shared pool,
/// it belongs to one queue (no locking) and keeps whatever it is given, so a queue in steady state allocates nothing.
/// </summary>
internal sealed class SpareArrays<T>
{
    private readonly List<T[]>?[] _byClass = new List<T[]>?[32];

    /// <summary>An array of at least <paramref name="capacity"/> elements (contents unspecified).</summary>
    public T[] Rent(int capacity)
    {
        List<T[]>? spares = _byClass[BitOperations.Log2((uint)capacity)];
        while (spares is { Count: > 0 })
        {
            T[] array = spares[^1];
            spares.RemoveAt(spares.Count - 1);
            if (array.Length >= capacity)
            {
                return array;
            }
        }

        return new T[capacity];
    }

    /// <summary>Keeps <paramref name="array"/> for a later <see cref="Rent"/>.</summary>
    public void Return(T[] array)
    {
        if (array.Length > 0)
        {
            (_byClass[BitOperations.Log2((uint)array.Length)] ??= []).Add(array);
        }
    }

    /// <summary>Drops every spare array.</summary>
    public void Clear() => Array.Clear(_byClass);

    /// <summary>Grows <paramref name="array"/> to <paramref name="capacity"/> keeping its first <paramref name="count"/> elements; the old array becomes spare.</summary>
    public void Grow(ref T[] array, int count, int capacity)
    {
        T[] bigger = Rent(capacity);
        Array.Copy(array, bigger, count);
        Return(array);
        array = bigger;
    }
}
