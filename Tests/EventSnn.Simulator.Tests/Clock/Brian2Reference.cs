namespace EventSnn.Simulator.Tests.Clock;

/// <summary>
/// Mean firing rates measured with Brian2 2.5.1 (C++ standalone), 4000 neurons, 10 s, dt 0.1 ms:
/// <c>python3 Tests/EventSnn.Benchmarks/brian2/cuba_coba.py {cuba|coba} --duration 10 --standalone --seed S</c>.
/// These come from an independent simulator, not from EventSnn.
/// </summary>
internal static class Brian2Reference
{
    /// <summary>CUBA rates for seeds 1, 2, 3 (Hz).</summary>
    public static readonly double[] CubaBySeed = [5.5585, 5.4598, CubaSeed3];

    /// <summary>COBA rates for seeds 1, 2, 3 (Hz).</summary>
    public static readonly double[] CobaBySeed = [21.2721, 20.927, CobaSeed3];

    public const double CubaRateHz = (5.5585 + 5.4598 + CubaSeed3) / 3;

    public const double CobaRateHz = (21.2721 + 20.927 + CobaSeed3) / 3;

    private const double CubaSeed3 = 5.5657;

    private const double CobaSeed3 = 21.556;
}
