namespace EventSnn.Simulator;

/// <summary>
/// Unit conventions of the simulator: time is an integer tick count with 1 tick = 1 ns; potentials are in mV;
/// model time constants and refractory periods are given in ms and converted to ticks.
/// </summary>
public static class Units
{
    /// <summary>Ticks per nanosecond.</summary>
    public const long TicksPerNanosecond = 1;

    /// <summary>Ticks per microsecond (DVS timestamps are microseconds).</summary>
    public const long TicksPerMicrosecond = 1_000;

    /// <summary>Ticks per millisecond.</summary>
    public const long TicksPerMillisecond = 1_000_000;

    /// <summary>Ticks per second.</summary>
    public const long TicksPerSecond = 1_000_000_000;

    /// <summary>Converts milliseconds to (fractional) ticks.</summary>
    /// <param name="ms">Milliseconds.</param>
    public static double MsToTicks(double ms) => ms * TicksPerMillisecond;

    /// <summary>Converts milliseconds to whole ticks (rounded to nearest).</summary>
    /// <param name="ms">Milliseconds.</param>
    public static long Ms(double ms) => checked((long)Math.Round(ms * TicksPerMillisecond));
}
