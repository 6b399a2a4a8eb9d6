using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using EventSnn.Datasets.Download;

namespace EventSnn.Datasets.Tests.Download;

[SuppressMessage("Security", "CA5351", Justification = "MD5 is the publishers' integrity checksum under test.")]
public sealed class FileDownloaderTests
{
    private static readonly DownloadOptions Fast = new()
    {
        RetryDelay = TimeSpan.Zero,
        StallTimeout = TimeSpan.FromSeconds(20),
        MaxAttempts = 4,
        BufferSize = 4096,
    };

    private static FileChecksum Md5Of(byte[] data) => FileChecksum.Md5(Convert.ToHexStringLower(MD5.HashData(data)));

    private static HttpClient Client() => new() { Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public async Task Downloads_and_verifies_a_whole_file()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(50_000, 1);
        var remote = new RemoteFile(server.Add("a.bin", data), "a.bin", Md5Of(data));
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(dir.Combine("a.bin"), path);
        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.False(File.Exists(path + ".part"));
        Assert.Equal(1, server.RequestCount);
        Assert.Null(server.RangeHeaders[0]);
    }

    [Fact]
    public async Task Resumes_with_a_range_request_after_the_connection_is_cut()
    {
        using var server = new LoopbackServer { CutAfterBytes = 12_345, CutCount = 1 };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(100_000, 2);
        var remote = new RemoteFile(server.Add("b.bin", data), "b.bin", Md5Of(data));
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        IReadOnlyList<string?> ranges = server.RangeHeaders;
        Assert.Equal(2, ranges.Count);
        Assert.Null(ranges[0]);
        // The resumption asks for exactly the bytes after those already on disk (at least the cut point was flushed).
        Assert.NotNull(ranges[1]);
        Assert.StartsWith("bytes=", ranges[1]);
        long from = long.Parse(ranges[1]!["bytes=".Length..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(from, 1, 12_345);
    }

    [Fact]
    public async Task Resumes_a_partial_file_left_by_an_earlier_run()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(40_000, 3);
        await File.WriteAllBytesAsync(dir.Combine("c.bin.part"), data[..17_000]);
        var remote = new RemoteFile(server.Add("c.bin", data), "c.bin", Md5Of(data)) { Size = data.Length };
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Equal(["bytes=17000-"], server.RangeHeaders);
    }

    [Fact]
    public async Task Restarts_when_the_server_ignores_ranges()
    {
        using var server = new LoopbackServer { IgnoreRange = true };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(30_000, 4);
        await File.WriteAllBytesAsync(dir.Combine("d.bin.part"), TestData.Bytes(9_000, 99));
        var remote = new RemoteFile(server.Add("d.bin", data), "d.bin", Md5Of(data));
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_partial_file_that_is_already_complete_is_verified_through_a_416_answer()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(8_000, 5);
        await File.WriteAllBytesAsync(dir.Combine("e.bin.part"), data);
        var remote = new RemoteFile(server.Add("e.bin", data), "e.bin", Md5Of(data));
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Equal(["bytes=8000-"], server.RangeHeaders);
    }

    [Fact]
    public async Task Checksum_mismatch_throws_a_clear_error_and_leaves_nothing_cached()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(20_000, 6);
        byte[] other = TestData.Bytes(20_000, 7);
        FileChecksum wrong = Md5Of(other);
        var remote = new RemoteFile(server.Add("f.bin", data), "f.bin", wrong);
        using HttpClient http = Client();

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path));

        Assert.Contains("Checksum mismatch", ex.Message, StringComparison.Ordinal);
        Assert.Contains(wrong.Hex, ex.Message, StringComparison.Ordinal);
        Assert.Contains(Convert.ToHexStringLower(MD5.HashData(data)), ex.Message, StringComparison.Ordinal);
        Assert.Contains(remote.Url.ToString(), ex.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(dir.Path));

        // A second call downloads again from scratch (nothing poisoned), and fails the same way.
        await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path));
        Assert.Equal(2, server.RequestCount);
        Assert.All(server.RangeHeaders, Assert.Null);
    }

    [Fact]
    public async Task A_verified_file_on_disk_is_reused_without_a_request()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(5_000, 8);
        await File.WriteAllBytesAsync(dir.Combine("g.bin"), data);
        var remote = new RemoteFile(server.Add("g.bin", data), "g.bin", Md5Of(data));
        using HttpClient http = Client();

        await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task A_corrupt_file_on_disk_is_replaced()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(5_000, 9);
        await File.WriteAllBytesAsync(dir.Combine("h.bin"), TestData.Bytes(5_000, 10));
        var remote = new RemoteFile(server.Add("h.bin", data), "h.bin", Md5Of(data));
        using HttpClient http = Client();

        string path = await new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Not_found_fails_at_once_with_the_url()
    {
        using var server = new LoopbackServer();
        using var dir = new TempFolder();
        var remote = new RemoteFile(new Uri(server.BaseUri, "missing.zip"), "missing.zip", FileChecksum.Md5(new string('0', 32)));
        using HttpClient http = Client();

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path));

        Assert.Contains("404", ex.Message, StringComparison.Ordinal);
        Assert.Contains("missing.zip", ex.Message, StringComparison.Ordinal);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task Gives_up_after_the_attempt_limit_and_keeps_the_partial_file()
    {
        using var server = new LoopbackServer { CutAfterBytes = 1_000, CutCount = int.MaxValue };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(64_000, 11);
        var remote = new RemoteFile(server.Add("i.bin", data), "i.bin", Md5Of(data));
        using HttpClient http = Client();
        var options = Fast with { MaxAttempts = 3 };

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, options).DownloadAsync(remote, dir.Path));

        Assert.Contains("3 attempt", ex.Message, StringComparison.Ordinal);
        Assert.Equal(3, server.RequestCount);
        Assert.False(File.Exists(dir.Combine("i.bin")));
        byte[] part = await File.ReadAllBytesAsync(dir.Combine("i.bin.part"));
        Assert.Equal(data[..part.Length], part);
        Assert.Contains($"The partial file ({part.Length} bytes) is kept at {dir.Combine("i.bin.part")}", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_first_failure_is_reported_at_once_with_the_retry_plan()
    {
        using var server = new LoopbackServer { CutAfterBytes = 1_000, CutCount = 1 };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(40_000, 14);
        var remote = new RemoteFile(server.Add("r.bin", data), "r.bin", Md5Of(data));
        using HttpClient http = Client();
        var notices = new List<(DownloadRetry Notice, int RequestsSoFar)>();
        var options = Fast with
        {
            MaxAttempts = 5,
            RetryDelay = TimeSpan.FromMilliseconds(50),
            RetryObserver = new Observer(n => notices.Add((n, server.RequestCount))),
        };

        await new FileDownloader(http, options).DownloadAsync(remote, dir.Path);

        var (notice, requests) = Assert.Single(notices);
        Assert.Equal(1, requests);
        Assert.Equal((1, 5, "r.bin"), (notice.Attempt, notice.MaxAttempts, notice.FileName));
        Assert.Equal(TimeSpan.FromMilliseconds(50), notice.NextDelay);
        Assert.True(notice.WillRetry);
        Assert.InRange(notice.PartialBytes, 1, 1_000);
        Assert.False(string.IsNullOrWhiteSpace(notice.Reason));
    }

    [Fact]
    public async Task An_unreachable_server_says_nothing_was_downloaded()
    {
        using var dir = new TempFolder();
        var remote = new RemoteFile(new Uri($"http://127.0.0.1:{LoopbackServer.FreePort()}/x.zip"), "x.zip", FileChecksum.Md5(new string('0', 32)));
        using HttpClient http = Client();
        var notices = new List<DownloadRetry>();
        var options = Fast with { MaxAttempts = 3, RetryObserver = new Observer(notices.Add) };

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, options).DownloadAsync(remote, dir.Path));

        Assert.Contains("Nothing was downloaded.", ex.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("partial file", ex.Message, StringComparison.OrdinalIgnoreCase);
        Assert.False(File.Exists(dir.Combine("x.zip.part")));
        Assert.Equal([1, 2, 3], notices.Select(n => n.Attempt));
        Assert.Equal([true, true, false], notices.Select(n => n.WillRetry));
        Assert.All(notices, n => Assert.Equal(0, n.PartialBytes));
    }

    private sealed class Observer(Action<DownloadRetry> report) : IProgress<DownloadRetry>
    {
        public void Report(DownloadRetry value) => report(value);
    }

    [Fact]
    public async Task A_stalled_transfer_is_abandoned_and_resumed()
    {
        using var server = new LoopbackServer { StallAfterBytes = 7_000 };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(30_000, 12);
        var remote = new RemoteFile(server.Add("j.bin", data), "j.bin", Md5Of(data));
        using HttpClient http = Client();
        // The server holds the first response open for 10 s after 7,000 bytes; 1.5 s without data abandons it.
        var options = Fast with { StallTimeout = TimeSpan.FromMilliseconds(1500), MaxAttempts = 6 };

        string path = await new FileDownloader(http, options).DownloadAsync(remote, dir.Path);

        Assert.Equal(data, await File.ReadAllBytesAsync(path));
        // At least one resumption; a heavily loaded machine may need more than one.
        Assert.InRange(server.RequestCount, 2, 6);
        Assert.NotNull(server.RangeHeaders[1]);
    }

    [Fact]
    public async Task More_bytes_than_the_published_size_are_refused()
    {
        using var server = new LoopbackServer { Chunked = true };
        using var dir = new TempFolder();
        byte[] data = TestData.Bytes(50_000, 13);
        var remote = new RemoteFile(server.Add("k.bin", data), "k.bin", Md5Of(data)) { Size = 10_000 };
        using HttpClient http = Client();

        var ex = await Assert.ThrowsAsync<DatasetDownloadException>(() => new FileDownloader(http, Fast).DownloadAsync(remote, dir.Path));

        Assert.Contains("10000", ex.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(dir.Combine("k.bin")));
    }

    [Fact]
    public async Task Invalid_arguments_are_rejected_with_parameter_names()
    {
        Assert.Throws<ArgumentException>("hex", () => FileChecksum.Md5("abc"));
        Assert.Throws<ArgumentException>("hex", () => FileChecksum.Md5(new string('g', 32)));
        Assert.Throws<ArgumentOutOfRangeException>("MaxAttempts", () => new FileDownloader(null, new DownloadOptions { MaxAttempts = 0 }));
        var bad = new RemoteFile(new Uri("http://127.0.0.1/x"), "../x", FileChecksum.Md5(new string('0', 32)));
        await Assert.ThrowsAsync<ArgumentException>("file", () => new FileDownloader().DownloadAsync(bad, "/tmp"));
    }

    [Theory]
    [InlineData("", "d41d8cd98f00b204e9800998ecf8427e", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "900150983cd24fb0d6963f7d28e17f72", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    public void Checksums_match_the_published_test_vectors(string text, string md5, string sha256)
    {
        // RFC 1321 and FIPS 180-2 test vectors.
        using var s1 = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text));
        Assert.Equal(md5, FileChecksum.Compute(ChecksumAlgorithm.Md5, s1));
        using var s2 = new MemoryStream(System.Text.Encoding.ASCII.GetBytes(text));
        Assert.Equal(sha256, FileChecksum.Compute(ChecksumAlgorithm.Sha256, s2));
        Assert.Equal("md5:" + md5, FileChecksum.Md5(md5.ToUpperInvariant()).ToString());
    }
}
