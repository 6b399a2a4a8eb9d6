using System.Buffers.Binary;

namespace EventSnn.Fuzz;

/// <summary>
/// Mutates a seed into a new input, deterministically for a given generator: 1–4 stacked mutations among bit flips,
/// interesting byte and integer values (0, ±1, extremes, powers of two; both endiannesses), block
/// deletion/insertion/duplication/overwrite from the same input or another seed, truncation, and repeated header lines.
/// </summary>
internal sealed class Mutator(Random random, int maxLength)
{
    private static readonly long[] s_interesting =
    [
        0, 1, -1, 2, 7, 8, 16, 28, 32, 64, 127, 128, 255, 256, 4095, 4096, 32767, 32768, 65535, 65536,
        int.MaxValue, int.MinValue, uint.MaxValue, 1L << 31, 1L << 32, long.MaxValue, long.MinValue, 240, 2047, 2048,
    ];

    /// <summary>A mutated copy of <paramref name="seed"/> (another seed may donate bytes).</summary>
    public byte[] Mutate(byte[] seed, byte[] donor)
    {
        var data = new List<byte>(seed);
        int count = 1 + random.Next(4);
        for (int m = 0; m < count; m++)
        {
            Apply(data, donor);
        }

        if (data.Count > maxLength)
        {
            data.RemoveRange(maxLength, data.Count - maxLength);
        }

        return [.. data];
    }

    private void Apply(List<byte> data, byte[] donor)
    {
        int n = data.Count;
        switch (random.Next(12))
        {
            case 0 when n > 0: // bit flips
                for (int k = 1 + random.Next(8); k > 0; k--)
                {
                    int i = random.Next(n);
                    data[i] ^= (byte)(1 << random.Next(8));
                }

                break;
            case 1 when n > 0: // interesting byte
                data[random.Next(n)] = (byte)s_interesting[random.Next(s_interesting.Length)];
                break;
            case 2 when n >= 2: // interesting 16/32/64-bit value, either endianness
            {
                int width = 2 << random.Next(3);
                if (n < width)
                {
                    break;
                }

                int at = random.Next(n - width + 1);
                long v = s_interesting[random.Next(s_interesting.Length)];
                Span<byte> bytes = stackalloc byte[8];
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteInt64LittleEndian(bytes, v);
                    bytes = bytes[..width];
                }
                else
                {
                    BinaryPrimitives.WriteInt64BigEndian(bytes, v);
                    bytes = bytes[(8 - width)..];
                }

                for (int i = 0; i < width; i++)
                {
                    data[at + i] = bytes[i];
                }

                break;
            }

            case 3 when n > 0: // random bytes over a block
            {
                int at = random.Next(n);
                int len = Math.Min(n - at, 1 + random.Next(64));
                for (int i = 0; i < len; i++)
                {
                    data[at + i] = (byte)random.Next(256);
                }

                break;
            }

            case 4 when n > 1: // delete a block
            {
                int at = random.Next(n);
                data.RemoveRange(at, Math.Min(n - at, 1 + random.Next(Math.Min(n, 512))));
                break;
            }

            case 5: // insert a block of one value
            {
                int at = random.Next(n + 1);
                data.InsertRange(at, Enumerable.Repeat((byte)s_interesting[random.Next(s_interesting.Length)], 1 + random.Next(256)));
                break;
            }

            case 6 when n > 0: // duplicate a block of this input elsewhere
            {
                int from = random.Next(n);
                int len = Math.Min(n - from, 1 + random.Next(2048));
                byte[] block = data.GetRange(from, len).ToArray();
                data.InsertRange(random.Next(n + 1), block);
                break;
            }

            case 7 when donor.Length > 0: // splice a block of another seed in
            {
                int from = random.Next(donor.Length);
                int len = Math.Min(donor.Length - from, 1 + random.Next(2048));
                int at = random.Next(n + 1);
                if (random.Next(2) == 0)
                {
                    data.InsertRange(at, donor.AsSpan(from, len).ToArray());
                }
                else
                {
                    for (int i = 0; i < len && at + i < n; i++)
                    {
                        data[at + i] = donor[from + i];
                    }
                }

                break;
            }

            case 8 when n > 0: // truncate
            {
                int at = random.Next(n);
                data.RemoveRange(at, n - at);
                break;
            }

            case 9 when n > 0: // repeat a text line (headers: many '%' or '#' lines)
            {
                int start = random.Next(n);
                int end = data.IndexOf((byte)'\n', start);
                if (end < 0 || end - start > 256)
                {
                    break;
                }

                byte[] line = data.GetRange(start, end - start + 1).ToArray();
                for (int k = random.Next(1, 64); k > 0; k--)
                {
                    data.InsertRange(start, line);
                }

                break;
            }

            case 10 when n > 0: // a run of one word repeated (hostile streams of the same record)
            {
                int width = 1 << random.Next(4);
                int at = random.Next(n);
                if (at + width > n)
                {
                    break;
                }

                byte[] word = data.GetRange(at, width).ToArray();
                int repeats = random.Next(1, 512);
                var run = new List<byte>(word.Length * repeats);
                for (int r = 0; r < repeats; r++)
                {
                    run.AddRange(word);
                }

                data.InsertRange(at, run);
                break;
            }

            case 11 when n > 0: // arithmetic on a byte
                int pos = random.Next(n);
                data[pos] = (byte)(data[pos] + random.Next(-16, 17));
                break;
        }
    }
}
