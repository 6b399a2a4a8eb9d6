using System.Collections.Frozen;
using System.Collections.Immutable;
using EventSnn.Simulator.Models.Matterhorn;
using EventSnn.Simulator.Models.PySnn;
using EventSnn.Simulator.Models.SnnTorch;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The built-in neuron models by name (<see cref="NeuronModelInfo.Name"/>): the physical-unit family (<c>lif</c>, <c>if</c>,
/// <c>cuba_lif</c>, <c>coba_lif</c>, <c>adaptive_lif</c>, <c>adex</c>, <c>izhikevich</c>, <c>srm0</c>) and the models that
/// reproduce the discrete-time libraries step for step, named <c>library.class</c> in lower case (<c>snntorch.leaky</c>,
/// <c>matterhorn.lif</c>, <c>pysnn.lif</c>, …). See docs/Models.md.
/// </summary>
public static class NeuronModels
{
    /// <summary>Every built-in model, physical-unit family first, then snnTorch, Matterhorn and PySNN.</summary>
    public static ImmutableArray<NeuronModel> All { get; } =
    [
        NeuronModel.Lif,
        NeuronModel.IntegrateAndFire,
        NeuronModel.CubaLif,
        NeuronModel.CobaLif,
        NeuronModel.AdaptiveLif,
        NeuronModel.For<Adex>(),
        NeuronModel.For<Izhikevich>(),
        NeuronModel.For<Srm0>(),
        NeuronModel.For<Leaky>(),
        NeuronModel.For<Synaptic>(),
        NeuronModel.For<Alpha>(),
        NeuronModel.For<Lapicque>(),
        NeuronModel.For<RLeaky>(),
        NeuronModel.For<RSynaptic>(),
        NeuronModel.For<MatterhornIf>(),
        NeuronModel.For<MatterhornLif>(),
        NeuronModel.For<MatterhornQif>(),
        NeuronModel.For<MatterhornExpIf>(),
        NeuronModel.For<MatterhornIzhikevich>(),
        NeuronModel.For<MatterhornKlif>(),
        NeuronModel.For<MatterhornLiaf>(),
        NeuronModel.For<PySnnIf>(),
        NeuronModel.For<PySnnLif>(),
        NeuronModel.For<PySnnAdaptiveLif>(),
        NeuronModel.For<PySnnFede>(),
        NeuronModel.For<PySnnInput>(),
    ];

    // Initialised after All (static initialisers run in textual order).
    private static readonly FrozenDictionary<string, NeuronModel> s_byName = All.ToFrozenDictionary(m => m.Info.Name, StringComparer.Ordinal);

    /// <summary>Finds a built-in model by name (exact, lower case).</summary>
    /// <param name="name">The model name, for example <c>snntorch.leaky</c>.</param>
    /// <param name="model">The model, or null.</param>
    /// <returns>Whether the name is known.</returns>
    public static bool TryGet(string name, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out NeuronModel? model)
        => s_byName.TryGetValue(name ?? string.Empty, out model);

    /// <summary>The names of every built-in model.</summary>
    public static IEnumerable<string> Names => All.Select(m => m.Info.Name);
}
