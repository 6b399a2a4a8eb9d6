namespace EventSnn.Datasets.Formats;

/// <summary>Opening event files for the readers' static <c>Open</c> methods.</summary>
internal static class EventFiles
{
    /// <summary>
    /// Opens <paramref name="path"/> for sequential reading and hands the stream to <paramref name="create"/>; the
    /// stream is disposed when <paramref name="create"/> throws.
    /// </summary>
    /// <param name="path">The file path.</param>
    /// <param name="create">Makes a reader that owns the stream.</param>
    /// <param name="fileBufferSize">The <see cref="FileStream"/> buffer size (1: unbuffered, the reader buffers).</param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is null or empty.</exception>
    public static TReader Open<TReader>(string path, Func<FileStream, TReader> create, int fileBufferSize = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, fileBufferSize, FileOptions.SequentialScan);
        try
        {
            return create(stream);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }
}
