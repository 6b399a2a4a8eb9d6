namespace EventSnn.Datasets.Transforms;

/// <summary>A per-sample Bernoulli gate: a validated probability and the seeded generator it draws from.</summary>
internal sealed class SampleGate
{
    private readonly DeterministicRandom _rng;

    public SampleGate(double probability, ulong seed, string name)
    {
        Probability = Checks.Probability(probability, name);
        _rng = new DeterministicRandom(seed);
    }

    public double Probability { get; }

    /// <summary>Whether this sample is transformed (no draw when the probability is 0 or 1).</summary>
    public bool Draw() => Checks.Draw(_rng, Probability);
}

/// <summary>A validated ratio range 0 ≤ min ≤ max &lt; 1 and the seeded generator a transform draws from.</summary>
internal sealed class RatioSampler
{
    /// <summary>Validates the range (<paramref name="what"/> names the ratios in the error message).</summary>
    public RatioSampler(double minRatio, double maxRatio, ulong seed, string what, string name)
    {
        if (!(minRatio >= 0 && minRatio < 1) || !(maxRatio >= minRatio && maxRatio < 1))
        {
            throw new ArgumentOutOfRangeException(name, $"The {what} ratios must satisfy 0 ≤ min ≤ max < 1.");
        }

        Min = minRatio;
        Max = maxRatio;
        Random = new DeterministicRandom(seed);
    }

    public double Min { get; }

    public double Max { get; }

    /// <summary>The transform's generator (ratio draws and any further per-sample draws, in call order).</summary>
    public DeterministicRandom Random { get; }

    /// <summary>A ratio uniform in [min, max), or min when the bounds are equal (no draw).</summary>
    public double Next() => Min == Max ? Min : Min + ((Max - Min) * Random.NextDouble());
}

/// <summary>Whole-array element operations shared by transforms.</summary>
internal static class EventOps
{
    /// <summary><c>v' = size − 1 − v</c> for every coordinate.</summary>
    public static void Mirror(Span<ushort> values, int size)
    {
        int m = size - 1;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (ushort)(m - values[i]);
        }
    }

    /// <summary><c>p' = 1 − p</c> for every polarity (callers check p ∈ {0, 1} first).</summary>
    public static void InvertPolarity(Span<byte> polarities)
    {
        for (int i = 0; i < polarities.Length; i++)
        {
            polarities[i] = (byte)(1 - polarities[i]);
        }
    }

    /// <summary>The smallest and largest time (long.MaxValue, long.MinValue when empty).</summary>
    public static (long Min, long Max) TimeRange(ReadOnlySpan<long> times)
    {
        long tMin = long.MaxValue, tMax = long.MinValue;
        foreach (long t in times)
        {
            tMin = Math.Min(tMin, t);
            tMax = Math.Max(tMax, t);
        }

        return (tMin, tMax);
    }
}
