using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// The per-step Poisson input of a clock-driven population (<see cref="PoissonInputSpec"/>): at step k neuron j receives
/// <c>Weight · n</c>, n ~ Poisson(λ), λ = rate · sources · dt, drawn by inversion of a 64-bit uniform that depends on
/// (seed, j, k) only — so the draws are the same for any thread count, chunking or window length, and need no state.
/// </summary>
/// <remarks>
/// <para>Uniform: u = mix(key_j + k·γ), the k-th output of SplitMix64 started at key_j = mix(mix(seed) + j·γ′) (mix is
/// SplitMix64's output function, γ = 0x9E3779B97F4A7C15). Inversion: n is the smallest count with u &lt; F(n)·2⁶⁴, F the
/// Poisson distribution function tabulated once in double precision; a guide table on the top 8 bits of u starts the
/// search next to the answer (about one comparison per draw).</para>
/// </remarks>
internal sealed class PoissonStepInput
{
    /// <summary>The largest mean count per step accepted (the table grows with it).</summary>
    public const double MaxMean = 10_000;

    private const ulong Gamma = 0x9E3779B97F4A7C15UL;
    private const ulong NeuronGamma = 0xD1B54A32D192ED03UL;

    private readonly ulong[] _keys;
    private readonly ulong[] _thresholds;
    private readonly int[] _guide;

    /// <summary>Creates the input of <paramref name="size"/> neurons for steps of <paramref name="dtTicks"/>.</summary>
    /// <param name="spec">The input.</param>
    /// <param name="receptor">Its receptor index.</param>
    /// <param name="size">Neurons.</param>
    /// <param name="dtTicks">The step.</param>
    /// <param name="population">The population's name, for errors.</param>
    public PoissonStepInput(PoissonInputSpec spec, int receptor, int size, long dtTicks, string population)
    {
        Receptor = receptor;
        Weight = (float)spec.Weight;
        Mean = spec.RateHz * spec.Sources * (dtTicks / (double)Units.TicksPerSecond);
        if (!(Mean <= MaxMean))
        {
            throw new ArgumentException($"Population '{population}': Poisson input of {spec.RateHz} Hz × {spec.Sources} sources has a mean of {Mean} per step of {dtTicks} ns; at most {MaxMean} is supported (use a smaller step).");
        }

        ulong seedKey = Mix(spec.Seed);
        _keys = new ulong[size];
        for (int j = 0; j < size; j++)
        {
            _keys[j] = Mix(seedKey + ((ulong)j * NeuronGamma));
        }

        _thresholds = Thresholds(Mean);
        _guide = new int[256];
        int n = 0;
        for (int b = 0; b < 256; b++)
        {
            ulong start = (ulong)b << 56;
            while (n < _thresholds.Length - 1 && _thresholds[n] <= start)
            {
                n++;
            }

            _guide[b] = n;
        }
    }

    /// <summary>The receptor index.</summary>
    public int Receptor { get; }

    /// <summary>The weight of one source spike.</summary>
    public float Weight { get; }

    /// <summary>The mean count per neuron and step, λ.</summary>
    public double Mean { get; }

    /// <summary>The count of neuron <paramref name="neuron"/> at step <paramref name="step"/>.</summary>
    /// <param name="neuron">The neuron.</param>
    /// <param name="step">The absolute step index.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Count(int neuron, long step) => Invert(Mix(_keys[neuron] + ((ulong)step * Gamma)));

    /// <summary>Adds <c>Weight · count</c> of step <paramref name="step"/> to <paramref name="row"/>[j] for j in [start, end).</summary>
    /// <param name="row">The ring row of the step and receptor.</param>
    /// <param name="step">The absolute step index.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void AddTo(float[] row, long step, int start, int end)
    {
        if (Mean == 0)
        {
            return;
        }

        ulong offset = (ulong)step * Gamma;
        ulong[] keys = _keys;
        ulong[] t = _thresholds;
        int last = t.Length - 1;
        ref int guide = ref MemoryMarshal.GetArrayDataReference(_guide);
        float w = Weight;
        if ((uint)end > (uint)keys.Length || (uint)end > (uint)row.Length || start < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(end));
        }

        ref ulong key = ref MemoryMarshal.GetArrayDataReference(keys);
        ref float r = ref MemoryMarshal.GetArrayDataReference(row);
        for (int j = start; j < end; j++)
        {
            ulong u = Mix(Unsafe.Add(ref key, j) + offset);
            int n = Unsafe.Add(ref guide, (int)(u >> 56));
            while (n < last && u >= t[n])
            {
                n++;
            }

            // No branch on n = 0 (frequent and unpredictable): adding w·0 leaves the input unchanged.
            Unsafe.Add(ref r, j) += w * n;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Invert(ulong u)
    {
        ulong[] t = _thresholds;
        int n = _guide[(int)(u >> 56)];
        int last = t.Length - 1;
        while (n < last && u >= t[n])
        {
            n++;
        }

        return n;
    }

    /// <summary>SplitMix64's output function (a bijection of 64-bit words).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>F(n)·2⁶⁴ for n = 0, 1, …, until F is 1 in double precision; the last entry is 2⁶⁴ − 1.</summary>
    private static ulong[] Thresholds(double mean)
    {
        var t = new List<ulong>();
        double logMean = mean > 0 ? Math.Log(mean) : double.NegativeInfinity;
        double logFactorial = 0;
        double cumulative = 0;
        const double Two64 = 18446744073709551616.0;
        for (int n = 0; ; n++)
        {
            if (n > 0)
            {
                logFactorial += Math.Log(n);
            }

            double p = mean == 0 ? (n == 0 ? 1 : 0) : Math.Exp(-mean + (n * logMean) - logFactorial);
            cumulative += p;
            double scaled = cumulative * Two64;
            if (cumulative >= 1 || scaled >= Two64 || (n > mean && p * Two64 < 1))
            {
                t.Add(ulong.MaxValue);
                break;
            }

            t.Add((ulong)scaled);
        }

        return [.. t];
    }
}
