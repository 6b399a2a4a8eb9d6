using EventSnn.Devices;
using EventSnn.EventQueue;
using EventSnn.Simulator.Engines.Clock;
using EventSnn.Simulator.Network;

namespace EventSnn.Simulator.Tracing;

/// <summary>The values a trace reports: per column, one float per (step, neuron), step-major.</summary>
/// <param name="Steps">The number of steps.</param>
/// <param name="Size">The number of neurons.</param>
/// <param name="Columns">The column names.</param>
/// <param name="Values">Per column, <c>Steps × Size</c> values (index <c>step·Size + neuron</c>).</param>
public sealed record TraceResult(int Steps, int Size, IReadOnlyList<string> Columns, IReadOnlyList<float[]> Values);

/// <summary>
/// Runs one population of N neurons for T steps with an analog input per step, through the engine's own clock-driven
/// population (the model's lane step, its population rule, the input ring), so a trace is exactly what the population
/// computes inside a network whose deliveries sum to the same inputs.
/// </summary>
public static class TraceRunner
{
    /// <summary>Runs <paramref name="setup"/> for <paramref name="steps"/> steps.</summary>
    /// <param name="setup">The population.</param>
    /// <param name="input">
    /// The inputs, step-major: per step, <see cref="TraceSetup.Size"/> values for receptor 0, then (when
    /// <see cref="TraceSetup.InputsPerNeuron"/> is 2) as many for receptor 1.
    /// </param>
    /// <param name="steps">The number of steps (≥ 0).</param>
    /// <returns>The reported columns.</returns>
    /// <exception cref="ArgumentException">The setup does not describe a valid population, or the input has the wrong length.</exception>
    public static TraceResult Run(TraceSetup setup, ReadOnlySpan<float> input, int steps)
    {
        ArgumentNullException.ThrowIfNull(setup);
        ArgumentOutOfRangeException.ThrowIfNegative(steps);
        int n = setup.Size;
        int per = setup.InputsPerNeuron;
        if (input.Length != (long)steps * n * per)
        {
            throw new ArgumentException($"The input has {input.Length} values; {steps} steps of {n} neurons × {per} inputs need {(long)steps * n * per}.", nameof(input));
        }

        if (setup.Recurrent is { } w && w.Length != (long)n * n)
        {
            throw new ArgumentException($"The recurrent weights have {w.Length} values; {n} neurons need {n}×{n}.", nameof(setup));
        }

        int receptors = setup.Model.Info.Receptors.Length;
        if ((per == 2 || setup.Recurrent is not null) && receptors < 2)
        {
            throw new ArgumentException($"Model '{setup.Model.Info.Name}' has one receptor: it takes neither a second input nor recurrence.", nameof(setup));
        }

        PopulationSpec spec = BuildSpec(setup);
        SimDuration dt = setup.Step;
        if (dt.Ticks < 1)
        {
            throw new ArgumentException($"The step must be at least 1 tick (got {dt}).", nameof(setup));
        }

        using var device = new CpuDevice(new CpuDeviceOptions { Threads = 1 });
        ClockPopulation population = setup.Model.CreateClockPopulation(spec, dt, ringSlots: 2, maxWindow: 1, device);

        var values = new float[setup.Columns.Length][];
        for (int c = 0; c < values.Length; c++)
        {
            values[c] = new float[(long)steps * n];
        }

        int[] targets = [.. Enumerable.Range(0, n)];
        var rec = new float[n];
        var outputs = new float[n];
        var previous = setup.InitialOutputs is { } init ? (float[])init.Clone() : new float[n];
        if (previous.Length != n)
        {
            throw new ArgumentException($"The initial outputs have {previous.Length} values for {n} neurons.", nameof(setup));
        }

        for (int t = 0; t < steps; t++)
        {
            long arrival = (t + 1) * dt.Ticks;
            ReadOnlySpan<float> row = input.Slice(t * n * per, n * per);
            population.AddDirectInput(arrival, 0, targets, row[..n]);
            if (per == 2)
            {
                population.AddDirectInput(arrival, 1, targets, row[n..]);
            }

            if (setup.Recurrent is { } weights)
            {
                Array.Clear(rec);
                for (int j = 0; j < n; j++)
                {
                    float s = previous[j];
                    if (s == 0)
                    {
                        continue;
                    }

                    for (int i = 0; i < n; i++)
                    {
                        rec[i] += s == 1f ? weights[(i * n) + j] : weights[(i * n) + j] * s;
                    }
                }

                population.AddDirectInput(arrival, 1, targets, rec);
            }

            population.RunWindow(1);
            population.EmittedTime = population.StateTime;
            Array.Clear(outputs);
            foreach (int i in population.Spikes.ForStep(0))
            {
                outputs[i] = population.Amplitude(0, i);
            }

            float[][] columns = population.State.Columns;
            for (int c = 0; c < values.Length; c++)
            {
                int k = setup.Columns[c].StateIndex;
                Span<float> dest = values[c].AsSpan(t * n, n);
                if (k < 0)
                {
                    outputs.CopyTo(dest);
                }
                else
                {
                    columns[k].AsSpan(0, n).CopyTo(dest);
                }
            }

            (previous, outputs) = (outputs, previous);
        }

        return new TraceResult(steps, n, [.. setup.Columns.Select(c => c.Name)], values);
    }

    private static PopulationSpec BuildSpec(TraceSetup setup)
    {
        try
        {
            return Build(setup);
        }
        catch (NetworkValidationException ex)
        {
            const string Prefix = "population 'trace': ";
            throw new ArgumentException(string.Join("; ", ex.Errors.Select(e => e.StartsWith(Prefix, StringComparison.Ordinal) ? e[Prefix.Length..] : e)), nameof(setup), ex);
        }
    }

    private static PopulationSpec Build(TraceSetup setup)
    {
        NetworkSpec net = new NetworkBuilder()
            .AddNeurons("trace", setup.Size, setup.Model, o =>
            {
                foreach (var kv in setup.Parameters)
                {
                    o.Set(kv.Key, kv.Value);
                }

                foreach (var kv in setup.PerNeuronParameters)
                {
                    o.SetPerNeuron(kv.Key, kv.Value);
                }

                foreach (var kv in setup.Initial)
                {
                    o.InitialPerNeuron(kv.Key, kv.Value);
                }

                o.ClockDriven(setup.Step);
            })
            .Build();
        return net.Populations[0];
    }
}
