using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EventSnn.Datasets.Download;

/// <summary>
/// Downloads a published dataset file with resumption (HTTP <c>Range</c>) and checksum verification.
/// </summary>
/// <remarks>
/// <para>The transfer goes to <c>&lt;name&gt;.part</c> next to the final path. A broken or stalled
/// connection is resumed from the bytes already on disk (a <c>Range: bytes=N-</c> request); a server
/// that ignores ranges (answers 200) restarts the file. When all bytes are there the checksum is computed:
/// a match renames the partial file to its final name, a mismatch deletes it and throws
/// <see cref="DatasetDownloadException"/>, so a bad transfer never becomes a cached file.</para>
/// <para>An existing final file is verified and reused (no request); a final file that fails verification is
/// deleted and downloaded again.</para>
/// <para>Every loop is bounded by <see cref="DownloadOptions.MaxAttempts"/>, every wait for data by
/// <see cref="DownloadOptions.StallTimeout"/>, and the byte count by the published size or
/// <see cref="DownloadOptions.MaxBytes"/>.</para>
/// </remarks>
public sealed partial class FileDownloader
{
    private static readonly Lazy<HttpClient> s_sharedClient = new(() =>
        new HttpClient(new SocketsHttpHandler { AutomaticDecompression = DecompressionMethods.None })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        });

    private readonly HttpClient _http;
    private readonly DownloadOptions _options;
    private readonly ILogger _logger;

    /// <summary>Creates a downloader.</summary>
    /// <param name="httpClient">The client to use (inject one for tests or proxies); null uses a shared default client.</param>
    /// <param name="options">Retry, stall and size bounds; null for <see cref="DownloadOptions.Default"/>.</param>
    /// <param name="logger">Optional logger.</param>
    public FileDownloader(HttpClient? httpClient = null, DownloadOptions? options = null, ILogger? logger = null)
    {
        _options = options ?? DownloadOptions.Default;
        _options.Validate();
        _http = httpClient ?? s_sharedClient.Value;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>
    /// Downloads <paramref name="file"/> into <paramref name="directory"/> (created if needed), resuming a
    /// partial file left by an earlier attempt, and verifies its checksum.
    /// </summary>
    /// <returns>The path of the verified file.</returns>
    /// <exception cref="DatasetDownloadException">The server refused, the attempts ran out, or the checksum did not match.</exception>
    public async Task<string> DownloadAsync(RemoteFile file, string directory, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(file);
        file.Validate(nameof(file));
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);
        string finalPath = Path.Combine(directory, file.FileName);
        string partPath = finalPath + ".part";

        if (File.Exists(finalPath))
        {
            if (file.Checksum.Matches(finalPath))
            {
                LogReused(_logger, finalPath);
                return finalPath;
            }

            LogStale(_logger, finalPath, file.Checksum.ToString());
            File.Delete(finalPath);
        }

        long limit = file.Size ?? _options.MaxBytes;
        bool complete = false;
        Exception? lastError = null;
        TimeSpan delay = _options.RetryDelay;
        for (int attempt = 1; attempt <= _options.MaxAttempts && !complete; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (attempt > 1 && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                delay = NextDelay(delay);
            }

            long have = File.Exists(partPath) ? new FileInfo(partPath).Length : 0;
            if (have > limit)
            {
                File.Delete(partPath);
                have = 0;
            }

            if (file.Size is long size && have == size && size > 0)
            {
                complete = true;
                break;
            }

            string? failure = null;
            try
            {
                complete = await AttemptAsync(file, partPath, have, limit, progress, cancellationToken).ConfigureAwait(false);
                if (!complete)
                {
                    LogIncomplete(_logger, file.Url, attempt);
                    failure = "the connection ended before the whole file arrived";
                }
            }
            catch (Exception ex) when (IsTransient(ex, cancellationToken))
            {
                lastError = ex;
                LogRetry(_logger, file.Url, attempt, ex.Message);
                failure = Describe(ex);
            }

            if (failure is not null)
            {
                bool more = attempt < _options.MaxAttempts;
                TimeSpan? next = more ? delay : null;
                _options.RetryObserver?.Report(new DownloadRetry(file.FileName, file.Url, attempt, _options.MaxAttempts, failure, next, PartialLength(partPath)));
            }
        }

        if (!complete)
        {
            long partial = PartialLength(partPath);
            if (partial == 0 && File.Exists(partPath))
            {
                File.Delete(partPath);
            }

            string kept = partial > 0
                ? string.Create(System.Globalization.CultureInfo.InvariantCulture, $" The partial file ({partial} bytes) is kept at {partPath}; downloading again resumes it.")
                : " Nothing was downloaded.";
            string message = $"Downloading {file.Url} did not complete after {_options.MaxAttempts} attempt(s)"
                + (lastError is null ? "." : $": {Describe(lastError)}.")
                + kept;
            throw lastError is null ? new DatasetDownloadException(message) : new DatasetDownloadException(message, lastError);
        }

        string actual = FileChecksum.ComputeFile(file.Checksum.Algorithm, partPath);
        if (!string.Equals(actual, file.Checksum.Hex, StringComparison.Ordinal))
        {
            long length = new FileInfo(partPath).Length;
            File.Delete(partPath);
            throw new DatasetDownloadException(
                $"Checksum mismatch for {file.FileName} from {file.Url}: expected {file.Checksum}, got "
                + $"{file.Checksum.Algorithm.ToString().ToLowerInvariant()}:{actual} ({length} bytes). The file was deleted; "
                + "download again, or fetch it by hand and place it at " + finalPath + ".");
        }

        File.Move(partPath, finalPath, overwrite: true);
        LogVerified(_logger, finalPath, file.Checksum.ToString());
        return finalPath;
    }

    private async Task<bool> AttemptAsync(RemoteFile file, string partPath, long have, long limit, IProgress<DownloadProgress>? progress, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, file.Url);
        if (have > 0)
        {
            request.Headers.Range = new RangeHeaderValue(have, null);
        }

        using var stall = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stall.CancelAfter(_options.StallTimeout);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);

        if (response.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable && have > 0)
        {
            // The server has nothing past the bytes we hold: the partial file is complete (the checksum decides).
            return true;
        }

        if (!response.IsSuccessStatusCode)
        {
            int code = (int)response.StatusCode;
            string message = $"{file.Url} answered {code} {response.ReasonPhrase}.";
            if (code is 408 or 429 || code >= 500)
            {
                throw new HttpRequestException(message, null, response.StatusCode);
            }

            throw new DatasetDownloadException(message + " Check the URL or download the file by hand (see docs/Datasets.md).");
        }

        bool append = false;
        if (have > 0 && response.StatusCode == HttpStatusCode.PartialContent)
        {
            long? start = response.Content.Headers.ContentRange?.From;
            if (start != have)
            {
                throw new HttpRequestException($"{file.Url} resumed at byte {start?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?"} instead of {have}.");
            }

            append = true;
        }
        else if (have > 0)
        {
            LogRangeIgnored(_logger, file.Url);
            have = 0;
        }

        long? remaining = response.Content.Headers.ContentLength;
        long? total = remaining is long r ? have + r : file.Size;
        if (total > limit)
        {
            throw new DatasetDownloadException(
                $"{file.Url} announces {total} bytes, more than the {limit} allowed for {file.FileName}.");
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(stall.Token).ConfigureAwait(false);
        await using var output = new FileStream(partPath, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
        byte[] buffer = new byte[_options.BufferSize];
        long position = have;
        progress?.Report(new DownloadProgress(file.FileName, position, total));
        while (true)
        {
            stall.CancelAfter(_options.StallTimeout);
            int n = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            if (position + n > limit)
            {
                throw new DatasetDownloadException(
                    $"{file.Url} sent more than the {limit} bytes allowed for {file.FileName}.");
            }

            await output.WriteAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
            position += n;
            progress?.Report(new DownloadProgress(file.FileName, position, total));
        }

        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
        return total is not long expected || position >= expected;
    }

    private static TimeSpan NextDelay(TimeSpan delay) => TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));

    private static long PartialLength(string partPath) => File.Exists(partPath) ? new FileInfo(partPath).Length : 0;

    /// <summary>A one-line reason: the innermost message of a network error (e.g. the name resolution failure), without a trailing period.</summary>
    private static string Describe(Exception ex)
    {
        string message = ex switch
        {
            OperationCanceledException => "no data arrived within the stall timeout",
            HttpRequestException { InnerException: { } inner } when !ex.Message.Contains(inner.Message.TrimEnd('.'), StringComparison.Ordinal)
                => $"{ex.Message.TrimEnd('.')} ({inner.Message.TrimEnd('.')})",
            _ => ex.Message,
        };
        return message.ReplaceLineEndings(" ").TrimEnd('.', ' ');
    }

    private static bool IsTransient(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        DatasetDownloadException => false,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        HttpRequestException => true,
        IOException => true,
        _ => false,
    };

    [LoggerMessage(Level = LogLevel.Information, Message = "Reusing verified file {Path}")]
    private static partial void LogReused(ILogger logger, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Path} does not match {Checksum}; downloading it again")]
    private static partial void LogStale(ILogger logger, string path, string checksum);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Url} ended early (attempt {Attempt}); resuming")]
    private static partial void LogIncomplete(ILogger logger, Uri url, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Download of {Url} failed (attempt {Attempt}): {Reason}; resuming")]
    private static partial void LogRetry(ILogger logger, Uri url, int attempt, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Url} ignored the range request; restarting from byte 0")]
    private static partial void LogRangeIgnored(ILogger logger, Uri url);

    [LoggerMessage(Level = LogLevel.Information, Message = "Downloaded and verified {Path} ({Checksum})")]
    private static partial void LogVerified(ILogger logger, string path, string checksum);
}
