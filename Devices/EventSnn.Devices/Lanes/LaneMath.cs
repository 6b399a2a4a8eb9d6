using System.Runtime.CompilerServices;

namespace EventSnn.Devices.Lanes;

/// <summary>
/// Transcendental functions written once over <see cref="ILane{TSelf, TMask}"/> primitives, so that every lane type (and
/// every device) computes them bit for bit the same way.
/// </summary>
public static class LaneMath
{
    private const float Log2E = 1.44269504f;
    private const float Ln2Hi = 0.693359375f;
    private const float Ln2Lo = -2.12194440e-4f;

    /// <summary>
    /// e^x in float32 (Cody–Waite range reduction x = n·ln2 + r, |r| ≤ ln2/2, then a degree-6 polynomial; relative error
    /// below 2·10⁻⁷ on [−87, 88]; saturates to 0 below −87.3 and to +∞ above 88.7).
    /// </summary>
    /// <typeparam name="TLane">The lane type.</typeparam>
    /// <typeparam name="TMask">Its mask type.</typeparam>
    /// <param name="x">The exponent.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TLane Exp<TLane, TMask>(TLane x)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>
    {
        TLane xc = TLane.Min(TLane.Max(x, TLane.Splat(-87.3f)), TLane.Splat(88.7f));
        TLane n = TLane.Round(xc * TLane.Splat(Log2E));
        TLane r = xc - (n * TLane.Splat(Ln2Hi)) - (n * TLane.Splat(Ln2Lo));
        TLane p = TLane.Splat(1.3981999507e-3f);
        p = (p * r) + TLane.Splat(8.3334519073e-3f);
        p = (p * r) + TLane.Splat(4.1665795894e-2f);
        p = (p * r) + TLane.Splat(1.6666665459e-1f);
        p = (p * r) + TLane.Splat(5.0000001201e-1f);
        p = (p * r * r) + r + TLane.Splat(1f);

        // 2^n for n up to 128: split so each factor stays a normal float.
        TLane half = TLane.Floor(n * TLane.Splat(0.5f));
        TLane y = TLane.ScaleB(TLane.ScaleB(p, half), n - half);
        y = TLane.Select(TLane.LessThan(x, TLane.Splat(-87.3f)), TLane.Splat(0f), y);
        return TLane.Select(TLane.GreaterThan(x, TLane.Splat(88.7f)), TLane.Splat(float.PositiveInfinity), y);
    }
}
