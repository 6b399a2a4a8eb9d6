using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EventSnn.Devices;

/// <summary>
/// Vectorised building blocks for dense kernels on the CPU (<see cref="Vector{T}"/> and
/// <see cref="TensorPrimitives"/>). Each has a scalar twin in the tests that it must match exactly.
/// </summary>
public static class DenseMath
{
    /// <summary>Multiplies every element by <paramref name="factor"/> in place (exponential decay by one step).</summary>
    /// <param name="values">The values to scale.</param>
    /// <param name="factor">The factor, e.g. <c>exp(-dt / tau)</c>.</param>
    public static void Scale(Span<float> values, float factor) => TensorPrimitives.Multiply(values, factor, values);

    /// <summary>Computes <c>values[i] = values[i] * factor + addend[i] * weight</c> in place.</summary>
    /// <param name="values">The values to update.</param>
    /// <param name="factor">The factor applied to <paramref name="values"/>.</param>
    /// <param name="addend">The values to add (same length).</param>
    /// <param name="weight">The factor applied to <paramref name="addend"/>.</param>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static void ScaleAdd(Span<float> values, float factor, ReadOnlySpan<float> addend, float weight)
    {
        if (addend.Length != values.Length)
        {
            throw new ArgumentException($"Expected {values.Length} elements, got {addend.Length}.", nameof(addend));
        }

        ref float v = ref MemoryMarshal.GetReference(values);
        ref float a = ref MemoryMarshal.GetReference(addend);
        int i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            var f = new Vector<float>(factor);
            var w = new Vector<float>(weight);
            for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                Vector<float> x = Vector.LoadUnsafe(ref v, (nuint)i);
                Vector<float> y = Vector.LoadUnsafe(ref a, (nuint)i);
                // Separate multiply and add (no fused multiply-add) so the result equals the scalar formula bit for bit.
                (x * f + y * w).StoreUnsafe(ref v, (nuint)i);
            }
        }

        for (; i < values.Length; i++)
        {
            Unsafe.Add(ref v, i) = (Unsafe.Add(ref v, i) * factor) + (Unsafe.Add(ref a, i) * weight);
        }
    }

    /// <summary>
    /// Writes the indices (plus <paramref name="baseIndex"/>) of the elements strictly greater than
    /// <paramref name="threshold"/> to <paramref name="output"/>, in ascending order.
    /// </summary>
    /// <param name="values">The values to test.</param>
    /// <param name="threshold">The threshold.</param>
    /// <param name="baseIndex">Added to every index written (the range start of a chunk).</param>
    /// <param name="output">Room for up to <c>values.Length</c> indices.</param>
    /// <returns>The number of indices written.</returns>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <paramref name="values"/>.</exception>
    public static int CollectGreaterThan(ReadOnlySpan<float> values, float threshold, int baseIndex, Span<int> output)
    {
        if (output.Length < values.Length)
        {
            throw new ArgumentException($"Need room for {values.Length} indices, got {output.Length}.", nameof(output));
        }

        ref float v = ref MemoryMarshal.GetReference(values);
        int n = 0;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> t = Vector256.Create(threshold);
            for (; i <= values.Length - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                uint mask = Vector256.GreaterThan(Vector256.LoadUnsafe(ref v, (nuint)i), t).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    output[n++] = baseIndex + i + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }
        else if (Vector128.IsHardwareAccelerated)
        {
            Vector128<float> t = Vector128.Create(threshold);
            for (; i <= values.Length - Vector128<float>.Count; i += Vector128<float>.Count)
            {
                uint mask = Vector128.GreaterThan(Vector128.LoadUnsafe(ref v, (nuint)i), t).ExtractMostSignificantBits();
                while (mask != 0)
                {
                    output[n++] = baseIndex + i + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }

        for (; i < values.Length; i++)
        {
            if (Unsafe.Add(ref v, i) > threshold)
            {
                output[n++] = baseIndex + i;
            }
        }

        return n;
    }
}
