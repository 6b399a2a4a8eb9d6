namespace EventSnn.Datasets.Transforms;

/// <summary>
/// A small, fast, seeded pseudo-random generator (xoshiro256** seeded through SplitMix64) whose sequence is
/// fixed by this code alone, so results never depend on the runtime's <see cref="Random"/> implementation.
/// </summary>
/// <remarks>Not thread-safe: each random transform, encoder or scene owns one.</remarks>
public sealed class DeterministicRandom
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;
    private double _spareGaussian;
    private bool _hasSpare;

    /// <summary>Creates a generator whose sequence is determined by <paramref name="seed"/>.</summary>
    public DeterministicRandom(ulong seed) => Reseed(seed);

    /// <summary>Restarts the sequence from <paramref name="seed"/>.</summary>
    public void Reseed(ulong seed)
    {
        ulong z = seed;
        _s0 = SplitMix(ref z);
        _s1 = SplitMix(ref z);
        _s2 = SplitMix(ref z);
        _s3 = SplitMix(ref z);
        _hasSpare = false;
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, <paramref name="bound"/>) without modulo bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="bound"/> is not positive.</exception>
    public long NextInt64(long bound)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(bound, 1);
        ulong b = (ulong)bound;
        ulong limit = ulong.MaxValue - (ulong.MaxValue % b);
        ulong r;
        do
        {
            r = NextUInt64();
        }
        while (r >= limit);

        return (long)(r % b);
    }

    /// <summary>A uniform integer in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public long NextInt64(long low, long high)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(high, low);
        return low + NextInt64(high - low);
    }

    /// <summary>A standard normal sample (Marsaglia polar method; pairs are cached).</summary>
    public double NextGaussian()
    {
        if (_hasSpare)
        {
            _hasSpare = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = (2.0 * NextDouble()) - 1.0;
            v = (2.0 * NextDouble()) - 1.0;
            s = (u * u) + (v * v);
        }
        while (s >= 1.0 || s == 0.0);

        double m = Math.Sqrt(-2.0 * Math.Log(s) / s);
        _spareGaussian = v * m;
        _hasSpare = true;
        return u * m;
    }

    /// <summary>
    /// A Poisson sample with mean <paramref name="lambda"/>: exact (Knuth's product method) for
    /// λ ≤ 30, a rounded normal approximation N(λ, λ) clipped at 0 above.
    /// </summary>
    public long NextPoisson(double lambda)
    {
        if (!(lambda >= 0) || double.IsInfinity(lambda))
        {
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "The Poisson mean must be finite and ≥ 0.");
        }

        if (lambda == 0)
        {
            return 0;
        }

        if (lambda <= 30)
        {
            double l = Math.Exp(-lambda);
            long k = 0;
            double p = NextDouble();
            while (p > l)
            {
                k++;
                p *= NextDouble();
            }

            return k;
        }

        return Math.Max(0L, (long)Math.Round(lambda + (Math.Sqrt(lambda) * NextGaussian())));
    }

    private static ulong SplitMix(ref ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        ulong x = z;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }
}
