namespace EventSnn.Devices.Lanes;

/// <summary>
/// The clock-mode state of a lane of neurons (float32, one lane per neuron or a SIMD vector of neurons): the membrane
/// potential, up to three further model variables and the remaining refractory steps.
/// </summary>
/// <typeparam name="TLane">The lane type.</typeparam>
/// <remarks>Which model variable lives in <see cref="S1"/>..<see cref="S3"/> is the model's choice (its list of state variables).</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1051:Do not declare visible instance fields", Justification = "A plain register-like record that kernels update in place through ref; properties would hide the by-ref access.")]
public struct ClockNeuron<TLane>
    where TLane : struct
{
    /// <summary>Membrane potential (mV).</summary>
    public TLane V;

    /// <summary>Model state variable 1.</summary>
    public TLane S1;

    /// <summary>Model state variable 2.</summary>
    public TLane S2;

    /// <summary>Model state variable 3.</summary>
    public TLane S3;

    /// <summary>Remaining refractory steps (a whole number; 0 when not refractory).</summary>
    public TLane Refractory;

    /// <summary>
    /// The output of lanes that fire this step, for models with graded output (a spike count, a graded spike, an analog
    /// activation): the engine multiplies the weights of the spike's deliveries by it. Binary models leave it alone.
    /// </summary>
    public TLane Output;
}

/// <summary>
/// The clock-driven step of a neuron model, written once over <see cref="ILane{TSelf, TMask}"/> so that every device runs
/// the same code: the CPU device with SIMD lanes, one neuron per lane for per-neuron parameters, GPU kernels.
/// </summary>
/// <typeparam name="TSelf">The implementing struct: the model's constants prepared for one step.</typeparam>
public interface IClockStep<TSelf>
    where TSelf : struct, IClockStep<TSelf>
{
    /// <summary>
    /// Advances a lane of neurons by one step: integrate over the step (respecting refractoriness), add the step's summed
    /// inputs per receptor, then apply the spike rule (at most one spike event per step).
    /// </summary>
    /// <typeparam name="TLane">The lane type.</typeparam>
    /// <typeparam name="TMask">Its mask type.</typeparam>
    /// <param name="neuron">The neurons' state (refractory time in whole steps).</param>
    /// <param name="input0">Summed input to receptor 0 due at the end of the step.</param>
    /// <param name="input1">Summed input to receptor 1 due at the end of the step (zero for one-receptor models).</param>
    /// <returns>The lanes that fire at the end of the step.</returns>
    TMask StepClock<TLane, TMask>(ref ClockNeuron<TLane> neuron, TLane input0, TLane input1)
        where TLane : struct, ILane<TLane, TMask>
        where TMask : struct, ILaneMask<TMask>;
}

