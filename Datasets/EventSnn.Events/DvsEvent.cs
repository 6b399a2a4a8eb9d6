using System.Runtime.InteropServices;

namespace EventSnn.Events;

/// <summary>
/// One address event from an event camera: time, pixel and polarity, exactly as the file's format
/// defines them (no display flips: orientation conventions are named transforms).
/// </summary>
/// <remarks>
/// <para><see cref="T"/> is an integer timestamp in microseconds, 64-bit and unwrapped: a reader
/// removes the format's wrap-arounds (32-bit, 34-bit, 24-bit time bases) so time never decreases
/// because of a counter overflow.</para>
/// <para><see cref="P"/> is 1 for ON (brightness increase) and 0 for OFF in every format whose spec
/// defines it so; formats with wider polarity fields (Prophesee DAT) keep the stored value.</para>
/// For bulk data prefer <see cref="EventBatch"/> (struct of arrays); this type is for single events,
/// tests and small lists.
/// </remarks>
/// <param name="T">Timestamp in microseconds (64-bit, unwrapped).</param>
/// <param name="X">Column, as stored by the format.</param>
/// <param name="Y">Row, as stored by the format.</param>
/// <param name="P">Polarity, as stored by the format (1 = ON, 0 = OFF for DVS data).</param>
[StructLayout(LayoutKind.Sequential)]
public readonly record struct DvsEvent(long T, ushort X, ushort Y, byte P)
{
    /// <summary>Formats the event as <c>[t,x,y,p]</c>, the form used by <c>eventsnn info</c>.</summary>
    public override string ToString() => $"[{T},{X},{Y},{P}]";
}
