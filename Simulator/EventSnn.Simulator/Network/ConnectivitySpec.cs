using System.Collections.Immutable;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.Network;

/// <summary>A connectivity rule: which (pre, post) pairs a projection connects. Create rules with the static methods.</summary>
public abstract record ConnectivitySpec
{
    private protected ConnectivitySpec()
    {
    }

    /// <summary>Every presynaptic neuron to every postsynaptic neuron (dense).</summary>
    /// <param name="allowSelf">Whether neuron i connects to neuron i when pre and post are the same population.</param>
    public static AllToAllConnectivity AllToAll(bool allowSelf = true) => new(allowSelf);

    /// <summary>Neuron i to neuron i (sizes must match).</summary>
    public static OneToOneConnectivity OneToOne() => new();

    /// <summary>Each pair independently with probability <paramref name="p"/>, from a seeded stream (row by row).</summary>
    /// <param name="p">Connection probability in [0, 1].</param>
    /// <param name="seed">Seed.</param>
    /// <param name="allowSelf">Whether i connects to i when pre and post are the same population.</param>
    public static FixedProbabilityConnectivity FixedProbability(double p, ulong seed, bool allowSelf = true) => new(p, seed, allowSelf);

    /// <summary>
    /// Exactly <paramref name="count"/> synapses, each with its presynaptic and postsynaptic neuron drawn uniformly and
    /// independently (self-connections and repeated pairs allowed: NEST's <c>fixed_total_number</c> with autapses and
    /// multapses, the connectivity of the Potjans &amp; Diesmann microcircuit). Generated in parallel, identically for any
    /// number of threads: the presynaptic draws in fixed blocks of one stream per block, then each source's synapses from
    /// a stream of its own.
    /// </summary>
    /// <param name="count">Synapses (0 … 2³¹ − 1).</param>
    /// <param name="seed">Seed.</param>
    public static FixedTotalNumberConnectivity FixedTotalNumber(long count, ulong seed) => new(count, seed);

    /// <summary>An explicit synapse list; weights and delays are optional (empty: use the projection's).</summary>
    /// <param name="pre">Presynaptic indices.</param>
    /// <param name="post">Postsynaptic indices (same length).</param>
    /// <param name="weights">Weights (empty or same length).</param>
    /// <param name="delays">Delays, whole ticks ≥ 1 (empty or same length).</param>
    public static ExplicitConnectivity Explicit(ReadOnlySpan<int> pre, ReadOnlySpan<int> post, ReadOnlySpan<float> weights = default, ReadOnlySpan<SimDuration> delays = default)
        => new([.. pre], [.. post], [.. weights], [.. delays]);

    /// <summary>
    /// Reads an explicit synapse list from a CSV file. With a header line, the columns name themselves in any order:
    /// <c>pre</c>, <c>post</c>, optionally <c>weight</c> and one delay column that names its unit
    /// (<c>delay_ms</c>, <c>delay_us</c>, <c>delay_ns</c>, <c>delay_ticks</c> or <c>delay_s</c>; the value must be a whole
    /// number of ticks, converted exactly). Without a header the columns are <c>pre,post[,weight[,delay_ticks]]</c>.
    /// Blank lines and <c>#</c> comment lines are skipped.
    /// </summary>
    /// <param name="path">The file.</param>
    /// <exception cref="FormatException">A line is malformed (message names the file and line).</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ExplicitConnectivity FromCsv(string path) => SynapseCsv.Read(path, out _);

    /// <summary>
    /// A 2-D convolution with one shared kernel: pre is C_in×H×W, post must be C_out×H_out×W_out with
    /// <c>H_out = (H + 2·padY − kh)/strideY + 1</c> (likewise W). Kernel layout [C_out, C_in, kh, kw]. Output (o, oy, ox)
    /// receives input (c, oy·strideY − padY + ky, ox·strideX − padX + kx) with weight K[o, c, ky, kx].
    /// </summary>
    /// <param name="kernel">Kernel weights, C_out·C_in·kh·kw values.</param>
    /// <param name="outChannels">C_out.</param>
    /// <param name="inChannels">C_in.</param>
    /// <param name="kernelHeight">kh.</param>
    /// <param name="kernelWidth">kw.</param>
    /// <param name="stride">Stride (both axes).</param>
    /// <param name="padding">Zero padding (both axes).</param>
    public static Conv2DConnectivity Conv2D(ReadOnlySpan<float> kernel, int outChannels, int inChannels, int kernelHeight, int kernelWidth, int stride = 1, int padding = 0)
        => new([.. kernel], outChannels, inChannels, kernelHeight, kernelWidth, stride, stride, padding, padding);
}

/// <summary>All-to-all connectivity.</summary>
/// <param name="AllowSelf">Whether i→i is connected within one population.</param>
public sealed record AllToAllConnectivity(bool AllowSelf) : ConnectivitySpec;

/// <summary>One-to-one connectivity.</summary>
public sealed record OneToOneConnectivity : ConnectivitySpec;

/// <summary>Fixed-probability random connectivity.</summary>
/// <param name="P">Probability.</param>
/// <param name="Seed">Seed.</param>
/// <param name="AllowSelf">Whether i→i is allowed within one population.</param>
public sealed record FixedProbabilityConnectivity(double P, ulong Seed, bool AllowSelf) : ConnectivitySpec;

/// <summary>A fixed total number of synapses with uniformly drawn pre and post neurons (<see cref="ConnectivitySpec.FixedTotalNumber"/>).</summary>
/// <param name="Count">Synapses.</param>
/// <param name="Seed">Seed.</param>
public sealed record FixedTotalNumberConnectivity(long Count, ulong Seed) : ConnectivitySpec;

/// <summary>Explicit synapse list.</summary>
/// <param name="Pre">Presynaptic indices.</param>
/// <param name="Post">Postsynaptic indices.</param>
/// <param name="Weights">Weights (empty: projection weight).</param>
/// <param name="Delays">Delays (empty: the projection's delay).</param>
public sealed record ExplicitConnectivity(ImmutableArray<int> Pre, ImmutableArray<int> Post, ImmutableArray<float> Weights, ImmutableArray<SimDuration> Delays) : ConnectivitySpec;

/// <summary>2-D convolution with a shared kernel.</summary>
/// <param name="Kernel">Weights [C_out, C_in, kh, kw].</param>
/// <param name="OutChannels">C_out.</param>
/// <param name="InChannels">C_in.</param>
/// <param name="KernelHeight">kh.</param>
/// <param name="KernelWidth">kw.</param>
/// <param name="StrideY">Vertical stride.</param>
/// <param name="StrideX">Horizontal stride.</param>
/// <param name="PadY">Vertical zero padding.</param>
/// <param name="PadX">Horizontal zero padding.</param>
public sealed record Conv2DConnectivity(ImmutableArray<float> Kernel, int OutChannels, int InChannels, int KernelHeight, int KernelWidth, int StrideY, int StrideX, int PadY, int PadX) : ConnectivitySpec
{
    /// <summary>Output height for an input of height <paramref name="h"/> (may be ≤ 0 when the kernel does not fit).</summary>
    /// <param name="h">Input height.</param>
    public int OutputHeight(int h) => ((h + (2 * PadY) - KernelHeight) / StrideY) + 1;

    /// <summary>Output width for an input of width <paramref name="w"/>.</summary>
    /// <param name="w">Input width.</param>
    public int OutputWidth(int w) => ((w + (2 * PadX) - KernelWidth) / StrideX) + 1;
}
