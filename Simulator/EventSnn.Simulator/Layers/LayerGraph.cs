using EventSnn.EventQueue;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Layers;

/// <summary>
/// A PySNN-style layer graph: named layers (external inputs, neuron layers, max-pooling layers) and connections between
/// them, each connection a <see cref="LayerPath"/> of linear layers (Linear, Conv2d, AvgPool2d, Flatten, Dropout,
/// BatchNorm) composed into one projection of explicit synapses. Cycles are allowed (a connection may go back to an
/// earlier layer or to its own source). It compiles to a <see cref="NetworkSpec"/> exactly as <see cref="Sequential"/>
/// does: a chain graph gives the same populations, synapses and spikes as the equivalent container.
/// </summary>
/// <remarks>
/// <para><see cref="AddLayer"/> is PySNN's <c>add_layer(name, connection, neuron)</c>: a connection from an existing
/// layer and a neuron layer of the connection's output shape. <see cref="AddConnection"/> adds further connections,
/// including recurrent ones. A neuron layer's constant input <c>i_offset</c> is the sum of the biases of every
/// connection into it.</para>
/// <para><see cref="Save"/> writes a saved layer model (a JSON description and a binary weights file) that
/// <see cref="Load"/> reads back and <c>eventsnn replay</c> accepts besides network files (docs/Layers.md).</para>
/// </remarks>
public sealed class LayerGraph
{
    private readonly List<GraphNode> _nodes = [];
    private readonly List<GraphConnection> _connections = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    /// <summary>Starts an empty graph.</summary>
    /// <param name="delay">The delay of every connection's synapses unless a connection gives its own (default 1 ms, ≥ 1 tick).</param>
    public LayerGraph(SimDuration? delay = null)
    {
        Delay = delay ?? SimDuration.FromMilliseconds(1L);
        ArgumentOutOfRangeException.ThrowIfLessThan(Delay.Ticks, 1L, nameof(delay));
    }

    /// <summary>The default delay of the connections.</summary>
    public SimDuration Delay { get; }

    /// <summary>The layers' names in the order they were added (the populations' order in the built spec).</summary>
    public IReadOnlyList<string> Layers => [.. _nodes.Select(n => n.Name)];

    internal IReadOnlyList<GraphNode> Nodes => _nodes;

    internal IReadOnlyList<GraphConnection> Connections => _connections;

    /// <summary>The shape of layer <paramref name="name"/>.</summary>
    /// <param name="name">A layer name.</param>
    /// <exception cref="ArgumentException">No such layer.</exception>
    public PopulationShape ShapeOf(string name) => Node(name).Shape;

    /// <summary>An external input layer (the population replay and event files feed; 2×H×W for a camera).</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="shape">Its shape.</param>
    /// <returns>This graph.</returns>
    public LayerGraph AddInput(string name, PopulationShape shape) => Add(new GraphNode(name, GraphNodeKind.Input, shape));

    /// <summary>
    /// PySNN's <c>add_layer</c>: a neuron layer fed from <paramref name="from"/> through <paramref name="connection"/>
    /// (identity weights 1 when null); its shape is the connection's output shape.
    /// </summary>
    /// <param name="name">The new layer's name.</param>
    /// <param name="from">An existing layer.</param>
    /// <param name="connection">The linear layers of the connection, e.g. <c>p => p.Conv2d(12, 5)</c>.</param>
    /// <param name="model">The neuron model.</param>
    /// <param name="configure">Parameters, execution, reset rules, initial values.</param>
    /// <returns>This graph.</returns>
    public LayerGraph AddLayer(string name, string from, Func<LayerPath, LayerPath>? connection, NeuronModel model, Action<PopulationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        LayerPath path = MakePath(from, connection);
        Add(new GraphNode(name, GraphNodeKind.Neurons, path.Shape) { Model = model, Configure = configure });
        _connections.Add(new GraphConnection(from, name, path, null, null));
        return this;
    }

    /// <summary>A neuron layer of a given shape without a connection yet (connect it with <see cref="AddConnection"/>).</summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="model">The neuron model.</param>
    /// <param name="configure">Parameters, execution, reset rules, initial values.</param>
    /// <returns>This graph.</returns>
    public LayerGraph AddNeurons(string name, PopulationShape shape, NeuronModel model, Action<PopulationOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Add(new GraphNode(name, GraphNodeKind.Neurons, shape) { Model = model, Configure = configure });
    }

    /// <summary>
    /// Max pooling of spikes (as <see cref="Sequential.MaxPool2d"/>): a layer of integrate-and-fire neurons of the pooled
    /// shape, each fed with weight <see cref="Sequential.PoolWeight"/> by every input of its window, so it fires once
    /// per instant at which any input of its window fires.
    /// </summary>
    /// <param name="name">The layer's name.</param>
    /// <param name="from">An existing input, neuron or pooling layer.</param>
    /// <param name="kernel">k.</param>
    /// <param name="stride">s (default k).</param>
    /// <param name="padding">p.</param>
    /// <returns>This graph.</returns>
    public LayerGraph AddMaxPool2d(string name, string from, int kernel, int? stride = null, int padding = 0)
    {
        int s = stride ?? kernel;
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(s, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        PopulationShape input = Node(from).Shape;
        PopulationShape shape = LayerPath.PoolShape(input, kernel, s, padding, "MaxPool2d");
        return Add(new GraphNode(name, GraphNodeKind.MaxPool, shape) { From = from, Pool = (kernel, s, padding) });
    }

    /// <summary>
    /// A connection from <paramref name="from"/> to the neuron layer <paramref name="to"/> through
    /// <paramref name="connection"/>; any two layers, in either direction (cycles and self-connections are allowed).
    /// </summary>
    /// <param name="from">The source layer.</param>
    /// <param name="to">A neuron layer (not an input or a pooling layer).</param>
    /// <param name="connection">The linear layers (identity weights 1 when null); the output shape must have the target's size.</param>
    /// <param name="receptor">The target model's receptor (default its first).</param>
    /// <param name="delay">The synapses' delay (default <see cref="Delay"/>).</param>
    /// <returns>This graph.</returns>
    public LayerGraph AddConnection(string from, string to, Func<LayerPath, LayerPath>? connection = null, string? receptor = null, SimDuration? delay = null)
    {
        GraphNode target = Node(to);
        if (target.Kind != GraphNodeKind.Neurons)
        {
            throw new ArgumentException($"Layer '{to}' is {(target.Kind == GraphNodeKind.Input ? "an input" : "a pooling layer")}; connections end at neuron layers.", nameof(to));
        }

        LayerPath path = MakePath(from, connection);
        if (path.Shape.Size != target.Shape.Size)
        {
            throw new ArgumentException($"The connection {from} -> {to} ends with {path.Shape.Size} outputs ({path.Shape}); layer '{to}' has {target.Shape.Size} ({target.Shape}).", nameof(connection));
        }

        if (delay is { } d)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d.Ticks, 1L, nameof(delay));
        }

        _connections.Add(new GraphConnection(from, to, path, receptor, delay));
        return this;
    }

    /// <summary>A spike monitor on a layer when built.</summary>
    /// <param name="name">A layer name.</param>
    /// <returns>This graph.</returns>
    public LayerGraph RecordSpikes(string name)
    {
        Node(name).Record = true;
        return this;
    }

    /// <summary>Compiles the graph into a network spec: populations in the order the layers were added; each layer's incoming connections from earlier layers follow it, connections back to earlier layers come last.</summary>
    /// <exception cref="ArgumentException">A bias reaches a model without a constant input (<c>i_offset</c>).</exception>
    /// <exception cref="InvalidOperationException">The graph has no layer.</exception>
    public NetworkSpec Build()
    {
        if (_nodes.Count == 0)
        {
            throw new InvalidOperationException("The layer graph is empty.");
        }

        var builder = new NetworkBuilder();
        var deferred = new List<GraphConnection>();
        for (int i = 0; i < _nodes.Count; i++)
        {
            GraphNode n = _nodes[i];
            switch (n.Kind)
            {
                case GraphNodeKind.Input:
                    builder.AddExternalInput(n.Name, n.Shape);
                    break;
                case GraphNodeKind.MaxPool:
                    builder.AddNeurons(n.Name, n.Shape, NeuronModel.IntegrateAndFire);
                    (int k, int s, int p) = n.Pool;
                    builder.Connect(n.From!, n.Name, LayerPath.PoolSynapses(_nodes[_index[n.From!]].Shape, n.Shape, k, s, p, Sequential.PoolWeight), o => o.Delay(Delay));
                    break;
                default:
                    AddNeuronLayer(builder, n);
                    break;
            }

            foreach (GraphConnection c in _connections.Where(c => c.To == n.Name))
            {
                if (_index[c.From] <= i)
                {
                    Connect(builder, c);
                }
                else
                {
                    deferred.Add(c);
                }
            }
        }

        foreach (GraphConnection c in _connections.Where(deferred.Contains))
        {
            Connect(builder, c);
        }

        foreach (GraphNode n in _nodes.Where(n => n.Record))
        {
            builder.RecordSpikes(n.Name);
        }

        return builder.Build();
    }

    /// <summary>
    /// Writes the graph as a saved layer model: <paramref name="path"/> (JSON: layers, connections, neuron settings) and
    /// <c>path</c> + <c>.weights</c> beside it (little-endian float32 weights, float64 per-neuron values), each written
    /// completely or not at all.
    /// </summary>
    /// <param name="path">The model file (conventionally <c>*.layers.json</c>).</param>
    /// <exception cref="InvalidOperationException">A layer uses a model without a registered name (<see cref="NeuronModels"/>).</exception>
    public void Save(string path) => LayerModelFile.Save(this, Build(), path);

    /// <summary>Reads a saved layer model (validated; errors name the file and the JSON path).</summary>
    /// <param name="path">The model file.</param>
    /// <returns>The graph, ready to <see cref="Build"/> or extend.</returns>
    /// <exception cref="NetworkFiles.NetworkFileException">The file or its weights are malformed.</exception>
    /// <exception cref="IOException">A file cannot be read.</exception>
    public static LayerGraph Load(string path) => LayerModelFile.Load(path);

    /// <summary>Whether <paramref name="path"/> is a saved layer model (a JSON object whose <c>format</c> is <c>eventsnn-layer-model</c>) rather than a network file.</summary>
    /// <param name="path">A JSON file.</param>
    public static bool IsModelFile(string path) => LayerModelFile.IsModelFile(path);

    private LayerPath MakePath(string from, Func<LayerPath, LayerPath>? connection)
    {
        var path = new LayerPath(Node(from).Shape);
        return connection is null ? path : connection(path) ?? path;
    }

    private void AddNeuronLayer(NetworkBuilder builder, GraphNode n)
    {
        float[]? bias = null;
        foreach (GraphConnection c in _connections.Where(c => c.To == n.Name && c.Path.Bias is not null))
        {
            bias ??= new float[n.Shape.Size];
            float[] b = c.Path.Bias!;
            for (int j = 0; j < bias.Length; j++)
            {
                bias[j] += b[j];
            }
        }

        bool hasBias = bias is not null && bias.Any(v => v != 0);
        if (hasBias && !n.Model!.Info.Parameters.Any(p => p.Name == "i_offset"))
        {
            throw new ArgumentException($"Layer '{n.Name}': model '{n.Model.Info.Name}' has no constant input (i_offset) to carry the bias of its connections.", nameof(n));
        }

        n.BiasOffset = hasBias ? [.. bias!.Select(v => (double)v)] : null;
        builder.AddNeurons(n.Name, n.Shape, n.Model!, o =>
        {
            if (n.BiasOffset is { } b)
            {
                o.SetPerNeuron("i_offset", b);
            }

            n.Configure?.Invoke(o);
        });
    }

    private void Connect(NetworkBuilder builder, GraphConnection c)
    {
        SimDuration delay = c.Delay ?? Delay;
        builder.Connect(c.From, c.To, c.Path.Synapses(), o =>
        {
            o.Delay(delay);
            if (c.Receptor is { } r)
            {
                o.Receptor(r);
            }

            if (_connections.Count(x => x.From == c.From && x.To == c.To) > 1)
            {
                o.Named($"{c.From}->{c.To}#{_connections.IndexOf(c)}");
            }
        });
    }

    private LayerGraph Add(GraphNode node)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(node.Name);
        if (!_index.TryAdd(node.Name, _nodes.Count))
        {
            throw new ArgumentException($"A layer named '{node.Name}' already exists.", nameof(node));
        }

        _nodes.Add(node);
        return this;
    }

    private GraphNode Node(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return _index.TryGetValue(name, out int i)
            ? _nodes[i]
            : throw new ArgumentException($"No layer named '{name}' (layers: {string.Join(", ", _nodes.Select(n => n.Name))}).", nameof(name));
    }
}

/// <summary>What a graph layer is.</summary>
internal enum GraphNodeKind
{
    Input,
    Neurons,
    MaxPool,
}

/// <summary>One layer of a <see cref="LayerGraph"/>.</summary>
internal sealed class GraphNode(string name, GraphNodeKind kind, PopulationShape shape)
{
    public string Name { get; } = name;

    public GraphNodeKind Kind { get; } = kind;

    public PopulationShape Shape { get; } = shape;

    public NeuronModel? Model { get; init; }

    public Action<PopulationOptions>? Configure { get; init; }

    public string? From { get; init; }

    public (int Kernel, int Stride, int Padding) Pool { get; init; }

    public bool Record { get; set; }

    /// <summary>The i_offset per neuron the connections' biases gave at the last build, or null.</summary>
    public double[]? BiasOffset { get; set; }
}

/// <summary>One connection of a <see cref="LayerGraph"/>.</summary>
internal sealed record GraphConnection(string From, string To, LayerPath Path, string? Receptor, SimDuration? Delay);
