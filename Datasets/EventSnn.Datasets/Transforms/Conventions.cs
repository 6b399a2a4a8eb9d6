using EventSnn.Events;

namespace EventSnn.Datasets.Transforms;

/// <summary>The jAER camera families whose display conventions <see cref="JaerDisplayFlip"/> applies.</summary>
public enum JaerChip
{
    /// <summary>DVS128 (AEDAT 2.0 DVS128 address layout).</summary>
    Dvs128 = 0,

    /// <summary>DAVIS (AEDAT 2.0 DAVIS address layout: DAVIS240, DAVIS346, ...).</summary>
    Davis,
}

/// <summary>
/// Converts raw AEDAT 2.0 coordinates and polarity (as the readers deliver them: x, y and p straight from the
/// address bits) to what jAER displays.
/// </summary>
/// <remarks>
/// <para><b>DVS128</b> (jAER's extractor sets <c>flipx</c> and <c>fliptype</c>): <c>x' = W − 1 − x</c>,
/// <c>y' = y</c>, and <c>p' = 1 − p</c> because jAER treats address bit 0 = 0 as ON (type = 1 − bit0), whereas
/// the readers report p = bit 0 as the format document defines (bit 0 = 1 is ON).</para>
/// <para><b>DAVIS</b> (DavisBaseCamera): <c>x' = W − 1 − x</c>, <c>y' = y</c>, polarity unchanged (bit 11 = 1
/// is ON in both conventions).</para>
/// <para>Both keep jAER's origin at the lower left: y is not flipped (AEDAT 3.1/4.0 data have the origin at the
/// upper left; use <see cref="FlipUpDown"/> to compare with those).</para>
/// </remarks>
public sealed class JaerDisplayFlip : IEventTransform
{
    /// <summary>Creates the conversion for <paramref name="chip"/>.</summary>
    public JaerDisplayFlip(JaerChip chip)
    {
        if (!Enum.IsDefined(chip))
        {
            throw new ArgumentOutOfRangeException(nameof(chip), chip, "Unknown jAER chip family.");
        }

        Chip = chip;
    }

    /// <summary>The camera family.</summary>
    public JaerChip Chip { get; }

    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        TransformGuards.CheckInSensor(events, nameof(JaerDisplayFlip));
        if (Chip == JaerChip.Dvs128)
        {
            Checks.BinaryPolarity(events.P, nameof(JaerDisplayFlip));
        }

        EventOps.Mirror(events.X, events.Sensor.Width);
        if (Chip == JaerChip.Dvs128)
        {
            EventOps.InvertPolarity(events.P);
        }
    }
}

/// <summary>
/// The CIFAR10-DVS orientation (SpikingJelly / Tonic decoding of the AEDAT 2.0 DVS128-layout files):
/// <c>x' = S − 1 − y</c>, <c>y' = S − 1 − x</c>, <c>p' = 1 − p</c>, where x, y, p are the raw DVS128 fields
/// (x = address bits 7–1, y = bits 14–8, p = bit 0) and S = 128 for the dataset. The plain
/// <c>x' = 127 − x</c> of the dataset's own MATLAB script gives transposed images.
/// </summary>
/// <remarks>Requires a square sensor (the transpose swaps the axes).</remarks>
public sealed class Cifar10DvsTranspose : IEventTransform
{
    /// <inheritdoc/>
    public void Apply(EventArray events)
    {
        ArgumentNullException.ThrowIfNull(events);
        SensorSize s = events.Sensor;
        if (s.Width != s.Height)
        {
            throw new ArgumentException($"Cifar10DvsTranspose needs a square sensor; got {s}.", nameof(events));
        }

        TransformGuards.CheckInSensor(events, nameof(Cifar10DvsTranspose));
        Checks.BinaryPolarity(events.P, nameof(Cifar10DvsTranspose));
        int m = s.Width - 1;
        Span<ushort> xs = events.X;
        Span<ushort> ys = events.Y;
        Span<byte> ps = events.P;
        for (int i = 0; i < xs.Length; i++)
        {
            ushort x = xs[i];
            xs[i] = (ushort)(m - ys[i]);
            ys[i] = (ushort)(m - x);
            ps[i] = (byte)(1 - ps[i]);
        }
    }
}
