using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The exact per-neuron operations of event-driven execution, built from a model's own operations. The model is passed and
/// called by reference, never copied.
/// </summary>
public static class ExactSteps
{
    /// <summary>
    /// Advances one neuron by <paramref name="dt"/> ticks: first through any remaining refractory time
    /// (v frozen), then freely. Exact whenever the model's advance is exact.
    /// </summary>
    /// <typeparam name="TModel">The neuron model.</typeparam>
    /// <param name="model">The neuron's model constants.</param>
    /// <param name="state">The state.</param>
    /// <param name="dt">The interval in ticks (≥ 0).</param>
    public static void Advance<TModel>(in TModel model, ref NeuronState state, double dt)
        where TModel : struct, INeuronModel<TModel>
    {
        if (state.Refractory > 0)
        {
            double r = Math.Min(state.Refractory, dt);
            Unsafe.AsRef(in model).AdvanceRefractory(ref state, r);
            state.Refractory -= r;
            dt -= r;
        }

        if (dt > 0)
        {
            Unsafe.AsRef(in model).AdvanceFree(ref state, dt);
        }
    }

    /// <summary>
    /// Applies a spike: resets the potential and starts the refractory period.
    /// </summary>
    /// <typeparam name="TModel">The neuron model.</typeparam>
    /// <param name="model">The neuron's model constants.</param>
    /// <param name="state">The state.</param>
    public static void Spike<TModel>(in TModel model, ref NeuronState state)
        where TModel : struct, INeuronModel<TModel>
    {
        Unsafe.AsRef(in model).Reset(ref state);
        state.Refractory = Unsafe.AsRef(in model).RefractoryTicks;
    }
}
