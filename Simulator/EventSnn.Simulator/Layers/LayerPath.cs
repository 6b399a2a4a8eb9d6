using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Layers;

/// <summary>
/// The linear layers of one connection (Linear, Conv2d, AvgPool2d, Flatten, Dropout, BatchNorm) — in a
/// <see cref="LayerGraph"/>, or between two neuron layers of a <see cref="Sequential"/> — composed at build time into one
/// set of explicit synapses from the connection's source population. An empty path is the identity (weights 1).
/// </summary>
public sealed class LayerPath
{
    private readonly PopulationShape _sourceShape;
    private readonly List<LayerOp> _ops = [];
    private Dictionary<int, float>[]? _map; // null: identity from the source
    private float[]? _bias;

    internal LayerPath(PopulationShape source)
    {
        _sourceShape = source;
        Shape = source;
    }

    /// <summary>The shape after the layers added so far.</summary>
    public PopulationShape Shape { get; private set; }

    internal IReadOnlyList<LayerOp> Ops => _ops;

    internal float[]? Bias => _bias;

    /// <summary>Whether a layer with weights or a bias is pending (Flatten and Dropout alone are not).</summary>
    internal bool HasPending => _map is not null || _bias is not null;

    /// <summary>A fully connected layer: output o receives Σ_i W[o, i]·x_i (+ bias[o]).</summary>
    /// <param name="outFeatures">Outputs.</param>
    /// <param name="weights"><c>[out, in]</c> row-major, or null to draw them with <paramref name="init"/>.</param>
    /// <param name="bias">One value per output, or null.</param>
    /// <param name="init">The initialiser when no weights are given (default: Kaiming uniform with a = √5, seed 0).</param>
    /// <returns>This path.</returns>
    public LayerPath Linear(int outFeatures, float[]? weights = null, float[]? bias = null, WeightInit? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        int inF = Shape.Size;
        float[] w = Weights(weights, (long)outFeatures * inF, inF, outFeatures, init, "Linear", $"[{outFeatures}, {inF}]");
        CheckBias(bias, outFeatures, "Linear");
        _ops.Add(new LayerOp(LayerOpKind.Linear, [outFeatures], w, bias is null ? null : [.. bias]));
        Compose(PopulationShape.Linear(outFeatures), (j, emit) =>
        {
            for (int o = 0; o < outFeatures; o++)
            {
                emit(o, w[((long)o * inF) + j]);
            }
        });
        _bias = AddBias(_bias, bias, outFeatures, b =>
        {
            float[] r = new float[outFeatures];
            for (int o = 0; o < outFeatures; o++)
            {
                double s = 0;
                for (int j = 0; j < inF; j++)
                {
                    s += w[((long)o * inF) + j] * b[j];
                }

                r[o] = (float)s;
            }

            return r;
        });
        return this;
    }

    /// <summary>
    /// A 2-D convolution: output (o, oy, ox) receives Σ K[o, c, ky, kx]·x(c, oy·s − p + ky·d, ox·s − p + kx·d) (+ bias[o]),
    /// output size ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1 (PyTorch's <c>Conv2d</c>).
    /// </summary>
    /// <param name="outChannels">C_out.</param>
    /// <param name="kernel">k (square).</param>
    /// <param name="stride">s.</param>
    /// <param name="padding">p (zeros).</param>
    /// <param name="dilation">d.</param>
    /// <param name="weights"><c>[C_out, C_in, k, k]</c>, or null to draw them with <paramref name="init"/>.</param>
    /// <param name="bias">One value per output channel, or null.</param>
    /// <param name="init">The initialiser when no weights are given (default: Kaiming uniform with a = √5, seed 0).</param>
    /// <returns>This path.</returns>
    public LayerPath Conv2d(int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, float[]? weights = null, float[]? bias = null, WeightInit? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        (int cIn, int h, int wd) = (Shape.Channels, Shape.Height, Shape.Width);
        int ho = OutSize(h, kernel, stride, padding, dilation, "Conv2d"), wo = OutSize(wd, kernel, stride, padding, dilation, "Conv2d");
        int kk = kernel * kernel;
        float[] k = Weights(weights, (long)outChannels * cIn * kk, cIn * kk, outChannels * kk, init, "Conv2d", $"[{outChannels}, {cIn}, {kernel}, {kernel}]");
        CheckBias(bias, outChannels, "Conv2d");
        _ops.Add(new LayerOp(LayerOpKind.Conv2d, [outChannels, kernel, stride, padding, dilation], k, bias is null ? null : [.. bias]));
        var outShape = new PopulationShape(outChannels, ho, wo);
        Compose(outShape, (j, emit) =>
        {
            int c = j / (h * wd), y = j / wd % h, x = j % wd;
            for (int ky = 0; ky < kernel; ky++)
            {
                int ty = y + padding - (ky * dilation);
                if (ty < 0 || ty % stride != 0 || ty / stride >= ho)
                {
                    continue;
                }

                for (int kx = 0; kx < kernel; kx++)
                {
                    int tx = x + padding - (kx * dilation);
                    if (tx < 0 || tx % stride != 0 || tx / stride >= wo)
                    {
                        continue;
                    }

                    for (int o = 0; o < outChannels; o++)
                    {
                        emit(outShape.IndexOf(o, ty / stride, tx / stride), k[(((((long)o * cIn) + c) * kernel) + ky) * kernel + kx]);
                    }
                }
            }
        });
        _bias = AddBias(_bias, bias, outShape.Size, b => ConvBias(b, k, cIn, h, wd, outShape, kernel, stride, padding, dilation), perChannel: outShape);
        return this;
    }

    /// <summary>Average pooling: output (c, oy, ox) = Σ x(c, oy·s − p + ky, ox·s − p + kx)/k² over the window (padding counted).</summary>
    /// <param name="kernel">k.</param>
    /// <param name="stride">s (default k).</param>
    /// <param name="padding">p.</param>
    /// <returns>This path.</returns>
    public LayerPath AvgPool2d(int kernel, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernel;
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        (int c0, int h, int wd) = (Shape.Channels, Shape.Height, Shape.Width);
        var outShape = new PopulationShape(c0, OutSize(h, kernel, s, padding, 1, "AvgPool2d"), OutSize(wd, kernel, s, padding, 1, "AvgPool2d"));
        _ops.Add(new LayerOp(LayerOpKind.AvgPool2d, [kernel, s, padding], null, null));
        float share = 1f / (kernel * kernel);
        Compose(outShape, (j, emit) => PoolWindows(j, h, wd, outShape, kernel, s, padding, o => emit(o, share)));
        if (_bias is { } b0)
        {
            float[] r = new float[outShape.Size];
            for (int j = 0; j < b0.Length; j++)
            {
                float v = b0[j];
                PoolWindows(j, h, wd, outShape, kernel, s, padding, o => r[o] += v * share);
            }

            _bias = r;
        }

        return this;
    }

    /// <summary>Flattens C×H×W to one dimension (indices unchanged: (c·H + y)·W + x).</summary>
    /// <returns>This path.</returns>
    public LayerPath Flatten()
    {
        _ops.Add(new LayerOp(LayerOpKind.Flatten, [], null, null));
        Shape = PopulationShape.Linear(Shape.Size);
        return this;
    }

    /// <summary>Dropout: the identity at inference.</summary>
    /// <param name="p">The training drop probability, in [0, 1).</param>
    /// <returns>This path.</returns>
    public LayerPath Dropout(double p = 0.5)
    {
        if (!(p >= 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        }

        _ops.Add(new LayerOp(LayerOpKind.Dropout, [], null, null, P: p));
        return this;
    }

    /// <summary>
    /// Batch normalisation at inference (per channel on C×H×W, per feature on a 1-D shape): y = γ·(x − μ)/√(σ² + ε) + β,
    /// folded into the pending weights (scale) and bias (shift).
    /// </summary>
    /// <param name="runningMean">μ per channel.</param>
    /// <param name="runningVar">σ² per channel (≥ 0).</param>
    /// <param name="weight">γ per channel (default 1).</param>
    /// <param name="biasTerm">β per channel (default 0).</param>
    /// <param name="eps">ε (≥ 0, default 1e-5).</param>
    /// <returns>This path.</returns>
    public LayerPath BatchNorm(float[] runningMean, float[] runningVar, float[]? weight = null, float[]? biasTerm = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        int c = Shape.IsSpatial ? Shape.Channels : Shape.Size, per = Shape.IsSpatial ? Shape.Height * Shape.Width : 1;
        foreach ((float[]? a, string what) in new[] { ((float[]?)runningMean, "running_mean"), (runningVar, "running_var"), (weight, "weight"), (biasTerm, "bias") })
        {
            if (a is not null && a.Length != c)
            {
                throw new ArgumentException($"BatchNorm {what} has {a.Length} values; the input has {c} channels.", nameof(runningMean));
            }
        }

        if (!(eps >= 0) || runningVar.Any(v => !(v >= 0) || !(v + eps > 0)))
        {
            throw new ArgumentOutOfRangeException(nameof(runningVar), "BatchNorm needs running_var ≥ 0, eps ≥ 0 and running_var + eps > 0.");
        }

        _ops.Add(new LayerOp(LayerOpKind.BatchNorm, [], null, null, P: eps, Mean: [.. runningMean], Var: [.. runningVar], Gamma: weight is null ? null : [.. weight], Beta: biasTerm is null ? null : [.. biasTerm]));
        double[] scale = [.. Enumerable.Range(0, c).Select(k => (weight?[k] ?? 1.0) / Math.Sqrt(runningVar[k] + eps))];
        Compose(Shape, (j, emit) => emit(j, (float)scale[j / per]));
        float[] b = _bias ?? new float[Shape.Size];
        for (int j = 0; j < b.Length; j++)
        {
            int k = j / per;
            b[j] = (float)((scale[k] * (b[j] - runningMean[k])) + (biasTerm?[k] ?? 0));
        }

        _bias = b;
        return this;
    }

    /// <summary>The composed synapses, one row per source neuron in ascending post order (identity when empty).</summary>
    internal ExplicitConnectivity Synapses()
    {
        var pre = new List<int>();
        var post = new List<int>();
        var w = new List<float>();
        for (int j = 0; j < _sourceShape.Size; j++)
        {
            if (_map is null)
            {
                pre.Add(j);
                post.Add(j);
                w.Add(1f);
                continue;
            }

            if (_map[j] is { } row)
            {
                foreach ((int o, float v) in row.OrderBy(e => e.Key))
                {
                    if (v != 0)
                    {
                        pre.Add(j);
                        post.Add(o);
                        w.Add(v);
                    }
                }
            }
        }

        return ConnectivitySpec.Explicit([.. pre], [.. post], [.. w]);
    }

    /// <summary>Windows of max pooling: each input connects to every window that holds it with <paramref name="weight"/>.</summary>
    internal static ExplicitConnectivity PoolSynapses(PopulationShape input, PopulationShape output, int kernel, int stride, int padding, float weight)
    {
        var pre = new List<int>();
        var post = new List<int>();
        for (int j = 0; j < input.Size; j++)
        {
            var row = new List<int>();
            PoolWindows(j, input.Height, input.Width, output, kernel, stride, padding, row.Add);
            row.Sort();
            foreach (int o in row)
            {
                pre.Add(j);
                post.Add(o);
            }
        }

        float[] w = new float[pre.Count];
        Array.Fill(w, weight);
        return ConnectivitySpec.Explicit([.. pre], [.. post], w);
    }

    /// <summary>The pooled shape (the same formula as <see cref="Sequential.MaxPool2d"/>).</summary>
    internal static PopulationShape PoolShape(PopulationShape input, int kernel, int stride, int padding, string layer)
        => new(input.Channels, OutSize(input.Height, kernel, stride, padding, 1, layer), OutSize(input.Width, kernel, stride, padding, 1, layer));

    private void Compose(PopulationShape outShape, Action<int, Action<int, float>> op)
    {
        int n = _sourceShape.Size;
        var next = new Dictionary<int, float>[n];
        for (int p = 0; p < n; p++)
        {
            Dictionary<int, float> row = next[p] = [];
            void Emit(int o, float v) => row[o] = row.GetValueOrDefault(o) + v;
            if (_map is null)
            {
                op(p, (o, v) => Emit(o, v));
            }
            else if (_map[p] is { } cur)
            {
                foreach ((int j, float v0) in cur)
                {
                    op(j, (o, v) => Emit(o, v0 * v));
                }
            }
        }

        _map = next;
        Shape = outShape;
    }

    private static void PoolWindows(int j, int h, int wd, PopulationShape outShape, int kernel, int stride, int padding, Action<int> emit)
    {
        int c = j / (h * wd), y = j / wd % h, x = j % wd;
        for (int ky = 0; ky < kernel; ky++)
        {
            int ty = y + padding - ky;
            if (ty < 0 || ty % stride != 0 || ty / stride >= outShape.Height)
            {
                continue;
            }

            for (int kx = 0; kx < kernel; kx++)
            {
                int tx = x + padding - kx;
                if (tx < 0 || tx % stride != 0 || tx / stride >= outShape.Width)
                {
                    continue;
                }

                emit(outShape.IndexOf(c, ty / stride, tx / stride));
            }
        }
    }

    private static float[] ConvBias(float[] b, float[] k, int cIn, int h, int wd, PopulationShape outShape, int kernel, int stride, int padding, int dilation)
    {
        float[] r = new float[outShape.Size];
        for (int o = 0; o < outShape.Channels; o++)
        {
            for (int oy = 0; oy < outShape.Height; oy++)
            {
                for (int ox = 0; ox < outShape.Width; ox++)
                {
                    double s = 0;
                    for (int c = 0; c < cIn; c++)
                    {
                        for (int ky = 0; ky < kernel; ky++)
                        {
                            for (int kx = 0; kx < kernel; kx++)
                            {
                                int y = (oy * stride) - padding + (ky * dilation), x = (ox * stride) - padding + (kx * dilation);
                                if (y >= 0 && y < h && x >= 0 && x < wd)
                                {
                                    s += k[(((((o * cIn) + c) * kernel) + ky) * kernel) + kx] * b[(((c * h) + y) * wd) + x];
                                }
                            }
                        }
                    }

                    r[outShape.IndexOf(o, oy, ox)] = (float)s;
                }
            }
        }

        return r;
    }

    private static float[]? AddBias(float[]? pending, float[]? own, int size, Func<float[], float[]> transform, PopulationShape? perChannel = null)
    {
        float[]? r = pending is null ? null : transform(pending);
        if (own is null)
        {
            return r;
        }

        r ??= new float[size];
        int per = perChannel is { } s ? s.Height * s.Width : 1;
        for (int i = 0; i < size; i++)
        {
            r[i] += own[i / per];
        }

        return r;
    }

    private static void CheckBias(float[]? bias, int count, string layer)
    {
        if (bias is not null && bias.Length != count)
        {
            throw new ArgumentException($"{layer} bias has {bias.Length} values; {count} are needed.", nameof(bias));
        }
    }

    private static float[] Weights(float[]? given, long count, int fanIn, int fanOut, WeightInit? init, string layer, string shape)
    {
        if (given is not null)
        {
            return given.Length == count ? [.. given] : throw new ArgumentException($"{layer} weights have {given.Length} values; shape {shape} needs {count}.", nameof(given));
        }

        float[] w = new float[count];
        (init ?? WeightInit.KaimingUniform(0, Math.Sqrt(5))).Fill(w, fanIn, fanOut);
        return w;
    }

    private static int OutSize(int size, int kernel, int stride, int padding, int dilation, string layer)
    {
        int span = (dilation * (kernel - 1)) + 1;
        int n = ((size + (2 * padding) - span) / stride) + 1;
        return size + (2 * padding) >= span && n >= 1
            ? n
            : throw new ArgumentException($"{layer}: a kernel spanning {span} does not fit an input of {size} with padding {padding}.", nameof(kernel));
    }
}

/// <summary>The kinds of linear layer a <see cref="LayerPath"/> records (and a saved model names).</summary>
internal enum LayerOpKind
{
    Linear,
    Conv2d,
    AvgPool2d,
    Flatten,
    Dropout,
    BatchNorm,
}

/// <summary>One recorded linear layer with its realised weights (for saving).</summary>
internal sealed record LayerOp(LayerOpKind Kind, int[] Ints, float[]? Weights, float[]? Bias, double P = 0, float[]? Mean = null, float[]? Var = null, float[]? Gamma = null, float[]? Beta = null);
