using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>
/// Decides, event by event and in order, whether an event is kept by <see cref="EventCompaction.Compact"/> (kept
/// events are copied unchanged). A predicate may update its own per-pixel state as it goes.
/// </summary>
internal interface IEventPredicate
{
    /// <summary>Returns true to keep event <paramref name="index"/>.</summary>
    bool Keep(int index, long t, ushort x, ushort y);
}

/// <summary>
/// In-place, order-preserving compaction of an <see cref="EventArray"/>: the one loop every filtering transform
/// shares. The predicate is a struct type parameter (a ref struct may hold spans), so the JIT specialises and inlines
/// it: no delegate or interface call per event.
/// </summary>
internal static class EventCompaction
{
    /// <summary>Keeps the events for which <paramref name="predicate"/> holds, in order, and truncates the rest.</summary>
    public static void Compact<TPredicate>(EventArray events, ref TPredicate predicate)
        where TPredicate : struct, IEventPredicate, allows ref struct
    {
        Span<long> ts = events.T;
        Span<ushort> xs = events.X;
        Span<ushort> ys = events.Y;
        Span<byte> ps = events.P;
        int kept = 0;
        for (int i = 0; i < ts.Length; i++)
        {
            long t = ts[i];
            ushort x = xs[i];
            ushort y = ys[i];
            if (predicate.Keep(i, t, x, y))
            {
                ts[kept] = t;
                xs[kept] = x;
                ys[kept] = y;
                ps[kept] = ps[i];
                kept++;
            }
        }

        events.Truncate(kept);
    }

    /// <summary>Keeps the events whose <paramref name="mask"/> entry differs from <paramref name="invert"/>.</summary>
    public static void KeepByMask(EventArray events, ReadOnlySpan<bool> mask, bool invert)
    {
        var predicate = new MaskPredicate(mask, invert);
        Compact(events, ref predicate);
    }

    private readonly ref struct MaskPredicate(ReadOnlySpan<bool> mask, bool invert) : IEventPredicate
    {
        private readonly ReadOnlySpan<bool> _mask = mask;
        private readonly bool _invert = invert;

        public bool Keep(int index, long t, ushort x, ushort y) => _mask[index] != _invert;
    }

    /// <summary>Keeps the events whose pixel is not set in the row-major <paramref name="pixelMask"/> of width <paramref name="width"/>.</summary>
    public static void DropMaskedPixels(EventArray events, ReadOnlySpan<bool> pixelMask, int width)
    {
        var predicate = new PixelMaskPredicate(pixelMask, width);
        Compact(events, ref predicate);
    }

    private readonly ref struct PixelMaskPredicate(ReadOnlySpan<bool> mask, int width) : IEventPredicate
    {
        private readonly ReadOnlySpan<bool> _mask = mask;
        private readonly int _width = width;

        public bool Keep(int index, long t, ushort x, ushort y) => !_mask[(y * _width) + x];
    }
}
