using System.Diagnostics;
using EventSnn.EventQueue;
using EventSnn.Simulator.Monitors;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>The two networks of Brette et al. (2007) that <see cref="BretteBenchmark"/> builds.</summary>
public enum BretteModel
{
    /// <summary>Benchmark 2: current-based exponential synapses, exact integration (Brian2's <c>examples/CUBA.py</c>).</summary>
    Cuba = 0,

    /// <summary>Benchmark 1: conductance-based exponential synapses, Euler integration (the Brian2 COBA benchmark).</summary>
    Coba = 1,
}

/// <summary>Settings of a <see cref="BretteBenchmark"/> network.</summary>
public sealed record BretteBenchmarkOptions
{
    /// <summary>The model (default CUBA).</summary>
    public BretteModel Model { get; init; } = BretteModel.Cuba;

    /// <summary>The number of neurons, 80 % excitatory (default 4000; at least 10).</summary>
    public int Neurons { get; init; } = 4000;

    /// <summary>The step (default 0.1 ms).</summary>
    public SimDuration Dt { get; init; } = SimDuration.FromMicroseconds(100);

    /// <summary>The seed of initial potentials and connectivity (default 1).</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Expected connections per neuron: the connection probability is this divided by <see cref="Neurons"/> (default 80, i.e. p = 0.02 for 4000).</summary>
    public double ConnectionsPerNeuron { get; init; } = 80;

    /// <summary>Throws when a setting is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A setting is out of range.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(Neurons, 10, nameof(Neurons));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(Neurons, 50_000_000, nameof(Neurons));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(Dt.Ticks, 0, nameof(Dt));
        if (Dt > SimDuration.FromMilliseconds(1))
        {
            throw new ArgumentOutOfRangeException(nameof(Dt), Dt, "dt must be at most 1 ms for these models.");
        }

        if (!double.IsFinite(ConnectionsPerNeuron) || ConnectionsPerNeuron <= 0 || ConnectionsPerNeuron > Neurons)
        {
            throw new ArgumentOutOfRangeException(nameof(ConnectionsPerNeuron), ConnectionsPerNeuron, $"Must be in (0, {Neurons}].");
        }
    }
}

/// <summary>The outcome of <see cref="BretteBenchmark.Run"/>.</summary>
/// <param name="Model">The model.</param>
/// <param name="Neurons">The number of neurons.</param>
/// <param name="Synapses">The number of synapses.</param>
/// <param name="Duration">The simulated time.</param>
/// <param name="SetupSeconds">Wall time to build the network (connectivity, state, engine).</param>
/// <param name="LoopSeconds">Wall time of the simulation loop only.</param>
/// <param name="Spikes">The number of spikes.</param>
/// <param name="BytesPerSynapse">Synapse storage held by the engine divided by the number of synapses.</param>
public sealed record BretteBenchmarkResult(BretteModel Model, int Neurons, long Synapses, SimDuration Duration, double SetupSeconds, double LoopSeconds, long Spikes, double BytesPerSynapse)
{
    /// <summary>The mean firing rate in Hz (spikes per neuron per second).</summary>
    public double RateHz => Spikes / (Neurons * Duration.TotalSeconds);
}

/// <summary>
/// Builds and runs the CUBA and COBA networks of Brette et al. (2007), parameterised as Brian2 runs them, on a
/// <see cref="ClockEngine"/>.
/// </summary>
/// <remarks>
/// <para>Common: N neurons (the first 80 % excitatory), each ordered pair (i, j) connected independently with
/// probability 80/N (self-connections allowed, as in Brian2's <c>connect(p=...)</c>), no delay, τm 20 ms, τe 5 ms,
/// τi 10 ms, Vt −50 mV, Vr −60 mV, refractory 5 ms, v(0) uniform in [Vr, Vt], synaptic variables 0.</para>
/// <para>CUBA: El −49 mV, <c>dv/dt = (ge + gi − (v − El))/τm</c>, we = 60·0.27/10 mV, wi = −20·4.5/10 mV, exact integration.</para>
/// <para>COBA: El −60 mV, Ee 0 mV, Ei −80 mV, drive I = 20 mV, <c>dv/dt = (ge·(Ee − v) + gi·(Ei − v) − (v − El) + I)/τm</c>
/// with conductances in units of the leak conductance gl = 10 nS: we = 0.6 (6 nS), wi = 6.7 (67 nS); forward Euler.</para>
/// </remarks>
public static class BretteBenchmark
{
    /// <summary>The population index of the network in the engine <see cref="Build"/> fills.</summary>
    public const int Population = 0;

    /// <summary>Adds the network to an empty <paramref name="engine"/>.</summary>
    /// <param name="engine">An engine with no populations yet and the options' dt.</param>
    /// <param name="options">The network settings.</param>
    /// <returns>The population.</returns>
    /// <exception cref="ArgumentException">The engine is not empty or its dt differs.</exception>
    public static TwoReceptorLifPopulation Build(ClockEngine engine, BretteBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (engine.Populations.Count != 0)
        {
            throw new ArgumentException("The engine already has populations.", nameof(engine));
        }

        if (engine.Dt != options.Dt)
        {
            throw new ArgumentException($"The engine's dt {engine.Dt} differs from the network's {options.Dt}.", nameof(engine));
        }

        int n = options.Neurons;
        int nExc = (int)Math.Round(0.8 * n);
        double dtMs = options.Dt.TotalMilliseconds;
        const double TauM = 20, TauE = 5, TauI = 10, Vt = -50, Vr = -60, Refractory = 5;
        TwoReceptorLifPopulation population;
        float we, wi;
        if (options.Model == BretteModel.Cuba)
        {
            population = new CurrentLifPopulation("cuba", n, engine.Device, new CurrentLifParameters(dtMs, TauM, TauE, TauI, -49, Vt, Vr, Refractory));
            we = (float)(60 * 0.27 / 10);
            wi = (float)(-20 * 4.5 / 10);
        }
        else
        {
            population = new ConductanceLifPopulation("coba", n, engine.Device, new ConductanceLifParameters(dtMs, TauM, TauE, TauI, -60, 0, -80, 20, Vt, Vr, Refractory));
            we = 0.6f;
            wi = 6.7f;
        }

        var rng = new SplitMixRandom(options.Seed);
        for (int i = 0; i < n; i++)
        {
            population.V[i] = (float)(Vr + (rng.NextDouble() * (Vt - Vr)));
        }

        double p = options.ConnectionsPerNeuron / n;
        engine.AddPopulation(population);
        engine.AddProjection(RandomProjection("exc", 0, nExc, n, p, we, receptor: 0, rng));
        engine.AddProjection(RandomProjection("inh", nExc, n, n, p, wi, receptor: 1, rng));
        return population;
    }

    /// <summary>Builds the network on a new CPU engine, runs it for <paramref name="duration"/> and times setup and loop.</summary>
    /// <param name="options">The network settings.</param>
    /// <param name="duration">The simulated time (positive).</param>
    /// <param name="threads">CPU device threads (1 or more).</param>
    /// <param name="monitor">An optional spike monitor (for example a <see cref="SpikeRecorder"/>).</param>
    /// <returns>The result.</returns>
    public static BretteBenchmarkResult Run(BretteBenchmarkOptions options, SimDuration duration, int threads = 1, ISpikeMonitor? monitor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration.Ticks, 0, nameof(duration));
        long setupStart = Stopwatch.GetTimestamp();
        using ClockEngine engine = ClockEngine.OnCpu(threads, new ClockEngineOptions { Dt = options.Dt });
        Build(engine, options);
        if (monitor is not null)
        {
            engine.AddMonitor(monitor);
        }

        // First step outside the timed loop would change the count; instead the runtime is built here explicitly.
        engine.RunFor(SimDuration.Zero);
        double setup = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        long loopStart = Stopwatch.GetTimestamp();
        engine.RunFor(duration);
        double loop = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        return new BretteBenchmarkResult(options.Model, options.Neurons, engine.SynapseCount, duration, setup, loop, engine.SpikeCount, engine.SynapseStorageBytes / (double)Math.Max(1, engine.SynapseCount));
    }

    private static ClockProjection RandomProjection(string name, int first, int end, int n, double p, float weight, int receptor, SplitMixRandom rng)
    {
        var rowStart = new int[n + 1];
        var targets = new List<int>((int)Math.Min(int.MaxValue, (long)((end - first) * n * p * 1.05) + 16));
        double logQ = Math.Log(1 - p);
        for (int i = 0; i < n; i++)
        {
            rowStart[i] = targets.Count;
            if (i < first || i >= end)
            {
                continue;
            }

            if (p >= 1)
            {
                for (int j = 0; j < n; j++)
                {
                    targets.Add(j);
                }

                continue;
            }

            // Geometric skipping: the gap to the next connected target is geometric with parameter p.
            long j2 = -1;
            while (true)
            {
                j2 += 1 + (long)Math.Floor(Math.Log(rng.NextDoubleOpenZero()) / logQ);
                if (j2 >= n)
                {
                    break;
                }

                targets.Add((int)j2);
            }
        }

        rowStart[n] = targets.Count;
        int[] t = [.. targets];
        var w = new float[t.Length];
        Array.Fill(w, weight);
        return new ClockProjection(name, 0, 0, receptor, rowStart, t, w, [0L]);
    }
}
