using ILGPU;
using ILGPU.Runtime;

namespace EventSnn.Devices.Ilgpu;

/// <summary>A <see cref="DeviceBuffer{T}"/> in the memory of an <see cref="IlgpuDevice"/>'s accelerator (copies are explicit transfers).</summary>
/// <typeparam name="T">An unmanaged element type.</typeparam>
public sealed class IlgpuBuffer<T> : DeviceBuffer<T>
    where T : unmanaged
{
    private readonly MemoryBuffer1D<T, Stride1D.Dense> _buffer;

    internal IlgpuBuffer(IlgpuDevice device, int length)
        : base(device, length)
    {
        _buffer = device.Accelerator.Allocate1D<T>(Math.Max(1, length));
        _buffer.MemSetToZero();
    }

    /// <summary>The device view (exactly <see cref="DeviceBuffer{T}.Length"/> elements).</summary>
    public ArrayView<T> View => ((ArrayView<T>)_buffer.View).SubView(0, Length);

    /// <inheritdoc/>
    public override void CopyFrom(ReadOnlySpan<T> source)
    {
        CheckLength(source.Length, nameof(source));
        if (Length > 0)
        {
            View.CopyFromCPU(source);
        }
    }

    /// <inheritdoc/>
    public override void CopyTo(Span<T> destination)
    {
        CheckLength(destination.Length, nameof(destination));
        if (Length > 0)
        {
            View.CopyToCPU(destination);
        }
    }

    /// <inheritdoc/>
    public override void Fill(T value)
    {
        if (Length == 0)
        {
            return;
        }

        T[] values = new T[Length];
        Array.Fill(values, value);
        View.CopyFromCPU(values);
    }

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _buffer.Dispose();
        }

        base.Dispose(disposing);
    }
}
