using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace EventSnn.Datasets.Tests.Download;

/// <summary>
/// A tiny HTTP server on 127.0.0.1 (free port) serving byte arrays by path, honouring Range requests, and
/// able to cut a response short, stall it, or ignore ranges. Every wait is bounded.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly HttpListener _listener;
    private readonly Dictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly List<string?> _rangeHeaders = [];
    private readonly Lock _gate = new();
    private readonly Task _loop;
    private readonly CancellationTokenSource _stop = new();

    public LoopbackServer()
    {
        for (int tries = 0; ; tries++)
        {
            int port = FreePort();
            var listener = new HttpListener();
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            try
            {
                listener.Start();
                _listener = listener;
                BaseUri = new Uri($"http://127.0.0.1:{port}/");
                break;
            }
            catch (HttpListenerException) when (tries < 10)
            {
                listener.Close();
            }
        }

        _loop = Task.Run(LoopAsync);
    }

    public Uri BaseUri { get; }

    /// <summary>Cut the connection after this many body bytes, for the first <see cref="CutCount"/> responses.</summary>
    public int CutAfterBytes { get; set; } = -1;

    /// <summary>How many responses are cut (then responses are whole).</summary>
    public int CutCount { get; set; }

    /// <summary>Answer 200 with the whole file even when a range is asked for.</summary>
    public bool IgnoreRange { get; set; }

    /// <summary>Stall (send nothing more, keep the connection) after this many bytes on the first response.</summary>
    public int StallAfterBytes { get; set; } = -1;

    /// <summary>Send no Content-Length (chunked) so the client cannot know the size.</summary>
    public bool Chunked { get; set; }

    public int RequestCount
    {
        get
        {
            lock (_gate)
            {
                return _rangeHeaders.Count;
            }
        }
    }

    public IReadOnlyList<string?> RangeHeaders
    {
        get
        {
            lock (_gate)
            {
                return [.. _rangeHeaders];
            }
        }
    }

    public Uri Add(string path, byte[] content)
    {
        lock (_gate)
        {
            _files[path] = content;
        }

        return new Uri(BaseUri, path);
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Close();
        _loop.Wait(TimeSpan.FromSeconds(5));
        _stop.Dispose();
    }

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task LoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().WaitAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested || !_listener.IsListening)
            {
                return;
            }
            catch (HttpListenerException)
            {
                return;
            }

            _ = Task.Run(() => Handle(context));
        }
    }

    private async Task Handle(HttpListenerContext context)
    {
        HttpListenerResponse response = context.Response;
        try
        {
            string path = context.Request.Url!.AbsolutePath.TrimStart('/');
            string? range = context.Request.Headers["Range"];
            int requestIndex;
            byte[]? content;
            lock (_gate)
            {
                requestIndex = _rangeHeaders.Count;
                _rangeHeaders.Add(range);
                _files.TryGetValue(path, out content);
            }

            if (content is null)
            {
                response.StatusCode = 404;
                response.Close();
                return;
            }

            long start = 0;
            if (range is not null && !IgnoreRange)
            {
                // bytes=N-
                string spec = range["bytes=".Length..].TrimEnd('-');
                start = long.Parse(spec, CultureInfo.InvariantCulture);
                if (start >= content.Length)
                {
                    response.StatusCode = 416;
                    response.Headers["Content-Range"] = $"bytes */{content.Length}";
                    response.Close();
                    return;
                }

                response.StatusCode = 206;
                response.Headers["Content-Range"] = $"bytes {start}-{content.Length - 1}/{content.Length}";
            }
            else
            {
                response.StatusCode = 200;
            }

            int length = content.Length - (int)start;
            if (Chunked)
            {
                response.SendChunked = true;
            }
            else
            {
                response.ContentLength64 = length;
            }

            Stream output = response.OutputStream;
            bool cut = CutAfterBytes >= 0 && requestIndex < CutCount;
            bool stall = StallAfterBytes >= 0 && requestIndex == 0;
            int limit = cut ? Math.Min(CutAfterBytes, length) : stall ? Math.Min(StallAfterBytes, length) : length;
            await output.WriteAsync(content.AsMemory((int)start, limit));
            await output.FlushAsync();
            if (cut)
            {
                // Let the client read what was sent before the reset (a reset can discard unread data).
                await Task.Delay(300);
                response.Abort();
                return;
            }

            if (stall)
            {
                // Hold the connection open without sending, bounded, then drop it.
                try
                {
                    await Task.Delay(TimeSpan.FromSeconds(10), _stop.Token);
                }
                catch (OperationCanceledException)
                {
                }

                response.Abort();
                return;
            }

            response.Close();
        }
        catch (Exception)
        {
            try
            {
                response.Abort();
            }
            catch (ObjectDisposedException)
            {
            }
        }
    }
}
