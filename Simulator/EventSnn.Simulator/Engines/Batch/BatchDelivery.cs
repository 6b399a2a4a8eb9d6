using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
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

    /// <summary>
    /// Lists the non-zero values of a dense frame <c>[B, N]</c> (member-major); returns the index of the first value that
    /// is not finite, or −1 (the list is then complete).
    /// </summary>
    /// <param name="frame">B·N values.</param>
    /// <returns>−1, or the frame index of the first value that is not finite.</returns>
    public int FromDense(ReadOnlySpan<float> frame)
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
        AllOnes = ones;
        if (!ones)
        {
            for (int b = 0; b < Members; b++)
            {
                for (int k = Start[b]; k < Start[b + 1]; k++)
                {
                    if (!float.IsFinite(amplitude[k]))
                    {
                        return (b * n) + source[k];
                    }
                }
            }
        }

        return -1;
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
/// per tile of columns (128 with 512-bit vectors, 64 with 256-bit ones) and per member, the member's tile is held in
/// vector registers while the rows of the sources that spiked for it are added (binary spikes: rows added, zeros
/// skipped), then stored once. Sources are walked in blocks whose slice of W stays in L1 while every member adds its
/// sources of the block, so a weight row is read from memory once per step for all the members that share it.
/// </summary>
/// <remarks>
/// For each member and target the contributions are added to the value already there in ascending source order, one
/// rounding per addition: the order and arithmetic of the engine's single-sample delivery (weight × amplitude rounded,
/// then added), whatever the tile, the block or the vector width.
/// </remarks>
internal struct DenseDeliveryKernel
{
    /// <summary>Columns per tile with 256-bit vectors.</summary>
    public const int Tile = 64;

    /// <summary>Columns per tile with 512-bit vectors.</summary>
    public const int WideTile = 128;

    /// <summary>Bytes of W per block of sources (kept in L1 while every member adds its sources of the block): 64 sources of a 128-wide tile.</summary>
    public const int BlockBytes = 32 * 1024;

    /// <summary>Up to this batch size the member cursors live on the stack (larger batches allocate them per call).</summary>
    public const int MaxStackMembers = 4096;

    /// <summary>Whether the 512-bit tiles are used by default (the hardware accelerates them).</summary>
    public static readonly bool DefaultWide = Vector512.IsHardwareAccelerated;

    public float[] Weights;
    public int Post;
    public float[] Slot;
    public MemberSpikes Spikes;

    /// <summary>Use 512-bit tiles (needs hardware support; the results are the same either way).</summary>
    public bool Wide;

    /// <summary>Adds the spikes' rows into columns <paramref name="start"/> to <paramref name="end"/> of every member.</summary>
    public readonly void Execute(int start, int end)
    {
        end = Math.Min(end, Post);
        if (!Spikes.AllOnes || !Vector256.IsHardwareAccelerated)
        {
            AddColumns(start, end);
            return;
        }

        if (Wide && Vector512.IsHardwareAccelerated)
        {
            ExecuteWide(start, end);
            return;
        }

        for (int c = start; c < end; c += Tile)
        {
            int e = Math.Min(c + Tile, end);
            int c8 = c;
            if (e - c == Tile)
            {
                AddTiles<Narrow>(c, Tile);
                continue;
            }

            for (; c8 + 8 <= e; c8 += 8)
            {
                AddVectorOnes(c8);
            }

            if (c8 < e)
            {
                AddColumns(c8, e);
            }
        }
    }

    private readonly void ExecuteWide(int start, int end)
    {
        int c = start;
        for (; c + WideTile <= end; c += WideTile)
        {
            AddTiles<WideShape<C8, C0>>(c, WideTile);
        }

        // The last columns: as many 16-wide vectors as are left, and an 8-wide one, in one tile.
        int rest = end - c;
        int width = rest & ~7;
        switch ((rest >> 4, (rest & 8) != 0))
        {
            case (0, false):
                break;
            case (0, true):
                AddTiles<WideShape<C0, C1>>(c, width);
                break;
            case (1, false):
                AddTiles<WideShape<C1, C0>>(c, width);
                break;
            case (1, true):
                AddTiles<WideShape<C1, C1>>(c, width);
                break;
            case (2, false):
                AddTiles<WideShape<C2, C0>>(c, width);
                break;
            case (2, true):
                AddTiles<WideShape<C2, C1>>(c, width);
                break;
            case (3, false):
                AddTiles<WideShape<C3, C0>>(c, width);
                break;
            case (3, true):
                AddTiles<WideShape<C3, C1>>(c, width);
                break;
            case (4, false):
                AddTiles<WideShape<C4, C0>>(c, width);
                break;
            case (4, true):
                AddTiles<WideShape<C4, C1>>(c, width);
                break;
            case (5, false):
                AddTiles<WideShape<C5, C0>>(c, width);
                break;
            case (5, true):
                AddTiles<WideShape<C5, C1>>(c, width);
                break;
            case (6, false):
                AddTiles<WideShape<C6, C0>>(c, width);
                break;
            case (6, true):
                AddTiles<WideShape<C6, C1>>(c, width);
                break;
            case (7, false):
                AddTiles<WideShape<C7, C0>>(c, width);
                break;
            default:
                AddTiles<WideShape<C7, C1>>(c, width);
                break;
        }

        c += width;
        if (c < end)
        {
            AddColumns(c, end);
        }
    }

    /// <summary>One tile of <paramref name="width"/> columns from column <paramref name="c"/>, block of sources by block.</summary>
    private readonly void AddTiles<TShape>(int c, int width)
        where TShape : struct, ITileShape
    {
        MemberSpikes sp = Spikes;
        int members = sp.Members;
        // Each member's cursor moves on through its ascending list block by block, so the order of additions is kept.
        Span<int> cursor = members <= MaxStackMembers ? stackalloc int[members] : new int[members];
        sp.Start.AsSpan(0, members).CopyTo(cursor);
        int pre = Weights.Length / Post;
        int block = Math.Max(16, (TShape.Wide ? BlockBytes : BlockBytes / 2) / (width * sizeof(float)));
        for (int s0 = 0; s0 < pre; s0 += block)
        {
            AddBlock<TShape>(c, s0 + block, cursor);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private readonly void AddBlock<TShape>(int c, int s1, Span<int> cursor)
        where TShape : struct, ITileShape
    {
        MemberSpikes sp = Spikes;
        ref float w0 = ref MemoryMarshal.GetArrayDataReference(Weights);
        ref float sl = ref MemoryMarshal.GetArrayDataReference(Slot);
        ref int sources = ref MemoryMarshal.GetArrayDataReference(sp.Source);
        ref int cur = ref MemoryMarshal.GetReference(cursor);
        ref int first = ref MemoryMarshal.GetArrayDataReference(sp.Start);
        nint post = Post;
        for (int m = 0; m < cursor.Length; m++)
        {
            int k = Unsafe.Add(ref cur, m), to = Unsafe.Add(ref first, m + 1);
            if (k == to || Unsafe.Add(ref sources, k) >= s1)
            {
                continue;
            }

            ref float acc = ref Unsafe.Add(ref sl, ((nint)m * post) + c);
            if (TShape.Wide)
            {
                AddWide<TShape>(ref acc, ref w0, post, c, ref sources, ref k, to, s1);
            }
            else
            {
                AddNarrow(ref acc, ref w0, post, c, ref sources, ref k, to, s1);
            }

            Unsafe.Add(ref cur, m) = k;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddWide<TShape>(ref float acc, ref float w0, nint post, int c, ref int sources, ref int k, int to, int s1)
        where TShape : struct, ITileShape
    {
        int v = TShape.Vectors;
        Vector512<float> a0 = v > 0 ? Vector512.LoadUnsafe(ref acc, 0) : default;
        Vector512<float> a1 = v > 1 ? Vector512.LoadUnsafe(ref acc, 16) : default;
        Vector512<float> a2 = v > 2 ? Vector512.LoadUnsafe(ref acc, 32) : default;
        Vector512<float> a3 = v > 3 ? Vector512.LoadUnsafe(ref acc, 48) : default;
        Vector512<float> a4 = v > 4 ? Vector512.LoadUnsafe(ref acc, 64) : default;
        Vector512<float> a5 = v > 5 ? Vector512.LoadUnsafe(ref acc, 80) : default;
        Vector512<float> a6 = v > 6 ? Vector512.LoadUnsafe(ref acc, 96) : default;
        Vector512<float> a7 = v > 7 ? Vector512.LoadUnsafe(ref acc, 112) : default;
        Vector256<float> h = TShape.Half ? Vector256.LoadUnsafe(ref acc, (nuint)(v * 16)) : default;
        int kk = k;
        do
        {
            ref float row = ref Unsafe.Add(ref w0, ((nint)Unsafe.Add(ref sources, kk) * post) + c);
            if (v > 0)
            {
                a0 += Vector512.LoadUnsafe(ref row, 0);
            }

            if (v > 1)
            {
                a1 += Vector512.LoadUnsafe(ref row, 16);
            }

            if (v > 2)
            {
                a2 += Vector512.LoadUnsafe(ref row, 32);
            }

            if (v > 3)
            {
                a3 += Vector512.LoadUnsafe(ref row, 48);
            }

            if (v > 4)
            {
                a4 += Vector512.LoadUnsafe(ref row, 64);
            }

            if (v > 5)
            {
                a5 += Vector512.LoadUnsafe(ref row, 80);
            }

            if (v > 6)
            {
                a6 += Vector512.LoadUnsafe(ref row, 96);
            }

            if (v > 7)
            {
                a7 += Vector512.LoadUnsafe(ref row, 112);
            }

            if (TShape.Half)
            {
                h += Vector256.LoadUnsafe(ref row, (nuint)(v * 16));
            }

            kk++;
        }
        while (kk < to && Unsafe.Add(ref sources, kk) < s1);

        k = kk;
        if (v > 0)
        {
            a0.StoreUnsafe(ref acc, 0);
        }

        if (v > 1)
        {
            a1.StoreUnsafe(ref acc, 16);
        }

        if (v > 2)
        {
            a2.StoreUnsafe(ref acc, 32);
        }

        if (v > 3)
        {
            a3.StoreUnsafe(ref acc, 48);
        }

        if (v > 4)
        {
            a4.StoreUnsafe(ref acc, 64);
        }

        if (v > 5)
        {
            a5.StoreUnsafe(ref acc, 80);
        }

        if (v > 6)
        {
            a6.StoreUnsafe(ref acc, 96);
        }

        if (v > 7)
        {
            a7.StoreUnsafe(ref acc, 112);
        }

        if (TShape.Half)
        {
            h.StoreUnsafe(ref acc, (nuint)(v * 16));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddNarrow(ref float acc, ref float w0, nint post, int c, ref int sources, ref int k, int to, int s1)
    {
        Vector256<float> a0 = Vector256.LoadUnsafe(ref acc, 0);
        Vector256<float> a1 = Vector256.LoadUnsafe(ref acc, 8);
        Vector256<float> a2 = Vector256.LoadUnsafe(ref acc, 16);
        Vector256<float> a3 = Vector256.LoadUnsafe(ref acc, 24);
        Vector256<float> a4 = Vector256.LoadUnsafe(ref acc, 32);
        Vector256<float> a5 = Vector256.LoadUnsafe(ref acc, 40);
        Vector256<float> a6 = Vector256.LoadUnsafe(ref acc, 48);
        Vector256<float> a7 = Vector256.LoadUnsafe(ref acc, 56);
        int kk = k;
        do
        {
            ref float row = ref Unsafe.Add(ref w0, ((nint)Unsafe.Add(ref sources, kk) * post) + c);
            a0 += Vector256.LoadUnsafe(ref row, 0);
            a1 += Vector256.LoadUnsafe(ref row, 8);
            a2 += Vector256.LoadUnsafe(ref row, 16);
            a3 += Vector256.LoadUnsafe(ref row, 24);
            a4 += Vector256.LoadUnsafe(ref row, 32);
            a5 += Vector256.LoadUnsafe(ref row, 40);
            a6 += Vector256.LoadUnsafe(ref row, 48);
            a7 += Vector256.LoadUnsafe(ref row, 56);
            kk++;
        }
        while (kk < to && Unsafe.Add(ref sources, kk) < s1);

        k = kk;
        a0.StoreUnsafe(ref acc, 0);
        a1.StoreUnsafe(ref acc, 8);
        a2.StoreUnsafe(ref acc, 16);
        a3.StoreUnsafe(ref acc, 24);
        a4.StoreUnsafe(ref acc, 32);
        a5.StoreUnsafe(ref acc, 40);
        a6.StoreUnsafe(ref acc, 48);
        a7.StoreUnsafe(ref acc, 56);
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

/// <summary>The shape of a tile of <see cref="DenseDeliveryKernel"/>, as a type so that the kernel specialises on it.</summary>
internal interface ITileShape
{
    /// <summary>Whether the tile uses 512-bit vectors (else eight 256-bit ones).</summary>
    static abstract bool Wide { get; }

    /// <summary>The 16-wide vectors of a wide tile (0 to 8).</summary>
    static abstract int Vectors { get; }

    /// <summary>Whether a wide tile ends with one 8-wide vector.</summary>
    static abstract bool Half { get; }
}

/// <summary>Eight 256-bit vectors (64 columns).</summary>
internal readonly struct Narrow : ITileShape
{
    public static bool Wide => false;

    public static int Vectors => 0;

    public static bool Half => false;
}

/// <summary>A wide tile of <typeparamref name="TCount"/> 16-wide vectors, and an 8-wide one when <typeparamref name="THalf"/> says so.</summary>
internal readonly struct WideShape<TCount, THalf> : ITileShape
    where TCount : struct, ICount
    where THalf : struct, ICount
{
    public static bool Wide => true;

    public static int Vectors => TCount.Value;

    public static bool Half => THalf.Value != 0;
}
