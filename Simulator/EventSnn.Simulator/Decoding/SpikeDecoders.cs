namespace EventSnn.Simulator.Decoding;

/// <summary>
/// Decoders of output spike trains and membrane traces, and the accuracy measures of snnTorch, on dense step-major
/// tensors: a record of <c>T</c> steps of <c>N</c> values is a span of <c>T·N</c> floats, step <c>t</c>'s values at
/// <c>[t·N, (t+1)·N)</c>; a batch record <c>[T, B, N]</c> has step <c>t</c>, sample <c>b</c> at <c>(t·B + b)·N</c>.
/// </summary>
/// <remarks>
/// Semantics follow Matterhorn 2.0 (<c>snn.functional.decode_sum_spike</c>, <c>decode_avg_spike</c>,
/// <c>decode_min_time</c>, <c>decode_avg_time</c>) and snnTorch (<c>functional.acc.accuracy_rate</c>,
/// <c>accuracy_temporal</c>). Where the libraries take an arg-max or arg-min, ties go to the lowest index (the first
/// occurrence, as PyTorch returns on the CPU). Nothing here allocates.
/// </remarks>
public static class SpikeDecoders
{
    /// <summary>Total spikes per neuron over time: <c>o_i = Σ_t x[t, i]</c> (Matterhorn <c>SumSpike</c>).</summary>
    /// <param name="spikes">The record, <c>steps × neurons</c> values.</param>
    /// <param name="steps">The number of steps T (≥ 1).</param>
    /// <param name="destination">One value per neuron.</param>
    /// <exception cref="ArgumentException">The record is not <c>steps</c> whole steps of <c>destination.Length</c> values.</exception>
    public static void SumSpikes(ReadOnlySpan<float> spikes, int steps, Span<float> destination)
    {
        int n = CheckShape(spikes, steps, destination.Length);
        destination.Clear();
        for (int t = 0; t < steps; t++)
        {
            ReadOnlySpan<float> row = spikes.Slice(t * n, n);
            for (int i = 0; i < n; i++)
            {
                destination[i] += row[i];
            }
        }
    }

    /// <summary>Mean spikes per neuron over time: <c>o_i = (1/T)·Σ_t x[t, i]</c> (Matterhorn <c>AverageSpike</c>).</summary>
    /// <param name="spikes">The record, <c>steps × neurons</c> values.</param>
    /// <param name="steps">The number of steps T (≥ 1).</param>
    /// <param name="destination">One value per neuron.</param>
    /// <exception cref="ArgumentException">The record is not <c>steps</c> whole steps of <c>destination.Length</c> values.</exception>
    public static void AverageSpikes(ReadOnlySpan<float> spikes, int steps, Span<float> destination)
    {
        SumSpikes(spikes, steps, destination);
        for (int i = 0; i < destination.Length; i++)
        {
            destination[i] /= steps;
        }
    }

    /// <summary>
    /// First spike time per neuron (Matterhorn <c>MinTime</c>): the step of the first maximal value over time plus
    /// <paramref name="offset"/> (for 0/1 spikes, the first spike's step); <paramref name="emptyFill"/> where the sum
    /// over time is not positive.
    /// </summary>
    /// <param name="spikes">The record, <c>steps × neurons</c> values.</param>
    /// <param name="steps">The number of steps T (≥ 1).</param>
    /// <param name="destination">One value per neuron.</param>
    /// <param name="offset">Added to every time (Matterhorn's <c>t_offset</c>).</param>
    /// <param name="emptyFill">The value of a neuron without spikes (Matterhorn's <c>empty_fill</c>, default −1).</param>
    /// <exception cref="ArgumentException">The record is not <c>steps</c> whole steps of <c>destination.Length</c> values.</exception>
    public static void FirstSpikeTime(ReadOnlySpan<float> spikes, int steps, Span<float> destination, int offset = 0, float emptyFill = -1)
    {
        int n = CheckShape(spikes, steps, destination.Length);
        for (int i = 0; i < n; i++)
        {
            float best = spikes[i], sum = 0;
            int at = 0;
            for (int t = 0; t < steps; t++)
            {
                float v = spikes[(t * n) + i];
                sum += v;
                if (v > best)
                {
                    best = v;
                    at = t;
                }
            }

            destination[i] = sum > 0 ? at + offset : emptyFill;
        }
    }

    /// <summary>
    /// Mean spike time per neuron (Matterhorn <c>AverageTime</c>): <c>Σ_t t·x[t, i] / Σ_t x[t, i] + offset</c>, with
    /// steps counted from 0; <paramref name="emptyFill"/> where the sum over time is not positive.
    /// </summary>
    /// <param name="spikes">The record, <c>steps × neurons</c> values.</param>
    /// <param name="steps">The number of steps T (≥ 1).</param>
    /// <param name="destination">One value per neuron.</param>
    /// <param name="offset">Added to every time (Matterhorn's <c>t_offset</c>).</param>
    /// <param name="emptyFill">The value of a neuron without spikes (default −1).</param>
    /// <exception cref="ArgumentException">The record is not <c>steps</c> whole steps of <c>destination.Length</c> values.</exception>
    public static void AverageSpikeTime(ReadOnlySpan<float> spikes, int steps, Span<float> destination, int offset = 0, float emptyFill = -1)
    {
        int n = CheckShape(spikes, steps, destination.Length);
        for (int i = 0; i < n; i++)
        {
            float weighted = 0, sum = 0;
            for (int t = 0; t < steps; t++)
            {
                float v = spikes[(t * n) + i];
                weighted += v * t;
                sum += v;
            }

            destination[i] = sum > 0 ? (weighted / sum) + offset : emptyFill;
        }
    }

    /// <summary>The largest membrane value per neuron over time: <c>o_i = max_t u[t, i]</c>.</summary>
    /// <param name="membrane">The membrane record, <c>steps × neurons</c> values.</param>
    /// <param name="steps">The number of steps T (≥ 1).</param>
    /// <param name="destination">One value per neuron.</param>
    /// <exception cref="ArgumentException">The record is not <c>steps</c> whole steps of <c>destination.Length</c> values.</exception>
    public static void MaxMembrane(ReadOnlySpan<float> membrane, int steps, Span<float> destination)
    {
        int n = CheckShape(membrane, steps, destination.Length);
        membrane[..n].CopyTo(destination);
        for (int t = 1; t < steps; t++)
        {
            ReadOnlySpan<float> row = membrane.Slice(t * n, n);
            for (int i = 0; i < n; i++)
            {
                destination[i] = Math.Max(destination[i], row[i]);
            }
        }
    }

    /// <summary>The index of the largest value; ties go to the lowest index; −1 for an empty span.</summary>
    /// <param name="values">The values.</param>
    public static int ArgMax(ReadOnlySpan<float> values)
    {
        int at = values.IsEmpty ? -1 : 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[at])
            {
                at = i;
            }
        }

        return at;
    }

    /// <summary>The index of the largest value; ties go to the lowest index; −1 for an empty span.</summary>
    /// <param name="values">The values.</param>
    public static int ArgMax(ReadOnlySpan<long> values)
    {
        int at = values.IsEmpty ? -1 : 0;
        for (int i = 1; i < values.Length; i++)
        {
            if (values[i] > values[at])
            {
                at = i;
            }
        }

        return at;
    }

    /// <summary>The index of the earliest first-spike time, ignoring negative values (no spike); −1 when every value is negative.</summary>
    /// <param name="firstSpikes">Times per neuron (ticks or steps), −1 for neurons without spikes.</param>
    public static int ArgMinFirstSpike(ReadOnlySpan<long> firstSpikes)
    {
        int at = -1;
        for (int i = 0; i < firstSpikes.Length; i++)
        {
            if (firstSpikes[i] >= 0 && (at < 0 || firstSpikes[i] < firstSpikes[at]))
            {
                at = i;
            }
        }

        return at;
    }

    /// <summary>
    /// snnTorch <c>accuracy_rate</c>: the fraction of samples whose output with the most spikes over time equals the
    /// target; with <paramref name="populationClasses"/> = c, class k sums neurons <c>⌊N·k/c⌋ … ⌊N·(k+1)/c⌋ − 1</c>
    /// (<c>population_code=True, num_classes=c</c>; N must be a multiple of c).
    /// </summary>
    /// <param name="spikes">Output spikes <c>[T, B, N]</c>.</param>
    /// <param name="steps">T (≥ 1).</param>
    /// <param name="targets">One class per sample (B values).</param>
    /// <param name="outputs">N (≥ 1).</param>
    /// <param name="populationClasses">The number of classes of a population code, or null.</param>
    /// <returns>The accuracy in [0, 1].</returns>
    /// <exception cref="ArgumentException">The shapes disagree, or N is not a multiple of the classes.</exception>
    public static double AccuracyRate(ReadOnlySpan<float> spikes, int steps, ReadOnlySpan<int> targets, int outputs, int? populationClasses = null)
    {
        int batch = CheckBatch(spikes, steps, targets.Length, outputs);
        int classes = populationClasses ?? outputs;
        if (classes < 1 || outputs % classes != 0)
        {
            throw new ArgumentException($"num_outputs {outputs} must be a multiple of num_classes {classes}.", nameof(populationClasses));
        }

        Span<float> sums = classes <= 1024 ? stackalloc float[classes] : new float[classes];
        int correct = 0;
        for (int b = 0; b < batch; b++)
        {
            sums.Clear();
            for (int t = 0; t < steps; t++)
            {
                ReadOnlySpan<float> row = spikes.Slice(((t * batch) + b) * outputs, outputs);
                for (int k = 0; k < classes; k++)
                {
                    int lo = (int)((long)outputs * k / classes), hi = (int)((long)outputs * (k + 1) / classes);
                    for (int i = lo; i < hi; i++)
                    {
                        sums[k] += row[i];
                    }
                }
            }

            correct += ArgMax(sums) == targets[b] ? 1 : 0;
        }

        return batch == 0 ? double.NaN : (double)correct / batch;
    }

    /// <summary>
    /// snnTorch <c>accuracy_temporal</c>: per sample and output, the first spike's step (an output that never fires is
    /// given step T − 1, snnTorch's "shadow spike" at the last step); the fraction of samples whose earliest output
    /// equals the target (ties: lowest index).
    /// </summary>
    /// <param name="spikes">Output spikes <c>[T, B, N]</c> (non-zero = spike).</param>
    /// <param name="steps">T (≥ 1).</param>
    /// <param name="targets">One class per sample (B values).</param>
    /// <param name="outputs">N (≥ 1).</param>
    /// <returns>The accuracy in [0, 1].</returns>
    /// <exception cref="ArgumentException">The shapes disagree.</exception>
    public static double AccuracyTemporal(ReadOnlySpan<float> spikes, int steps, ReadOnlySpan<int> targets, int outputs)
    {
        int batch = CheckBatch(spikes, steps, targets.Length, outputs);
        int correct = 0;
        for (int b = 0; b < batch; b++)
        {
            int best = -1, bestTime = int.MaxValue;
            for (int i = 0; i < outputs; i++)
            {
                int first = steps - 1;
                for (int t = 0; t < steps; t++)
                {
                    if (spikes[(((t * batch) + b) * outputs) + i] != 0)
                    {
                        first = t;
                        break;
                    }
                }

                if (first < bestTime)
                {
                    bestTime = first;
                    best = i;
                }
            }

            correct += best == targets[b] ? 1 : 0;
        }

        return batch == 0 ? double.NaN : (double)correct / batch;
    }

    private static int CheckShape(ReadOnlySpan<float> record, int steps, int neurons)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        if ((long)steps * neurons != record.Length)
        {
            throw new ArgumentException($"A record of {steps} steps × {neurons} neurons has {(long)steps * neurons} values; got {record.Length}.", nameof(record));
        }

        return neurons;
    }

    private static int CheckBatch(ReadOnlySpan<float> spikes, int steps, int batch, int outputs)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outputs, 1);
        if ((long)steps * batch * outputs != spikes.Length)
        {
            throw new ArgumentException($"Output spikes of {steps} steps × {batch} samples × {outputs} outputs have {(long)steps * batch * outputs} values; got {spikes.Length}.", nameof(spikes));
        }

        return batch;
    }
}
