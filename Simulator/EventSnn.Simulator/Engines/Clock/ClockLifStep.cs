using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>The membrane update of one float32 clock LIF kernel, in vector and scalar form (same expression, same order).</summary>
internal interface IClockLifDynamics
{
    /// <summary>The integrated potentials of eight neurons.</summary>
    /// <param name="x">Potentials at the start of the step.</param>
    /// <param name="e">Excitatory synaptic variables at the start of the step.</param>
    /// <param name="g">Inhibitory synaptic variables at the start of the step.</param>
    /// <returns>Potentials at the end of the step (before the threshold test).</returns>
    Vector256<float> Integrate(Vector256<float> x, Vector256<float> e, Vector256<float> g);

    /// <summary>The integrated potential of one neuron.</summary>
    /// <param name="x">Potential at the start of the step.</param>
    /// <param name="e">Excitatory synaptic variable at the start of the step.</param>
    /// <param name="g">Inhibitory synaptic variable at the start of the step.</param>
    /// <returns>Potential at the end of the step (before the threshold test).</returns>
    float Integrate(float x, float e, float g);
}

/// <summary>
/// The step skeleton shared by <see cref="CurrentLifKernel"/> and <see cref="ConductanceLifKernel"/>: synaptic decay
/// by a constant factor, refractory clamp, threshold <c>v &gt; v_thresh</c>, reset and spike collection, as a
/// <see cref="Vector256{T}"/> loop and a scalar tail around the kernel's <see cref="IClockLifDynamics"/>.
/// </summary>
internal static class ClockLifStep
{
    /// <summary>Steps neurons <c>[start, end)</c>.</summary>
    /// <typeparam name="TDyn">The kernel's membrane update.</typeparam>
    /// <param name="vArray">Membrane potentials.</param>
    /// <param name="geArray">Excitatory synaptic variables.</param>
    /// <param name="giArray">Inhibitory synaptic variables.</param>
    /// <param name="refractoryArray">Remaining refractory steps.</param>
    /// <param name="decayE">Per-step factor of the excitatory variable.</param>
    /// <param name="decayI">Per-step factor of the inhibitory variable.</param>
    /// <param name="vt">Threshold.</param>
    /// <param name="vr">Reset potential.</param>
    /// <param name="refSteps">Steps clamped after a spike.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="spiked">Receives spiking indices.</param>
    /// <param name="dyn">The membrane update.</param>
    /// <returns>Spike count.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Run<TDyn>(
        float[] vArray,
        float[] geArray,
        float[] giArray,
        int[] refractoryArray,
        float decayE,
        float decayI,
        float vt,
        float vr,
        int refSteps,
        int start,
        int end,
        Span<int> spiked,
        TDyn dyn)
        where TDyn : struct, IClockLifDynamics
    {
        ref float v = ref MemoryMarshal.GetArrayDataReference(vArray);
        ref float ge = ref MemoryMarshal.GetArrayDataReference(geArray);
        ref float gi = ref MemoryMarshal.GetArrayDataReference(giArray);
        ref int rf = ref MemoryMarshal.GetArrayDataReference(refractoryArray);
        if ((uint)end > (uint)vArray.Length || (uint)end > (uint)geArray.Length || (uint)end > (uint)giArray.Length || (uint)end > (uint)refractoryArray.Length || start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        int n = 0;
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vDe = Vector256.Create(decayE), vDi = Vector256.Create(decayI), vVt = Vector256.Create(vt), vVr = Vector256.Create(vr);
            Vector256<int> vRef = Vector256.Create(refSteps), one = Vector256<int>.One, zero = Vector256<int>.Zero;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint k = (nuint)i;
                Vector256<float> x = Vector256.LoadUnsafe(ref v, k);
                Vector256<float> e = Vector256.LoadUnsafe(ref ge, k);
                Vector256<float> g = Vector256.LoadUnsafe(ref gi, k);
                Vector256<int> r = Vector256.LoadUnsafe(ref rf, k);
                Vector256<float> integrated = dyn.Integrate(x, e, g);
                Vector256<int> refractory = Vector256.GreaterThan(r, zero);
                Vector256<float> next = Vector256.ConditionalSelect(refractory.AsSingle(), x, integrated);
                Vector256<float> spike = Vector256.AndNot(Vector256.GreaterThan(next, vVt), refractory.AsSingle());
                (e * vDe).StoreUnsafe(ref ge, k);
                (g * vDi).StoreUnsafe(ref gi, k);
                Vector256.ConditionalSelect(spike, vVr, next).StoreUnsafe(ref v, k);
                Vector256<int> rNext = Vector256.Max(r - one, zero);
                Vector256.ConditionalSelect(spike.AsInt32(), vRef, rNext).StoreUnsafe(ref rf, k);
                uint mask = spike.ExtractMostSignificantBits();
                while (mask != 0)
                {
                    spiked[n++] = i + BitOperations.TrailingZeroCount(mask);
                    mask &= mask - 1;
                }
            }
        }

        for (; i < end; i++)
        {
            float x = Unsafe.Add(ref v, i);
            float e = Unsafe.Add(ref ge, i);
            float g = Unsafe.Add(ref gi, i);
            int r = Unsafe.Add(ref rf, i);
            Unsafe.Add(ref ge, i) = e * decayE;
            Unsafe.Add(ref gi, i) = g * decayI;
            if (r > 0)
            {
                Unsafe.Add(ref rf, i) = r - 1;
                continue;
            }

            float next = dyn.Integrate(x, e, g);
            if (next > vt)
            {
                Unsafe.Add(ref v, i) = vr;
                Unsafe.Add(ref rf, i) = refSteps;
                spiked[n++] = i;
            }
            else
            {
                Unsafe.Add(ref v, i) = next;
            }
        }

        return n;
    }
}
