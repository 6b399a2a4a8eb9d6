using System.Buffers.Binary;
using EventSnn.Events;

namespace EventSnn.Datasets.Streams;

/// <summary>
/// The UDP datagram format of AEStream's UDP output: each event is one 32-bit word, optionally followed by a 32-bit
/// timestamp word, in the sending host's byte order (little-endian on the x86 and ARM hosts AEStream runs on).
/// </summary>
/// <remarks>
/// <para><b>Event word:</b> bits 31–16 hold x (15 bits) with bit 31 set when <em>no</em> timestamp word follows; bits
/// 15–0 hold y (15 bits) with bit 15 the polarity (1 = ON). <b>Timestamp word:</b> the event's time in µs, truncated to
/// 32 bits (it wraps every 71.6 minutes; <see cref="AeStreamUdpDecoder"/> unwraps it).</para>
/// <para>AEStream fills 512-byte buffers (256 bytes carry 32 timestamped events, 512 bytes 128 events without
/// timestamps); a receiver accepts any datagram whose length is a multiple of 4, up to <see cref="MaxDatagramBytes"/>.</para>
/// </remarks>
public static class AeStreamUdp
{
    /// <summary>The largest UDP payload over IPv4 (65,507 bytes).</summary>
    public const int MaxDatagramBytes = 65507;

    /// <summary>The datagram size AEStream sends (512 bytes).</summary>
    public const int DefaultDatagramBytes = 512;

    /// <summary>
    /// Encodes events from the start of <paramref name="events"/> into one datagram.
    /// </summary>
    /// <param name="events">The events; x and y must be below 32768, polarity 0 or 1.</param>
    /// <param name="includeTimestamps">Whether each event carries its timestamp (truncated to 32 bits).</param>
    /// <param name="datagram">The datagram buffer (its length is the most bytes written).</param>
    /// <param name="consumed">The number of events encoded.</param>
    /// <returns>The datagram length in bytes.</returns>
    /// <exception cref="ArgumentException">An event's coordinates exceed 15 bits or its polarity is not 0/1.</exception>
    public static int Encode(EventSpan events, bool includeTimestamps, Span<byte> datagram, out int consumed)
    {
        int size = includeTimestamps ? 8 : 4;
        int n = Math.Min(events.Count, datagram.Length / size);
        ReadOnlySpan<long> t = events.T;
        ReadOnlySpan<ushort> x = events.X;
        ReadOnlySpan<ushort> y = events.Y;
        ReadOnlySpan<byte> p = events.P;
        for (int i = 0; i < n; i++)
        {
            if (x[i] > 0x7FFF || y[i] > 0x7FFF || p[i] > 1)
            {
                throw new ArgumentException($"Event {i}: ({x[i]}, {y[i]}, p {p[i]}) does not fit AEStream's 15-bit coordinates.", nameof(events));
            }

            uint word = ((uint)x[i] << 16) | y[i] | ((uint)p[i] << 15);
            if (includeTimestamps)
            {
                BinaryPrimitives.WriteUInt32LittleEndian(datagram[(8 * i)..], word);
                BinaryPrimitives.WriteUInt32LittleEndian(datagram[((8 * i) + 4)..], unchecked((uint)t[i]));
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(datagram[(4 * i)..], word | 0x8000_0000u);
            }
        }

        consumed = n;
        return n * size;
    }
}

/// <summary>
/// Decodes AEStream UDP datagrams (<see cref="AeStreamUdp"/>) into a batch, unwrapping the 32-bit timestamps into
/// 64-bit µs; events sent without timestamps take the receive time given by the caller.
/// </summary>
public sealed class AeStreamUdpDecoder
{
    private bool _seen;
    private uint _last;
    private long _wraps;

    /// <summary>Datagrams refused as malformed (length not a multiple of 4, or a timestamped event without its timestamp word).</summary>
    public long MalformedDatagrams { get; private set; }

    /// <summary>Events dropped because the batch had no room (the caller gives a batch with room for a whole datagram).</summary>
    public long Overflow { get; private set; }

    /// <summary>Times the 32-bit timestamp wrapped.</summary>
    public long Wraps => _wraps;

    /// <summary>Decodes one datagram, appending its events to <paramref name="batch"/>.</summary>
    /// <param name="datagram">The datagram payload.</param>
    /// <param name="batch">The batch to append to.</param>
    /// <param name="receiveTimeUs">The time (µs) given to events sent without a timestamp.</param>
    /// <returns>The number of events appended; 0 for a malformed datagram (nothing of it is kept).</returns>
    public int Decode(ReadOnlySpan<byte> datagram, EventBatch batch, long receiveTimeUs)
    {
        ArgumentNullException.ThrowIfNull(batch);
        if (datagram.Length % 4 != 0 || !WellFormed(datagram))
        {
            MalformedDatagrams++;
            return 0;
        }

        int added = 0;
        int i = 0;
        while (i < datagram.Length)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(datagram[i..]);
            long t;
            if ((word & 0x8000_0000u) != 0)
            {
                t = receiveTimeUs;
                i += 4;
            }
            else
            {
                t = Unwrap(BinaryPrimitives.ReadUInt32LittleEndian(datagram[(i + 4)..]));
                i += 8;
            }

            if (batch.IsFull)
            {
                Overflow++;
                continue;
            }

            batch.Add(t, (ushort)((word >> 16) & 0x7FFF), (ushort)(word & 0x7FFF), (byte)((word >> 15) & 1));
            added++;
        }

        return added;
    }

    private static bool WellFormed(ReadOnlySpan<byte> datagram)
    {
        int i = 0;
        while (i < datagram.Length)
        {
            uint word = BinaryPrimitives.ReadUInt32LittleEndian(datagram[i..]);
            i += (word & 0x8000_0000u) != 0 ? 4 : 8;
        }

        return i == datagram.Length;
    }

    private long Unwrap(uint ts)
    {
        if (_seen && ts < _last && _last - ts > 0x8000_0000u)
        {
            _wraps++;
        }

        _seen = true;
        _last = ts;
        return (_wraps << 32) + ts;
    }
}
