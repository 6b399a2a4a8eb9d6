using EventSnn.EventQueue;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Layers;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Layers;

/// <summary>
/// A batch of B samples gives, member for member, exactly the spikes of B separate single-sample runs of the engine
/// (fresh state, the same inputs injected one by one), with state reset between batches and one-line shape errors.
/// </summary>
public sealed class SimulationBatchTests
{
    private static readonly SimDuration Dt = SimDuration.FromMilliseconds(1L);

    private static NeuronModel Model(string name) => NeuronModels.All.First(m => m.Info.Name == name);

    /// <summary>A 2-layer net with dyadic mixed-sign weights (sums are exact, so potentials hit the threshold exactly).</summary>
    private static NetworkSpec Net(string model, int inputs, int hidden, int outputs, int seed)
    {
        var rng = new Random(seed);
        float Dyadic() => (rng.Next(-3, 7)) * 0.25f;
        float[] w1 = [.. Enumerable.Range(0, hidden * inputs).Select(_ => Dyadic())];
        float[] w2 = [.. Enumerable.Range(0, outputs * hidden).Select(_ => Dyadic())];
        Action<PopulationOptions> configure = model == "snntorch.leaky"
            ? o => o.Set("beta", 0.5).Set("threshold", 1.0).ClockDriven(Dt)
            : o => o.Set("u_threshold", 1.0).ClockDriven(Dt);
        return new Sequential(PopulationShape.Linear(inputs))
            .Linear(hidden, w1).Neurons(Model(model), configure, "hidden")
            .Linear(outputs, w2).Neurons(Model(model), configure, "out")
            .Build();
    }

    private static float[] RandomInput(int steps, int members, int n, double density, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, steps * members * n).Select(_ => rng.NextDouble() < density ? 1f : 0f)];
    }

    /// <summary>The spikes [steps, N] of one single-sample run of a fresh engine, the given spikes injected in order.</summary>
    private static Dictionary<string, float[]> SingleRun(NetworkSpec spec, IEnumerable<(long Tick, int Neuron)> input, int steps)
    {
        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt });
        var spikes = new SpikeList();
        engine.AddSpikeMonitor(spikes);
        foreach ((long tick, int neuron) in input)
        {
            engine.InjectEvent(SimTime.FromTicks(tick), 0, neuron);
        }

        engine.RunUntil(SimTime.Zero + (Dt * steps));
        var result = new Dictionary<string, float[]>();
        foreach (PopulationSpec p in spec.Populations.Where(p => p.Kind == PopulationKind.Neurons))
        {
            float[] s = new float[steps * p.Size];
            foreach ((long t, int pop, int neuron) in spikes.Spikes.Where(s => s.Pop == p.Id))
            {
                Assert.Equal(0, t % Dt.Ticks);
                s[((int)(t / Dt.Ticks) - 1) * p.Size + neuron] = 1f;
            }

            result[p.Name] = s;
        }

        return result;
    }

    private static float[] Member(ReadOnlySpan<float> batch, int steps, int members, int n, int b)
    {
        float[] r = new float[steps * n];
        for (int k = 0; k < steps; k++)
        {
            batch.Slice(((k * members) + b) * n, n).CopyTo(r.AsSpan(k * n, n));
        }

        return r;
    }

    [Theory]
    [InlineData("snntorch.leaky", 12, 16, 5, 6, 1)]
    [InlineData("matterhorn.if", 12, 16, 5, 6, 1)]
    [InlineData("snntorch.leaky", 100, 100, 10, 32, 2)]
    [InlineData("matterhorn.if", 100, 70, 10, 32, 2)]
    public void A_batch_gives_member_for_member_the_spikes_of_separate_single_runs(string model, int inputs, int hidden, int outputs, int members, int threads)
    {
        const int T = 20, Steps = 24;
        NetworkSpec spec = Net(model, inputs, hidden, outputs, seed: inputs + members);
        float[] x = RandomInput(T, members, inputs, 0.3, seed: 7);
        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt, Threads = threads });
        using SimulationBatch batch = engine.CreateBatch(members);
        batch.RecordSpikes("hidden");
        batch.RecordSpikes("out");
        batch.Run(BatchInput.FromDense("input", x), Steps);
        Assert.Equal(Steps, batch.StepsRun);
        int fired = 0;
        for (int b = 0; b < members; b++)
        {
            var events = new List<(long, int)>();
            for (int t = 0; t < T; t++)
            {
                for (int i = 0; i < inputs; i++)
                {
                    if (x[((t * members) + b) * inputs + i] != 0)
                    {
                        events.Add((t * Dt.Ticks, i));
                    }
                }
            }

            Dictionary<string, float[]> single = SingleRun(spec, events, Steps);
            Assert.Equal(single["hidden"], Member(batch.GetSpikes("hidden"), Steps, members, hidden, b));
            Assert.Equal(single["out"], Member(batch.GetSpikes("out"), Steps, members, outputs, b));
            fired += (int)single["out"].Sum();
            int[] counts = batch.GetSpikeCounts("hidden").Slice(b * hidden, hidden).ToArray();
            Assert.Equal(Enumerable.Range(0, hidden).Select(j => Enumerable.Range(0, Steps).Count(k => single["hidden"][(k * hidden) + j] != 0)), counts);
        }

        Assert.True(fired > 0, "the output layer should fire");
    }

    /// <summary>
    /// snnTorch's Leaky recursion written out per member, independently of the engine: frame t arrives at step t + 1
    /// (delay dt) as Σ_i W1[o, i]·x[t, b, i] summed in ascending i from 0, hidden spikes of step k arrive at the output at
    /// step k + 1 the same way; reset = H(mem − θ) of the previous step, mem = β·mem + cur − reset·θ, spk = mem − θ &gt; 0.
    /// Returns the spikes [steps, B, N] of the hidden and output layers.
    /// </summary>
    private static (float[] Hidden, float[] Out) LeakyReference(float[] w1, float[] w2, float[] x, int members, int inputs, int hidden, int outputs, int steps, float beta)
    {
        int frames = x.Length / (members * inputs);
        float[] hs = new float[steps * members * hidden];
        float[] os = new float[steps * members * outputs];
        for (int b = 0; b < members; b++)
        {
            float[] hm = new float[hidden];
            float[] om = new float[outputs];
            for (int k = 1; k <= steps; k++)
            {
                for (int o = 0; o < hidden; o++)
                {
                    float cur = 0;
                    for (int i = 0; i < inputs && k - 1 < frames; i++)
                    {
                        if (x[((((k - 1) * members) + b) * inputs) + i] != 0)
                        {
                            cur += w1[(o * inputs) + i];
                        }
                    }

                    float reset = hm[o] - 1f > 0 ? 1f : 0f;
                    hm[o] = (beta * hm[o]) + cur - (reset * 1f);
                    hs[((((k - 1) * members) + b) * hidden) + o] = hm[o] - 1f > 0 ? 1f : 0f;
                }

                for (int o = 0; o < outputs; o++)
                {
                    float cur = 0;
                    for (int j = 0; j < hidden && k > 1; j++)
                    {
                        if (hs[((((k - 2) * members) + b) * hidden) + j] != 0)
                        {
                            cur += w2[(o * hidden) + j];
                        }
                    }

                    float reset = om[o] - 1f > 0 ? 1f : 0f;
                    om[o] = (beta * om[o]) + cur - (reset * 1f);
                    os[((((k - 1) * members) + b) * outputs) + o] = om[o] - 1f > 0 ? 1f : 0f;
                }
            }
        }

        return (hs, os);
    }

    [Theory]
    [InlineData(100, 200, 10, 19)]   // 128-wide tile, then 64 + 8 columns
    [InlineData(60, 1000, 10, 6)]    // the tutorial's hidden width
    [InlineData(33, 57, 3, 3)]       // narrow layers, fewer members than threads
    public void Every_thread_count_gives_the_spikes_of_an_independent_leaky_implementation(int inputs, int hidden, int outputs, int members)
    {
        // Weights of PyTorch's default scale (not dyadic: every sum rounds), binary rate-coded input at 20 %.
        const int T = 25, Steps = 26;
        const float Beta = 0.95f;
        var rng = new Random(inputs + hidden);
        float bound1 = 1.5f / MathF.Sqrt(inputs), bound2 = 1.5f / MathF.Sqrt(hidden);
        float[] w1 = [.. Enumerable.Range(0, hidden * inputs).Select(_ => (float)((rng.NextDouble() * 2) - 0.9) * bound1)];
        float[] w2 = [.. Enumerable.Range(0, outputs * hidden).Select(_ => (float)((rng.NextDouble() * 2) - 0.9) * bound2)];
        float[] x = RandomInput(T, members, inputs, 0.2, seed: hidden);
        NetworkSpec spec = new Sequential(PopulationShape.Linear(inputs))
            .Linear(hidden, w1).Neurons(Model("snntorch.leaky"), o => o.Set("beta", Beta).Set("threshold", 1.0).ClockDriven(Dt), "hidden")
            .Linear(outputs, w2).Neurons(Model("snntorch.leaky"), o => o.Set("beta", Beta).Set("threshold", 1.0).ClockDriven(Dt), "out")
            .Build();
        (float[] hidden, float[] output) expected = LeakyReference(w1, w2, x, members, inputs, hidden, outputs, Steps, Beta);
        Assert.True(expected.output.Sum() > 0, "the output layer should fire");
        Assert.InRange(expected.hidden.Sum() / expected.hidden.Length, 0.01, 0.5);
        foreach (int threads in new[] { 1, 2, 3, 4 })
        {
            using var engine = new SimulationEngine(spec, new EngineOptions { Threads = threads });
            using SimulationBatch batch = engine.CreateBatch(members);
            batch.RecordSpikes("hidden");
            batch.RecordSpikes("out");
            batch.Run(BatchInput.FromDense("input", x), Steps);
            Assert.Equal(expected.hidden, batch.GetSpikes("hidden").ToArray());
            Assert.Equal(expected.output, batch.GetSpikes("out").ToArray());
            int[] counts = new int[members * outputs];
            for (int k = 0; k < Steps * members * outputs; k++)
            {
                counts[k % (members * outputs)] += (int)expected.output[k];
            }

            Assert.Equal(counts, batch.GetSpikeCounts("out").ToArray());
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Dense_delivery_adds_each_members_rows_in_ascending_source_order_at_every_width(bool wide)
    {
        if (wide && !System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated)
        {
            wide = false; // the 512-bit tiles need the hardware; the 256-bit ones are checked instead
        }

        var rng = new Random(5);
        foreach (int post in new[] { 1, 7, 8, 9, 16, 24, 63, 64, 65, 100, 127, 128, 129, 136, 200, 255, 1000 })
        {
            const int Pre = 150, Members = 7;
            float[] w = [.. Enumerable.Range(0, Pre * post).Select(_ => (float)(rng.NextDouble() - 0.45))];
            float[] slot = [.. Enumerable.Range(0, Members * post).Select(_ => (float)rng.NextDouble())];
            float[] frame = new float[Members * Pre];
            for (int k = 0; k < frame.Length; k++)
            {
                // Member 3 silent, member 5 spiking everywhere, the others at 20 %.
                int m = k / Pre;
                frame[k] = m == 3 ? 0 : m == 5 || rng.NextDouble() < 0.2 ? 1 : 0;
            }

            float[] expected = (float[])slot.Clone();
            for (int m = 0; m < Members; m++)
            {
                for (int i = 0; i < Pre; i++)
                {
                    if (frame[(m * Pre) + i] != 0)
                    {
                        for (int j = 0; j < post; j++)
                        {
                            expected[(m * post) + j] += w[(i * post) + j];
                        }
                    }
                }
            }

            var spikes = new EventSnn.Simulator.Engines.Batch.MemberSpikes(Pre, Members);
            Assert.Equal(-1, spikes.FromDense(frame));
            Assert.True(spikes.AllOnes);
            new EventSnn.Simulator.Engines.Batch.DenseDeliveryKernel { Weights = w, Post = post, Slot = slot, Spikes = spikes, Wide = wide }.Execute(0, post);
            Assert.Equal(expected, slot);
        }
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    public void Event_streams_at_any_tick_give_the_spikes_of_single_runs(int threads)
    {
        const int Members = 5, Inputs = 10, Steps = 30;
        NetworkSpec spec = Net("snntorch.leaky", Inputs, 12, 4, seed: 3);
        var rng = new Random(11);
        var perMember = new List<(long Tick, int Neuron)>[Members];
        var events = new List<BatchEvent>();
        for (int b = 0; b < Members; b++)
        {
            perMember[b] = [.. Enumerable.Range(0, 80).Select(_ => ((long)rng.Next(0, 25 * 1_000_000), rng.Next(Inputs))).OrderBy(e => e.Item1)];
            // Ties at whole steps and repeated instants too.
            perMember[b].Insert(0, (0, 0));
            perMember[b].Add((26 * Dt.Ticks, 1));
            perMember[b].Add((26 * Dt.Ticks, 2));
        }

        // Interleave members; each member's own order is kept.
        for (int k = 0; k < perMember[0].Count; k++)
        {
            for (int b = 0; b < Members; b++)
            {
                events.Add(new BatchEvent(b, SimTime.FromTicks(perMember[b][k].Tick), perMember[b][k].Neuron));
            }
        }

        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt, Threads = threads });
        using SimulationBatch batch = engine.CreateBatch(Members);
        batch.RecordSpikes("hidden");
        batch.RecordSpikes("out");
        batch.Run(BatchInput.FromEvents("input", events), Steps);
        for (int b = 0; b < Members; b++)
        {
            Dictionary<string, float[]> single = SingleRun(spec, perMember[b], Steps);
            Assert.True(single["hidden"].Sum() > 0);
            Assert.Equal(single["hidden"], Member(batch.GetSpikes("hidden"), Steps, Members, 12, b));
            Assert.Equal(single["out"], Member(batch.GetSpikes("out"), Steps, Members, 4, b));
        }
    }

    [Fact]
    public void State_is_reset_between_batches()
    {
        const int Members = 4, Inputs = 12, T = 15;
        NetworkSpec spec = Net("snntorch.leaky", Inputs, 16, 5, seed: 5);
        float[] a = RandomInput(T, Members, Inputs, 0.4, seed: 1);
        float[] b = RandomInput(T, Members, Inputs, 0.9, seed: 2);
        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt });
        using SimulationBatch batch = engine.CreateBatch(Members);
        batch.RecordSpikes("hidden");
        batch.Run(BatchInput.FromDense("input", a));
        float[] first = batch.GetSpikes("hidden").ToArray();
        int[] firstCounts = batch.GetSpikeCounts("hidden").ToArray();
        batch.Run(BatchInput.FromDense("input", b), T + 5);
        float[] other = batch.GetSpikes("hidden").ToArray();
        Assert.NotEqual(first.Sum(), other.Sum());
        batch.Run(BatchInput.FromDense("input", a));
        Assert.Equal(first, batch.GetSpikes("hidden").ToArray());
        Assert.Equal(firstCounts, batch.GetSpikeCounts("hidden").ToArray());
    }

    [Fact]
    public void Analog_inputs_scale_the_weights_as_an_independent_leaky_recursion_computes()
    {
        // snnTorch Leaky (reset_delay, subtract): reset = H(mem[t−1] − θ); mem = β·mem + x − reset·θ; spk = mem − θ > 0.
        // Frame t is injected at t·dt and arrives at step t + 1 (delay 1 ms = dt): x(step t + 1) = Σ_i W[o, i]·in[t, i].
        const int Members = 3, Inputs = 6, Hidden = 5, T = 12;
        var rng = new Random(21);
        float[] w = [.. Enumerable.Range(0, Hidden * Inputs).Select(_ => (float)(rng.NextDouble() - 0.3))];
        float[] x = [.. Enumerable.Range(0, T * Members * Inputs).Select(_ => rng.NextDouble() < 0.5 ? 0f : (float)(rng.NextDouble() * 2))];
        NetworkSpec spec = new Sequential(PopulationShape.Linear(Inputs))
            .Linear(Hidden, w).Neurons(Model("snntorch.leaky"), o => o.Set("beta", 0.8).Set("threshold", 1.0).ClockDriven(Dt), "hidden")
            .Build();
        using var engine = new SimulationEngine(spec);
        using SimulationBatch batch = engine.CreateBatch(Members);
        batch.RecordSpikes("hidden");
        batch.Run(BatchInput.FromDense("input", x), T + 1);
        ReadOnlySpan<float> spikes = batch.GetSpikes("hidden");
        int fired = 0;
        for (int b = 0; b < Members; b++)
        {
            for (int o = 0; o < Hidden; o++)
            {
                float mem = 0;
                for (int k = 1; k <= T + 1; k++)
                {
                    float cur = 0;
                    for (int i = 0; i < Inputs; i++)
                    {
                        float v = k - 1 < T ? x[(((k - 1) * Members) + b) * Inputs + i] : 0;
                        if (v != 0)
                        {
                            cur += v == 1f ? w[(o * Inputs) + i] : w[(o * Inputs) + i] * v;
                        }
                    }

                    float reset = mem - 1f > 0 ? 1f : 0f;
                    mem = (0.8f * mem) + cur - (reset * 1f);
                    float spk = mem - 1f > 0 ? 1f : 0f;
                    fired += (int)spk;
                    Assert.Equal(spk, spikes[((((k - 1) * Members) + b) * Hidden) + o]);
                }
            }
        }

        Assert.True(fired > 0);
    }

    [Fact]
    public void Bad_shapes_and_networks_give_one_line_errors_naming_the_layer_and_shape()
    {
        NetworkSpec spec = Net("snntorch.leaky", 12, 16, 5, seed: 1);
        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt });
        using SimulationBatch batch = engine.CreateBatch(4);

        void OneLine(Exception ex, params string[] parts)
        {
            Assert.DoesNotContain('\n', ex.Message);
            foreach (string p in parts)
            {
                Assert.Contains(p, ex.Message, StringComparison.Ordinal);
            }
        }

        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("input", new float[(4 * 12 * 3) + 1]))), "Input 'input'", "[T, 4, 12]", "got 145");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("input", Array.Empty<float>()))), "Input 'input'", "[T, 4, 12]");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("hidden", new float[48]))), "'hidden'", "not an external input");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("nope", new float[48]))), "'nope'");
        float[] nan = new float[48];
        nan[13] = float.NaN;
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("input", nan))), "Input 'input'", "x[0, 1, 1]");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromEvents("input", [new BatchEvent(4, SimTime.Zero, 0)]), 5)), "Input 'input'", "member 4", "[B = 4, N = 12]");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromEvents("input", [new BatchEvent(0, SimTime.Zero, 12)]), 5)), "neuron 12");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromEvents("input", [new BatchEvent(1, SimTime.FromTicks(5), 0), new BatchEvent(1, SimTime.FromTicks(4), 0)]), 5)), "event 1", "time order");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromEvents("input", []))), "give the number of steps");
        OneLine(Assert.Throws<ArgumentException>(() => batch.GetSpikeCounts("input")), "Layer 'input'");
        OneLine(Assert.Throws<InvalidOperationException>(() => batch.GetSpikes("out")), "Layer 'out'", "RecordSpikes");
        OneLine(Assert.Throws<ArgumentException>(() => batch.Classify("out", new int[3])), "4 destinations");

        NetworkSpec eventNet = new Sequential(PopulationShape.Linear(3)).Linear(2).Neurons(NeuronModel.Lif, o => o.EventDriven(), "ev").Build();
        using var eventEngine = new SimulationEngine(eventNet);
        OneLine(Assert.Throws<ArgumentException>(() => eventEngine.CreateBatch(2)), "Layer 'ev'", "event-driven");

        NetworkSpec mixed = new Sequential(PopulationShape.Linear(3))
            .Linear(2).Neurons(NeuronModel.Lif, o => o.ClockDriven(Dt), "a")
            .Linear(2).Neurons(NeuronModel.Lif, o => o.ClockDriven(Dt * 2), "b").Build();
        using var mixedEngine = new SimulationEngine(mixed);
        OneLine(Assert.Throws<ArgumentException>(() => mixedEngine.CreateBatch(2)), "Layer 'b'", "one dt");

        NetworkSpec wta = new Sequential(PopulationShape.Linear(3)).Linear(2)
            .Neurons(Model("snntorch.leaky"), o => o.Set("inhibition", 1).ClockDriven(Dt), "wta").Build();
        using var wtaEngine = new SimulationEngine(wta);
        OneLine(Assert.Throws<ArgumentException>(() => wtaEngine.CreateBatch(2)), "Layer 'wta'", "inhibition");
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(4)]
    public void The_first_value_that_is_not_finite_is_reported_whatever_the_thread_count(int threads)
    {
        // Member 3 (in the last share for 2 and 4 threads) at step 1, member 0 (the first share) at step 2, member 1 at
        // step 2 too: the error names step 1, member 3, whichever thread meets its value first.
        const int Members = 4, Inputs = 12;
        NetworkSpec spec = Net("snntorch.leaky", Inputs, 16, 5, seed: 1);
        float[] x = RandomInput(4, Members, Inputs, 0.5, seed: 9);
        x[(((2 * Members) + 0) * Inputs) + 5] = float.NegativeInfinity;
        x[(((2 * Members) + 1) * Inputs) + 2] = float.NaN;
        x[(((1 * Members) + 3) * Inputs) + 7] = float.PositiveInfinity;
        using var engine = new SimulationEngine(spec, new EngineOptions { Threads = threads });
        using SimulationBatch batch = engine.CreateBatch(Members);
        batch.RecordSpikes("hidden");
        var ex = Assert.Throws<ArgumentException>(() => batch.Run(BatchInput.FromDense("input", x)));
        Assert.Contains("x[1, 3, 7] = ∞ is not finite", ex.Message.Replace("Infinity", "∞", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => batch.GetSpikes("hidden"));

        // The batch runs again once the input is fixed.
        x[(((2 * Members) + 0) * Inputs) + 5] = 1;
        x[(((2 * Members) + 1) * Inputs) + 2] = 1;
        x[(((1 * Members) + 3) * Inputs) + 7] = 1;
        batch.Run(BatchInput.FromDense("input", x));
        Assert.Equal(4 * Members * 16, batch.GetSpikes("hidden").Length);
    }

    [Fact]
    public void A_dense_run_allocates_nothing_after_the_first()
    {
        const int Members = 16, Inputs = 100;
        NetworkSpec spec = Net("snntorch.leaky", Inputs, 130, 10, seed: 8);
        float[] x = RandomInput(10, Members, Inputs, 0.3, seed: 3);
        using var engine = new SimulationEngine(spec, new EngineOptions { Execution = ExecutionChoice.Clock, DefaultDt = Dt });
        using SimulationBatch batch = engine.CreateBatch(Members);
        batch.RecordSpikes("out");
        var input = BatchInput.FromDense("input", x);
        int[] classes = new int[Members];
        batch.Run(input);
        batch.Classify("out", classes);

        // The runtime's tiered compilation may allocate on this thread while it replaces hot methods during the first
        // runs (once per method); an allocation of the batch itself would recur in every window. So the fewest bytes of
        // up to ten windows of three runs must be zero.
        long fewest = long.MaxValue;
        for (int window = 0; window < 10 && fewest != 0; window++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int k = 0; k < 3; k++)
            {
                batch.Run(input);
                batch.Classify("out", classes);
            }

            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        Assert.Equal(0, fewest);
        Assert.True(batch.GetSpikeCounts("hidden").ToArray().Sum() > 0);
    }

    [Fact]
    public void Classify_picks_the_busiest_output_with_ties_to_the_lowest_index_and_minus_one_when_silent()
    {
        // One layer fed one-to-one (identity weights): output j fires whenever input j does (IF, threshold 1).
        NetworkSpec spec = new Sequential(PopulationShape.Linear(3))
            .Linear(3, [1, 0, 0, 0, 1, 0, 0, 0, 1]).Neurons(Model("matterhorn.if"), o => o.ClockDriven(Dt), "out").Build();
        using var engine = new SimulationEngine(spec);
        using SimulationBatch batch = engine.CreateBatch(3);
        float[] x = new float[4 * 3 * 3];
        void Spike(int t, int b, int i) => x[(((t * 3) + b) * 3) + i] = 1;
        Spike(0, 0, 2); Spike(1, 0, 2); Spike(2, 0, 1);   // member 0: neuron 2 twice
        Spike(0, 1, 1); Spike(1, 1, 0);                   // member 1: a tie → 0
        batch.Run(BatchInput.FromDense("input", x), 5);
        int[] classes = new int[3];
        batch.Classify("out", classes);
        Assert.Equal([2, 0, -1], classes);
    }
}
