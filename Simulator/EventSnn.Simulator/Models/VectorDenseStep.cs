using System.Numerics;
using System.Runtime.CompilerServices;

namespace EventSnn.Simulator.Models;

/// <summary>
/// The dynamics of one model inside <see cref="VectorDenseStep.Run"/>: integrates one <see cref="Vector{T}"/>-wide
/// chunk of neurons over the prepared step.
/// </summary>
internal interface IVectorDynamics
{
    /// <summary>
    /// Integrates the chunk starting at neuron <paramref name="i"/>: updates and stores the model's own state
    /// variables (all but v and the refractory time), adds this step's inputs, and returns the new potentials.
    /// </summary>
    /// <param name="i">First neuron of the chunk.</param>
    /// <param name="v">The potentials at the start of the step.</param>
    /// <param name="free">Lanes that were not refractory at the start of the step (v integrates).</param>
    /// <param name="active">Lanes that are not refractory at the end of the step (may take delta inputs and spike).</param>
    /// <returns>The potentials at the end of the step, before any reset.</returns>
    Vector<double> Step(int i, Vector<double> v, Vector<long> free, Vector<long> active);
}

/// <summary>
/// The vectorised dense-step skeleton shared by the leaky integrate-and-fire models: refractory bookkeeping,
/// threshold test, reset and spike collection around a model's <see cref="IVectorDynamics"/>, with chunks whose
/// refractory period ends inside the step and the tail handed to <see cref="DenseStepper.StepScalar"/>.
/// </summary>
internal static class VectorDenseStep
{
    /// <summary>Runs one dense step of neurons <c>[start, end)</c> with one shared prepared model.</summary>
    /// <typeparam name="TModel">The neuron model (for the scalar fallback).</typeparam>
    /// <typeparam name="TDyn">The model's chunk dynamics.</typeparam>
    /// <param name="models">The single prepared model.</param>
    /// <param name="block">State and inputs.</param>
    /// <param name="start">First neuron.</param>
    /// <param name="end">One past the last neuron.</param>
    /// <param name="spiked">Receives spiking indices.</param>
    /// <param name="dyn">The chunk dynamics.</param>
    /// <param name="vThresh">Threshold.</param>
    /// <param name="vReset">Reset potential.</param>
    /// <param name="refractoryTicks">Refractory period started by a spike.</param>
    /// <param name="reset">Reset mode (not <see cref="ResetMode.None"/>).</param>
    /// <param name="strict">Whether the threshold test is strict.</param>
    /// <param name="dtTicks">The prepared step.</param>
    /// <returns>Spike count.</returns>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Run<TModel, TDyn>(
        ReadOnlySpan<TModel> models,
        in DenseBlock block,
        int start,
        int end,
        Span<int> spiked,
        ref TDyn dyn,
        double vThresh,
        double vReset,
        double refractoryTicks,
        ResetMode reset,
        bool strict,
        double dtTicks)
        where TModel : struct, INeuronModel<TModel>
        where TDyn : struct, IVectorDynamics, allows ref struct
    {
        int w = Vector<double>.Count;
        var vt = new Vector<double>(vThresh);
        var dt = new Vector<double>(dtTicks);
        Span<double> vs = block.V;
        Span<double> rs = block.Refractory;
        int n = 0;
        int i = start;
        for (; i + w <= end; i += w)
        {
            var r = new Vector<double>(rs[i..]);
            if ((Vector.GreaterThan(r, Vector<double>.Zero) & Vector.LessThan(r, dt)) != Vector<long>.Zero)
            {
                n += DenseStepper.StepScalar(models, block, i, i + w, spiked[n..]);
                continue;
            }

            var v = new Vector<double>(vs[i..]);
            Vector<long> free = Vector.LessThanOrEqual(r, Vector<double>.Zero);
            r = Vector.Max(r - dt, Vector<double>.Zero);
            Vector<long> active = Vector.LessThanOrEqual(r, Vector<double>.Zero);
            v = dyn.Step(i, v, free, active);
            Vector<long> above = strict ? Vector.GreaterThan(v, vt) : Vector.GreaterThanOrEqual(v, vt);
            above &= active;
            v.CopyTo(vs[i..]);
            r.CopyTo(rs[i..]);
            if (above != Vector<long>.Zero)
            {
                for (int k = 0; k < w; k++)
                {
                    if (above[k] != 0)
                    {
                        vs[i + k] = LinearModelRules.Reset(vs[i + k], vThresh, vReset, reset);
                        rs[i + k] = refractoryTicks;
                        spiked[n++] = i + k;
                    }
                }
            }
        }

        if (i < end)
        {
            n += DenseStepper.StepScalar(models, block, i, end, spiked[n..]);
        }

        return n;
    }
}
