using System.Globalization;
using EventSnn.EventQueue;

namespace EventSnn.Simulator.Network;

/// <summary>How a plastic synapse's traces accumulate at spikes.</summary>
public enum TraceMode
{
    /// <summary>All-to-all interaction: the trace increases by its amplitude at each spike (<c>x ← x + b</c>).</summary>
    Additive = 0,

    /// <summary>Nearest-spike interaction: the trace is set to its amplitude at each spike (<c>x ← b</c>).</summary>
    Nearest = 1,
}

/// <summary>How a trace decays between spikes.</summary>
public enum TraceDecay
{
    /// <summary>Exact exponential decay <c>x·e^{−Δt/τ}</c> in continuous time.</summary>
    Exponential = 0,

    /// <summary>PySNN's linear trace: a fixed factor λ per step (<c>x ← λ·x + α·s</c>).</summary>
    LinearFactor = 1,

    /// <summary>PySNN's exponential trace, forward Euler: <c>x ← x + (dt/τ)·(−x + α·s)</c>, i.e. factor 1 − dt/τ per step and amplitude α·dt/τ.</summary>
    ExponentialEuler = 2,

    /// <summary>snnTorch's trace: <c>x ← x − x/τ + s</c> with τ in steps, i.e. factor 1 − 1/τ per step.</summary>
    SnnTorch = 3,

    /// <summary>Matterhorn's pair kernel: a pair Δt steps apart weighs <c>(1/τ)^{Δt − 1}</c>, i.e. factor 1/τ per step and amplitude τ.</summary>
    Matterhorn = 4,
}

/// <summary>
/// A spike trace: what it adds at a spike and how it decays. Every kind is a per-step factor q and an amplitude b; EventSnn
/// decays it lazily as <c>x·q^{Δt/dt}</c> for any Δt (exact for <see cref="TraceDecay.Exponential"/>, where q = e^{−dt/τ}),
/// so step-based traces are reproduced exactly on their grid and extended to continuous time between grid points.
/// </summary>
/// <param name="Decay">The decay law.</param>
/// <param name="Tau">Time constant: ms for <see cref="TraceDecay.Exponential"/> and <see cref="TraceDecay.ExponentialEuler"/>, steps for <see cref="TraceDecay.SnnTorch"/> and <see cref="TraceDecay.Matterhorn"/>, unused for <see cref="TraceDecay.LinearFactor"/>.</param>
/// <param name="Factor">Per-step factor λ of <see cref="TraceDecay.LinearFactor"/> (0 &lt; λ ≤ 1), unused otherwise.</param>
/// <param name="Step">The step the factor refers to (unused for <see cref="TraceDecay.Exponential"/>).</param>
/// <param name="Alpha">Scale of a spike's contribution (α; 1 by default).</param>
/// <param name="Mode">All-to-all or nearest-spike accumulation.</param>
public sealed record TraceSpec(TraceDecay Decay, double Tau, double Factor, SimDuration Step, double Alpha = 1.0, TraceMode Mode = TraceMode.Additive)
{
    /// <summary>An exact exponential trace <c>x·e^{−Δt/τ}</c>, amplitude 1.</summary>
    /// <param name="tauMs">Time constant in ms (&gt; 0).</param>
    /// <param name="mode">Accumulation.</param>
    public static TraceSpec Exponential(double tauMs, TraceMode mode = TraceMode.Additive) => new(TraceDecay.Exponential, tauMs, 0, SimDuration.Zero, 1.0, mode);

    /// <summary>PySNN's linear trace <c>x ← λ·x + α·s</c> per step.</summary>
    /// <param name="factor">λ in (0, 1].</param>
    /// <param name="step">The step.</param>
    /// <param name="alpha">α.</param>
    /// <param name="mode">Accumulation.</param>
    public static TraceSpec LinearFactor(double factor, SimDuration step, double alpha = 1.0, TraceMode mode = TraceMode.Additive) => new(TraceDecay.LinearFactor, 0, factor, step, alpha, mode);

    /// <summary>PySNN's exponential trace by forward Euler, <c>x ← x + (dt/τ)·(−x + α·s)</c> per step.</summary>
    /// <param name="tauMs">τ in ms (must exceed the step).</param>
    /// <param name="step">The step dt.</param>
    /// <param name="alpha">α.</param>
    /// <param name="mode">Accumulation.</param>
    public static TraceSpec ExponentialEuler(double tauMs, SimDuration step, double alpha = 1.0, TraceMode mode = TraceMode.Additive) => new(TraceDecay.ExponentialEuler, tauMs, 0, step, alpha, mode);

    /// <summary>snnTorch's trace <c>x ← x − x/τ + s</c> per step.</summary>
    /// <param name="tauSteps">τ in steps (≥ 1).</param>
    /// <param name="step">The step.</param>
    public static TraceSpec SnnTorch(double tauSteps, SimDuration step) => new(TraceDecay.SnnTorch, tauSteps, 0, step);

    /// <summary>Matterhorn's pair kernel <c>(1/τ)^{Δt − 1}</c> (Δt in steps) as a trace.</summary>
    /// <param name="tauSteps">τ in steps (≥ 1).</param>
    /// <param name="step">The step.</param>
    public static TraceSpec Matterhorn(double tauSteps, SimDuration step) => new(TraceDecay.Matterhorn, tauSteps, 0, step);

    /// <summary>The factor q by which the trace shrinks per <see cref="Step"/> (for exponential traces, per millisecond).</summary>
    public double StepFactor => Decay switch
    {
        TraceDecay.Exponential => Math.Exp(-1 / Tau),
        TraceDecay.LinearFactor => Factor,
        TraceDecay.ExponentialEuler => 1 - (Step.Ticks / Units.MsToTicks(Tau)),
        TraceDecay.SnnTorch => 1 - (1 / Tau),
        _ => 1 / Tau,
    };

    /// <summary>What one spike adds (additive) or sets (nearest).</summary>
    public double Amplitude => Decay switch
    {
        TraceDecay.ExponentialEuler => Alpha * Step.Ticks / Units.MsToTicks(Tau),
        TraceDecay.Matterhorn => Alpha * Tau,
        _ => Alpha,
    };

    /// <summary>The decay rate per tick, <c>−ln q / dt</c> (0 for a trace that never decays; +∞ for one that vanishes after a step).</summary>
    public double RatePerTick => Decay == TraceDecay.Exponential
        ? 1 / Units.MsToTicks(Tau)
        : StepFactor <= 0 ? double.PositiveInfinity : -Math.Log(StepFactor) / Step.Ticks;

    internal void Validate(string label, string field, List<string> errors)
    {
        string at = $"{label}: field '{field}'";
        if (!double.IsFinite(Alpha))
        {
            errors.Add($"{at}.alpha must be finite (got {PlasticitySpec.Fmt(Alpha)})");
        }

        if (Decay != TraceDecay.Exponential && Step.Ticks < 1)
        {
            errors.Add($"{at}.step must be ≥ 1 tick for a {Decay} trace (got {Step})");
            return;
        }

        switch (Decay)
        {
            case TraceDecay.Exponential when !(Tau > 0) || !double.IsFinite(Tau):
                errors.Add($"{at}.tau must be finite and > 0 ms (got {PlasticitySpec.Fmt(Tau)})");
                break;
            case TraceDecay.LinearFactor when !(Factor > 0 && Factor <= 1):
                errors.Add($"{at}.factor must be in (0, 1] (got {PlasticitySpec.Fmt(Factor)})");
                break;
            case TraceDecay.ExponentialEuler when !(Units.MsToTicks(Tau) > Step.Ticks) || !double.IsFinite(Tau):
                errors.Add($"{at}.tau must be finite and longer than the step {Step} (got {PlasticitySpec.Fmt(Tau)} ms)");
                break;
            case TraceDecay.SnnTorch or TraceDecay.Matterhorn when !(Tau > 1) || !double.IsFinite(Tau):
                errors.Add($"{at}.tau must be finite and > 1 step (got {PlasticitySpec.Fmt(Tau)})");
                break;
        }
    }
}

/// <summary>How a pair rule's weight change depends on the current weight.</summary>
public enum WeightDependence
{
    /// <summary>Additive with hard bounds: <c>Δw₊ = A₊·x_pre</c>, <c>Δw₋ = A₋·x_post</c>, then w is clipped to [w_min, w_max].</summary>
    Additive = 0,

    /// <summary>
    /// Multiplicative depression (van Rossum, Bi &amp; Turrigiano 2000): <c>Δw₊ = A₊·x_pre</c>,
    /// <c>Δw₋ = A₋·(w − w_min)·x_post</c>, then clipped to [w_min, w_max].
    /// </summary>
    Multiplicative = 1,

    /// <summary>
    /// Soft bounds (Gütig et al. 2003 with exponent μ): <c>Δw₊ = A₊·(w_max − w)^μ·x_pre</c>,
    /// <c>Δw₋ = A₋·(w − w_min)^μ·x_post</c>; μ = 1 is the linear soft-bound rule, then clipped (a no-op while A·x ≤ 1).
    /// </summary>
    SoftBounds = 2,

    /// <summary>snnTorch's default <c>f_pre(w) = f_post(w) = w</c>: <c>Δw₊ = A₊·w·x_pre</c>, <c>Δw₋ = A₋·w·x_post</c>, then clipped.</summary>
    Proportional = 3,
}

/// <summary>How a pre and a post spike at the very same tick pair.</summary>
public enum SameTickPairing
{
    /// <summary>In processing order: the spike processed second sees the first one's trace (pre first: potentiation; post first: depression).</summary>
    ProcessingOrder = 0,

    /// <summary>They do not pair (Matterhorn's Δt = 0 convention).</summary>
    Exclude = 1,

    /// <summary>They pair both ways, potentiation and depression (snnTorch: both traces include the step's own spikes).</summary>
    Include = 2,
}

/// <summary>
/// A synaptic plasticity rule of a projection. Each rule has a name (<see cref="Rule"/>) that network files use in
/// <c>"plasticity": {"rule": …}</c>; the runtime is created by the engine.
/// </summary>
public abstract record PlasticitySpec
{
    /// <summary>The rule's name in network files (for example <c>stdp_pair</c>).</summary>
    public abstract string Rule { get; }

    /// <summary>Lower weight bound.</summary>
    public abstract double WMin { get; }

    /// <summary>Upper weight bound.</summary>
    public abstract double WMax { get; }

    /// <summary>Whether the rule may run on a convolution, updating the shared kernel entries.</summary>
    public virtual bool SupportsSharedKernel => true;

    /// <summary>Whether the rule is modulated by the engine's reward input (<see cref="Engines.SimulationEngine.SetReward(double)"/>).</summary>
    public virtual bool UsesReward => false;

    internal static string Fmt(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    internal void Validate(string label, List<string> errors, bool nonNegativeWeights, bool convolution)
    {
        string p = $"{label}: field '{Prefix}";
        if (!double.IsFinite(WMin) || !double.IsFinite(WMax) || WMax < WMin)
        {
            errors.Add($"{label}: fields '{Prefix}.w_min'/'{Prefix}.w_max' must be finite with w_min ≤ w_max (got {Fmt(WMin)}, {Fmt(WMax)})");
        }
        else if (nonNegativeWeights && WMin < 0)
        {
            errors.Add($"{p}.w_min' must be ≥ 0 for a conductance model");
        }

        if (convolution && !SupportsSharedKernel)
        {
            errors.Add($"{label}: rule '{Rule}' is not supported on a convolution (per-synapse state cannot be shared by a kernel)");
        }

        ValidateCore(label, errors);
    }

    /// <summary>The field prefix used in validation messages.</summary>
    private protected virtual string Prefix => "plasticity";

    private protected abstract void ValidateCore(string label, List<string> errors);

    private protected static void NonNegative(string label, string field, double v, List<string> errors)
    {
        if (!(v >= 0) || !double.IsFinite(v))
        {
            errors.Add($"{label}: field '{field}' must be finite and ≥ 0 (got {Fmt(v)})");
        }
    }

    private protected static void Finite(string label, string field, double v, List<string> errors)
    {
        if (!double.IsFinite(v))
        {
            errors.Add($"{label}: field '{field}' must be finite (got {Fmt(v)})");
        }
    }

    private protected static void PositiveMs(string label, string field, double v, List<string> errors)
    {
        if (!(v > 0) || !double.IsFinite(v))
        {
            errors.Add($"{label}: field '{field}' must be finite and > 0 ms (got {Fmt(v)})");
        }
    }
}

/// <summary>
/// Pair-based STDP (rule <c>stdp_pair</c>). For a presynaptic spike at <c>t_pre</c> and a postsynaptic spike at
/// <c>t_post</c>, Δt = t_post − t_pre: Δw = +A₊·f₊(w)·e^{−Δt/τ₊} if Δt &gt; 0, −A₋·f₋(w)·e^{Δt/τ₋} if Δt &lt; 0 (Δt = 0 as
/// <see cref="SameTick"/> says), then w is clipped to [w_min, w_max]; f₊, f₋ from <see cref="Dependence"/>.
/// Spike times are the spike times of the neurons (axonal delays do not enter the rule).
/// </summary>
/// <param name="APlus">Potentiation amplitude (≥ 0).</param>
/// <param name="AMinus">Depression amplitude (≥ 0).</param>
/// <param name="TauPlusMs">Presynaptic trace time constant in ms (&gt; 0).</param>
/// <param name="TauMinusMs">Postsynaptic trace time constant in ms (&gt; 0).</param>
/// <param name="WMin">Lower weight bound.</param>
/// <param name="WMax">Upper weight bound (≥ <paramref name="WMin"/>).</param>
/// <param name="Mode">Trace accumulation.</param>
public sealed record StdpSpec(double APlus, double AMinus, double TauPlusMs, double TauMinusMs, double WMin, double WMax, TraceMode Mode = TraceMode.Additive) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "stdp_pair";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <summary>Weight dependence (additive with hard bounds by default).</summary>
    public WeightDependence Dependence { get; init; }

    /// <summary>Exponent μ of <see cref="WeightDependence.SoftBounds"/> (default 1).</summary>
    public double Mu { get; init; } = 1;

    /// <summary>Presynaptic trace; null for an exponential trace with <see cref="TauPlusMs"/> and <see cref="Mode"/>.</summary>
    public TraceSpec? PreTrace { get; init; }

    /// <summary>Postsynaptic trace; null for an exponential trace with <see cref="TauMinusMs"/> and <see cref="Mode"/>.</summary>
    public TraceSpec? PostTrace { get; init; }

    /// <summary>Pairing of a pre and a post spike at the same tick.</summary>
    public SameTickPairing SameTick { get; init; }

    /// <summary>The presynaptic trace in effect.</summary>
    public TraceSpec EffectivePreTrace => PreTrace ?? TraceSpec.Exponential(TauPlusMs, Mode);

    /// <summary>The postsynaptic trace in effect.</summary>
    public TraceSpec EffectivePostTrace => PostTrace ?? TraceSpec.Exponential(TauMinusMs, Mode);

    private protected override string Prefix => "stdp";

    private protected override void ValidateCore(string label, List<string> errors)
    {
        NonNegative(label, "stdp.a_plus", APlus, errors);
        NonNegative(label, "stdp.a_minus", AMinus, errors);
        if (PreTrace is null)
        {
            PositiveMs(label, "stdp.tau_plus", TauPlusMs, errors);
        }
        else
        {
            PreTrace.Validate(label, "stdp.pre_trace", errors);
        }

        if (PostTrace is null)
        {
            PositiveMs(label, "stdp.tau_minus", TauMinusMs, errors);
        }
        else
        {
            PostTrace.Validate(label, "stdp.post_trace", errors);
        }

        if (!(Mu >= 0) || !double.IsFinite(Mu))
        {
            errors.Add($"{label}: field 'stdp.mu' must be finite and ≥ 0 (got {Fmt(Mu)})");
        }
    }
}

/// <summary>
/// Triplet STDP (Pfister &amp; Gerstner 2006; rule <c>stdp_triplet</c>). Presynaptic traces r₁ (τ₊), r₂ (τₓ) and
/// postsynaptic traces o₁ (τ₋), o₂ (τ_y). At a presynaptic spike: <c>w ← w − o₁·(A₂₋ + A₃₋·r₂(t−ε))</c>, then r₁, r₂ are
/// bumped; at a postsynaptic spike: <c>w ← w + r₁·(A₂₊ + A₃₊·o₂(t−ε))</c>, then o₁, o₂ are bumped (t−ε: the value before
/// this spike's own bump); w is clipped to [w_min, w_max]. <see cref="TraceMode.Additive"/> gives the all-to-all model,
/// <see cref="TraceMode.Nearest"/> the nearest-spike model.
/// </summary>
/// <param name="A2Plus">Pair potentiation amplitude A₂₊ (≥ 0).</param>
/// <param name="A3Plus">Triplet potentiation amplitude A₃₊ (≥ 0).</param>
/// <param name="A2Minus">Pair depression amplitude A₂₋ (≥ 0).</param>
/// <param name="A3Minus">Triplet depression amplitude A₃₋ (≥ 0).</param>
/// <param name="TauPlusMs">τ₊ of r₁ in ms.</param>
/// <param name="TauMinusMs">τ₋ of o₁ in ms.</param>
/// <param name="TauXMs">τₓ of r₂ in ms.</param>
/// <param name="TauYMs">τ_y of o₂ in ms.</param>
/// <param name="WMin">Lower weight bound.</param>
/// <param name="WMax">Upper weight bound.</param>
/// <param name="Mode">All-to-all (additive traces) or nearest-spike.</param>
public sealed record TripletStdpSpec(double A2Plus, double A3Plus, double A2Minus, double A3Minus, double TauPlusMs, double TauMinusMs, double TauXMs, double TauYMs, double WMin, double WMax, TraceMode Mode = TraceMode.Additive) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "stdp_triplet";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <summary>
    /// False (default): the presynaptic side of the rule sees a spike when the presynaptic neuron fires. True: it sees it
    /// when it arrives at each synapse, after that synapse's delay (traces r₁, r₂ kept per synapse, depression applied at
    /// arrival with o₁ at the arrival tick), as Brian 1's STDP runs on a connection with heterogeneous delays (Diehl &amp;
    /// Cook's code). Not available on convolutions.
    /// </summary>
    public bool PreAtArrival { get; init; }

    /// <inheritdoc/>
    public override bool SupportsSharedKernel => !PreAtArrival;

    /// <summary>Pfister &amp; Gerstner (2006) Table 4, visual cortex, all-to-all, full model.</summary>
    /// <param name="wMin">Lower bound.</param>
    /// <param name="wMax">Upper bound.</param>
    public static TripletStdpSpec VisualCortexAllToAll(double wMin = 0, double wMax = 1) => new(5e-10, 6.2e-3, 7e-3, 2.3e-4, 16.8, 33.7, 101, 125, wMin, wMax);

    /// <summary>Pfister &amp; Gerstner (2006) Table 4, visual cortex, all-to-all, minimal model (A₃₋ = 0).</summary>
    /// <param name="wMin">Lower bound.</param>
    /// <param name="wMax">Upper bound.</param>
    public static TripletStdpSpec VisualCortexAllToAllMinimal(double wMin = 0, double wMax = 1) => new(0, 6.5e-3, 7.1e-3, 0, 16.8, 33.7, 101, 125, wMin, wMax);

    /// <summary>Pfister &amp; Gerstner (2006) Table 4, visual cortex, nearest-spike, full model.</summary>
    /// <param name="wMin">Lower bound.</param>
    /// <param name="wMax">Upper bound.</param>
    public static TripletStdpSpec VisualCortexNearest(double wMin = 0, double wMax = 1) => new(8.8e-11, 5.3e-2, 6.6e-3, 3.1e-3, 16.8, 33.7, 714, 40, wMin, wMax, TraceMode.Nearest);

    /// <summary>
    /// The rule of Diehl &amp; Cook (2015): nearest-spike traces, pre trace τ 20 ms, post traces 20 ms and 40 ms;
    /// <c>w ← w − ν_pre·o₁</c> at a presynaptic spike, <c>w ← w + ν_post·r₁·o₂(t−ε)</c> at a postsynaptic spike.
    /// </summary>
    /// <param name="nuPre">ν_pre (0.0001 in the paper).</param>
    /// <param name="nuPost">ν_post (0.01 in the paper).</param>
    /// <param name="wMax">Upper bound (1 in the paper).</param>
    public static TripletStdpSpec DiehlCook2015(double nuPre = 1e-4, double nuPost = 1e-2, double wMax = 1) => new(0, nuPost, nuPre, 0, 20, 20, 20, 40, 0, wMax, TraceMode.Nearest);

    private protected override void ValidateCore(string label, List<string> errors)
    {
        NonNegative(label, "plasticity.a2_plus", A2Plus, errors);
        NonNegative(label, "plasticity.a3_plus", A3Plus, errors);
        NonNegative(label, "plasticity.a2_minus", A2Minus, errors);
        NonNegative(label, "plasticity.a3_minus", A3Minus, errors);
        PositiveMs(label, "plasticity.tau_plus", TauPlusMs, errors);
        PositiveMs(label, "plasticity.tau_minus", TauMinusMs, errors);
        PositiveMs(label, "plasticity.tau_x", TauXMs, errors);
        PositiveMs(label, "plasticity.tau_y", TauYMs, errors);
    }
}

/// <summary>
/// Reward-modulated STDP without eligibility trace (MSTDP, Florian 2007; rule <c>mstdp</c>):
/// <c>dw/dt = γ·r(t)·ζ(t)</c> with ζ the pair terms at spikes, so at a postsynaptic spike <c>w ← w + γ·r·a_pre·x_pre</c>
/// and at a presynaptic spike <c>w ← w − γ·r·a_post·x_post</c>, clipped to [w_min, w_max]; r is the engine's reward
/// input at that instant (<see cref="Engines.SimulationEngine.SetReward(double)"/>).
/// </summary>
/// <param name="APre">a_pre: potentiation scale (PySNN's name).</param>
/// <param name="APost">a_post: depression scale.</param>
/// <param name="PreTrace">Presynaptic trace.</param>
/// <param name="PostTrace">Postsynaptic trace.</param>
/// <param name="LearningRate">γ (PySNN's lr).</param>
/// <param name="WMin">Lower bound.</param>
/// <param name="WMax">Upper bound.</param>
public sealed record MstdpSpec(double APre, double APost, TraceSpec PreTrace, TraceSpec PostTrace, double LearningRate, double WMin, double WMax) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "mstdp";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <inheritdoc/>
    public override bool UsesReward => true;

    private protected override void ValidateCore(string label, List<string> errors)
    {
        NonNegative(label, "plasticity.a_pre", APre, errors);
        NonNegative(label, "plasticity.a_post", APost, errors);
        Finite(label, "plasticity.lr", LearningRate, errors);
        PreTrace.Validate(label, "plasticity.pre_trace", errors);
        PostTrace.Validate(label, "plasticity.post_trace", errors);
    }
}

/// <summary>
/// Reward-modulated STDP with eligibility trace (MSTDPET, Florian 2007, in PySNN's parameterisation; rule
/// <c>mstdpet</c>). Each synapse has an eligibility e: at a postsynaptic spike <c>e ← e + a_pre·x_pre</c>, at a
/// presynaptic spike <c>e ← e − a_post·x_post</c>, and e decays by the factor <see cref="EligibilityDecay"/> per
/// <see cref="Step"/> (continuous rate <c>κ = −ln λ / dt</c>); the weight follows <c>dw/dt = (lr/dt)·r(t)·e(t)</c>,
/// integrated exactly between events (r piecewise constant), then clipped to [w_min, w_max] when brought up to date.
/// PySNN's discrete update <c>e ← λe + …; w ← w + lr·r·e</c> per step is the same law sampled on its grid.
/// </summary>
/// <param name="APre">a_pre.</param>
/// <param name="APost">a_post.</param>
/// <param name="PreTrace">Presynaptic trace.</param>
/// <param name="PostTrace">Postsynaptic trace.</param>
/// <param name="LearningRate">lr per step.</param>
/// <param name="EligibilityDecay">λ: factor per step (0 &lt; λ &lt; 1).</param>
/// <param name="Step">The step dt of <paramref name="LearningRate"/> and <paramref name="EligibilityDecay"/>.</param>
/// <param name="WMin">Lower bound.</param>
/// <param name="WMax">Upper bound.</param>
public sealed record MstdpetSpec(double APre, double APost, TraceSpec PreTrace, TraceSpec PostTrace, double LearningRate, double EligibilityDecay, SimDuration Step, double WMin, double WMax) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "mstdpet";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <inheritdoc/>
    public override bool UsesReward => true;

    /// <inheritdoc/>
    public override bool SupportsSharedKernel => false;

    /// <summary>The eligibility time constant in ticks, <c>−dt / ln λ</c>.</summary>
    public double EligibilityTauTicks => -Step.Ticks / Math.Log(EligibilityDecay);

    private protected override void ValidateCore(string label, List<string> errors)
    {
        NonNegative(label, "plasticity.a_pre", APre, errors);
        NonNegative(label, "plasticity.a_post", APost, errors);
        Finite(label, "plasticity.lr", LearningRate, errors);
        if (!(EligibilityDecay > 0 && EligibilityDecay < 1))
        {
            errors.Add($"{label}: field 'plasticity.e_trace_decay' must be in (0, 1) (got {Fmt(EligibilityDecay)})");
        }

        if (Step.Ticks < 1)
        {
            errors.Add($"{label}: field 'plasticity.step' must be ≥ 1 tick (got {Step})");
        }

        PreTrace.Validate(label, "plasticity.pre_trace", errors);
        PostTrace.Validate(label, "plasticity.post_trace", errors);
    }
}

/// <summary>
/// FedeSTDP (Paredes-Vallés et al. 2019, as in PySNN; rule <c>fede_stdp</c>). At a postsynaptic spike of j, each
/// incoming synapse i→j with normalised presynaptic trace <c>x̂ = x_pre[i] / max_{i'→j} x_pre[i']</c> (0 when all are 0)
/// changes by <c>Δw = η·[e^{−(w − w_init)}·(e^{x̂} − a) − e^{(w − w_init)}·(e^{1 − x̂} − a)]</c>, then w is clipped to
/// [w_min, w_max]. Weights drift towards w_init plus a trace-dependent offset: recent inputs potentiate, stale ones depress.
/// </summary>
/// <param name="LearningRate">η (&gt; 0).</param>
/// <param name="WInit">w_init: the reference weight.</param>
/// <param name="A">Stability parameter a in [0, 1].</param>
/// <param name="PreTrace">Presynaptic trace.</param>
/// <param name="WMin">Lower bound.</param>
/// <param name="WMax">Upper bound.</param>
public sealed record FedeStdpSpec(double LearningRate, double WInit, double A, TraceSpec PreTrace, double WMin, double WMax) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "fede_stdp";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <inheritdoc/>
    public override bool SupportsSharedKernel => false;

    private protected override void ValidateCore(string label, List<string> errors)
    {
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate))
        {
            errors.Add($"{label}: field 'plasticity.lr' must be finite and > 0 (got {Fmt(LearningRate)})");
        }

        Finite(label, "plasticity.w_init", WInit, errors);
        if (!(A >= 0 && A <= 1))
        {
            errors.Add($"{label}: field 'plasticity.a' must be in [0, 1] (got {Fmt(A)})");
        }

        PreTrace.Validate(label, "plasticity.pre_trace", errors);
    }
}

/// <summary>
/// snnTorch's <c>STDPLearner</c> semantics (rule <c>stdp_snntorch</c>): traces <c>x ← x − x/τ + s</c> per step (τ in
/// steps) that include the step's own spikes, and per step <c>Δw = lr·(f_post(w)·x_pre·s_post − f_pre(w)·x_post·s_pre)</c>
/// with snnTorch's default <c>f(w) = w</c> (<see cref="WeightDependence.Proportional"/>) or f = 1
/// (<see cref="WeightDependence.Additive"/>); a pre and a post spike in the same step pair both ways. Weights are
/// clipped to [w_min, w_max] (use infinite-free wide bounds to leave them unclipped as snnTorch does).
/// </summary>
/// <param name="TauPreSteps">τ_pre in steps (&gt; 1).</param>
/// <param name="TauPostSteps">τ_post in steps (&gt; 1).</param>
/// <param name="Step">The step.</param>
/// <param name="LearningRate">lr (the optimiser's step size).</param>
/// <param name="WMin">Lower bound.</param>
/// <param name="WMax">Upper bound.</param>
public sealed record SnnTorchStdpSpec(double TauPreSteps, double TauPostSteps, SimDuration Step, double LearningRate, double WMin, double WMax) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "stdp_snntorch";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <summary><see cref="WeightDependence.Proportional"/> (snnTorch's default) or <see cref="WeightDependence.Additive"/>.</summary>
    public WeightDependence Dependence { get; init; } = WeightDependence.Proportional;

    /// <summary>The equivalent pair rule.</summary>
    public StdpSpec ToPair() => new(LearningRate, LearningRate, 1, 1, WMin, WMax)
    {
        Dependence = Dependence,
        PreTrace = TraceSpec.SnnTorch(TauPreSteps, Step),
        PostTrace = TraceSpec.SnnTorch(TauPostSteps, Step),
        SameTick = SameTickPairing.Include,
    };

    private protected override void ValidateCore(string label, List<string> errors)
    {
        Finite(label, "plasticity.lr", LearningRate, errors);
        if (Dependence is not (WeightDependence.Proportional or WeightDependence.Additive))
        {
            errors.Add($"{label}: field 'plasticity.weight_dependence' must be proportional or additive for stdp_snntorch (got {Dependence})");
        }

        TraceSpec.SnnTorch(TauPreSteps, Step).Validate(label, "plasticity.tau_pre", errors);
        TraceSpec.SnnTorch(TauPostSteps, Step).Validate(label, "plasticity.tau_post", errors);
    }
}

/// <summary>
/// Matterhorn's STDP semantics (rule <c>stdp_matterhorn</c>): every pre/post pair Δt = t_post − t_pre steps apart adds
/// <c>lr·A₊·(1/τ₊)^{Δt−1}</c> for Δt &gt; 0 and <c>−lr·A₋·(1/τ₋)^{−Δt−1}</c> for Δt &lt; 0; pairs in the same step do not
/// count. Matterhorn sums over a sequence and applies the sum at <c>step()</c>; the rule has no weight dependence, so
/// applying each pair online at the later spike gives the same weights (unclipped inside [w_min, w_max]).
/// </summary>
/// <param name="APos">A₊.</param>
/// <param name="TauPosSteps">τ₊ in steps (&gt; 1).</param>
/// <param name="ANeg">A₋.</param>
/// <param name="TauNegSteps">τ₋ in steps (&gt; 1).</param>
/// <param name="LearningRate">lr.</param>
/// <param name="Step">The step.</param>
/// <param name="WMin">Lower bound.</param>
/// <param name="WMax">Upper bound.</param>
public sealed record MatterhornStdpSpec(double APos, double TauPosSteps, double ANeg, double TauNegSteps, double LearningRate, SimDuration Step, double WMin, double WMax) : PlasticitySpec
{
    /// <inheritdoc/>
    public override string Rule => "stdp_matterhorn";

    /// <inheritdoc/>
    public override double WMin { get; } = WMin;

    /// <inheritdoc/>
    public override double WMax { get; } = WMax;

    /// <summary>The equivalent pair rule.</summary>
    public StdpSpec ToPair() => new(LearningRate * APos, LearningRate * ANeg, 1, 1, WMin, WMax)
    {
        PreTrace = TraceSpec.Matterhorn(TauPosSteps, Step),
        PostTrace = TraceSpec.Matterhorn(TauNegSteps, Step),
        SameTick = SameTickPairing.Exclude,
    };

    private protected override void ValidateCore(string label, List<string> errors)
    {
        NonNegative(label, "plasticity.a_pos", APos, errors);
        NonNegative(label, "plasticity.a_neg", ANeg, errors);
        Finite(label, "plasticity.lr", LearningRate, errors);
        TraceSpec.Matterhorn(TauPosSteps, Step).Validate(label, "plasticity.tau_pos", errors);
        TraceSpec.Matterhorn(TauNegSteps, Step).Validate(label, "plasticity.tau_neg", errors);
    }
}

/// <summary>
/// Weight normalisation of a projection: each postsynaptic neuron's incoming weights are scaled so that they sum to
/// <see cref="Total"/> (Diehl &amp; Cook 2015 keep 78 per excitatory neuron). A neuron whose weights sum to 0 is left alone.
/// </summary>
/// <param name="Total">The target sum per postsynaptic neuron (&gt; 0).</param>
public sealed record WeightNormalizationSpec(double Total);
