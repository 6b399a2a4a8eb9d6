namespace EventSnn.Simulator.Models;

/// <summary>Numerically careful closed-form pieces shared by the linear neuron models.</summary>
public static class Propagators
{
    /// <summary><c>exp(x) − 1</c>, accurate to a few ulps also for small |x| (via <c>2·tanh(x/2)/(1 − tanh(x/2))</c>).</summary>
    /// <param name="x">The argument.</param>
    public static double ExpM1(double x)
    {
        if (Math.Abs(x) < 0.5)
        {
            double t = Math.Tanh(0.5 * x);
            return 2.0 * t / (1.0 - t);
        }

        return Math.Exp(x) - 1.0;
    }

    /// <summary>
    /// The response at time <paramref name="t"/> of <c>τm·v' = −v + s(t)</c> to <c>s(0) = 1</c> decaying with
    /// <c>τs</c>, from <c>v(0) = 0</c>: <c>K(t) = τs/(τs − τm)·(e^{−t/τs} − e^{−t/τm})</c>, evaluated stably also
    /// when <c>τs = τm</c> (limit <c>(t/τm)·e^{−t/τm}</c>). 0 ≤ K(t) &lt; 1.
    /// </summary>
    /// <param name="t">Elapsed time (same unit as the time constants, ≥ 0).</param>
    /// <param name="tauM">Membrane time constant.</param>
    /// <param name="tauS">Synaptic time constant.</param>
    public static double SynapticKernel(double t, double tauM, double tauS)
    {
        // K = (t/τm)·e^{−t/τs}·φ(x), x = t·(1/τm − 1/τs), φ(x) = (1 − e^{−x})/x.
        double x = t * ((1.0 / tauM) - (1.0 / tauS));
        double phi = Math.Abs(x) < 1e-300 ? 1.0 : -ExpM1(-x) / x;
        return t / tauM * Math.Exp(-t / tauS) * phi;
    }
}
