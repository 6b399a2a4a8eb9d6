using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Tracing;

namespace EventSnn.Simulator.Tests.Models;

/// <summary>
/// The physical-unit models added with the seed libraries (AdEx, Izhikevich 2003, SRM₀), clock-driven over long random inputs,
/// against implementations written in the test from their published equations. Tolerance: spikes exactly; states within
/// 1e-4 + 1e-4·|expected| (mV, pA); SRM₀'s float32 propagators against its double-precision kernel sum within 1e-3 mV.
/// </summary>
public sealed class PhysicalModelTests
{
    private static TraceResult Run(string model, (string Name, double Value)[] parameters, float[][] x, double dtMs, params string[] columns)
    {
        Assert.True(NeuronModels.TryGet(model, out NeuronModel? m));
        var setup = new TraceSetup(m, x[0].Length, [new TraceColumn("out", -1), .. columns.Select(c => new TraceColumn(c, m.Info.StateIndex(c)))])
        {
            Step = SimDuration.FromMilliseconds(dtMs),
        };
        foreach (var (name, value) in parameters)
        {
            setup.Parameters[name] = value;
        }

        return TraceRunner.Run(setup, [.. x.SelectMany(r => r)], x.Length);
    }

    private static void AssertClose(float expected, float got, double atol, int step, string what)
    {
        if (!(Math.Abs(got - expected) <= atol + (1e-4 * Math.Abs(expected))))
        {
            Assert.Fail($"step {step} {what}: expected {expected:R}, got {got:R}");
        }
    }

    private static void AssertSpike(bool expected, float output, int step)
    {
        if (expected != (output != 0))
        {
            Assert.Fail($"step {step}: spike expected {expected}, output {output:R}");
        }
    }

    [Fact]
    public void Izhikevich_2003_follows_the_papers_loop()
    {
        // The paper's program (1 ms per iteration): fired = v ≥ 30; v(fired) = c; u(fired) += d; two half steps of v; u.
        const int N = 8, T = 2000;
        var rng = new Random(2003);
        double[] a = [0.02, 0.02, 0.02, 0.1, 0.02, 0.02, 0.1, 0.02];
        double[] b = [0.2, 0.2, 0.25, 0.2, 0.2, 0.25, 0.2, 0.2];
        double[] c = [-65, -55, -65, -65, -50, -65, -65, -60];
        double[] d = [8, 4, 2, 2, 2, 2, 2, 6];
        float[][] x = [.. Enumerable.Range(0, T).Select(_ => Enumerable.Range(0, N).Select(_ => (float)(5 * Gauss(rng))).ToArray())];
        float[][] got = new float[3][];
        for (int i = 0; i < N; i++)
        {
            float[][] column = [.. x.Select(r => new[] { r[i] })];
            TraceResult r = Run("izhikevich", [("a", a[i]), ("b", b[i]), ("c", c[i]), ("d", d[i]), ("i_offset", 4)], column, 1.0, "v", "u");

            float v = -65f, u = (float)b[i] * -65f;
            int spikes = 0;
            for (int t = 0; t < T; t++)
            {
                float input = 4f + x[t][i];
                v += 0.5f * ((((0.04f * (v * v)) + (5f * v)) + 140f - u) + input);
                v += 0.5f * ((((0.04f * (v * v)) + (5f * v)) + 140f - u) + input);
                u += 1f * ((float)a[i] * (((float)b[i] * v) - u));

                // The paper tests v ≥ 30 at the start of the next millisecond: the same instant as the end of this one.
                bool fired = v >= 30f;
                if (fired)
                {
                    v = (float)c[i];
                    u += (float)d[i];
                    spikes++;
                }

                AssertSpike(fired, r.Values[0][t], t);
                AssertClose(v, r.Values[1][t], 1e-4, t, $"neuron {i} v");
                AssertClose(u, r.Values[2][t], 1e-4, t, "u");
            }

            Assert.InRange(spikes, 5, T / 3);
        }
    }

    [Fact]
    public void Adex_is_forward_euler_of_brette_and_gerstner()
    {
        const int T = 6000;
        const double Dt = 0.1;
        var rng = new Random(2005);
        (string, double)[] p = [("C_m", 281), ("g_L", 30), ("E_L", -70.6), ("V_th", -50.4), ("Delta_T", 2), ("a", 4), ("tau_w", 144), ("b", 80.5), ("V_reset", -60), ("V_peak", 0), ("t_ref", 0.5), ("I_e", 650)];
        float[][] x = [.. Enumerable.Range(0, T).Select(_ => new[] { (float)(1.5 * Gauss(rng)) })];
        TraceResult r = Run("adex", p, x, Dt, "v", "w");

        // C dV/dt = −g_L(V − E_L) + g_L Δ_T exp((V − V_th)/Δ_T) − w + I_e;  τ_w dw/dt = a(V − E_L) − w;  V ≥ V_peak: V = V_reset, w += b.
        float v = -70.6f, w = 0f;
        float kv = (float)(Dt / 281.0), kw = (float)(Dt / 144.0);
        int refractory = 0, spikes = 0;
        int refSteps = (int)Math.Round(0.5 / Dt);
        for (int t = 0; t < T; t++)
        {
            bool free = refractory == 0;
            refractory = Math.Max(refractory - 1, 0);
            float dv = ((-(30f * (v - -70.6f)) + ((30f * 2f) * MathF.Exp((v - -50.4f) / 2f))) - w) + 650f;
            float dw = (4f * (v - -70.6f)) - w;
            if (free)
            {
                v += kv * dv;
            }

            w += kw * dw;
            bool active = refractory == 0;
            if (active)
            {
                v += x[t][0];
            }

            bool fired = active && v >= 0f;
            if (fired)
            {
                v = -60f;
                refractory = refSteps;
                w += 80.5f;
                spikes++;
            }

            AssertSpike(fired, r.Values[0][t], t);
            AssertClose(v, r.Values[1][t], 1e-3, t, "v");
            AssertClose(w, r.Values[2][t], 1e-3, t, "w");
        }

        Assert.InRange(spikes, 5, T / 10);
    }

    [Fact]
    public void Srm0_equals_the_sum_of_its_kernels()
    {
        const int T = 3000;
        const double Dt = 0.1, TauM = 10, TauS = 2.5, TauEta = 5, Rest = -65, Theta = -55, Eta0 = 12, TRef = 2;
        var rng = new Random(1999);
        float[][] x = [.. Enumerable.Range(0, T).Select(_ => new[] { rng.NextDouble() < 0.2 ? (float)(2 + (3 * rng.NextDouble())) : 0f })];
        TraceResult r = Run("srm0", [("tau_m", TauM), ("tau_s", TauS), ("tau_eta", TauEta), ("v_rest", Rest), ("v_thresh", Theta), ("eta_0", Eta0), ("t_ref", TRef)], x, Dt, "v");

        // u at the end of step j = v_rest + Σ_{k ≤ j} x_k ε((j − k)·dt) + η((j − ŝ)·dt), with the kernels of Gerstner & Kistler.
        static double Epsilon(double s) => (Math.Exp(-s / TauM) - Math.Exp(-s / TauS)) / (1 - (TauS / TauM));
        int last = int.MinValue / 2;
        int refSteps = (int)Math.Round(TRef / Dt);
        int spikes = 0;
        for (int j = 0; j < T; j++)
        {
            double u = Rest;
            for (int k = 0; k <= j; k++)
            {
                u += x[k][0] * Epsilon((j - k) * Dt);
            }

            double eta = last > int.MinValue / 2 ? -Eta0 * Math.Exp(-(j - last) * Dt / TauEta) : 0;
            bool fired = j - last >= refSteps && u + eta >= Theta;
            AssertSpike(fired, r.Values[0][j], j);
            if (fired)
            {
                last = j;
                eta = -Eta0;
                spikes++;
            }

            AssertClose((float)(u + eta), r.Values[1][j], 1e-3, j, "v");
        }

        Assert.InRange(spikes, 5, T / 20);
    }

    private static double Gauss(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
