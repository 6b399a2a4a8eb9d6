using EventSnn.Devices.Lanes;
using ILGPU;

namespace EventSnn.Devices.Ilgpu;

/// <summary>The device views of a resident population that the step kernel reads and writes.</summary>
internal struct StepViews
{
    public ArrayView<float> V;
    public ArrayView<float> S1;
    public ArrayView<float> S2;
    public ArrayView<float> S3;
    public ArrayView<float> Refractory;
    public ArrayView<float> Ring;
    public ArrayView<int> Flags;
    public ArrayView<float> Amplitudes;
}

/// <summary>The scalars of one window launch.</summary>
internal struct StepParams
{
    public int Size;
    public int Padded;
    public int Columns;
    public int Receptors;
    public int RingSlots;
    public int Steps;
    public int PerNeuron;
    public int Graded;
    public long FirstStep;
}

/// <summary>One queued delivery: a delay group of an incoming projection added into one ring row.</summary>
internal struct Delivery
{
    /// <summary>First synapse of the group in the population's concatenated target array.</summary>
    public int TargetStart;

    /// <summary>Synapses in the group.</summary>
    public int Length;

    /// <summary>First weight: in the concatenated weights, or in the inline weights of this flush.</summary>
    public int WeightStart;

    /// <summary>1 when the weights are inline (plastic projection).</summary>
    public int Inline;

    /// <summary>1 when the group hits a target twice (then one thread adds its synapses in order).</summary>
    public int Serial;

    /// <summary>The ring row: slot·Receptors + receptor.</summary>
    public int Row;

    /// <summary>Scales every weight.</summary>
    public float Amplitude;
}

/// <summary>
/// The kernels of resident clock-driven populations, written once: the window kernel is generic over the model's
/// <see cref="IClockStep{TSelf}"/> and compiled by ILGPU for each model type.
/// </summary>
internal static class ClockKernels
{
    /// <summary>Neurons per compaction chunk (one thread counts and writes a chunk, in neuron order).</summary>
    public const int Chunk = 512;

    /// <summary>
    /// One thread per neuron runs the whole window: per step it reads and clears its ring input, calls the model's step
    /// over <see cref="IlgpuLane"/> and writes a spike flag (and the amplitude of graded models).
    /// </summary>
    public static void StepWindow<TModel>(Index1D index, TModel shared, ArrayView<TModel> models, StepViews views, StepParams p)
        where TModel : unmanaged, IClockStep<TModel>
    {
        int i = index;
        if (i >= p.Padded || (p.PerNeuron != 0 && i >= p.Size))
        {
            return;
        }

        TModel model = p.PerNeuron != 0 ? models[i] : shared;
        var n = new ClockNeuron<IlgpuLane>
        {
            V = new(views.V[i]),
            S1 = p.Columns > 1 ? new(views.S1[i]) : default,
            S2 = p.Columns > 2 ? new(views.S2[i]) : default,
            S3 = p.Columns > 3 ? new(views.S3[i]) : default,
            Refractory = new(views.Refractory[i]),
        };
        for (int s = 0; s < p.Steps; s++)
        {
            int slot = (int)((p.FirstStep + s) % p.RingSlots);
            int at0 = (slot * p.Receptors * p.Padded) + i;
            IlgpuLane x0 = new(views.Ring[at0]);
            views.Ring[at0] = 0f;
            IlgpuLane x1 = default;
            if (p.Receptors > 1)
            {
                int at1 = at0 + p.Padded;
                x1 = new(views.Ring[at1]);
                views.Ring[at1] = 0f;
            }

            IlgpuMask spike = model.StepClock<IlgpuLane, IlgpuMask>(ref n, x0, x1);
            bool fire = spike.Value && i < p.Size;
            views.Flags[(s * p.Padded) + i] = fire ? 1 : 0;
            if (fire && p.Graded != 0)
            {
                views.Amplitudes[(s * p.Padded) + i] = n.Output.Value;
            }
        }

        views.V[i] = n.V.Value;
        if (p.Columns > 1)
        {
            views.S1[i] = n.S1.Value;
        }

        if (p.Columns > 2)
        {
            views.S2[i] = n.S2.Value;
        }

        if (p.Columns > 3)
        {
            views.S3[i] = n.S3.Value;
        }

        views.Refractory[i] = n.Refractory.Value;
    }

    /// <summary>Thread t = (step, chunk) counts the spike flags of its chunk.</summary>
    public static void CountChunks(Index1D index, ArrayView<int> flags, ArrayView<int> counts, int padded, int chunks)
    {
        int t = index;
        int s = t / chunks;
        int c = t - (s * chunks);
        int from = (s * padded) + (c * Chunk);
        int to = (s * padded) + Math.Min(padded, (c + 1) * Chunk);
        int n = 0;
        for (int k = from; k < to; k++)
        {
            n += flags[k];
        }

        counts[t] = n;
    }

    /// <summary>One thread: exclusive prefix sum of the (step, chunk) counts, in (step, chunk) order, and the step starts.</summary>
    public static void ScanCounts(Index1D index, ArrayView<int> counts, ArrayView<int> offsets, ArrayView<int> stepStarts, int steps, int chunks)
    {
        if (index != 0)
        {
            return;
        }

        int sum = 0;
        for (int s = 0; s < steps; s++)
        {
            stepStarts[s] = sum;
            for (int c = 0; c < chunks; c++)
            {
                int t = (s * chunks) + c;
                offsets[t] = sum;
                sum += counts[t];
            }
        }

        stepStarts[steps] = sum;
    }

    /// <summary>Thread t = (step, chunk) writes the neurons of its chunk that spiked, ascending, at its offset: (step, neuron) order.</summary>
    public static void ScatterChunks(Index1D index, ArrayView<int> flags, ArrayView<int> offsets, ArrayView<int> spikes, ArrayView<float> amplitudes, ArrayView<float> spikeAmplitudes, int padded, int chunks, int graded)
    {
        int t = index;
        int s = t / chunks;
        int c = t - (s * chunks);
        int first = c * Chunk;
        int last = Math.Min(padded, (c + 1) * Chunk);
        int w = offsets[t];
        for (int i = first; i < last; i++)
        {
            int at = (s * padded) + i;
            if (flags[at] != 0)
            {
                spikes[w] = i;
                if (graded != 0)
                {
                    spikeAmplitudes[w] = amplitudes[at];
                }

                w++;
            }
        }
    }

    /// <summary>
    /// One group adds the queued deliveries into the ring in queue order: the group's threads share the synapses of one
    /// delivery (distinct targets, so no two threads touch one entry), and a barrier separates deliveries, so every ring
    /// entry receives its contributions in exactly the order the host queued them — no atomics, no order that varies.
    /// </summary>
    public static void Propagate(ArrayView<Delivery> records, int count, ArrayView<int> targets, ArrayView<float> weights, ArrayView<float> inlineWeights, ArrayView<float> ring, int padded)
    {
        int tid = Group.IdxX;
        int width = Group.DimX;
        for (int r = 0; r < count; r++)
        {
            Delivery d = records[r];
            int first = d.Serial != 0 ? (tid == 0 ? 0 : d.Length) : tid;
            int stride = d.Serial != 0 ? 1 : width;
            for (int k = first; k < d.Length; k += stride)
            {
                int target = targets[d.TargetStart + k];
                float x = d.Inline != 0 ? inlineWeights[d.WeightStart + k] : weights[d.WeightStart + k];
                int at = (d.Row * padded) + target;
                ring[at] = DeviceMath.Add(ring[at], DeviceMath.Mul(x, d.Amplitude));
            }

            Group.Barrier();
        }
    }
}
