namespace EventSnn.Devices;

/// <summary>
/// A fixed-length array of <typeparamref name="T"/> that lives on a <see cref="IComputeDevice"/>: one variable
/// (membrane potential, a synaptic current, a trace) of a population stored as a struct of arrays.
/// </summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
public abstract class DeviceBuffer<T> : IDisposable
    where T : unmanaged
{
    /// <summary>Creates the buffer's base state.</summary>
    /// <param name="device">The owning device.</param>
    /// <param name="length">The number of elements.</param>
    protected DeviceBuffer(IComputeDevice device, int length)
    {
        ArgumentNullException.ThrowIfNull(device);
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        Device = device;
        Length = length;
    }

    /// <summary>The device the buffer lives on.</summary>
    public IComputeDevice Device { get; }

    /// <summary>The number of elements.</summary>
    public int Length { get; }

    /// <summary>Copies <paramref name="source"/> (exactly <see cref="Length"/> elements) into the buffer.</summary>
    /// <param name="source">The values to copy in.</param>
    /// <exception cref="ArgumentException"><paramref name="source"/> has a different length.</exception>
    public abstract void CopyFrom(ReadOnlySpan<T> source);

    /// <summary>Copies the buffer into <paramref name="destination"/> (exactly <see cref="Length"/> elements).</summary>
    /// <param name="destination">Receives the values.</param>
    /// <exception cref="ArgumentException"><paramref name="destination"/> has a different length.</exception>
    public abstract void CopyTo(Span<T> destination);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    /// <param name="value">The value to store.</param>
    public abstract void Fill(T value);

    /// <summary>Releases the device memory; the buffer must not be used afterwards.</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the device memory.</summary>
    /// <param name="disposing">Whether the call comes from <see cref="Dispose()"/>.</param>
    protected virtual void Dispose(bool disposing)
    {
    }

    /// <summary>Throws when <paramref name="actual"/> differs from <see cref="Length"/>.</summary>
    /// <param name="actual">The other span's length.</param>
    /// <param name="paramName">The name of the parameter holding the span.</param>
    protected void CheckLength(int actual, string paramName)
    {
        if (actual != Length)
        {
            throw new ArgumentException($"Expected {Length} elements, got {actual}.", paramName);
        }
    }
}

/// <summary>A <see cref="DeviceBuffer{T}"/> in ordinary host memory, used by <see cref="CpuDevice"/>.</summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
public sealed class CpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    internal CpuBuffer(IComputeDevice device, int length)
        : base(device, length)
    {
        Array = length == 0 ? [] : GC.AllocateUninitializedArray<T>(length, pinned: false);
        System.Array.Clear(Array);
    }

    /// <summary>
    /// The backing array (exactly <see cref="DeviceBuffer{T}.Length"/> elements): kernels keep it in a field and
    /// index it directly.
    /// </summary>
    public T[] Array { get; }

    /// <summary>The elements as a span.</summary>
    public Span<T> Span => Array;

    /// <inheritdoc />
    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        CheckLength(source.Length, nameof(source));
        source.CopyTo(Array);
    }

    /// <inheritdoc />
    public override void CopyTo(Span<T> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        Array.CopyTo(destination);
    }

    /// <inheritdoc />
    public override void Fill(T value) => System.Array.Fill(Array, value);
}
