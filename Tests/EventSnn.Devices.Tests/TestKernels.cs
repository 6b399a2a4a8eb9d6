using EventSnn.Devices;

namespace EventSnn.Devices.Tests;

/// <summary>A leaky integrate-and-fire step with a constant drive and a per-neuron drive array.</summary>
internal struct LifStepKernel : IStepKernel
{
    public float[] V;
    public float[] Drive;
    public float Decay;
    public float Threshold;
    public float Reset;

    public readonly int Step(int step, int start, int end, Span<int> spiked)
    {
        Span<float> v = V.AsSpan(start, end - start);
        DenseMath.ScaleAdd(v, Decay, Drive.AsSpan(start, end - start), 1f - Decay);
        int n = DenseMath.CollectGreaterThan(v, Threshold, start, spiked);
        for (int i = 0; i < n; i++)
        {
            V[spiked[i]] = Reset;
        }

        return n;
    }

    /// <summary>The same step as plain scalar code over the whole population.</summary>
    public static List<int> Reference(float[] v, float[] drive, float decay, float threshold, float reset)
    {
        var spikes = new List<int>();
        for (int i = 0; i < v.Length; i++)
        {
            v[i] = (v[i] * decay) + (drive[i] * (1f - decay));
            if (v[i] > threshold)
            {
                spikes.Add(i);
                v[i] = reset;
            }
        }

        return spikes;
    }
}

/// <summary>y[i] = a * x[i] + i, written element by element.</summary>
internal struct AxpyKernel : IRangeKernel
{
    public float[] X;
    public float[] Y;
    public float A;

    public readonly void Execute(int start, int end)
    {
        for (int i = start; i < end; i++)
        {
            Y[i] = (A * X[i]) + i;
        }
    }
}

/// <summary>Reports a bad spike count, to test validation.</summary>
internal struct LyingKernel : IStepKernel
{
    public int Reported;
    public int Index;

    public readonly int Step(int step, int start, int end, Span<int> spiked)
    {
        if (Reported > 0 && Reported <= spiked.Length)
        {
            spiked[0] = Index;
        }

        return Reported;
    }
}
