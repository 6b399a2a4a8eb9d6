using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Layers;

/// <summary>
/// A Sequential-style container of layers that compiles to a <see cref="NetworkSpec"/>: an external input population,
/// then one neuron population per neuron layer, each fed by one projection that holds the composition of every linear
/// layer since the previous neuron layer (Linear, Conv2d, AvgPool2d, Flatten, Dropout, BatchNorm) as explicit synapses.
/// </summary>
/// <remarks>
/// <para><b>Event-driven by construction:</b> a spike delivers exactly the weights of the synapses it owns — a
/// convolution or pooling is computed per incoming spike, never as a frame — and the same spec runs clock-driven
/// (<c>PopulationOptions.ClockDriven</c> per neuron layer, or <c>EngineOptions.Execution</c>).</para>
/// <para><b>Layers:</b> <see cref="Conv2d"/> (stride, padding, dilation), <see cref="AvgPool2d"/> (divisor k², zero
/// padding counted, PyTorch's default), <see cref="Linear"/> (weights <c>[out, in]</c>), <see cref="Flatten"/>,
/// <see cref="Dropout"/> (identity at inference), <see cref="BatchNorm"/> (inference: a per-channel scale and shift
/// folded into the weights and bias), <see cref="MaxPool2d"/> (on spikes: a population that fires when any input of
/// its window fires, i.e. the maximum of binary inputs per instant), <see cref="Neurons"/>.</para>
/// <para><b>Bias:</b> a layer's bias (after the layers that follow it up to the neuron layer) becomes the neuron
/// layer's constant input, the model parameter <c>i_offset</c>, per neuron; a model without it refuses a non-zero
/// bias.</para>
/// </remarks>
public sealed class Sequential
{
    private readonly NetworkBuilder _builder = new();
    private readonly SimDuration _delay;
    private string _source;
    private PopulationShape _sourceShape;
    private PopulationShape _shape;
    private Dictionary<int, float>[]? _map; // null: identity from the source
    private float[]? _bias;
    private int _layers;

    /// <summary>Starts a container whose input is an external population of <paramref name="input"/>'s shape.</summary>
    /// <param name="input">The input shape (C×H×W for a camera: 2×H×W).</param>
    /// <param name="inputName">The input population's name.</param>
    /// <param name="delay">The delay of every layer's synapses (default 1 ms, ≥ 1 tick).</param>
    public Sequential(PopulationShape input, string inputName = "input", SimDuration? delay = null)
    {
        _builder.AddExternalInput(inputName, input);
        _source = inputName;
        _sourceShape = input;
        _shape = input;
        _delay = delay ?? SimDuration.FromMilliseconds(1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(_delay.Ticks, 1L, nameof(delay));
    }

    /// <summary>The shape after the layers added so far.</summary>
    public PopulationShape Shape => _shape;

    /// <summary>A fully connected layer: output o receives Σ_i W[o, i]·x_i (+ bias[o]).</summary>
    /// <param name="outFeatures">Outputs.</param>
    /// <param name="weights"><c>[out, in]</c> row-major, or null to draw them with <paramref name="init"/>.</param>
    /// <param name="bias">One value per output, or null.</param>
    /// <param name="init">The initialiser when no weights are given (default: Kaiming uniform with a = √5, PyTorch's Linear default, seed 0).</param>
    /// <returns>This container.</returns>
    public Sequential Linear(int outFeatures, float[]? weights = null, float[]? bias = null, WeightInit? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        int inF = _shape.Size;
        float[] w = Weights(weights, (long)outFeatures * inF, inF, outFeatures, init, "Linear", $"[{outFeatures}, {inF}]");
        CheckBias(bias, outFeatures, "Linear");
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
    /// with output size ⌊(H + 2p − d·(k − 1) − 1)/s⌋ + 1 (PyTorch's <c>Conv2d</c>).
    /// </summary>
    /// <param name="outChannels">C_out.</param>
    /// <param name="kernel">k (square).</param>
    /// <param name="stride">s.</param>
    /// <param name="padding">p (zeros).</param>
    /// <param name="dilation">d.</param>
    /// <param name="weights"><c>[C_out, C_in, k, k]</c>, or null to draw them with <paramref name="init"/>.</param>
    /// <param name="bias">One value per output channel, or null.</param>
    /// <param name="init">The initialiser when no weights are given (default: Kaiming uniform with a = √5, seed 0).</param>
    /// <returns>This container.</returns>
    public Sequential Conv2d(int outChannels, int kernel, int stride = 1, int padding = 0, int dilation = 1, float[]? weights = null, float[]? bias = null, WeightInit? init = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfLessThan(dilation, 1);
        (int cIn, int h, int wd) = (_shape.Channels, _shape.Height, _shape.Width);
        int ho = OutSize(h, kernel, stride, padding, dilation, "Conv2d"), wo = OutSize(wd, kernel, stride, padding, dilation, "Conv2d");
        int kk = kernel * kernel;
        float[] k = Weights(weights, (long)outChannels * cIn * kk, cIn * kk, outChannels * kk, init, "Conv2d", $"[{outChannels}, {cIn}, {kernel}, {kernel}]");
        CheckBias(bias, outChannels, "Conv2d");
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
    /// <returns>This container.</returns>
    public Sequential AvgPool2d(int kernel, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernel;
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        (int c0, int h, int wd) = (_shape.Channels, _shape.Height, _shape.Width);
        var outShape = new PopulationShape(c0, OutSize(h, kernel, s, padding, 1, "AvgPool2d"), OutSize(wd, kernel, s, padding, 1, "AvgPool2d"));
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

    /// <summary>
    /// Max pooling of spikes: a population of the pooled shape whose neuron fires when any input of its window fires
    /// (once per instant, whatever the number of inputs). It must follow the input or a neuron layer.
    /// </summary>
    /// <param name="kernel">k.</param>
    /// <param name="stride">s (default k).</param>
    /// <param name="padding">p.</param>
    /// <param name="name">The pooling population's name (default <c>layerN</c>).</param>
    /// <returns>This container.</returns>
    /// <exception cref="InvalidOperationException">Linear layers are pending: max pooling acts on spikes.</exception>
    public Sequential MaxPool2d(int kernel, int? stride = null, int padding = 0, string? name = null)
    {
        if (_map is not null || _bias is not null)
        {
            throw new InvalidOperationException("MaxPool2d acts on spikes: put it after the input or a neuron layer, not after a linear layer.");
        }

        int s = stride ?? kernel;
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        (int c0, int h, int wd) = (_shape.Channels, _shape.Height, _shape.Width);
        var outShape = new PopulationShape(c0, OutSize(h, kernel, s, padding, 1, "MaxPool2d"), OutSize(wd, kernel, s, padding, 1, "MaxPool2d"));
        Compose(outShape, (j, emit) => PoolWindows(j, h, wd, outShape, kernel, s, padding, o => emit(o, PoolWeight)));
        return Neurons(NeuronModel.IntegrateAndFire, null, name);
    }

    /// <summary>Flattens C×H×W to one dimension (indices unchanged: (c·H + y)·W + x).</summary>
    /// <returns>This container.</returns>
    public Sequential Flatten()
    {
        _shape = PopulationShape.Linear(_shape.Size);
        return this;
    }

    /// <summary>Dropout: the identity at inference.</summary>
    /// <param name="p">The training drop probability, in [0, 1).</param>
    /// <returns>This container.</returns>
    public Sequential Dropout(double p = 0.5)
    {
        if (!(p >= 0 && p < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(p), p, "The dropout probability must be in [0, 1).");
        }

        return this;
    }

    /// <summary>
    /// Batch normalisation at inference (BatchNorm2d on C×H×W, BatchNorm1d on a 1-D shape), per channel c: y = γ_c·(x − μ_c)/√(σ²_c + ε) + β_c, folded into the pending
    /// weights (scale) and bias (shift).
    /// </summary>
    /// <param name="runningMean">μ per channel.</param>
    /// <param name="runningVar">σ² per channel (≥ 0).</param>
    /// <param name="weight">γ per channel (default 1).</param>
    /// <param name="biasTerm">β per channel (default 0).</param>
    /// <param name="eps">ε (≥ 0, default 1e-5).</param>
    /// <returns>This container.</returns>
    public Sequential BatchNorm(float[] runningMean, float[] runningVar, float[]? weight = null, float[]? biasTerm = null, double eps = 1e-5)
    {
        ArgumentNullException.ThrowIfNull(runningMean);
        ArgumentNullException.ThrowIfNull(runningVar);
        // A 1-D shape (after Linear or Flatten) is BatchNorm1d: one channel per feature.
        int c = _shape.IsSpatial ? _shape.Channels : _shape.Size, per = _shape.IsSpatial ? _shape.Height * _shape.Width : 1;
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

        double[] scale = [.. Enumerable.Range(0, c).Select(k => (weight?[k] ?? 1.0) / Math.Sqrt(runningVar[k] + eps))];
        Compose(_shape, (j, emit) => emit(j, (float)scale[j / per]));
        float[] b = _bias ?? new float[_shape.Size];
        for (int j = 0; j < b.Length; j++)
        {
            int k = j / per;
            b[j] = (float)((scale[k] * (b[j] - runningMean[k])) + (biasTerm?[k] ?? 0));
        }

        _bias = b;
        return this;
    }

    /// <summary>
    /// A neuron layer of the current shape, fed by one projection holding the layers since the previous neuron layer
    /// (identity weights 1 when there are none).
    /// </summary>
    /// <param name="model">The neuron model (any, e.g. <c>NeuronModels.TryGet("snntorch.leaky", …)</c>).</param>
    /// <param name="configure">Parameters, execution (<c>ClockDriven(dt)</c>/<c>EventDriven()</c>), reset rules.</param>
    /// <param name="name">The population's name (default <c>layerN</c>).</param>
    /// <returns>This container.</returns>
    /// <exception cref="ArgumentException">A non-zero bias is pending and the model has no <c>i_offset</c> parameter.</exception>
    public Sequential Neurons(NeuronModel model, Action<PopulationOptions>? configure = null, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        string pop = name ?? $"layer{++_layers}";
        float[]? bias = _bias;
        bool hasBias = bias is not null && bias.Any(v => v != 0);
        if (hasBias && !model.Info.Parameters.Any(p => p.Name == "i_offset"))
        {
            throw new ArgumentException($"Layer '{pop}': model '{model.Info.Name}' has no constant input (i_offset) to carry the bias of the layers before it.", nameof(model));
        }

        _builder.AddNeurons(pop, _shape, model, o =>
        {
            if (hasBias)
            {
                o.SetPerNeuron("i_offset", [.. bias!.Select(v => (double)v)]);
            }

            configure?.Invoke(o);
        });

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

        _builder.Connect(_source, pop, ConnectivitySpec.Explicit([.. pre], [.. post], [.. w]), p => p.Delay(_delay));
        _source = pop;
        _sourceShape = _shape;
        _map = null;
        _bias = null;
        return this;
    }

    /// <summary>Spike monitors on every neuron layer when built (for tests and small runs).</summary>
    /// <param name="population">A population name.</param>
    /// <returns>This container.</returns>
    public Sequential RecordSpikes(string population)
    {
        _builder.RecordSpikes(population);
        return this;
    }

    /// <summary>Compiles the layers into a network spec.</summary>
    /// <exception cref="InvalidOperationException">Linear layers follow the last neuron layer (they would have no effect).</exception>
    public NetworkSpec Build()
    {
        if (_map is not null || _bias is not null)
        {
            throw new InvalidOperationException("The last layers are linear: end the container with a neuron layer.");
        }

        return _builder.Build();
    }

    /// <summary>The weight that makes a max-pooling neuron (integrate-and-fire, rest −65 mV, threshold −50 mV) fire on one input spike.</summary>
    public const float PoolWeight = 100f;

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
        _shape = outShape;
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
            return given.Length == count ? given : throw new ArgumentException($"{layer} weights have {given.Length} values; shape {shape} needs {count}.", nameof(given));
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
