using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using EventSnn.Simulator.Connectivity;

namespace EventSnn.Simulator.Engines.Clock;

/// <summary>
/// Asks the processor to start loading the synapse rows of a step's spikes before they are delivered one by one: the first
/// cache lines of every spike's delay groups (targets and weights) in every outgoing projection. Delivering a spike reads
/// its row from wherever it lies in a large synapse table; issuing all of a step's row loads together lets them overlap
/// instead of each delivery waiting for its own. A hint only: nothing is read or written, results cannot change.
/// </summary>
internal static class FanoutPrefetch
{
    /// <summary>Prefetches the rows of <paramref name="neurons"/> in <paramref name="tables"/>[<paramref name="outgoing"/>[k]].</summary>
    /// <param name="neurons">The spiking neurons (indices into every table's sources).</param>
    /// <param name="outgoing">The projections leaving their population.</param>
    /// <param name="tables">Every projection's synapses, by id.</param>
    public static void Rows(ReadOnlySpan<int> neurons, int[] outgoing, SynapseTable[] tables)
    {
        if (!Sse.IsSupported || neurons.Length < 2)
        {
            return; // a single spike has nothing to overlap with
        }

        foreach (int pr in outgoing)
        {
            SynapseTable tb = tables[pr];
            foreach (int n in neurons)
            {
                FirstRow(tb, n);
            }
        }
    }

    /// <summary>Prefetches the row of one spike of <paramref name="neuron"/> in <paramref name="tables"/>[<paramref name="outgoing"/>[k]].</summary>
    /// <param name="neuron">The spiking neuron.</param>
    /// <param name="outgoing">The projections leaving its population.</param>
    /// <param name="tables">Every projection's synapses, by id.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Row(int neuron, int[] outgoing, SynapseTable[] tables)
    {
        if (!Sse.IsSupported)
        {
            return;
        }

        foreach (int pr in outgoing)
        {
            FirstRow(tables[pr], neuron);
        }
    }

    /// <summary>Prefetches the start of the first delay group of source <paramref name="neuron"/> in <paramref name="tb"/>, if it has one.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void FirstRow(SynapseTable tb, int neuron)
    {
        int[] sourceStart = tb.SourceGroupStart;
        int[] groupStart = tb.GroupStart;
        int[] targets = tb.Targets;
        float[] weights = tb.Weights;
        if ((uint)(neuron + 1) >= (uint)sourceStart.Length)
        {
            return;
        }

        int g = sourceStart[neuron];
        if (g >= sourceStart[neuron + 1] || (uint)g >= (uint)groupStart.Length)
        {
            return;
        }

        int from = groupStart[g];
        if ((uint)from < (uint)targets.Length && (uint)from < (uint)weights.Length)
        {
            Touch(ref targets[from], ref weights[from]);
        }
    }

    /// <summary>
    /// Prefetches the whole of delay group <paramref name="group"/> of <paramref name="table"/> (targets and weights), so
    /// that a delivery known in advance finds its row in cache.
    /// </summary>
    /// <param name="table">The synapses.</param>
    /// <param name="group">The delay group.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static unsafe void Group(SynapseTable table, int group)
    {
        int[] groupStart = table.GroupStart;
        if (!Sse.IsSupported || (uint)(group + 1) >= (uint)groupStart.Length)
        {
            return;
        }

        int from = groupStart[group];
        int end = groupStart[group + 1];
        int[] targets = table.Targets;
        float[] weights = table.Weights;
        if ((uint)from >= (uint)targets.Length || end > targets.Length || end > weights.Length)
        {
            return;
        }

        // Prefetching never faults and never moves data, so an address that the collector invalidates a moment later is harmless.
        byte* t = (byte*)Unsafe.AsPointer(ref targets[from]);
        byte* w = (byte*)Unsafe.AsPointer(ref weights[from]);
        long bytes = (long)(end - from) * sizeof(int);
        for (long off = 0; off < bytes; off += 64)
        {
            Sse.Prefetch0(t + off);
            Sse.Prefetch0(w + off);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void Touch(ref int target, ref float weight)
    {
        // Prefetching never faults and never moves data, so an address that the collector invalidates a moment later is harmless.
        byte* t = (byte*)Unsafe.AsPointer(ref target);
        byte* w = (byte*)Unsafe.AsPointer(ref weight);
        Sse.Prefetch0(t);
        Sse.Prefetch0(t + 64);
        Sse.Prefetch0(w);
        Sse.Prefetch0(w + 64);
    }
}
