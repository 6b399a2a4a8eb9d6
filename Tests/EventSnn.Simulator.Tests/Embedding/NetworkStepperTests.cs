using EventSnn.EventQueue;
using EventSnn.Events;
using EventSnn.Simulator.Embedding;
using EventSnn.Simulator.Engines;
using EventSnn.Simulator.Inputs;
using EventSnn.Simulator.Models;
using EventSnn.Simulator.Monitors;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tests.Embedding;

/// <summary>
/// The embedding stepper: its counts and decoded rates are those of the same run recorded by a plain engine; bad inputs
/// change nothing; another thread is refused; and a step allocates nothing once the engine's queue is warm.
/// </summary>
public class NetworkStepperTests
{
    private const int InputSize = 64;
    private static readonly SimDuration Tick = SimDuration.FromMilliseconds(1L);

    /// <summary>
    /// 64 external sources → 200 event-driven LIF neurons (p = 0.1, mixed-sign weights, two delays) → "left"/"right"
    /// motor populations, one event-driven and one clock-driven (dt 0.1 ms), with mutual inhibition.
    /// </summary>
    private static NetworkSpec Network()
    {
        static void Lif(PopulationOptions p) => p.Set("tau_m", 10).Set("v_rest", 0).Set("v_thresh", 10).Set("v_reset", 0).Set("t_ref", 2);
        return new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(InputSize))
            .AddNeurons("hidden", 200, NeuronModel.Lif, p => { Lif(p); p.EventDriven(); })
            .AddNeurons("left", 5, NeuronModel.Lif, p => { Lif(p); p.EventDriven(); })
            .AddNeurons("right", 7, NeuronModel.Lif, p => { Lif(p); p.ClockDriven(SimDuration.FromMicroseconds(100)); })
            .Connect("in", "hidden", ConnectivitySpec.FixedProbability(0.1, 3), c => c.Weight(5).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("hidden", "hidden", ConnectivitySpec.FixedProbability(0.02, 4, allowSelf: false), c => c.Weight(-2).Delay(SimDuration.FromMicroseconds(1300)))
            .Connect("hidden", "left", ConnectivitySpec.FixedProbability(0.2, 5), c => c.Weight(3).Delay(SimDuration.FromMicroseconds(700)))
            .Connect("hidden", "right", ConnectivitySpec.FixedProbability(0.2, 6), c => c.Weight(3).Delay(SimDuration.FromMicroseconds(900)))
            .Connect("left", "right", ConnectivitySpec.AllToAll(), c => c.Weight(-4).Delay(SimDuration.FromMicroseconds(400)))
            .Build();
    }

    /// <summary>Deterministic input of one tick: <paramref name="perTick"/> spikes at pseudo-random times and sources, unsorted.</summary>
    private static void FillInputs(Span<InputSpike> buffer, long tickStart, ref ulong state, int population)
    {
        for (int k = 0; k < buffer.Length; k++)
        {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            long offset = (long)(state % (ulong)Tick.Ticks);
            buffer[k] = new InputSpike(SimTime.FromTicks(tickStart + offset), population, (int)((state >> 32) % InputSize));
        }
    }

    private static StepperOptions Options() => new() { Outputs = ["right", "left"] };

    [Fact]
    public void Counts_and_rates_match_a_plain_engine_recording_of_the_same_run()
    {
        NetworkSpec net = Network();
        int input = net.Population("in").Id;
        int left = net.Population("left").Id;
        int right = net.Population("right").Id;
        var options = Options() with { RateTimeConstant = SimDuration.FromMilliseconds(15L) };
        using var stepper = new NetworkStepper(net, options);
        using var reference = new SimulationEngine(net);
        var recorder = new SpikeRecorder();
        reference.AddSpikeMonitor(recorder);

        const int Ticks = 200;
        var buffer = new InputSpike[40];
        int[] counts = new int[stepper.OutputCount];
        float[] rates = new float[stepper.DecodedCount];
        Assert.Equal(12, stepper.OutputCount);
        Assert.Equal(12, stepper.DecodedCount);
        ulong state = 0x9E3779B97F4A7C15;
        long totalCounted = 0;
        for (int t = 0; t < Ticks; t++)
        {
            long start = t * Tick.Ticks;
            FillInputs(buffer, start, ref state, input);
            SimTime until = SimTime.FromTicks(start + Tick.Ticks);
            stepper.Step(until, buffer, counts, rates);
            foreach (InputSpike s in buffer)
            {
                reference.InjectEvent(s.Time, s.Population, s.Neuron);
            }

            reference.RunUntil(until);

            // Expected: the reference recording's spikes of each output in (start, until], and its decoded rates.
            for (int k = 0; k < counts.Length; k++)
            {
                (int pop, int neuron) = k < 7 ? (right, k) : (left, k - 7);
                int expected = 0;
                double rate = 0;
                double tau = SimDuration.FromMilliseconds(15L).Ticks;
                for (int i = 0; i < recorder.Count; i++)
                {
                    if (recorder.Populations[i] != pop || recorder.Neurons[i] != neuron)
                    {
                        continue;
                    }

                    long ts = recorder.TimeTicks[i];
                    if (ts > start && ts <= until.Ticks)
                    {
                        expected++;
                    }

                    rate += Math.Exp(-(until.Ticks - ts) / tau) / (tau / SimDuration.TicksPerSecond);
                }

                Assert.Equal(expected, counts[k]);
                Assert.Equal(rate, rates[k], Math.Max(1e-3, rate * 1e-5));
                totalCounted += counts[k];
            }
        }

        Assert.Equal(recorder.CountFor(left) + recorder.CountFor(right), totalCounted);
        Assert.True(recorder.CountFor(left) > 0 && recorder.CountFor(right) > 0, "Both motor populations must fire for the comparison to mean something.");
        Assert.Equal(Ticks, stepper.StepCount);
        Assert.Equal(reference.SpikeCount, stepper.Engine.SpikeCount);
    }

    /// <summary>A robotics loop's declaration: 64 sources → 300 clock-driven LIF (dt = 1 ms) → 10 clock-driven motor neurons.</summary>
    private static NetworkSpec ClockNetwork()
    {
        static void Lif(PopulationOptions p) => p.Set("tau_m", 10).Set("v_rest", 0).Set("v_thresh", 10).Set("v_reset", 0).Set("t_ref", 2).ClockDriven(SimDuration.FromMilliseconds(1L));
        return new NetworkBuilder()
            .AddExternalInput("in", PopulationShape.Linear(InputSize))
            .AddNeurons("hidden", 300, NeuronModel.Lif, Lif)
            .AddNeurons("motor", 10, NeuronModel.Lif, Lif)
            .Connect("in", "hidden", ConnectivitySpec.FixedProbability(0.1, 3), c => c.Weight(4.5f).Delay(SimDuration.FromMicroseconds(500)))
            .Connect("hidden", "hidden", ConnectivitySpec.FixedProbability(0.02, 4, allowSelf: false), c => c.Weight(-2.25f).Delay(SimDuration.FromMilliseconds(2L)))
            .Connect("hidden", "motor", ConnectivitySpec.FixedProbability(0.2, 5), c => c.Weight(3.5f).Delay(SimDuration.FromMilliseconds(1L)))
            .Build();
    }

    [Fact]
    public void Inputs_to_a_clock_driven_network_skip_the_event_queue_and_give_the_queued_runs_spikes()
    {
        NetworkSpec net = ClockNetwork();
        int input = net.Population("in").Id;
        using var stepper = new NetworkStepper(net, new StepperOptions { Outputs = ["motor", "hidden"] });
        using var reference = new SimulationEngine(net);
        var recorder = new SpikeRecorder();
        reference.AddSpikeMonitor(recorder);
        var buffer = new InputSpike[30];
        int[] counts = new int[stepper.OutputCount];
        long counted = 0;
        ulong state = 5;
        const int Ticks = 150;
        for (int t = 0; t < Ticks; t++)
        {
            FillInputs(buffer, t * Tick.Ticks, ref state, input);
            SimTime until = SimTime.FromTicks((t + 1) * Tick.Ticks);
            stepper.Step(until, buffer, counts);
            foreach (InputSpike s in buffer)
            {
                reference.InjectEvent(s.Time, s.Population, s.Neuron);
            }

            reference.RunUntil(until);
            foreach (int c in counts)
            {
                counted += c;
            }
        }

        // Weights are sums of powers of two: every order of adding them gives the same float, so the runs are identical.
        long referenceOutputs = recorder.CountFor(net.Population("motor").Id) + recorder.CountFor(net.Population("hidden").Id);
        Assert.True(referenceOutputs > 0, "The network must fire for the comparison to mean something.");
        Assert.Equal(referenceOutputs, counted);
        Assert.Equal(reference.SpikeCount, stepper.Engine.SpikeCount);

        // The queued run processed every input as a source event; the stepper's inputs went straight into the ring.
        Assert.True(reference.EventCount >= Ticks * buffer.Length, $"reference events {reference.EventCount}");
        Assert.Equal(0, stepper.Engine.EventCount);
    }

    [Fact]
    public void Another_monitor_on_the_engine_sees_every_spike_in_time_order()
    {
        NetworkSpec net = ClockNetwork();
        int input = net.Population("in").Id;
        using var stepper = new NetworkStepper(net, new StepperOptions { Outputs = ["motor"] });
        var recorder = new SpikeRecorder();
        stepper.Engine.AddSpikeMonitor(recorder);
        var buffer = new InputSpike[30];
        int[] counts = new int[stepper.OutputCount];
        ulong state = 9;
        for (int t = 0; t < 50; t++)
        {
            FillInputs(buffer, t * Tick.Ticks, ref state, input);
            stepper.Step(SimTime.FromTicks((t + 1) * Tick.Ticks), buffer, counts);
        }

        // With a second monitor the inputs are queued (as InjectEvent does), so the recording is in time order.
        Assert.Equal(50 * buffer.Length, recorder.CountFor(input));
        for (int i = 1; i < recorder.Count; i++)
        {
            Assert.True(recorder.TimeTicks[i - 1] <= recorder.TimeTicks[i], $"spike {i} at {recorder.TimeTicks[i]} after {recorder.TimeTicks[i - 1]}");
        }

        Assert.True(stepper.Engine.EventCount >= 50 * buffer.Length);
    }

    [Fact]
    public void The_readout_is_the_weighted_sum_of_the_rates()
    {
        NetworkSpec net = Network();
        int input = net.Population("in").Id;
        float[] weights = new float[2 * 12];
        for (int k = 0; k < 12; k++)
        {
            weights[k] = k < 7 ? 1f : -1f;      // right − left
            weights[12 + k] = 0.25f * (k % 3);  // an arbitrary mix
        }

        using var plain = new NetworkStepper(net, Options());
        using var readout = new NetworkStepper(net, Options() with { Readout = weights });
        Assert.Equal(2, readout.DecodedCount);
        var buffer = new InputSpike[40];
        float[] rates = new float[12];
        float[] decoded = new float[2];
        ulong state = 12345;
        bool nonZero = false;
        for (int t = 0; t < 100; t++)
        {
            FillInputs(buffer, t * Tick.Ticks, ref state, input);
            SimTime until = SimTime.FromTicks((t + 1) * Tick.Ticks);
            plain.Step(until, buffer, default, rates);
            readout.Step(until, buffer, default, decoded);
            for (int d = 0; d < 2; d++)
            {
                double expected = 0;
                for (int k = 0; k < 12; k++)
                {
                    expected += weights[(d * 12) + k] * (double)rates[k];
                }

                Assert.Equal(expected, decoded[d], Math.Max(1e-3, Math.Abs(expected) * 1e-5));
                nonZero |= decoded[d] != 0;
            }
        }

        Assert.True(nonZero);
    }

    [Fact]
    public void Camera_events_map_like_the_external_event_map()
    {
        var shape = new PopulationShape(2, 4, 8);
        NetworkSpec net = new NetworkBuilder()
            .AddExternalInput("dvs", shape)
            .AddNeurons("out", shape.Size, NeuronModel.Lif, p => p.Set("tau_m", 10).Set("v_rest", 0).Set("v_thresh", 1).Set("v_reset", 0).Set("t_ref", 0))
            .Connect("dvs", "out", ConnectivitySpec.OneToOne(), c => c.Weight(2).Delay(SimDuration.FromMicroseconds(10)))
            .Build();
        var origin = SimTime.FromMilliseconds(3L);
        using var stepper = new NetworkStepper(net, new StepperOptions { Outputs = ["out"], CameraInput = "dvs", CameraOrigin = origin });
        stepper.Step(origin, ReadOnlySpan<InputSpike>.Empty, default);
        DvsEvent[] events = [new(100, 1, 2, 1), new(200, 7, 3, 0), new(250, 8, 0, 1), new(300, 0, 4, 0), new(300, 5, 1, 0)];
        int[] counts = new int[shape.Size];
        int skipped = stepper.Step(origin + SimDuration.FromMilliseconds(1L), events, counts);

        int[] expected = new int[shape.Size];
        int outside = 0;
        foreach (DvsEvent e in events)
        {
            int src = ExternalEventMap.SourceOf(shape, e.X, e.Y, e.P);
            if (src < 0)
            {
                outside++;
            }
            else
            {
                expected[src]++;
            }
        }

        Assert.Equal(outside, skipped);
        Assert.Equal(2, outside);
        Assert.Equal(expected, counts);
    }

    [Fact]
    public void A_bad_input_is_refused_before_anything_is_injected()
    {
        NetworkSpec net = Network();
        int input = net.Population("in").Id;
        using var stepper = new NetworkStepper(net, Options());
        int[] counts = new int[stepper.OutputCount];
        stepper.Step(SimTime.FromMilliseconds(2L), [new InputSpike(SimTime.FromMilliseconds(1L), input, 3)], counts);
        int pending = stepper.Engine.PendingEvents;
        SimTime now = stepper.Now;

        InputSpike good = new(now + SimDuration.FromTicks(1), input, 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Step(now + Tick, [good, new InputSpike(now - SimDuration.FromTicks(1), input, 0)], counts));
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Step(now + Tick, [good, new InputSpike(now, input, InputSize)], counts));
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Step(now + Tick, [good, new InputSpike(now, input, -1)], counts));
        Assert.Throws<ArgumentException>(() => stepper.Step(now + Tick, [good, new InputSpike(now, net.Population("left").Id, 0)], counts));
        Assert.Throws<ArgumentException>(() => stepper.Step(now + Tick, [good, new InputSpike(now, 99, 0)], counts));
        Assert.Throws<ArgumentException>(() => stepper.Step(now + Tick, [good], new int[stepper.OutputCount - 1]));
        Assert.Throws<ArgumentException>(() => stepper.Step(now + Tick, [good], counts, new float[stepper.DecodedCount + 1]));
        Assert.Throws<ArgumentOutOfRangeException>(() => stepper.Step(now - SimDuration.FromTicks(1), [good], counts));
        Assert.Throws<InvalidOperationException>(() => stepper.Step(now + Tick, ReadOnlySpan<DvsEvent>.Empty, counts));

        Assert.Equal(pending, stepper.Engine.PendingEvents);
        Assert.Equal(now, stepper.Now);
    }

    [Fact]
    public void Options_naming_no_suitable_population_are_refused()
    {
        NetworkSpec net = Network();
        Assert.Contains("'nope'", Assert.Throws<ArgumentException>(() => new NetworkStepper(net, new StepperOptions { Outputs = ["left", "nope"] })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new NetworkStepper(net, new StepperOptions()));
        Assert.Throws<ArgumentException>(() => new NetworkStepper(net, new StepperOptions { Outputs = ["left", "left"] }));
        Assert.Contains("not an external", Assert.Throws<ArgumentException>(() => new NetworkStepper(net, Options() with { CameraInput = "left" })).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new NetworkStepper(net, Options() with { Readout = new float[13] }));
        Assert.Throws<ArgumentException>(() => new NetworkStepper(net, Options() with { Readout = [.. new float[11], float.NaN] }));
        Assert.Throws<ArgumentException>(() => new NetworkStepper(net, Options() with { RateTimeConstant = SimDuration.Zero }));
    }

    [Fact]
    public void A_step_from_another_thread_is_refused()
    {
        using var stepper = new NetworkStepper(Network(), Options());
        int[] counts = new int[stepper.OutputCount];
        stepper.Step(SimTime.FromMilliseconds(1L), ReadOnlySpan<InputSpike>.Empty, counts);
        Exception? error = null;
        var other = new Thread(() =>
        {
            try
            {
                stepper.Step(SimTime.FromMilliseconds(2L), ReadOnlySpan<InputSpike>.Empty, new int[stepper.OutputCount]);
            }
            catch (InvalidOperationException ex)
            {
                error = ex;
            }
        });
        other.Start();
        other.Join();
        Assert.NotNull(error);
        Assert.Contains("thread", error!.Message, StringComparison.Ordinal);
        Assert.Equal(SimTime.FromMilliseconds(1L), stepper.Now);

        // The owning thread goes on.
        stepper.Step(SimTime.FromMilliseconds(2L), ReadOnlySpan<InputSpike>.Empty, counts);
        Assert.Equal(SimTime.FromMilliseconds(2L), stepper.Now);
    }

    [Fact]
    public void A_stepper_built_on_one_thread_binds_to_the_thread_of_its_first_step()
    {
        var stepper = new NetworkStepper(Network(), Options());
        Exception? error = null;
        var loop = new Thread(() =>
        {
            try
            {
                using (stepper)
                {
                    int[] counts = new int[stepper.OutputCount];
                    for (int t = 1; t <= 5; t++)
                    {
                        stepper.Step(SimTime.FromMilliseconds((long)t), ReadOnlySpan<InputSpike>.Empty, counts);
                    }
                }
            }
            catch (InvalidOperationException ex)
            {
                error = ex;
            }
        });
        loop.Start();
        loop.Join();
        Assert.Null(error);
        Assert.Equal(5, stepper.StepCount);
    }

    [Fact]
    public void Steps_allocate_nothing_after_warm_up()
    {
        NetworkSpec net = Network();
        int input = net.Population("in").Id;
        using var stepper = new NetworkStepper(net, Options() with { Readout = new float[24] }, new EngineOptions { Threads = 1 });
        var buffer = new InputSpike[25];
        int[] counts = new int[stepper.OutputCount];
        float[] decoded = new float[stepper.DecodedCount];
        ulong state = 77;
        long spikes = 0;
        var log = new List<string>(1000);
        void Run(int from, int to)
        {
            for (int t = from; t < to; t++)
            {
                FillInputs(buffer, t * Tick.Ticks, ref state, input);
                long b0 = GC.GetAllocatedBytesForCurrentThread();
                stepper.Step(SimTime.FromTicks((t + 1) * Tick.Ticks), buffer, counts, decoded);
                long b1 = GC.GetAllocatedBytesForCurrentThread() - b0;
                if (b1 != 0) { log.Add($"{t}:{b1}:{stepper.Engine.PendingEvents}"); }
                foreach (int c in counts)
                {
                    spikes += c;
                }
            }
        }

        Run(0, 1500);
        long before = GC.GetAllocatedBytesForCurrentThread();
        long spikesBefore = spikes;
        Run(1500, 4000);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(spikes > spikesBefore, "The measured steps must make output spikes.");
        Assert.True(allocated == 0, string.Join(' ', log));
    }
}
