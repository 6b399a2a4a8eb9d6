using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;

namespace EventSnn.Datasets.Download;

/// <summary>The digest algorithms dataset publishers use for their checksums.</summary>
public enum ChecksumAlgorithm
{
    /// <summary>MD5 (128-bit, 32 hex digits): what most neuromorphic dataset publishers list.</summary>
    Md5 = 0,

    /// <summary>SHA-1 (160-bit, 40 hex digits).</summary>
    Sha1,

    /// <summary>SHA-256 (256-bit, 64 hex digits).</summary>
    Sha256,
}

/// <summary>
/// An expected file digest as published by a dataset's authors: an algorithm and a lower-case hex string.
/// </summary>
/// <remarks>
/// These digests guard against truncated or corrupted transfers and wrong files; they are the
/// publishers' integrity checks, not a security mechanism (MD5 and SHA-1 are not collision resistant).
/// </remarks>
public sealed record FileChecksum
{
    /// <summary>Creates a checksum; <paramref name="hex"/> must have the algorithm's length and only hex digits.</summary>
    /// <exception cref="ArgumentException"><paramref name="hex"/> is not a valid digest for <paramref name="algorithm"/>.</exception>
    public FileChecksum(ChecksumAlgorithm algorithm, string hex)
    {
        ArgumentNullException.ThrowIfNull(hex);
        int expected = HexLength(algorithm);
        if (hex.Length != expected || !hex.All(Uri.IsHexDigit))
        {
            throw new ArgumentException(
                $"A {algorithm} digest has {expected} hex digits; got '{hex}'.", nameof(hex));
        }

        Algorithm = algorithm;
        Hex = hex.ToLowerInvariant();
    }

    /// <summary>The digest algorithm.</summary>
    public ChecksumAlgorithm Algorithm { get; }

    /// <summary>The expected digest, lower-case hex.</summary>
    public string Hex { get; }

    /// <summary>An MD5 checksum.</summary>
    public static FileChecksum Md5(string hex) => new(ChecksumAlgorithm.Md5, hex);

    /// <summary>A SHA-256 checksum.</summary>
    public static FileChecksum Sha256(string hex) => new(ChecksumAlgorithm.Sha256, hex);

    /// <summary>Computes the digest of <paramref name="stream"/> (read to its end) with <paramref name="algorithm"/>, as lower-case hex.</summary>
    public static string Compute(ChecksumAlgorithm algorithm, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using IncrementalHash hash = CreateHash(algorithm);
        byte[] buffer = new byte[1 << 16];
        int n;
        while ((n = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            hash.AppendData(buffer, 0, n);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>Computes the digest of the file at <paramref name="path"/>, as lower-case hex.</summary>
    public static string ComputeFile(ChecksumAlgorithm algorithm, string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        return Compute(algorithm, stream);
    }

    /// <summary>Whether the file at <paramref name="path"/> has this digest.</summary>
    public bool Matches(string path) => string.Equals(ComputeFile(Algorithm, path), Hex, StringComparison.Ordinal);

    /// <summary>Formats as <c>md5:&lt;hex&gt;</c> (or sha1/sha256).</summary>
    public override string ToString() => $"{Algorithm.ToString().ToLowerInvariant()}:{Hex}";

    internal static int HexLength(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Md5 => 32,
        ChecksumAlgorithm.Sha1 => 40,
        ChecksumAlgorithm.Sha256 => 64,
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };

    [SuppressMessage("Security", "CA5351:Do Not Use Broken Cryptographic Algorithms", Justification = "Publisher-defined integrity checksums, not security.")]
    [SuppressMessage("Security", "CA5350:Do Not Use Weak Cryptographic Algorithms", Justification = "Publisher-defined integrity checksums, not security.")]
    internal static IncrementalHash CreateHash(ChecksumAlgorithm algorithm) => algorithm switch
    {
        ChecksumAlgorithm.Md5 => IncrementalHash.CreateHash(HashAlgorithmName.MD5),
        ChecksumAlgorithm.Sha1 => IncrementalHash.CreateHash(HashAlgorithmName.SHA1),
        ChecksumAlgorithm.Sha256 => IncrementalHash.CreateHash(HashAlgorithmName.SHA256),
        _ => throw new ArgumentOutOfRangeException(nameof(algorithm), algorithm, "Unknown checksum algorithm."),
    };
}
