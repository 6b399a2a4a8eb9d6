namespace EventSnn.Simulator.Models;

/// <summary>Shared per-neuron operations used by both engines and the default dense step.</summary>
public static class DenseStepper
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
            model.AdvanceRefractory(ref state, r);
            state.Refractory -= r;
            dt -= r;
        }

        if (dt > 0)
        {
            model.AdvanceFree(ref state, dt);
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
        model.Reset(ref state);
        state.Refractory = model.RefractoryTicks;
    }

    /// <summary>
    /// The scalar reference dense step (used for per-neuron parameters and by models without a vector path):
    /// advance by the prepared step, add inputs, then spike while the threshold condition holds (a subtractive
    /// reset with no refractory period can emit at most one spike per step in clock mode).
    /// </summary>
    /// <typeparam name="TModel">The neuron model.</typeparam>
    /// <param name="models">One prepared model for all neurons, or one per neuron.</param>
    /// <param name="block">State and inputs.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="spiked">Receives indices of spiking neurons.</param>
    /// <returns>The number of spikes written.</returns>
    public static int StepScalar<TModel>(ReadOnlySpan<TModel> models, in DenseBlock block, int start, int end, Span<int> spiked)
        where TModel : struct, INeuronModel<TModel>
    {
        int n = 0;
        bool shared = models.Length == 1;
        ReadOnlySpan<double> in0 = block.Input0;
        ReadOnlySpan<double> in1 = block.Input1;
        for (int i = start; i < end; i++)
        {
            ref readonly TModel m = ref shared ? ref models[0] : ref models[i];
            NeuronState s = block.Load(i);
            Advance(m, ref s, m.StepTicks);
            if (!in0.IsEmpty && in0[i] != 0)
            {
                m.ApplyInput(ref s, 0, in0[i]);
            }

            if (!in1.IsEmpty && in1[i] != 0)
            {
                m.ApplyInput(ref s, 1, in1[i]);
            }

            if (s.Refractory <= 0 && m.IsAboveThreshold(s))
            {
                Spike(m, ref s);
                spiked[n++] = i;
            }

            block.Store(i, s);
        }

        return n;
    }
}
