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
    private LayerPath _path; // the linear layers since the last neuron layer, from _source
    private int _layers;

    /// <summary>Starts a container whose input is an external population of <paramref name="input"/>'s shape.</summary>
    /// <param name="input">The input shape (C×H×W for a camera: 2×H×W).</param>
    /// <param name="inputName">The input population's name.</param>
    /// <param name="delay">The delay of every layer's synapses (default 1 ms, ≥ 1 tick).</param>
    public Sequential(PopulationShape input, string inputName = "input", SimDuration? delay = null)
    {
        _builder.AddExternalInput(inputName, input);
        _source = inputName;
        _path = new LayerPath(input);
        _delay = delay ?? SimDuration.FromMilliseconds(1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(_delay.Ticks, 1L, nameof(delay));
    }

    /// <summary>The shape after the layers added so far.</summary>
    public PopulationShape Shape => _path.Shape;

    /// <summary>A fully connected layer: output o receives Σ_i W[o, i]·x_i (+ bias[o]).</summary>
    /// <param name="outFeatures">Outputs.</param>
    /// <param name="weights"><c>[out, in]</c> row-major, or null to draw them with <paramref name="init"/>.</param>
    /// <param name="bias">One value per output, or null.</param>
    /// <param name="init">The initialiser when no weights are given (default: Kaiming uniform with a = √5, PyTorch's Linear default, seed 0).</param>
    /// <returns>This container.</returns>
    public Sequential Linear(int outFeatures, float[]? weights = null, float[]? bias = null, WeightInit? init = null)
    {
        _path.Linear(outFeatures, weights, bias, init);
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
        _path.Conv2d(outChannels, kernel, stride, padding, dilation, weights, bias, init);
        return this;
    }

    /// <summary>Average pooling: output (c, oy, ox) = Σ x(c, oy·s − p + ky, ox·s − p + kx)/k² over the window (padding counted).</summary>
    /// <param name="kernel">k.</param>
    /// <param name="stride">s (default k).</param>
    /// <param name="padding">p.</param>
    /// <returns>This container.</returns>
    public Sequential AvgPool2d(int kernel, int? stride = null, int padding = 0)
    {
        _path.AvgPool2d(kernel, stride, padding);
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
        if (_path.HasPending)
        {
            throw new InvalidOperationException("MaxPool2d acts on spikes: put it after the input or a neuron layer, not after a linear layer.");
        }

        int s = stride ?? kernel;
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        PopulationShape input = _path.Shape, outShape = LayerPath.PoolShape(input, kernel, s, padding, "MaxPool2d");
        return AddLayer(NeuronModel.IntegrateAndFire, null, name, outShape, null, LayerPath.PoolSynapses(input, outShape, kernel, s, padding, PoolWeight));
    }

    /// <summary>Flattens C×H×W to one dimension (indices unchanged: (c·H + y)·W + x).</summary>
    /// <returns>This container.</returns>
    public Sequential Flatten()
    {
        _path.Flatten();
        return this;
    }

    /// <summary>Dropout: the identity at inference.</summary>
    /// <param name="p">The training drop probability, in [0, 1).</param>
    /// <returns>This container.</returns>
    public Sequential Dropout(double p = 0.5)
    {
        _path.Dropout(p);
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
        _path.BatchNorm(runningMean, runningVar, weight, biasTerm, eps);
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
        return AddLayer(model, configure, name, _path.Shape, _path.Bias, _path.Synapses());
    }

    private Sequential AddLayer(NeuronModel model, Action<PopulationOptions>? configure, string? name, PopulationShape shape, float[]? bias, ExplicitConnectivity synapses)
    {
        string pop = name ?? $"layer{++_layers}";
        bool hasBias = bias is not null && bias.Any(v => v != 0);
        if (hasBias && !model.Info.Parameters.Any(p => p.Name == "i_offset"))
        {
            throw new ArgumentException($"Layer '{pop}': model '{model.Info.Name}' has no constant input (i_offset) to carry the bias of the layers before it.", nameof(model));
        }

        _builder.AddNeurons(pop, shape, model, o =>
        {
            if (hasBias)
            {
                o.SetPerNeuron("i_offset", [.. bias!.Select(v => (double)v)]);
            }

            configure?.Invoke(o);
        });
        _builder.Connect(_source, pop, synapses, p => p.Delay(_delay));
        _source = pop;
        _path = new LayerPath(shape);
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
        if (_path.HasPending)
        {
            throw new InvalidOperationException("The last layers are linear: end the container with a neuron layer.");
        }

        return _builder.Build();
    }

    /// <summary>The weight that makes a max-pooling neuron (integrate-and-fire, rest −65 mV, threshold −50 mV) fire on one input spike.</summary>
    public const float PoolWeight = 100f;
}
