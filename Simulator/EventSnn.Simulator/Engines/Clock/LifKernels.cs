using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSnn.Devices;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// One fixed-dt step of a leaky integrate-and-fire population with exponentially decaying excitatory and
/// inhibitory synaptic <b>currents</b> (Brette et al. 2007 benchmark 2, "CUBA"), integrated exactly:
/// <c>v' = El + (v − El)·Pm + ge·Ae + gi·Ai</c>, <c>ge' = ge·Pe</c>, <c>gi' = gi·Pi</c>, with the propagators of
/// <see cref="CurrentLifParameters"/>. State is float32, struct of arrays.
/// </summary>
/// <remarks>
/// Refractoriness: a neuron that spikes at the end of step n keeps <c>v = v_reset</c> (not integrated, cannot spike)
/// for the next <see cref="CurrentLifParameters.RefractorySteps"/> steps; its synaptic currents keep decaying.
/// Threshold test: <c>v &gt; v_thresh</c> after the update. The vector path and the scalar tail evaluate the same
/// float expression in the same order (no fused multiply-add), so results do not depend on the SIMD width.
/// </remarks>
internal struct CurrentLifKernel : IStepKernel
{
    /// <summary>Membrane potentials (mV).</summary>
    public float[] V;

    /// <summary>Excitatory synaptic currents, in mV (as in the benchmark equations).</summary>
    public float[] Ge;

    /// <summary>Inhibitory synaptic currents, in mV.</summary>
    public float[] Gi;

    /// <summary>Remaining refractory steps per neuron.</summary>
    public int[] Refractory;

    /// <summary>Precomputed propagators and constants.</summary>
    public CurrentLifParameters P;

    /// <inheritdoc />
    public readonly int Step(int step, int start, int end, Span<int> spiked)
    {
        ref float v = ref MemoryMarshal.GetArrayDataReference(V);
        ref float ge = ref MemoryMarshal.GetArrayDataReference(Ge);
        ref float gi = ref MemoryMarshal.GetArrayDataReference(Gi);
        ref int rf = ref MemoryMarshal.GetArrayDataReference(Refractory);
        if ((uint)end > (uint)V.Length || (uint)end > (uint)Ge.Length || (uint)end > (uint)Gi.Length || (uint)end > (uint)Refractory.Length || start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        float el = P.El, pm = P.Pm, ae = P.Ae, ai = P.Ai, pe = P.Pe, pi = P.Pi, vt = P.VThresh, vr = P.VReset;
        int refSteps = P.RefractorySteps;
        int n = 0;
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vEl = Vector256.Create(el), vPm = Vector256.Create(pm), vAe = Vector256.Create(ae), vAi = Vector256.Create(ai);
            Vector256<float> vPe = Vector256.Create(pe), vPi = Vector256.Create(pi), vVt = Vector256.Create(vt), vVr = Vector256.Create(vr);
            Vector256<int> vRef = Vector256.Create(refSteps), one = Vector256<int>.One, zero = Vector256<int>.Zero;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint k = (nuint)i;
                Vector256<float> x = Vector256.LoadUnsafe(ref v, k);
                Vector256<float> e = Vector256.LoadUnsafe(ref ge, k);
                Vector256<float> g = Vector256.LoadUnsafe(ref gi, k);
                Vector256<int> r = Vector256.LoadUnsafe(ref rf, k);
                Vector256<float> integrated = vEl + ((x - vEl) * vPm) + (e * vAe) + (g * vAi);
                Vector256<int> refractory = Vector256.GreaterThan(r, zero);
                Vector256<float> next = Vector256.ConditionalSelect(refractory.AsSingle(), x, integrated);
                Vector256<float> spike = Vector256.AndNot(Vector256.GreaterThan(next, vVt), refractory.AsSingle());
                (e * vPe).StoreUnsafe(ref ge, k);
                (g * vPi).StoreUnsafe(ref gi, k);
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
            Unsafe.Add(ref ge, i) = e * pe;
            Unsafe.Add(ref gi, i) = g * pi;
            if (r > 0)
            {
                Unsafe.Add(ref rf, i) = r - 1;
                continue;
            }

            float next = el + ((x - el) * pm) + (e * ae) + (g * ai);
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

/// <summary>Parameters and exact propagators of <see cref="CurrentLifKernel"/> for one dt.</summary>
public readonly record struct CurrentLifParameters
{
    /// <summary>Computes the propagators.</summary>
    /// <param name="dtMs">The step in ms (positive).</param>
    /// <param name="tauM">Membrane time constant (ms, positive).</param>
    /// <param name="tauE">Excitatory current time constant (ms, positive, different from <paramref name="tauM"/>).</param>
    /// <param name="tauI">Inhibitory current time constant (ms, positive, different from <paramref name="tauM"/>).</param>
    /// <param name="el">Resting potential (mV).</param>
    /// <param name="vThresh">Threshold (mV).</param>
    /// <param name="vReset">Reset potential (mV).</param>
    /// <param name="refractoryMs">Refractory period (ms, 0 or more); converted to <see cref="RefractorySteps"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public CurrentLifParameters(double dtMs, double tauM, double tauE, double tauI, double el, double vThresh, double vReset, double refractoryMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dtMs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauM, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauE, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauI, 0);
        ArgumentOutOfRangeException.ThrowIfNegative(refractoryMs);
        if (tauE == tauM || tauI == tauM)
        {
            throw new ArgumentOutOfRangeException(nameof(tauE), "Synaptic time constants must differ from tau_m (the propagator divides by their difference).");
        }

        El = (float)el;
        VThresh = (float)vThresh;
        VReset = (float)vReset;
        double em = Math.Exp(-dtMs / tauM);
        double ee = Math.Exp(-dtMs / tauE);
        double ei = Math.Exp(-dtMs / tauI);
        Pm = (float)em;
        Pe = (float)ee;
        Pi = (float)ei;
        Ae = (float)(tauE / (tauE - tauM) * (ee - em));
        Ai = (float)(tauI / (tauI - tauM) * (ei - em));
        RefractorySteps = ClockRefractory.Steps(refractoryMs, dtMs);
    }

    /// <summary>Resting potential (mV).</summary>
    public float El { get; }

    /// <summary>Threshold (mV).</summary>
    public float VThresh { get; }

    /// <summary>Reset potential (mV).</summary>
    public float VReset { get; }

    /// <summary><c>exp(−dt/τm)</c>.</summary>
    public float Pm { get; }

    /// <summary><c>exp(−dt/τe)</c>.</summary>
    public float Pe { get; }

    /// <summary><c>exp(−dt/τi)</c>.</summary>
    public float Pi { get; }

    /// <summary>Contribution of <c>ge</c> to <c>v</c> over one step: <c>τe/(τe−τm)·(exp(−dt/τe) − exp(−dt/τm))</c>.</summary>
    public float Ae { get; }

    /// <summary>Contribution of <c>gi</c> to <c>v</c> over one step.</summary>
    public float Ai { get; }

    /// <summary>Steps a neuron stays clamped after the step in which it spiked.</summary>
    public int RefractorySteps { get; }
}

/// <summary>
/// One fixed-dt step of a leaky integrate-and-fire population with exponentially decaying excitatory and
/// inhibitory <b>conductances</b> (Brette et al. 2007 benchmark 1, "COBA", in the form of the Brian2 COBA benchmark:
/// conductances in units of the leak conductance), forward Euler as in that benchmark:
/// <c>v' = v + dt/τm·(ge·(Ee − v) + gi·(Ei − v) − (v − El) + I)</c>, <c>ge' = ge·(1 − dt/τe)</c>, <c>gi' = gi·(1 − dt/τi)</c>.
/// </summary>
/// <remarks>Refractoriness and threshold as in <see cref="CurrentLifKernel"/>.</remarks>
internal struct ConductanceLifKernel : IStepKernel
{
    /// <summary>Membrane potentials (mV).</summary>
    public float[] V;

    /// <summary>Excitatory conductances (units of the leak conductance).</summary>
    public float[] Ge;

    /// <summary>Inhibitory conductances (units of the leak conductance).</summary>
    public float[] Gi;

    /// <summary>Remaining refractory steps per neuron.</summary>
    public int[] Refractory;

    /// <summary>Constants.</summary>
    public ConductanceLifParameters P;

    /// <inheritdoc />
    public readonly int Step(int step, int start, int end, Span<int> spiked)
    {
        ref float v = ref MemoryMarshal.GetArrayDataReference(V);
        ref float ge = ref MemoryMarshal.GetArrayDataReference(Ge);
        ref float gi = ref MemoryMarshal.GetArrayDataReference(Gi);
        ref int rf = ref MemoryMarshal.GetArrayDataReference(Refractory);
        if ((uint)end > (uint)V.Length || (uint)end > (uint)Ge.Length || (uint)end > (uint)Gi.Length || (uint)end > (uint)Refractory.Length || start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        float el = P.El, ee = P.Ee, ei = P.Ei, drive = P.Drive, k = P.DtOverTauM, de = P.DecayE, di = P.DecayI, vt = P.VThresh, vr = P.VReset;
        int refSteps = P.RefractorySteps;
        int n = 0;
        int i = start;
        if (Vector256.IsHardwareAccelerated)
        {
            Vector256<float> vEl = Vector256.Create(el), vEe = Vector256.Create(ee), vEi = Vector256.Create(ei), vI = Vector256.Create(drive);
            Vector256<float> vK = Vector256.Create(k), vDe = Vector256.Create(de), vDi = Vector256.Create(di), vVt = Vector256.Create(vt), vVr = Vector256.Create(vr);
            Vector256<int> vRef = Vector256.Create(refSteps), one = Vector256<int>.One, zero = Vector256<int>.Zero;
            for (; i <= end - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                nuint j = (nuint)i;
                Vector256<float> x = Vector256.LoadUnsafe(ref v, j);
                Vector256<float> e = Vector256.LoadUnsafe(ref ge, j);
                Vector256<float> g = Vector256.LoadUnsafe(ref gi, j);
                Vector256<int> r = Vector256.LoadUnsafe(ref rf, j);
                Vector256<float> integrated = x + (vK * ((e * (vEe - x)) + (g * (vEi - x)) - (x - vEl) + vI));
                Vector256<int> refractory = Vector256.GreaterThan(r, zero);
                Vector256<float> next = Vector256.ConditionalSelect(refractory.AsSingle(), x, integrated);
                Vector256<float> spike = Vector256.AndNot(Vector256.GreaterThan(next, vVt), refractory.AsSingle());
                (e * vDe).StoreUnsafe(ref ge, j);
                (g * vDi).StoreUnsafe(ref gi, j);
                Vector256.ConditionalSelect(spike, vVr, next).StoreUnsafe(ref v, j);
                Vector256<int> rNext = Vector256.Max(r - one, zero);
                Vector256.ConditionalSelect(spike.AsInt32(), vRef, rNext).StoreUnsafe(ref rf, j);
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
            Unsafe.Add(ref ge, i) = e * de;
            Unsafe.Add(ref gi, i) = g * di;
            if (r > 0)
            {
                Unsafe.Add(ref rf, i) = r - 1;
                continue;
            }

            float next = x + (k * ((e * (ee - x)) + (g * (ei - x)) - (x - el) + drive));
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

/// <summary>Constants of <see cref="ConductanceLifKernel"/> for one dt.</summary>
public readonly record struct ConductanceLifParameters
{
    /// <summary>Computes the constants.</summary>
    /// <param name="dtMs">The step in ms (positive, less than every time constant).</param>
    /// <param name="tauM">Membrane time constant (ms).</param>
    /// <param name="tauE">Excitatory conductance time constant (ms).</param>
    /// <param name="tauI">Inhibitory conductance time constant (ms).</param>
    /// <param name="el">Leak reversal potential (mV).</param>
    /// <param name="ee">Excitatory reversal potential (mV).</param>
    /// <param name="ei">Inhibitory reversal potential (mV).</param>
    /// <param name="drive">Constant drive <c>I</c> (mV: current times leak resistance).</param>
    /// <param name="vThresh">Threshold (mV).</param>
    /// <param name="vReset">Reset potential (mV).</param>
    /// <param name="refractoryMs">Refractory period (ms, 0 or more).</param>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (Euler needs dt below every time constant).</exception>
    public ConductanceLifParameters(double dtMs, double tauM, double tauE, double tauI, double el, double ee, double ei, double drive, double vThresh, double vReset, double refractoryMs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dtMs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauM, dtMs);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauE, dtMs);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(tauI, dtMs);
        ArgumentOutOfRangeException.ThrowIfNegative(refractoryMs);
        El = (float)el;
        Ee = (float)ee;
        Ei = (float)ei;
        Drive = (float)drive;
        VThresh = (float)vThresh;
        VReset = (float)vReset;
        DtOverTauM = (float)(dtMs / tauM);
        DecayE = (float)(1 - (dtMs / tauE));
        DecayI = (float)(1 - (dtMs / tauI));
        RefractorySteps = ClockRefractory.Steps(refractoryMs, dtMs);
    }

    /// <summary>Leak reversal potential (mV).</summary>
    public float El { get; }

    /// <summary>Excitatory reversal potential (mV).</summary>
    public float Ee { get; }

    /// <summary>Inhibitory reversal potential (mV).</summary>
    public float Ei { get; }

    /// <summary>Constant drive (mV).</summary>
    public float Drive { get; }

    /// <summary>Threshold (mV).</summary>
    public float VThresh { get; }

    /// <summary>Reset potential (mV).</summary>
    public float VReset { get; }

    /// <summary><c>dt/τm</c>.</summary>
    public float DtOverTauM { get; }

    /// <summary><c>1 − dt/τe</c> (Euler decay of ge).</summary>
    public float DecayE { get; }

    /// <summary><c>1 − dt/τi</c>.</summary>
    public float DecayI { get; }

    /// <summary>Steps a neuron stays clamped after the step in which it spiked.</summary>
    public int RefractorySteps { get; }
}

/// <summary>Conversion of a refractory period to clamped steps.</summary>
public static class ClockRefractory
{
    /// <summary>
    /// The number of steps a neuron is clamped after the step in which it spiked: <c>round(refractory/dt)</c> (halves round up).
    /// The clock engine stamps a spike at the end of the step that crossed threshold, so the neuron is clamped
    /// for exactly the refractory period after its spike time and integrates again from <c>spike + refractory</c>.
    /// (Brian2 stamps spikes at the start of that step and resumes at the same grid time minus one step; the rate
    /// difference is about dt / ISI, 0.2 % for COBA.)
    /// </summary>
    /// <param name="refractoryMs">The refractory period (ms, 0 or more).</param>
    /// <param name="dtMs">The step (ms, positive).</param>
    /// <returns>The number of clamped steps.</returns>
    public static int Steps(double refractoryMs, double dtMs)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(refractoryMs);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(dtMs, 0);
        double steps = Math.Round(refractoryMs / dtMs, MidpointRounding.AwayFromZero);
        if (steps > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(refractoryMs), "The refractory period is too long for this dt.");
        }

        return (int)steps;
    }
}
