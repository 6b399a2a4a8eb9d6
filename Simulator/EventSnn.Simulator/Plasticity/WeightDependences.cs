using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Plasticity;

/// <summary>The weight factors f₊(w) (potentiation) and f₋(w) (depression) of a pair rule.</summary>
internal interface IWeightDependence
{
    /// <summary>f₊(w).</summary>
    double Plus(double w);

    /// <summary>f₋(w).</summary>
    double Minus(double w);
}

/// <summary>f₊ = f₋ = 1.</summary>
internal readonly struct AdditiveDependence : IWeightDependence
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Plus(double w) => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Minus(double w) => 1;
}

/// <summary>f₊ = 1, f₋ = w − w_min.</summary>
internal readonly struct MultiplicativeDependence(double wMin) : IWeightDependence
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Plus(double w) => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Minus(double w) => Math.Max(0, w - wMin);
}

/// <summary>f₊ = (w_max − w)^μ, f₋ = (w − w_min)^μ.</summary>
internal readonly struct SoftBoundsDependence(double wMin, double wMax, double mu) : IWeightDependence
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Plus(double w) => Pow(Math.Max(0, wMax - w));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Minus(double w) => Pow(Math.Max(0, w - wMin));

    private double Pow(double d) => mu == 1 ? d : mu == 0 ? 1 : Math.Pow(d, mu);
}

/// <summary>f₊ = f₋ = w (snnTorch's default weight functions).</summary>
internal readonly struct ProportionalDependence : IWeightDependence
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Plus(double w) => w;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public double Minus(double w) => w;
}
