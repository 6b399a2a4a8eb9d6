using System.Runtime.CompilerServices;
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
        => ClockLifStep.Run(V, Ge, Gi, Refractory, P.Pe, P.Pi, P.VThresh, P.VReset, P.RefractorySteps, start, end, spiked, new Dynamics(P));

    /// <summary>The exact membrane propagator: <c>El + (v − El)·Pm + ge·Ae + gi·Ai</c>.</summary>
    private readonly struct Dynamics : IClockLifDynamics
    {
        private readonly float _el;
        private readonly float _pm;
        private readonly float _ae;
        private readonly float _ai;
        private readonly Vector256<float> _vEl;
        private readonly Vector256<float> _vPm;
        private readonly Vector256<float> _vAe;
        private readonly Vector256<float> _vAi;

        public Dynamics(in CurrentLifParameters p)
        {
            _el = p.El;
            _pm = p.Pm;
            _ae = p.Ae;
            _ai = p.Ai;
            _vEl = Vector256.Create(_el);
            _vPm = Vector256.Create(_pm);
            _vAe = Vector256.Create(_ae);
            _vAi = Vector256.Create(_ai);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Integrate(Vector256<float> x, Vector256<float> e, Vector256<float> g)
            => _vEl + ((x - _vEl) * _vPm) + (e * _vAe) + (g * _vAi);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Integrate(float x, float e, float g) => _el + ((x - _el) * _pm) + (e * _ae) + (g * _ai);
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
        => ClockLifStep.Run(V, Ge, Gi, Refractory, P.DecayE, P.DecayI, P.VThresh, P.VReset, P.RefractorySteps, start, end, spiked, new Dynamics(P));

    /// <summary>The forward-Euler membrane update: <c>v + dt/τm·(ge·(Ee − v) + gi·(Ei − v) − (v − El) + I)</c>.</summary>
    private readonly struct Dynamics : IClockLifDynamics
    {
        private readonly float _el;
        private readonly float _ee;
        private readonly float _ei;
        private readonly float _drive;
        private readonly float _k;
        private readonly Vector256<float> _vEl;
        private readonly Vector256<float> _vEe;
        private readonly Vector256<float> _vEi;
        private readonly Vector256<float> _vI;
        private readonly Vector256<float> _vK;

        public Dynamics(in ConductanceLifParameters p)
        {
            _el = p.El;
            _ee = p.Ee;
            _ei = p.Ei;
            _drive = p.Drive;
            _k = p.DtOverTauM;
            _vEl = Vector256.Create(_el);
            _vEe = Vector256.Create(_ee);
            _vEi = Vector256.Create(_ei);
            _vI = Vector256.Create(_drive);
            _vK = Vector256.Create(_k);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public Vector256<float> Integrate(Vector256<float> x, Vector256<float> e, Vector256<float> g)
            => x + (_vK * ((e * (_vEe - x)) + (g * (_vEi - x)) - (x - _vEl) + _vI));

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Integrate(float x, float e, float g) => x + (_k * ((e * (_ee - x)) + (g * (_ei - x)) - (x - _el) + _drive));
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
