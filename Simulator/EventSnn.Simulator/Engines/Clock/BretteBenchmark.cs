using System.Diagnostics;
using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.EventDriven;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

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
    /// <summary>Processor time used by the process during the loop (all threads), in seconds: on a busy machine this is
    /// closer to the loop's cost than the wall time.</summary>
    public double LoopCpuSeconds { get; init; }

    /// <summary>The engine that ran: <c>clock</c> (float32 dense kernels) or <c>event</c> (the event-driven engine on the network spec).</summary>
    public string Mode { get; init; } = "clock";

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

        var rng = new Xoshiro256(options.Seed);
        for (int i = 0; i < n; i++)
        {
            population.V[i] = (float)(Vr + (rng.NextDouble() * (Vt - Vr)));
        }

        double p = options.ConnectionsPerNeuron / n;
        engine.AddPopulation(population);
        engine.AddProjection(RandomProjection("exc", 0, nExc, n, p, we, receptor: 0, ref rng));
        engine.AddProjection(RandomProjection("inh", nExc, n, n, p, wi, receptor: 1, ref rng));
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
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long loopStart = Stopwatch.GetTimestamp();
        engine.RunFor(duration);
        double loop = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        return new BretteBenchmarkResult(options.Model, options.Neurons, engine.SynapseCount, duration, setup, loop, engine.SpikeCount, engine.SynapseStorageBytes / (double)Math.Max(1, engine.SynapseCount))
        {
            LoopCpuSeconds = cpu,
        };
    }

    /// <summary>
    /// The same network as a <see cref="NetworkSpec"/> for the spec-based engines: populations <c>exc</c> (80 %) and
    /// <c>inh</c>, four fixed-probability projections, the lead models <see cref="NeuronModel.CubaLif"/> (exact) or
    /// <see cref="NeuronModel.CobaLif"/> (exact conductance integration), threshold <c>v &gt; Vt</c>. Specs require a
    /// positive delay: 1 tick (1 ns) stands for Brian2's zero delay.
    /// </summary>
    /// <param name="options">The network settings.</param>
    /// <returns>The spec.</returns>
    public static NetworkSpec BuildSpec(BretteBenchmarkOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        int n = options.Neurons;
        int nExc = (int)Math.Round(0.8 * n);
        double p = options.ConnectionsPerNeuron / n;
        bool cuba = options.Model == BretteModel.Cuba;
        NeuronModel model = cuba ? NeuronModel.CubaLif : NeuronModel.CobaLif;
        void Neurons(PopulationOptions o, ulong seed)
        {
            o.Set("tau_m", 20).Set("tau_e", 5).Set("tau_i", 10).Set("v_thresh", -50).Set("v_reset", -60).Set("t_ref", 5)
                .Threshold(ThresholdComparison.Greater).InitialUniform("v", -60, -50, seed);
            if (cuba)
            {
                o.Set("v_rest", -49);
            }
            else
            {
                o.Set("v_rest", -60).Set("e_exc", 0).Set("e_inh", -80).Set("i_offset", 20);
            }
        }

        double we = cuba ? 60 * 0.27 / 10 : 0.6;
        double wi = cuba ? -20 * 4.5 / 10 : 6.7;
        ulong s = options.Seed * 16;
        return new NetworkBuilder()
            .AddNeurons("exc", nExc, model, o => Neurons(o, s + 1))
            .AddNeurons("inh", n - nExc, model, o => Neurons(o, s + 2))
            .Connect("exc", "exc", ConnectivitySpec.FixedProbability(p, s + 3), c => c.Weight(we).Receptor("e").Delay(SimDuration.Epsilon))
            .Connect("exc", "inh", ConnectivitySpec.FixedProbability(p, s + 4), c => c.Weight(we).Receptor("e").Delay(SimDuration.Epsilon))
            .Connect("inh", "exc", ConnectivitySpec.FixedProbability(p, s + 5), c => c.Weight(wi).Receptor("i").Delay(SimDuration.Epsilon))
            .Connect("inh", "inh", ConnectivitySpec.FixedProbability(p, s + 6), c => c.Weight(wi).Receptor("i").Delay(SimDuration.Epsilon))
            .Build();
    }

    /// <summary>Builds <see cref="BuildSpec"/> and runs it on the event-driven engine, timing setup and loop.</summary>
    /// <param name="options">The network settings.</param>
    /// <param name="duration">The simulated time.</param>
    /// <param name="monitor">An optional spike monitor (population 1's neurons follow population 0's).</param>
    /// <returns>The result (<see cref="BretteBenchmarkResult.Mode"/> = <c>event</c>).</returns>
    public static BretteBenchmarkResult RunEvent(BretteBenchmarkOptions options, SimDuration duration, ISpikeMonitor? monitor = null) =>
        RunSpec(options, duration, monitor, "event", 1);

    /// <summary>
    /// Builds <see cref="BuildSpec"/> and runs it on the <see cref="ClockDrivenEngine"/> (the models' double-precision
    /// dense steps), timing setup and loop.
    /// </summary>
    /// <param name="options">The network settings.</param>
    /// <param name="duration">The simulated time.</param>
    /// <param name="threads">CPU device threads.</param>
    /// <param name="monitor">An optional spike monitor.</param>
    /// <returns>The result (<see cref="BretteBenchmarkResult.Mode"/> = <c>clock-spec</c>).</returns>
    public static BretteBenchmarkResult RunClockSpec(BretteBenchmarkOptions options, SimDuration duration, int threads = 1, ISpikeMonitor? monitor = null) =>
        RunSpec(options, duration, monitor, "clock-spec", threads);

    private static BretteBenchmarkResult RunSpec(BretteBenchmarkOptions options, SimDuration duration, ISpikeMonitor? monitor, string mode, int threads)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(duration.Ticks, 0, nameof(duration));
        long setupStart = Stopwatch.GetTimestamp();
        NetworkSpec spec = BuildSpec(options);
        using var device = new CpuDevice(new CpuDeviceOptions { Threads = threads });
        using var clock = mode == "event" ? null : new ClockDrivenEngine(spec, device, new ClockDrivenEngineOptions { Dt = options.Dt });
        ISimulationEngine engine = clock is null ? new EventDrivenEngine(spec) : clock;
        if (monitor is not null)
        {
            int offset = spec.Populations[0].Size;
            engine.AddSpikeMonitor(new FlattenPopulations(monitor, offset));
        }

        double setup = Stopwatch.GetElapsedTime(setupStart).TotalSeconds;
        TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
        long loopStart = Stopwatch.GetTimestamp();
        engine.RunUntil(SimTime.Zero + duration);
        double loop = Stopwatch.GetElapsedTime(loopStart).TotalSeconds;
        double cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
        long synapses = spec.Projections.Sum(p => (long)engine.GetSynapses(p.Id).SynapseCount);
        long bytes = spec.Projections.Sum(p => engine.GetSynapses(p.Id).MemoryBytes);
        return new BretteBenchmarkResult(options.Model, options.Neurons, synapses, duration, setup, loop, engine.SpikeCount, bytes / (double)Math.Max(1, synapses))
        {
            Mode = mode,
            LoopCpuSeconds = cpu,
        };
    }

    /// <summary>Reports exc/inh spikes as one population (inh neurons numbered after exc), like the clock network.</summary>
    private sealed class FlattenPopulations(ISpikeMonitor inner, int offset) : ISpikeMonitor
    {
        public void OnSpike(SimTime time, int population, int neuron) => inner.OnSpike(time, 0, population == 0 ? neuron : offset + neuron);
    }

    private static ClockProjection RandomProjection(string name, int first, int end, int n, double p, float weight, int receptor, ref Xoshiro256 rng)
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
                j2 += 1 + (long)Math.Floor(Math.Log(rng.NextDoubleNonZero()) / logQ);
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
