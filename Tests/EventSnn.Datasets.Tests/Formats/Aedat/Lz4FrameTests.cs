using System.Buffers.Binary;
using CsCheck;
using EventSnn.Datasets.Formats.Aedat;
using K4os.Compression.LZ4;
using K4os.Compression.LZ4.Streams;

namespace EventSnn.Datasets.Tests.Formats.Aedat;

/// <summary>Cross-checks the LZ4 frame code against K4os's own frame stream implementation.</summary>
public class Lz4FrameTests
{
    [Fact]
    public void Every_packet_of_the_real_sample_decodes_like_the_reference_frame_decoder()
    {
        string path = AedatTestUtil.SharedData(Aedat4ReaderTests.TonicSample);
        byte[] file = File.ReadAllBytes(path);
        long end;
        using (var reader = Aedat4Reader.Open(path))
        {
            end = reader.DataTablePosition;
        }

        int pos = 18 + BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(14));
        int packets = 0;
        byte[] ours = [];
        while (pos < end)
        {
            int size = BinaryPrimitives.ReadInt32LittleEndian(file.AsSpan(pos + 4));

            byte[] frame = file.AsSpan(pos + 8, size).ToArray();
            int n = Lz4Frame.Decode(frame, ref ours, 64 << 20, "tonic", pos + 8);
            Assert.Equal(Reference(frame), ours.AsSpan(0, n).ToArray());
            packets++;
            pos += 8 + size;
        }

        Assert.True(packets > 10, $"{packets} packets");

        // The FileDataTable after the packets is one more frame.
        int table = Lz4Frame.Decode(file.AsSpan(pos).ToArray(), ref ours, 64 << 20, "tonic", pos);
        Assert.Equal(Reference(file.AsSpan(pos).ToArray()), ours.AsSpan(0, table).ToArray());
    }

    [Fact]
    public void Written_frames_decode_with_the_reference_decoder_and_reference_frames_with_ours()
    {
        var gen = Gen.Select(Gen.Byte[0, 3].Array[0, 150_000], Gen.Int[0, 2], Gen.Bool);
        gen.Sample((data, levelIndex, referenceLinked) =>
        {
            LZ4Level level = levelIndex switch { 0 => LZ4Level.L00_FAST, 1 => LZ4Level.L03_HC, _ => LZ4Level.L09_HC };
            byte[] frame = [];
            int n = Lz4Frame.Encode(data, ref frame, level);
            Assert.Equal(data, Reference(frame.AsSpan(0, n).ToArray()));

            // Frames made by the reference encoder (64 KiB blocks, linked or not, with checksums) decode with ours.
            using var ms = new MemoryStream();
            var settings = new LZ4EncoderSettings
            {
                BlockSize = 64 << 10,
                ChainBlocks = referenceLinked,
                ContentChecksum = true,
                BlockChecksum = !referenceLinked,
            };
            using (var encoder = LZ4Stream.Encode(ms, settings, leaveOpen: true))
            {
                encoder.Write(data);
            }

            byte[] decoded = [];
            int m = Lz4Frame.Decode(ms.ToArray(), ref decoded, 64 << 20, "reference", 0);
            Assert.Equal(data, decoded.AsSpan(0, m).ToArray());
        }, iter: AedatTestUtil.LongTests ? 300 : 20);
    }

    private static byte[] Reference(byte[] frame)
    {
        using var decoder = LZ4Stream.Decode(new MemoryStream(frame));
        using var output = new MemoryStream();
        decoder.CopyTo(output);
        return output.ToArray();
    }
}
