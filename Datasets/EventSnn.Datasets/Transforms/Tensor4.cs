namespace EventSnn.Datasets.Transforms;

/// <summary>
/// A dense 4-D array in row-major order (the last dimension varies fastest), used for frames
/// [T, P, H, W], voxel grids and time surfaces. The buffer is reused by <see cref="Reshape"/> when it is large
/// enough, so converting sample after sample into the same tensor stops allocating.
/// </summary>
/// <typeparam name="T">The element type.</typeparam>
public sealed class Tensor4<T>
    where T : unmanaged
{
    private T[] _data = [];

    /// <summary>Creates an empty (0×0×0×0) tensor.</summary>
    public Tensor4()
    {
    }

    /// <summary>Creates a zeroed tensor of the given shape.</summary>
    public Tensor4(int d0, int d1, int d2, int d3) => Reshape(d0, d1, d2, d3);

    /// <summary>Size of the first dimension (frames / time bins).</summary>
    public int D0 { get; private set; }

    /// <summary>Size of the second dimension (polarity channels).</summary>
    public int D1 { get; private set; }

    /// <summary>Size of the third dimension (rows, height).</summary>
    public int D2 { get; private set; }

    /// <summary>Size of the fourth dimension (columns, width).</summary>
    public int D3 { get; private set; }

    /// <summary>The number of elements.</summary>
    public int Length => D0 * D1 * D2 * D3;

    /// <summary>The elements, row-major.</summary>
    public Span<T> Span => _data.AsSpan(0, Length);

    /// <summary>The element at [a, b, c, d].</summary>
    public ref T this[int a, int b, int c, int d]
    {
        get
        {
            if ((uint)a >= (uint)D0 || (uint)b >= (uint)D1 || (uint)c >= (uint)D2 || (uint)d >= (uint)D3)
            {
                throw new ArgumentOutOfRangeException(nameof(a), $"Index [{a},{b},{c},{d}] is outside the {D0}x{D1}x{D2}x{D3} tensor.");
            }

            return ref _data[(((((a * D1) + b) * D2) + c) * D3) + d];
        }
    }

    /// <summary>The elements of the [a] slab (D1·D2·D3 values).</summary>
    public Span<T> Slab(int a)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)a, (uint)D0, nameof(a));
        int n = D1 * D2 * D3;
        return _data.AsSpan(a * n, n);
    }

    /// <summary>Sets the shape and zeroes the elements, growing the buffer only when needed.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A dimension is negative or the total exceeds 2^31 − 1 elements.</exception>
    public void Reshape(int d0, int d1, int d2, int d3)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(d0);
        ArgumentOutOfRangeException.ThrowIfNegative(d1);
        ArgumentOutOfRangeException.ThrowIfNegative(d2);
        ArgumentOutOfRangeException.ThrowIfNegative(d3);
        long n = (long)d0 * d1 * d2 * d3;
        if (n > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(d0), $"A {d0}x{d1}x{d2}x{d3} tensor has {n} elements, more than an array can hold.");
        }

        if (_data.Length < n)
        {
            _data = new T[n];
        }

        D0 = d0;
        D1 = d1;
        D2 = d2;
        D3 = d3;
        Span.Clear();
    }

    /// <summary>Copies the elements into a new array.</summary>
    public T[] ToArray() => Span.ToArray();
}
