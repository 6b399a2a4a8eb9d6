using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using EventSnn.Devices;
using EventSnn.Simulator.Engines.Clock;

namespace EventSnn.Simulator.Engines.Batch;

/// <summary>
/// The spikes of one population at one instant across a batch, member by member: for each member (ascending), the
/// sources that spiked (ascending) and each spike's amplitude.
/// </summary>
internal sealed class MemberSpikes
{
    public MemberSpikes(int sources, int members)
    {
        Sources = sources;
        Members = members;
        Start = new int[members + 1];
        Source = new int[checked(sources * members)];
        Amplitude = new float[Source.Length];
    }

    /// <summary>The number of source neurons N.</summary>
    public int Sources { get; }

    /// <summary>The number of members B.</summary>
    public int Members { get; }

    /// <summary>Member b's spikes are <c>Start[b] .. Start[b + 1]</c> in <see cref="Source"/> and <see cref="Amplitude"/>.</summary>
    public int[] Start { get; }

    /// <summary>The source of each spike.</summary>
    public int[] Source { get; }

    /// <summary>The amplitude of each spike (1 for binary spikes).</summary>
    public float[] Amplitude { get; }

    /// <summary>How many spikes there are.</summary>
    public int Total => Start[Members];

    /// <summary>Whether every amplitude is exactly 1 (binary spikes: weights are added unscaled).</summary>
    public bool AllOnes { get; private set; }

    /// <summary>Lists the non-zero values of a dense frame <c>[B, N]</c> (member-major).</summary>
    /// <param name="frame">B·N values.</param>
    /// <param name="population">The population's name (for the error on a value that is not finite).</param>
    /// <param name="step">The step (for the error).</param>
    public void FromDense(ReadOnlySpan<float> frame, string population, int step)
    {
        int n = Sources;
        int at = 0;
        bool ones = true;
        int[] source = Source;
        float[] amplitude = Amplitude;
        for (int b = 0; b < Members; b++)
        {
            Start[b] = at;
            ReadOnlySpan<float> row = frame.Slice(b * n, n);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
                {
                    Vector256<float> v = Vector256.Create(row.Slice(i, Vector256<float>.Count));
                    uint mask = ~Vector256.Equals(v, Vector256<float>.Zero).ExtractMostSignificantBits() & 0xFFu;
                    if (mask == 0)
                    {
                        continue;
                    }

                    ones &= (Vector256.Equals(v, Vector256<float>.One).ExtractMostSignificantBits() & 0xFFu) == mask;
                    while (mask != 0)
                    {
                        int j = i + BitOperations.TrailingZeroCount(mask);
                        source[at] = j;
                        amplitude[at++] = row[j];
                        mask &= mask - 1;
                    }
                }
            }

            for (; i < n; i++)
            {
                float v = row[i];
                if (v != 0)
                {
                    source[at] = i;
                    amplitude[at++] = v;
                    ones &= v == 1f;
                }
            }
        }

        Start[Members] = at;
        if (!ones)
        {
            for (int b = 0; b < Members; b++)
            {
                for (int k = Start[b]; k < Start[b + 1]; k++)
                {
                    if (!float.IsFinite(amplitude[k]))
                    {
                        throw new ArgumentException($"Input '{population}': value x[{step}, {b}, {source[k]}] = {amplitude[k]} is not finite.", nameof(frame));
                    }
                }
            }
        }

        AllOnes = ones;
    }

    /// <summary>Lists the spikes of a batched population (indices <c>b·N + j</c>, ascending) member by member.</summary>
    /// <param name="spikes">The spiking indices, ascending.</param>
    /// <param name="graded">The population when its spikes carry amplitudes (step 0 of its last window), or null for binary spikes.</param>
    public void FromSpikes(ReadOnlySpan<int> spikes, ClockPopulation? graded)
    {
        int n = Sources;
        bool ones = true;
        int b = 0;
        Start[0] = 0;
        for (int k = 0; k < spikes.Length; k++)
        {
            int s = spikes[k];
            while (s >= (b + 1) * n)
            {
                Start[++b] = k;
            }

            Source[k] = s - (b * n);
            float a = graded is null ? 1f : graded.Amplitude(0, s);
            Amplitude[k] = a;
            ones &= a == 1f;
        }

        while (b < Members)
        {
            Start[++b] = spikes.Length;
        }

        AllOnes = ones;
    }
}

/// <summary>
/// Adds the weight rows of a dense matrix <c>W[pre, post]</c> into each member's input, over a range of post columns:
/// per tile of 64 columns and per member, the member's tile is held in registers while the rows of the sources that
/// spiked for it are added (binary spikes: rows added, zeros skipped), then stored once; the tile of W (pre × 64) is
/// read by every member while it is in cache.
/// </summary>
/// <remarks>
/// For each member and target the contributions are added to the value already there in ascending source order, one
/// rounding per addition: the order and arithmetic of the engine's single-sample delivery (weight × amplitude rounded,
/// then added).
/// </remarks>
internal struct DenseDeliveryKernel : IRangeKernel
{
    /// <summary>Columns per tile.</summary>
    public const int Tile = 64;

    /// <summary>Sources per block of W kept in L1 (64 rows × 64 columns = 16 KiB).</summary>
    public const int Block = 64;

    /// <summary>Up to this batch size the member cursors live on the stack (larger batches allocate them per call).</summary>
    public const int MaxStackMembers = 4096;

    public float[] Weights;
    public int Post;
    public float[] Slot;
    public MemberSpikes Spikes;

    public readonly void Execute(int start, int end)
    {
        end = Math.Min(end, Post);
        for (int c = start; c < end; c += Tile)
        {
            int e = Math.Min(c + Tile, end);
            int c8 = c;
            if (Vector256.IsHardwareAccelerated && Spikes.AllOnes)
            {
                if (e - c == Tile)
                {
                    AddTileOnes(c);
                    continue;
                }

                for (; c8 + 8 <= e; c8 += 8)
                {
                    AddVectorOnes(c8);
                }
            }

            if (c8 < e)
            {
                AddColumns(c8, e);
            }
        }
    }

    private readonly void AddTileOnes(int c)
    {
        MemberSpikes sp = Spikes;
        int members = sp.Members;
        // Walk the sources in blocks whose tile of W (Block × 64 floats, 16 KiB) stays in L1 while every member adds its
        // sources of the block; each member's cursor moves on through its ascending list, so the order of additions is kept.
        Span<int> cursor = members <= MaxStackMembers ? stackalloc int[members] : new int[members];
        sp.Start.AsSpan(0, members).CopyTo(cursor);
        int pre = Weights.Length / Post;
        for (int s0 = 0; s0 < pre; s0 += Block)
        {
            AddTileOnes(c, s0, s0 + Block, cursor);
        }
    }

    private readonly void AddTileOnes(int c, int s0, int s1, Span<int> cursor)
    {
        MemberSpikes sp = Spikes;
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weights);
        ref float sl = ref MemoryMarshal.GetArrayDataReference(Slot);
        ref int sources = ref MemoryMarshal.GetArrayDataReference(sp.Source);
        int post = Post;
        int[] first = sp.Start;
        for (int m = 0; m < cursor.Length; m++)
        {
            int k = cursor[m], to = first[m + 1];
            if (k == to || Unsafe.Add(ref sources, k) >= s1)
            {
                continue;
            }

            ref float acc = ref Unsafe.Add(ref sl, ((nint)m * post) + c);
            Vector256<float> a0 = Vector256.LoadUnsafe(ref acc, 0);
            Vector256<float> a1 = Vector256.LoadUnsafe(ref acc, 8);
            Vector256<float> a2 = Vector256.LoadUnsafe(ref acc, 16);
            Vector256<float> a3 = Vector256.LoadUnsafe(ref acc, 24);
            Vector256<float> a4 = Vector256.LoadUnsafe(ref acc, 32);
            Vector256<float> a5 = Vector256.LoadUnsafe(ref acc, 40);
            Vector256<float> a6 = Vector256.LoadUnsafe(ref acc, 48);
            Vector256<float> a7 = Vector256.LoadUnsafe(ref acc, 56);
            do
            {
                ref float row = ref Unsafe.Add(ref w0, ((nint)Unsafe.Add(ref sources, k) * post) + c);
                a0 += Vector256.LoadUnsafe(ref row, 0);
                a1 += Vector256.LoadUnsafe(ref row, 8);
                a2 += Vector256.LoadUnsafe(ref row, 16);
                a3 += Vector256.LoadUnsafe(ref row, 24);
                a4 += Vector256.LoadUnsafe(ref row, 32);
                a5 += Vector256.LoadUnsafe(ref row, 40);
                a6 += Vector256.LoadUnsafe(ref row, 48);
                a7 += Vector256.LoadUnsafe(ref row, 56);
                k++;
            }
            while (k < to && Unsafe.Add(ref sources, k) < s1);

            cursor[m] = k;
            a0.StoreUnsafe(ref acc, 0);
            a1.StoreUnsafe(ref acc, 8);
            a2.StoreUnsafe(ref acc, 16);
            a3.StoreUnsafe(ref acc, 24);
            a4.StoreUnsafe(ref acc, 32);
            a5.StoreUnsafe(ref acc, 40);
            a6.StoreUnsafe(ref acc, 48);
            a7.StoreUnsafe(ref acc, 56);
        }
    }

    private readonly void AddVectorOnes(int c)
    {
        MemberSpikes sp = Spikes;
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weights);
        ref float s0 = ref MemoryMarshal.GetArrayDataReference(Slot);
        ref int sources = ref MemoryMarshal.GetArrayDataReference(sp.Source);
        int post = Post;
        int[] first = sp.Start;
        for (int m = 0; m < sp.Members; m++)
        {
            int from = first[m], to = first[m + 1];
            if (from == to)
            {
                continue;
            }

            ref float acc = ref Unsafe.Add(ref s0, ((nint)m * post) + c);
            Vector256<float> a0 = Vector256.LoadUnsafe(ref acc);
            for (int k = from; k < to; k++)
            {
                a0 += Vector256.LoadUnsafe(ref Unsafe.Add(ref w0, ((nint)Unsafe.Add(ref sources, k) * post) + c));
            }

            a0.StoreUnsafe(ref acc);
        }
    }

    private readonly void AddColumns(int c, int e)
    {
        MemberSpikes sp = Spikes;
        int post = Post;
        int width = e - c;
        for (int m = 0; m < sp.Members; m++)
        {
            Span<float> acc = Slot.AsSpan((m * post) + c, width);
            for (int k = sp.Start[m]; k < sp.Start[m + 1]; k++)
            {
                ReadOnlySpan<float> row = Weights.AsSpan((sp.Source[k] * post) + c, width);
                float amp = sp.Amplitude[k];
                if (amp == 1f)
                {
                    for (int j = 0; j < width; j++)
                    {
                        acc[j] += row[j];
                    }
                }
                else
                {
                    for (int j = 0; j < width; j++)
                    {
                        acc[j] += row[j] * amp;
                    }
                }
            }
        }
    }
}
