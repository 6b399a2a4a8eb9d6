using PureHDF.Filters;

namespace EventSnn.Datasets.Neuromorphic;

/// <summary>
/// The HDF5 shuffle filter (id 2), replacing PureHDF's built-in one so that files written by the HDF5 library
/// with shuffle on variable-length datasets can be read.
/// </summary>
/// <remarks>
/// <para>h5py and PyTables add shuffle as an <i>optional</i> filter. It cannot apply to variable-length data (no fixed
/// element size), so the HDF5 library stores it without its element-size parameter and marks every chunk as having
/// skipped it (the chunk's filter mask); the chunk bytes are not shuffled. PureHDF 2.2.0 does not consult the chunk
/// filter mask: it runs its shuffle filter, which indexes the missing parameter and fails ("Filter pipeline failed").
/// Here a shuffle without parameter is the identity, which gives the stored bytes back (checked on files written by
/// h5py 3.7 / HDF5 1.10 with and without gzip and shuffle: float16/32/64 times and uint16 units decode exactly).
/// With a parameter (the element size), bytes are (un)shuffled as usual: byte b of element i is stored at b·n + i
/// for the n whole elements of the chunk; trailing bytes that do not form an element stay in place.</para>
/// <para>Registration is process-wide (PureHDF keeps one filter table) and happens once, the first time a Heidelberg
/// dataset is opened.</para>
/// </remarks>
internal sealed class Hdf5Shuffle : IH5Filter
{
    private static readonly Lazy<bool> s_registered = new(() =>
    {
        H5Filter.Register(new Hdf5Shuffle());
        return true;
    });

    /// <summary>
    /// For tests: on this thread, write shuffle with no parameter and unshuffled bytes, as the HDF5 library leaves
    /// variable-length chunks (the library also flags the filter optional and the chunk as having skipped it, which
    /// PureHDF can neither write nor read).
    /// </summary>
    [ThreadStatic]
    internal static bool EmulateLibraryVlenWrite;

    public ushort FilterId => 2;

    public string Name => "shuffle";

    public static void EnsureRegistered() => _ = s_registered.Value;

    public Memory<byte> Filter(FilterInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        if (info.Parameters.Length == 0 || info.Parameters[0] <= 1)
        {
            return info.Buffer;
        }

        int size = checked((int)info.Parameters[0]);
        ReadOnlySpan<byte> source = info.Buffer.Span;
        byte[] target = new byte[source.Length];
        int n = source.Length / size;
        bool decode = info.Flags.HasFlag(H5FilterFlags.Decompress);
        for (int b = 0; b < size; b++)
        {
            for (int i = 0; i < n; i++)
            {
                if (decode)
                {
                    target[(i * size) + b] = source[(b * n) + i];
                }
                else
                {
                    target[(b * n) + i] = source[(i * size) + b];
                }
            }
        }

        source[(n * size)..].CopyTo(target.AsSpan(n * size));
        return target;
    }

    public uint[] GetParameters(uint[] chunkDimensions, uint typeSize, Dictionary<string, object>? options) =>
        EmulateLibraryVlenWrite ? [] : [typeSize];
}
