using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Inputs;

/// <summary>
/// Seeded Poisson spike generation on the integer tick grid: each tick independently carries a spike with probability
/// <c>p = rate·1 ns</c> (a Bernoulli process, the exact discrete-time Poisson process), so inter-spike gaps are
/// Geometric(p) on {1, 2, …} ticks and are drawn directly (one random number per spike).
/// </summary>
public static class PoissonProcess
{
    /// <summary>The per-tick spike probability for a rate in Hz.</summary>
    /// <param name="rateHz">Rate in Hz (0..1e9).</param>
    public static double ProbabilityPerTick(double rateHz) => rateHz / Units.TicksPerSecond;

    /// <summary>
    /// Draws the tick of the next spike strictly after <paramref name="previous"/>; returns <see cref="long.MaxValue"/> when
    /// none occurs before the end of time.
    /// </summary>
    /// <param name="rng">The random stream (advanced by one draw).</param>
    /// <param name="p">Per-tick probability in [0, 1].</param>
    /// <param name="previous">The previous spike tick (or start − 1).</param>
    public static long NextSpike(ref Xoshiro256 rng, double p, long previous)
    {
        if (p <= 0)
        {
            return long.MaxValue;
        }

        if (p >= 1)
        {
            return previous == long.MaxValue ? long.MaxValue : previous + 1;
        }

        double logq = p < 1e-4 ? -(p + (p * p / 2) + (p * p * p / 3)) : Math.Log(1 - p);
        double gap = Math.Floor(Math.Log(rng.NextDoubleNonZero()) / logq) + 1;
        if (gap >= long.MaxValue - (double)previous)
        {
            return long.MaxValue;
        }

        return previous + (long)gap;
    }
}
