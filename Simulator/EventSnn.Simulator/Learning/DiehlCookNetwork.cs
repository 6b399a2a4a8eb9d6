using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Connectivity;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;
using EventSnn.Simulator.State;

namespace EventSnn.Simulator.Learning;

/// <summary>Settings of <see cref="DiehlCookNetwork"/> (defaults: Diehl &amp; Cook 2015).</summary>
public sealed record DiehlCookOptions
{
    /// <summary>Excitatory (and inhibitory) neurons.</summary>
    public int Neurons { get; init; } = 100;

    /// <summary>Input pixels (28·28 for MNIST).</summary>
    public int Inputs { get; init; } = 784;

    /// <summary>Seed of the initial weights and of every example's Poisson input.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Clock step of both layers (0.5 ms in the paper).</summary>
    public SimDuration Dt { get; init; } = SimDuration.FromMicroseconds(500);

    /// <summary>Presentation time of one example (350 ms).</summary>
    public SimDuration Presentation { get; init; } = SimDuration.FromMilliseconds(350L);

    /// <summary>Resting time after every presentation (150 ms), simulated without input: the state decays freely.</summary>
    public SimDuration Rest { get; init; } = SimDuration.FromMilliseconds(150L);

    /// <summary>Poisson rate of a white pixel at the first presentation (63.75 Hz = 255/4).</summary>
    public double MaxRateHz { get; init; } = 63.75;

    /// <summary>Rate added to a white pixel at each repeated presentation (input boost, 255/8 Hz).</summary>
    public double BoostRateHz { get; init; } = 31.875;

    /// <summary>Fewer excitatory spikes than this repeat the presentation with boosted input (5).</summary>
    public int MinSpikes { get; init; } = 5;

    /// <summary>Longest chain of boosted repetitions of one example.</summary>
    public int MaxBoosts { get; init; } = 20;

    /// <summary>Sum of each excitatory neuron's input weights (78).</summary>
    public double WeightTotal { get; init; } = 78;

    /// <summary>Initial input weights are <c>(u + 0.01)·this</c> with u uniform in [0, 1) (0.3, as Diehl &amp; Cook's generator draws them).</summary>
    public double InitialWeightMax { get; init; } = 0.3;

    /// <summary>
    /// Input synapses get random delays (Diehl &amp; Cook's code: uniform in [0, 10 ms), which Brian 1 truncates to whole steps):
    /// synapse delay = <see cref="Dt"/> + k·<see cref="Dt"/> with k uniform in 0 … this/<see cref="Dt"/> − 1 (the base step
    /// stands for Brian's zero delay). With <see cref="TripletStdpSpec.PreAtArrival"/> the rule sees an input spike when it
    /// arrives at each synapse, as Brian 1's STDP does on such a connection. Zero: every input synapse has delay <see cref="Dt"/>.
    /// </summary>
    public SimDuration InputDelayMax { get; init; } = SimDuration.FromMilliseconds(10L);

    /// <summary>
    /// The clock step of the excitatory layer (<c>clock_method</c> of <see cref="DiehlCookLif"/>): <c>euler_conductances</c>
    /// (default: Brian 1's forward-Euler conductance factors, ge × (1 − dt/τe) = 1/2 and gi × (1 − dt/τi) = 3/4 per 0.5 ms
    /// step, as in Diehl &amp; Cook's code, with a stable exponential-Euler v step), <c>euler</c> (forward Euler in v too, as
    /// Brian 1; it overshoots when many inhibitory spikes coincide) or <c>exponential_euler</c> (exact conductance decay).
    /// </summary>
    public string ClockMethod { get; init; } = "euler_conductances";

    /// <summary>
    /// How the inhibitory layer acts. <c>direct</c> (default): Brian 1's timing. In Diehl &amp; Cook's code (zero-delay
    /// connections; update → threshold → propagate in every step) an excitatory spike at step n makes its one-to-one
    /// inhibitory partner fire at step n + 1 (its Euler step jumps 31 mV past the threshold), exactly once (refractory 2 ms,
    /// by then its conductance is below what the threshold needs), and the other excitatory neurons integrate the inhibition
    /// from step n + 2. The inhibitory layer is then a relay, and <c>direct</c> builds it as one: an excitatory → excitatory
    /// projection (all but self, weight <see cref="InhToExc"/> on the inhibitory receptor, delay one step), which reaches the
    /// others' integration at step n + 2 as in the original (population <c>inh</c> absent). <c>clock</c>: a clock-driven
    /// inhibitory layer with one-step recurrent delays: step n + 4. <c>event</c>: an event-driven inhibitory layer with
    /// one-tick delays: n + 3 (its exact crossing takes about 0.5 ms), at about three times the cost.
    /// </summary>
    public string Inhibition { get; init; } = "direct";

    /// <summary>
    /// The excitatory neurons' refractory period (5 ms): <c>integrate</c> (default) lets v integrate from the reset at once
    /// and only suppresses spikes until the period ends (<c>refractory_v</c> of <see cref="DiehlCookLif"/>); <c>hold</c> holds v
    /// at the reset for the period. <c>integrate</c> is what Brian 1 does with Diehl &amp; Cook's excitatory reset, which is code
    /// (<c>v = v_reset_e; theta += theta_plus_e; timer = 0*ms</c>): Brian 1 holds v only for a reset value and for a code
    /// reset merely discards the spikes of the period. On the paper's protocol (60,000 training digits) it gives 75.25 %
    /// against 66.28 % at 100 neurons and 89.17 % against 88.66 % at 400 (docs/BENCHMARKS.md).
    /// </summary>
    public string Refractory { get; init; } = "integrate";

    /// <summary>Excitatory → inhibitory one-to-one weight (10.4).</summary>
    public double ExcToInh { get; init; } = 10.4;

    /// <summary>Inhibitory → excitatory weight to every other excitatory neuron (17).</summary>
    public double InhToExc { get; init; } = 17;

    /// <summary>
    /// The plasticity rule of the input weights (<see cref="TripletStdpSpec.DiehlCook2015"/> with presynaptic spikes counted at
    /// their arrival at each synapse, <see cref="TripletStdpSpec.PreAtArrival"/>).
    /// </summary>
    public TripletStdpSpec Rule { get; init; } = TripletStdpSpec.DiehlCook2015() with { PreAtArrival = true };

    /// <summary>θ₊ (0.05 mV).</summary>
    public double ThetaPlus { get; init; } = 0.05;

    /// <summary>
    /// τθ (10⁷ ms). θ's decay towards −<see cref="ThetaOffset"/> is applied exactly, in double precision, after every
    /// presentation and its rest (a factor e^{−T/τθ} over their duration T), not in the clock step: per 0.5 ms step it is a
    /// relative change of 5·10⁻⁸, below the resolution of the float32 state columns, which would round it (θ sank about 1.5
    /// times too fast over the first 8,000 examples, then stopped at −12 mV). Within one example θ then changes only by
    /// spikes; the decay it misses there is at most 10⁻³ mV and is applied at the example's end.
    /// </summary>
    public double TauThetaMs { get; init; } = 1e7;

    /// <summary>The device of the clock-driven populations (null: the engine's own CPU device); the caller owns it.</summary>
    public IComputeDevice? Device { get; init; }

    /// <summary>The log the network's engines write to (<see cref="EngineOptions.Logger"/>; null: none).</summary>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    /// <summary>Firing threshold of an excitatory neuron without adaptation (−52 mV).</summary>
    public double VThresh { get; init; } = -52;

    /// <summary>
    /// θ's offset (20 mV, Diehl &amp; Cook's code): their neurons fire at <c>v &gt; θ' − offset + v_thresh</c> with θ' starting at
    /// the offset and decaying towards 0 with τθ. Here θ = θ' − offset starts at 0 and relaxes towards −offset
    /// (<c>theta_rest</c> of <see cref="DiehlCookLif"/>): the threshold of a neuron that rarely fires sinks slowly below
    /// <see cref="VThresh"/> until it wins examples too. 0: θ relaxes towards 0 and the threshold never drops below
    /// <see cref="VThresh"/>.
    /// </summary>
    public double ThetaOffset { get; init; } = 20;

    internal void Validate()
    {
        if (Neurons < 1 || Neurons > 100_000)
        {
            throw new ArgumentOutOfRangeException(nameof(Neurons), Neurons, "Neurons must be in 1..100000.");
        }

        if (Inputs < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Inputs), Inputs, "Inputs must be ≥ 1.");
        }

        if (Dt.Ticks < 1 || Presentation.Ticks < Dt.Ticks || Presentation.Ticks % Dt.Ticks != 0 || Rest.Ticks < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(Presentation), Presentation, "The presentation must be a positive whole number of steps and the rest ≥ 0.");
        }

        if (!(MaxRateHz > 0) || !(BoostRateHz >= 0) || !double.IsFinite(MaxRateHz) || !double.IsFinite(BoostRateHz))
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRateHz), MaxRateHz, "Input rates must be finite, the maximum rate > 0.");
        }

        if (ClockMethod is not ("euler_conductances" or "euler" or "exponential_euler"))
        {
            throw new ArgumentOutOfRangeException(nameof(ClockMethod), ClockMethod, "The clock method must be euler_conductances, euler or exponential_euler.");
        }

        if (InputDelayMax.Ticks < 0 || InputDelayMax.Ticks % Dt.Ticks != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(InputDelayMax), InputDelayMax, "The longest random input delay must be a whole number of steps ≥ 0.");
        }

        if (Inhibition is not ("direct" or "clock" or "event"))
        {
            throw new ArgumentOutOfRangeException(nameof(Inhibition), Inhibition, "The inhibition must be direct, clock or event.");
        }

        if (Refractory is not ("hold" or "integrate"))
        {
            throw new ArgumentOutOfRangeException(nameof(Refractory), Refractory, "The refractory period must be hold or integrate.");
        }

        if (!(ThetaPlus >= 0) || !double.IsFinite(ThetaPlus))
        {
            throw new ArgumentOutOfRangeException(nameof(ThetaPlus), ThetaPlus, "θ₊ must be finite and ≥ 0.");
        }

        if (!(TauThetaMs > 0) || double.IsNaN(TauThetaMs))
        {
            throw new ArgumentOutOfRangeException(nameof(TauThetaMs), TauThetaMs, "τθ must be > 0 (infinity: no decay).");
        }

        if (!(ThetaOffset >= 0) || !double.IsFinite(ThetaOffset))
        {
            throw new ArgumentOutOfRangeException(nameof(ThetaOffset), ThetaOffset, "The threshold offset must be finite and ≥ 0.");
        }
    }
}

/// <summary>
/// Diehl &amp; Cook (2015) unsupervised digit learning, built on the simulation engine: Poisson input pixels (external
/// events, event by event), an excitatory layer of <see cref="DiehlCookLif"/> neurons with adaptive thresholds whose input
/// weights learn by nearest-spike triplet STDP (<see cref="TripletStdpSpec.DiehlCook2015"/>) with weight normalisation,
/// and an inhibitory layer (one-to-one excitation, inhibition of every other excitatory neuron: soft winner-take-all).
/// Both layers run clock-driven with the paper's 0.5 ms step.
/// </summary>
/// <remarks>
/// <para><b>An example.</b> As in Diehl &amp; Cook's code: the input weights are normalised
/// (<see cref="SimulationEngine.NormalizeWeights"/>); each pixel fires a Poisson train of rate <c>p·(max + k·boost)</c>
/// over the presentation, drawn from a stream seeded by the network seed and the example's sequence number; then the
/// network rests for <see cref="DiehlCookOptions.Rest"/> without input, its state decaying freely (nothing is reset). A
/// presentation's spike count is the original's: every excitatory spike since the end of the previous presentation, so
/// spikes fired during a rest count towards the next presentation. With fewer than
/// <see cref="DiehlCookOptions.MinSpikes"/> counted spikes the example is presented again with k + 1 (input boost).</para>
/// <para><b>Frozen mode.</b> <see cref="Present"/> with <c>learn: false</c> runs a copy without plasticity whose θ does not
/// change (the paper's test mode), with the learned weights and thresholds.</para>
/// </remarks>
public sealed class DiehlCookNetwork : IDisposable
{
    /// <summary>τθ of the model in both networks: so long that the float32 clock step leaves θ unchanged between spikes.</summary>
    private const double NoDecayMs = 1e12;

    private readonly DiehlCookOptions _o;
    private readonly SimulationEngine _train;
    private readonly SimulationEngine _test;
    private readonly int _input;
    private readonly int _exc;
    private readonly int _plastic;
    private readonly int[] _counts;
    private readonly int[] _matrixIndex;
    private readonly Counter _trainCounter;
    private readonly Counter _testCounter;
    private long _sequence;
    private bool _testStale = true;

    /// <summary>Builds the network.</summary>
    /// <param name="options">Settings.</param>
    public DiehlCookNetwork(DiehlCookOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _o = options;
        TrainSpec = Build(options, learn: true);
        _train = new SimulationEngine(TrainSpec, new EngineOptions { Device = options.Device, Logger = options.Logger });
        _test = new SimulationEngine(Build(options, learn: false), new EngineOptions { Device = options.Device, Logger = options.Logger });
        _input = TrainSpec.Population("input").Id;
        _exc = TrainSpec.Population("exc").Id;
        _plastic = TrainSpec.Projection("input->exc").Id;
        _counts = new int[options.Neurons];
        _matrixIndex = MatrixIndex(_train.GetSynapses(_plastic), options.Neurons);
        _trainCounter = new Counter(_exc, options.Neurons);
        _testCounter = new Counter(_exc, options.Neurons);
        _train.AddSpikeMonitor(_trainCounter);
        _test.AddSpikeMonitor(_testCounter);
    }

    /// <summary>The settings.</summary>
    public DiehlCookOptions Options => _o;

    /// <summary>The training network.</summary>
    public NetworkSpec TrainSpec { get; }

    /// <summary>Presentations so far (boosted repeats and frozen presentations included; restored by <see cref="Load"/>).</summary>
    public long Presentations => _sequence;

    /// <summary>A copy of the input weights, [input, neuron] row-major (input i's weights to every neuron, ascending).</summary>
    public float[] Weights
    {
        get
        {
            float[] w = _train.GetSynapses(_plastic).Weights;
            float[] m = new float[w.Length];
            for (int k = 0; k < w.Length; k++)
            {
                m[_matrixIndex[k]] = w[k];
            }

            return m;
        }
    }

    /// <summary>The delays of the input synapses in ticks, [input, neuron] row-major.</summary>
    public long[] InputDelays
    {
        get
        {
            SynapseTable tb = _train.GetSynapses(_plastic);
            long[] d = new long[tb.Targets.Length];
            for (int g = 0; g < tb.GroupCount; g++)
            {
                for (int k = tb.GroupStart[g]; k < tb.GroupStart[g + 1]; k++)
                {
                    d[_matrixIndex[k]] = tb.GroupDelay[g];
                }
            }

            return d;
        }
    }

    /// <summary>The adaptive thresholds θ (mV above <see cref="DiehlCookOptions.VThresh"/>; negative once θ has decayed below it), one per excitatory neuron.</summary>
    public float[] Theta => ((ClockPopulationState)_train.GetPopulationState(_exc)!).Columns[3];

    /// <summary>
    /// The excitatory spike counts of the last presentation: as Diehl &amp; Cook's code counts them (differences of a spike
    /// counter read at the ends of consecutive presentations), the spikes since the end of the previous presentation of the
    /// same network (training or frozen), the rest in between included.
    /// </summary>
    public ReadOnlySpan<int> Counts => _counts;

    /// <summary>The simulated time of the training network (every presentation and rest so far).</summary>
    public SimTime Now => _train.Now;

    /// <summary>Total simulated presentation steps (both layers) so far, a work measure.</summary>
    public long Steps => _train.StepCount + _test.StepCount;

    /// <summary>
    /// Presents one example (pixels in [0, 1]) and returns the excitatory spike counts of its final presentation (see
    /// <see cref="Counts"/>: the spikes of the rest before a presentation count towards it, both in the check for fewer than
    /// <see cref="DiehlCookOptions.MinSpikes"/> spikes and in the returned response).
    /// </summary>
    /// <param name="pixels">The image, <see cref="DiehlCookOptions.Inputs"/> values in [0, 1].</param>
    /// <param name="learn">True: plasticity and θ adaptation on; false: the frozen network.</param>
    /// <param name="sequence">The example's sequence number (seeds its Poisson input); null uses and advances <see cref="Presentations"/>.</param>
    /// <returns>The spike counts (valid until the next call).</returns>
    public ReadOnlySpan<int> Present(ReadOnlySpan<float> pixels, bool learn, long? sequence = null)
    {
        if (pixels.Length != _o.Inputs)
        {
            throw new ArgumentException($"The image has {pixels.Length} pixels; the network has {_o.Inputs} inputs.", nameof(pixels));
        }

        long seq = sequence ?? _sequence;

        SimulationEngine e = learn ? _train : _test;
        Counter counter = learn ? _trainCounter : _testCounter;
        if (learn)
        {
            _testStale = true;
        }
        else if (_testStale)
        {
            CopyToTest();
        }

        for (int boost = 0; ; boost++)
        {
            _sequence++;
            if (learn)
            {
                // The original normalises before every presentation of the training loop, boosted repeats included.
                e.NormalizeWeights();
            }

            long start = e.Now.Ticks;
            long end = start + _o.Presentation.Ticks;
            counter.Begin(end);
            double rate = _o.MaxRateHz + (boost * _o.BoostRateHz);
            var rng = Xoshiro256.ForStream(_o.Seed, ((ulong)seq << 5) | (uint)Math.Min(boost, 31));
            for (int i = 0; i < pixels.Length; i++)
            {
                double r = pixels[i] * rate;
                if (!(r > 0))
                {
                    continue;
                }

                double meanTicks = Units.TicksPerSecond / r;
                double t = 0;
                while (true)
                {
                    t += -Math.Log(rng.NextDoubleNonZero()) * meanTicks;
                    long tick = start + (long)Math.Ceiling(t);
                    if (tick >= end)
                    {
                        break;
                    }

                    e.InjectEvent(SimTime.FromTicks(tick), _input, i);
                }
            }

            // The presentation, then the resting period without input: every variable decays freely (membrane
            // potentials towards rest, conductances, traces and θ), exactly as the original simulation runs it.
            e.RunUntil(SimTime.FromTicks(end));
            e.RunUntil(SimTime.FromTicks(end + _o.Rest.Ticks));
            if (learn)
            {
                DecayTheta(_o.Presentation.Ticks + _o.Rest.Ticks);
            }

            counter.Current.CopyTo(_counts, 0);
            int total = 0;
            foreach (int c in _counts)
            {
                total += c;
            }

            if (total >= _o.MinSpikes || boost >= _o.MaxBoosts)
            {
                return _counts;
            }
        }
    }

    /// <summary>
    /// Writes the learned state: the presentation counter, a snapshot of the training network (weights, thresholds,
    /// membrane state, traces and spikes in flight) and the spikes of the last rest (they count towards the next
    /// presentation), so that a resumed run continues exactly.
    /// </summary>
    /// <param name="w">The writer.</param>
    public void Save(BinaryWriter w)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.Write(_o.Neurons);
        w.Write(_o.Inputs);
        w.Write(_sequence);
        using var ms = new MemoryStream();
        _train.Save(ms);
        w.Write(ms.Length);
        w.Write(ms.GetBuffer(), 0, (int)ms.Length);

        // The spikes of the last rest count towards the next presentation.
        foreach (int c in _trainCounter.Next)
        {
            w.Write(c);
        }
    }

    /// <summary>Reads what <see cref="Save"/> wrote.</summary>
    /// <param name="r">The reader.</param>
    /// <exception cref="InvalidDataException">The data belongs to another network size or is corrupt.</exception>
    public void Load(BinaryReader r)
    {
        ArgumentNullException.ThrowIfNull(r);
        int n = r.ReadInt32();
        int inputs = r.ReadInt32();
        if (n != _o.Neurons || inputs != _o.Inputs)
        {
            throw new InvalidDataException($"The checkpoint is for {n} neurons and {inputs} inputs; this network has {_o.Neurons} and {_o.Inputs}.");
        }

        long seq = r.ReadInt64();
        long length = r.ReadInt64();
        if (seq < 0 || length < 0 || length > int.MaxValue)
        {
            throw new InvalidDataException($"The checkpoint is corrupt (presentation counter {seq}, network snapshot of {length} bytes).");
        }

        byte[] snapshot = r.ReadBytes((int)length);
        if (snapshot.Length != length)
        {
            throw new InvalidDataException($"The checkpoint is truncated (network snapshot of {snapshot.Length} of {length} bytes).");
        }

        using (var ms = new MemoryStream(snapshot, writable: false))
        {
            _train.Restore(ms);
        }

        float[] wts = Weights;
        for (int k = 0; k < wts.Length; k++)
        {
            if (!float.IsFinite(wts[k]))
            {
                throw new InvalidDataException($"The checkpoint is corrupt (weight {k} is {wts[k]}).");
            }
        }

        float[] th = Theta;
        for (int j = 0; j < n; j++)
        {
            if (!float.IsFinite(th[j]))
            {
                throw new InvalidDataException($"The checkpoint is corrupt (threshold {j} is {th[j]}).");
            }
        }

        int[] pending = new int[n];
        for (int j = 0; j < n; j++)
        {
            pending[j] = r.ReadInt32();
            if (pending[j] < 0)
            {
                throw new InvalidDataException($"The checkpoint is corrupt (pending spike count {j} is {pending[j]}).");
            }
        }

        pending.CopyTo(_trainCounter.Next, 0);
        _sequence = seq;
        _testStale = true;
    }

    /// <summary>Adds a spike monitor to the training network (<paramref name="learn"/>) or the frozen one.</summary>
    internal void AddSpikeMonitor(ISpikeMonitor monitor, bool learn) => (learn ? _train : _test).AddSpikeMonitor(monitor);

    /// <summary>Disposes both engines.</summary>
    public void Dispose()
    {
        _train.Dispose();
        _test.Dispose();
    }

    /// <summary>Builds the network description.</summary>
    /// <param name="o">Settings.</param>
    /// <param name="learn">Whether the input weights are plastic and θ adapts.</param>
    public static NetworkSpec Build(DiehlCookOptions o, bool learn)
    {
        ArgumentNullException.ThrowIfNull(o);
        int n = o.Neurons;
        int side = (int)Math.Round(Math.Sqrt(o.Inputs));
        PopulationShape shape = side * side == o.Inputs ? new PopulationShape(1, side, side) : PopulationShape.Linear(o.Inputs);
        var pre = new int[n * (n - 1)];
        var post = new int[n * (n - 1)];
        int k = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                if (i != j)
                {
                    pre[k] = i;
                    post[k++] = j;
                }
            }
        }

        SimDuration d = o.Dt;
        (int[] inPre, int[] inPost, float[] inW, SimDuration[] inD) = InputSynapses(o);
        int method = o.ClockMethod switch { "euler" => 1, "euler_conductances" => 2, _ => 0 };
        SimDuration rd = o.Inhibition == "event" ? SimDuration.FromTicks(1) : d;
        bool inhEvent = o.Inhibition == "event";
        NetworkBuilder b = new NetworkBuilder()
            .AddExternalInput("input", shape)
            .AddNeurons("exc", n, NeuronModel.DiehlCookLif, p => p
                .Set("v_thresh", o.VThresh)
                .Set("theta_rest", 0) // no per-step decay: the float32 round trip through θ − θ_rest would quantise θ
                .Set("theta_plus", learn ? o.ThetaPlus : 0)
                .Set("tau_theta", NoDecayMs) // θ decays in DecayTheta, exactly (see TauThetaMs)
                .Set("clock_method", method)
                .Set("refractory_v", o.Refractory == "integrate" ? 1 : 0)
                .Threshold(ThresholdComparison.Greater)
                .ClockDriven(d))
            .Connect("input", "exc", ConnectivitySpec.Explicit(inPre, inPost, inW, inD), c =>
            {
                c.Delay(d).Receptor("e");
                if (learn)
                {
                    c.Plasticity(o.Rule).NormalizeWeights(o.WeightTotal);
                }
            });
        if (o.Inhibition == "direct")
        {
            // The relay of Brian 1's timing: one inhibitory spike per excitatory spike, integrated by the others from step n + 2.
            return b.Connect("exc", "exc", ConnectivitySpec.Explicit(pre, post), c => c.Weight(o.InhToExc).Delay(d).Receptor("i"))
                .Build();
        }

        return b
            .AddNeurons("inh", n, NeuronModel.DiehlCookLif, p =>
            {
                p.Set("tau_m", 10).Set("v_rest", -60).Set("v_reset", -45).Set("v_thresh", -40).Set("e_inh", -85)
                    .Set("t_ref", 2).Set("theta_plus", 0).Set("tau_theta", 1e12)
                    .Set("clock_method", method)
                    .Threshold(ThresholdComparison.Greater);
                if (inhEvent)
                {
                    p.EventDriven();
                }
                else
                {
                    p.ClockDriven(d);
                }
            })
            .Connect("exc", "inh", ConnectivitySpec.OneToOne(), c => c.Weight(o.ExcToInh).Delay(rd).Receptor("e"))
            .Connect("inh", "exc", ConnectivitySpec.Explicit(pre, post), c => c.Weight(o.InhToExc).Delay(rd).Receptor("i"))
            .Build();
    }

    /// <summary>
    /// The input synapses, every input to every excitatory neuron (input-major): weights <c>(u + 0.01)·max</c> and delays
    /// <c>dt·(1 + k)</c>, k uniform in 0 … InputDelayMax/dt − 1, from two streams of the seed.
    /// </summary>
    private static (int[] Pre, int[] Post, float[] Weights, SimDuration[] Delays) InputSynapses(DiehlCookOptions o)
    {
        int n = o.Neurons;
        int count = o.Inputs * n;
        var pre = new int[count];
        var post = new int[count];
        var w = new float[count];
        var delays = new SimDuration[count];
        var wr = Xoshiro256.ForStream(o.Seed, 0x5765_6967_6874UL);
        var dr = Xoshiro256.ForStream(o.Seed, 0x4465_6C61_7973UL);
        long steps = o.InputDelayMax.Ticks / o.Dt.Ticks;
        for (int i = 0, k = 0; i < o.Inputs; i++)
        {
            for (int j = 0; j < n; j++, k++)
            {
                pre[k] = i;
                post[k] = j;
                w[k] = (float)((wr.NextDouble() + 0.01) * o.InitialWeightMax);
                long step = steps > 0 ? (long)dr.NextBelow((ulong)steps) : 0;
                delays[k] = SimDuration.FromTicks(o.Dt.Ticks * (1 + step));
            }
        }

        return (pre, post, w, delays);
    }

    /// <summary>Per synapse of the input table, its index in the [input, neuron] matrix.</summary>
    private static int[] MatrixIndex(SynapseTable tb, int neurons)
    {
        int[] m = new int[tb.Targets.Length];
        for (int i = 0; i < tb.PreSize; i++)
        {
            for (int g = tb.SourceGroupStart[i]; g < tb.SourceGroupStart[i + 1]; g++)
            {
                for (int k = tb.GroupStart[g]; k < tb.GroupStart[g + 1]; k++)
                {
                    m[k] = (i * neurons) + tb.Targets[k];
                }
            }
        }

        return m;
    }

    /// <summary>
    /// θ ← θ_rest + (θ − θ_rest)·e^{−T/τθ} for every excitatory neuron of the training network, in double precision (the
    /// model's own per-step decay is off: <see cref="NoDecayMs"/>).
    /// </summary>
    private void DecayTheta(long ticks)
    {
        double f = Math.Exp(-ticks / Units.MsToTicks(_o.TauThetaMs));
        double rest = -_o.ThetaOffset;
        float[] theta = Theta;
        for (int j = 0; j < _o.Neurons; j++)
        {
            theta[j] = (float)(rest + ((theta[j] - rest) * f));
        }

        _train.PushPopulationState(_exc);
    }

    private static float[] ThetaOf(SimulationEngine e) => ((ClockPopulationState)e.GetPopulationState(e.Network.Population("exc").Id)!).Columns[3];

    private void CopyToTest()
    {
        _train.GetSynapses(_plastic).Weights.CopyTo(_test.GetSynapses(_plastic).Weights, 0);
        Theta.AsSpan(0, _o.Neurons).CopyTo(ThetaOf(_test));
        _test.PushPopulationState(_exc);
        _testStale = false;
    }

    /// <summary>
    /// Counts one engine's excitatory spikes as Diehl &amp; Cook's <c>SpikeCounter</c> differences do: a presentation's count
    /// holds every spike since the end of the previous presentation (the rest before it included) up to its own end; spikes
    /// at or after that end (its rest) go to <see cref="Next"/>, the start of the next presentation's count.
    /// </summary>
    private sealed class Counter(int population, int neurons) : ISpikeMonitor
    {
        private long _until = long.MaxValue;

        /// <summary>The spikes of the current presentation (its preceding rest included) so far.</summary>
        public int[] Current { get; } = new int[neurons];

        /// <summary>The spikes after the current presentation's end: they count towards the next presentation.</summary>
        public int[] Next { get; } = new int[neurons];

        /// <summary>Starts a presentation that ends at tick <paramref name="end"/>: its count starts with the spikes of the rest before it.</summary>
        public void Begin(long end)
        {
            Next.CopyTo(Current, 0);
            Array.Clear(Next);
            _until = end;
        }

        public void OnSpike(SimTime time, int population1, int neuron)
        {
            if (population1 == population)
            {
                (time.Ticks < _until ? Current : Next)[neuron]++;
            }
        }
    }
}
