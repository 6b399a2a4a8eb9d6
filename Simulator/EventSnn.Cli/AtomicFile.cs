using System.Security.Cryptography;

namespace EventSnn.Cli;

/// <summary>
/// Writes an output file so that it is either complete or not there: the bytes go to a hidden temporary file beside
/// the target (<c>.NAME.XXXXXXXX.tmp</c>, same folder, so the final rename stays on one file system) and
/// <see cref="Commit"/> moves it into place; disposing without committing deletes it. An existing file at the target
/// is replaced only by a complete new one, never truncated or deleted by a failed command. Every command that writes
/// a file uses it (convert, view, demo, bench --spikes; later run and replay).
/// </summary>
internal sealed class AtomicFile : IDisposable
{
    private readonly FileStream _stream;
    private bool _committed;
    private bool _disposed;

    private AtomicFile(string path, string tempPath, FileStream stream)
    {
        Path = path;
        TempPath = tempPath;
        _stream = stream;
    }

    /// <summary>The target path.</summary>
    public string Path { get; }

    /// <summary>The temporary file being written.</summary>
    public string TempPath { get; }

    /// <summary>The stream to write to (the temporary file).</summary>
    public Stream Stream
    {
        get
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            return _stream;
        }
    }

    /// <summary>Starts writing <paramref name="path"/>.</summary>
    /// <param name="path">The target path.</param>
    /// <param name="what">How the command names the path in messages (e.g. <c>--png</c>, <c>output</c>).</param>
    /// <returns>The file; write to <see cref="Stream"/>, then <see cref="Commit"/>; dispose it in every case.</returns>
    /// <exception cref="CliPathException">The target is a folder, its folder is missing, or the folder is not writable.</exception>
    public static AtomicFile Create(string path, string what)
    {
        string full = CliPaths.RequireOutputFile(path, what);
        string folder = System.IO.Path.GetDirectoryName(full)!;
        string temp = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(full)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}.tmp");
        try
        {
            var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.SequentialScan);
            return new AtomicFile(full, temp, stream);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliPathException($"{what} {full}: folder {folder} is not writable");
        }
        catch (IOException ex) when (ex.Message.Contains("read-only", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliPathException($"{what} {full}: folder {folder} is on a read-only file system", ex);
        }
        catch (IOException ex) when (ex is FileNotFoundException or DirectoryNotFoundException && Directory.Exists(folder))
        {
            throw new CliPathException($"{what} {full}: folder {folder} does not accept new files", ex);
        }
    }

    /// <summary>Writes <paramref name="path"/> atomically with <paramref name="write"/>.</summary>
    /// <param name="path">The target path.</param>
    /// <param name="what">How the command names the path in messages.</param>
    /// <param name="write">Writes the content to the stream it is given.</param>
    /// <returns>The number of bytes written.</returns>
    public static long Write(string path, string what, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using AtomicFile file = Create(path, what);
        write(file.Stream);
        return file.Commit();
    }

    /// <summary>Flushes the temporary file to disk and moves it to <see cref="Path"/> (replacing a file there).</summary>
    /// <returns>The file's length in bytes.</returns>
    /// <exception cref="IOException">Writing or moving failed; the target is unchanged and the temporary file is removed on dispose.</exception>
    public long Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_committed)
        {
            throw new InvalidOperationException($"{Path} is already committed.");
        }

        _stream.Flush(flushToDisk: true);
        long length = _stream.Length;
        _stream.Dispose();
        File.Move(TempPath, Path, overwrite: true);
        _committed = true;
        return length;
    }

    /// <summary>Closes the temporary file and, unless committed, deletes it.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _stream.Dispose();
        if (!_committed)
        {
            try
            {
                File.Delete(TempPath);
            }
            catch (IOException)
            {
                // Best effort: the temporary file is hidden and named as such.
            }
            catch (UnauthorizedAccessException)
            {
                // As above.
            }
        }
    }
}
