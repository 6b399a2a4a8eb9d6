namespace EventSnn.Simulator.State;

/// <summary>
/// xoshiro256** pseudo-random generator (seeded through SplitMix64): small, fast, and with a state that can be
/// saved and restored exactly, so restored simulations continue with the same random stream.
/// </summary>
public struct Xoshiro256
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>Creates a generator from a 64-bit seed.</summary>
    /// <param name="seed">The seed (any value).</param>
    public Xoshiro256(ulong seed)
    {
        ulong x = seed;
        _s0 = SplitMix(ref x);
        _s1 = SplitMix(ref x);
        _s2 = SplitMix(ref x);
        _s3 = SplitMix(ref x);
    }

    /// <summary>Creates a generator for stream <paramref name="stream"/> of <paramref name="seed"/> (independent sub-streams).</summary>
    /// <param name="seed">The seed.</param>
    /// <param name="stream">Stream number.</param>
    public static Xoshiro256 ForStream(ulong seed, ulong stream) => new(seed ^ (0x9E3779B97F4A7C15UL * (stream + 1)));

    private static ulong SplitMix(ref ulong x)
    {
        ulong z = x += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Next 64 random bits.</summary>
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

    /// <summary>Uniform double in [0, 1) with 53 random bits.</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>Uniform double in (0, 1].</summary>
    public double NextDoubleNonZero() => ((NextUInt64() >> 11) + 1) * (1.0 / (1UL << 53));

    /// <summary>Uniform integer in [0, <paramref name="n"/>) without modulo bias.</summary>
    /// <param name="n">Exclusive bound (≥ 1).</param>
    public ulong NextBelow(ulong n)
    {
        ulong threshold = (0 - n) % n;
        while (true)
        {
            ulong r = NextUInt64();
            ulong hi = Math.BigMul(r, n, out ulong lo);
            if (lo >= threshold)
            {
                return hi;
            }
        }
    }

    /// <summary>Copies the 256-bit state out (for saving).</summary>
    /// <param name="destination">Four words.</param>
    public readonly void GetState(Span<ulong> destination)
    {
        destination[0] = _s0;
        destination[1] = _s1;
        destination[2] = _s2;
        destination[3] = _s3;
    }

    /// <summary>Restores a state saved by <see cref="GetState"/>.</summary>
    /// <param name="source">Four words, not all zero.</param>
    /// <exception cref="ArgumentException">All words are zero.</exception>
    public void SetState(ReadOnlySpan<ulong> source)
    {
        if ((source[0] | source[1] | source[2] | source[3]) == 0)
        {
            throw new ArgumentException("A xoshiro256 state cannot be all zero.", nameof(source));
        }

        _s0 = source[0];
        _s1 = source[1];
        _s2 = source[2];
        _s3 = source[3];
    }
}
