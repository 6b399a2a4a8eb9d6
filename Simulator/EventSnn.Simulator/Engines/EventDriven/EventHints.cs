using System.Runtime.CompilerServices;
using EventSnn.Simulator.Models;

namespace EventSnn.Simulator.Engines.EventDriven;

/// <summary>
/// What the library's models know about how inputs move their trajectories, used by the event-driven execution to skip or
/// narrow crossing predictions. Resolved per model type when the JIT specialises <see cref="EventPopulation{TModel}"/>
/// (the type tests fold away); models without hints get the neutral answers.
/// </summary>
internal static class EventHints
{
    /// <summary>
    /// +1 when a neuron in <paramref name="state"/> that receives the summed inputs of one tick can only be higher at every
    /// later time (without further input) than without them, −1 when it can only be lower, 0 when unknown.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int InputDirection<TModel>(in TModel model, in NeuronState state, double input0, double input1)
        where TModel : struct, INeuronModel<TModel>
    {
        if (typeof(TModel) == typeof(CubaLif))
        {
            return CubaLif.InputDirection(input0, input1);
        }

        if (typeof(TModel) == typeof(CobaLif))
        {
            return Unsafe.As<TModel, CobaLif>(ref Unsafe.AsRef(in model)).InputDirection(state, input0, input1);
        }

        return 0;
    }

    /// <summary>
    /// Whether the model's prediction is cheap when it only yields a re-check point (CUBA LIF in power form: a bound tested at
    /// fixed horizons), so that re-predicting after inputs that can only lower the trajectory costs less than the early re-check
    /// it avoids.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool CheapBound<TModel>(in TModel model)
        where TModel : struct, INeuronModel<TModel>
        => typeof(TModel) == typeof(CubaLif) && Unsafe.As<TModel, CubaLif>(ref Unsafe.AsRef(in model)).UsesPowerForm;

    /// <summary>
    /// The model's crossing search, told that the first crossing is no later than <paramref name="notAfter"/> ticks (the
    /// previous prediction, before inputs that can only raise the trajectory).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static double FindCrossing<TModel>(in TModel model, in NeuronState state, double horizon, double notAfter, out double recheck)
        where TModel : struct, INeuronModel<TModel>
    {
        if (typeof(TModel) == typeof(CubaLif))
        {
            return Unsafe.As<TModel, CubaLif>(ref Unsafe.AsRef(in model)).FindCrossing(state, horizon, notAfter, out recheck);
        }

        return Unsafe.AsRef(in model).FindCrossing(state, horizon, out recheck);
    }
}
