using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Layers;

/// <summary>
/// Weight initialisers with PyTorch's <c>torch.nn.init</c> formulas, drawn from a seeded xoshiro256** stream (the same
/// seed gives the same weights; the draws differ from PyTorch's generator). Fan-in and fan-out are those of the layer:
/// Linear <c>in</c>/<c>out</c> features, Conv2d <c>C_in·kh·kw</c>/<c>C_out·kh·kw</c>.
/// </summary>
/// <param name="Kind">The distribution.</param>
/// <param name="A">Uniform: low; normal: mean; Kaiming: the negative slope of the rectifier that follows (0 for ReLU).</param>
/// <param name="B">Uniform: high; normal: standard deviation; Xavier: gain.</param>
/// <param name="Seed">The random seed.</param>
public sealed record WeightInit(WeightInitKind Kind, double A, double B, ulong Seed)
{
    /// <summary>Uniform in [low, high) (<c>uniform_</c>).</summary>
    /// <param name="low">Low end.</param>
    /// <param name="high">High end (≥ low).</param>
    /// <param name="seed">Random seed.</param>
    public static WeightInit Uniform(double low, double high, ulong seed) => new(WeightInitKind.Uniform, low, high, seed);

    /// <summary>Normal with mean and standard deviation (<c>normal_</c>).</summary>
    /// <param name="mean">Mean.</param>
    /// <param name="std">Standard deviation (≥ 0).</param>
    /// <param name="seed">Random seed.</param>
    public static WeightInit Normal(double mean, double std, ulong seed) => new(WeightInitKind.Normal, mean, std, seed);

    /// <summary>Xavier/Glorot uniform: U(−b, b), <c>b = gain·√(6/(fan_in + fan_out))</c> (<c>xavier_uniform_</c>).</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="gain">Gain (default 1).</param>
    public static WeightInit XavierUniform(ulong seed, double gain = 1) => new(WeightInitKind.XavierUniform, 0, gain, seed);

    /// <summary>Xavier/Glorot normal: N(0, σ²), <c>σ = gain·√(2/(fan_in + fan_out))</c> (<c>xavier_normal_</c>).</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="gain">Gain (default 1).</param>
    public static WeightInit XavierNormal(ulong seed, double gain = 1) => new(WeightInitKind.XavierNormal, 0, gain, seed);

    /// <summary>Kaiming/He uniform (fan-in mode): U(−b, b), <c>b = √(2/(1 + a²))·√(3/fan_in)</c> (<c>kaiming_uniform_</c>, leaky ReLU).</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="a">Negative slope of the rectifier (0: ReLU).</param>
    public static WeightInit KaimingUniform(ulong seed, double a = 0) => new(WeightInitKind.KaimingUniform, a, 0, seed);

    /// <summary>Kaiming/He normal (fan-in mode): N(0, σ²), <c>σ = √(2/(1 + a²))/√fan_in</c> (<c>kaiming_normal_</c>).</summary>
    /// <param name="seed">Random seed.</param>
    /// <param name="a">Negative slope of the rectifier (0: ReLU).</param>
    public static WeightInit KaimingNormal(ulong seed, double a = 0) => new(WeightInitKind.KaimingNormal, a, 0, seed);

    /// <summary>The bound (uniform kinds) or standard deviation (normal kinds) for a layer's fans.</summary>
    /// <param name="fanIn">Inputs per output.</param>
    /// <param name="fanOut">Outputs per input.</param>
    public double Scale(int fanIn, int fanOut) => Kind switch
    {
        WeightInitKind.XavierUniform => B * Math.Sqrt(6.0 / (fanIn + fanOut)),
        WeightInitKind.XavierNormal => B * Math.Sqrt(2.0 / (fanIn + fanOut)),
        WeightInitKind.KaimingUniform => Math.Sqrt(2.0 / (1 + (A * A))) * Math.Sqrt(3.0 / fanIn),
        WeightInitKind.KaimingNormal => Math.Sqrt(2.0 / (1 + (A * A))) / Math.Sqrt(fanIn),
        WeightInitKind.Normal => B,
        _ => (B - A) / 2,
    };

    /// <summary>Fills <paramref name="weights"/>.</summary>
    /// <param name="weights">The weights to fill.</param>
    /// <param name="fanIn">Inputs per output (≥ 1).</param>
    /// <param name="fanOut">Outputs per input (≥ 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">A fan is below 1, or the parameters are not finite or out of range.</exception>
    public void Fill(Span<float> weights, int fanIn, int fanOut)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(fanIn, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(fanOut, 1);
        if (!double.IsFinite(A) || !double.IsFinite(B) || (Kind == WeightInitKind.Uniform && B < A) || (Kind == WeightInitKind.Normal && B < 0))
        {
            throw new ArgumentOutOfRangeException(nameof(weights), $"Bad initialiser parameters ({Kind}: {A}, {B}).");
        }

        var rng = new Xoshiro256(Seed);
        double scale = Scale(fanIn, fanOut);
        bool uniform = Kind is WeightInitKind.Uniform or WeightInitKind.XavierUniform or WeightInitKind.KaimingUniform;
        double low = Kind == WeightInitKind.Uniform ? A : -scale;
        double mean = Kind == WeightInitKind.Normal ? A : 0;
        for (int i = 0; i < weights.Length; i++)
        {
            weights[i] = uniform
                ? (float)(low + (rng.NextDouble() * 2 * scale))
                : (float)(mean + (scale * Math.Sqrt(-2 * Math.Log(rng.NextDoubleNonZero())) * Math.Cos(2 * Math.PI * rng.NextDouble())));
        }
    }
}

/// <summary>The distributions of <see cref="WeightInit"/>.</summary>
public enum WeightInitKind
{
    /// <summary>Uniform in [low, high).</summary>
    Uniform = 0,

    /// <summary>Normal.</summary>
    Normal = 1,

    /// <summary>Xavier/Glorot uniform.</summary>
    XavierUniform = 2,

    /// <summary>Xavier/Glorot normal.</summary>
    XavierNormal = 3,

    /// <summary>Kaiming/He uniform, fan-in mode.</summary>
    KaimingUniform = 4,

    /// <summary>Kaiming/He normal, fan-in mode.</summary>
    KaimingNormal = 5,
}
