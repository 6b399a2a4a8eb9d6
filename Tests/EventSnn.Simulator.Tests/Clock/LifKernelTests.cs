using EventSnn.Devices;
using EventSnn.Simulator.Engines.Clock;

namespace EventSnn.Simulator.Tests.Clock;

public sealed class LifKernelTests
{
    [Theory]
    [InlineData(false, 1)]
    [InlineData(true, 1)]
    [InlineData(false, 3)]
    [InlineData(true, 3)]
    public void SimdKernelsMatchAScalarReferenceBitForBit(bool conductance, int threads)
    {
        // 1001 neurons: the vector loop and the scalar tail both run; a scalar re-implementation of the documented
        // update (same float operations in the same order) must give identical state and spikes.
        const int N = 1001;
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads, ChunkSize = 128, MinParallelCount = 0 });
        var cuba = new CurrentLifParameters(0.1, 20, 5, 10, -49, -50, -60, 2);
        var coba = new ConductanceLifParameters(0.1, 20, 5, 10, -60, 0, -80, 20, -50, -60, 2);
        TwoReceptorLifPopulation pop = conductance
            ? new ConductanceLifPopulation("p", N, device, coba)
            : new CurrentLifPopulation("p", N, device, cuba);
        var rng = new Random(17);
        float[] v = new float[N], ge = new float[N], gi = new float[N];
        int[] rf = new int[N];
        for (int i = 0; i < N; i++)
        {
            v[i] = pop.V[i] = (float)(-60 + (11 * rng.NextDouble()));
            ge[i] = pop.Ge[i] = (float)(conductance ? rng.NextDouble() : 5 * rng.NextDouble());
            gi[i] = pop.Gi[i] = (float)(conductance ? rng.NextDouble() : -5 * rng.NextDouble());
            rf[i] = pop.Refractory[i] = rng.Next(3);
        }

        SpikeBuffer spikes = device.CreateSpikeBuffer(N);
        int total = 0;
        for (int step = 0; step < 300; step++)
        {
            // Random synaptic input between steps, applied identically to both.
            for (int k = 0; k < 50; k++)
            {
                int j = rng.Next(N);
                float w = (float)rng.NextDouble();
                pop.Ge[j] += w;
                ge[j] += w;
            }

            pop.RunSteps(device, 1, spikes);
            var expected = new List<int>();
            for (int i = 0; i < N; i++)
            {
                float x = v[i], e = ge[i], g = gi[i];
                if (conductance)
                {
                    ge[i] = e * coba.DecayE;
                    gi[i] = g * coba.DecayI;
                }
                else
                {
                    ge[i] = e * cuba.Pe;
                    gi[i] = g * cuba.Pi;
                }

                if (rf[i] > 0)
                {
                    rf[i]--;
                    continue;
                }

                float next = conductance
                    ? x + (coba.DtOverTauM * ((e * (coba.Ee - x)) + (g * (coba.Ei - x)) - (x - coba.El) + coba.Drive))
                    : cuba.El + ((x - cuba.El) * cuba.Pm) + (e * cuba.Ae) + (g * cuba.Ai);
                float threshold = conductance ? coba.VThresh : cuba.VThresh;
                if (next > threshold)
                {
                    v[i] = conductance ? coba.VReset : cuba.VReset;
                    rf[i] = conductance ? coba.RefractorySteps : cuba.RefractorySteps;
                    expected.Add(i);
                }
                else
                {
                    v[i] = next;
                }
            }

            Assert.Equal(expected, spikes.ForStep(0).ToArray());
            total += expected.Count;
        }

        Assert.Equal(v, pop.V);
        Assert.Equal(ge, pop.Ge);
        Assert.Equal(gi, pop.Gi);
        Assert.Equal(rf, pop.Refractory);
        Assert.True(total > 100, $"{total} spikes");
    }

    [Theory]
    [InlineData(5.0, 0.1, 50)]
    [InlineData(2.0, 0.1, 20)]
    [InlineData(0.0, 0.1, 0)]
    [InlineData(1.25, 0.5, 3)]
    public void RefractoryStepsRoundTheRatio(double refractoryMs, double dtMs, int expected) =>
        Assert.Equal(expected, ClockRefractory.Steps(refractoryMs, dtMs));
}
