using EventSnn.Devices.Lanes;

namespace EventSnn.Simulator.Models;

/// <summary>
/// A neuron model: one immutable struct holding a population's (or one neuron's) constants, with the
/// operations both engines need. Adding a model means adding one struct that implements this interface
/// and registering it with <see cref="NeuronModel.For{TModel}"/>.
/// </summary>
/// <typeparam name="TSelf">The implementing struct.</typeparam>
/// <remarks>
/// <para><b>Units.</b> Potentials in mV, time in ticks (1 tick = 1 ns) as <see cref="double"/> for
/// durations inside a model; parameters given in ms are converted by <see cref="Create"/>.
/// All state is <see cref="double"/>: exactness tests at 1e-9 relative over 10⁷-tick intervals need it.</para>
/// <para><b>Event mode</b> uses <see cref="AdvanceFree"/>, <see cref="AdvanceRefractory"/>,
/// <see cref="ApplyInput"/>, <see cref="IsAboveThreshold"/>, <see cref="Reset"/> and <see cref="FindCrossing"/>
/// on one neuron at a time: a neuron is brought forward lazily by an arbitrary Δt with its exact solution
/// (closed-form propagators for linear models).</para>
/// <para><b>Clock mode</b> uses <see cref="WithTimeStep"/> once, then <see cref="IClockStep{TSelf}.StepClock{TLane, TMask}"/> on lanes of a
/// population's struct-of-arrays float32 state: SIMD vectors of neurons on the CPU device, one neuron per lane for
/// per-neuron parameters and on GPUs.</para>
/// <para><b>Spike rule (both engines).</b> A neuron that is not refractory spikes whenever its threshold condition
/// (<see cref="IsAboveThreshold"/>: <c>v ≥ v_thresh</c> or <c>v &gt; v_thresh</c>) holds; the spike applies
/// <see cref="Reset"/> and starts the refractory period (<see cref="RefractoryTicks"/>), during which
/// <c>v</c> is frozen, other variables keep evolving, and inputs that would jump <c>v</c> are discarded
/// (with <see cref="ResetMode.None"/> <c>v</c> keeps integrating and receiving input; only spiking is suppressed).</para>
/// </remarks>
public interface INeuronModel<TSelf> : IClockStep<TSelf>
    where TSelf : struct, INeuronModel<TSelf>
{
    /// <summary>The model's name, state variables, receptors and parameters.</summary>
    static abstract NeuronModelInfo Info { get; }

    /// <summary>
    /// Returns a message naming the offending parameter when the combination of values is invalid
    /// (single values are already range-checked against <see cref="NeuronModelInfo.Parameters"/>), or null.
    /// </summary>
    /// <param name="parameters">Parameter values in <see cref="NeuronModelInfo.Parameters"/> order.</param>
    /// <param name="rules">The spike rules (reset, threshold comparison, refractory end).</param>
    static abstract string? Validate(ReadOnlySpan<double> parameters, in SpikeRules rules);

    /// <summary>Creates the model constants from validated parameter values.</summary>
    /// <param name="parameters">Parameter values in <see cref="NeuronModelInfo.Parameters"/> order.</param>
    /// <param name="rules">The spike rules (reset, threshold comparison, refractory end).</param>
    static abstract TSelf Create(ReadOnlySpan<double> parameters, in SpikeRules rules);

    /// <summary>The initial state (v = v_rest unless the model says otherwise; not refractory).</summary>
    NeuronState InitialState { get; }

    /// <summary>The absolute refractory period in ticks.</summary>
    double RefractoryTicks { get; }

    /// <summary>The threshold potential in mV.</summary>
    double Threshold { get; }

    /// <summary>The fixed step (ticks) this instance was prepared for by <see cref="WithTimeStep"/>, or 0.</summary>
    double StepTicks { get; }

    /// <summary>Returns a copy with the clock-mode constants (propagators over one step, float32) precomputed.</summary>
    /// <param name="dtTicks">The step in ticks (positive).</param>
    TSelf WithTimeStep(double dtTicks);

    /// <summary>Integrates every variable by <paramref name="dt"/> ticks, ignoring threshold and refractoriness.</summary>
    /// <param name="state">The neuron state.</param>
    /// <param name="dt">The interval in ticks (≥ 0).</param>
    void AdvanceFree(ref NeuronState state, double dt);

    /// <summary>Integrates by <paramref name="dt"/> ticks with <c>v</c> frozen (refractory); does not change <see cref="NeuronState.Refractory"/>.</summary>
    /// <param name="state">The neuron state.</param>
    /// <param name="dt">The interval in ticks (≥ 0).</param>
    void AdvanceRefractory(ref NeuronState state, double dt);

    /// <summary>Applies one synaptic input of weight <paramref name="weight"/> to receptor <paramref name="receptor"/>.</summary>
    /// <param name="state">The neuron state.</param>
    /// <param name="receptor">Receptor index (<see cref="NeuronModelInfo.Receptors"/>).</param>
    /// <param name="weight">Synaptic weight (mV for voltage and current receptors, 1 for conductances).</param>
    void ApplyInput(ref NeuronState state, int receptor, double weight);

    /// <summary>Whether the threshold condition holds (<c>v ≥ v_thresh</c> or <c>v &gt; v_thresh</c>).</summary>
    /// <param name="state">The neuron state.</param>
    bool IsAboveThreshold(in NeuronState state);

    /// <summary>Applies the spike reset (the engine starts the refractory period).</summary>
    /// <param name="state">The neuron state.</param>
    void Reset(ref NeuronState state);

    /// <summary>
    /// Finds the earliest δ in [0, <paramref name="horizon"/>] at which the threshold condition holds for a
    /// non-refractory neuron that receives no further input, by closed form where one exists, otherwise by a
    /// documented search (see <see cref="CrossingSearch"/>).
    /// </summary>
    /// <param name="state">The neuron state (not refractory).</param>
    /// <param name="horizon">The longest interval to search, ticks.</param>
    /// <param name="recheck">
    /// When no crossing is returned: an offset (ticks, ≥ 1) before which the condition provably cannot hold and at which
    /// the engine must search again, or +∞ when it can never hold without further input.
    /// </param>
    /// <returns>δ in ticks, or <see cref="double.PositiveInfinity"/>.</returns>
    double FindCrossing(in NeuronState state, double horizon, out double recheck);

    /// <summary>
    /// Returns a message when these parameter values have no exact event-driven form (for example a population-wide rule
    /// that only exists in clock mode), or null (the default). The engine refuses event-driven execution with it.
    /// </summary>
    /// <param name="parameters">Parameter values in <see cref="NeuronModelInfo.Parameters"/> order.</param>
    static virtual string? EventDrivenProblem(ReadOnlySpan<double> parameters) => null;

    /// <summary>
    /// Whether a clock-driven population of these neurons applies <see cref="ApplyPopulationRule"/> after every step
    /// (false by default: neurons are independent within a step).
    /// </summary>
    /// <param name="models">The population's models: one shared instance, or one per neuron.</param>
    static virtual bool UsesPopulationRule(ReadOnlySpan<TSelf> models) => false;

    /// <summary>
    /// A population-wide rule applied after every clock step, once every neuron has run its lane step: it may change
    /// state (<paramref name="view"/>) and the spikes of the step (for example winner-take-all inhibition keeps only the
    /// most depolarised neuron). Runs on the host, one step at a time; the default keeps everything.
    /// </summary>
    /// <param name="models">The population's models: one shared instance, or one per neuron.</param>
    /// <param name="view">The population's state after the step, writable.</param>
    /// <param name="spiked">The neurons that fired in the step (ascending); the rule rewrites the start of the span.</param>
    /// <returns>The number of neurons that fire after the rule (their indices ascending at the start of <paramref name="spiked"/>).</returns>
    static virtual int ApplyPopulationRule(ReadOnlySpan<TSelf> models, in ClockPopulationView view, Span<int> spiked) => spiked.Length;
}
